"""Typed errors raised by pyapp: codes and facts, no prose.

Every failure pyapp reports is one subclass of :class:`SpeckleError` with a stable
``code``, so programs can tell failures apart without parsing strings. An error holds the
facts of what happened as fields (a server URL, an HTTP status, the setting at fault, a
``reason`` code). Each class says what happened for developers, in English
(:meth:`SpeckleError.describe`, which is ``str(error)``); :mod:`pyapp.messages` words it for
people (:func:`~pyapp.messages.message_for`), in the page's language. No field ever
holds a token, code, verifier or secret. ``clears_session`` tells the caller whether the
stored token must be dropped.

The classes are dataclasses, so ``dataclasses.replace`` makes an error again with other
context (see :meth:`SpeckleError.for_login`) and ``repr`` lists the facts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from typing import Self

    from .config import Settings

#: Why a setting is unusable (:class:`InvalidConfiguration`); each has its words in
#: :data:`CONFIGURATION_REASONS` (a unit test checks that none is missing).
ConfigurationReason = Literal[
    "missing", "bad_characters", "not_text", "not_a_flag", "not_one_of", "not_an_object",
    "secret_needed", "not_https", "not_a_full_url", "has_query_or_fragment", "not_a_url",
    "has_user_info", "no_host", "insecure_http", "file_missing", "file_not_json",
    "file_not_an_object", "not_this_clients", "config_incomplete", "widget_not_loaded",
    "no_such_element",
]
#: Why a server gave no usable answer (:class:`ServerUnavailable`); the last three are
#: :class:`UnusableResponse`'s (an answer refused unread).
UnavailableReason = Literal[
    "request_failed", "request_timed_out", "unexpected", "server_error", "unavailable",
    "not_json", "too_large", "too_deep", "token_shape",
]
#: Which documented endpoint is missing, and what would do instead
#: (:class:`EndpointNotSupported`).
EndpointReason = Literal["no_app_secret", "documented_chosen", "secret_missing"]
#: Why a stored session was removed (:class:`SessionDropped`).
DroppedReason = Literal["newer_schema", "wrong_fields", "unusable_values", "not_a_record"]
#: Why a call found nobody to act for (:class:`NotSignedIn`).
NotSignedInReason = Literal["nobody_signed_in", "not_configured"]
#: Why a project or model cannot be read (:class:`NotAccessible`).
NotAccessibleReason = Literal["project_not_found", "model_not_found", "no_access"]
#: What is wrong with a download of objects (:class:`ObjectsMalformed`).
MalformedReason = Literal["not_a_line", "not_json", "not_an_object", "wrong_id", "wrong_root",
                          "missing_reference"]
#: Which bound a download of objects went past (:class:`ObjectsTooLarge`).
ObjectLimit = Literal["objects", "bytes"]


@dataclass(eq=False, init=False)
class SpeckleError(Exception):
    """Base class of every error pyapp raises on purpose: signing in, settings, storage,
    the API. Catch this one to catch them all.

    ``code`` names the failure for programs: a stable, lower-case identifier that never
    changes with the wording (compare it, never ``str(error)``). ``str(error)`` says what
    happened for a developer (each class's :meth:`describe`); :func:`pyapp.messages.message_for`
    words it for a person.
    """

    #: Stable machine-readable name of the failure, one per class.
    code: ClassVar[str] = "speckle_error"
    #: True when the stored token is no longer usable and must be forgotten.
    clears_session: ClassVar[bool] = False

    #: On a callback page: the page the failed login started from, when known (a way
    #: back), given when the error is made.
    return_to: str | None = field(default=None, kw_only=True)
    #: On a callback page: the settings the failed login used, when known (to log in
    #: again from a page that has none of its own). Not in ``repr``: it holds the app secret.
    login_settings: Settings | None = field(default=None, kw_only=True, repr=False)

    def __init__(
        self, *args: object, return_to: str | None = None,
        login_settings: Settings | None = None,
    ) -> None:
        # Hand-written for this class (and subclasses without facts of their own), so a
        # site's own subclass can still be raised with a text of its own: SpeckleError("…").
        super().__init__(*args)
        self.return_to = return_to
        self.login_settings = login_settings

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """What happened, for a developer, in English (this is ``str(error)``), built from
        the error's facts. A class without facts of its own (a site's own subclass) says
        what it was raised with."""
        return Exception.__str__(self)

    def for_login(self, return_to: str | None, login_settings: Settings | None) -> Self:
        """This error made again, with the same facts, for a failed login that started at
        ``return_to`` with ``login_settings`` (raise the result, ``from`` this one)."""
        if type(self).__init__ is SpeckleError.__init__:  # no facts: only its own text
            return type(self)(*self.args, return_to=return_to, login_settings=login_settings)
        return dataclasses.replace(self, return_to=return_to, login_settings=login_settings)


@dataclass(eq=False)
class InvalidConfiguration(SpeckleError):
    """A setting (server URL, app ID, dialect, storage) is unusable; nothing was stored.

    ``reason`` says what is wrong (``"missing"``, ``"not_text"``, ``"insecure_http"``, …:
    :data:`CONFIGURATION_REASONS` lists them), ``setting`` names the setting
    by its config key (``"serverUrl"``, ``"appId"``, …) when one is at fault, ``value`` is the
    text in question (a URL, a file path, a selector; never a secret), ``got`` the kind of
    value given where the type was wrong, ``allowed`` the values that would do.
    """

    code = "invalid_configuration"

    #: What is wrong: a key of :data:`CONFIGURATION_REASONS`.
    reason: ConfigurationReason
    #: The config key at fault (``"serverUrl"``, ``"appId"``, …), when one is.
    setting: str | None = None
    #: The text in question (a URL, a file path, a selector); never a secret.
    value: str | None = None
    #: The kind of value given where the type was wrong (``"a number"``).
    got: str | None = None
    #: The values that would do, where there is a list.
    allowed: tuple[str, ...] = ()

    def describe(self) -> str:
        return CONFIGURATION_REASONS[self.reason](self)


class InsecureContext(SpeckleError):
    """The page lacks ``crypto.subtle`` (not a secure context); PKCE cannot be done safely."""

    code = "insecure_context"

    def describe(self) -> str:
        return ("This page is not a secure context, so the browser hides the Web Crypto API "
                "that signing in needs. Open it over https:// (or from localhost).")


class LoginDenied(SpeckleError):
    """The user pressed *Deny* on Speckle's consent page."""

    code = "login_denied"

    def describe(self) -> str:
        return "The user declined access on Speckle's consent page."


class LoginCancelled(SpeckleError):
    """A popup login ended without an answer: the popup was closed, or the user cancelled."""

    code = "login_cancelled"

    def describe(self) -> str:
        return ("The login ended without an answer: its window was closed, or it was "
                "cancelled.")


class PopupBlocked(SpeckleError):
    """The browser refused to open the login popup (and the caller did not want a redirect)."""

    code = "popup_blocked"

    def describe(self) -> str:
        return "The browser blocked the sign-in window."


class MissingAccessCode(SpeckleError):
    """The callback URL carries neither ``access_code`` nor ``denied``."""

    code = "missing_access_code"

    def describe(self) -> str:
        return "This page was opened without an access code from Speckle."


class MissingTransaction(SpeckleError):
    """No login was started in this tab (new tab, expired session, or already used)."""

    code = "missing_transaction"

    def describe(self) -> str:
        return ("This sign-in can't be finished here: it was started in another tab or the "
                "session expired.")


@dataclass(eq=False)
class ExchangeRejected(SpeckleError):
    """The server answered the token exchange with a JSON rejection (HTTP 4xx);
    ``server_message`` is what it said (None when it said nothing)."""

    code = "exchange_rejected"

    #: What the server said (Speckle's ``err``), or None.
    server_message: str | None
    #: The HTTP status of the refusal.
    status: int
    #: The path of the endpoint that refused (``/oauth/token``, ``/auth/token``), when known.
    endpoint: str | None = None

    def describe(self) -> str:
        return self.server_message or f"The server refused the sign-in{_http(self.status)}."


@dataclass(eq=False)
class EndpointNotSupported(SpeckleError):
    """The server has no usable token endpoint for these settings.

    ``reason``: ``"no_app_secret"`` (no documented ``/oauth/token``, and no app secret for
    ``/auth/token``), ``"documented_chosen"`` (no ``/oauth/token``, which the settings
    insist on although the secret is there) or ``"secret_missing"`` (the deployed endpoint
    was chosen by a login record that has no secret).
    """

    code = "endpoint_not_supported"

    #: The server without a usable token endpoint.
    server_url: str
    #: ``"no_app_secret"``, ``"documented_chosen"`` or ``"secret_missing"``.
    reason: EndpointReason = "no_app_secret"

    def describe(self) -> str:
        return _ENDPOINT_NOT_SUPPORTED[self.reason].format(url=self.server_url)


@dataclass(eq=False)
class ServerUnavailable(SpeckleError):
    """Network failure, timeout, 5xx or a body that is not the JSON we expect; worth a retry.

    ``reason``: ``"request_failed"`` or ``"request_timed_out"`` (no answer), ``"unexpected"``
    (an answer that is not what the endpoint gives), ``"server_error"`` (the server says it
    failed), ``"unavailable"`` (nothing more is known). ``status`` is the HTTP status when
    there was an answer, ``endpoint`` the path asked (``/graphql``, ``/oauth/token``, …) when
    known, ``server_message`` what the server said, if anything.
    """

    code = "server_unavailable"

    #: ``"request_failed"``, ``"request_timed_out"``, ``"unexpected"``, ``"server_error"``
    #: or ``"unavailable"``.
    reason: UnavailableReason = "unavailable"
    #: The HTTP status, when there was an answer.
    status: int | None = None
    #: The path asked (``/graphql``, ``/oauth/token``, …), when known.
    endpoint: str | None = field(default=None, kw_only=True)
    #: What the server said, if anything.
    server_message: str | None = field(default=None, kw_only=True)

    def describe(self) -> str:
        graphql = self.endpoint == "/graphql"
        what = "The Speckle server's GraphQL API" if graphql else "The Speckle server"
        reason, status = self.reason, _http(self.status)
        if reason in ("request_failed", "request_timed_out"):
            where = f" ({self.endpoint})" if self.endpoint else ""
            kind = "timed out" if reason == "request_timed_out" else "failed"
            return f"The request to the Speckle server{where} {kind}."
        if self.server_message:
            return self.server_message
        if reason == "not_json":
            if graphql:
                return f"{what} did not answer with JSON{status}."
            return f"{what} did not answer the sign-in as expected{status}."
        if reason == "server_error":
            if graphql:
                return f"{what} failed{status}."
            return f"{what} failed to complete the sign-in{status}."
        if reason == "unexpected":
            return f"{what} did not answer as expected{status}."
        return f"{what} is unavailable{status}."


@dataclass(eq=False)
class UnusableResponse(ServerUnavailable):
    """The server answered, but with something this page will not use: a body larger than
    that kind of answer may be (``reason="too_large"``, ``limit_bytes``), JSON nested too
    deeply (``"too_deep"``), or a token of an impossible shape (``"token_shape"``).

    Nothing from such an answer is stored; a session whose answers are unusable can still
    be logged out of.
    """

    code = "unusable_response"

    #: With ``reason="too_large"``: the most this kind of answer may be, in bytes.
    limit_bytes: int | None = field(default=None, kw_only=True)

    def describe(self) -> str:
        if self.reason == "too_large":
            limit = f" ({self.limit_bytes // 1024} KiB)" if self.limit_bytes else ""
            return ("The Speckle server's answer is larger than this kind of answer may "
                    f"be{limit}.")
        if self.reason == "too_deep":
            return ("The Speckle server's answer is nested too deeply to "
                    f"read{_http(self.status)}.")
        if self.reason == "token_shape":
            return ("The Speckle server answered the sign-in with a token of an impossible "
                    "shape.")
        return super().describe()


@dataclass(eq=False)
class TokenEndpointUnreachable(ServerUnavailable):
    """``/oauth/token`` at ``server_url`` failed at the network level while the server's
    API answers.

    Typically a deployed server's web frontend answering ``/oauth/*`` without CORS headers,
    which the browser reports exactly like a dropped connection.
    """

    code = "token_endpoint_unreachable"

    #: ``"request_failed"`` or ``"request_timed_out"``.
    reason: UnavailableReason = "request_failed"
    #: The endpoint that could not be reached.
    endpoint: str | None = field(default="/oauth/token", kw_only=True)
    #: The server whose API answered.
    server_url: str = field(default="", kw_only=True)

    def describe(self) -> str:
        return (f"{self.server_url} answers, but its sign-in endpoint /oauth/token could not "
                "be reached from this page. If this is a deployed Speckle server, add the App "
                "secret to the settings (those servers exchange codes at /auth/token, which "
                "needs it); otherwise try again.")


@dataclass(eq=False)
class StorageUnavailable(SpeckleError):
    """The browser refuses this site's Web Storage (blocked by a setting or policy), or it is
    full (``full``). Signing in needs it; whatever the failed step meant to store was not
    stored."""

    code = "storage_unavailable"

    #: True when the storage is full (QuotaExceededError) rather than blocked.
    full: bool = False

    def describe(self) -> str:
        return ("The browser's storage for this site is full." if self.full
                else "This browser is blocking site storage for this page.")


@dataclass(eq=False)
class SessionExpired(SpeckleError):
    """The server no longer accepts the token (expired or revoked); ``status`` is the HTTP
    status it answered with, when known."""

    code = "session_expired"

    clears_session = True

    #: The HTTP status the server answered with (403 on Speckle), when known.
    status: int | None = None

    def describe(self) -> str:
        return (f"The Speckle server refused the session's token{_http(self.status)}: the "
                "session expired or access was revoked.")


@dataclass(eq=False)
class SessionDropped(SpeckleError):
    """A stored session could not be used and was removed: the person was signed out.

    Not raised: a client reports it (:attr:`pyapp.client.SpeckleClient.dropped_session`)
    so a page can tell the person. ``reason``: ``"newer_schema"`` (written by a newer
    release), ``"wrong_fields"`` (an older or foreign shape), ``"unusable_values"`` (say, a
    token that cannot travel in a header) or ``"not_a_record"``; ``version`` is the schema
    version the record claimed (0: none).
    """

    code = "session_dropped"

    clears_session = True

    #: ``"newer_schema"``, ``"wrong_fields"``, ``"unusable_values"`` or ``"not_a_record"``.
    reason: DroppedReason
    #: The schema version the record claimed (0: none).
    version: Any = 0

    def describe(self) -> str:
        why = _DROPPED_WHY[self.reason].format(version=self.version)
        return f"A stored session was removed because {why}; the person must log in again."


@dataclass(eq=False)
class MissingScope(SpeckleError):
    """The token lacks a scope a query needs; ``data`` holds what the server still returned."""

    code = "missing_scope"

    #: The scope the token lacks, such as ``"profile:email"``.
    scope: str
    #: What the server still answered (the withheld fields are None).
    data: dict[str, Any] | None = field(default=None, repr=False)

    def describe(self) -> str:
        return f"The app was not granted the '{self.scope}' permission."


@dataclass(eq=False)
class GraphQLError(SpeckleError):
    """The GraphQL request failed (syntax, validation, resolver error); ``server_message``
    is the first error's message, ``errors`` all of them."""

    code = "graphql_error"

    #: The first error's message.
    server_message: str | None = None
    #: Every error of the answer, as the server sent them.
    errors: list[dict[str, Any]] = field(default_factory=list, repr=False)
    #: The HTTP status of the answer.
    status: int | None = None

    def describe(self) -> str:
        return self.server_message or "The GraphQL request failed."


@dataclass(eq=False)
class NotAccessible(SpeckleError):
    """A project or model a call names cannot be read: ``reason`` is ``"project_not_found"``
    (no such project: Speckle's ``STREAM_NOT_FOUND``), ``"model_not_found"`` (the project
    has no such model: ``BRANCH_NOT_FOUND``) or ``"no_access"`` (the project is not public
    and the signed-in user is not one of its collaborators: ``FORBIDDEN``). The session is
    kept."""

    code = "not_accessible"

    #: ``"project_not_found"``, ``"model_not_found"`` or ``"no_access"``.
    reason: NotAccessibleReason
    #: The project the call named.
    project_id: str
    #: The model the call named, when it named one.
    model_id: str | None = None
    #: What the server said.
    server_message: str | None = None

    def describe(self) -> str:
        return _NOT_ACCESSIBLE[self.reason].format(project=self.project_id, model=self.model_id)


@dataclass(eq=False)
class ObjectNotFound(SpeckleError):
    """The project has no object ``object_id`` (Speckle answers 404 "Failed to find
    object."). The session is kept."""

    code = "object_not_found"

    #: The project the call named.
    project_id: str
    #: The object the call named.
    object_id: str = ""

    def describe(self) -> str:
        return f"Project “{self.project_id}” has no object “{self.object_id}”."


@dataclass(eq=False)
class ObjectsIncomplete(SpeckleError):
    """A download of objects ended before every object of the root's ``__closure`` came:
    the connection dropped or the server stopped. Nothing of it is returned as complete;
    worth a retry."""

    code = "objects_incomplete"

    #: The root object asked for.
    object_id: str = ""
    #: How many objects had arrived (the root included).
    loaded: int = 0
    #: How many the root announced (itself included), when it did.
    expected: int | None = None

    def describe(self) -> str:
        of = f" of {self.expected}" if self.expected is not None else ""
        return (f"The download of object “{self.object_id}” was cut short after "
                f"{self.loaded}{of} objects.")


@dataclass(eq=False)
class ObjectsMalformed(SpeckleError):
    """A download of objects holds something that is not Speckle's format: ``reason`` is
    ``"not_a_line"`` (not ``id<TAB>json``), ``"not_json"``, ``"not_an_object"`` (JSON, but
    not an object), ``"wrong_id"`` (a line's id is not its object's), ``"wrong_root"`` (the
    first object is not the one asked for) or ``"missing_reference"`` (an object refers to
    one the download does not hold). ``line`` is the 1-based line (object) it was found at,
    when known."""

    code = "objects_malformed"

    #: What is wrong: a value of :data:`MalformedReason`.
    reason: MalformedReason
    #: The root object asked for.
    object_id: str = ""
    #: The 1-based line (object) where it was found, when known.
    line: int | None = None

    def describe(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return (f"The download of object “{self.object_id}” is malformed{where}: "
                f"{_MALFORMED[self.reason]}.")


@dataclass(eq=False)
class ObjectsTooLarge(SpeckleError):
    """A download of objects holds more objects, or more bytes, than the caller's limits
    (:class:`pyapp.objects.ObjectLimits`) allow; it was stopped there."""

    code = "objects_too_large"

    #: ``"objects"`` or ``"bytes"``.
    limit: ObjectLimit = "objects"
    #: The most allowed.
    maximum: int = 0
    #: The root object asked for.
    object_id: str = ""

    def describe(self) -> str:
        return (f"The download of object “{self.object_id}” holds more than {self.maximum} "
                f"{self.limit}, the limit set for it.")


@dataclass(eq=False)
class NotSignedIn(SpeckleError):
    """An operation needs a signed-in user and there is none; ``reason`` is
    ``"nobody_signed_in"``, or ``"not_configured"`` when the client has no settings."""

    code = "not_signed_in"

    #: ``"nobody_signed_in"`` or ``"not_configured"``.
    reason: NotSignedInReason = "nobody_signed_in"

    def describe(self) -> str:
        return ("No server and app are configured." if self.reason == "not_configured"
                else "Nobody is signed in.")


# -- the developer's sentences, by reason ------------------------------------------------


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


_NOT_ACCESSIBLE: dict[NotAccessibleReason, str] = {
    "project_not_found": "The Speckle server has no project “{project}”.",
    "model_not_found": "Project “{project}” has no model “{model}”.",
    "no_access": ("The signed-in user may not read project “{project}”: it is not public and "
                  "they are not one of its collaborators."),
}


_MALFORMED: dict[MalformedReason, str] = {
    "not_a_line": "a line is not an id, a tab and JSON",
    "not_json": "an object is not valid JSON",
    "not_an_object": "a line holds JSON that is not an object",
    "wrong_id": "a line's id is not the id of its object",
    "wrong_root": "the first object is not the one asked for",
    "missing_reference": "an object refers to one the download does not hold",
}


_DROPPED_WHY: dict[DroppedReason, str] = {
    "newer_schema": "it was written by a newer release (schema version {version!r})",
    "wrong_fields": "its fields are not those of schema version {version!r}",
    "unusable_values": "its values cannot be used",
    "not_a_record": "it is not a record",
}
