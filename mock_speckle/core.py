"""``MockSpeckle``: the mock server's state and the Python API tests drive it with.

Every switch is a plain attribute read at request time, so a test can flip the
dialect, a fault or the clock between two requests without restarting anything.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Self
from urllib.parse import parse_qs

from . import objects_upload
from .auth import AuthStore
from .fixtures import default_users
from .models import App, RequestRecord, TokenRecord, User
from .server import MockHTTPServer
from .web import Request

TOKEN_ROUTES = ("/oauth/token", "/auth/token")


class MockSpeckle:
    """An offline Speckle server speaking the documented and the deployed dialect."""

    version = "2.0.0-mock"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False) -> None:
        self.host = host
        self.port = port
        self.verbose = verbose
        self.apps: dict[str, App] = {}
        self.auth = AuthStore()
        self.requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: MockHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._set_defaults()

    def _set_defaults(self) -> None:
        """Everything :meth:`reset` restores (registered apps are not touched)."""
        #: "documented" serves POST /oauth/token; "deployed" has no such route.
        self.dialect = "documented"
        #: The deployed server's answer on /oauth/*: "404", "504" or "frontend".
        self.oauth_token_absent_as = "404"
        #: Whether the "frontend" answer (and its preflight) carries CORS headers.
        #: A web frontend behind an ingress may not send any; False plays that.
        self.oauth_frontend_cors = True
        #: Named in the dev proxy's 504 body, as http-proxy-middleware does.
        self.frontend_proxy_target = "127.0.0.1:8080"
        #: Send ``Cross-Origin-Opener-Policy: same-origin`` with the consent pages, as a
        #: hardened deployment may: a login popup then loses its ``window.opener``.
        self.consent_coop = False
        self.code_ttl_seconds: float = 600
        self.slow_seconds: float = 5.0
        self.faults: dict[str, str] = {}
        #: The most bytes one part of an object upload may hold (Speckle's 100 MB default).
        self.max_upload_part_bytes: int = objects_upload.MAX_PART_BYTES
        #: Where the "redirect" fault sends requests: another origin, e.g. a second mock.
        self.redirect_target: str = ""
        #: Seconds since the epoch; replace it to move time without sleeping.
        self.clock: Callable[[], float] = time.time
        self.users: dict[str, User] = default_users()
        #: The user "signed in" on the consent page; an unknown id means nobody is.
        self.consent_user_id: str = next(iter(self.users))
        with self._log_lock:
            self.requests.clear()
        self.auth.clear()

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """Base URL without a trailing slash (the real port once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Self:
        """Serve in a daemon thread; returns self so ``MockSpeckle().start()`` reads well."""
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = MockHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"mock-speckle-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close open connections; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in a "slow" fault
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Start, and serve until Ctrl-C or SIGTERM (the command line); then stop."""
        from .stop_signal import wait_for_stop_signal

        self.start()
        try:
            wait_for_stop_signal()
        finally:
            self.stop()

    def sleep(self, seconds: float) -> None:
        """Wait for a "slow" fault; returns early when the server stops."""
        self._stopping.wait(max(0.0, seconds))

    # ------------------------------------------------------------------ configuration

    def register_app(self, app: App) -> App:
        """Register (or replace) an application."""
        self.apps[app.id] = app
        return app

    def reset(self) -> None:
        """Back to defaults: dialect, faults, TTL, fixtures, logs, codes and tokens."""
        self._set_defaults()

    # ------------------------------------------------------------------ inspection

    @property
    def issued_tokens(self) -> dict[str, TokenRecord]:
        """Every token issued so far (revoked ones included), token -> record."""
        return self.auth.tokens

    def kill_access_token(self, token: str) -> None:
        """Make one access token unusable, as when it expires: its refresh token lives on,
        and ``/auth/logout`` with it answers 400 without revoking that refresh token."""
        self.auth.tokens[token].revoked = True

    def refresh_token_alive(self, refresh_token: str) -> bool:
        """Whether ``/auth/token`` would still accept ``refresh_token``."""
        with self.auth.lock:
            record = self.auth.refresh_tokens.get(refresh_token)
            return record is not None and not record.revoked

    def revoke_all_tokens(self, user_id: str | None = None) -> None:
        """Make every token (of one user) invalid: using it then answers 403."""
        self.auth.revoke_all(user_id)

    def record(self, req: Request, status: int) -> None:
        """Append a handled request to :attr:`requests`."""
        entry = RequestRecord(req.method, req.path, dict(req.headers), req.text(), status)
        with self._log_lock:
            self.requests.append(entry)

    def token_exchanges(self) -> list[RequestRecord]:
        """Requests that tried to exchange an access code (refreshes excluded)."""
        with self._log_lock:
            records = list(self.requests)
        return [r for r in records
                if r.method == "POST" and r.path.split("?", 1)[0] in TOKEN_ROUTES
                and _body_fields(r).get("accessCode")]


def _body_fields(record: RequestRecord) -> dict[str, object]:
    """A logged body as fields, whether it was sent as JSON or form-encoded."""
    try:
        data = json.loads(record.body)
    except ValueError:
        return {k: v[-1] for k, v in parse_qs(record.body).items()}
    return data if isinstance(data, dict) else {}
