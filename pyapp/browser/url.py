"""``pyapp.ports.UrlParser`` on the browser's own URL parser (``new URL(text)``).

The host the server-URL rules judge must be the host ``fetch`` and ``location.assign``
will use; only the browser's parser can say which that is.
"""

from __future__ import annotations

import js
from pyodide.ffi import JsException

from ..ports import ParsedUrl


class BrowserUrlParser:
    def parse(self, text: str) -> ParsedUrl | None:
        try:
            url = js.URL.new(text)
        except JsException:  # TypeError: Invalid URL
            return None
        return ParsedUrl(
            protocol=str(url.protocol),
            username=str(url.username),
            password=str(url.password),
            hostname=str(url.hostname),
            port=str(url.port),
            pathname=str(url.pathname),
            search=str(url.search),
            hash=str(url.hash),
        )
