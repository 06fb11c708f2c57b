"""The browser side of ``pyapp.ports``: ``js.crypto``, Web Storage, ``fetch``, ``location``,
``window.open``.

Only this package (and the page modules in ``pyapp.ui``) import ``js``; everything else is
plain Python that also runs under CPython.
"""

from __future__ import annotations

from ..client import SpeckleClient
from ..config import Settings
from .crypto import BrowserCrypto
from .http import FetchHttp
from .navigation import BrowserNavigator
from .popup import BrowserPopups
from .storage import WebStorage, watch_other_tabs


def make_client(settings: Settings | None) -> SpeckleClient:
    """A :class:`SpeckleClient` wired to this page's browser APIs."""
    import js

    client = SpeckleClient(
        settings,
        crypto=BrowserCrypto(),
        http=FetchHttp(),
        navigator=BrowserNavigator(),
        session_storage=WebStorage(js.sessionStorage),
        local_storage=WebStorage(js.localStorage),
        popups=BrowserPopups(),
    )
    watch_other_tabs(client.notify)
    return client


__all__ = [
    "BrowserCrypto",
    "BrowserNavigator",
    "BrowserPopups",
    "FetchHttp",
    "WebStorage",
    "make_client",
]
