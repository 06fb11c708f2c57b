"""The app page (``pyapp.ui.index_page``) on a fake document: how it draws each screen of
the login controller, and what each click asks of it."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import types
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import InvalidConfiguration
from pyapp.stores import SESSION_KEY, Session, SessionStore
from pyapp.words import Words
from tests.unit.fake_browser import Element, FakeBrowser
from tests.unit.fakes import (
    FakeNavigator,
    FakePopups,
    FakeWindow,
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
                 problem: InvalidConfiguration | None = None, page: bool = True) -> None:
        """``page`` False: the page is left for a test to start (``index_page.main``)."""
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
        if page:
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


def test_each_screen_shows_its_notice_and_draws_a_message_once(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui import index_page

    seen: list[tuple[str, str, object, object]] = []  # (notice, shown, message, its nodes)
    draw = index_page.AppPage.render

    def render(page: index_page.AppPage, screen: Any) -> None:
        draw(page, screen)
        shown = page.banner if screen.place == "page" else page.form_error
        seen.append((screen.notice, page.notice.textContent, screen.message,
                     shown.children[0] if shown.children else None))

    monkeypatch.setattr(index_page.AppPage, "render", render)

    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        app.http.routes["/graphql"] = None
        await app.page.start()
        await app.settle()
        app.http.routes["/graphql"] = json_response(200, VIEWER)
        app["retry"].click()  # busy: the same message on a new screen
        await app.settle()
        app["logout"].click()
        await app.settle()

    asyncio.run(test())
    assert [notice for notice, shown, _, _ in seen] == [shown for _, shown, _, _ in seen]
    assert SIGNED_OUT in [notice for notice, _, _, _ in seen]
    kept = [(before[3], after[3]) for before, after in zip(seen, seen[1:], strict=False)
            if after[2] is before[2] and after[2] is not None]
    assert kept and all(new is old for old, new in kept)  # not drawn again


def test_a_settings_error_told_in_the_banner_marks_no_field(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.messages import message_for

    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, config={"editableSettings": True})
        await app.page.start()
        error = InvalidConfiguration("not_https", value="ftp:", setting="serverUrl")
        screen = app.page.controller.screen
        app.page.render(dataclasses.replace(screen, message=message_for(error, True),
                                            error=error, place="page"))
        assert not app["banner"].hidden and app["form-error"].hidden
        assert app.form["server-url"].getAttribute("aria-invalid") is None

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


def projects_page(first: int, count: int, total: int, cursor: str | None) -> dict[str, Any]:
    """The server's answer to a "Load more": ``count`` projects from number ``first``."""
    return {"data": {"activeUser": {"projects": {
        "totalCount": total, "cursor": cursor, "items": [
            {"id": f"p{n}", "name": f"Project {n}", "role": "stream:owner",
             "updatedAt": "2026-11-30T10:00:00Z", "visibility": "PRIVATE"}
            for n in range(first, first + count)]}}}}


async def signed_in_with_25_of_30(browser: FakeBrowser,
                                  monkeypatch: pytest.MonkeyPatch) -> AppPageOnFakes:
    app = AppPageOnFakes(browser, monkeypatch, session_age=3600)
    await app.page.start()
    await app.settle()
    assert app["projects"].childElementCount == 25 and not app["load-more"].hidden
    return app


def test_load_more_asks_for_the_next_page_and_is_busy_until_it_arrives(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = await signed_in_with_25_of_30(fake_browser, monkeypatch)
        gate = asyncio.Event()
        answer = app.http.send

        async def slow_send(request: Any) -> Any:
            await gate.wait()
            return await answer(request)

        app.http.send = slow_send  # type: ignore[method-assign]
        app.http.routes["/graphql"] = json_response(200, projects_page(25, 3, 30, "c2"))
        sent = len(app.http.sent)
        app["load-more"].focus()
        app["load-more"].click()
        await app.settle()
        assert app["load-more"].getAttribute("aria-busy") == "true"
        app["load-more"].click()  # a second click while the first is answered asks nothing
        gate.set()
        await app.settle()
        assert len(app.http.sent) == sent + 1
        request = app.http.sent[-1]
        assert request.body is not None
        assert json.loads(request.body)["variables"] == {"limit": 25, "cursor": "c1"}
        assert app["projects"].childElementCount == 28
        assert app["projects"].children[25].textContent.startswith("Project 25")
        assert app["project-count"].textContent == "(28 of 30)"
        assert app["projects-status"].textContent == "3 more projects loaded, 28 of 30 shown."
        more = app["load-more"]
        assert not more.hidden and not more.disabled and more.getAttribute("aria-busy") is None
        assert app.focused == "load-more"  # more remain: focus stays on the button
        assert app.state == ("signed-in", "signed-in") and app["banner"].hidden

        app.http.routes["/graphql"] = json_response(200, projects_page(28, 2, 30, "c3"))
        more.click()
        await app.settle()
        assert json.loads(app.http.sent[-1].body or "")["variables"]["cursor"] == "c2"
        assert app["projects"].childElementCount == 30

    asyncio.run(test())


def test_the_last_page_of_projects_hides_load_more_and_focuses_the_first_new_project(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = await signed_in_with_25_of_30(fake_browser, monkeypatch)
        app.http.routes["/graphql"] = json_response(200, projects_page(25, 5, 30, "c2"))
        app["load-more"].click()
        await app.settle()
        items = app["projects"].children
        assert len(items) == 30 and app["load-more"].hidden
        assert fake_browser.document.activeElement is items[25]
        assert app["projects-status"].textContent == "5 more projects loaded, 30 of 30 shown."

        sent = len(app.http.sent)
        app["load-more"].click()  # nothing is left to load: nothing is asked
        await app.settle()
        assert len(app.http.sent) == sent and len(app["projects"].children) == 30

    asyncio.run(test())


def test_an_empty_last_page_hides_load_more_and_leaves_focus_alone(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = await signed_in_with_25_of_30(fake_browser, monkeypatch)
        app.http.routes["/graphql"] = json_response(200, projects_page(25, 0, 30, "c2"))
        app["load-more"].focus()
        app["load-more"].click()
        await app.settle()
        assert app["load-more"].hidden and app["projects"].childElementCount == 25
        assert app.focused == "load-more"
        assert app["projects-status"].textContent == "0 more projects loaded, 25 of 30 shown."

    asyncio.run(test())


def test_load_more_that_cannot_reach_the_server_says_so_and_can_be_clicked_again(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = await signed_in_with_25_of_30(fake_browser, monkeypatch)
        app.http.routes["/graphql"] = json_response(200, projects_page(25, 3, 30, "c2"))
        app["load-more"].click()
        await app.settle()
        app.http.routes["/graphql"] = None
        app["load-more"].click()
        await app.settle()
        banner = app["banner"]
        assert not banner.hidden and "Couldn't reach Speckle" in banner.textContent
        assert app["load-more"].getAttribute("aria-busy") is None
        assert app["projects"].childElementCount == 28  # what was loaded stays

        app.http.routes["/graphql"] = json_response(200, projects_page(28, 2, 30, None))
        app["load-more"].click()
        await app.settle()
        assert app["projects"].childElementCount == 30

    asyncio.run(test())


def test_the_page_speaks_the_sites_language_from_its_html_words_to_its_buttons(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        heading = fake_browser.document.add("login-heading", "h1")
        heading.setAttribute("data-word", "login-button")
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600,
                             config=dict(PINNED, loginMode="redirect", language="de"))
        assert fake_browser.document.documentElement.lang == "de"
        assert heading.textContent == "Mit Speckle anmelden"
        await app.page.start()
        assert app["session-check"].textContent == "Ihre Sitzung wird geprüft…"
        await app.settle()
        app["logout"].click()
        await app.settle()
        assert app["notice"].textContent == "Sie sind abgemeldet."

    asyncio.run(test())


def test_try_again_is_a_secondary_plain_button_made_hidden_until_the_server_is_lost(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, config=dict(PINNED, language="de"))
        await app.page.start()
        retry = app["retry"]  # made by the page, not in index.html
        assert retry.tagName == "BUTTON" and retry.textContent == "Erneut versuchen"
        assert retry.getAttribute("type") == "button" and retry.className == "secondary"
        assert retry.hidden and retry not in app["banner"].descendants()

    asyncio.run(test())


def test_a_login_by_redirect_is_the_default_and_back_from_speckle_enables_log_in_again(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        config = {key: value for key, value in PINNED.items() if key != "loginMode"}
        app = AppPageOnFakes(fake_browser, monkeypatch, config=config)
        navigator: FakeNavigator = app.page.client._navigator
        await app.page.start()
        app["login-form"].fire("submit")
        await app.settle()
        assert app.popups.opened == [] and len(navigator.visited) == 1
        assert navigator.visited[0][0].startswith(f"{SERVER}/authn/verify/demo-app/")
        assert app["login"].disabled and app.state == ("signed-out", "redirecting")

        # The browser shows the page again from its back-forward cache, as it was left.
        fake_browser.window.dispatch("pageshow", types.SimpleNamespace(persisted=False))
        assert app["login"].disabled
        fake_browser.window.dispatch("pageshow", types.SimpleNamespace(persisted=True))
        assert not app["login"].disabled and app.state == ("signed-out", "signed-out")

    asyncio.run(test())


def test_an_editable_page_ignores_a_problem_of_the_sites_pinned_settings(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        problem = InvalidConfiguration("config_incomplete", value="config.json")
        app = AppPageOnFakes(fake_browser, monkeypatch, problem=problem,
                             config={"editableSettings": True})
        await app.page.start()
        assert app.state == ("signed-out", "signed-out")
        assert not app["login"].disabled and app["banner"].hidden

    asyncio.run(test())


def test_pinned_settings_of_the_wrong_type_disable_log_in_and_show_no_stored_session(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600,
                             config=dict(PINNED, appId=5))
        await app.page.start()
        await app.settle()
        assert app.state == ("signed-out", "error") and app["login"].disabled
        assert "isn't set up correctly" in app["banner"].textContent and not app["banner"].hidden
        assert app["signed-in"].hidden and app.http.sent == []
        # Its client is made for no server at all: the stored session is not the page's.
        assert not app.page.client.signed_in and app.page.client.session is None
        assert fake_browser.console == [(
            "warn", "Speckle sign-in: Sign-in isn't available. "
                    "InvalidConfiguration: appId must be text (got a number).")]

    asyncio.run(test())


def run_main(browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, directory: Path,
             config_text: str | None) -> AppPageOnFakes:
    """``index_page.main()`` as ``index.html`` runs it, beside ``config_text`` as its
    config.json (None: there is none)."""
    if config_text is not None:
        (directory / "config.json").write_text(config_text, encoding="utf-8")
    monkeypatch.chdir(directory)
    app = AppPageOnFakes(browser, monkeypatch, page=False)
    from pyapp.ui import index_page

    asyncio.run(index_page.main())
    return app


def test_the_page_starts_from_config_json_and_says_which_keys_it_ignored(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = dict(PINNED, loginMode="redirect", language="de", typo=1)
    app = run_main(fake_browser, monkeypatch, tmp_path, json.dumps(config))
    assert app.state == ("signed-out", "signed-out") and not app["login"].disabled
    assert app["banner"].hidden and fake_browser.document.documentElement.lang == "de"
    warnings = [text for level, text in fake_browser.console if level == "warn"]
    assert len(warnings) == 1 and warnings[0].startswith(
        "pyapp: unknown config key(s) ignored: typo (known: ")


@pytest.mark.parametrize(("config_text", "technical"), [
    (None, "The config file “config.json” was not found."),
    ("{not json", "The config file “config.json” is not valid JSON."),
    ("[1, 2]", "The config file “config.json” must hold a JSON object."),
    (json.dumps({"serverUrl": SERVER}),
     "config.json must name the Speckle server (serverUrl) and the app (appId)."),
    (json.dumps({"appId": "demo-app", "serverUrl": ""}),
     "config.json must name the Speckle server (serverUrl) and the app (appId)."),
])
def test_a_config_json_that_cannot_sign_anyone_in_keeps_log_in_disabled_and_says_why(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        config_text: str | None, technical: str) -> None:
    app = run_main(fake_browser, monkeypatch, tmp_path, config_text)
    assert app.state == ("signed-out", "error") and app["login"].disabled
    assert "isn't set up correctly" in app["banner"].textContent and not app["banner"].hidden
    (level, text), = fake_browser.console
    assert level == "warn" and f"InvalidConfiguration: {technical}" in text


def test_an_editable_config_json_needs_no_server_or_app(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    app = run_main(fake_browser, monkeypatch, tmp_path, json.dumps({"editableSettings": True}))
    assert app.state == ("signed-out", "signed-out") and not app["login"].disabled
    assert app["banner"].hidden and fake_browser.console == []


def parts(node: Element) -> list[str]:
    """``node``'s children as the page drew them: ``<tag>text`` for an element, else text."""
    return [f"<{child.tagName.lower()}>{child.textContent}" if isinstance(child, Element)
            else child.textContent for child in node.children]


def test_a_banner_is_the_title_in_bold_then_the_words_and_try_again_below(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600)
        app.http.routes["/graphql"] = None
        await app.page.start()
        await app.settle()
        assert parts(app["banner"]) == [
            "<strong>Couldn't reach Speckle", " ",
            "Speckle didn't answer. Check your internet connection, then try again.",
            "<br>", "<button>Try again"]
        assert not app["banner"].classList.contains("info")
        assert fake_browser.console == [("warn", "Speckle sign-in: Couldn't reach Speckle. "
                                         "ServerUnavailable: The Speckle server is unavailable.")]

        app.http.routes["/graphql"] = json_response(200, VIEWER)
        app["retry"].click()
        await app.settle()
        assert app["banner"].hidden and app["banner"].children == []

    asyncio.run(test())


def test_an_editable_page_adds_the_technical_detail_to_a_message(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, session_age=3600,
                             config={"editableSettings": True})
        app.http.routes["/graphql"] = None
        await app.page.start()
        await app.settle()
        banner = app["banner"]
        assert parts(banner)[3] == "<small>ServerUnavailable: The Speckle server is unavailable."
        small, = banner.find("small")
        assert small.className == "technical" and len(parts(banner)) == 6

    asyncio.run(test())


def test_a_setting_at_fault_is_said_by_the_button_and_marked_in_place_of_a_calm_banner(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, config={"editableSettings": True})
        app.ss.data[SESSION_KEY] = json.dumps({"v": 99})  # a record this release cannot read
        await app.page.start()
        banner = app["banner"]
        assert not banner.hidden and banner.classList.contains("info")
        assert parts(banner)[0] == "<strong>You were signed out"
        assert app["form-error"].hidden  # news of the page, not an answer to "Log in"

        app.form["server-url"].value = "ftp://speckle.example"
        app.form["app-id"].value = "demo-app"
        app["login-form"].fire("submit")
        await app.settle()
        note = app["form-error"]
        assert parts(note) == ["<strong>Check the settings", " ",
                               "A Speckle server URL must start with https:// (got “ftp:”)."]
        assert not note.hidden and banner.hidden and banner.children == []
        assert app.form["server-url"].getAttribute("aria-invalid") == "true"
        assert app.form["server-url"].getAttribute("aria-describedby") == "form-error"
        assert app.form["app-id"].getAttribute("aria-invalid") is None

        app.form["server-url"].value = SERVER
        app["login-form"].fire("submit")  # the page leaves for Speckle: the note goes
        assert note.hidden and app.state == ("signed-out", "redirecting")
        # ...and so does the mark: no field is described by a note no longer shown.
        assert app.form["server-url"].getAttribute("aria-invalid") is None
        assert app.form["server-url"].getAttribute("aria-describedby") != "form-error"

    asyncio.run(test())


@pytest.mark.parametrize(("states", "popup", "words"), [
    (("home", "away"), "open", "popup-wait"),  # on the consent page: closing it cancels
    (("home", "closed"), "detached", "popup-detached"),  # cut off, as before: reads closed
])
def test_the_wait_for_a_popup_says_what_the_page_can_tell_of_it(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, states: tuple[str, ...],
        popup: str, words: str) -> None:
    from pyapp import popup as popup_module

    # The page looks at its popup at each turn of the event loop.
    monkeypatch.setattr(popup_module, "POLL_SECONDS", 0)
    monkeypatch.setattr(popup_module, "CLOSE_GRACE_SECONDS", 0)

    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch, config=dict(PINNED))
        app.popups.window = FakeWindow(*states)
        await app.page.start()
        # A server whose popup answered after reading closed (see test_popup.py): from then
        # on, a popup of it that reads closed before it reached Speckle is waited for.
        navigator = app.page.client._popup
        assert navigator is not None
        navigator.severing_servers.add(popup_module.origin_of(SERVER))
        app["login-form"].fire("submit")
        wait, text = app["popup-wait"], app["popup-wait-text"]
        assert wait.dataset.popup == "" and text.textContent == Words()("popup-wait")
        await app.settle()
        assert wait.dataset.popup == popup and text.textContent == Words()(words)
        assert app.state == ("waiting", "waiting-for-popup") and not wait.hidden
        app["cancel-login"].click()
        await app.settle()
        assert wait.hidden and app.state == ("signed-out", "signed-out")

    asyncio.run(test())


def test_a_login_whose_settings_cannot_be_read_says_why_by_the_button(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = AppPageOnFakes(fake_browser, monkeypatch,
                             config={"editableSettings": True, "allowInsecureHttp": "maybe"})
        await app.page.start()
        app.form["server-url"].value, app.form["app-id"].value = SERVER, "demo-app"
        event = app["login-form"].fire("submit")
        await app.settle()
        note = app["form-error"]
        assert parts(note) == ["<strong>Check the settings", " ",
                               "allowInsecureHttp must be true or false (got text)."]
        assert not note.hidden and note.getAttribute("role") == "alert"
        assert event.defaultPrevented and app.state == ("signed-out", "signed-out")
        assert app.http.sent == [] and app.page.client._navigator.visited == []

    asyncio.run(test())


def test_a_bug_while_loading_more_is_said_on_the_page_and_named_in_the_console(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    async def test() -> None:
        app = await signed_in_with_25_of_30(fake_browser, monkeypatch)

        async def broken(cursor: str | None = None) -> Any:
            raise KeyError("a bug")

        app.page.client.projects = broken  # type: ignore[method-assign]
        app["load-more"].click()
        await app.settle()
        assert parts(app["banner"])[:3] == ["<strong>Something went wrong", " ",
                                            "Please try again."]
        assert app.state == ("signed-in", "signed-in") and app["projects"].childElementCount == 25
        assert fake_browser.console[0][0] == "error" and fake_browser.console[0][1].startswith(
            "pyapp: unexpected KeyError in loading more projects at ")
        assert app["load-more"].getAttribute("aria-busy") is None

    asyncio.run(test())
