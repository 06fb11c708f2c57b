"""Every failure path of SPEC §4 in Chromium: what the user sees and what is left behind.

Each test ends by checking that no token, verifier or code remains where it should not
(storage, address bar, console, request URLs) and that the page logged no errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import BrowserType, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_SECRET, app_config

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

# The browser's own line for a failed fetch or a non-2xx answer, provoked on purpose
# (Chromium's console lines, Firefox's report of a request that got no answer).
NETWORK_NOISE = (r"Failed to load resource", r"net::ERR_", r"CORS request did not succeed")
# The browser's report of a response it withheld for lack of CORS headers.
CORS_REFUSED = (r"blocked by CORS policy", r"CORS header .Access-Control-Allow-Origin. missing")


def result_text(page: Page) -> str:
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    return page.locator("#result").inner_text()


def login_to_callback(app: AppPage, deny: bool = False) -> None:
    """From the open app page through consent to the callback page's outcome."""
    app.to_consent()
    if deny:
        app.deny()
    else:
        app.authorize()


def tamper_with_transaction(app: AppPage, field: str, value: str) -> None:
    """Start a login, come back to the app page, change the stored transaction, and return
    to the consent page (sessionStorage is per origin, so it is edited on the app's page).

    The way back and forth is by address, not Back and Forward: after a page is restored
    from Firefox's back-forward cache, Playwright's Firefox driver never sees the
    navigation end, and its locators hang."""
    app.to_consent()
    consent = app.page.url
    app.open()
    app.page.evaluate(
        """([key, field, value]) => {
            const txn = JSON.parse(sessionStorage.getItem(key));
            txn[field] = value;
            sessionStorage.setItem(key, JSON.stringify(txn));
        }""",
        [TRANSACTION_KEY, field, value],
    )
    app.page.goto(consent)


def assert_nothing_left(app: AppPage) -> None:
    assert app.our_keys() == {}
    assert "access_code" not in app.page.url


# -- the callback's outcomes -----------------------------------------------------------------


def test_denied_shows_a_way_back_and_leaves_nothing(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open("index.html?view=projects")
    login_to_callback(app, deny=True)
    assert "You declined access" in result_text(page)
    expect(page.locator("#result p.calm")).to_be_visible()  # a choice, not a red error
    assert page.url == app_site.url + "callback.html"  # denied=true removed
    assert_nothing_left(app)
    assert mock.token_exchanges() == []
    page.get_by_role("link", name="Back to the app").click()  # to where the login started
    app.wait_for("signed-out")
    assert page.url == app_site.url + "index.html?view=projects"
    page_guard.assert_clean()


def test_callback_without_access_code_changes_nothing(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.goto(app_site.url + "callback.html?foo=bar")
    assert "without an access code" in result_text(page)
    assert AppPage(page, app_site.url).our_keys() == {}
    assert page.url == app_site.url + "callback.html?foo=bar"
    page_guard.assert_clean()


def test_callback_in_a_new_tab_has_no_verifier_and_offers_to_log_in_again(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    other = page.context.new_page()  # a new tab has its own, empty sessionStorage
    other.goto(page.url)
    other.get_by_role("button", name="Authorize").click()
    assert "can't be finished here" in result_text(other)
    assert "access_code" not in other.url
    assert mock.token_exchanges() == []
    other.get_by_role("link", name="Log in again").click()
    AppPage(other, app_site.url).wait_for("signed-out")
    assert AppPage(other, app_site.url).our_keys() == {}
    page_guard.assert_clean()


def test_reloading_or_revisiting_the_callback_does_not_exchange_twice(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    urls: list[str] = []
    page.on("framenavigated", lambda f: urls.append(f.url) if f == page.main_frame else None)
    app.log_in()
    code_url = next(u for u in urls if "access_code=" in u)
    token = (app.session() or {})["token"]
    page.goto(code_url)  # the old callback URL again (history, a bookmark)
    page.wait_for_url(app_site.url)
    app.wait_for("signed-in")
    page.goto(app_site.url + "callback.html")  # the cleaned URL, reloaded
    page.wait_for_url(app_site.url)
    app.wait_for("signed-in")
    assert len(mock.token_exchanges()) == 1
    assert (app.session() or {})["token"] == token
    # Back lands before the callback: it replaced itself. (A wait that reads the page: see
    # tamper_with_transaction.)
    page.evaluate("window.__left = true; history.back()")
    page.wait_for_function("() => !window.__left && document.readyState === 'complete'")
    assert "callback.html" not in page.evaluate("location.href")
    page_guard.assert_clean()


def test_expired_code_shows_the_server_message(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.code_ttl_seconds = -1  # every code is born expired
    app = AppPage(page, app_site.url).open()
    login_to_callback(app)
    text = result_text(page)
    assert "Speckle didn't accept the sign-in" in text and "Access code expired" in text
    assert_nothing_left(app)
    page.get_by_role("link", name="Log in again").click()
    app.wait_for("signed-out")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_back_after_a_callback_error_never_shows_the_code(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    # An error keeps the user on the callback page, so no final redirect hides a history
    # entry the address clean-up might have added: Back must go to the consent page.
    mock.code_ttl_seconds = -1
    app = AppPage(page, app_site.url).open()
    login_to_callback(app)
    result_text(page)
    page.go_back()
    assert "/authn/verify/" in page.url and "access_code" not in page.url
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_mismatched_verifier_is_rejected_by_the_server(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    # Replace the stored verifier, as if the transaction belonged to another login.
    tamper_with_transaction(app, "verifier", "x" * 43)
    app.authorize()
    assert "Code challenge mismatch" in result_text(page)
    assert_nothing_left(app)
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_return_to_off_origin_is_ignored(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    tamper_with_transaction(app, "return_to", "https://evil.example/steal")
    app.authorize()
    page.wait_for_url(app_site.url)
    app.wait_for("signed-in")
    page_guard.assert_clean()


# -- deployed servers ----------------------------------------------------------------------


@pytest.mark.parametrize("absent_as", ["404", "504", "frontend"])
def test_deployed_server_with_secret_exchanges_once_at_auth_token(
    absent_as: str, page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    mock.oauth_token_absent_as = absent_as
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET)
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    paths = [r.path for r in mock.token_exchanges()]
    assert paths == ["/oauth/token", "/auth/token"]
    sent = json.loads(mock.token_exchanges()[1].body)
    assert sent["challenge"].endswith("&code_challenge_method=S256")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def frontend_without_cors(mock: MockSpeckle) -> None:
    """Speckle's standard ingress: /oauth/* goes to the web frontend, here without CORS
    headers, so the browser cannot even send the POST (its preflight fails)."""
    mock.dialect = "deployed"
    mock.oauth_token_absent_as = "frontend"
    mock.oauth_frontend_cors = False


def test_oauth_token_blocked_by_cors_falls_back_with_the_secret(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    frontend_without_cors(mock)
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET)
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert [r.path for r in mock.token_exchanges()] == ["/auth/token"]  # the POST never left
    # Only the preflight reached /oauth/token; then one token-less probe of the API.
    calls = [(r.method, r.path) for r in mock.requests
             if r.path == "/oauth/token" or (r.method, r.path) in (
                 ("POST", "/graphql"), ("POST", "/auth/token"))]
    assert calls[:3] == [
        ("OPTIONS", "/oauth/token"), ("POST", "/graphql"), ("POST", "/auth/token")]
    probe = next(r for r in mock.requests if (r.method, r.path) == ("POST", "/graphql"))
    assert "authorization" not in {name.lower() for name in probe.headers}
    page_guard.assert_clean(allow_console=(*NETWORK_NOISE, *CORS_REFUSED))


def test_oauth_token_blocked_by_cors_without_secret_says_to_add_it(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    frontend_without_cors(mock)
    app = AppPage(page, app_site.url).open()
    login_to_callback(app)
    text = result_text(page)
    assert "The settings don't match this server" in text and "add the App secret" in text
    assert mock.token_exchanges() == []
    assert_nothing_left(app)
    page_guard.assert_clean(allow_console=(*NETWORK_NOISE, *CORS_REFUSED))


def test_pinned_deployed_dialect_skips_the_probe(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET, dialect="deployed")
    app.log_in()
    assert [r.path for r in mock.token_exchanges()] == ["/auth/token"]
    page_guard.assert_clean()


def test_deployed_server_without_secret_explains_what_to_configure(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open()
    login_to_callback(app)
    text = result_text(page)
    assert "add the App secret" in text and "/oauth/token" in text
    assert_nothing_left(app)
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_wrong_secret_shows_speckles_message(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret="not-the-secret")
    login_to_callback(app)
    assert "Invalid app secret" in result_text(page)
    assert_nothing_left(app)
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


@pytest.mark.parametrize("fault,expected,server_down", [
    ("drop", "Couldn't reach Speckle", True),
    ("drop", "could not be reached from this page", False),  # the API answers: see above
    ("500", "Speckle is having a problem", False),  # it answered: not the connection
    ("non-json", "add the App secret", False),
])
def test_broken_token_endpoint_leaves_no_partial_state(
    fault: str, expected: str, server_down: bool, page: Page, app_site: StaticServer,
    mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    mock.faults["/oauth/token"] = fault
    if server_down:
        mock.faults["/graphql"] = fault
    app = AppPage(page, app_site.url).open()
    login_to_callback(app)
    assert expected in result_text(page)
    assert_nothing_left(app)
    page.locator("#next-action").click()
    app.wait_for("signed-out")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_slow_server_keeps_saying_signing_you_in_then_succeeds(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.slow_seconds = 2.0
    mock.faults["/oauth/token"] = "slow"
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.authorize()
    page.wait_for_url(re.compile(r"callback\.html$"))
    expect(page.locator("#status")).to_have_text("Signing you in…")
    page.wait_for_url(app_site.url + "index.html")
    app.wait_for("signed-in")
    page_guard.assert_clean()


# -- while signed in -----------------------------------------------------------------------


def test_revoked_token_signs_out_with_a_message(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    mock.revoke_all_tokens()
    page.get_by_role("button", name="Load more").click()
    app.wait_for("signed-out")
    expect(page.locator("#banner")).to_contain_text("Your session has ended")
    assert app.our_keys() == {}
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_a_signed_in_view_that_lost_its_server_says_so_and_tries_again(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    mock.faults["/graphql"] = "drop"  # Speckle is gone: no answer at all
    page.reload()
    app.wait_for("offline")
    banner = page.locator("#banner")
    expect(banner).to_contain_text("Couldn't reach Speckle")
    # Still signed in: "Log out" works; no empty profile, no project list that cannot fill.
    expect(page.locator("#user-name")).to_have_text("Signed in")
    expect(page.locator("#avatar")).to_have_text("?")
    expect(page.locator("#projects-heading")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert app.session() is not None

    del mock.faults["/graphql"]  # back again
    page.get_by_role("button", name="Try again").click()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    expect(banner).to_be_hidden()
    expect(page.locator("#projects li")).to_have_count(25)
    expect(page.locator("#user-name")).to_be_focused()
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_revoked_token_is_refreshed_when_the_secret_is_known(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.dialect = "deployed"
    app = AppPage(page, app_site.url).open().fill(secret=APP_SECRET)
    app.log_in()
    old = (app.session() or {})["token"]
    mock.issued_tokens[old].revoked = True  # the token only; the refresh token still works
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("#projects li")).to_have_count(50)
    new = (app.session() or {})["token"]
    assert new != old and len(new) == 42
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_missing_scope_is_named_and_the_token_kept(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.apps["demo-app"].scopes = ["profile:read", "streams:read"]
    app = AppPage(page, app_site.url).open()
    app.log_in()
    expect(page.locator("#banner")).to_contain_text("your e-mail address")
    expect(page.locator("#banner .technical")).to_contain_text("profile:email")
    expect(page.locator("#banner")).to_contain_text("re-authorize")
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    expect(page.locator("#user-email")).to_have_text("")
    assert app.session() is not None
    page_guard.assert_clean()


def test_server_markup_in_names_is_shown_as_text(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    user = mock.users[mock.consent_user_id]
    user.name = '<img src=x onerror="window.__pwned=1">Ada'
    user.projects[0].name = "<script>window.__pwned=2</script><b>Bold</b>"
    user.avatar = "javascript:window.__pwned=3"
    app = AppPage(page, app_site.url).open()
    app.log_in()
    expect(page.locator("#user-name")).to_have_text(user.name)
    expect(page.locator("#projects li .name").first).to_have_text(user.projects[0].name)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#signed-in img, #signed-in script, #signed-in b").count() == 0
    page_guard.assert_clean()


# -- refused before any redirect -------------------------------------------------------------


@pytest.mark.parametrize("server_url,needle", [
    ("javascript:alert(1)", "must start with https://"),
    ("data:text/html,<script>alert(1)</script>", "must start with https://"),
    ("app.speckle.systems", "not a full URL"),
    ("http://speckle.example.com", "Plain http://"),
    # URLs that Python's parser and the browser's read differently.
    ("http://evil.test\\.localhost", "backslashes"),
    ("http://[::1]evil.com", "not a valid URL"),
    ("https://x]", "not a valid URL"),
])
def test_invalid_server_urls_are_refused_before_redirect(
    server_url: str, needle: str, page: Page, app_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    app = AppPage(page, app_site.url).open().fill(server_url=server_url)
    app.click_login()
    expect(page.locator("#form-error")).to_contain_text(needle)
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert page.url == app_site.url + "index.html"
    assert app.our_keys() == {}
    assert not [r for r in mock.requests if r.path.startswith("/authn/")]
    page_guard.assert_clean()


def test_server_url_is_normalised(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.fill(server_url=mock.url.replace("http://", "HTTP://") + "//")
    app.to_consent()
    assert page.url.startswith(mock.url + "/authn/verify/demo-app/")
    page_guard.assert_clean()


@pytest.mark.chromium_only(reason="serves the page under a non-loopback name through "
                            "Chromium's --host-resolver-rules")
def test_insecure_context_refuses_without_weak_fallback(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any],
    serve_site: Callable[..., StaticServer], mock: MockSpeckle,
) -> None:
    """Served from a non-loopback name over http, the page has no ``crypto.subtle``."""
    site = serve_site(overrides={"config.json": app_config(mock.url)})
    args = [a for a in browser_type_launch_args["args"] if not a.startswith("--host-resolver")]
    args.append("--host-resolver-rules=MAP app.insecure.test 127.0.0.1 , MAP * ~NOTFOUND , "
                "EXCLUDE 127.0.0.1 , EXCLUDE localhost")
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    try:
        page = browser.new_page()
        page.goto(site.url.replace("127.0.0.1", "app.insecure.test") + "index.html")
        app = AppPage(page, "")
        app.wait_for("signed-out")
        assert page.evaluate("() => window.isSecureContext") is False
        app.click_login()
        expect(page.locator("#form-error")).to_contain_text("not a secure context")
        assert app.our_keys() == {}
        assert not [r for r in mock.requests if r.path.startswith("/authn/")]
    finally:
        browser.close()


def test_logout_clears_local_state_even_when_the_server_is_down(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    mock.faults["/auth/logout"] = "drop"
    app.log_out()
    assert app.our_keys() == {} and SESSION_KEY not in app.storage()
    page.reload()
    app.wait_for("signed-out")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)
