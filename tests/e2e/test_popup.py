"""The popup login in Chromium: the page that starts the login stays, and exchanges the code.

The consent page runs in a popup; ``callback.html`` hands the callback URL back and closes
without starting Python (``popup-callback.js``). The mock can send
``Cross-Origin-Opener-Policy: same-origin`` on its consent pages, which severs the popup
from its opener: the answer then travels on the BroadcastChannel alone.
"""

from __future__ import annotations

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
    site = serve_site(overrides={"config.json": app_config(mock.url, loginMode="popup")})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    return site


def python_started(popup: Page) -> bool:
    """Whether the page requested any of PyScript or Pyodide (it must not, as a popup)."""
    return bool(popup.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".some(e => /pyscript|pyodide|pyapp/.test(e.name))"))


@pytest.mark.parametrize("coop", [False, True], ids=["opener", "coop"])
def test_popup_login_signs_in_without_leaving_the_page(
    page: Page, context: BrowserContext, popup_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard, coop: bool,
) -> None:
    mock.consent_coop = coop
    app = AppPage(page, popup_site.url).open()
    page.evaluate("window.__same_document = true")  # gone if the page reloads or navigates
    popup = app.open_popup()
    assert "&code_challenge_method=S256" in popup.url and "?" not in popup.url
    assert popup.evaluate("window.opener === null") is coop
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
