"""Properties of the remaining validators, for every input Hypothesis can think of: the app
ID and the return address. (Server URLs, config mappings, token and GraphQL answers and
stored records have theirs next to their other tests.)"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyapp import protocol
from pyapp.config import validate_app_id
from pyapp.errors import InvalidConfiguration
from pyapp.page_urls import safe_return_to

PAGES = st.sampled_from([
    "http://127.0.0.1:8000/app/index.html?tab=1",
    "https://you.github.io/site/callback.html?access_code=abc",
    "http://[::1]:8000/",
])
RETURNS = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.builds(lambda a, b, c: a + b + c,
              st.sampled_from(["", "/", "//", "///", "\\\\", "/\\", "http:", "https://",
                               "javascript:", "HTTP://127.0.0.1:8000", "https://you.github.io",
                               "https://you.github.io.evil.test", "http://[", "//evil.test"]),
              st.sampled_from(["", "evil.test", "127.0.0.1:8000", "[::1]:8000", "@evil.test",
                               "%2f%2fevil.test", "\t//evil.test", "]", "["]),
              st.sampled_from(["", "/x", "?access_code=c0de&denied=true&keep=1", "#frag",
                               "/..//evil.test"])),
)


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


@given(RETURNS, PAGES)
def test_a_return_address_is_always_on_the_page_s_origin(return_to: str | None,
                                                        page: str) -> None:
    target = safe_return_to(return_to, page)
    assert origin(target) == origin(page)
    assert not {"access_code", "denied"} & {k for k, _ in parse_qsl(urlsplit(target).query)}
    assert "\\" not in target and "\t" not in target


@pytest.mark.parametrize("return_to", ["http://[::1", "https://x]/", "//[evil", "http://[x]/"])
def test_a_bracketed_return_address_falls_back_instead_of_raising(return_to: str) -> None:
    page = "http://127.0.0.1:8000/app/"
    assert safe_return_to(return_to, page) == page


@given(st.text(max_size=140))
def test_an_app_id_never_changes_the_shape_of_the_consent_url(raw: str) -> None:
    try:
        app_id = validate_app_id(raw)
    except InvalidConfiguration as error:
        assert str(error)
        return
    url = protocol.authorization_url("https://speckle.example", app_id, "c" * 43)
    parts = urlsplit(url)
    assert parts.netloc == "speckle.example" and not parts.query and not parts.fragment
    assert parts.path.split("/")[:4] == ["", "authn", "verify", app_id]
