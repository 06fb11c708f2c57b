"""axe-core on every page and example: signed out, signed in and in an error state.

Each test walks a page through its states and runs axe-core (pinned from npm) at each one;
any violation fails with the rule and the elements it found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import app_config
from tests.e2e.model_page import link_to_building, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

NETWORK_NOISE = (r"Failed to load resource", r"net::ERR_")
EMBED = "examples/embed/"
PROJECTS = "examples/projects/"


def test_app_page_with_editable_settings(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    assert_accessible(page, "signed out, settings editable")
    app.fill(server_url="app.speckle.systems")
    app.click_login()
    expect(page.locator("#server-url")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "with an invalid field")
    mock.apps["demo-app"].scopes = ["profile:read", "streams:read"]  # a banner when signed in
    app.fill(server_url=mock.url)
    app.log_in()
    expect(page.locator("#banner")).to_be_visible()
    assert_accessible(page, "signed in, with an error banner")
    page_guard.assert_clean()


def test_app_page_for_a_visitor(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url, editableSettings=None)})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    app = AppPage(page, site.url).open()
    assert_accessible(page, "signed out, pinned settings")
    app.log_in()
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("#projects li")).to_have_count(50)
    assert_accessible(page, "signed in, after Load more")
    app.log_out()
    assert_accessible(page, "after Log out")
    page_guard.assert_clean()


def test_app_page_waiting_for_a_login_popup(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(
        mock.url, editableSettings=None, loginMode="popup")})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    app = AppPage(page, site.url).open()
    with page.expect_popup() as opened:
        app.click_login()
    app.wait_for("waiting")
    assert_accessible(page, "waiting for the login popup")
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Authorize").click()
    app.wait_for("signed-in")
    page_guard.assert_clean()


def test_callback_page_error(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.to_consent()
    app.deny()
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    assert_accessible(page, "callback: declined")
    page_guard.assert_clean()


@pytest.mark.parametrize("page_name", ["index.html", "callback.html?access_code=x"])
def test_runtime_error(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_name: str
) -> None:
    page.add_init_script("delete globalThis.WebAssembly")
    page.goto(app_site.url + page_name)
    expect(page.locator("body")).to_have_attribute("data-state", "runtime-error")
    assert_accessible(page, f"{page_name}: the runtime cannot run")


def test_embed_example(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    widget = page.locator("#speckle-login")
    page.goto(app_site.url + EMBED)
    expect(widget).to_have_attribute("data-state", "signed-out")
    assert_accessible(page, "embed: signed out")
    with page.expect_popup() as opened:  # the widget logs in through a popup
        page.get_by_role("button", name="Log in with Speckle").click()
    popup = opened.value
    expect(widget).to_have_attribute("data-state", "waiting")
    assert_accessible(page, "embed: waiting for the popup")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Authorize").click()
    expect(widget).to_have_attribute("data-state", "signed-in")
    assert_accessible(page, "embed: signed in")
    page.goto(app_site.url + EMBED + "callback.html?denied=true")
    expect(widget.get_by_role("status").filter(has_text="You declined access")).to_be_visible()
    assert_accessible(page, "embed callback: declined")
    page_guard.assert_clean()


def test_projects_example(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.goto(app_site.url + PROJECTS)
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    assert_accessible(page, "projects: signed out")
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Log in with Speckle").click()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Authorize").click()
    expect(page.locator("body")).to_have_attribute("data-state", "signed-in")
    assert_accessible(page, "projects: signed in")
    mock.revoke_all_tokens()
    page.reload()
    expect(page.locator("#error")).to_be_visible()
    assert_accessible(page, "projects: an error")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)


def test_model_example(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    mock.faults["/objects/"] = "cut-stream"
    sign_in(page, app_site, link_to_building(mock))
    expect(page.locator("body")).to_have_attribute("data-state", "failed")
    assert_accessible(page, "model: a download that failed")
    del mock.faults["/objects/"]
    page.get_by_role("button", name="Load objects").click()
    expect(page.locator("body")).to_have_attribute("data-state", "model-loaded")
    assert_accessible(page, "model: a model loaded")
    page_guard.assert_clean(allow_console=NETWORK_NOISE)  # the cut download
