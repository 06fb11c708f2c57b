"""``pyapp.ports.Storage`` over ``sessionStorage``/``localStorage``, and cross-tab events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import create_proxy

from ..stores import NAMESPACE


class WebStorage:
    """A thin wrapper so protocol code never sees ``JsProxy`` objects."""

    def __init__(self, storage: Any) -> None:
        self._storage = storage

    def get(self, key: str) -> str | None:
        value = self._storage.getItem(key)
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        self._storage.setItem(key, value)

    def remove(self, key: str) -> None:
        self._storage.removeItem(key)

    def keys(self) -> list[str]:
        return [str(self._storage.key(i)) for i in range(int(self._storage.length))]


def watch_other_tabs(on_change: Callable[[], None]) -> None:
    """Call ``on_change`` when another tab changes our keys in ``localStorage``.

    The browser fires ``storage`` events only in the *other* tabs, which is what makes a
    logout in one tab sign out the rest when the session is persisted.
    """

    def handle(event: Any) -> None:
        key = event.key
        if key is None or str(key).startswith(NAMESPACE):
            on_change()

    # The proxy must live as long as the page: it is never destroyed on purpose.
    js.window.addEventListener("storage", create_proxy(handle))
