"""A small static file server for the site, for local use and for tests.

It behaves like a careful static host so that what works here works on a real one:

* HTTP/1.1 with keep-alive, one thread per connection, GET and HEAD only (other methods: 405).
* Explicit MIME types, independent of the machine's ``mime.types`` (``.mjs`` must be JavaScript
  and ``.wasm`` must be ``application/wasm`` or the browser refuses them).
* Revalidation that lets a second visit download nothing it already has: a strong ``ETag`` and
  ``Last-Modified`` on every file, ``304`` for ``If-None-Match`` / ``If-Modified-Since``.
  The site's own files are ``Cache-Control: no-cache`` (always revalidated, so an edit shows up
  at once); the versioned runtime under ``runtime/`` is ``public, max-age=86400``.
* The site can live under a deep ``prefix`` (``/some/deep/path/``), as on project pages of many
  hosts; anything outside the prefix is 404. That proves the site uses relative URLs only.
* ``pace`` sends chosen files slowly, as a slow network would (``Pace(rate)``), or stops
  sending them part way and holds the connection open, as a dead one would
  (``Pace(rate, stop_after=n)``), for tests of what a page shows meanwhile.
* ``overrides`` serve given bytes instead of a file (e.g. a ``config.json`` that points the app at
  a server on a random port) without touching the tree.
* Nothing outside ``root`` is ever served (``..``, encoded separators and symlinks that leave the
  tree are refused), and top-level names in ``deny`` answer 404 as if absent.

Use in-process::

    server = StaticServer(Path("."), prefix="/a/b/").start()
    print(server.url)        # http://127.0.0.1:<port>/a/b/
    server.stop()

or from the command line: ``python -m devtools.static_server --root . --port 8000``.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# Top-level entries of the repository that are not part of the site: environments, tooling,
# tests and the mock server. A dev server on the repo root must not expose them.
REPO_PRIVATE: frozenset[str] = frozenset(
    {
        ".git", ".venv", "node_modules", "tests", "tools", "devtools", "mock_speckle", ".ci",
        ".pytest_cache", ".mypy_cache", ".ruff_cache", "test-results", "bench", "dist",
    }
)  # fmt: skip

MIME_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".wasm": "application/wasm",
    ".toml": "text/plain; charset=utf-8",
    ".py": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".xz": "application/x-xz",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
}
DEFAULT_MIME = "application/octet-stream"

SITE_CACHE_CONTROL = "no-cache"
RUNTIME_CACHE_CONTROL = "public, max-age=86400"
RUNTIME_DIR = "runtime"

PerPathHeaders = Callable[[str], Mapping[str, str] | None] | Mapping[str, Mapping[str, str]]

_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Pace:
    """How a paced file is sent: ``rate`` bytes per second, in chunks of ``chunk`` bytes; with
    ``stop_after``, nothing more after that many bytes (the connection stays open until the
    client gives up or the server stops)."""

    rate: float
    stop_after: int | None = None
    chunk: int = 16 * 1024
_STARTED = int(time.time())


def mime_type(name: str) -> str:
    """The Content-Type for a file name, by extension."""
    return MIME_TYPES.get(Path(name).suffix.lower(), DEFAULT_MIME)


def _normalize_prefix(prefix: str) -> str:
    parts = [p for p in prefix.split("/") if p]
    return "/" + "".join(p + "/" for p in parts)


def _normalize_key(path: str) -> str:
    return "/".join(p for p in path.split("/") if p not in ("", "."))


def _etag_matches(header: str, etag: str) -> bool:
    # Weak comparison, as RFC 9110 requires for If-None-Match: W/"x" matches "x".
    if header.strip() == "*":
        return True
    candidates = [c.strip() for c in header.split(",")]
    return any(c.removeprefix("W/") == etag for c in candidates)


class _Resource:
    """What a request resolved to: a file on disk or override bytes."""

    def __init__(self, rel: str, *, path: Path | None = None, data: bytes | None = None) -> None:
        self.rel = rel
        self.path = path
        self.data = data
        if data is not None:
            self.size = len(data)
            self.etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            # Overrides have no file: their "modification" is when this module was loaded.
            self.mtime = _STARTED
        else:
            assert path is not None
            st = path.stat()
            self.size = st.st_size
            self.etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            self.mtime = int(st.st_mtime)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StaticServer/1.0"
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30
    server: _HTTPServer

    # --- dispatch -------------------------------------------------------------------------
    # Method names are fixed by BaseHTTPRequestHandler's dispatch (do_<METHOD>).
    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _not_allowed(self) -> None:
        self._send_simple(HTTPStatus.METHOD_NOT_ALLOWED, {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    # --- core -----------------------------------------------------------------------------
    def _serve(self, *, send_body: bool) -> None:
        owner = self.server.owner
        url_path = urlsplit(self.path).path
        decoded = unquote(url_path)
        prefix = owner.prefix
        if decoded + "/" == prefix:
            # The site's root without its trailing slash: relative URLs would break, so redirect.
            self._send_simple(HTTPStatus.MOVED_PERMANENTLY, {"Location": prefix})
            return
        if not decoded.startswith(prefix):
            self._send_simple(HTTPStatus.NOT_FOUND)
            return
        rel_raw = decoded[len(prefix) :]
        resource, redirect = owner.resolve(rel_raw)
        if redirect is not None:
            self._send_simple(HTTPStatus.MOVED_PERMANENTLY, {"Location": url_path + "/"})
            return
        if resource is None:
            self._send_simple(HTTPStatus.NOT_FOUND, rel=_normalize_key(rel_raw))
            return
        headers = {
            "Content-Type": mime_type(resource.rel),
            "ETag": resource.etag,
            "Last-Modified": formatdate(resource.mtime, usegmt=True),
            "Cache-Control": owner.cache_control(resource.rel),
        }
        if self._not_modified(resource):
            self._start(HTTPStatus.NOT_MODIFIED, headers, rel=resource.rel)
            self.end_headers()
            return
        headers["Content-Length"] = str(resource.size)
        self._start(HTTPStatus.OK, headers, rel=resource.rel)
        self.end_headers()
        if not send_body:
            return
        try:
            pace = owner.pace.get(resource.rel)
            if pace is not None:
                self._send_paced(resource, pace)
            elif resource.data is not None:
                self.wfile.write(resource.data)
            else:
                assert resource.path is not None
                with resource.path.open("rb") as fh:
                    shutil.copyfileobj(fh, self.wfile, _CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            # The browser dropped the connection (navigation, cancelled fetch): nothing to do.
            self.close_connection = True

    def _send_paced(self, resource: _Resource, pace: Pace) -> None:
        if resource.data is not None:
            data = resource.data
        else:
            assert resource.path is not None
            data = resource.path.read_bytes()
        stopping = self.server.owner.stopping
        limit = len(data) if pace.stop_after is None else min(pace.stop_after, len(data))
        for start in range(0, limit, pace.chunk):
            self.wfile.write(data[start:min(start + pace.chunk, limit)])
            self.wfile.flush()
            if stopping.wait(pace.chunk / pace.rate):
                return
        if limit < len(data):  # a dead connection: hold it until the server stops
            stopping.wait()
            self.close_connection = True

    def _not_modified(self, resource: _Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            # If-None-Match wins over If-Modified-Since when both are sent (RFC 9110 13.2.2).
            return _etag_matches(inm, resource.etag)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return resource.mtime <= since
        return False

    def _start(self, status: HTTPStatus, headers: Mapping[str, str], *, rel: str | None) -> None:
        self.send_response(status)
        merged: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
        merged.update(self.server.owner.headers_for(rel))
        merged.update(headers)
        for name, value in merged.items():
            self.send_header(name, value)

    def _send_simple(
        self,
        status: HTTPStatus,
        headers: Mapping[str, str] | None = None,
        *,
        rel: str | None = None,
    ) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        all_headers = {
            "Content-Type": "text/plain; charset=utf-8",
            "Content-Length": str(len(body)),
            "Cache-Control": "no-cache",
            **(headers or {}),
        }
        self._start(status, all_headers, rel=rel)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    # --- bookkeeping ----------------------------------------------------------------------
    def send_response(self, code: int, message: str | None = None) -> None:
        self.server.owner.record(self.command, self.path, int(code))
        super().send_response(code, message)

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.owner.quiet:
            super().log_message(format, *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: StaticServer


class StaticServer:
    """Serve ``root`` over HTTP on ``host:port`` under ``prefix``; see the module docstring."""

    def __init__(
        self,
        root: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/",
        overrides: Mapping[str, bytes | Callable[[], bytes | None]] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        per_path_headers: PerPathHeaders | None = None,
        deny: Iterable[str] = (),
        quiet: bool = True,
        pace: Mapping[str, Pace] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NotADirectoryError(self.root)
        self.host = host
        self.port = port
        self.prefix = _normalize_prefix(prefix)
        # A callable is called on every request: content generated from files being edited;
        # None from it answers 404.
        self.overrides = {_normalize_key(k): v for k, v in (overrides or {}).items()}
        self.extra_headers = dict(extra_headers or {})
        self.per_path_headers = per_path_headers
        self.deny = frozenset(deny)
        self.quiet = quiet
        self.pace = {_normalize_key(k): v for k, v in (pace or {}).items()}
        self.stopping = threading.Event()
        self.requests: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> StaticServer:
        """Bind and serve in a daemon thread; returns ``self`` so it can be chained."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = int(httpd.server_address[1])
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns at once
            name=f"StaticServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port. Safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.stopping.set()  # paced answers end at once
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the site, including the prefix and a trailing slash."""
        return f"http://{self.host}:{self.port}{self.prefix}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- used by the handler ---------------------------------------------------------------
    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, path, status))

    def _override(self, key: str) -> _Resource | None:
        value = self.overrides[key]
        data = value() if callable(value) else bytes(value)
        return None if data is None else _Resource(key, data=data)

    def resolve(self, rel_raw: str) -> tuple[_Resource | None, str | None]:
        """Map a decoded site-relative path to a resource, or to a redirect (directory)."""
        if "\\" in rel_raw or "\x00" in rel_raw:
            return None, None
        parts = [p for p in rel_raw.split("/") if p not in ("", ".")]
        if ".." in parts:
            return None, None
        if parts and parts[0] in self.deny:
            return None, None
        wants_dir = rel_raw == "" or rel_raw.endswith("/")
        key = "/".join(parts)
        if not wants_dir and key in self.overrides:
            return self._override(key), None
        candidate = self.root.joinpath(*parts)
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):
            return None, None
        if not resolved.is_relative_to(self.root):
            return None, None  # a symlink that leads out of the tree
        if resolved.is_dir():
            if not wants_dir:
                return None, "/"
            index_key = "/".join([*parts, "index.html"])
            if index_key in self.overrides:
                return self._override(index_key), None
            index = resolved / "index.html"
            if index.is_file():
                return _Resource(index_key, path=index), None
            return None, None
        if wants_dir or not resolved.is_file():
            return None, None
        return _Resource(key, path=resolved), None

    def cache_control(self, rel: str) -> str:
        first = rel.split("/", 1)[0]
        return RUNTIME_CACHE_CONTROL if first == RUNTIME_DIR and "/" in rel else SITE_CACHE_CONTROL

    def headers_for(self, rel: str | None) -> dict[str, str]:
        headers = dict(self.extra_headers)
        if rel is not None and self.per_path_headers is not None:
            if callable(self.per_path_headers):
                extra = self.per_path_headers(rel)
            else:
                extra = self.per_path_headers.get(rel)
            headers.update(extra or {})
        return headers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a folder as a static site.")
    parser.add_argument("--root", type=Path, default=Path("."), help="folder to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--prefix", default="/", help="URL path the site lives under")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = StaticServer(
        args.root, host=args.host, port=args.port, prefix=args.prefix, quiet=not args.verbose
    ).start()
    print(f"Serving {server.root} at {server.url}  (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
