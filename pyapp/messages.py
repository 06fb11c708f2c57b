"""One human message per error, and what the page should offer next.

A message has two audiences. ``title`` and ``detail`` are for the visitor, who may never
have heard of OAuth: plain words, no endpoint paths or HTTP statuses. ``technical`` is for
whoever set the site up: pages write it to the browser console and, when the settings are
editable on the page, show it there too. None of the three ever holds a token, code or
verifier (error texts are composed by pyapp, or are Speckle's own message).

With ``editable=False`` (a site whose server and app are pinned by its owner) a
configuration problem is the owner's, not the visitor's: the visitor is told the site is not
set up correctly and where the owner can look. With ``editable=True`` the person on the page
chose the settings and is asked to fix them. Kept apart from the UI so every mapping is
unit-tested under CPython.
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
    SpeckleAuthError,
    TokenEndpointUnreachable,
)

#: ``retry`` repeats what failed, ``login`` starts a fresh login, ``back`` returns to the app,
#: ``fix`` asks the user to correct the settings.
Action = Literal["retry", "login", "back", "fix"]

SITE_NOT_SET_UP = ("This site's Speckle sign-in isn't set up correctly; the site owner can find "
                   "details in the browser console.")
# What a person is asked to share, by scope, in words.
SCOPE_WORDS = {
    "profile:read": "your name and picture",
    "profile:email": "your e-mail address",
    "streams:read": "your projects",
    "streams:write": "changes to your projects",
}
# Speckle's rejections that mean the site's app ID or secret is wrong, not the visitor's login.
_SETUP_REJECTIONS = ("app secret", "application id", "appsecret")


@dataclass(frozen=True)
class Message:
    """What a page shows for an error: ``title``, ``detail`` (plain words) and one
    ``action``; ``technical`` is for the console (and the page, when settings are editable)."""

    title: str
    detail: str
    action: Action
    technical: str = ""

    @property
    def extra_detail(self) -> str:
        """``technical`` when it says more than ``detail`` (else empty: nothing said twice)."""
        return "" if self.detail and self.detail in self.technical else self.technical


def is_setup_problem(error: BaseException) -> bool:
    """True when ``error`` means the site's settings are wrong (the owner must act)."""
    if isinstance(error, InvalidConfiguration | EndpointNotSupported | TokenEndpointUnreachable):
        return True
    if isinstance(error, ExchangeRejected):
        said = error.server_message.lower()
        return any(part in said for part in _SETUP_REJECTIONS)
    return False


def message_for(error: BaseException, editable: bool = False) -> Message:
    """The message a person sees for ``error``; ``editable``: they chose the settings."""
    technical = _technical(error)
    if is_setup_problem(error):
        if editable:
            title = ("Check the settings" if isinstance(error, InvalidConfiguration)
                     else "The settings don't match this server")
            return Message(title, str(error), "fix", technical)
        return Message("Sign-in isn't available", SITE_NOT_SET_UP, "back", technical)
    if isinstance(error, LoginDenied):
        return Message("You declined access",
                       "You're not signed in, and nothing from your Speckle account was shared. "
                       "You can log in again whenever you like.", "back", technical)
    if isinstance(error, LoginCancelled):
        return Message("Sign-in cancelled",
                       "The sign-in ended before Speckle answered (its window was closed or "
                       "the sign-in was cancelled), so you are not signed in. You can log in "
                       "again whenever you like.", "login", technical)
    if isinstance(error, PopupBlocked):
        return Message("The sign-in window was blocked",
                       "Your browser blocked the window Speckle's sign-in opens in. Allow "
                       "pop-ups for this site and log in again.", "login", technical)
    if isinstance(error, MissingAccessCode):
        return Message("Nothing to sign in with",
                       "This page is where Speckle sends you after you log in, but it was opened "
                       "without an access code. Start from the Log in button.", "back",
                       technical)
    if isinstance(error, MissingTransaction):
        return Message("This sign-in can't be finished here",
                       "The login was started in another tab or window, or too long ago, so this "
                       "tab has no record of it. Please log in again.", "login", technical)
    if isinstance(error, ExchangeRejected):
        return Message("Speckle didn't accept the sign-in",
                       f"Speckle said: “{_sentence(error.server_message)}” Please log in again.",
                       "login", technical)
    if isinstance(error, ServerUnavailable):
        return Message("Couldn't reach Speckle",
                       "Speckle didn't answer. Check your internet connection, then try again.",
                       "retry", technical)
    if isinstance(error, SessionExpired):
        return Message("Your session has ended",
                       "Your Speckle session expired or access was revoked. Please log in again.",
                       "login", technical)
    if isinstance(error, MissingScope):
        what = SCOPE_WORDS.get(error.scope, "some of your account's details")
        return Message("Some details can't be shown",
                       f"This site wasn't allowed to see {what}. Log in again to re-authorize "
                       "it, or ask the site owner to ask for that permission.", "login",
                       technical)
    if isinstance(error, InsecureContext):
        detail = ("This page isn't served over a secure (https) connection, so it can't sign you "
                  "in safely.")
        if not editable:
            detail += " The site owner can find details in the browser console."
        return Message("This page can't sign you in securely", detail,
                       "fix" if editable else "back", technical)
    if isinstance(error, NotSignedIn):
        return Message("You are signed out", "Log in to continue.", "login", technical)
    if isinstance(error, GraphQLError):
        return Message("Speckle couldn't answer",
                       "Something went wrong while loading your data from Speckle. Try again.",
                       "retry", technical)
    return Message("Something went wrong", "Please try again.", "retry", technical)


def _technical(error: BaseException) -> str:
    """The detail for the site owner: what failed, by type and pyapp's own words."""
    if isinstance(error, MissingScope):
        return f"MissingScope: the token lacks the “{error.scope}” scope."
    if isinstance(error, ExchangeRejected):
        return (f"ExchangeRejected: the token endpoint answered HTTP {error.status}: "
                f"{error.server_message}")
    if isinstance(error, ServerUnavailable) and error.status is not None:
        return f"{type(error).__name__} (HTTP {error.status}): {error}"
    if isinstance(error, SpeckleAuthError):
        return f"{type(error).__name__}: {error}"
    # Not one of ours: its text may hold anything, so only its type is reported.
    return f"Unexpected error: {type(error).__name__}."


def _sentence(text: str) -> str:
    """``text`` ending like a sentence, so the words after it read as a new one."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."
