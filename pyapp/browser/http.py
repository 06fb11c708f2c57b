"""``pyapp.ports.Http`` over the browser's ``fetch``.

Requests carry no cookies or referrer (the token travels only in the ``Authorization``
header, never in a URL), and time out instead of hanging on a stalled server.

Redirects are refused (``redirect: "error"``): these requests carry access codes, PKCE
verifiers, app secrets and tokens in their JSON bodies, and ``fetch`` follows a 307/308 to
any origin *re-sending that body*. Speckle's API never redirects them. Bodies are read in
chunks and refused past the request's ``max_response_bytes``.

:meth:`FetchHttp.stream` hands the body out chunk by chunk as ``response.body.getReader()``
delivers it (a whole model never sits in memory as one body). Its time limit is per wait,
not per download: the headers, then each chunk, must come within ``timeout_ms``, so a big
model on a slow line loads while a stalled one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import js
from pyodide.ffi import JsException, to_js

from ..errors import ServerUnavailable, UnusableResponse
from ..ports import HttpRequest, HttpResponse, HttpStream

DEFAULT_TIMEOUT_MS = 20_000


class FetchHttp:
    def __init__(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.timeout_ms = timeout_ms

    async def send(self, request: HttpRequest) -> HttpResponse:
        init = _init(request, js.AbortSignal.timeout(self.timeout_ms))
        try:
            response = await js.fetch(
                request.url, to_js(init, dict_converter=js.Object.fromEntries)
            )
            text = await read_text(response, request.max_response_bytes)
        except JsException as exc:
            raise _failure(exc, request) from None
        return HttpResponse(int(response.status), _headers(response), text)

    async def stream(self, request: HttpRequest) -> HttpStream:
        controller = js.AbortController.new()
        init = _init(request, controller.signal)
        try:
            response = await self._within(js.fetch(
                request.url, to_js(init, dict_converter=js.Object.fromEntries)),
                controller, request)
        except JsException as exc:
            raise _failure(exc, request) from None
        return HttpStream(int(response.status), _headers(response),
                          self._chunks(response, controller, request))

    async def _chunks(self, response: Any, controller: Any,
                      request: HttpRequest) -> AsyncGenerator[bytes, None]:
        if response.body is None:
            return
        reader = response.body.getReader()
        done = False
        try:
            while True:
                try:
                    part = await self._within(reader.read(), controller, request)
                except JsException as exc:
                    raise _failure(exc, request) from None
                if part.done:
                    done = True
                    return
                yield bytes(part.value.to_bytes())
        finally:
            if not done:  # stopped early, failed or stalled: end the download
                controller.abort()

    async def _within(self, promise: Any, controller: Any, request: HttpRequest) -> Any:
        """``await promise``, aborting the request when it takes longer than the limit."""
        async def wait() -> Any:
            return await promise

        try:
            return await asyncio.wait_for(wait(), self.timeout_ms / 1000)
        except TimeoutError:
            controller.abort()
            raise ServerUnavailable("request_timed_out", endpoint=_path(request.url)) from None


def _init(request: HttpRequest, signal: Any) -> dict[str, Any]:
    init = {
        "method": request.method,
        "headers": request.headers,
        "credentials": "omit",
        "referrerPolicy": "no-referrer",
        "cache": "no-store",
        "redirect": "error",
        "signal": signal,
    }
    if request.body is not None:
        init["body"] = request.body
    return init


def _headers(response: Any) -> dict[str, str]:
    return {"content-type": str(response.headers.get("content-type") or "")}


def _failure(exc: Any, request: HttpRequest) -> ServerUnavailable:
    # Only the kind of failure is kept: the browser's message may quote the URL.
    timed_out = "Timeout" in str(getattr(exc, "name", "")) + str(exc)
    return ServerUnavailable("request_timed_out" if timed_out else "request_failed",
                             endpoint=_path(request.url))


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
