"""One human message per error, and what the page should offer next.

A message has two audiences. ``title`` and ``detail`` are for the visitor, who may never
have heard of OAuth: plain words, no endpoint paths or HTTP statuses. ``technical`` is for
whoever set the site up: pages write it to the browser console and, when the settings are
editable on the page, show it there too. None of the three ever holds a token, code or
verifier (every text is composed here from an error's facts, or is Speckle's own message).

Errors carry codes and facts, not prose (see :mod:`pyapp.errors`): this module chooses the
words, for people (:func:`message_for`, whose texts come from the page's word table,
:mod:`pyapp.words`, so a site can replace or translate them) and for developers
(each error class's own ``str(error)``, in English, lives with the class).

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
    NotAccessible,
    NotSignedIn,
    ObjectNotFound,
    ObjectsIncomplete,
    ObjectsMalformed,
    ObjectsTooLarge,
    PopupBlocked,
    ServerUnavailable,
    SessionDropped,
    SessionExpired,
    SpeckleError,
    StorageUnavailable,
    TokenEndpointUnreachable,
    UnusableResponse,
)
from .words import ENGLISH, Words, active

#: ``retry`` repeats what failed, ``login`` starts a fresh login, ``back`` returns to the app,
#: ``fix`` asks the user to correct the settings.
Action = Literal["retry", "login", "back", "fix"]

# Speckle's rejections that mean the site's app ID or secret is wrong, not the visitor's login.
_SETUP_REJECTIONS = ("app secret", "application id", "appsecret")


@dataclass(frozen=True)
class Message:
    """What a page shows for an error: ``title``, ``detail`` (plain words) and one
    ``action``; ``technical`` is for the console (and the page, when settings are editable).
    ``calm`` marks the visitor's own choice (declining, cancelling): shown as a note, not as
    an alarm."""

    title: str
    detail: str
    action: Action
    technical: str = ""
    calm: bool = False

    @property
    def extra_detail(self) -> str:
        """``technical`` when it says more than ``detail`` (else empty: nothing said twice)."""
        return "" if self.detail and self.detail in self.technical else self.technical


def is_setup_problem(error: BaseException) -> bool:
    """True when ``error`` means the site's settings are wrong (the owner must act)."""
    if isinstance(error, InvalidConfiguration | EndpointNotSupported | TokenEndpointUnreachable):
        return True
    if isinstance(error, ExchangeRejected):
        said = (error.server_message or "").lower()
        return any(part in said for part in _SETUP_REJECTIONS)
    return False


def _setup_problem(error: SpeckleError, editable: bool, w: Words) -> Message:
    # The person who chose the settings is asked to fix them (in the site owner's words,
    # English, as the console's); a visitor of a pinned site is told the site is not set
    # up (the owner finds the detail in the console).
    if editable:
        title = ("Check the settings" if isinstance(error, InvalidConfiguration)
                 else "The settings don't match this server")
        return Message(title, str(error), "fix")
    return _worded("setup", "back", w)


def _worded(name: str, action: Action, w: Words, calm: bool = False, **values: str) -> Message:
    """The message whose words are ``<name>-title`` and ``<name>-detail``."""
    return Message(w(f"{name}-title"), w(f"{name}-detail", **values), action, calm=calm)


@dataclass(frozen=True)
class _Plain:
    """A wording that needs nothing of the error: a title, a detail and an action. (A class,
    not a closure made when the table is built: its words are looked up when it is used.)"""

    name: str
    action: Action
    calm: bool = False

    def __call__(self, error: Any, editable: bool, w: Words) -> Message:
        return _worded(self.name, self.action, w, self.calm)


def _exchange_rejected(error: ExchangeRejected, editable: bool, w: Words) -> Message:
    if is_setup_problem(error):  # Speckle says the site's app ID or secret is wrong
        return _setup_problem(error, editable, w)
    if not error.server_message:
        return _worded("rejected", "login", w)
    return Message(w("rejected-title"), w("rejected-said", said=_sentence(error.server_message)),
                   "login")


def _server_unavailable(error: ServerUnavailable, editable: bool, w: Words) -> Message:
    # Speckle answered with a failure of its own (5xx): the visitor's connection is fine.
    if error.reason == "server_error" or (error.status or 0) >= 500:
        return _worded("server-failed", "retry", w)
    return _worded("unreachable", "retry", w)


def _missing_scope(error: MissingScope, editable: bool, w: Words) -> Message:
    what = w(f"scope-{error.scope}") if f"scope-{error.scope}" in ENGLISH else w("scope-other")
    return _worded("scope", "login", w, what=what)


def _not_accessible(error: NotAccessible, editable: bool, w: Words) -> Message:
    # Another account may have access: logging in again is the way on; a missing one is not.
    if error.reason == "no_access":
        return _worded("no-access", "login", w)
    what = "model" if error.reason == "model_not_found" else "project"
    return Message(w("not-found-title"), w(f"not-found-{what}"), "back")


def _object_not_found(error: ObjectNotFound, editable: bool, w: Words) -> Message:
    return Message(w("not-found-title"), w("not-found-object"), "back")


def _storage_unavailable(error: StorageUnavailable, editable: bool, w: Words) -> Message:
    return _worded("storage-full" if error.full else "storage-blocked", "retry", w)


def _insecure_context(error: InsecureContext, editable: bool, w: Words) -> Message:
    detail = w("insecure-detail")
    if not editable:
        detail += " " + w("insecure-owner")
    return Message(w("insecure-title"), detail, "fix" if editable else "back")


# One wording per error class, given the error and whether the person on the page chose
# the settings. A class without its own entry is worded like its nearest ancestor that has
# one (a new ServerUnavailable subclass reads as ServerUnavailable), so the order of this
# table does not matter.
_WORDING: dict[type[BaseException], Callable[[Any, bool, Words], Message]] = {
    LoginDenied: _Plain("declined", "back", calm=True),
    LoginCancelled: _Plain("cancelled", "login", calm=True),
    PopupBlocked: _Plain("blocked", "login"),
    MissingAccessCode: _Plain("no-code", "back"),
    MissingTransaction: _Plain("no-record", "login"),
    ExchangeRejected: _exchange_rejected,
    EndpointNotSupported: _setup_problem,
    TokenEndpointUnreachable: _setup_problem,
    UnusableResponse: _Plain("unusable", "retry"),
    ServerUnavailable: _server_unavailable,
    SessionExpired: _Plain("expired", "login"),
    SessionDropped: _Plain("dropped", "login"),
    MissingScope: _missing_scope,
    StorageUnavailable: _storage_unavailable,
    InsecureContext: _insecure_context,
    InvalidConfiguration: _setup_problem,
    NotSignedIn: _Plain("signed-out", "login"),
    NotAccessible: _not_accessible,
    GraphQLError: _Plain("graphql", "retry"),
    ObjectNotFound: _object_not_found,
    ObjectsIncomplete: _Plain("objects-incomplete", "retry"),
    ObjectsMalformed: _Plain("objects-malformed", "retry"),
    ObjectsTooLarge: _Plain("objects-too-large", "back"),
}


def message_for(error: BaseException, editable: bool = False,
                words: Words | None = None) -> Message:
    """The message a person sees for ``error``: the wording of its class, or of the nearest
    base class that has one; ``editable``: they chose the settings; ``words``: the page's
    (by default :func:`pyapp.words.active`). ``technical`` is added here, the same way for
    every class, in English: it is for the site owner."""
    w = words or active()
    technical = _technical(error)
    for cls in type(error).__mro__:
        wording = _WORDING.get(cls)
        if wording is not None:
            return replace(wording(error, editable, w), technical=technical)
    return replace(_worded("unexpected", "retry", w), technical=technical)


def _technical(error: BaseException) -> str:
    """The detail for the site owner: what failed, by type and pyapp's own words."""
    if isinstance(error, MissingScope):
        return f"MissingScope: the token lacks the “{error.scope}” scope."
    if isinstance(error, ExchangeRejected):
        where = f" {error.endpoint}" if error.endpoint else ""
        said = f": {error.server_message}" if error.server_message else "."
        return f"ExchangeRejected: the token endpoint{where} answered HTTP {error.status}{said}"
    if isinstance(error, ServerUnavailable) and error.status is not None:
        return f"{type(error).__name__} (HTTP {error.status}): {str(error)}"
    if isinstance(error, SpeckleError):
        return f"{type(error).__name__}: {str(error)}"
    # Not one of ours: its text may hold anything, so only its type is reported.
    return f"Unexpected error: {type(error).__name__}."


# -- for developers: what happened, from an error's facts ------------------------------------


def _sentence(text: str) -> str:
    """``text`` ending like a sentence, so the words after it read as a new one."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."
