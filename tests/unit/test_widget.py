"""The drop-in widget (``pyapp.ui.widget``) on a fake document: how it draws each screen of
the login controller in its shadow root, what it tells the host page, and what its buttons
do."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import InvalidConfiguration
from pyapp.popup import MESSAGE_TYPE
from pyapp.stores import TRANSACTION_KEY, Session, SessionStore
from tests.unit.fake_browser import Element, FakeBrowser, stored
from tests.unit.fakes import (
    FakeNavigator,
    FakePopups,
    MemoryStorage,
    PythonCrypto,
    ScriptedHttp,
    json_response,
)
from tests.unit.popup_page import CALLBACK, ORIGIN, PAGE, SERVER, TOKENS

NOW = 5000.0
ADA = {"data": {"activeUser": {"id": "u1", "name": "Ada Lovelace"}}}
POPUP = Settings(SERVER, "demo-app")


class Widget:
    """A host element with the widget mounted on the fakes."""

    def __init__(self, browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch,
                 settings: Settings | None = POPUP, session_age: float | None = None,
                 url: str = PAGE, return_to: str | None = None) -> None:
        self.browser = browser
        browser.location.href = url
        self.host = browser.document.add("speckle-login")
        self.http = ScriptedHttp({"/graphql": json_response(200, ADA),
                                  "/oauth/token": json_response(200, TOKENS),
                                  "/auth/logout": json_response(200, {})})
        self.ss, self.ls = MemoryStorage(), MemoryStorage()
        self.nav = FakeNavigator(url)
        self.popups = FakePopups()
        if session_age is not None:
            SessionStore(self.ss, self.ls).save(Session(
                SERVER, "demo-app", "t" * 40, None, None, "auto", "session", NOW - session_age))
        from pyapp.ui import widget

        self.tasks: list[asyncio.Future[None]] = []
        monkeypatch.setattr(widget, "spawn", self.spawn)
        monkeypatch.setattr(widget.time, "time", lambda: NOW)
        self.client = SpeckleClient(settings, crypto=PythonCrypto(), http=self.http,
                                    navigator=self.nav, session_storage=self.ss,
                                    local_storage=self.ls, popups=self.popups,
                                    clock=lambda: NOW)
        self.widget = widget.LoginWidget(self.host, self.client, return_to)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    async def settle(self) -> None:
        for _ in range(100):
            await asyncio.sleep(0)
            if all(task.done() for task in self.tasks):
                return

    @property
    def state(self) -> str:
        return str(self.host.dataset.state)

    @property
    def told(self) -> list[dict[str, Any]]:
        """What ``speckle-login:change`` told the page, in turn."""
        return [event.detail for event in self.host.dispatched
                if event.type == "speckle-login:change"]

    def shown(self, node: Element) -> bool:
        return not node.hidden

    @property
    def focused(self) -> Any:
        return self.browser.document.activeElement


def parts(node: Element) -> list[Any]:
    """``node``'s children: an element as (tag, its text), a text node as its text."""
    return [(child.tagName.lower(), child.textContent) if isinstance(child, Element)
            else child.textContent for child in node.children]


def test_signed_out_the_button_is_enabled_and_the_page_is_told(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch)
        assert w.state == "loading" and w.widget.login_button.disabled
        root = w.host.shadowRoot
        assert root is not None and "--speckle-login-accent" in root.adoptedStyleSheets[0].text
        await w.widget.start()
        assert w.state == "signed-out" and not w.widget.login_button.disabled
        assert w.told == [{"signedIn": False, "name": None}]
        assert w.widget.status.hidden and w.widget.user_box.hidden and w.widget.message.hidden
        assert w.widget.wait_box.hidden

    asyncio.run(test())


def test_a_popup_login_waits_then_shows_the_name_with_focus(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch)
        await w.widget.start()
        w.popups.window.on_navigate = lambda url: asyncio.get_running_loop().call_soon(
            lambda: w.popups.send({"type": MESSAGE_TYPE,
                                   "login": w.popups.opened[-1], "url": CALLBACK}, ORIGIN))
        w.widget.login_button.click()
        assert w.state == "waiting" and len(w.popups.opened) == 1
        assert w.shown(w.widget.wait_box) and w.widget.login_button.hidden
        await w.settle()
        assert w.state == "signed-in", w.widget.message.textContent
        assert w.widget.name.textContent == "Ada Lovelace" and w.widget.avatar.textContent == "AL"
        assert w.focused is w.widget.name and w.shown(w.widget.user_box)
        assert w.told[-1] == {"signedIn": True, "name": "Ada Lovelace"}

    asyncio.run(test())


def test_cancel_is_a_calm_note_and_log_in_comes_back(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch)
        await w.widget.start()
        w.widget.login_button.click()
        w.widget.cancel_button.click()
        await w.settle()
        assert w.state == "signed-out" and not w.widget.login_button.hidden
        message = w.widget.message
        assert w.shown(message) and message.className == "message calm"
        assert message.getAttribute("role") == "status"
        assert w.told == [{"signedIn": False, "name": None}]  # nothing changed for the page

    asyncio.run(test())


def test_a_stored_session_is_checked_in_place_of_the_button(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, session_age=3600)
        await w.widget.start()
        assert w.state == "checking" and w.widget.login_button.hidden
        assert w.widget.user_box.hidden  # nobody to show yet
        assert w.widget.status.textContent == "Checking your session…"
        await w.settle()
        assert w.state == "signed-in" and w.widget.status.hidden
        assert w.focused is None

    asyncio.run(test())


def test_a_lost_server_keeps_log_out_and_offers_try_again(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, session_age=3600)
        w.http.routes["/graphql"] = None
        await w.widget.start()
        await w.settle()
        assert w.state == "offline" and w.widget.name.textContent == "Signed in"
        assert w.widget.avatar.textContent == "?"  # no name to take initials from
        assert w.told[-1] == {"signedIn": True, "name": "Signed in"}
        retry = w.widget.retry_button
        assert parts(w.widget.message)[-2:] == [" ", ("button", "Try again")]
        assert w.widget.message.children[-1] is retry and not retry.hidden
        retry.click()  # the server is still away
        assert retry.getAttribute("aria-busy") == "true" and w.widget.logout_button.disabled
        assert w.shown(w.widget.user_box) and w.widget.name.textContent == "Signed in"
        await w.settle()
        assert w.state == "offline" and w.widget.message.children[-1] is retry
        assert not retry.hidden and retry.getAttribute("aria-busy") is None
        assert not w.widget.logout_button.disabled
        w.http.routes["/graphql"] = json_response(200, ADA)
        retry.click()
        await w.settle()
        assert w.state == "signed-in" and w.widget.message.hidden
        assert w.focused is w.widget.name

    asyncio.run(test())


def test_log_out_shows_log_in_with_focus(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, session_age=3600)
        await w.widget.start()
        await w.settle()
        w.widget.logout_button.click()
        await w.settle()
        assert w.state == "signed-out" and w.focused is w.widget.login_button
        assert w.told[-1] == {"signedIn": False, "name": None} and w.ss.data == {}

    asyncio.run(test())


def test_a_logout_by_the_pages_own_script_shows_log_in(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, session_age=3600)
        await w.widget.start()
        await w.settle()
        assert w.state == "signed-in"
        await w.client.logout()  # as a site's script may, or another tab
        await w.settle()
        assert w.state == "signed-out" and w.shown(w.widget.login_button)
        assert w.told[-1] == {"signedIn": False, "name": None}

    asyncio.run(test())


def test_unusable_settings_are_said_and_the_button_stays_disabled(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, settings=None)
        await w.widget.start(InvalidConfiguration("missing", setting="appId"))
        assert w.state == "error" and w.widget.login_button.disabled
        assert w.shown(w.widget.message) and w.told == []
        assert parts(w.widget.message) == [
            ("strong", "Sign-in isn't available"), " ",
            "This site's Speckle sign-in isn't set up correctly; the site owner can find details "
            "in the browser console."]
        assert w.widget.message.className == "message"
        assert w.widget.message.getAttribute("role") == "alert"
        w.widget.login_button.click()
        assert w.popups.opened == []

    asyncio.run(test())


def test_a_failed_finish_on_a_callback_page_links_back(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, url=CALLBACK)
        w.http.routes["/oauth/token"] = json_response(400, {"error": "invalid_grant"})
        # The login began on PAGE: its transaction is in this tab's storage.
        first = SpeckleClient(POPUP, crypto=PythonCrypto(), http=w.http,
                              navigator=FakeNavigator(PAGE), session_storage=w.ss,
                              local_storage=w.ls, clock=lambda: NOW)
        await first.login()
        await w.widget.start()
        assert w.state == "signed-out"
        link, = w.widget.message.find("a")
        assert link.getAttribute("href") == PAGE
        assert parts(w.widget.message)[-2:] == [" ", ("a", "Back to where you were")]

    asyncio.run(test())


def outline(node: Element) -> list[Any]:
    """``node``'s elements as (tag, attributes, children), text left out."""
    return [(child.tagName.lower(), dict(sorted(child.attributes.items())), outline(child))
            for child in node.children if isinstance(child, Element)]


def test_the_widget_builds_one_box_with_named_parts(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    # Sites restyle the widget by these parts and classes, and read its roles: they are API.
    w = Widget(fake_browser, monkeypatch)
    root = w.host.shadowRoot
    assert root is not None and len(root.adoptedStyleSheets) == 1
    button = {"type": "button"}
    assert outline(root) == [("div", {"class": "box", "lang": "en", "part": "box"}, [
        ("button", {**button, "class": "login", "part": "login-button",
                    "aria-label": "Log in with Speckle", "disabled": ""},
         [("slot", {"name": "mark"}, []), ("span", {}, [])]),
        ("p", {"class": "wait", "role": "status", "hidden": ""}, []),
        ("p", {"class": "wait", "role": "status", "hidden": ""}, [
            ("span", {}, []),
            ("button", {**button, "class": "cancel", "part": "cancel-button"}, [])]),
        ("div", {"class": "user", "hidden": ""}, [
            ("span", {"class": "avatar", "part": "avatar", "aria-hidden": "true"}, []),
            ("span", {"class": "name", "part": "name", "tabindex": "-1"}, []),
            ("button", {**button, "class": "logout", "part": "logout-button"}, [])]),
        ("p", {"class": "message", "role": "alert", "hidden": ""}, []),
    ])]
    texts = [w.widget.login_button.textContent, w.widget.logout_button.textContent,
             w.widget.cancel_button.textContent, w.widget.retry_button.textContent,
             w.widget.wait_box.textContent]
    assert texts == ["Log in with Speckle", "Log out", "Cancel", "Try again",
                     "Continue in the Speckle window to sign in.Cancel"]
    assert w.widget.retry_button.attributes == {"type": "button", "class": "cancel",
                                                "part": "retry-button"}
    assert [len(b.listeners["click"]) for b in (
        w.widget.login_button, w.widget.logout_button, w.widget.cancel_button,
        w.widget.retry_button)] == [1, 1, 1, 1]


def test_the_change_event_reaches_the_page_from_the_shadow_root(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bubbling and composed: a listener on the document hears it, outside the shadow root.
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch)
        await w.widget.start()
        event, = w.host.dispatched
        assert event.type == "speckle-login:change"
        assert event.bubbles is True and event.composed is True

    asyncio.run(test())


def test_a_redirect_login_comes_back_to_return_to_and_log_in_works_after_back(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, settings=Settings(
            SERVER, "demo-app", login_mode="redirect"), return_to=f"{ORIGIN}/app/after.html")
        await w.widget.start()
        w.widget.login_button.click()
        await w.settle()
        assert w.state == "redirecting" and w.popups.opened == []
        (url, _), = w.nav.visited
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")
        assert json.loads(w.ss.data[TRANSACTION_KEY])["return_to"] == f"{ORIGIN}/app/after.html"
        assert w.widget.login_button.disabled
        # Back from Speckle's page, shown again from the back-forward cache: "Log in" works.
        fake_browser.window.dispatch("pageshow", SimpleNamespace(persisted=True))
        assert w.state == "signed-out" and not w.widget.login_button.disabled

    asyncio.run(test())


def test_an_unexpected_problem_is_logged_as_the_widgets(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, settings=None)
        await w.widget.start(RuntimeError("a bug"))
        assert w.state == "error" and w.shown(w.widget.message)
        assert fake_browser.console == [
            ("error", "pyapp: unexpected RuntimeError in the login widget, reading the settings"),
            ("warn", "Speckle sign-in: Something went wrong. Unexpected error: RuntimeError.")]

    asyncio.run(test())


def test_the_browser_console_names_no_part_of_the_page_unless_told(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui import BrowserConsole

    BrowserConsole().unexpected(KeyError("x"), "loading")
    assert fake_browser.console == [("error", "pyapp: unexpected KeyError in loading")]


# -- mount(): the site author's one call -------------------------------------------------

def page_element(browser: FakeBrowser, attributes: dict[str, str],
                 selector: str = "#speckle-login") -> Element:
    """An element of the page with these attributes, found by ``selector``."""
    host = browser.document.add(selector.removeprefix("#"))
    for name, value in attributes.items():
        host.setAttribute(name, value)
    browser.document.selectors[selector] = host
    return host


def run_tasks(monkeypatch: pytest.MonkeyPatch) -> list[asyncio.Future[None]]:
    """What the widget's clicks spawn, kept to be awaited."""
    from pyapp.ui import widget

    tasks: list[asyncio.Future[None]] = []
    monkeypatch.setattr(widget, "spawn", lambda coro: tasks.append(asyncio.ensure_future(coro)))
    return tasks


def test_mount_fills_speckle_login_by_its_data_attributes(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui.widget import LoginWidget, mount

    host = page_element(fake_browser, {
        "data-server-url": SERVER, "data-app-id": "demo-app", "data-login-mode": "redirect",
        "data-return-to": "/app/after.html", "data-language": "de"})
    tasks = run_tasks(monkeypatch)

    async def test() -> None:
        widget = await mount()
        assert isinstance(widget, LoginWidget) and widget.host is host
        assert widget.client.settings is not None  # the page's scripts sign in with it
        assert widget.client.settings.app_id == "demo-app"
        assert host.dataset.state == "signed-out" and not widget.login_button.disabled
        assert widget.login_button.textContent == "Mit Speckle anmelden"
        widget.login_button.click()
        await asyncio.gather(*tasks)
        url, = fake_browser.location.assigned
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")
        transaction = stored(fake_browser.session_storage, TRANSACTION_KEY)
        assert transaction is not None
        assert transaction["return_to"] == f"{ORIGIN}/app/after.html"

    asyncio.run(test())


def test_mount_takes_settings_return_to_and_words_from_code_over_the_attributes(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui.widget import mount

    host = page_element(fake_browser, {
        "data-return-to": "/app/elsewhere.html", "data-language": "de",
        "data-word-login-button": "Los"}, selector="#login")
    tasks = run_tasks(monkeypatch)

    async def test() -> None:
        widget = await mount(host, {"serverUrl": SERVER, "appId": "demo-app",
                                    "loginMode": "redirect"},
                             return_to="/app/after.html", language="en",
                             words={"logout-button": "Sign out"})
        root = host.shadowRoot
        assert root is not None and root.find("div")[0].getAttribute("lang") == "en"
        assert widget.login_button.textContent == "Los"  # the attribute, not replaced
        assert widget.logout_button.textContent == "Sign out"
        widget.login_button.click()
        await asyncio.gather(*tasks)
        url, = fake_browser.location.assigned
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")
        transaction = stored(fake_browser.session_storage, TRANSACTION_KEY)
        assert transaction is not None
        assert transaction["return_to"] == f"{ORIGIN}/app/after.html"

    asyncio.run(test())


@pytest.mark.parametrize("named_by", ["data-config", "config_file"])
def test_mount_reads_settings_and_words_from_a_config_file(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        named_by: str) -> None:
    from pyapp.ui.widget import mount

    config = tmp_path / "widget.json"
    config.write_text(json.dumps({
        "serverUrl": SERVER, "appId": "demo-app", "loginMode": "redirect", "language": "de",
        "words": {"logout-button": "Tschüss"}}), encoding="utf-8")
    by_attribute = named_by == "data-config"
    page_element(fake_browser, {"data-config": str(config)} if by_attribute else {})
    tasks = run_tasks(monkeypatch)

    async def test() -> None:
        widget = await (mount() if by_attribute else mount(config_file=str(config)))
        assert widget.host.dataset.state == "signed-out"
        assert widget.login_button.textContent == "Mit Speckle anmelden"
        assert widget.logout_button.textContent == "Tschüss"
        widget.login_button.click()
        await asyncio.gather(*tasks)
        url, = fake_browser.location.assigned
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")

    asyncio.run(test())


def test_mount_shows_a_missing_config_file_in_the_widget(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.widget import mount

    page_element(fake_browser, {"data-config": "missing.json"})
    widget = asyncio.run(mount())
    assert widget.host.dataset.state == "error" and widget.login_button.disabled
    assert not widget.message.hidden
    assert widget.message.find("strong")[0].textContent == "Sign-in isn't available"
    level, line = fake_browser.console[-1]
    assert level == "warn" and "missing.json" in line


def test_try_again_goes_once_another_tab_signs_in_while_it_asks(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        w = Widget(fake_browser, monkeypatch, session_age=3600)
        w.http.routes["/graphql"] = None
        await w.widget.start()
        await w.settle()
        retry = w.widget.retry_button
        retry.click()
        assert not retry.hidden
        w.client.notify()  # another tab stored a session: this page looks at it afresh
        assert w.state == "checking" and retry.hidden and retry.getAttribute("aria-busy") is None

    asyncio.run(test())
