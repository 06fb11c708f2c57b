"""Typed errors raised by pyapp.

Every failure pyapp reports is one subclass of :class:`SpeckleError` with a stable
``code``, so programs can tell failures apart without parsing strings, and
:func:`pyapp.messages.message_for` finds one human message by class. ``clears_session``
tells the caller whether the stored token must be dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .config import Settings


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

    def __init__(
        self, *args: object, return_to: str | None = None,
        login_settings: Settings | None = None,
    ) -> None:
        super().__init__(*args)
        #: On a callback page: the page the failed login started from, when known (a way
        #: back), given when the error is made.
        self.return_to = return_to
        #: On a callback page: the settings the failed login used, when known (to log in
        #: again from a page that has none of its own).
        self.login_settings = login_settings


#: The base class's earlier name: ``except SpeckleAuthError`` keeps catching every error.
SpeckleAuthError = SpeckleError


class InvalidConfiguration(SpeckleError):
    """A setting (server URL, app ID, dialect, storage) is unusable; nothing was stored."""

    code = "invalid_configuration"


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


class ExchangeRejected(SpeckleError):
    """The server answered the token exchange with a JSON rejection; ``server_message`` says why."""

    code = "exchange_rejected"

    def __init__(
        self, server_message: str, status: int,
        *, return_to: str | None = None,
    ) -> None:
        super().__init__(
            server_message, return_to=return_to
        )
        self.server_message = server_message
        self.status = status


class EndpointNotSupported(SpeckleError):
    """The server has no documented ``/oauth/token`` and no app secret is configured."""

    code = "endpoint_not_supported"


class ServerUnavailable(SpeckleError):
    """Network failure, timeout, 5xx or a body that is not the JSON we expect; worth a retry."""

    code = "server_unavailable"

    def __init__(
        self, message: str, status: int | None = None,
        *, return_to: str | None = None,
    ) -> None:
        super().__init__(
            message, return_to=return_to
        )
        self.status = status


class UnusableResponse(ServerUnavailable):
    """The server answered, but with something this page will not use: a body larger than
    that kind of answer may be, JSON nested too deeply, or a token of an impossible shape.

    Nothing from such an answer is stored; a session whose answers are unusable can still
    be logged out of.
    """

    code = "unusable_response"


class TokenEndpointUnreachable(ServerUnavailable):
    """``/oauth/token`` failed at the network level while the server's API answers.

    Typically a deployed server's web frontend answering ``/oauth/*`` without CORS headers,
    which the browser reports exactly like a dropped connection.
    """

    code = "token_endpoint_unreachable"


class StorageUnavailable(SpeckleError):
    """The browser refuses this site's Web Storage (blocked by a setting or policy), or it is
    full. Signing in needs it; whatever the failed step meant to store was not stored."""

    code = "storage_unavailable"

    def __init__(
        self, message: str, full: bool = False,
        *, return_to: str | None = None,
    ) -> None:
        super().__init__(
            message, return_to=return_to
        )
        #: True when the storage is full (QuotaExceededError) rather than blocked.
        self.full = full


class SessionExpired(SpeckleError):
    """The server no longer accepts the token (expired or revoked)."""

    code = "session_expired"

    clears_session = True


class MissingScope(SpeckleError):
    """The token lacks a scope a query needs; ``data`` holds what the server still returned."""

    code = "missing_scope"

    def __init__(
        self, scope: str, data: dict[str, Any] | None = None,
        *, return_to: str | None = None,
    ) -> None:
        super().__init__(
            f"The app was not granted the '{scope}' permission.", return_to=return_to
        )
        self.scope = scope
        self.data = data


class GraphQLError(SpeckleError):
    """The GraphQL request failed (syntax, validation, resolver error)."""

    code = "graphql_error"

    def __init__(
        self, message: str, errors: list[dict[str, Any]] | None = None,
        *, return_to: str | None = None,
    ) -> None:
        super().__init__(
            message, return_to=return_to
        )
        self.errors = errors or []


class NotSignedIn(SpeckleError):
    """An operation needs a signed-in user and there is none."""

    code = "not_signed_in"
