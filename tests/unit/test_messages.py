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
