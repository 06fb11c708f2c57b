"""``pyapp.ports.Navigator`` over ``location`` and ``history``."""

from __future__ import annotations

import js


class BrowserNavigator:
    def current_url(self) -> str:
        return str(js.location.href)

    def replace_url(self, url: str) -> None:
        # replaceState keeps the page and drops the old address from history entirely.
        js.history.replaceState(js.history.state, "", url)

    def go(self, url: str, replace: bool = False) -> None:
        if replace:
            js.location.replace(url)
        else:
            js.location.assign(url)
