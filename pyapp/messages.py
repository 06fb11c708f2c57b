"""One human message per error, and what the page should offer next.

Pages show ``Message.title`` and ``Message.detail`` as text and render one action button.
Kept apart from the UI so every mapping is unit-tested under CPython.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


def message_for(error: BaseException) -> Message:
    """The message a person sees for ``error``."""
    if isinstance(error, LoginDenied):
        return Message("You declined access",
                       "You declined access to your Speckle account, so you are not signed in. "
                       "You can go back and log in again whenever you like.", "back")
    if isinstance(error, LoginCancelled):
        return Message("Sign-in cancelled",
                       "The sign-in ended before Speckle answered (its window was closed or "
                       "the sign-in was cancelled), so you are not signed in. You can log in "
                       "again whenever you like.", "login")
    if isinstance(error, PopupBlocked):
        return Message("The sign-in window was blocked",
                       "Your browser blocked the window Speckle's sign-in opens in. Allow "
                       "pop-ups for this site and log in again.", "login")
    if isinstance(error, MissingAccessCode):
        return Message("Nothing to sign in with",
                       "This page is where Speckle sends you after you log in, but it was opened "
                       "without an access code. Start from the app's Log in button.", "back")
    if isinstance(error, MissingTransaction):
        return Message("This sign-in can't be finished here",
                       "The login was started in another tab or window, or too long ago, so this "
                       "tab has no record of it. Please log in again.", "login")
    if isinstance(error, ExchangeRejected):
        return Message("Speckle refused the sign-in",
                       f"The server said: {error.server_message}", "login")
    if isinstance(error, EndpointNotSupported):
        return Message("This server needs the app secret", str(error), "fix")
    if isinstance(error, TokenEndpointUnreachable):
        return Message("Couldn't reach the sign-in endpoint", str(error), "fix")
    if isinstance(error, UnusableResponse):
        return Message("Speckle sent an answer this page can't use",
                       f"{error} Nothing from it was kept. Try again; if it keeps happening, "
                       "check the server URL or ask the server's administrator.", "retry")
    if isinstance(error, ServerUnavailable):
        return Message("Couldn't reach Speckle",
                       f"{error} Check your connection and the server URL, then try again.",
                       "retry")
    if isinstance(error, SessionExpired):
        return Message("Session expired or access revoked",
                       "Your Speckle session expired or access was revoked. Please log in again.",
                       "login")
    if isinstance(error, MissingScope):
        return Message(f"Missing permission: {error.scope}",
                       f"This app was not granted the “{error.scope}” permission. Log in again "
                       "to re-authorize it, or ask the app's owner to add that scope.", "login")
    if isinstance(error, StorageUnavailable):
        if error.full:
            return Message("The browser's storage is full",
                           "The browser's storage for this site is full, and signing in needs "
                           "a little of it. Nothing was saved. Free some space (clear this "
                           "site's data), then try again.", "retry")
        return Message("Site storage is blocked",
                       "This browser is blocking site storage, which signing in needs. Allow "
                       "this site to store data (cookies and site data in the browser's "
                       "settings), then try again.", "retry")
    if isinstance(error, InsecureContext):
        return Message("This page can't sign you in securely", str(error), "fix")
    if isinstance(error, InvalidConfiguration):
        return Message("Check the settings", str(error), "fix")
    if isinstance(error, NotSignedIn):
        return Message("You are signed out", "Log in to continue.", "login")
    if isinstance(error, GraphQLError):
        return Message("The Speckle API returned an error", str(error), "retry")
    return Message("Something went wrong", f"Unexpected error: {type(error).__name__}.", "retry")
