"""The whole login in Chromium against the mock Speckle server (documented dialect).

A newcomer's path: the form is pre-filled from ``config.json``, "Log in with Speckle" leads to
the consent page, "Authorize" returns to the app signed in (profile, server, projects with
"Load more"), "Log out" returns to the form. Along the way nothing secret may leak.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import RECORD_PAGESHOW, AppPage

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard


def b64url_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


@dataclass
class Traffic:
    """Every request URL and console line of a context, to look for leaked secrets."""

    urls: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def assert_never_contains(self, *secrets: str) -> None:
        for secret in secrets:
            assert secret
            assert not [u for u in self.urls if secret in u], f"{secret[:6]}… in a request URL"
            assert not [c for c in self.console if secret in c], f"{secret[:6]}… in the console"


@pytest.fixture
def traffic(context: BrowserContext) -> Iterator[Traffic]:
    seen = Traffic()
    context.on("request", lambda r: seen.urls.append(r.url))
    context.on("console", lambda m: seen.console.append(m.text))
    context.on("framenavigated", lambda f: seen.urls.append(f.url))
    yield seen


def test_newcomer_logs_in_sees_profile_and_projects_and_logs_out(
    page: Page,
    app_site: StaticServer,
    mock: MockSpeckle,
    page_guard: PageGuard,
    traffic: Traffic,
) -> None:
    app = AppPage(page, app_site.url).open()
    expect(page.get_by_label("Server URL")).to_have_value(mock.url)
    expect(page.get_by_label("App ID")).to_have_value("demo-app")

    app.to_consent()
    expect(page.get_by_text("Speckle Login Demo").first).to_be_visible()
    assert "&code_challenge_method=S256" in page.url and "?" not in page.url
    challenge = page.url.rsplit("/", 1)[1].removesuffix("&code_challenge_method=S256")

    app.authorize()
    page.wait_for_url(app_site.url + "index.html")
    app.wait_for("signed-in")

    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    expect(page.locator("#user-email")).to_have_text("ada@example.org")
    expect(page.locator("#avatar")).to_have_text("AL")
    expect(page.locator("#server-name")).to_contain_text("Speckle Mock Server")
    projects = page.locator("#projects li")
    expect(projects).to_have_count(25)
    expect(page.locator("#project-count")).to_have_text("(25 of 60)")
    page.get_by_role("button", name="Load more").click()
    expect(projects).to_have_count(50)
    page.get_by_role("button", name="Load more").click()
    expect(projects).to_have_count(60)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()
    names = projects.locator(".name").all_text_contents()
    assert len(set(names)) == 60  # each page continued where the last ended

    session = app.session()
    assert session is not None and len(session["token"]) == 42
    assert app.transaction() is None
    assert "access_code" not in page.url
    exchanges = mock.token_exchanges()
    assert len(exchanges) == 1 and exchanges[0].path == "/oauth/token"
    verifier = json.loads(exchanges[0].body)["codeVerifier"]
    assert len(verifier) == 43 and challenge == b64url_sha256(verifier)
    access_code = json.loads(exchanges[0].body)["accessCode"]
    traffic.assert_never_contains(session["token"], session["refresh_token"], verifier)
    # The code reached the callback in its URL (Speckle's doing) and nowhere after.
    assert [u for u in traffic.urls if access_code in u] == [
        u for u in traffic.urls if u.startswith(app_site.url + "callback.html?access_code=")
    ]

    # The page signs out at once and tells the server afterwards: wait for that answer.
    with page.expect_response(lambda response: response.url.endswith("/auth/logout")):
        app.log_out()
    assert app.our_keys() == {}
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    logouts = [r for r in mock.requests if (r.method, r.path) == ("POST", "/auth/logout")]
    assert len(logouts) == 1 and logouts[0].status == 200
    page_guard.assert_clean()


def test_signed_in_state_survives_a_reload(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    page.reload()
    app.wait_for("signed-in")
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert len(mock.token_exchanges()) == 1
    page_guard.assert_clean()


def test_back_from_the_consent_page_can_log_in_again(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
    browser_name: str,
) -> None:
    page.add_init_script(RECORD_PAGESHOW)
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    # Waits read the page itself: after a restore from the back-forward cache Playwright's
    # Firefox driver never sees the navigation end, and its URL waits and locators hang.
    page.evaluate("history.back()")
    shows = page.wait_for_function("""() => location.pathname.endsWith("/index.html")
        && document.body.dataset.state === "signed-out"
        && !document.getElementById("login").disabled && window.__pageshows""").json_value()
    if browser_name == "firefox":  # the page as it was left (Playwright's Chromium reloads)
        assert shows == [False, True]
    page.evaluate("document.getElementById('login').click()")
    page.wait_for_function("() => location.pathname.includes('/authn/verify/')")
    consents = [r for r in mock.requests if r.path.startswith("/authn/verify/")]
    assert [r.method for r in consents] == ["GET", "GET"]
    page_guard.assert_clean()


def test_web_crypto_path_matches_hashlib_for_the_rfc_vector(
    page: Page, serve_site: Callable[..., StaticServer], page_guard: PageGuard
) -> None:
    """``BrowserCrypto`` (crypto.subtle.digest through Pyodide) against RFC 7636 Appendix B."""
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    expected = b64url_sha256(verifier)
    site = serve_site(overrides={"crypto-check.html": CRYPTO_CHECK_PAGE.encode()})
    page.goto(site.url + "crypto-check.html")
    expect(page.locator("#challenge")).to_have_text(expected)
    expect(page.locator("#verifier-length")).to_have_text("43")
    page_guard.assert_clean()


# A page that runs pyapp's browser crypto adapter with the site's real PyScript config.
CRYPTO_CHECK_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head><body>
<p id="challenge"></p><p id="verifier-length"></p>
<script type="py" config="./pyscript.toml">
from pyscript import document
from pyapp import pkce
from pyapp.browser import BrowserCrypto
crypto = BrowserCrypto()
document.getElementById("challenge").textContent = await pkce.challenge_for(
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", crypto)
pair = await pkce.new_pair(crypto)
assert pair.challenge == await pkce.challenge_for(pair.verifier, crypto)
document.getElementById("verifier-length").textContent = str(len(pair.verifier))
</script></body></html>
"""
