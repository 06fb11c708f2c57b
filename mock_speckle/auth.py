"""Authorization codes, tokens and the auth routes of the mock server.

Two token endpoints coexist here because real servers differ from the
documentation: ``POST /oauth/token`` is the documented PKCE exchange (code +
verifier, S256-checked), ``POST /auth/token`` is what deployed servers actually
run (code + app secret + the challenge string compared as-is).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .models import App, TokenRecord, User
from .web import (
    Request,
    Response,
    express_error_page,
    express_not_found,
    html_response,
    json_response,
    redirect,
    text_response,
)

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from .core import MockSpeckle

CONSENT_PREFIX = "/authn/verify/"
METHOD_MARKER = "&code_challenge_method="

# Messages as the deployed server words them; clients show them to users.
MSG_INSUFFICIENT = "Invalid request, insufficient information provided."
MSG_SECRET_REQUIRED = "Invalid request, insufficient information provided. App Secret is required."
MSG_CODE_NOT_FOUND = "Access code not found."
MSG_CODE_EXPIRED = "Access code expired"
MSG_APP_MISMATCH = "Invalid request: application id does not match."
MSG_CHALLENGE_MISMATCH = (
    "Code challenge mismatch. Ensure the same challenge is used for authentication "
    "and token exchange."
)
MSG_METHOD_UNSUPPORTED = (
    "Code challenge method is not supported. Send code_challenge_method=S256 "
    "with the authorization request."
)
MSG_BAD_SECRET = "Invalid app secret. Ensure the app secret is correct."
MSG_REFRESH_NEEDS_APP = "Invalid request - App Id and Secret are required."
MSG_REFRESH_INVALID = "Invalid request"
MSG_LOGOUT_FAILED = "Something went wrong while trying to logout."
MSG_TOKEN_INVALID = "Your token is not valid."

#: How the consent page words each scope for a person.
SCOPE_WORDS = {
    "profile:read": "See your profile: name, avatar, company and server role",
    "profile:email": "See your email address",
    "profile:delete": "Delete your account",
    "streams:read": "Read your projects and the data in them",
    "streams:write": "Create projects and change the data in them",
    "users:read": "See other users' profiles",
    "users:email": "See other users' email addresses",
    "server:stats": "See server statistics",
    "tokens:read": "List your access tokens",
    "tokens:write": "Create and revoke access tokens for you",
    "apps:read": "List the apps you authorized",
    "apps:write": "Register and change apps for you",
}


def new_secret_hex() -> str:
    """42 lowercase hex characters: the length Speckle's codes and tokens have."""
    return secrets.token_hex(21)


def s256(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without padding (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def split_challenge(raw: str) -> tuple[str, str | None]:
    """Split the raw consent-path segment into (challenge, method).

    The documented URL appends ``&code_challenge_method=S256`` to the path
    itself (no ``?``), so the method is whatever follows that marker.
    """
    if METHOD_MARKER not in raw:
        return raw, None
    challenge, _, tail = raw.partition(METHOD_MARKER)
    return challenge, tail.split("&", 1)[0]


def _same(a: str, b: str) -> bool:
    """Constant-time string comparison (cheap habit for secret material)."""
    return hmac.compare_digest(a.encode(), b.encode())


@dataclass
class AccessCode:
    """A one-time authorization code and what it is bound to."""

    code: str
    app_id: str
    user_id: str
    raw_segment: str
    challenge: str
    method: str | None
    created_at: float
    lifespan: float


@dataclass
class RefreshRecord:
    """A refresh token; it stays usable after use (the server does not rotate)."""

    user_id: str
    app_id: str
    revoked: bool = False


class AuthStore:
    """Codes and tokens behind one lock, since handlers run on many threads."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.codes: dict[str, AccessCode] = {}
        self.tokens: dict[str, TokenRecord] = {}
        self.refresh_tokens: dict[str, RefreshRecord] = {}

    def clear(self) -> None:
        """Forget every code and token."""
        with self.lock:
            self.codes.clear()
            self.tokens.clear()
            self.refresh_tokens.clear()

    def new_code(self, app_id: str, user_id: str, raw_segment: str, now: float,
                 lifespan: float) -> str:
        """Create a code bound to app, user and the raw challenge segment."""
        challenge, method = split_challenge(raw_segment)
        code = new_secret_hex()
        with self.lock:
            self.codes[code] = AccessCode(code, app_id, user_id, raw_segment, challenge,
                                          method, now, lifespan)
        return code

    def issue(self, user_id: str, app_id: str, scopes: list[str]) -> tuple[str, str]:
        """Create a token and a refresh token for a user of an app."""
        token, refresh = new_secret_hex(), new_secret_hex()
        with self.lock:
            self.tokens[token] = TokenRecord(user_id, app_id, list(scopes), refresh)
            self.refresh_tokens[refresh] = RefreshRecord(user_id, app_id)
        return token, refresh

    def valid_token(self, token: str) -> TokenRecord | None:
        """The record of a usable token, or None when unknown or revoked."""
        with self.lock:
            record = self.tokens.get(token)
            return record if record is not None and not record.revoked else None

    def revoke_all(self, user_id: str | None = None) -> None:
        """Revoke every token and refresh token (of one user, when given)."""
        with self.lock:
            for record in self.tokens.values():
                if user_id is None or record.user_id == user_id:
                    record.revoked = True
            for refresh in self.refresh_tokens.values():
                if user_id is None or refresh.user_id == user_id:
                    refresh.revoked = True


# --------------------------------------------------------------------------- helpers


def _err(message: str) -> Response:
    """Every token-endpoint failure is ``401 {"err": message}`` on Speckle."""
    return json_response(401, {"err": message})


def _bad_json() -> Response:
    """Express' body parser rejects malformed JSON before any route runs."""
    return html_response(400, express_error_page("Bad Request"))


def _field(body: dict[str, Any], name: str) -> str | None:
    """A body field as a string; absent or empty (falsy in JS) counts as missing."""
    value = body.get(name)
    if value is None or value == "" or value is False or value == 0:
        return None
    return value if isinstance(value, str) else str(value)


def _tokens_payload(token: str, refresh: str) -> Response:
    return json_response(200, {"token": token, "refreshToken": refresh})


def bearer_token(req: Request) -> str | None:
    """The token of an ``Authorization`` header (second word, as Speckle reads it)."""
    header = req.headers.get("authorization", "").strip()
    if not header:
        return None
    parts = header.split()
    return parts[1] if len(parts) > 1 else None


def check_bearer(mock: MockSpeckle, req: Request) -> tuple[Response | None, TokenRecord | None]:
    """Speckle validates a presented token on every route before routing.

    Returns (403 response, None) for an unusable token, else (None, record or None).
    """
    token = bearer_token(req)
    if token is None:
        return None, None
    record = mock.auth.valid_token(token)
    if record is None or record.user_id not in mock.users:
        return json_response(403, {"error": MSG_TOKEN_INVALID}), None
    return None, record


# --------------------------------------------------------------------------- consent page


def _consent_target(mock: MockSpeckle, req: Request) -> tuple[App | None, str, str] | Response:
    """Resolve ``/authn/verify/{appId}/{rest}`` to (app, app id, raw rest).

    ``rest`` is kept raw: the documented URL puts ``&code_challenge_method=S256``
    in the path, and the deployed dialect compares that whole string later.
    """
    remainder = req.path[len(CONSENT_PREFIX):]
    raw_app_id, sep, rest = remainder.partition("/")
    if not sep or not raw_app_id or not rest:
        return express_not_found(req.method, req.route)
    app_id = unquote(raw_app_id)
    return mock.apps.get(app_id), app_id, rest


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{html.escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;"
        "padding:0 1rem;color:#1a1a1a}main{border:1px solid #ddd;border-radius:.5rem;"
        "padding:1.5rem}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}"
        "code{background:#f3f3f3;padding:0 .25rem}</style>\n"
        f"</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _unknown_app_page(app_id: str) -> Response:
    esc = html.escape(app_id)
    return html_response(404, _page(
        "Unknown application",
        f"<h1>Unknown application</h1>\n<p>No application with id <code>{esc}</code> "
        "is registered on this server.</p>",
    ))


def _no_user_page() -> Response:
    return html_response(401, _page(
        "Not signed in",
        "<h1>Not signed in</h1>\n<p>No user is signed in on this server.</p>",
    ))


def with_coop(mock: MockSpeckle, resp: Response) -> Response:
    """``resp`` with ``Cross-Origin-Opener-Policy: same-origin`` when the mock is asked to
    send it on its consent pages (it severs a popup from the page that opened it)."""
    if mock.consent_coop:
        resp.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    return resp


def consent_page(mock: MockSpeckle, req: Request) -> Response:
    """``GET /authn/verify/{appId}/{rest}``: the page a person authorizes on."""
    target = _consent_target(mock, req)
    if isinstance(target, Response):
        return target
    app, app_id, _rest = target
    if app is None:
        return _unknown_app_page(app_id)
    user: User | None = mock.users.get(mock.consent_user_id)
    if user is None:
        return _no_user_page()
    esc = html.escape
    scope_items = "\n".join(
        f'<li data-scope="{esc(scope)}">{esc(SCOPE_WORDS.get(scope, scope))} '
        f"<code>{esc(scope)}</code></li>"
        for scope in app.scopes
    )
    destination = urlsplit(app.redirect_url).netloc or app.redirect_url
    body = (
        f'<h1>Authorize <span id="app-name">{esc(app.name)}</span></h1>\n'
        f'<p>Signed in as <strong id="user-name">{esc(user.name)}</strong> '
        f'(<span id="user-email">{esc(user.email)}</span>).</p>\n'
        f"<p><strong>{esc(app.name)}</strong> would like to:</p>\n"
        f'<ul id="scopes">\n{scope_items}\n</ul>\n'
        f"<p>Afterwards you will be sent back to <code>{esc(destination)}</code>.</p>\n"
        # The form posts to the very same path, so the raw segment survives.
        f'<form method="post" action="{esc(req.path, quote=True)}">\n'
        '<button type="submit" name="decision" value="authorize">Authorize</button>\n'
        '<button type="submit" name="decision" value="deny">Deny</button>\n'
        "</form>"
    )
    resp = html_response(200, _page(f"Authorize {app.name}", body))
    resp.headers["Cache-Control"] = "no-store"
    return resp


def consent_submit(mock: MockSpeckle, req: Request) -> Response:
    """``POST /authn/verify/{appId}/{rest}``: Authorize or Deny from the form."""
    target = _consent_target(mock, req)
    if isinstance(target, Response):
        return target
    app, app_id, rest = target
    if app is None:
        return _unknown_app_page(app_id)
    user = mock.users.get(mock.consent_user_id)
    if user is None:
        return _no_user_page()
    try:
        decision = str(req.form().get("decision", "")).lower()
    except ValueError:
        return _bad_json()
    if decision == "deny":
        # Speckle adds only denied=true (no OAuth error= parameter).
        return redirect(app.redirect_url + "?denied=true")
    if decision != "authorize":
        return html_response(400, _page(
            "Bad request", "<h1>Bad request</h1>\n<p>Choose Authorize or Deny.</p>"))
    code = mock.auth.new_code(app.id, user.id, rest, mock.clock(), mock.code_ttl_seconds)
    # Plain concatenation, exactly as Speckle builds it.
    return redirect(app.redirect_url + "?access_code=" + code)


# --------------------------------------------------------------------------- token routes


def _expired(mock: MockSpeckle, code: AccessCode) -> bool:
    return abs(mock.clock() - code.created_at) > code.lifespan


def oauth_token(mock: MockSpeckle, req: Request) -> Response:
    """Documented ``POST /oauth/token {appId, accessCode, codeVerifier}`` (RFC 7636 S256)."""
    try:
        body = req.form()
    except ValueError:
        return _bad_json()
    app_id = _field(body, "appId")
    access_code = _field(body, "accessCode")
    verifier = _field(body, "codeVerifier")
    if not (app_id and access_code and verifier):
        return _err(MSG_INSUFFICIENT)
    with mock.auth.lock:
        # Taken out first: any exchange attempt, failed or not, uses the code up.
        code = mock.auth.codes.pop(access_code, None)
    if code is None:
        return _err(MSG_CODE_NOT_FOUND)
    if _expired(mock, code):
        return _err(MSG_CODE_EXPIRED)
    if code.app_id != app_id:
        return _err(MSG_APP_MISMATCH)
    if code.method != "S256":
        return _err(MSG_METHOD_UNSUPPORTED)
    if not _same(s256(verifier), code.challenge):
        return _err(MSG_CHALLENGE_MISMATCH)
    app = mock.apps.get(app_id)
    if app is None:
        return _err("Invalid app")
    return _tokens_payload(*mock.auth.issue(code.user_id, app.id, app.scopes))


def auth_token(mock: MockSpeckle, req: Request) -> Response:
    """Deployed ``POST /auth/token``: code exchange with secret, or refresh."""
    try:
        body = req.form()
    except ValueError:
        return _bad_json()
    app_id = _field(body, "appId")
    app_secret = _field(body, "appSecret")
    if _field(body, "refreshToken"):
        if not (app_id and app_secret):
            return _err(MSG_REFRESH_NEEDS_APP)
        return _refresh(mock, app_id, app_secret, _field(body, "refreshToken") or "")
    access_code = _field(body, "accessCode")
    challenge = _field(body, "challenge")
    if not app_secret:
        return _err(MSG_SECRET_REQUIRED)
    if not (app_id and access_code and challenge):
        return _err(MSG_INSUFFICIENT)
    with mock.auth.lock:
        code = mock.auth.codes.get(access_code)
        if code is None:
            return _err(MSG_CODE_NOT_FOUND)
        # The deployed server checks the app before deleting the code, so a
        # request for another app leaves the code usable by its own app.
        if code.app_id != app_id:
            return _err(MSG_APP_MISMATCH)
        del mock.auth.codes[access_code]
    if _expired(mock, code):
        return _err(MSG_CODE_EXPIRED)
    # An opaque string compare against the whole raw segment, suffix included.
    if not _same(code.raw_segment, challenge):
        return _err(MSG_CHALLENGE_MISMATCH)
    app = mock.apps.get(app_id)
    if app is None:
        return _err("Invalid app")
    if not _same(app.secret, app_secret):
        return _err(MSG_BAD_SECRET)
    return _tokens_payload(*mock.auth.issue(code.user_id, app.id, app.scopes))


def _refresh(mock: MockSpeckle, app_id: str, app_secret: str, refresh_token: str) -> Response:
    """A new token pair; the presented refresh token stays valid (no rotation)."""
    with mock.auth.lock:
        record = mock.auth.refresh_tokens.get(refresh_token)
    if record is None or record.revoked or record.app_id != app_id:
        return _err(MSG_REFRESH_INVALID)
    app = mock.apps.get(app_id)
    if app is None or not _same(app.secret, app_secret):
        return _err(MSG_REFRESH_INVALID)
    if record.user_id not in mock.users:
        return _err(MSG_REFRESH_INVALID)
    return _tokens_payload(*mock.auth.issue(record.user_id, app.id, app.scopes))


def logout(mock: MockSpeckle, req: Request) -> Response:
    """``POST /auth/logout {token, refreshToken}``: revoke both; unknown -> 400 text."""
    try:
        body = req.form()
    except ValueError:
        return _bad_json()
    token = _field(body, "token")
    refresh = _field(body, "refreshToken")
    with mock.auth.lock:
        record = mock.auth.tokens.get(token or "")
        if record is None or record.revoked:
            return text_response(400, MSG_LOGOUT_FAILED)
        record.revoked = True
        if refresh and refresh in mock.auth.refresh_tokens:
            mock.auth.refresh_tokens[refresh].revoked = True
    return json_response(200, {"message": "You have logged out."})
