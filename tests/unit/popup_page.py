"""A page whose client logs in through a fake popup window, for the unit tests.

Shared by the popup and login-settings tests: the site's addresses, the callback URL the
popup reports, the server's token answer, and a client wired to fakes (Web Storage,
navigation, HTTP, ``window.open`` and the message channels).
"""

from __future__ import annotations

import asyncio

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.popup import MESSAGE_TYPE
from tests.unit.fakes import (
    FakeNavigator,
    FakePopups,
    FakeWindow,
    MemoryStorage,
    PythonCrypto,
    ScriptedHttp,
    json_response,
)

SERVER = "http://127.0.0.1:8001"
ORIGIN = "http://127.0.0.1:8000"
PAGE = f"{ORIGIN}/app/index.html"
CALLBACK = f"{ORIGIN}/app/callback.html?access_code=c0de"
TOKENS = {"token": "a" * 42, "refreshToken": "b" * 42}
POPUP_SETTINGS = Settings(SERVER, "demo-app", login_mode="popup")


class PopupPage:
    """One page: its client, storage, address bar, requests and the windows it opens.

    ``changes`` records what ``on_change`` listeners hear, ``states`` the popup states.
    """

    def __init__(self, settings: Settings | None = POPUP_SETTINGS, *,
                 window: FakeWindow | None = None, blocked: bool = False,
                 now: float = 1010.0) -> None:
        self.ss, self.ls = MemoryStorage(), MemoryStorage()
        self.nav = FakeNavigator(PAGE)
        self.http = ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
        self.popups = FakePopups(window, blocked)
        self.window = self.popups.window
        self.client = SpeckleClient(
            settings, crypto=PythonCrypto(), http=self.http, navigator=self.nav,
            session_storage=self.ss, local_storage=self.ls, popups=self.popups,
            clock=lambda: now)
        self.changes: list[object] = []
        self.client.on_change(self.changes.append)
        self.states: list[str] = []
        self.client.on_popup_state(self.states.append)

    def answer(self) -> None:
        """The popup's callback script reporting the callback for the latest login."""
        self.popups.send({"type": MESSAGE_TYPE, "login": self.popups.opened[-1],
                          "url": CALLBACK}, ORIGIN)

    def answer_once_sent_to_consent(self) -> None:
        """Let the popup answer as soon as it is sent to the consent page."""
        self.window.on_navigate = (
            lambda url: asyncio.get_running_loop().call_soon(self.answer))
