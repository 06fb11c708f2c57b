"""Speckle's authorization protocol as pure functions: requests in, results or errors out.

Nothing here does I/O. Each endpoint has a function that *builds* its request and one that
*reads* its response, in the style of oauth4webapi, so every server answer shape can be
unit-tested without a network. Two dialects exist (see docs/how-it-works/speckle-servers.md):

* documented — ``POST /oauth/token {appId, accessCode, codeVerifier}`` (RFC 7636 S256);
* deployed — ``POST /auth/token {appId, appSecret, accessCode, challenge}`` where
  ``challenge`` is the whole path segment sent to ``/authn/verify``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import (
    ExchangeRejected,
    ServerUnavailable,
    UnusableResponse,
)
from .ports import HttpRequest, HttpResponse

CHALLENGE_METHOD_SUFFIX = "&code_challenge_method=S256"
#: The token endpoints of the two dialects (named in errors: where an exchange failed).
DOCUMENTED_TOKEN_PATH = "/oauth/token"
DEPLOYED_TOKEN_PATH = "/auth/token"
LOGOUT_PATH = "/auth/logout"
#: Token, refresh and logout answers are a few hundred bytes; anything near this is hostile.
TOKEN_RESPONSE_MAX_BYTES = 16 * 1024
#: Speckle's tokens are 42 hex characters; this leaves room for other formats (JWTs).
TOKEN_MAX_LENGTH = 4096
# A token travels in an Authorization header and JSON bodies: visible ASCII, no whitespace.
_TOKEN_RE = re.compile(r"[\x21-\x7e]+")


def is_token_shaped(value: object) -> bool:
    """True for a string that can be a bearer token: 1..TOKEN_MAX_LENGTH visible ASCII
    characters. Anything else (CR/LF, spaces, non-ASCII) would break or inject a header."""
    return (isinstance(value, str) and 0 < len(value) <= TOKEN_MAX_LENGTH
            and _TOKEN_RE.fullmatch(value) is not None)


@dataclass(frozen=True)
class Tokens:
    """What a successful exchange or refresh returns."""

    token: str
    refresh_token: str | None


def challenge_segment(challenge: str) -> str:
    """The path segment the server stores as "the challenge" (suffix included)."""
    return challenge + CHALLENGE_METHOD_SUFFIX


def authorization_url(server_url: str, app_id: str, challenge: str) -> str:
    """``{server}/authn/verify/{appId}/{challenge}&code_challenge_method=S256``.

    Exactly the documented form: ``&`` and no ``?``, because that is what a Speckle
    server receives and stores.
    """
    return f"{server_url}/authn/verify/{app_id}/{challenge_segment(challenge)}"


def documented_token_request(
    server_url: str, app_id: str, access_code: str, verifier: str
) -> HttpRequest:
    """The documented exchange at ``/oauth/token``."""
    return HttpRequest.post_json(
        f"{server_url}{DOCUMENTED_TOKEN_PATH}",
        {"appId": app_id, "accessCode": access_code, "codeVerifier": verifier},
        max_response_bytes=TOKEN_RESPONSE_MAX_BYTES,
    )


def deployed_token_request(
    server_url: str, app_id: str, app_secret: str, access_code: str, segment: str
) -> HttpRequest:
    """The exchange deployed servers answer, at ``/auth/token``."""
    return HttpRequest.post_json(
        f"{server_url}{DEPLOYED_TOKEN_PATH}",
        {"appId": app_id, "appSecret": app_secret, "accessCode": access_code, "challenge": segment},
        max_response_bytes=TOKEN_RESPONSE_MAX_BYTES,
    )


def refresh_request(
    server_url: str, app_id: str, app_secret: str, refresh_token: str
) -> HttpRequest:
    """Trade a refresh token for a new token (deployed servers; needs the secret)."""
    return HttpRequest.post_json(
        f"{server_url}{DEPLOYED_TOKEN_PATH}",
        {"appId": app_id, "appSecret": app_secret, "refreshToken": refresh_token},
        max_response_bytes=TOKEN_RESPONSE_MAX_BYTES,
    )


def logout_request(server_url: str, token: str, refresh_token: str | None) -> HttpRequest:
    """Ask the server to revoke the token."""
    return HttpRequest.post_json(
        f"{server_url}{LOGOUT_PATH}", {"token": token, "refreshToken": refresh_token or ""},
        max_response_bytes=TOKEN_RESPONSE_MAX_BYTES,
    )


def server_message(body: dict[str, object]) -> str | None:
    """The human message in a Speckle error body (``err``, ``error`` or ``message``)."""
    for key in ("err", "error", "message"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_documented_endpoint_absent(response: HttpResponse) -> bool:
    """True when ``/oauth/token`` did not answer with JSON.

    Deployed servers have no such route, and what answers instead varies: a 404 HTML
    page (API server), a 504 (development proxy), or a 200 HTML page of the web frontend
    (standard ingress). A JSON body, even a rejection, means the endpoint exists.
    """
    return response.json_object() is None


def looks_like_missing_route(response: HttpResponse) -> bool:
    """Of the non-JSON answers, those that say "no such route" rather than "server broken"."""
    content_type = response.headers.get("content-type", "")
    return response.status in (404, 405, 501, 504) or (
        response.status < 300 and "html" in content_type
    )


def read_token_response(response: HttpResponse, endpoint: str | None = None) -> Tokens:
    """Tokens from a token endpoint's answer, or the typed error it means; ``endpoint`` (the
    path asked, such as ``/oauth/token``) goes into that error."""
    body = response.json_object()
    if body is None:
        raise ServerUnavailable("not_json", response.status, endpoint=endpoint)
    token = body.get("token")
    if 200 <= response.status < 300 and isinstance(token, str) and token:
        refresh = body.get("refreshToken")
        refresh = refresh if isinstance(refresh, str) and refresh else None
        # Checked before anything is stored: a token that cannot travel in a header would
        # make every later request fail, and a CR/LF in it is a header-injection attempt.
        if not is_token_shaped(token) or (refresh is not None and not is_token_shaped(refresh)):
            raise UnusableResponse("token_shape", response.status, endpoint=endpoint)
        return Tokens(token, refresh)
    message = server_message(body)
    if 400 <= response.status < 500:
        raise ExchangeRejected(message, response.status, endpoint=endpoint)
    raise ServerUnavailable("server_error", response.status, endpoint=endpoint,
                            server_message=message)

