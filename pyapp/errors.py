"""Typed errors raised by pyapp: codes and facts, no prose.

Every failure pyapp reports is one subclass of :class:`SpeckleError` with a stable
``code``, so programs can tell failures apart without parsing strings. An error holds the
facts of what happened as fields (a server URL, an HTTP status, the setting at fault, a
``reason`` code), never sentences: :mod:`pyapp.messages` words each class for people
(:func:`~pyapp.messages.message_for`) and for developers (``str(error)``). No field ever
holds a token, code, verifier or secret. ``clears_session`` tells the caller whether the
stored token must be dropped.

The classes are dataclasses, so ``dataclasses.replace`` makes an error again with other
context (see :meth:`SpeckleError.for_login`) and ``repr`` lists the facts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from typing import Self

    from .config import Settings

#: Why a setting is unusable (:class:`InvalidConfiguration`); each has its words in
#: :data:`pyapp.messages.CONFIGURATION_REASONS` (a unit test checks that none is missing).
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


@dataclass(eq=False, init=False)
class SpeckleError(Exception):
    """Base class of every error pyapp raises on purpose: signing in, settings, storage,
    the API. Catch this one to catch them all.

    ``code`` names the failure for programs: a stable, lower-case identifier that never
    changes with the wording (compare it, never ``str(error)``). ``str(error)`` says what
    happened for a developer; :func:`pyapp.messages.message_for` words it for a person.
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
        from .messages import describe  # messages imports this module: imported when used

        return describe(self)

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
    :data:`pyapp.messages.CONFIGURATION_REASONS` lists them), ``setting`` names the setting
    by its config key (``"serverUrl"``, ``"appId"``, …) when one is at fault, ``value`` is the
    text in question (a URL, a file path, a selector; never a secret), ``got`` the kind of
    value given where the type was wrong, ``allowed`` the values that would do.
    """

    code = "invalid_configuration"

    #: What is wrong: a key of :data:`pyapp.messages.CONFIGURATION_REASONS`.
    reason: ConfigurationReason
    #: The config key at fault (``"serverUrl"``, ``"appId"``, …), when one is.
    setting: str | None = None
    #: The text in question (a URL, a file path, a selector); never a secret.
    value: str | None = None
    #: The kind of value given where the type was wrong (``"a number"``).
    got: str | None = None
    #: The values that would do, where there is a list.
    allowed: tuple[str, ...] = ()


class InsecureContext(SpeckleError):
    """The page lacks ``crypto.subtle`` (not a secure context); PKCE cannot be done safely."""

    code = "insecure_context"


class LoginDenied(SpeckleError):
    """The user pressed *Deny* on Speckle's consent page."""

    code = "login_denied"


class LoginCancelled(SpeckleError):
    """A popup login ended without an answer: the popup was closed, or the user cancelled."""

    code = "login_cancelled"


class PopupBlocked(SpeckleError):
    """The browser refused to open the login popup (and the caller did not want a redirect)."""

    code = "popup_blocked"


class MissingAccessCode(SpeckleError):
    """The callback URL carries neither ``access_code`` nor ``denied``."""

    code = "missing_access_code"


class MissingTransaction(SpeckleError):
    """No login was started in this tab (new tab, expired session, or already used)."""

    code = "missing_transaction"


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


@dataclass(eq=False)
class StorageUnavailable(SpeckleError):
    """The browser refuses this site's Web Storage (blocked by a setting or policy), or it is
    full (``full``). Signing in needs it; whatever the failed step meant to store was not
    stored."""

    code = "storage_unavailable"

    #: True when the storage is full (QuotaExceededError) rather than blocked.
    full: bool = False


@dataclass(eq=False)
class SessionExpired(SpeckleError):
    """The server no longer accepts the token (expired or revoked); ``status`` is the HTTP
    status it answered with, when known."""

    code = "session_expired"

    clears_session = True

    #: The HTTP status the server answered with (403 on Speckle), when known.
    status: int | None = None


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


@dataclass(eq=False)
class MissingScope(SpeckleError):
    """The token lacks a scope a query needs; ``data`` holds what the server still returned."""

    code = "missing_scope"

    #: The scope the token lacks, such as ``"profile:email"``.
    scope: str
    #: What the server still answered (the withheld fields are None).
    data: dict[str, Any] | None = field(default=None, repr=False)


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


@dataclass(eq=False)
class NotSignedIn(SpeckleError):
    """An operation needs a signed-in user and there is none; ``reason`` is
    ``"nobody_signed_in"``, or ``"not_configured"`` when the client has no settings."""

    code = "not_signed_in"

    #: ``"nobody_signed_in"`` or ``"not_configured"``.
    reason: NotSignedInReason = "nobody_signed_in"
