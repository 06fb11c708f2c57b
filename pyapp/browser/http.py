"""``pyapp.ports.Http`` over the browser's ``fetch``.

Requests carry no cookies or referrer (the token travels only in the ``Authorization``
header, never in a URL), and time out instead of hanging on a stalled server.

Redirects are refused (``redirect: "error"``): these requests carry access codes, PKCE
verifiers, app secrets and tokens in their JSON bodies, and ``fetch`` follows a 307/308 to
any origin *re-sending that body*. Speckle's API never redirects them. Bodies are read in
chunks and refused past the request's ``max_response_bytes``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from ..errors import ServerUnavailable, UnusableResponse
from ..ports import HttpRequest, HttpResponse

DEFAULT_TIMEOUT_MS = 20_000


class FetchHttp:
    def __init__(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms

    async def send(self, request: HttpRequest) -> HttpResponse:
        init = {
            "method": request.method,
            "headers": request.headers,
            "credentials": "omit",
            "referrerPolicy": "no-referrer",
            "cache": "no-store",
            "redirect": "error",
            "signal": js.AbortSignal.timeout(self.timeout_ms),
        }
        if request.body is not None:
            init["body"] = request.body
        try:
            response = await js.fetch(
                request.url, to_js(init, dict_converter=js.Object.fromEntries)
            )
            text = await read_text(response, request.max_response_bytes)
        except JsException as exc:
            # Only the kind of failure is kept: the browser's message may quote the URL.
            timed_out = "Timeout" in str(getattr(exc, "name", "")) + str(exc)
            raise ServerUnavailable(
                "request_timed_out" if timed_out else "request_failed",
                endpoint=_path(request.url),
            ) from None
        content_type = response.headers.get("content-type")
        return HttpResponse(int(response.status), {"content-type": str(content_type or "")}, text)


async def read_text(response: Any, limit: int) -> str:
    """The body as text (UTF-8, as ``response.text()`` decodes it), refused past ``limit``
    bytes without reading the rest."""
    declared = response.headers.get("content-length")
    if declared is not None and str(declared).isdigit() and int(str(declared)) > limit:
        await _cancel(response)
        raise _too_large(response, limit)
    if response.body is None:
        return ""
    reader = response.body.getReader()
    chunks: list[bytes] = []
    total = 0
    while True:
        part = await reader.read()
        if part.done:
            break
        chunk = bytes(part.value.to_bytes())
        total += len(chunk)
        if total > limit:
            await reader.cancel()
            raise _too_large(response, limit)
        chunks.append(chunk)
    # utf-8-sig: like response.text(), a leading byte-order mark is not part of the text.
    return b"".join(chunks).decode("utf-8-sig", errors="replace")


async def _cancel(response: Any) -> None:
    if response.body is not None:
        with contextlib.suppress(JsException):  # already closed: nothing left to free
            await response.body.cancel()


def _too_large(response: Any, limit: int) -> UnusableResponse:
    return UnusableResponse("too_large", int(response.status), limit_bytes=limit)


def _path(url: str) -> str:
    """The path of a request URL (requests carry no secret in their URL; the path is enough)."""
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1].split("?", 1)[0] if "/" in rest else "/"
