"""Each typed error maps to one human message and one next step, in plain words for a
visitor, with the technical detail kept apart for the site owner."""

import re

import pytest

from pyapp import errors
from pyapp.messages import SITE_NOT_SET_UP, message_for

# What a visitor must never have to read: protocol words, paths, statuses.
JARGON = re.compile(r"/oauth|/auth/|token endpoint|HTTP \d|OAuth|dialect|App ID|secret|scope\b"
                    r"|GraphQL|API\b|CORS|verifier|access code from", re.IGNORECASE)

ALL_ERRORS = [
    errors.LoginDenied("x"),
    errors.MissingAccessCode("x"),
    errors.MissingTransaction("x"),
    errors.ExchangeRejected("Access code expired", 401),
    errors.ExchangeRejected("Invalid app secret. Check your app settings.", 401),
    errors.EndpointNotSupported("https://s does not offer /oauth/token; add the App secret"),
    errors.ServerUnavailable("The server answered HTTP 502.", 502),
    errors.UnusableResponse("The token answer is nested too deeply (HTTP 200).", 200),
    errors.StorageUnavailable("sessionStorage.setItem raised SecurityError"),
    errors.StorageUnavailable("sessionStorage.setItem raised QuotaExceededError", full=True),
    errors.TokenEndpointUnreachable("/oauth/token could not be reached; add the App secret"),
    errors.SessionExpired("x"),
    errors.MissingScope("profile:email"),
    errors.InsecureContext("crypto.subtle is missing: not a secure context"),
    errors.InvalidConfiguration("The App ID may only contain letters"),
    errors.NotSignedIn("x"),
    errors.GraphQLError("Cannot query field 'emial'"),
    RuntimeError("secret-token-123"),
]


@pytest.mark.parametrize(
    "error,title_part,action",
    [
        (errors.LoginDenied("x"), "declined", "back"),
        (errors.LoginCancelled("x"), "Sign-in cancelled", "login"),
        (errors.PopupBlocked("x"), "window was blocked", "login"),
        (errors.MissingAccessCode("x"), "Nothing to sign in with", "back"),
        (errors.MissingTransaction("x"), "can't be finished here", "login"),
        (errors.ExchangeRejected("Access code expired", 401), "didn't accept", "login"),
        (errors.EndpointNotSupported("needs secret"), "isn't available", "back"),
        (errors.ServerUnavailable("timed out"), "Couldn't reach Speckle", "retry"),
        (errors.UnusableResponse("too deep"), "can't use", "retry"),
        (errors.StorageUnavailable("blocked"), "storage is blocked", "retry"),
        (errors.StorageUnavailable("full", full=True), "storage is full", "retry"),
        (errors.TokenEndpointUnreachable("no CORS"), "isn't available", "back"),
        (errors.SessionExpired("x"), "session has ended", "login"),
        (errors.MissingScope("profile:email"), "can't be shown", "login"),
        (errors.InsecureContext("no subtle"), "securely", "back"),
        (errors.InvalidConfiguration("bad url"), "isn't available", "back"),
        (errors.NotSignedIn("x"), "signed out", "login"),
        (errors.GraphQLError("bad field"), "couldn't answer", "retry"),
        (RuntimeError("secret-token-123"), "Something went wrong", "retry"),
    ],
)
def test_mapping_for_a_visitor(error: BaseException, title_part: str, action: str) -> None:
    message = message_for(error)
    assert title_part in message.title and message.action == action


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_a_visitor_reads_no_jargon(error: BaseException) -> None:
    message = message_for(error)
    assert not JARGON.search(message.title + " " + message.detail), message


@pytest.mark.parametrize("error", ALL_ERRORS[:-1], ids=lambda e: type(e).__name__)
def test_the_technical_detail_names_what_failed(error: BaseException) -> None:
    assert type(error).__name__ in message_for(error).technical


@pytest.mark.parametrize(
    "error",
    [errors.InvalidConfiguration("bad url"), errors.EndpointNotSupported("add the App secret"),
     errors.TokenEndpointUnreachable("add the App secret"),
     errors.ExchangeRejected("Invalid request: application id does not match.", 401),
     errors.ExchangeRejected("Invalid app secret.", 401)],
    ids=lambda e: type(e).__name__,
)
def test_a_site_set_up_wrongly_says_so_to_visitors_and_in_detail_to_its_owner(
    error: BaseException,
) -> None:
    visitor = message_for(error)
    assert visitor.detail == SITE_NOT_SET_UP and visitor.action == "back"
    owner = message_for(error, editable=True)
    assert owner.action == "fix" and str(error) in owner.detail


def test_settings_errors_ask_the_person_who_typed_them_to_check() -> None:
    assert message_for(errors.InvalidConfiguration("bad"), editable=True).title == (
        "Check the settings")


def test_speckles_own_words_reach_the_visitor() -> None:
    message = message_for(errors.ExchangeRejected("Code challenge mismatch.", 401))
    assert "Code challenge mismatch." in message.detail
    assert "HTTP 401" in message.technical


def test_unexpected_errors_do_not_echo_their_text() -> None:
    message = message_for(RuntimeError("secret-token-123"))
    assert "secret-token-123" not in message.detail + message.technical
    assert "RuntimeError" in message.technical


def test_scope_message_names_what_is_missing_and_suggests_reauthorizing() -> None:
    message = message_for(errors.MissingScope("streams:read"))
    assert "your projects" in message.detail and "re-authorize" in message.detail
    assert "streams:read" in message.technical


def test_the_page_never_says_the_same_thing_twice() -> None:
    owner = message_for(errors.InvalidConfiguration("The App ID may only contain letters"), True)
    assert owner.extra_detail == ""
    visitor = message_for(errors.ServerUnavailable("The server answered HTTP 502.", 502))
    assert "HTTP 502" in visitor.extra_detail


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_no_message_says_its_title_twice(error: BaseException) -> None:
    for editable in (False, True):
        message = message_for(error, editable)
        assert message.title.lower() not in message.detail.lower(), message


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_every_message_is_a_title_and_a_sentence(error: BaseException) -> None:
    # What a visitor reads; an editable page shows the error's own text, tested elsewhere.
    message = message_for(error)
    for text in (message.title, message.detail):
        assert isinstance(text, str) and text.strip() and not text[:1].islower()
        assert text != text.upper() and "None" not in text
    assert not message.title.endswith(".") and message.detail.endswith(".")


@pytest.mark.parametrize("error", [e for e in ALL_ERRORS if isinstance(e, (
    errors.EndpointNotSupported, errors.ServerUnavailable, errors.InsecureContext,
    errors.InvalidConfiguration, errors.GraphQLError))], ids=lambda e: type(e).__name__)
def test_errors_that_explain_themselves_keep_their_text_for_the_owner(error: BaseException
                                                                      ) -> None:
    # Visitors may get plain words instead; the site owner always finds pyapp's own text.
    for editable in (False, True):
        message = message_for(error, editable)
        assert str(error) in message.detail + message.technical


def test_unexpected_errors_are_named_by_type_only() -> None:
    message = message_for(KeyError("secret"))
    assert message.technical == "Unexpected error: KeyError."
    assert "secret" not in message.detail + message.technical
    assert "try again" in message_for(errors.ServerUnavailable("Timed out.")).detail
