"""Each typed error maps to one human message and one next step."""

import pytest

from pyapp import errors
from pyapp.messages import message_for


@pytest.mark.parametrize(
    "error,title_part,action",
    [
        (errors.LoginDenied("x"), "declined", "back"),
        (errors.LoginCancelled("x"), "Sign-in cancelled", "login"),
        (errors.PopupBlocked("x"), "window was blocked", "login"),
        (errors.MissingAccessCode("x"), "Nothing to sign in with", "back"),
        (errors.MissingTransaction("x"), "can't be finished here", "login"),
        (errors.ExchangeRejected("Access code expired", 401), "refused", "login"),
        (errors.EndpointNotSupported("needs secret"), "app secret", "fix"),
        (errors.ServerUnavailable("timed out"), "Couldn't reach Speckle", "retry"),
        (errors.TokenEndpointUnreachable("no CORS"), "Couldn't reach the sign-in endpoint", "fix"),
        (errors.SessionExpired("x"), "Session expired or access revoked", "login"),
        (errors.MissingScope("profile:email"), "profile:email", "login"),
        (errors.InsecureContext("no subtle"), "securely", "fix"),
        (errors.InvalidConfiguration("bad url"), "Check the settings", "fix"),
        (errors.NotSignedIn("x"), "signed out", "login"),
        (errors.GraphQLError("bad field"), "API returned an error", "retry"),
        (RuntimeError("secret-token-123"), "Something went wrong", "retry"),
    ],
)
def test_mapping(error: BaseException, title_part: str, action: str) -> None:
    message = message_for(error)
    assert title_part in message.title and message.action == action


def test_server_message_is_shown_verbatim() -> None:
    assert (
        "Code challenge mismatch."
        in message_for(errors.ExchangeRejected("Code challenge mismatch.", 401)).detail
    )


def test_unexpected_errors_do_not_echo_their_text() -> None:
    assert "secret-token-123" not in message_for(RuntimeError("secret-token-123")).detail


def test_scope_message_suggests_reauthorizing() -> None:
    assert "re-authorize" in message_for(errors.MissingScope("streams:read")).detail


ALL_ERRORS = [
    errors.LoginDenied("x"), errors.MissingAccessCode("x"), errors.MissingTransaction("x"),
    errors.ExchangeRejected("Access code expired.", 401),
    errors.EndpointNotSupported("Add the App secret."),
    errors.ServerUnavailable("The request timed out."),
    errors.TokenEndpointUnreachable("Add the App secret or retry."),
    errors.SessionExpired("x"), errors.MissingScope("profile:email"),
    errors.InsecureContext("Open it over https."), errors.InvalidConfiguration("Bad URL."),
    errors.NotSignedIn("x"), errors.GraphQLError("Bad field."), KeyError("secret"),
]


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_every_message_is_a_title_and_a_sentence(error: BaseException) -> None:
    message = message_for(error)
    for text in (message.title, message.detail):
        assert isinstance(text, str) and text.strip() and not text[:1].islower()
        assert text != text.upper() and "None" not in text
    assert not message.title.endswith(".") and message.detail.endswith(".")


@pytest.mark.parametrize("error", [e for e in ALL_ERRORS if isinstance(e, (
    errors.EndpointNotSupported, errors.ServerUnavailable, errors.InsecureContext,
    errors.InvalidConfiguration, errors.GraphQLError))], ids=lambda e: type(e).__name__)
def test_errors_that_explain_themselves_are_shown_with_their_text(error: BaseException) -> None:
    assert str(error) in message_for(error).detail


def test_unexpected_errors_are_named_by_type_only() -> None:
    assert message_for(KeyError("secret")).detail == "Unexpected error: KeyError."
    assert "try again" in message_for(errors.ServerUnavailable("Timed out.")).detail
