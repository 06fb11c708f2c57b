"""``pyapp.ports.Http`` over the browser's ``fetch``.

Requests carry no cookies or referrer (the token travels only in the ``Authorization``
header, never in a URL), and time out instead of hanging on a stalled server.
"""

from __future__ import annotations

import js
from pyodide.ffi import JsException, to_js

from ..errors import ServerUnavailable
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
            "signal": js.AbortSignal.timeout(self.timeout_ms),
        }
        if request.body is not None:
            init["body"] = request.body
        try:
            response = await js.fetch(
                request.url, to_js(init, dict_converter=js.Object.fromEntries)
            )
            text = str(await response.text())
        except JsException as exc:
            # Only the kind of failure is kept: the browser's message may quote the URL.
            kind = (
                "timed out" if "Timeout" in str(getattr(exc, "name", "")) + str(exc) else "failed"
            )
            raise ServerUnavailable(f"The request to the Speckle server {kind}.") from None
        content_type = response.headers.get("content-type")
        return HttpResponse(int(response.status), {"content-type": str(content_type or "")}, text)
