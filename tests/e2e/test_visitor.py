"""What a visitor of a deployed site meets, and what its owner sets up.

The site owner pins the server and app in ``config.json``; a visitor sees "Log in with
Speckle" and "Stay signed in", never a settings form, and a site set up wrongly says so in
plain words (the detail goes to the console). Also: keyboard focus and announcements, the
phone layout at 390 x 844, and the settings form's memory after a failed login.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from devtools.static_server import StaticServer
from mock_speckle import App, MockSpeckle
from pyapp.stores import SESSION_KEY
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_SECRET, app_config

# The playground form's memory in sessionStorage (pyapp.ui.settings_form.FORM_KEY).
FORM_KEY = "speckle-login-settings"

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

NETWORK_NOISE = (r"Failed to load resource", r"net::ERR_")
PHONE = {"width": 390, "height": 844}
LONG_NAME = "Refurbishment-of-the-north-wing-" * 4 + "phase-2 (structural, MEP & façade)"


def visitor_site(serve_site: Callable[..., StaticServer], mock: MockSpeckle,
                 **config: object) -> StaticServer:
    """The site as its owner deploys it: config.json without editableSettings."""
    config.setdefault("editableSettings", None)
    site = serve_site(overrides={"config.json": app_config(mock.url, **config)})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    return site


def test_a_visitor_sees_only_log_in_and_stay_signed_in(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = visitor_site(serve_site, mock)
    app = AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(page.get_by_label("Stay signed in on this device")).to_be_visible()
    for hidden in ("Server URL", "App ID"):
        expect(page.get_by_label(hidden)).to_be_hidden()
    expect(page.get_by_text("Advanced")).to_be_hidden()

    page.get_by_label("Stay signed in on this device").check()
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert app.storage("localStorage")  # "Stay signed in" chose localStorage
    page_guard.assert_clean()


def test_the_form_appears_only_for_a_literal_true(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
) -> None:
    site = visitor_site(serve_site, mock, editableSettings="true")  # a string is not true
    AppPage(page, site.url).open()
    expect(page.get_by_label("Server URL")).to_be_hidden()


@pytest.mark.parametrize("app_id", [None, 5], ids=["missing", "not-text"])
def test_a_site_set_up_wrongly_says_so_and_details_go_to_the_console(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    app_id: object, page_guard: PageGuard,
) -> None:
    site = visitor_site(serve_site, mock, appId=app_id)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    AppPage(page, site.url).open()
    expect(page.locator("#banner")).to_contain_text("isn't set up correctly")
    expect(page.locator("#banner")).not_to_contain_text("appId")  # not for the visitor
    expect(page.locator("#banner")).to_have_class("banner")  # an error's colour, not news
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_disabled()
    assert any("appId" in w for w in warnings), warnings
    page_guard.assert_clean()


def test_a_visitor_at_a_server_without_the_secret_is_not_asked_for_it(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    mock.dialect = "deployed"
    site = visitor_site(serve_site, mock)
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    app = AppPage(page, site.url).open()
    app.to_consent()
    app.authorize()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    result = page.locator("#result")
    expect(result).to_contain_text("isn't set up correctly")
    expect(result).not_to_contain_text("/oauth/token")
    expect(result).not_to_contain_text("secret")
    expect(result.get_by_role("link")).to_have_text("Back to the app")
    assert any("/oauth/token" in w for w in warnings), warnings
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


@pytest.fixture
def other_server() -> Iterator[MockSpeckle]:
    """A second Speckle server, with a user of its own: not the one config.json names."""
    server = MockSpeckle(host="127.0.0.1", port=0).start()
    server.users[server.consent_user_id].name = "Grace Hopper"
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("login_mode", ["redirect", "popup"])
def test_the_playground_signs_in_at_a_server_other_than_the_configured_one(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    other_server: MockSpeckle, login_mode: str, page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url, loginMode=login_mode)})
    other_server.register_app(App(id="other-app", secret="other-secret", name="Other",
                                  redirect_url=f"{site.url}callback.html"))
    app = AppPage(page, site.url).open().fill(server_url=other_server.url, app_id="other-app")
    if login_mode == "popup":
        app.authorize_in(app.open_popup())
        app.wait_for("signed-in")
    else:
        app.log_in()
    expect(page.locator("#user-name")).to_have_text("Grace Hopper")
    expect(page.locator("#projects li").first).to_be_visible()
    assert (app.session() or {}).get("server_url") == other_server.url
    assert mock.requests == []  # the configured server heard nothing of it
    page.reload()
    app.wait_for("signed-in")  # the page made for no server still shows it
    expect(page.locator("#user-name")).to_have_text("Grace Hopper")
    page_guard.assert_clean()


def test_a_pinned_site_neither_shows_nor_sends_a_session_made_for_another_app(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = visitor_site(serve_site, mock)
    app = AppPage(page, site.url).open()
    planted = {"v": 1, "server_url": mock.url, "app_id": "another-app", "token": "t" * 42,
               "refresh_token": None, "app_secret": None, "dialect": "auto",
               "storage": "session", "created_at": 1}
    page.evaluate("([key, value]) => sessionStorage.setItem(key, value)",
                  [SESSION_KEY, json.dumps(planted)])
    page.reload()
    app.wait_for("signed-out")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(page.locator("#banner")).to_be_hidden()
    assert not [r for r in mock.requests if r.path.startswith("/graphql")]  # token never sent
    assert app.session() == planted  # another page's session: not this one's to remove
    app.log_in()  # this site's own login replaces it, and shows
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert (app.session() or {}).get("app_id") == "demo-app"
    page_guard.assert_clean()


def test_back_to_the_settings_keeps_what_was_typed(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET, dialect="documented",
                                                  remember=True)
    app.to_consent()
    app.authorize()
    result = page.locator("#result")
    expect(result).to_contain_text("already set")  # not "add the secret you already added"
    expect(result).not_to_contain_text("add the App secret")
    page.get_by_role("link", name="Back to the settings").click()
    app.wait_for("signed-out")
    expect(page.locator("#app-secret")).to_have_value(APP_SECRET)
    expect(page.get_by_label("Token endpoint")).to_have_value("documented")
    expect(page.get_by_label("Server URL")).to_have_value(mock.url)
    expect(page.get_by_label("Stay signed in on this device")).to_be_checked()
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_an_invalid_field_is_marked_and_described(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open().fill(app_id="not an id!")
    app.click_login()
    field = page.get_by_label("App ID")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "form-error")
    expect(page.get_by_label("Server URL")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-error")).to_contain_text("App ID")
    app.fill(app_id="demo-app")
    app.to_consent()
    page_guard.assert_clean()


def test_keyboard_focus_and_announcements_follow_load_more_and_log_out(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    load_more = page.get_by_role("button", name="Load more")
    load_more.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#projects li")).to_have_count(50)
    expect(load_more).to_be_focused()
    status = page.locator("#projects-status")
    expect(status).to_have_text("25 more projects loaded, 50 of 60 shown.")
    page.keyboard.press("Enter")
    expect(page.locator("#projects li")).to_have_count(60)
    expect(load_more).to_be_hidden()
    expect(page.locator("#projects li").nth(50)).to_be_focused()  # the first new one
    expect(status).to_have_text("10 more projects loaded, 60 of 60 shown.")

    page.get_by_role("button", name="Log out").focus()
    page.keyboard.press("Enter")
    app.wait_for("signed-out")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="signed out")).to_have_text(
        "You are signed out.")
    page_guard.assert_clean()


def test_a_phone_shows_everything_within_the_screen(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    user = mock.users[mock.consent_user_id]
    user.name = "Augusta Ada King, Countess of Lovelace"
    newest = max(user.projects, key=lambda p: p.updated_at)
    newest.name = LONG_NAME
    page.set_viewport_size(PHONE)
    site = visitor_site(serve_site, mock)
    app = AppPage(page, site.url).open()
    assert_within_screen(page)
    app.log_in()
    expect(page.locator("#projects li .name").first).to_have_text(LONG_NAME)
    assert_within_screen(page)
    avatar = page.locator("#avatar").bounding_box()
    assert avatar and abs(avatar["width"] - avatar["height"]) < 0.5  # round, not squeezed
    logout = page.get_by_role("button", name="Log out")
    line = logout.evaluate("b => parseFloat(getComputedStyle(b).lineHeight) || 20")
    box = logout.bounding_box()
    assert box and box["height"] < 2 * line + 20, "Log out wrapped onto two lines"
    # A secondary action: not painted like the primary button.
    app.log_out()
    primary = page.get_by_role("button", name="Log in with Speckle").evaluate(
        "b => getComputedStyle(b).backgroundColor")
    app.log_in()
    assert logout.evaluate("b => getComputedStyle(b).backgroundColor") != primary
    page_guard.assert_clean()


def assert_within_screen(page: Page) -> None:
    """No element reaches past the right edge of the viewport (so nothing scrolls sideways)."""
    past: list[str] = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll("body *")]
                .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > width + 0.5)
                .map(e => e.tagName + "#" + e.id + "." + e.className);
        }"""
    )
    assert past == [], f"past the right edge: {past}"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_start_up_keeps_what_was_chosen_and_nothing_jumps(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = visitor_site(serve_site, mock, storage="session")
    # Before Python runs: where the button is, and the visitor ticks "Stay signed in".
    page.add_init_script("""document.addEventListener("DOMContentLoaded", () => {
        window.__top = document.getElementById("login").getBoundingClientRect().top;
        document.getElementById("remember").click();
    }, {once: true});""")
    page.goto(site.url + "index.html")
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    expect(page.locator("#loading")).to_be_hidden()
    assert page.evaluate("() => window.__top") == page.locator("#login").evaluate(
        "b => b.getBoundingClientRect().top")  # the loading line went without moving it
    expect(page.get_by_label("Stay signed in on this device")).to_be_checked()  # not reset
    page_guard.assert_clean()


def test_the_callback_says_only_signing_you_in_during_the_exchange(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.slow_seconds = 2.0
    mock.faults["/oauth/token"] = "slow"
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.authorize()
    expect(page.locator("body")).to_have_attribute("data-state", "completing")
    expect(page.locator("#status")).to_have_text("Signing you in…")
    expect(page.locator("#loading")).to_be_hidden()  # not "Starting the app…"
    app.wait_for("signed-in")
    page_guard.assert_clean()


def test_log_out_forgets_the_settings_typed_into_the_playground(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET, dialect="deployed")
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert APP_SECRET in app.storage().get(FORM_KEY, "")  # the form's memory, for this tab
    app.log_out()
    assert FORM_KEY not in app.storage()
    expect(page.locator("#app-secret")).to_have_value("")  # the site's config has none
    expect(page.get_by_label("Token endpoint")).to_have_value("auto")
    page.reload()
    app.wait_for("signed-out")
    expect(page.locator("#app-secret")).to_have_value("")
    page_guard.assert_clean()


# What the page shows on its way up, recorded at every change of the login form, the note in
# its place and the body's state: a signed-in visitor must never see "Log in".
RECORD_START = """
window.__seen = [];
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  const note = document.getElementById("session-check");
  if (!form || !note) return;  // not the app page
  const record = () => window.__seen.push({
    form: !form.hidden, note: note.hidden ? null : note.textContent,
    state: document.body.dataset.state});
  record();
  new MutationObserver(record).observe(document.body, {
    attributes: true, subtree: true, childList: true, characterData: true});
});
"""


def test_a_signed_in_visitor_never_sees_log_in_on_the_way_back(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    page.add_init_script(RECORD_START)
    app.log_in()  # the page the callback returns to: right after Authorize
    seen = page.evaluate("window.__seen")
    assert seen[0] == {"form": False, "note": "Signing you in…", "state": "loading"}
    assert not any(s["form"] for s in seen), seen
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    expect(page.locator("#user-name")).to_be_focused()  # where the visitor now is

    # A later visit: the stored session is an hour old.
    page.evaluate("""key => {
        const record = JSON.parse(sessionStorage.getItem(key));
        record.created_at -= 3600;
        sessionStorage.setItem(key, JSON.stringify(record));
    }""", SESSION_KEY)
    page.reload()
    app.wait_for("signed-in")
    seen = page.evaluate("window.__seen")
    assert seen[0] == {"form": False, "note": "Checking your session…", "state": "loading"}
    assert not any(s["form"] for s in seen), seen
    assert seen[-1]["note"] is None
    expect(page.locator("#user-name")).not_to_be_focused()  # a visit, not a login
    page_guard.assert_clean()


def test_a_session_the_server_refuses_ends_at_log_in_with_the_reason(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    mock.revoke_all_tokens()
    page.reload()
    app.wait_for("signed-out")
    expect(page.locator("#session-check")).to_be_hidden()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(page.locator("#banner")).to_contain_text("Your session has ended")
    page_guard.assert_clean(allow_console=(r"Failed to load resource", r"401|403"))
