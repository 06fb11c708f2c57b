"""HTTP plumbing: the socket server, CORS, routing, fault switches and request log.

Routing mirrors the order of Speckle's Express stack: CORS first (preflights
never reach a route), then the bearer-token check that guards every route, then
the routes, then Express' ``Cannot METHOD /path`` 404.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from . import auth, graphql_api, objects_api
from .web import (
    Request,
    Response,
    express_not_found,
    html_response,
    json_response,
    text_response,
)

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from .core import MockSpeckle

FAULT_NAMES = (
    "500", "non-json", "slow", "drop", "504",
    # Hostile or broken answers a client must survive (see fault_response).
    "deep-json", "huge-json", "errors-number", "extensions-text", "bad-token", "redirect",
    # Speckle's answers on the objects routes (see mock_speckle.objects_api).
    "404", "403", *objects_api.OBJECT_FAULTS,
)
#: How deep "deep-json" nests: far beyond any real answer, enough to overflow a naive parser.
DEEP_JSON_LEVELS = 200_000
#: The size of "huge-json" (20 MiB of valid JSON).
HUGE_JSON_BYTES = 20 * 1024 * 1024
ABSENT_MODES = ("404", "504", "frontend")
DIALECTS = ("documented", "deployed")

#: Returned by :func:`dispatch` when the connection must be closed unanswered.
DROP = Response(0)

# What a web frontend serves for paths it does not know: its app shell.
FRONTEND_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Speckle</title>\n"
    '<link rel="icon" href="data:,">\n'
    "</head>\n<body>\n"
    '<div id="__nuxt"><noscript>Speckle needs JavaScript to run.</noscript></div>\n'
    "</body>\n</html>\n"
)
GATEWAY_TIMEOUT_PAGE = (
    "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n"
    "<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"
)
MAINTENANCE_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>\n"
    "<body><h1>We'll be right back</h1><p>The service is undergoing maintenance.</p>"
    "</body></html>\n"
)


def index_page(mock: MockSpeckle) -> Response:
    """A tiny page naming the server, so a person opening the URL knows what it is."""
    return html_response(200, (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<link rel="icon" href="data:,">\n<title>Speckle Mock Server</title>\n</head>\n'
        "<body>\n<h1>Speckle Mock Server</h1>\n"
        f"<p>Dialect: {mock.dialect}. GraphQL at <code>/graphql</code>.</p>\n"
        "</body>\n</html>\n"
    ))


def fault_for(mock: MockSpeckle, route: str) -> str | None:
    """The fault switched on for a route: exact key, then a folder key, then ``*``."""
    faults = dict(mock.faults)  # a snapshot; tests may change it concurrently
    if route in faults:
        return faults[route]
    for key, name in faults.items():
        if key not in ("*", "/") and route.startswith(key.rstrip("/") + "/"):
            return name
    return faults.get("*")


def fault_response(name: str, mock: MockSpeckle | None = None, path: str = "/") -> Response:
    """The canned answer of a fault (``slow`` is handled by the caller).

    * ``deep-json``: 200 JSON nested :data:`DEEP_JSON_LEVELS` deep;
    * ``huge-json``: 200 JSON of :data:`HUGE_JSON_BYTES` (a token answer padded out);
    * ``errors-number`` / ``extensions-text``: GraphQL answers of the wrong shape
      (``{"errors": 5}``, ``extensions`` a string);
    * ``bad-token``: a token answer whose token holds CR/LF (a header-injection shape);
    * ``redirect``: ``307`` to the same path on ``mock.redirect_target`` (another origin),
      which a browser would follow re-sending the JSON body.
    """
    if name == "deep-json":
        body = b"[" * DEEP_JSON_LEVELS + b"]" * DEEP_JSON_LEVELS
        return Response(200, body, "application/json; charset=utf-8")
    if name == "huge-json":
        pad = "x" * HUGE_JSON_BYTES
        return json_response(200, {"token": "a" * 42, "refreshToken": "b" * 42, "pad": pad,
                                   "data": {"serverInfo": {"name": pad}}})
    if name == "errors-number":
        return json_response(200, {"errors": 5})
    if name == "extensions-text":
        return json_response(200, {"data": None, "errors": [{"message": 7,
                                                             "extensions": "x"}]})
    if name == "bad-token":
        return json_response(200, {"token": "abc\r\nX-Injected: 1", "refreshToken": "r" * 42})
    if name == "redirect":
        target = (mock.redirect_target if mock else "") or "http://127.0.0.1:9"
        return Response(307, b"", None, {"Location": target.rstrip("/") + path})
    if name == "404":  # what the objects routes say for an unknown object
        return html_response(404, objects_api.NOT_FOUND_TEXT)
    if name == "403":  # Speckle's refusal of a token on the objects routes: no body
        return Response(403)
    if name == "500":
        return text_response(500, "Internal Server Error")
    if name == "non-json":
        return html_response(200, MAINTENANCE_PAGE)
    if name == "504":
        return html_response(504, GATEWAY_TIMEOUT_PAGE)
    if name == "drop":
        return DROP
    # A typo in a test's fault name should be loud, not silently ignored.
    return text_response(500, f"Unknown fault {name!r}; use one of {', '.join(FAULT_NAMES)}")


def _frontend_answer(mock: MockSpeckle) -> Response:
    resp = html_response(200, FRONTEND_PAGE)
    resp.cors = mock.oauth_frontend_cors
    return resp


def absent_oauth(mock: MockSpeckle, req: Request) -> Response:
    """How a deployed server answers ``/oauth/*``, a route it does not have."""
    mode = mock.oauth_token_absent_as
    if mode == "404":  # the API server alone: Express' own 404
        return express_not_found(req.method, req.route)
    if mode == "504":  # dev server proxying to a frontend that is not running
        host = mock.frontend_proxy_target
        return Response(504, f"Error occured while trying to proxy: {host}{req.path}".encode())
    if mode == "frontend":  # standard ingress: /oauth/* belongs to the web frontend
        return _frontend_answer(mock)
    return text_response(500, f"Unknown oauth_token_absent_as {mode!r}")


def preflight(mock: MockSpeckle, req: Request) -> Response:
    """CORS preflight: 204 allowing any origin and echoing the requested headers."""
    if (mock.dialect == "deployed" and req.route.startswith("/oauth/")
            and mock.oauth_token_absent_as == "frontend" and not mock.oauth_frontend_cors):
        return _frontend_answer(mock)
    resp = Response(204)
    resp.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    requested = req.headers.get("access-control-request-headers")
    if requested:
        resp.headers["Access-Control-Allow-Headers"] = requested
    resp.headers["Vary"] = "Access-Control-Request-Headers"
    return resp


def route(mock: MockSpeckle, req: Request, token: Any, fault: str | None = None) -> Response:
    """Pick the handler for a request that passed faults and the token check (``fault``:
    one a route applies to its own answer)."""
    path, method = req.route, req.method
    if objects_api.is_objects_route(path):
        answer = objects_api.handle(mock, req, token, fault)
        if answer is not None:
            return answer
    elif req.path.startswith(auth.CONSENT_PREFIX):
        if method in ("GET", "HEAD"):
            return auth.with_coop(mock, auth.consent_page(mock, req))
        if method == "POST":
            return auth.with_coop(mock, auth.consent_submit(mock, req))
    elif path.startswith("/oauth/") and mock.dialect == "deployed":
        return absent_oauth(mock, req)
    elif path == "/oauth/token" and method == "POST":
        return auth.oauth_token(mock, req)
    elif path == "/auth/token" and method == "POST":
        return auth.auth_token(mock, req)
    elif path == "/auth/logout" and method == "POST":
        return auth.logout(mock, req)
    elif path == "/graphql":
        return graphql_api.handle(mock, req, token)
    elif path == "/" and method in ("GET", "HEAD"):
        return index_page(mock)
    return express_not_found(method, path)


def dispatch(mock: MockSpeckle, req: Request) -> Response:
    """Full handling of one request: preflight, fault, token check, route."""
    if req.method == "OPTIONS":
        return preflight(mock, req)  # never faulted: CORS answers before anything
    fault = fault_for(mock, req.route)
    if fault == "slow":
        mock.sleep(mock.slow_seconds)
    elif fault is not None and fault not in objects_api.OBJECT_FAULTS:
        return fault_response(fault, mock, req.path)
    denied, token = auth.check_bearer(mock, req)
    if denied is not None:
        if objects_api.is_objects_route(req.route):
            return Response(denied.status)  # measured: these routes refuse with no body
        return denied
    return route(mock, req, token, fault)


class Handler(BaseHTTPRequestHandler):
    """Turns socket I/O into :class:`Request`/:class:`Response` for :func:`dispatch`."""

    protocol_version = "HTTP/1.1"
    server_version = "SpeckleMock/1.0"
    sys_version = ""
    # Idle keep-alive connections end on their own instead of living forever.
    timeout = 60
    server: MockHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def _serve(self) -> None:
        mock = self.server.mock
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = self._read_body()
        except (ValueError, OSError):
            req = Request(self.command, self.path, headers)
            self.close_connection = True  # the stream position is unknown now
            resp = text_response(400, "Bad Request")
            mock.record(req, resp.status)
            self._write(resp)
            return
        req = Request(self.command, self.path, headers, body)
        try:
            resp = dispatch(mock, req)
        except Exception:  # noqa: BLE001 - a bug must become a 500, not a hang
            traceback.print_exc(file=sys.stderr)
            resp = text_response(500, "Internal Server Error")
        if resp is DROP:
            mock.record(req, 0)
            self._drop()
            return
        # Logged before the bytes go out, so a client that has its answer can
        # already see the request in mock.requests.
        mock.record(req, resp.status)
        self._write(resp)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _write(self, resp: Response) -> None:
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        if resp.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        if self.close_connection or resp.cut_at is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and resp.status not in (204, 304):
            self.wfile.write(resp.body[:resp.cut_at])
        if resp.cut_at is not None:
            self.wfile.flush()
            self._drop()

    def _drop(self) -> None:
        """Close the connection without a single byte of response."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.mock.verbose:  # quiet in tests, an access log on the command line
            sys.stderr.write(f"{self.address_string()} - {format % args}\n")


class MockHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its mock and its open connections."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], mock: MockSpeckle) -> None:
        self.mock = mock
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def track(self, conn: socket.socket, is_open: bool) -> None:
        """Remember open connections so that stopping can close them."""
        with self._connections_lock:
            if is_open:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Shut every open connection (keep-alive ones would otherwise linger)."""
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hanging up mid-answer (or stop() closing them) is normal here.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError, OSError)):
            return
        super().handle_error(request, client_address)


__all__ = [
    "ABSENT_MODES",
    "DIALECTS",
    "FAULT_NAMES",
    "Handler",
    "MockHTTPServer",
    "dispatch",
]
