"""Every text pyapp shows or logs is well-formed prose, whatever the error's facts.

Titles are in sentence case; details and developer texts are whole sentences, each starting
with a capital letter and ending with a full stop; no word is shouted or half capitalised;
product names are spelled as their owners spell them. A slip in any one fragment of a
message (a sentence run on in lower case, a stray capital, a lost full stop) fails here.
"""

from __future__ import annotations

import re

import pytest

from pyapp import errors
from pyapp.config import CONFIG_KEYS
from pyapp.errors import CONFIGURATION_REASONS
from pyapp.messages import message_for

SERVER = "https://speckle.example"

# Words that are neither lower case nor Capitalised, as they are spelled.
ACRONYMS = {"URL", "HTTP", "ID", "API", "JSON", "KiB", "IPv", "GraphQL", "PyScript", "OAuth",
            "JavaScript", "CORS", "PKCE", "HTML"}
# Names that keep their capital wherever they stand.
PROPER_NAMES = {"Speckle", "Speckle's", "PyScript", "GraphQL", "Web", "Crypto", "API", "App"}
CLASS_NAMES = {name for name in dir(errors) if isinstance(getattr(errors, name), type)}
IDENTIFIERS = set(CONFIG_KEYS) | CLASS_NAMES | {"KeyError"}
LINK = re.compile(r"“[^”]*”|'[^'\s]*'|(https?:)?//[^\s”]*?(?=\.?(?:\s|$|”|\)))"
                  r"|/[a-z/]+\b|[^\s“(]+\.(json|zip|systems|example)\b|\[files\]")


# Reasons pyapp raises with the value at fault (or the values allowed), always.
ALWAYS_WITH_A_VALUE = {"not_one_of", "not_https", "config_incomplete", "file_missing",
                       "file_not_json", "file_not_an_object", "no_such_element"}


def configuration_errors() -> list[errors.InvalidConfiguration]:
    made = []
    for reason in CONFIGURATION_REASONS:
        for setting in ("serverUrl", "appId"):
            made.append(errors.InvalidConfiguration(reason, setting, "app.speckle.systems",
                                                    got="a number", allowed=("a", "b")))
            if reason not in ALWAYS_WITH_A_VALUE:
                made.append(errors.InvalidConfiguration(reason, setting))
    return made


ERRORS: list[BaseException] = [
    *configuration_errors(),
    errors.InsecureContext(), errors.LoginDenied(), errors.LoginCancelled(),
    errors.PopupBlocked(), errors.MissingAccessCode(), errors.MissingTransaction(),
    errors.ExchangeRejected("Access code expired", 401, endpoint="/oauth/token"),
    errors.ExchangeRejected(None, 400), errors.ExchangeRejected("Invalid app secret", 401),
    *(errors.EndpointNotSupported(SERVER, reason)
      for reason in ("no_app_secret", "documented_chosen", "secret_missing")),
    errors.TokenEndpointUnreachable(server_url=SERVER),
    errors.UnusableResponse("too_large", 200, limit_bytes=65536),
    errors.UnusableResponse("too_large", 200), errors.UnusableResponse("too_deep", 200),
    errors.UnusableResponse("token_shape", 200), errors.UnusableResponse("not_json", 502),
    *(errors.ServerUnavailable(reason, status, endpoint=endpoint)
      for reason in ("request_failed", "request_timed_out", "not_json", "server_error",
                     "unavailable")
      for status in (None, 502) for endpoint in (None, "/graphql", "/oauth/token")),
    errors.ServerUnavailable("unavailable", 503, server_message="Down for maintenance."),
    errors.StorageUnavailable(), errors.StorageUnavailable(full=True),
    errors.SessionExpired(401), errors.SessionExpired(),
    *(errors.SessionDropped(reason, 3)
      for reason in ("newer_schema", "wrong_fields", "unusable_values", "not_a_record")),
    errors.MissingScope("profile:email"), errors.MissingScope("something:new"),
    errors.EndpointNotSupported(SERVER, "secret_missing"),
    errors.GraphQLError("Cannot query field."), errors.GraphQLError(),
    errors.NotSignedIn("not_configured"), errors.NotSignedIn(),
    KeyError("x"),
]


def words(text: str) -> list[str]:
    """The words of ``text``, leaving out addresses, paths, file names and quotations."""
    return re.findall(r"[A-Za-z][A-Za-z']*", LINK.sub(" ", text))


def badly_formed(word: str) -> bool:
    bare = word.removesuffix("'s")
    return not (bare.islower() or re.fullmatch(r"[A-Z][a-z']*", bare)
                or bare in ACRONYMS or bare in IDENTIFIERS)


def check_words(text: str) -> None:
    assert "None" not in words(text), text  # a fact that was missing, printed as None
    wrong = [w for w in words(text) if badly_formed(w)]
    assert not wrong, (wrong, text)
    prose = LINK.sub(" ", text)
    for name in ("Speckle", "PyScript", "GraphQL"):
        spelled = re.findall(rf"\b{name}\b", prose, re.IGNORECASE)
        assert all(found == name for found in spelled), (name, text)
    lowered = [w for w in words(text) if w.lower() in {"speckle", "speckle's"} and w.islower()]
    assert not lowered, (lowered, text)


def check_sentences(text: str, error: BaseException) -> None:
    # Addresses, values and the server's own words stand in as a capitalised placeholder:
    # only pyapp's own words are judged.
    said = getattr(error, "server_message", None)
    text = LINK.sub("X", text.replace(said, "X.") if said else text)
    first = (words(text) or [""])[0]
    assert text[:1].isupper() or text[:1] in "“" or first in IDENTIFIERS, text
    assert text.endswith((".", ".”", ")")), text
    # After a full stop, a new sentence starts with a capital (e.g. is not a full stop).
    for match in re.finditer(r"(?<!e\.g)\.”? +(\S)", text):
        assert match.group(1).isupper() or match.group(1) in "“(", text


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: f"{type(e).__name__}")
def test_messages_are_well_formed_prose(error: BaseException) -> None:
    for editable in (False, True):
        message = message_for(error, editable)
        title = message.title
        assert title[:1].isupper() and not title.endswith("."), title
        assert all(w.islower() or w in PROPER_NAMES or w in ACRONYMS
                   for w in words(title)[1:]), title  # sentence case
        check_words(title)
        for text in (message.detail, message.technical):
            check_words(text)
            check_sentences(text, error)


@pytest.mark.parametrize("error", [e for e in ERRORS if isinstance(e, errors.SpeckleError)],
                         ids=lambda e: f"{type(e).__name__}")
def test_developer_texts_are_well_formed_prose(error: errors.SpeckleError) -> None:
    text = str(error)
    check_words(text)
    check_sentences(text, error)


def test_a_missing_sync_http_wheel_is_explained_in_a_sentence(monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    import sys

    from pyapp.embed import enable_sync_http

    monkeypatch.setitem(sys.modules, "pyodide_http", None)  # not unpacked: import fails
    with pytest.raises(ImportError) as caught:
        enable_sync_http()
    text = str(caught.value)
    assert "pyodide_http" in text and "[files]" in text
    check_words(text.replace("pyodide_http", "").replace("enable_sync_http", ""))
    check_sentences(text.replace("pyodide_http", "The wheel"), caught.value)
