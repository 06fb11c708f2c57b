"""``pyapp.ports.Storage`` over ``sessionStorage``/``localStorage``, and cross-tab events.

A browser that blocks site data throws ``SecurityError`` as soon as a page *touches*
``sessionStorage``; a full one throws ``QuotaExceededError`` from ``setItem``. Both become
:class:`~pyapp.errors.StorageUnavailable`, raised by the operation that needed the storage,
so a page starts (and says why signing in cannot work) instead of failing to start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull

from ..errors import StorageUnavailable
from ..stores import NAMESPACE


class WebStorage:
    """A thin wrapper so protocol code never sees ``JsProxy`` objects or browser exceptions.

    ``storage`` is the name of the window's storage (``"sessionStorage"``,
    ``"localStorage"``), looked up on each use since looking it up is what a blocking
    browser refuses, or a storage object.
    """

    def __init__(self, storage: Any) -> None:
        self._storage = storage

    def _area(self) -> Any:
        if not isinstance(self._storage, str):
            return self._storage
        try:
            return getattr(js.window, self._storage)
        except JsException as error:
            raise _unavailable(error) from None

    def get(self, key: str) -> str | None:
        area = self._area()
        try:
            value = area.getItem(key)
        except JsException as error:
            raise _unavailable(error) from None
        # PyScript's Pyodide gives JavaScript's null as jsnull, not None: a missing key must
        # not read as the text "null".
        return None if value is None or value is jsnull else str(value)

    def set(self, key: str, value: str) -> None:
        area = self._area()
        try:
            area.setItem(key, value)
        except JsException as error:
            raise _unavailable(error) from None

    def remove(self, key: str) -> None:
        area = self._area()
        try:
            area.removeItem(key)
        except JsException as error:
            raise _unavailable(error) from None

    def keys(self) -> list[str]:
        area = self._area()
        try:
            return [str(area.key(i)) for i in range(int(area.length))]
        except JsException as error:
            raise _unavailable(error) from None


def _unavailable(error: JsException) -> StorageUnavailable:
    # Only the kind is kept: the browser's message is not ours to show. Any case: older
    # Firefox releases name it NS_ERROR_DOM_QUOTA_REACHED.
    full = "quota" in (str(getattr(error, "name", "")) + str(error)).lower()
    return StorageUnavailable(full=full)


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
