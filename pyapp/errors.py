"""Typed errors raised by pyapp.

Every failure the login flow can meet is one subclass of :class:`SpeckleAuthError`,
so pages (and site authors) can map each to one human message with ``isinstance``
instead of parsing strings. ``clears_session`` tells the caller whether the stored
token must be dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Settings


class SpeckleAuthError(Exception):
    """Base class of every error pyapp raises on purpose."""

    #: True when the stored token is no longer usable and must be forgotten.
    clears_session = False
    #: On a callback page: the page the failed login started from, when known (a way back).
    return_to: str | None = None
    #: On a callback page: the settings the failed login used, when known (to log in again
    #: from a page that has none of its own).
    login_settings: Settings | None = None


class InvalidConfiguration(SpeckleAuthError):
    """A setting (server URL, app ID, dialect, storage) is unusable; nothing was stored."""


class InsecureContext(SpeckleAuthError):
    """The page lacks ``crypto.subtle`` (not a secure context); PKCE cannot be done safely."""


class LoginDenied(SpeckleAuthError):
    """The user pressed *Deny* on Speckle's consent page."""


class LoginCancelled(SpeckleAuthError):
    """A popup login ended without an answer: the popup was closed, or the user cancelled."""


class PopupBlocked(SpeckleAuthError):
    """The browser refused to open the login popup (and the caller did not want a redirect)."""


class MissingAccessCode(SpeckleAuthError):
    """The callback URL carries neither ``access_code`` nor ``denied``."""


class MissingTransaction(SpeckleAuthError):
    """No login was started in this tab (new tab, expired session, or already used)."""


class ExchangeRejected(SpeckleAuthError):
    """The server answered the token exchange with a JSON rejection; ``server_message`` says why."""

    def __init__(self, server_message: str, status: int) -> None:
        super().__init__(server_message)
        self.server_message = server_message
        self.status = status


class EndpointNotSupported(SpeckleAuthError):
    """The server has no documented ``/oauth/token`` and no app secret is configured."""


class ServerUnavailable(SpeckleAuthError):
    """Network failure, timeout, 5xx or a body that is not the JSON we expect; worth a retry."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TokenEndpointUnreachable(ServerUnavailable):
    """``/oauth/token`` failed at the network level while the server's API answers.

    Typically a deployed server's web frontend answering ``/oauth/*`` without CORS headers,
    which the browser reports exactly like a dropped connection.
    """


class SessionExpired(SpeckleAuthError):
    """The server no longer accepts the token (expired or revoked)."""

    clears_session = True


class MissingScope(SpeckleAuthError):
    """The token lacks a scope a query needs; ``data`` holds what the server still returned."""

    def __init__(self, scope: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(f"The app was not granted the '{scope}' permission.")
        self.scope = scope
        self.data = data


class GraphQLError(SpeckleAuthError):
    """The GraphQL request failed (syntax, validation, resolver error)."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class NotSignedIn(SpeckleAuthError):
    """An operation needs a signed-in user and there is none."""
