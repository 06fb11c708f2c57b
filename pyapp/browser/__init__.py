"""The browser side of ``pyapp.ports``: ``js.crypto``, Web Storage, ``fetch``, ``location``,
``window.open``, IndexedDB.

Only this package (and the page modules in ``pyapp.ui``) import ``js``; everything else is
plain Python that also runs under CPython. Importing it makes the browser's URL parser the
judge of server URLs (:func:`pyapp.server_url.use_url_parser`).
"""

from __future__ import annotations

import js

from ..client import SpeckleClient
from ..config import Settings
from ..notices import use_sink
from ..server_url import use_url_parser
from .crypto import BrowserCrypto
from .http import FetchHttp
from .navigation import BrowserNavigator
from .object_cache import IndexedDbObjectCache
from .popup import BrowserPopups
from .storage import WebStorage, watch_other_tabs
from .url import BrowserUrlParser

# In a page the host that matters is the one the browser connects to (see server_url).
use_url_parser(BrowserUrlParser())
# Notes for the developer are console warnings in a page (see notices).
use_sink(lambda text: js.console.warn(text))


def make_client(settings: Settings | None) -> SpeckleClient:
    """A :class:`SpeckleClient` wired to this page's browser APIs."""
    client = SpeckleClient(
        settings,
        crypto=BrowserCrypto(),
        http=FetchHttp(),
        navigator=BrowserNavigator(),
        # By name: a browser blocking site data throws on the lookup itself.
        session_storage=WebStorage("sessionStorage"),
        local_storage=WebStorage("localStorage"),
        popups=BrowserPopups(),
        object_cache=IndexedDbObjectCache(),
    )
    watch_other_tabs(client.notify)
    return client


__all__ = [
    "BrowserCrypto",
    "BrowserNavigator",
    "BrowserPopups",
    "BrowserUrlParser",
    "FetchHttp",
    "IndexedDbObjectCache",
    "WebStorage",
    "make_client",
]
