"""``pyapp.ports.Popups`` on ``window.open``, ``BroadcastChannel`` and ``postMessage``.

The popup is opened empty and marked (see :mod:`pyapp.popup`) synchronously, inside the
click that asked for it; the client sends it to the consent page once the PKCE pair is ready.
Its ``window.opener`` is cut while it is still our own empty page: every page it shows later
(the consent page, a single sign-on page, any site a link there leads to) finds no opener, so
none can send this page's tab elsewhere ("reverse tabnabbing"). This page keeps its own
handle on the popup, to watch and close it; the answer comes back on the login's channel.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

import js
from pyodide.ffi import create_proxy, jsnull

from .. import popup


class BrowserPopup:
    """A popup window, as far as its opener can see it."""

    def __init__(self, window: Any) -> None:
        self._window = window

    def navigate(self, url: str) -> None:
        # replace(): the empty page the popup started on stays out of its history.
        self._window.location.replace(url)

    def state(self) -> Literal["home", "away", "closed"]:
        if self._window.closed:
            return "closed"
        try:
            str(self._window.location.href)  # throws once the popup shows another origin
        except Exception:
            return "away"
        return "home"

    def close(self) -> None:
        # Only while it shows this origin: the popup is disowned, so a browser may refuse to
        # let this page close it once it shows another site (Chromium does, with a console
        # error). There the visitor closes it, or it closes itself at the callback page.
        if self.state() == "home":
            self._window.close()


class BrowserPopups:
    """Opens login popups and hears from their callback pages."""

    def open(self, login_id: str) -> BrowserPopup | None:
        storage = js.sessionStorage
        features = popup.popup_features(js.window.screenX, js.window.screenY,
                                        js.window.outerWidth, js.window.outerHeight)
        # The popup starts with a copy of this sessionStorage: the marker lives in this
        # page only for the duration of the window.open call.
        storage.setItem(popup.MARKER_KEY, json.dumps({"login": login_id}))
        try:
            window = js.window.open("", "", features)
        finally:
            storage.removeItem(popup.MARKER_KEY)
        # A blocker makes window.open answer null (JavaScript's, not Python's None).
        if window is None or window is jsnull or window.closed:
            return None
        # Disowned for good: the browser keeps the popup's opener null across navigations.
        # (Python's None would reach JavaScript as undefined, which does not disown.)
        window.opener = jsnull
        return BrowserPopup(window)

    def listen(self, login_id: str, handler: Callable[[Any, str], None]) -> Callable[[], None]:
        def on_message(event: Any) -> None:
            data = event.data
            to_py = getattr(data, "to_py", None)
            try:
                data = to_py() if to_py is not None else data
            except Exception:  # a shape no callback page sends: not ours
                return
            handler(data, str(event.origin))

        proxy = create_proxy(on_message)
        channel = js.BroadcastChannel.new(popup.channel_name(login_id))
        channel.addEventListener("message", proxy)
        js.window.addEventListener("message", proxy)

        def stop() -> None:
            js.window.removeEventListener("message", proxy)
            channel.close()
            proxy.destroy()

        return stop
