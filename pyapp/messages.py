"""One human message per error, and what the page should offer next.

A message has two audiences. ``title`` and ``detail`` are for the visitor, who may never
have heard of OAuth: plain words, no endpoint paths or HTTP statuses. ``technical`` is for
whoever set the site up: pages write it to the browser console and, when the settings are
editable on the page, show it there too. None of the three ever holds a token, code or
verifier (every text is composed here from an error's facts, or is Speckle's own message).

Errors carry codes and facts, not prose (see :mod:`pyapp.errors`): this module chooses the
words, for people (:func:`message_for`, whose texts come from the page's word table,
:mod:`pyapp.words`, so a site can replace or translate them) and for developers
(:func:`describe`, which is also ``str(error)``, in English).

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
    ConfigurationReason,
    DroppedReason,
    EndpointNotSupported,
    EndpointReason,
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
        return Message(title, describe(error), "fix")
    return _worded("setup", "back", w)


def _worded(name: str, action: Action, w: Words, calm: bool = False, **values: str) -> Message:
    """The message whose words are ``<name>-title`` and ``<name>-detail``."""
    return Message(w(f"{name}-title"), w(f"{name}-detail", **values), action, calm=calm)


def _plain(name: str, action: Action, calm: bool = False) -> Callable[[Any, bool, Words], Message]:
    """A wording that needs nothing of the error: a title, a detail and an action."""
    return lambda error, editable, w: _worded(name, action, w, calm)


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
    LoginDenied: _plain("declined", "back", calm=True),
    LoginCancelled: _plain("cancelled", "login", calm=True),
    PopupBlocked: _plain("blocked", "login"),
    MissingAccessCode: _plain("no-code", "back"),
    MissingTransaction: _plain("no-record", "login"),
    ExchangeRejected: _exchange_rejected,
    EndpointNotSupported: _setup_problem,
    TokenEndpointUnreachable: _setup_problem,
    UnusableResponse: _plain("unusable", "retry"),
    ServerUnavailable: _server_unavailable,
    SessionExpired: _plain("expired", "login"),
    SessionDropped: _plain("dropped", "login"),
    MissingScope: _missing_scope,
    StorageUnavailable: _storage_unavailable,
    InsecureContext: _insecure_context,
    InvalidConfiguration: _setup_problem,
    NotSignedIn: _plain("signed-out", "login"),
    GraphQLError: _plain("graphql", "retry"),
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
        return f"{type(error).__name__} (HTTP {error.status}): {describe(error)}"
    if isinstance(error, SpeckleError):
        return f"{type(error).__name__}: {describe(error)}"
    # Not one of ours: its text may hold anything, so only its type is reported.
    return f"Unexpected error: {type(error).__name__}."


# -- for developers: what happened, from an error's facts ------------------------------------


def describe(error: SpeckleError) -> str:
    """What happened, for a developer (this is ``str(error)``): built from the error's facts
    by the wording of its class, or of its nearest base class that has one. A class with
    none (a site's own subclass of :class:`SpeckleError`) says what it was raised with."""
    for cls in type(error).__mro__:
        wording = _DESCRIPTIONS.get(cls)
        if wording is not None:
            return wording(error)
    return Exception.__str__(error)


def _http(status: int | None) -> str:
    return f" (HTTP {status})" if status is not None else ""


#: The words for each ``InvalidConfiguration.reason`` pyapp raises, given the error. They
#: speak to whoever typed or wrote the settings (shown on the page when they are editable).
CONFIGURATION_REASONS: dict[ConfigurationReason, Callable[[InvalidConfiguration], str]] = {
    "missing": lambda e: (
        "Enter the URL of your Speckle server, e.g. https://app.speckle.systems."
        if e.setting == "serverUrl" else
        "Enter the App ID of the application registered on your Speckle server."),
    "bad_characters": lambda e: (
        "The server URL must not contain spaces, control characters or backslashes."
        if e.setting == "serverUrl" else
        "The App ID may only contain letters, digits, '.', '_', '~' and '-'."),
    "not_text": lambda e: f"{e.setting} must be text{_got(e)}.",
    "not_a_flag": lambda e: f"{e.setting} must be true or false{_got(e)}.",
    "not_one_of": lambda e: f"{e.setting} must be one of {', '.join(e.allowed)}.",
    "not_an_object": lambda e: f"The settings must be an object{_got(e)}.",
    "secret_needed": lambda e: (
        "The deployed dialect (/auth/token) needs the app secret: add it, or choose another "
        "token endpoint."),
    "not_https": lambda e: f"A Speckle server URL must start with https:// (got “{e.value}”).",
    "not_a_full_url": lambda e: (
        f"“{e.value}” is not a full URL. Include the scheme, e.g. "
        f"https://{e.value.lstrip('/')}." if e.value else
        "The server URL is not a full URL. Include the scheme, e.g. https://."),
    "has_query_or_fragment": lambda e: "The server URL must not contain ? or # parts.",
    "not_a_url": lambda e: f"{_quoted(e.value)} is not a valid URL.",
    "has_user_info": lambda e: "The server URL must not contain a user name or password.",
    "no_host": lambda e: f"{_quoted(e.value)} has no host name.",
    "insecure_http": lambda e: (
        "Plain http:// is only allowed for servers on this machine (localhost). Use https:// "
        "so the sign-in cannot be intercepted."),
    "file_missing": lambda e: (
        f"The config file “{e.value}” was not found. In the browser, list it under [files] "
        "in the page's PyScript config."),
    "file_not_json": lambda e: f"The config file “{e.value}” is not valid JSON.",
    "file_not_an_object": lambda e: f"The config file “{e.value}” must hold a JSON object.",
    "not_this_clients": lambda e: (
        "The login settings name another server or app"
        + (f" ({e.value})" if e.value else "") + " than the client was made for: log in "
        "with a client made for them, or with one made without settings."),
    "config_incomplete": lambda e: (
        f"{e.value} must name the Speckle server (serverUrl) and the app (appId)."),
    "widget_not_loaded": lambda e: (
        'The login widget is not loaded: list "pyapp-widget.zip" = "./*" under [files] in '
        "the page's PyScript config, next to pyapp.zip."),
    "no_such_element": lambda e: f"No element on this page matches “{e.value}”.",
}


def _quoted(value: str | None) -> str:
    return f"“{value}”" if value else "The server URL"


def _got(error: InvalidConfiguration) -> str:
    return f" (got {error.got})" if error.got else ""


def _about_invalid_configuration(error: InvalidConfiguration) -> str:
    return CONFIGURATION_REASONS[error.reason](error)


_ENDPOINT_NOT_SUPPORTED: dict[EndpointReason, str] = {
    "no_app_secret": (
        "{url} does not offer the documented token endpoint (/oauth/token). Deployed Speckle "
        "servers exchange codes at /auth/token, which needs the app's secret: add the App "
        "secret to the settings (in a browser it identifies the app, it protects nothing)."),
    "documented_chosen": (
        "{url} does not offer the documented token endpoint (/oauth/token), which the "
        "settings ask for. The app secret is already set: choose the Automatic or Deployed "
        "token endpoint to sign in at /auth/token instead."),
    "secret_missing": (
        "{url}: the deployed token endpoint (/auth/token) needs the app secret, and this "
        "login has none."),
}


def _about_endpoint_not_supported(error: EndpointNotSupported) -> str:
    return _ENDPOINT_NOT_SUPPORTED[error.reason].format(url=error.server_url)


def _about_server_unavailable(error: ServerUnavailable) -> str:
    graphql = error.endpoint == "/graphql"
    what = "The Speckle server's GraphQL API" if graphql else "The Speckle server"
    reason = error.reason
    if reason in ("request_failed", "request_timed_out"):
        where = f" ({error.endpoint})" if error.endpoint else ""
        kind = "timed out" if reason == "request_timed_out" else "failed"
        return f"The request to the Speckle server{where} {kind}."
    if error.server_message:
        return error.server_message
    if reason == "not_json":
        if graphql:
            return f"{what} did not answer with JSON{_http(error.status)}."
        return f"{what} did not answer the sign-in as expected{_http(error.status)}."
    if reason == "server_error":
        if graphql:
            return f"{what} failed{_http(error.status)}."
        return f"{what} failed to complete the sign-in{_http(error.status)}."
    if reason == "unexpected":
        return f"{what} did not answer as expected{_http(error.status)}."
    return f"{what} is unavailable{_http(error.status)}."


def _about_unusable_response(error: UnusableResponse) -> str:
    if error.reason == "too_large":
        limit = f" ({error.limit_bytes // 1024} KiB)" if error.limit_bytes else ""
        return f"The Speckle server's answer is larger than this kind of answer may be{limit}."
    if error.reason == "too_deep":
        return f"The Speckle server's answer is nested too deeply to read{_http(error.status)}."
    if error.reason == "token_shape":
        return "The Speckle server answered the sign-in with a token of an impossible shape."
    return _about_server_unavailable(error)


def _about_token_endpoint_unreachable(error: TokenEndpointUnreachable) -> str:
    return (f"{error.server_url} answers, but its sign-in endpoint /oauth/token could not be "
            "reached from this page. If this is a deployed Speckle server, add the App secret "
            "to the settings (those servers exchange codes at /auth/token, which needs it); "
            "otherwise try again.")


def _about_exchange_rejected(error: ExchangeRejected) -> str:
    return error.server_message or f"The server refused the sign-in{_http(error.status)}."


_DROPPED_WHY: dict[DroppedReason, str] = {
    "newer_schema": "it was written by a newer release (schema version {version!r})",
    "wrong_fields": "its fields are not those of schema version {version!r}",
    "unusable_values": "its values cannot be used",
    "not_a_record": "it is not a record",
}


def _about_session_dropped(error: SessionDropped) -> str:
    why = _DROPPED_WHY[error.reason].format(version=error.version)
    return f"A stored session was removed because {why}; the person must log in again."


_DESCRIPTIONS: dict[type[BaseException], Callable[[Any], str]] = {
    InvalidConfiguration: _about_invalid_configuration,
    InsecureContext: lambda e: (
        "This page is not a secure context, so the browser hides the Web Crypto API that "
        "signing in needs. Open it over https:// (or from localhost)."),
    LoginDenied: lambda e: "The user declined access on Speckle's consent page.",
    LoginCancelled: lambda e: (
        "The login ended without an answer: its window was closed, or it was cancelled."),
    PopupBlocked: lambda e: "The browser blocked the sign-in window.",
    MissingAccessCode: lambda e: "This page was opened without an access code from Speckle.",
    MissingTransaction: lambda e: (
        "This sign-in can't be finished here: it was started in another tab or the session "
        "expired."),
    ExchangeRejected: _about_exchange_rejected,
    EndpointNotSupported: _about_endpoint_not_supported,
    TokenEndpointUnreachable: _about_token_endpoint_unreachable,
    UnusableResponse: _about_unusable_response,
    ServerUnavailable: _about_server_unavailable,
    StorageUnavailable: lambda e: (
        "The browser's storage for this site is full." if e.full
        else "This browser is blocking site storage for this page."),
    SessionExpired: lambda e: (
        f"The Speckle server refused the session's token{_http(e.status)}: the session "
        "expired or access was revoked."),
    SessionDropped: _about_session_dropped,
    MissingScope: lambda e: f"The app was not granted the '{e.scope}' permission.",
    GraphQLError: lambda e: e.server_message or "The GraphQL request failed.",
    NotSignedIn: lambda e: (
        "No server and app are configured." if e.reason == "not_configured"
        else "Nobody is signed in."),
}
def _sentence(text: str) -> str:
    """``text`` ending like a sentence, so the words after it read as a new one."""
    return text if text.endswith((".", "!", "?", "…")) else text + "."
