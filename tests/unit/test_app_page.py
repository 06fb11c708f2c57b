"""The app page (``pyapp.ui.index_page``) on a fake document: how it draws each screen of
the login controller, and what each click asks of it."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import InvalidConfiguration
from pyapp.stores import Session, SessionStore
from pyapp.words import Words
from tests.unit.fake_browser import Element, FakeBrowser
from tests.unit.fakes import (
    FakeNavigator,
    FakePopups,
    MemoryStorage,
    PythonCrypto,
    ScriptedHttp,
    json_response,
)
from tests.unit.test_settings_form import PINNED, index_form

SERVER = PINNED["serverUrl"]
NOW = 5000.0
VIEWER = {"data": {
    "serverInfo": {"name": "Mock Speckle"},
    "activeUser": {"id": "u1", "name": "Ada Lovelace", "email": "ada@example.org",
                   "projects": {"totalCount": 30, "cursor": "c1", "items": [
                       {"id": f"p{n}", "name": f"Project {n}", "role": "stream:owner",
                        "updatedAt": "2026-11-30T10:00:00Z", "visibility": "PRIVATE"}
                       for n in range(25)]}}}}
ELEMENTS = {
    "banner": "div", "notice": "p", "session-check": "p", "login-form": "form",
    "login": "button", "popup-wait": "p", "popup-wait-text": "span", "cancel-login": "button",
    "form-error": "p", "signed-in": "section", "avatar": "span", "user-name": "h2",
    "user-email": "p", "server-name": "p", "logout": "button", "projects-heading": "h3",
    "project-count": "p", "projects": "ul", "projects-status": "p", "load-more": "button",
}
# Hidden in index.html until Python shows them.
HIDDEN = {"banner", "session-check", "popup-wait", "form-error", "signed-in"}
SIGNED_OUT = Words()("signed-out-notice")


class AppPageOnFakes:
    """``index.html`` on the fake document, its client on the plain-Python fakes."""

    def __init__(self, browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch,
                 config: dict[str, Any] | None = None, session_age: float | None = None,
                 problem: InvalidConfiguration | None = None) -> None:
        self.browser = browser
        self.form = index_form(browser)
        for element_id, tag in ELEMENTS.items():
            browser.document.add(element_id, tag).hidden = element_id in HIDDEN
        self.http = ScriptedHttp({"/graphql": json_response(200, VIEWER),
                                  "/auth/logout": json_response(200, {})})
        self.ss, self.ls = MemoryStorage(), MemoryStorage()
        self.popups = FakePopups()
        if session_age is not None:
            SessionStore(self.ss, self.ls).save(Session(
                SERVER, "demo-app", "t" * 40, None, None, "auto", "session", NOW - session_age))
        from pyapp.ui import index_page

        def make_client(settings: Settings | None) -> SpeckleClient:
            return SpeckleClient(settings, crypto=PythonCrypto(), http=self.http,
                                 navigator=FakeNavigator("http://127.0.0.1:8000/"),
                                 session_storage=self.ss, local_storage=self.ls,
                                 popups=self.popups, clock=lambda: NOW)

        self.tasks: list[asyncio.Future[None]] = []
        monkeypatch.setattr(index_page, "make_client", make_client)
        monkeypatch.setattr(index_page, "spawn", self.spawn)
        monkeypatch.setattr(index_page.time, "time", lambda: NOW)
        self.page = index_page.AppPage(config or dict(PINNED, loginMode="redirect"), problem)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    async def settle(self) -> None:
        for _ in range(100):
            await asyncio.sleep(0)
            if all(task.done() for task in self.tasks):
                return

    def __getitem__(self, element_id: str) -> Element:
        node = self.browser.document.getElementById(element_id)
        assert node is not None, element_id
        return node

    @property
    def state(self) -> tuple[str, str]:
        body = self.browser.document.body.dataset
        return body.state, body.loginState

    @property
    def focused(self) -> str | None:
        active = self.browser.document.activeElement
        return active.getAttribute("id") if active is not None else None


def test_signed_out_shows_an_enabled_log_in_and_nothing_else(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch)
        await app.page.start()
        assert app.state == ("signed-out", "signed-out")
        assert not app["login"].disabled and not app["login-form"].hidden
        assert app["signed-in"].hidden and app["session-check"].hidden
        assert app["banner"].hidden and app["form-error"].hidden and app["popup-wait"].hidden

    asyncio.run(test())


def test_a_returning_visitor_is_checked_then_shown_with_projects(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        await app.page.start()
        assert app.state == ("checking", "checking-session")
        assert app["login-form"].hidden and app["signed-in"].hidden
        assert app["session-check"].textContent == "Checking your session…"
        assert not app["session-check"].hidden
        await app.settle()
        assert app.state == ("signed-in", "signed-in")
        assert app["user-name"].textContent == "Ada Lovelace"
        assert app["projects"].childElementCount == 25 and not app["load-more"].hidden
        assert app["session-check"].hidden and app["login-form"].hidden
        assert app.focused is None  # a visit, not a login

    asyncio.run(test())


def test_right_after_a_login_the_page_signs_in_and_focuses_the_name(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=10)
        await app.page.start()
        assert app["session-check"].textContent == "Signing you in…"
        await app.settle()
        assert app.focused == "user-name"

    asyncio.run(test())


def test_a_lost_server_offers_try_again_in_the_banner(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        app.http.routes["/graphql"] = None
        await app.page.start()
        await app.settle()
        assert app.state == ("offline", "offline")
        banner = app["banner"]
        assert not banner.hidden and "Couldn't reach Speckle" in banner.textContent
        retry, = [b for b in banner.find("button") if b.getAttribute("id") == "retry"]
        assert not retry.hidden and app["user-name"].textContent == "Signed in"
        assert app["projects-heading"].hidden and not app["signed-in"].hidden

        app.http.routes["/graphql"] = json_response(200, VIEWER)
        retry.click()
        assert retry.getAttribute("aria-busy") == "true" and not retry.hidden
        assert not app["signed-in"].hidden and app["session-check"].hidden
        await app.settle()
        assert app.state == ("signed-in", "signed-in") and banner.hidden
        assert app["user-name"].textContent == "Ada Lovelace" and app.focused == "user-name"
        assert retry.getAttribute("aria-busy") is None

    asyncio.run(test())


def test_a_site_that_cannot_sign_anyone_in_says_so_and_keeps_log_in_disabled(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        problem = InvalidConfiguration("config_incomplete", value="config.json")
        app = AppPageOnFakes(fake_browser, monkeypatch, problem=problem)
        await app.page.start()
        assert app.state == ("signed-out", "error")
        assert app["login"].disabled and not app["login-form"].hidden
        assert not app["banner"].hidden and not app["banner"].classList.contains("info")
        event = app["login-form"].fire("submit")
        assert event.defaultPrevented and app.popups.opened == [] and app.http.sent == []

    asyncio.run(test())


def test_a_popup_login_waits_below_the_button_and_cancel_is_a_calm_note(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, config=dict(PINNED))
        await app.page.start()
        event = app["login-form"].fire("submit")
        assert event.defaultPrevented and len(app.popups.opened) == 1
        assert app.state == ("waiting", "waiting-for-popup")
        assert not app["popup-wait"].hidden and app["login"].disabled
        assert app["popup-wait-text"].textContent == Words()("popup-wait")
        app["cancel-login"].click()
        await app.settle()
        assert app.state == ("signed-out", "signed-out") and app["popup-wait"].hidden
        note = app["form-error"]
        assert not note.hidden and note.className == "calm"
        assert note.getAttribute("role") == "status" and app["banner"].hidden

    asyncio.run(test())


def test_a_login_that_cannot_start_is_an_alert_by_the_button(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch,
                             config=dict(PINNED, serverUrl="ftp://speckle.example"))
        await app.page.start()
        app["login-form"].fire("submit")
        note = app["form-error"]
        assert not note.hidden and note.className == "error"
        assert note.getAttribute("role") == "alert" and not app["login"].disabled

    asyncio.run(test())


def test_log_out_forgets_and_puts_focus_on_log_in(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        await app.page.start()
        await app.settle()
        app["logout"].click()
        await app.settle()
        assert app.state == ("signed-out", "signed-out") and app.focused == "login"
        assert app["notice"].textContent == SIGNED_OUT and app.ss.data == {}
        assert not app["login-form"].hidden and app["signed-in"].hidden

    asyncio.run(test())


def test_load_more_that_meets_an_ended_session_signs_out_and_says_so(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        await app.page.start()
        await app.settle()
        app.http.routes["/graphql"] = json_response(
            403, {"error": "Your token is not valid."})
        app["load-more"].click()
        await app.settle()
        assert app.state == ("signed-out", "signed-out")
        assert "Your session has ended" in app["banner"].textContent
        assert app["load-more"].getAttribute("aria-busy") is None

    asyncio.run(test())
