"""The callback page (``pyapp.ui.callback_page``) on a fake browser, start to finish.

The page's history is modelled entry by entry, so these tests see what "Back" would show.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from pyapp.config import Settings
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY
from tests.unit.fake_browser import FakeBrowser, FetchResponse, TextNode

SERVER = "http://127.0.0.1:8001"
APP = "http://127.0.0.1:8000/app/?tab=2"
CALLBACK = "http://127.0.0.1:8000/callback.html"
MARKUP = "<b>bold</b> claim"


def arrive(browser: FakeBrowser, query: str, *, transaction: bool = True) -> None:
    """A login started on the app page, then Speckle's consent page sends the browser to
    the callback with ``query``."""
    from pyapp.browser import make_client

    browser.document.add("status", "p").textContent = "Signing you in…"
    browser.document.add("result").hidden = True
    if transaction:
        browser.location.href = APP
        asyncio.run(make_client(Settings(SERVER, "demo-app", dialect="documented")).login())
        assert browser.location.assigned[0].startswith(f"{SERVER}/authn/verify/demo-app/")
        browser.location.assigned.clear()
    browser.history.entries = [APP, f"{SERVER}/authn/verify/demo-app/x", f"{CALLBACK}?{query}"]
    browser.history.current = 2
    browser.location.href = f"{CALLBACK}?{query}"


def run_page() -> BaseException | None:
    from pyapp.ui.callback_page import main

    try:
        asyncio.run(main())
    except Exception as error:  # noqa: BLE001 - the page re-raises bugs; tests inspect them
        return error
    return None


def test_success_stores_the_session_and_goes_back_replacing_the_callback(
        fake_browser: FakeBrowser) -> None:
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(
        200, json.dumps({"token": "t1", "refreshToken": "r1"}))
    arrive(fake_browser, "access_code=abc")
    assert run_page() is None
    assert fake_browser.fetch.paths() == ["/oauth/token"]
    assert json.loads(fake_browser.session_storage.items[SESSION_KEY])["token"] == "t1"
    assert TRANSACTION_KEY not in fake_browser.session_storage.items
    assert fake_browser.location.replaced == [APP] and fake_browser.location.assigned == []
    status = fake_browser.document.by_id["status"]
    assert status.textContent == "Signed in. Taking you back…"
    assert fake_browser.document.body.dataset.state == "done"


def test_error_leaves_no_history_entry_with_the_code(fake_browser: FakeBrowser) -> None:
    """A callback that stays on its page (an error): Back goes to the consent page, and no
    entry anywhere in history still carries the access code."""
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(
        400, json.dumps({"error": "invalid_grant", "error_description": MARKUP}))
    arrive(fake_browser, "access_code=abc")
    assert run_page() is None
    assert fake_browser.document.body.dataset.state == "error"
    assert fake_browser.location.href == CALLBACK
    assert not any("access_code" in entry for entry in fake_browser.history.entries)
    assert fake_browser.history.back() == f"{SERVER}/authn/verify/demo-app/x"


def test_error_is_shown_as_text_with_a_link_back_to_where_login_started(
        fake_browser: FakeBrowser) -> None:
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(
        400, json.dumps({"error": "invalid_grant", "error_description": MARKUP}))
    arrive(fake_browser, "access_code=abc")
    run_page()
    document = fake_browser.document
    assert document.by_id["status"].hidden is True
    result = document.by_id["result"]
    assert result.hidden is False
    heading, = result.find("h2")
    paragraph, = result.find("p")
    link, = result.find("a")
    assert document.title == f"{heading.textContent} · Speckle"
    assert paragraph.attributes == {"class": "error"} and paragraph.textContent
    assert link.attributes == {"href": APP, "class": "button", "id": "next-action"}
    assert link.textContent == "Log in again"
    assert result.find("b") == [] and all(
        isinstance(node, TextNode) for node in heading.children + paragraph.children)
    assert SESSION_KEY not in fake_browser.session_storage.items


def test_denied_links_back_to_the_app(fake_browser: FakeBrowser) -> None:
    arrive(fake_browser, "denied=true")
    run_page()
    assert fake_browser.fetch.calls == []
    link, = fake_browser.document.by_id["result"].find("a")
    assert link.attributes["href"] == APP
    assert not any("denied" in entry for entry in fake_browser.history.entries)


def test_without_a_transaction_the_link_goes_to_the_app_page(fake_browser: FakeBrowser) -> None:
    arrive(fake_browser, "access_code=abc", transaction=False)
    run_page()
    link, = fake_browser.document.by_id["result"].find("a")
    assert link.attributes["href"] == "./"
    assert fake_browser.document.body.dataset.state == "error"


def test_a_bug_still_ends_in_a_message(fake_browser: FakeBrowser,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui import callback_page

    async def broken() -> None:
        raise KeyError("bug")

    monkeypatch.setattr(callback_page, "finish_login", broken)
    arrive(fake_browser, "access_code=abc")
    run_page()
    result = fake_browser.document.by_id["result"]
    assert result.hidden is False and result.find("a")[0].attributes["href"] == "./"
    assert result.find("p")[0].textContent == "Please try again."  # the type goes to the console
    assert fake_browser.document.body.dataset.state == "error"


def test_a_german_page_finishes_the_login_in_german(fake_browser: FakeBrowser) -> None:
    fake_browser.document.documentElement.lang = "de"
    arrive(fake_browser, "denied=true")
    status = fake_browser.document.by_id["status"]
    status.setAttribute("data-word", "completing")
    assert run_page() is None
    result = fake_browser.document.by_id["result"]
    assert [h.textContent for h in result.find("h2")] == ["Sie haben den Zugriff abgelehnt"]
    assert [a.textContent for a in result.find("a")] == ["Zurück zur App"]
    assert status.textContent == "Sie werden angemeldet…"  # its HTML text, re-worded
    assert fake_browser.document.title == "Sie haben den Zugriff abgelehnt · Speckle"


def test_a_sites_own_words_from_config_json_reach_the_callback_page(
        fake_browser: FakeBrowser, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config.json").write_text(json.dumps(
        {"words": {"action-back": "Home", "no-such-key": "x"}}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arrive(fake_browser, "denied=true")
    assert run_page() is None
    result = fake_browser.document.by_id["result"]
    assert [a.textContent for a in result.find("a")] == ["Home"]
    assert any("“no-such-key” is not a word key" in text for _, text in fake_browser.console)
