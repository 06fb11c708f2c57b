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

from collections.abc import Callable
from dataclasses import dataclass, replace
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
    SpeckleError,
    StorageUnavailable,
    TokenEndpointUnreachable,
    UnusableResponse,
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


def _setup_problem(error: SpeckleError, editable: bool) -> Message:
    # The person who chose the settings is asked to fix them; a visitor of a pinned site is
    # told the site is not set up (the owner finds the detail in the console).
    if editable:
        title = ("Check the settings" if isinstance(error, InvalidConfiguration)
                 else "The settings don't match this server")
        return Message(title, str(error), "fix")
    return Message("Sign-in isn't available", SITE_NOT_SET_UP, "back")


def _login_denied(error: LoginDenied, editable: bool) -> Message:
    return Message("You declined access",
                   "You're not signed in, and nothing from your Speckle account was shared. "
                   "You can log in again whenever you like.", "back")


def _login_cancelled(error: LoginCancelled, editable: bool) -> Message:
    return Message("Sign-in cancelled",
                   "The sign-in ended before Speckle answered (its window was closed or "
                   "the sign-in was cancelled), so you are not signed in. You can log in "
                   "again whenever you like.", "login")


def _popup_blocked(error: PopupBlocked, editable: bool) -> Message:
    return Message("The sign-in window was blocked",
                   "Your browser blocked the window Speckle's sign-in opens in. Allow "
                   "pop-ups for this site and log in again.", "login")


def _missing_access_code(error: MissingAccessCode, editable: bool) -> Message:
    return Message("Nothing to sign in with",
                   "This page is where Speckle sends you after you log in, but it was opened "
                   "without an access code. Start from the Log in button.", "back")


def _missing_transaction(error: MissingTransaction, editable: bool) -> Message:
    return Message("This sign-in can't be finished here",
                   "The login was started in another tab or window, or too long ago, so this "
                   "tab has no record of it. Please log in again.", "login")


def _exchange_rejected(error: ExchangeRejected, editable: bool) -> Message:
    if is_setup_problem(error):  # Speckle says the site's app ID or secret is wrong
        return _setup_problem(error, editable)
    return Message("Speckle didn't accept the sign-in",
                   f"Speckle said: “{_sentence(error.server_message)}” Please log in again.",
                   "login")


def _unusable_response(error: UnusableResponse, editable: bool) -> Message:
    return Message("Speckle sent an answer this page can't use",
                   "Nothing from it was kept. Try again; if it keeps happening, the site "
                   "owner can find details in the browser console.", "retry")


def _server_unavailable(error: ServerUnavailable, editable: bool) -> Message:
    return Message("Couldn't reach Speckle",
                   "Speckle didn't answer. Check your internet connection, then try again.",
                   "retry")


def _session_expired(error: SessionExpired, editable: bool) -> Message:
    return Message("Your session has ended",
                   "Your Speckle session expired or access was revoked. Please log in again.",
                   "login")


def _missing_scope(error: MissingScope, editable: bool) -> Message:
    what = SCOPE_WORDS.get(error.scope, "some of your account's details")
    return Message("Some details can't be shown",
                   f"This site wasn't allowed to see {what}. Log in again to re-authorize "
                   "it, or ask the site owner to ask for that permission.", "login")


def _storage_unavailable(error: StorageUnavailable, editable: bool) -> Message:
    if error.full:
        return Message("The browser's storage is full",
                       "The browser's storage for this site is full, and signing in needs "
                       "a little of it. Nothing was saved. Free some space (clear this "
                       "site's data), then try again.", "retry")
    return Message("Site storage is blocked",
                   "This browser is blocking site storage, which signing in needs. Allow "
                   "this site to store data (cookies and site data in the browser's "
                   "settings), then try again.", "retry")


def _insecure_context(error: InsecureContext, editable: bool) -> Message:
    detail = ("This page isn't served over a secure (https) connection, so it can't sign you "
              "in safely.")
    if not editable:
        detail += " The site owner can find details in the browser console."
    return Message("This page can't sign you in securely", detail,
                   "fix" if editable else "back")


def _not_signed_in(error: NotSignedIn, editable: bool) -> Message:
    return Message("You are signed out", "Log in to continue.", "login")


def _graphql_error(error: GraphQLError, editable: bool) -> Message:
    return Message("Speckle couldn't answer",
                   "Something went wrong while loading your data from Speckle. Try again.",
                   "retry")


# One wording per error class, given the error and whether the person on the page chose
# the settings. A class without its own entry is worded like its nearest ancestor that has
# one (a new ServerUnavailable subclass reads as ServerUnavailable), so the order of this
# table does not matter.
_WORDING: dict[type[BaseException], Callable[[Any, bool], Message]] = {
    LoginDenied: _login_denied,
    LoginCancelled: _login_cancelled,
    PopupBlocked: _popup_blocked,
    MissingAccessCode: _missing_access_code,
    MissingTransaction: _missing_transaction,
    ExchangeRejected: _exchange_rejected,
    EndpointNotSupported: _setup_problem,
    TokenEndpointUnreachable: _setup_problem,
    UnusableResponse: _unusable_response,
    ServerUnavailable: _server_unavailable,
    SessionExpired: _session_expired,
    MissingScope: _missing_scope,
    StorageUnavailable: _storage_unavailable,
    InsecureContext: _insecure_context,
    InvalidConfiguration: _setup_problem,
    NotSignedIn: _not_signed_in,
    GraphQLError: _graphql_error,
}


def message_for(error: BaseException, editable: bool = False) -> Message:
    """The message a person sees for ``error``: the wording of its class, or of the nearest
    base class that has one; ``editable``: they chose the settings. ``technical`` is added
    here, the same way for every class."""
    technical = _technical(error)
    for cls in type(error).__mro__:
        wording = _WORDING.get(cls)
        if wording is not None:
            return replace(wording(error, editable), technical=technical)
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
    if isinstance(error, SpeckleError):
        return f"{type(error).__name__}: {error}"
    # Not one of ours: its text may hold anything, so only its type is reported.
    return f"Unexpected error: {type(error).__name__}."


def _sentence(text: str) -> str:
    """``text`` ending like a sentence, so the words after it read as a new one."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."
