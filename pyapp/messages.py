"""One human message per error, and what the page should offer next.

Pages show ``Message.title`` and ``Message.detail`` as text and render one action button.
Kept apart from the UI so every mapping is unit-tested under CPython.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from .errors import (
    EndpointNotSupported,
    ExchangeRejected,
    GraphQLError,
    InsecureContext,
    InvalidConfiguration,
    LoginCancelled,
    LoginDenied,
    MissingAccessCode,
    MissingScope,
    MissingTransaction,
    NotSignedIn,
    PopupBlocked,
    ServerUnavailable,
    SessionExpired,
    StorageUnavailable,
    TokenEndpointUnreachable,
    UnusableResponse,
)

#: ``retry`` repeats what failed, ``login`` starts a fresh login, ``back`` returns to the app,
#: ``fix`` asks the user to correct the settings.
Action = Literal["retry", "login", "back", "fix"]


@dataclass(frozen=True)
class Message:
    title: str
    detail: str
    action: Action


def _login_denied(error: LoginDenied) -> Message:
    return Message("You declined access",
                   "You declined access to your Speckle account, so you are not signed in. "
                   "You can go back and log in again whenever you like.", "back")


def _login_cancelled(error: LoginCancelled) -> Message:
    return Message("Sign-in cancelled",
                   "The sign-in ended before Speckle answered (its window was closed or "
                   "the sign-in was cancelled), so you are not signed in. You can log in "
                   "again whenever you like.", "login")


def _popup_blocked(error: PopupBlocked) -> Message:
    return Message("The sign-in window was blocked",
                   "Your browser blocked the window Speckle's sign-in opens in. Allow "
                   "pop-ups for this site and log in again.", "login")


def _missing_access_code(error: MissingAccessCode) -> Message:
    return Message("Nothing to sign in with",
                   "This page is where Speckle sends you after you log in, but it was opened "
                   "without an access code. Start from the app's Log in button.", "back")


def _missing_transaction(error: MissingTransaction) -> Message:
    return Message("This sign-in can't be finished here",
                   "The login was started in another tab or window, or too long ago, so this "
                   "tab has no record of it. Please log in again.", "login")


def _exchange_rejected(error: ExchangeRejected) -> Message:
    return Message("Speckle refused the sign-in",
                   f"The server said: {error.server_message}", "login")


def _endpoint_not_supported(error: EndpointNotSupported) -> Message:
    return Message("This server needs the app secret", str(error), "fix")


def _token_endpoint_unreachable(error: TokenEndpointUnreachable) -> Message:
    return Message("Couldn't reach the sign-in endpoint", str(error), "fix")


def _unusable_response(error: UnusableResponse) -> Message:
    return Message("Speckle sent an answer this page can't use",
                   f"{error} Nothing from it was kept. Try again; if it keeps happening, "
                   "check the server URL or ask the server's administrator.", "retry")


def _server_unavailable(error: ServerUnavailable) -> Message:
    return Message("Couldn't reach Speckle",
                   f"{error} Check your connection and the server URL, then try again.",
                   "retry")


def _session_expired(error: SessionExpired) -> Message:
    return Message("Session expired or access revoked",
                   "Your Speckle session expired or access was revoked. Please log in again.",
                   "login")


def _missing_scope(error: MissingScope) -> Message:
    return Message(f"Missing permission: {error.scope}",
                   f"This app was not granted the “{error.scope}” permission. Log in again "
                   "to re-authorize it, or ask the app's owner to add that scope.", "login")


def _storage_unavailable(error: StorageUnavailable) -> Message:
    if error.full:
        return Message("The browser's storage is full",
                       "The browser's storage for this site is full, and signing in needs "
                       "a little of it. Nothing was saved. Free some space (clear this "
                       "site's data), then try again.", "retry")
    return Message("Site storage is blocked",
                   "This browser is blocking site storage, which signing in needs. Allow "
                   "this site to store data (cookies and site data in the browser's "
                   "settings), then try again.", "retry")


def _insecure_context(error: InsecureContext) -> Message:
    return Message("This page can't sign you in securely", str(error), "fix")


def _invalid_configuration(error: InvalidConfiguration) -> Message:
    return Message("Check the settings", str(error), "fix")


def _not_signed_in(error: NotSignedIn) -> Message:
    return Message("You are signed out", "Log in to continue.", "login")


def _graphql_error(error: GraphQLError) -> Message:
    return Message("The Speckle API returned an error", str(error), "retry")


# One wording per error class. A class without its own entry is worded like its nearest
# ancestor that has one (UnusableResponse would read as ServerUnavailable), so the order
# of this table does not matter.
_WORDING: dict[type[BaseException], Callable[[Any], Message]] = {
    LoginDenied: _login_denied,
    LoginCancelled: _login_cancelled,
    PopupBlocked: _popup_blocked,
    MissingAccessCode: _missing_access_code,
    MissingTransaction: _missing_transaction,
    ExchangeRejected: _exchange_rejected,
    EndpointNotSupported: _endpoint_not_supported,
    TokenEndpointUnreachable: _token_endpoint_unreachable,
    UnusableResponse: _unusable_response,
    ServerUnavailable: _server_unavailable,
    SessionExpired: _session_expired,
    MissingScope: _missing_scope,
    StorageUnavailable: _storage_unavailable,
    InsecureContext: _insecure_context,
    InvalidConfiguration: _invalid_configuration,
    NotSignedIn: _not_signed_in,
    GraphQLError: _graphql_error,
}


def message_for(error: BaseException) -> Message:
    """The message a person sees for ``error``: the wording of its class, or of the
    nearest base class that has one."""
    for cls in type(error).__mro__:
        wording = _WORDING.get(cls)
        if wording is not None:
            return wording(error)
    return Message("Something went wrong", f"Unexpected error: {type(error).__name__}.", "retry")
