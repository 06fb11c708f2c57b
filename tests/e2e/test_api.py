"""The Python API as a site author uses it.

* ``examples/projects/`` logs in with ``connect(...).login(popup=True)``, lists projects
  with a GraphQL query and variables into its own markup, and calls ``/graphql`` from plain
  synchronous ``urllib.request`` (pyodide-http) with ``auth_headers()``.
* Storage is a choice: ``sessionStorage`` stays in its tab; ``localStorage`` ("stay signed
  in") shares the access token (never the refresh token, unless the site opts in), and
  logging out in one tab signs the others out.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from playwright.sync_api import BrowserContext, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.stores import SESSION_KEY
from tests.e2e.app_page import AppPage

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

PROJECTS = "examples/projects/index.html"
TRICKY_NAME = 'Müller & Söhne Depot <Phase 2> "East"'


def test_api_example_lists_projects_and_urllib_uses_the_api_headers(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    example = AppPage(page, app_site.url).open(PROJECTS)
    page.evaluate("window.__same_document = true")
    popup = example.open_popup()
    example.authorize_in(popup)  # callback.html hands the answer back and closes
    example.wait_for("signed-in")
    assert page.url == app_site.url + PROJECTS
    assert page.evaluate("window.__same_document") is True  # never left the page
    assert len(mock.token_exchanges()) == 1

    expect(page.locator("#who")).to_have_text("Signed in as Ada Lovelace")
    items = page.locator("#projects li")
    expect(items).to_have_count(25)  # the $limit variable reached the server
    expect(items.filter(has_text=TRICKY_NAME)).to_have_count(1)  # shown as text
    expect(page.locator("#projects li *")).to_have_count(0)  # …never parsed as markup
    expect(page.locator("#sync-check")).to_have_text(
        "urllib: ada@example.org on Speckle Mock Server")
    token = example.session()["token"]  # type: ignore[index]
    synchronous = [r for r in mock.requests if r.method == "POST" and r.path == "/graphql"
                   and "serverInfo { name } activeUser { email }" in r.body]
    assert len(synchronous) == 1
    assert synchronous[0].headers.get("authorization") == f"Bearer {token}"

    page.get_by_role("button", name="Log out").click()
    example.wait_for("signed-out")
    expect(items).to_have_count(0)
    assert example.our_keys() == {}
    page_guard.assert_clean()


def test_session_storage_stays_in_its_tab(
    context: BrowserContext, page: Page, app_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    AppPage(page, app_site.url).open().log_in()
    AppPage(context.new_page(), app_site.url).open()  # "signed-out" is awaited
    page_guard.assert_clean()


def test_stay_signed_in_is_shared_and_logging_out_signs_out_every_tab(
    context: BrowserContext, page: Page, app_site: StaticServer, mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    first = AppPage(page, app_site.url).open()
    first.fill(remember=True)
    first.log_in()
    # Every page of the origin can read localStorage: only the access token is kept there,
    # the refresh token and app secret stay in this tab.
    at_rest = json.loads(first.storage("localStorage")[SESSION_KEY])
    own = json.loads(first.storage("sessionStorage")[SESSION_KEY])
    assert at_rest["token"] == own["token"] and len(own["refresh_token"]) == 42
    assert at_rest["refresh_token"] is None and at_rest["app_secret"] is None

    second = AppPage(context.new_page(), app_site.url).open(state="signed-in")
    expect(second.page.locator("#user-name")).to_have_text("Ada Lovelace")
    second.log_out()  # the tab that holds the token only still ends the session
    first.wait_for("signed-out")  # told by the storage event, without a reload
    expect(first.page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert first.our_keys() == {}  # its own copy, refresh token and all, is gone too
    logouts = [r for r in mock.requests if r.path == "/auth/logout" and r.method == "POST"]
    assert [r.status for r in logouts] == [200]
    page_guard.assert_clean()
