"""The popup login: the page that starts the login stays, and exchanges the code.

Every test here runs in Chromium, the login with and without COOP in Firefox too (and
``test_webkit_smoke.py`` logs in through a popup in WebKit).

The consent page runs in a popup; ``callback.html`` hands the callback URL back and closes
without starting Python (``popup-callback.js``). The mock can send
``Cross-Origin-Opener-Policy: same-origin`` on its consent pages, which severs the popup
from its opener: the answer then travels on the BroadcastChannel alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.popup import MARKER_KEY
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import app_config

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

# Makes window.open return null, as a popup blocker does.
BLOCK_POPUPS = "window.open = function () { return null; };"


@pytest.fixture
def popup_site(serve_site: Callable[..., StaticServer], mock: MockSpeckle) -> StaticServer:
    """The site with ``"loginMode": "popup"`` in its config.json, registered as the app's."""
    site = serve_site(overrides={"config.json": app_config(mock.url, loginMode="popup"),
                                 "blank.html": BLANK_PAGE.encode()})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    return site


def test_popup_login_signs_in_without_leaving_the_page(
    page: Page, context: BrowserContext, popup_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    page.evaluate("window.__same_document = true")  # gone if the page reloads or navigates
    popup = app.open_popup()
    assert "&code_challenge_method=S256" in popup.url and "?" not in popup.url
    assert popup.evaluate("window.opener === null")  # disowned by the page
    app.wait_for("waiting")
    expect(page.get_by_role("button", name="Cancel")).to_be_visible()
    assert app.transaction() is not None and MARKER_KEY not in app.storage()

    callback_urls: list[str] = []
    popup.on("framenavigated", lambda frame: callback_urls.append(frame.url))
    app.authorize_in(popup)
    app.wait_for("signed-in")
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    expect(page.locator("#projects li")).to_have_count(25)
    assert page.evaluate("window.__same_document") is True
    assert page.url == popup_site.url + "index.html"
    assert popup.is_closed()
    assert any("callback.html?access_code=" in u for u in callback_urls)

    session = app.session()
    assert session is not None and len(session["token"]) == 42
    assert app.transaction() is None and MARKER_KEY not in app.storage()
    exchanges = mock.token_exchanges()
    assert len(exchanges) == 1 and exchanges[0].path == "/oauth/token"
    # The exchange ran in the page that opened the popup, which holds the verifier.
    assert exchanges[0].headers.get("origin") == popup_site.url.rstrip("/")
    page_guard.assert_clean()


def test_popup_starts_no_python_and_leaves_no_code_in_its_history(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    requested: list[str] = []
    popup.on("request", lambda request: requested.append(request.url))
    app.authorize_in(popup)
    app.wait_for("signed-in")
    callback = [u for u in requested if "callback.html" in u]
    assert len(callback) == 1 and "access_code=" in callback[0]
    # The browser's preload scanner may fetch the page's scripts ahead of the first one, but
    # that one stops the page: no Python runtime, no pyapp, no PyScript config is requested.
    assert not [u for u in requested if re.search(r"pyodide|pyapp|\.toml|config\.json", u)]
    assert any(u.endswith("/popup-callback.js") for u in requested)
    page_guard.assert_clean()


def test_blocked_popup_falls_back_to_the_redirect(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    page.add_init_script(BLOCK_POPUPS)
    app = AppPage(page, popup_site.url).open()
    app.log_in()  # the same page goes to the consent page, and back through callback.html
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert page.url == popup_site.url + "index.html"
    assert len(mock.token_exchanges()) == 1
    page_guard.assert_clean()


def test_blocked_popup_without_fallback_raises_a_worded_error(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url),
                                 "popup-only.html": POPUP_ONLY_PAGE.encode()})
    page.add_init_script(BLOCK_POPUPS)
    page.goto(site.url + "popup-only.html")
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#error")).to_have_text("PopupBlocked: The sign-in window was blocked")
    assert page.url == site.url + "popup-only.html"
    assert AppPage(page, site.url).our_keys() == {}
    page_guard.assert_clean()


def test_closing_the_popup_cancels_the_login(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    # The page has seen its popup on the consent page: it can trust a close from now on.
    expect(page.locator("#popup-wait")).to_have_attribute("data-popup", "open")
    popup.close()
    expect(page.locator("#form-error")).to_contain_text("Sign-in cancelled", timeout=3000)
    app.wait_for("signed-out")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert app.our_keys() == {} and mock.token_exchanges() == []
    page_guard.assert_clean()


def test_starting_the_wait_moves_nothing_above_it(
    page: Page, popup_site: StaticServer, page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    box = page.get_by_label("Stay signed in on this device")
    before = box.bounding_box()
    app.open_popup()
    wait = page.locator("#popup-wait")
    expect(wait).to_be_visible()
    assert box.bounding_box() == before
    assert wait.bounding_box()["y"] > before["y"]  # the wait shows below the box
    page_guard.assert_clean()


def test_a_popup_closed_before_speckle_answered_cancels_the_login(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.slow_seconds = 30
    mock.faults["/authn/verify"] = "slow"  # the consent page takes its time
    app = AppPage(page, popup_site.url).open()
    with page.expect_popup() as opened:
        app.click_login()
    app.wait_for("waiting")
    opened.value.close()  # before Speckle's page ever arrived
    expect(page.locator("#form-error")).to_contain_text("Sign-in cancelled", timeout=3000)
    app.wait_for("signed-out")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert mock.token_exchanges() == []
    page_guard.assert_clean()


def test_a_popup_cut_off_by_the_consent_page_still_signs_in_and_the_next_is_waited_for(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.consent_coop = True
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    # The page's handle reads "closed" from the moment the consent page cut it off: as for
    # a window closed before Speckle answered, the login counts as cancelled...
    expect(page.locator("#form-error")).to_contain_text("Sign-in cancelled")
    app.wait_for("signed-out")
    # ...but the window lives on, and its answer still signs the visitor in.
    app.authorize_in(popup)
    app.wait_for("signed-in")
    app.log_out()
    # This page now knows the server cuts its popups off: the next login waits for it, and
    # the answer (here a Deny) comes over the channel.
    popup = app.open_popup()
    wait = page.locator("#popup-wait")
    expect(wait).to_have_attribute("data-popup", "detached")
    expect(wait).to_contain_text("no longer reports to this page")
    app.wait_for("waiting")
    app.deny_in(popup)
    expect(page.locator("#form-error")).to_contain_text("You declined access")
    app.wait_for("signed-out")
    assert app.our_keys() == {} and len(mock.token_exchanges()) == 1
    page_guard.assert_clean()


def test_deny_in_the_popup_is_explained_in_the_page(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    app.deny_in(popup)
    note = page.locator("#form-error")
    expect(note).to_contain_text("You declined access")
    # A choice, not a failure: a note announced politely, not a red alert.
    expect(note).to_have_class("calm")
    expect(note).to_have_attribute("role", "status")
    app.wait_for("signed-out")
    assert app.our_keys() == {} and mock.token_exchanges() == []
    page_guard.assert_clean()


@pytest.mark.parametrize("fault,words", [
    (None, "Speckle didn't accept the sign-in"),  # an expired code: the server's 401 {err}
    ("500", "Speckle is having a problem"),
])
def test_exchange_failures_are_explained_in_the_page(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
    fault: str | None, words: str,
) -> None:
    if fault is None:
        mock.code_ttl_seconds = -1  # every code is born expired
    else:
        mock.faults["/oauth/token"] = fault
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    app.authorize_in(popup)  # the popup closes whatever the exchange will say
    expect(page.locator("#form-error")).to_contain_text(words)
    expect(page.locator("#form-error")).to_have_class("error")
    expect(page.locator("#form-error")).to_have_attribute("role", "alert")
    app.wait_for("signed-out")
    assert app.session() is None and app.transaction() is None
    assert len(mock.token_exchanges()) == 1
    page_guard.assert_clean(allow_console=(r"status of (401|500)",))


def test_two_tabs_each_finish_their_own_popup_login(
    context: BrowserContext, page: Page, popup_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # The page cuts its popup's opener link: the channel alone carries both answers.
    first = AppPage(page, popup_site.url).open()
    second = AppPage(context.new_page(), popup_site.url).open()
    first_popup = first.open_popup()
    second_popup = second.open_popup()
    first_id = first.transaction()["login_id"]  # type: ignore[index]
    second_id = second.transaction()["login_id"]  # type: ignore[index]
    assert first_id != second_id

    second.authorize_in(second_popup)
    second.wait_for("signed-in")
    first.wait_for("waiting")  # the other tab's answer was not this tab's
    assert first.transaction() is not None
    first.authorize_in(first_popup)
    first.wait_for("signed-in")

    exchanges = mock.token_exchanges()
    assert [r.status for r in exchanges] == [200, 200]
    assert first.session()["token"] != second.session()["token"]  # type: ignore[index]
    page_guard.assert_clean()


def test_forged_and_replayed_messages_are_ignored(
    context: BrowserContext, page: Page, popup_site: StaticServer, mock: MockSpeckle,
    serve_site: Callable[..., StaticServer], page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    other_tab = context.new_page()
    other_tab.goto(popup_site.url + "blank.html")  # any page of the same origin
    popup = app.open_popup()
    login_id = app.transaction()["login_id"]  # type: ignore[index]
    forged_url = popup_site.url + "callback.html?access_code=" + "f" * 42

    # Another login's answer, from a page of the same origin.
    post_on_channel(other_tab, {"type": TYPE, "login": "0" * 32, "url": forged_url})
    # The right login, from another origin (a page framed by the waiting one).
    elsewhere = serve_site(overrides={"post.html": FORGER_PAGE.encode()})
    assert elsewhere.url != popup_site.url
    page.evaluate("""([src, message]) => {
        const frame = document.createElement('iframe');
        frame.src = src + '#' + encodeURIComponent(JSON.stringify(message));
        document.body.append(frame);
    }""", [elsewhere.url + "post.html", {"type": TYPE, "login": login_id, "url": forged_url}])
    # The right login with a URL of another origin, and with no code at all.
    post_on_channel(other_tab, {"type": TYPE, "login": login_id,
                                "url": elsewhere.url + "callback.html?access_code=" + "e" * 42})
    post_on_channel(other_tab, {"type": TYPE, "login": login_id,
                                "url": popup_site.url + "callback.html"})
    expect(page.frame_locator("iframe").locator("body")).to_have_attribute("data-posted", "yes")

    callback_urls: list[str] = []
    popup.on("framenavigated", lambda frame: callback_urls.append(frame.url))
    app.authorize_in(popup)
    app.wait_for("signed-in")
    real = [u for u in callback_urls if "access_code=" in u]
    assert len(real) == 1
    exchanges = mock.token_exchanges()
    assert len(exchanges) == 1 and json.loads(exchanges[0].body)["accessCode"] in real[0]

    # The same answer again, during the next login: its code was used, its login is over.
    app.log_out()
    next_popup = app.open_popup()
    replay = {"type": TYPE, "login": login_id, "url": real[0]}
    post_on_channel(other_tab, replay)
    page.evaluate("message => window.postMessage(message, location.origin)", replay)
    app.authorize_in(next_popup)
    app.wait_for("signed-in")
    assert [r.status for r in mock.token_exchanges()] == [200, 200]
    page_guard.assert_clean()


def test_a_neighbour_page_of_the_same_origin_hears_no_code(
    context: BrowserContext, page: Page, popup_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    mock.consent_coop = True  # the channel alone carries the answer
    neighbour = context.new_page()
    neighbour.goto(popup_site.url + "blank.html")  # another site on a shared origin, say
    # It listens where it can: on the name every release used to share, and as the
    # login page's own window (whatever postMessage brings).
    neighbour.evaluate("""() => {
        window.heard = [];
        const channel = new BroadcastChannel('speckle-login');
        channel.onmessage = event => window.heard.push(JSON.stringify(event.data));
        window.addEventListener('message', event => window.heard.push(JSON.stringify(event.data)));
    }""")
    app = AppPage(page, popup_site.url).open()
    app.authorize_in(app.open_popup())
    app.wait_for("signed-in")
    assert neighbour.evaluate("window.heard") == []
    assert [r.status for r in mock.token_exchanges()] == [200]
    page_guard.assert_clean()


def test_a_page_the_popup_reaches_cannot_send_the_app_tab_elsewhere(
    page: Page, popup_site: StaticServer, mock: MockSpeckle,
    serve_site: Callable[..., StaticServer], page_guard: PageGuard,
) -> None:
    elsewhere = serve_site(overrides={"nab.html": TABNABBER_PAGE.encode()})
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    # A link on a consent or sign-on page leads the popup to a hostile site.
    popup.goto(elsewhere.url + "nab.html")
    expect(popup.locator("body")).to_have_attribute("data-opener", "none")
    assert page.url == popup_site.url + "index.html"
    app.wait_for("waiting")
    page.get_by_role("button", name="Cancel").click()
    app.wait_for("signed-out")
    assert page.url == popup_site.url + "index.html"
    assert not popup.is_closed()  # on another site: the visitor closes it
    page_guard.assert_clean()


def test_a_code_a_hostile_page_sends_through_the_popup_never_signs_the_visitor_in(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    # The residual risk the security model names: a page the popup reached sends it to the callback
    # with a code of its own. Speckle returns no state, so the popup cannot tell; PKCE
    # makes the exchange fail, and the visitor is told and can log in again.
    app = AppPage(page, popup_site.url).open()
    popup = app.open_popup()
    with popup.expect_event("close"):
        popup.evaluate("url => { location.href = url; }",
                       popup_site.url + "callback.html?access_code=" + "f" * 42)
    expect(page.locator("#form-error")).to_contain_text("Access code not found")
    app.wait_for("signed-out")
    assert app.session() is None and app.transaction() is None
    app.authorize_in(app.open_popup())
    app.wait_for("signed-in")
    assert [r.status for r in mock.token_exchanges()] == [401, 200]
    page_guard.assert_clean(allow_console=(r"status of 401",))


def test_after_a_keyboard_login_focus_lands_on_the_signed_in_heading(
    page: Page, popup_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, popup_site.url).open()
    page.get_by_role("button", name="Log in with Speckle").focus()
    with page.expect_popup() as opened:
        page.keyboard.press("Enter")
    app.authorize_in(opened.value)
    app.wait_for("signed-in")
    expect(page.locator("#user-name")).to_be_focused()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    page_guard.assert_clean()


def test_popup_login_under_a_deep_subpath(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    mock.consent_coop = True
    site = serve_site(prefix="/some/deep/path/",
                      overrides={"config.json": app_config(mock.url, loginMode="popup")})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    assert site.url.endswith("/some/deep/path/")
    app = AppPage(page, site.url).open()
    popup = app.open_popup()
    app.authorize_in(popup)
    app.wait_for("signed-in")
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert page.url == site.url + "index.html"
    page_guard.assert_clean()


TYPE = "speckle-login:callback"
BLANK_PAGE = '<!doctype html><html><head><link rel="icon" href="data:,"></head></html>'


def post_on_channel(tab: Page, message: dict[str, str]) -> None:
    """Post on the channel of the login ``message`` names (a forger that knows the id)."""
    tab.evaluate("""message => {
        const channel = new BroadcastChannel('speckle-login:' + message.login);
        channel.postMessage(message);
        channel.close();
    }""", message)


# On another origin, in the popup: tries to send the page that opened it to a phishing page.
TABNABBER_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"></head><body><script>
if (window.opener) {
  window.opener.location = "https://phishing.invalid/speckle-login";
  document.body.dataset.opener = "navigated";
} else {
  document.body.dataset.opener = "none";
}
</script></body></html>"""

# On another origin: posts the message in its fragment to the page that framed it.
FORGER_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,"></head><body><script>
parent.postMessage(JSON.parse(decodeURIComponent(location.hash.slice(1))), "*");
document.body.dataset.posted = "yes";
</script></body></html>"""

# A page that asks for a popup and nothing else: a blocked popup must be an error it words.
POPUP_ONLY_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading"><button id="login" type="button">Log in</button>
<p id="error"></p>
<script type="py" config="./pyscript.toml">
import asyncio
from pyscript import document, when
from pyapp import SpeckleError, connect
from pyapp.messages import message_for

speckle = connect(config_file="config.json")

@when("click", "#login")
def log_in(event):
    try:
        asyncio.ensure_future(speckle.login(popup=True, fallback=False))
    except SpeckleError as error:
        words = message_for(error).title
        document.getElementById("error").textContent = f"{type(error).__name__}: {words}"

document.body.dataset.state = "ready"
</script></body></html>"""
