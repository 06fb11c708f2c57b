"""The callback page's states and what it says where: page, console, and for whom.

A site whose settings the person may edit (``"editableSettings": true`` in its config.json)
shows the technical detail on the page and asks them to fix the settings; a pinned site
keeps that detail in the console.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.fake_browser import FakeBrowser, FetchResponse
from tests.unit.test_callback_page import arrive, run_page

SETUP_REJECTION = {"error": "Invalid app secret"}  # the site's settings are wrong


def site_config(directory: Path, monkeypatch: pytest.MonkeyPatch, editable: bool) -> None:
    """The page runs in ``directory``, beside the site's config.json."""
    config = {"serverUrl": "http://127.0.0.1:8001", "appId": "demo-app"}
    if editable:
        config["editableSettings"] = True  # type: ignore[assignment]
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    monkeypatch.chdir(directory)


def test_the_page_says_completing_while_the_code_is_exchanged(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui import callback_page

    seen: list[str] = []

    async def exchange() -> None:
        seen.append(fake_browser.document.body.dataset.state)

    monkeypatch.setattr(callback_page, "finish_login", exchange)
    arrive(fake_browser, "access_code=abc")
    assert run_page() is None
    assert seen == ["completing"] and fake_browser.document.body.dataset.state == "done"


def test_editable_settings_show_the_technical_detail_and_ask_for_a_fix(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site_config(tmp_path, monkeypatch, editable=True)
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(500, "<html>down</html>",
                                                              "text/html")
    arrive(fake_browser, "access_code=abc")
    run_page()
    result = fake_browser.document.by_id["result"]
    error, technical = result.find("p")
    assert error.attributes == {"class": "error"}
    assert technical.attributes == {"class": "technical"}
    assert "500" in technical.textContent and technical.textContent != error.textContent


def test_a_settings_problem_asks_the_editor_to_fix_them_and_the_visitor_to_go_back(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    labels = []
    for editable in (True, False):
        directory = tmp_path / str(editable)
        directory.mkdir()
        site_config(directory, monkeypatch, editable)
        fake_browser.fetch.routes["/oauth/token"] = FetchResponse(
            400, json.dumps(SETUP_REJECTION))
        arrive(fake_browser, "access_code=abc")
        run_page()
        link, = fake_browser.document.by_id["result"].find("a")
        labels.append(link.textContent)
    assert labels == ["Back to the settings", "Back to the app"]


def test_a_pinned_site_keeps_the_technical_detail_in_the_console(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site_config(tmp_path, monkeypatch, editable=False)
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(500, "<html>down</html>",
                                                              "text/html")
    arrive(fake_browser, "access_code=abc")
    run_page()
    assert len(fake_browser.document.by_id["result"].find("p")) == 1
    (level, line), = fake_browser.console
    assert level == "warn" and "500" in line


def test_a_bug_is_reported_by_type_in_the_console(fake_browser: FakeBrowser,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp.ui import callback_page

    async def broken() -> None:
        raise KeyError("access_code=abc")

    monkeypatch.setattr(callback_page, "finish_login", broken)
    arrive(fake_browser, "access_code=abc")
    run_page()
    errors = [line for level, line in fake_browser.console if level == "error"]
    warnings = [line for level, line in fake_browser.console if level == "warn"]
    assert len(errors) == 1
    assert errors[0].startswith("pyapp: unexpected KeyError in finishing the login at ")
    assert len(warnings) == 1 and "KeyError" in warnings[0]
    assert not any("access_code" in line for _, line in fake_browser.console)


@pytest.mark.parametrize("editable", [True, False])
def test_a_declined_login_is_a_calm_note_with_the_detail_only_for_an_editor(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        editable: bool) -> None:
    site_config(tmp_path, monkeypatch, editable=editable)
    arrive(fake_browser, "denied=true")
    run_page()
    result = fake_browser.document.by_id["result"]
    shown = [(p.attributes["class"], p.textContent) for p in result.find("p")]
    assert shown[0] == ("calm", "You're not signed in, and nothing from your Speckle account "
                                "was shared. You can log in again whenever you like.")
    assert shown[1:] == ([("technical", "LoginDenied: The user declined access on Speckle's "
                                        "consent page.")] if editable else [])
    assert [h.textContent for h in result.find("h2")] == ["You declined access"]
    assert fake_browser.document.body.dataset.state == "error"


def test_the_callback_page_speaks_the_language_its_site_chose(
        fake_browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"language": "de"}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    fake_browser.fetch.routes["/oauth/token"] = FetchResponse(
        200, json.dumps({"token": "t1", "refreshToken": "r1"}))
    arrive(fake_browser, "access_code=abc")
    assert run_page() is None
    assert fake_browser.document.documentElement.lang == "de"
    status = fake_browser.document.by_id["status"]
    assert status.textContent == "Angemeldet. Sie werden zurückgeleitet…"
