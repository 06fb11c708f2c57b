"""Hostile input from every side, in Chromium: server URLs the browser reads differently from
Python, a token endpoint that redirects elsewhere, and answers built to crash a parser.

Each case was reproduced in a browser before it was fixed; each test ends with what the user
sees, what the browser holds, and what reached which server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.server_url import is_loopback_host
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_SECRET
from tests.unit.test_server_url import BYPASSES, URL_TEXTS

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

NETWORK_NOISE = (r"Failed to load resource", r"net::ERR_")
URL_PAGE = "tests/e2e/pages/server_url.html"


@pytest.fixture
def elsewhere() -> Iterator[MockSpeckle]:
    """Another origin: whatever reaches it was sent where it should never go."""
    server = MockSpeckle(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


# -- server URLs ------------------------------------------------------------------------------
# Those the browser reads differently from Python are refused with the other invalid URLs in
# test_failures.py (test_invalid_server_urls_are_refused_before_redirect).


@pytest.fixture
def url_page(page: Page, site: StaticServer) -> Page:
    page.goto(site.url + URL_PAGE)
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    return page


BROWSER_VIEW = """([raw, insecure]) => {
    const result = window.checkServerUrl(raw, insecure);
    const parse = (text) => {
        try { const u = new URL(text); return [u.protocol, u.hostname]; } catch { return null; }
    };
    return {...result, raw: parse(raw), accepted: result.page.url ? parse(result.page.url) : null};
}"""


def check_in_chromium(page: Page, raw: str, insecure: bool) -> dict[str, Any]:
    """What must hold for every input, against Chromium's own parser: nothing but a refusal
    in words escapes; an accepted URL names the host Chromium reads in the input, over https
    or to loopback; whatever the strict CPython parser accepts, the page accepts identically."""
    result: dict[str, Any] = page.evaluate(BROWSER_VIEW, [raw, insecure])
    assert "crash" not in result["page"] and "crash" not in result["strict"], result
    if "url" in result["page"]:
        protocol, host = result["accepted"]
        assert protocol == "https:" or insecure or is_loopback_host(host), result
        assert result["raw"] is not None and result["raw"][1] == host, result
    if "url" in result["strict"]:
        assert result["page"].get("url") == result["strict"]["url"], result
    return result


def test_known_bypasses_are_refused_or_harmless_in_the_page(url_page: Page) -> None:
    refused = {raw for raw in BYPASSES
               if "refused" in check_in_chromium(url_page, raw, False)["page"]}
    # The browser reads these as loopback addresses: accepted, and rightly so.
    assert set(BYPASSES) - refused == {"http://127.1", "http://0x7f.1"}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=URL_TEXTS, insecure=st.booleans())
def test_accepted_server_urls_are_what_chromium_will_connect_to(
    url_page: Page, raw: str, insecure: bool
) -> None:
    check_in_chromium(url_page, raw, insecure)


# -- redirects --------------------------------------------------------------------------------


def test_a_redirecting_token_endpoint_gets_no_code_or_verifier_elsewhere(
    page: Page, app_site: StaticServer, mock: MockSpeckle, elsewhere: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    mock.redirect_target = elsewhere.url
    mock.faults["/oauth/token"] = "redirect"
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.authorize()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    assert elsewhere.requests == []
    assert app.our_keys() == {}
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


@pytest.mark.chromium_only(reason="Playwright's Firefox driver reports no requestfailed event "
                            "for a redirect the page refuses, the moment this test waits for")
def test_a_redirecting_logout_gets_no_token_elsewhere(
    page: Page, app_site: StaticServer, mock: MockSpeckle, elsewhere: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    mock.redirect_target = elsewhere.url
    mock.faults["/auth/logout"] = "redirect"
    # The browser refuses to follow the redirect: the request fails once the 307 is in.
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/auth/logout")):
        app.log_out()
    assert [r.status for r in mock.requests
            if (r.method, r.path) == ("POST", "/auth/logout")] == [307]
    assert elsewhere.requests == []
    assert app.our_keys() == {}
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


# -- hostile answers --------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["deep-json", "huge-json", "bad-token"])
def test_a_hostile_token_answer_ends_in_a_message_and_stores_nothing(
    fault: str, page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.faults["/oauth/token"] = fault
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.authorize()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    expect(page.locator("#result")).to_contain_text("can't use")
    assert app.our_keys() == {}
    assert "access_code" not in page.url
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


@pytest.mark.parametrize("fault", ["deep-json", "huge-json", "errors-number", "extensions-text"])
def test_hostile_graphql_answers_leave_a_message_and_a_working_logout(
    fault: str, page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.faults["/graphql"] = fault
    app = AppPage(page, app_site.url).open()
    app.log_in(expect_state="offline")  # signed in, though the server's answer was unusable
    expect(page.locator("#banner")).to_be_visible()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    token = (app.session() or {})["token"]
    with page.expect_response(re.compile(r"/auth/logout$")) as answer:
        app.log_out()
    assert answer.value.status == 200
    assert mock.issued_tokens[token].revoked
    assert app.our_keys() == {}
    page.reload()
    app.wait_for("signed-out")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


# -- storage blocked or full, and errors nobody expected ---------------------------------------

# What a browser that blocks site data does: touching sessionStorage/localStorage throws.
BLOCK_STORAGE = """(() => {
    if (!location.pathname.endsWith(%r)) return;
    for (const name of ["sessionStorage", "localStorage"]) {
        Object.defineProperty(window, name, {configurable: true, get() {
            throw new DOMException("The operation is insecure.", "SecurityError");
        }});
    }
})();"""
# A full storage: reads work, every write throws.
FILL_STORAGE = """Storage.prototype.setItem = function () {
    throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
};"""


def test_blocked_storage_is_explained_on_the_app_page(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    page.add_init_script(BLOCK_STORAGE % "index.html")
    app = AppPage(page, app_site.url).open()
    expect(page.locator("#banner")).to_contain_text("blocking site storage, which signing in")
    app.click_login()
    expect(page.locator("#form-error")).to_contain_text("blocking site storage")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert page.url == app_site.url + "index.html"
    assert not [r for r in mock.requests if r.path.startswith("/authn/")]
    page_guard.assert_clean()


def test_blocked_storage_is_explained_on_the_callback(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    page.add_init_script(BLOCK_STORAGE % "callback.html")
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.authorize()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    expect(page.locator("#result")).to_contain_text("blocking site storage")
    assert "access_code" not in page.url
    assert mock.token_exchanges() == []
    page_guard.assert_clean()


def test_full_storage_stores_nothing_and_says_so(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    page.add_init_script(FILL_STORAGE)
    app = AppPage(page, app_site.url).open()
    app.click_login()
    expect(page.locator("#form-error")).to_contain_text("storage for this site is full")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert app.our_keys() == {}
    assert page.url == app_site.url + "index.html"
    page_guard.assert_clean()


def test_an_unexpected_error_re_enables_login_and_is_logged_without_its_message(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    # A browser exception no handler expects, carrying text that must not reach the console.
    # (Only where the page has Web Crypto: Firefox runs init scripts in about:blank too.)
    page.add_init_script("""if (self.SubtleCrypto) SubtleCrypto.prototype.digest = () =>
        Promise.reject(new Error("secret-looking detail"));""")
    app = AppPage(page, app_site.url).open()
    app.click_login()
    expect(page.locator("#form-error")).to_contain_text("Something went wrong")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert app.our_keys() == {}
    assert any(re.match(r"pyapp: unexpected JsException in (starting the login|logging in) at",
                        m) for m in page_guard.console), page_guard.console
    assert not any("secret-looking" in m for m in page_guard.console)
    page_guard.assert_clean(allow_console=(r"^pyapp: unexpected JsException",))


# -- log out leaves nothing alive ------------------------------------------------------------


def test_logging_out_with_a_dead_access_token_still_revokes_the_refresh_token(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET)
    app.log_in()
    stored = app.session() or {}
    mock.kill_access_token(stored["token"])  # expired: logout with it answers 400
    with page.expect_event("response", lambda r: r.url.endswith("/auth/logout")
                           and r.status == 200):
        app.log_out()
    assert not mock.refresh_token_alive(stored["refresh_token"])
    assert all(record.revoked for record in mock.issued_tokens.values())
    assert app.our_keys() == {}
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


# -- what the browser keeps ------------------------------------------------------------------


def test_an_abandoned_login_is_removed_when_a_page_starts(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.open()  # the user walks away from the consent page, back to the app
    assert app.transaction() is not None
    page.evaluate("""key => {
        const txn = JSON.parse(sessionStorage.getItem(key));
        txn.created_at -= 3600;  // an hour later
        sessionStorage.setItem(key, JSON.stringify(txn));
    }""", TRANSACTION_KEY)
    page.reload()
    app.wait_for("signed-out")
    assert app.transaction() is None
    page_guard.assert_clean()


def test_a_session_stored_by_an_older_release_with_a_broken_token_is_removed_and_told(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    app = AppPage(page, app_site.url).open()
    page.evaluate("""([key, server]) => sessionStorage.setItem(key, JSON.stringify({
        server_url: server, app_id: "demo-app", token: "abc\\r\\ndef", refresh_token: null,
        app_secret: null, dialect: "auto", storage: "session", created_at: 1}))""",
                  [SESSION_KEY, mock.url])
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.reload()
    app.wait_for("signed-out")  # not "Couldn't reach Speckle" on every load
    assert app.our_keys() == {}
    # Told on the page, in plain words: signed out, log in again; the site owner reads why.
    banner = page.locator("#banner")
    expect(banner.locator("strong")).to_have_text("You were signed out")
    expect(banner).to_contain_text("so it was removed. Please log in again.")
    expect(banner).to_have_class("banner info")  # news, not an error: the calmer colour
    assert any("SessionDropped: A stored session was removed because its values cannot be "
               "used" in w for w in warnings), warnings
    page.reload()  # told once: the record is gone, so the next load has nothing to say
    app.wait_for("signed-out")
    expect(banner).to_be_hidden()
    page_guard.assert_clean()


# -- settings ---------------------------------------------------------------------------------


def test_the_string_false_keeps_plain_http_refused_and_typos_are_reported(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    config = json.dumps({"serverUrl": "http://speckle.example", "appId": "demo-app",
                         "allowInsecureHttp": "false", "appID": "typo"}).encode()
    site = serve_site(overrides={"config.json": config})
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    app = AppPage(page, site.url).open()
    app.click_login()
    # A pinned site: the visitor is told sign-in is unavailable, the owner reads why.
    expect(page.locator("#form-error")).to_contain_text("Sign-in isn't available")
    assert app.our_keys() == {}
    assert any("Plain http://" in w for w in warnings), warnings
    assert any("unknown config key(s) ignored: appID" in w for w in warnings), warnings
    page_guard.assert_clean()


# -- Python added to the page after it started ---------------------------------------------

# What an HTML-injection bug on the site would put into the page: Python that reads the
# session (a <py-script> custom element is run by PyScript the same way).
INJECTED = {
    "script": '<script type="py">from pyscript import document, window\n'
              'document.body.dataset.stolen = str(window.sessionStorage.length)</script>',
    "py-script": '<py-script>from pyscript import document\n'
                 'document.body.dataset.stolen = "yes"</py-script>',
}


@pytest.mark.parametrize("kind", sorted(INJECTED))
def test_python_injected_after_start_is_refused_and_the_page_goes_on(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard, kind: str,
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    assert page.evaluate(
        "performance.getEntriesByName('added-python-guard').map(m => m.detail)") == ["on"]
    with page.expect_console_message(lambda m: "refused Python added" in m.text) as told:
        page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)",
                      INJECTED[kind])
    assert "Speckle login" in told.value.text and "added-python=allow" in told.value.text
    assert page.evaluate("document.body.dataset.stolen") is None
    # The page's own Python still answers.
    app.log_out()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    page_guard.assert_clean(allow_console=(r"refused Python added",))
