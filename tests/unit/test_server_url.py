"""The server-URL rules run on what the browser's parser says, and every refusal is typed.

The payloads are the ones an adversarial review reproduced in Chromium: Python's parser and
the browser's disagreed on the host (``\\`` is a path separator to the browser), and inputs
Python's parser chokes on raised ``ValueError`` past the page's handlers.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyapp.errors import CONFIGURATION_REASONS, InvalidConfiguration
from pyapp.messages import message_for
from pyapp.ports import ParsedUrl
from pyapp.server_url import StrictUrlParser, check_server_url, is_loopback_host

BYPASSES = [
    "http://evil.test\\.localhost",  # browser: host evil.test, path /.localhost
    "http://evil.test\\@localhost",
    "http://[::1]evil.com",
    "https://x]",
    "https://[x",
    "http://[::1",
    "https://[::1]:80:80",
    "http://127.1",  # the browser reads 127.0.0.1; refused rather than guessed
    "http://0x7f.1",
    "http://localhost%2eevil.test",
    "http://local\thost",
    "http://evil.test\n.localhost",
    "https://app.speckle.systems:99999",
]


@pytest.mark.parametrize("raw", BYPASSES)
def test_parser_disagreements_are_refused_in_words(raw: str) -> None:
    with pytest.raises(InvalidConfiguration) as info:
        check_server_url(raw)
    assert info.value.setting == "serverUrl" and info.value.reason in CONFIGURATION_REASONS
    assert str(info.value)  # a sentence for the person who typed it


class Says:
    """A parser that reports what a browser would: here, a different host than Python's."""

    def __init__(self, hostname: str, protocol: str = "http:") -> None:
        self.url = ParsedUrl(protocol, "", "", hostname, "", "/", "", "")

    def parse(self, text: str) -> ParsedUrl | None:
        return self.url


def test_the_rules_judge_the_host_the_browser_will_use() -> None:
    # Python would see a loopback host; the (fake) browser says evil.test: refused.
    with pytest.raises(InvalidConfiguration) as info:
        check_server_url("http://speckle.localhost", parser=Says("evil.test"))
    assert info.value.reason == "insecure_http"
    # And the URL handed back is rebuilt from the browser's fields.
    assert check_server_url("https://a.example", parser=Says("b.example", "https:")) == (
        "https://b.example")


def test_a_url_the_browser_refuses_is_an_invalid_configuration() -> None:
    class Refuses:
        def parse(self, text: str) -> ParsedUrl | None:
            return None

    with pytest.raises(InvalidConfiguration) as info:
        check_server_url("https://app.speckle.systems", parser=Refuses())
    assert (info.value.reason, info.value.value) == ("not_a_url", "https://app.speckle.systems")
    assert str(info.value) == "“https://app.speckle.systems” is not a valid URL."


def test_a_refused_url_with_a_password_is_not_quoted() -> None:
    class Refuses:
        def parse(self, text: str) -> ParsedUrl | None:
            return None

    with pytest.raises(InvalidConfiguration) as info:
        check_server_url("https://ada:hunter2@app.speckle.systems", parser=Refuses())
    assert info.value.reason == "not_a_url" and info.value.value is None
    assert "hunter2" not in str(info.value) + message_for(info.value, editable=True).technical


@pytest.mark.parametrize("raw,expected", [
    ("http://[0:0::1]:8001/", "http://[::1]:8001"),
    ("https://speckle.example.com:0443/a/b/", "https://speckle.example.com/a/b"),
    ("http://LOCALHOST:3000", "http://localhost:3000"),
])
def test_strict_parser_prints_urls_as_the_browser_does(raw: str, expected: str) -> None:
    assert check_server_url(raw, parser=StrictUrlParser()) == expected


# -- properties -------------------------------------------------------------------------------

SCHEMES = st.sampled_from(["http", "https", "HTTPS", "javascript", "data", "ftp", "ws", ""])
SEPARATORS = st.sampled_from(["://", ":/", ":\\\\", ":", "//", ":///"])
HOSTS = st.one_of(
    st.sampled_from([
        "localhost", "evil.test", "evil.test\\.localhost", "[::1]", "[::1]evil.com", "x]",
        "127.0.0.1", "127.1", "0x7f000001", "2130706433", "[::ffff:127.0.0.1]", "sub.localhost",
        "localhost.", "app.speckle.systems", "user:pw@localhost", "@localhost", "a@b@localhost",
        "%6cocalhost", "xn--lcalhost-9za", "ⓛocalhost", "[fe80::1%25eth0]",
    ]),
    st.text(alphabet="abc.:@[]%\\/?#0123456789-x \t", max_size=12),
)
URL_TEXTS = st.one_of(
    st.builds(lambda s, sep, h, rest: f"{s}{sep}{h}{rest}", SCHEMES, SEPARATORS, HOSTS,
              st.sampled_from(["", "/", ":8001", ":80/x", "/a\\b", "?q", "#f", "/..", "/%2e"])),
    st.text(max_size=40),
)


@given(URL_TEXTS, st.booleans())
def test_any_text_is_accepted_safely_or_refused_in_words(raw: str, insecure: bool) -> None:
    """For every input: only InvalidConfiguration escapes, and an accepted URL is https or
    names a loopback host, has no credentials, query, fragment or backslash, and is stable."""
    try:
        url = check_server_url(raw, allow_insecure_http=insecure, parser=StrictUrlParser())
    except InvalidConfiguration as error:
        assert error.reason in CONFIGURATION_REASONS and str(error)
        return
    parsed = StrictUrlParser().parse(url)
    assert parsed is not None
    assert parsed.protocol == "https:" or insecure or is_loopback_host(parsed.hostname)
    assert not (parsed.username or parsed.password or parsed.search or parsed.hash)
    assert "\\" not in url and "@" not in url.split("/")[2]
    assert check_server_url(url, allow_insecure_http=insecure, parser=StrictUrlParser()) == url
