"""Minimal request/response values and the response shapes Speckle's stack uses.

Route handlers are pure functions from :class:`Request` to :class:`Response`, so
they stay independent of the socket plumbing in ``server.py``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass
class Request:
    """An incoming request; ``path`` is the raw request target, query included."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def route(self) -> str:
        """The path without its query string (used for routing and faults)."""
        return self.path.split("?", 1)[0]

    @property
    def content_type(self) -> str:
        """The media type alone, lower-cased (parameters such as charset dropped)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def text(self) -> str:
        """The body as text; undecodable bytes are replaced rather than rejected."""
        return self.body.decode("utf-8", errors="replace")

    def form(self) -> dict[str, Any]:
        """Body fields the way Express' json + urlencoded parsers would see them.

        A JSON body that is not an object, or a body of another media type,
        yields ``{}`` - handlers then report the fields as missing, as Speckle does.
        Malformed JSON raises :class:`ValueError` (Express answers 400 for it).
        """
        if self.content_type == "application/json" or self.content_type.endswith("+json"):
            if not self.body.strip():
                return {}
            data = json.loads(self.text())
            return data if isinstance(data, dict) else {}
        if self.content_type == "application/x-www-form-urlencoded":
            return {k: v[-1] for k, v in parse_qs(self.text(), keep_blank_values=True).items()}
        return {}


@dataclass
class Response:
    """An outgoing response. ``cors`` False leaves out the CORS headers; ``cut_at`` sends
    only that many bytes of the body (its full length announced) and hangs up."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    cors: bool = True
    cut_at: int | None = None


def json_response(status: int, payload: Any) -> Response:
    """JSON body, compact like Express' ``res.send(object)``."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, JSON_TYPE)


def text_response(status: int, text: str) -> Response:
    """Plain text body."""
    return Response(status, text.encode(), TEXT_TYPE)


def html_response(status: int, markup: str) -> Response:
    """HTML body."""
    return Response(status, markup.encode(), HTML_TYPE)


def redirect(location: str) -> Response:
    """A 302 the way Express' ``res.redirect`` sends it (with a short text body)."""
    return Response(
        302,
        f"Found. Redirecting to {location}".encode(),
        TEXT_TYPE,
        {"Location": location},
    )


def express_error_page(message: str) -> str:
    """The HTML Express' final handler renders (e.g. ``Cannot POST /oauth/token``)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Error</title>\n</head>\n<body>\n"
        f"<pre>{html.escape(message, quote=False)}</pre>\n</body>\n</html>\n"
    )


def express_not_found(method: str, path: str) -> Response:
    """Express' answer for a route nobody handles: 404 ``Cannot METHOD /path``."""
    resp = html_response(404, express_error_page(f"Cannot {method} {path}"))
    # Express' finalhandler locks its error pages down like this.
    resp.headers["Content-Security-Policy"] = "default-src 'none'"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
