"""The drop-in widget (``examples/embed/``) on a page it does not own.

The host page has broad styles of its own (every ``button`` crimson, every ``span`` bold) and
a script of its own. The widget must log in and out, take the host's font and text colour but
none of its rules, leave the host's look and behaviour alone, and finish logins on whatever
page the app's redirect URL names. It logs in through a popup by default (the host page keeps
its state); ``"loginMode": "redirect"`` makes it leave the page instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.stores import SESSION_KEY
from tests.e2e.app_page import RECORD_PAGESHOW, AppPage
from tests.e2e.conftest import REPO_ROOT, app_config

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

EMBED = "examples/embed/"
HOST_CRIMSON = "rgb(220, 20, 60)"


def widget(page: Page) -> Locator:
    return page.locator("#speckle-login")


def wait_for(page: Page, state: str) -> None:
    expect(widget(page)).to_have_attribute("data-state", state)


def style_of(locator: Locator, prop: str) -> str:
    value: str = locator.evaluate("(node, prop) => getComputedStyle(node)[prop]", prop)
    return value


def redirect_site(serve_site: Callable[..., StaticServer], mock: MockSpeckle) -> StaticServer:
    """The site with ``"loginMode": "redirect"`` in its config.json."""
    return serve_site(overrides={"config.json": app_config(mock.url, loginMode="redirect")})


def log_in_through_consent(page: Page, mock: MockSpeckle) -> None:
    page.get_by_role("button", name="Log in with Speckle").click()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    page.get_by_role("button", name="Authorize").click()


def test_embed_logs_in_and_out_and_leaves_the_host_page_alone(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    page.goto(app_site.url + EMBED)
    wait_for(page, "signed-out")

    # The host page's script works, and its styles stay out of the widget (and vice versa).
    page.locator("#likes").click()
    expect(page.locator("#like-count")).to_have_text("1")
    login_button = page.get_by_role("button", name="Log in with Speckle")
    assert style_of(page.locator("#likes"), "backgroundColor") == HOST_CRIMSON
    assert style_of(login_button, "backgroundColor") != HOST_CRIMSON
    # It takes the host's font and text colour, as the site's own text does.
    assert "Georgia" in style_of(login_button, "fontFamily")
    assert style_of(widget(page), "color") == "rgb(34, 34, 34)"
    assert page.evaluate("document.querySelectorAll('style').length") == 0

    with page.expect_popup() as opened:  # the widget's default: a popup
        login_button.click()
    popup = opened.value
    wait_for(page, "waiting")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Authorize").click()
    wait_for(page, "signed-in")
    name = widget(page).locator(".name")
    expect(name).to_have_text("Ada Lovelace")
    assert style_of(name, "fontWeight") == "400"  # the host's `span { bold }` stays out
    assert style_of(name, "color") == "rgb(34, 34, 34)"
    expect(page.locator("body")).to_have_attribute("data-speckle-user", "Ada Lovelace")
    page.locator("#likes").click()  # the same page all along: its state is still there
    expect(page.locator("#like-count")).to_have_text("2")
    assert page.url == app_site.url + EMBED
    assert len(mock.token_exchanges()) == 1
    assert "access_code" not in page.url

    app = AppPage(page, app_site.url)
    assert app.session() is not None and app.transaction() is None
    # The page signs out at once and tells the server afterwards: wait for that answer.
    with page.expect_response(lambda response: response.url.endswith("/auth/logout")):
        page.get_by_role("button", name="Log out").click()
        wait_for(page, "signed-out")
    expect(page.locator("body")).to_have_attribute("data-speckle-user", "")
    assert app.our_keys() == {}
    assert [r.status for r in mock.requests if (r.method, r.path) == ("POST", "/auth/logout")] == [
        200
    ]
    page_guard.assert_clean()


def test_a_stored_session_the_widget_cannot_use_is_removed_and_told(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.goto(app_site.url + EMBED)
    wait_for(page, "signed-out")
    # A session written by a newer release: its schema is one this page cannot read.
    page.evaluate("""([key, server]) => sessionStorage.setItem(key, JSON.stringify({
        v: 99, server_url: server, app_id: "demo-app", token: "t".repeat(42),
        refresh_token: null, app_secret: null, dialect: "auto", storage: "session",
        created_at: 1}))""", [SESSION_KEY, mock.url])
    page.reload()
    wait_for(page, "signed-out")
    message = widget(page).locator(".message")
    expect(message.locator("strong")).to_have_text("You were signed out")
    expect(message).to_contain_text("Please log in again.")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert AppPage(page, app_site.url).our_keys() == {}
    page.reload()  # told once: nothing is left to tell on the next load
    wait_for(page, "signed-out")
    expect(message).to_be_hidden()
    page_guard.assert_clean()


def test_back_from_the_consent_page_leaves_the_widget_usable(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard, browser_name: str,
) -> None:
    app_site = redirect_site(serve_site, mock)  # a popup login never leaves the page
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    page.add_init_script(RECORD_PAGESHOW)
    page.goto(app_site.url + EMBED)
    wait_for(page, "signed-out")
    page.get_by_role("button", name="Log in with Speckle").click()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    # As in test_login_flow: after a restore from the back-forward cache only waits that
    # read the page itself work in Playwright's Firefox.
    page.evaluate("history.back()")
    shows = page.wait_for_function("""() => {
        const host = document.querySelector("#speckle-login");
        const button = host && host.shadowRoot && host.shadowRoot.querySelector(".login");
        return location.pathname.endsWith("/embed/") && host.dataset.state === "signed-out"
            && !button.disabled && window.__pageshows;
    }""").json_value()
    if browser_name == "firefox":
        assert shows == [False, True]
    page_guard.assert_clean()


def test_the_host_page_itself_can_be_the_redirect_url(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    app_site = redirect_site(serve_site, mock)
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}index.html"
    page.goto(app_site.url + EMBED + "index.html")
    wait_for(page, "signed-out")
    log_in_through_consent(page, mock)
    page.wait_for_url(re.compile(re.escape(app_site.url + EMBED + "index.html")))
    wait_for(page, "signed-in")
    expect(widget(page).locator(".name")).to_have_text("Ada Lovelace")
    assert page.url == app_site.url + EMBED + "index.html"  # access_code gone from the bar
    assert len(mock.token_exchanges()) == 1
    page_guard.assert_clean()


def test_a_denied_login_is_explained_on_the_callback_page(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    app_site = redirect_site(serve_site, mock)
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    page.goto(app_site.url + EMBED)
    wait_for(page, "signed-out")
    page.get_by_role("button", name="Log in with Speckle").click()
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(re.compile(re.escape(app_site.url + EMBED + "callback.html")))
    wait_for(page, "signed-out")
    note = widget(page).locator(".message")
    expect(note).to_contain_text("You declined access")
    # The visitor's choice: a calm note, announced politely, not an alert.
    expect(note).to_have_class("message calm")
    expect(note).to_have_attribute("role", "status")
    assert "denied" not in page.url
    assert AppPage(page, app_site.url).our_keys() == {}
    page_guard.assert_clean()


def test_mount_without_the_widget_zip_says_which_file_to_list(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle
) -> None:
    # The app pages leave the widget out of pyapp.zip; a page that forgets pyapp-widget.zip
    # must be told what to add, not shown a bare ModuleNotFoundError.
    toml = (REPO_ROOT / EMBED / "pyscript.toml").read_text(encoding="utf-8")
    without = "\n".join(line for line in toml.splitlines() if "pyapp-widget.zip" not in line)
    assert without != toml
    site = serve_site(overrides={"config.json": app_config(mock.url),
                                 f"{EMBED}pyscript.toml": without.encode()})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(site.url + EMBED)
    expect(page.locator(".py-error")).to_contain_text('list "pyapp-widget.zip" = "./*" under')
    # The console names the error (Chromium writes its text, Firefox the error object).
    assert any("InvalidConfiguration" in e for e in errors), errors


def test_the_callback_page_never_strands_anyone(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # A bare callback page: the widget without settings of its own.
    bare = (REPO_ROOT / EMBED / "callback.html").read_text(encoding="utf-8").replace(
        ' data-config="config.json"', "", 1)
    site = serve_site(overrides={"config.json": app_config(mock.url, loginMode="redirect"),
                                 f"{EMBED}callback.html": bare.encode()})
    mock.apps["demo-app"].redirect_url = f"{site.url}{EMBED}callback.html"
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
        const host = document.getElementById("speckle-login");
        window.__placeholder = host && host.innerText.trim();
    }, {once: true});""")
    page.goto(site.url + EMBED)
    wait_for(page, "signed-out")
    page.get_by_role("button", name="Log in with Speckle").click()
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(re.compile(re.escape(site.url + EMBED + "callback.html")))
    wait_for(page, "signed-out")
    assert page.evaluate("window.__placeholder") == "Signing you in…"  # never a blank page
    note = widget(page).locator(".message")
    expect(note).to_contain_text("You declined access")
    back = note.get_by_role("link", name="Back to where you were")
    assert back.get_attribute("href") == site.url + EMBED  # where the login started

    # "Log in" here uses the settings of the login that brought the user here.
    page.get_by_role("button", name="Log in with Speckle").click()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert page.url.startswith(mock.url + "/authn/verify/demo-app/")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(site.url + EMBED)
    wait_for(page, "signed-in")
    page_guard.assert_clean()


def test_a_runtime_that_cannot_load_is_reported_in_the_widget(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
) -> None:
    page.add_init_script("delete globalThis.WebAssembly")
    site = serve_site(overrides={"config.json": app_config(mock.url)})
    page.goto(site.url + EMBED + "callback.html?access_code=x")
    wait_for(page, "error")
    alert = widget(page).get_by_role("alert")
    expect(alert).to_contain_text("Couldn't finish signing you in")
    expect(alert).to_contain_text("This browser can't run this page")
