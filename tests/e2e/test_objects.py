"""A version's objects in the page: ``examples/model/`` loads the mock's building through
``client.load`` (a gzip stream read chunk by chunk in Python), shows its progress, counts
the objects by type, tables one type's properties, keeps the choice in the address, and
explains a download that fails.

The expected counts are the building's recipe (``mock_speckle/fixtures.py``), not the
page's own arithmetic: 30 levels of 200 elements of six kinds, a mesh of its own for three
elements of four, eight shared meshes (their vertices in DataChunks, joined into one list
on load, so not counted), six materials and the root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_ID, APP_SECRET, app_config
from tests.e2e.model_page import MODEL_PAGE, big_project, link_to_building, sign_in

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

ELEMENTS_PER_KIND = 30 * 200 // 6
MESHES = 30 * 200 * 3 // 4 + 8
ALL_OBJECTS = 1 + 30 + 30 * 200 + MESHES + 6


def counted(page: Page, speckle_type: str) -> str:
    row = page.locator("#types tbody tr").filter(has=page.get_by_role(
        "cell", name=speckle_type, exact=True))
    return row.locator("td.count").inner_text()


def test_a_signed_out_visitor_sees_log_in_and_no_choice(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    AppPage(page, app_site.url).open(MODEL_PAGE)
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_visible()
    expect(page.locator("#choice")).to_be_hidden()
    expect(page.get_by_label("Project")).to_be_hidden()
    page_guard.assert_clean()


def test_a_chosen_version_loads_with_progress_and_is_counted_and_tabled(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    project = big_project(mock)
    model, version = project.models[0], project.models[0].versions[0]
    sign_in(page, app_site)
    page.get_by_label("Project").select_option(project.id)
    page.get_by_label("Model").select_option(model.id)
    expect(page.get_by_label("Version")).to_have_value(version.id)  # the newest, chosen
    page.get_by_role("button", name="Load objects").click()
    AppPage(page, app_site.url).wait_for("model-loaded")

    expect(page.locator("#status")).to_have_text(f"Loaded {ALL_OBJECTS:,} objects.")
    progress = page.locator("#progress")
    assert progress.evaluate("p => [p.value, p.max]") == [len(project.objects)] * 2
    assert counted(page, "Objects.BuiltElements.Wall") == f"{ELEMENTS_PER_KIND:,}"
    assert counted(page, "Objects.Geometry.Mesh") == f"{MESHES:,}"
    assert counted(page, "Objects.BuiltElements.Level") == "30"
    expect(page.locator("#types tbody tr")).to_have_count(6 + 4)
    expect(page.get_by_role("cell", name="Speckle.Core.Models.DataChunk")).to_have_count(0)

    page.get_by_label("Type", exact=True).select_option("Objects.BuiltElements.Wall")
    headers = page.locator("#properties thead th")
    expect(headers).to_have_text(["name", "level", "parameters.Mark.value",
                                  "parameters.Mark.units", "parameters.Fire rating.value"])
    expect(page.locator("#properties tbody tr")).to_have_count(100)
    expect(page.locator("#properties tbody tr").first.locator("td")).to_have_text(
        ["Wall 00000", "Level 00", "W-0", "", "0 min"])
    expect(page.locator("#shown")).to_have_text(
        f"100 of {ELEMENTS_PER_KIND:,} Objects.BuiltElements.Wall objects shown.")

    query = parse_qs(urlsplit(page.url).query)
    assert query == {"project": [project.id], "model": [model.id], "version": [version.id]}
    downloads = [r for r in mock.requests
                 if r.path.startswith("/objects/") and r.method != "OPTIONS"]
    assert [(r.method, r.path) for r in downloads] == [
        ("GET", f"/objects/{project.id}/{version.referenced_object}")]
    assert downloads[0].headers["accept"] == "text/plain"  # the line format, streamed
    assert downloads[0].headers["authorization"].startswith("Bearer ")
    page_guard.assert_clean()


def test_a_shared_link_opens_the_version_again_after_the_login(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    project = big_project(mock)
    model, version = project.models[0], project.models[0].versions[0]
    link = link_to_building(mock)
    sign_in(page, app_site, link)
    AppPage(page, app_site.url).wait_for("model-loaded")  # no click: the link said it all
    expect(page.get_by_label("Project")).to_have_value(project.id)
    expect(page.get_by_label("Model")).to_have_value(model.id)
    expect(page.get_by_label("Version")).to_have_value(version.id)
    assert counted(page, "Objects.BuiltElements.Door") == f"{ELEMENTS_PER_KIND:,}"
    assert page.url == app_site.url + link
    page_guard.assert_clean()


@pytest.mark.parametrize(("fault", "words"), [
    ("cut-stream", "The model didn't finish loading"),
    ("malformed-line", "Speckle sent model data this page can't read"),
    ("404", "This model's data isn't in the project"),
    ("403", "You can't open this project"),
])
def test_a_failed_download_is_explained_shows_nothing_and_loads_when_asked_again(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
    fault: str, words: str,
) -> None:
    mock.faults["/objects/"] = fault
    sign_in(page, app_site, link_to_building(mock))
    AppPage(page, app_site.url).wait_for("failed")
    expect(page.get_by_role("alert")).to_contain_text(words)
    expect(page.locator("#result")).to_be_hidden()
    expect(page.locator("#download")).to_be_hidden()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()  # still signed in

    del mock.faults["/objects/"]  # the server is well again: the same choice loads
    page.get_by_role("button", name="Load objects").click()
    AppPage(page, app_site.url).wait_for("model-loaded")
    expect(page.get_by_role("alert")).to_be_hidden()
    page_guard.assert_clean(allow_console=(r"40[34]", r"Failed to load resource",
                                           r"NetworkError", r"network"))


def test_an_expired_token_is_refreshed_once_and_the_download_goes_on(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # A site with an app secret: its sessions can be refreshed.
    site = serve_site(overrides={"config.json": app_config(mock.url, appSecret=APP_SECRET)})
    mock.apps[APP_ID].redirect_url = f"{site.url}callback.html"
    project = big_project(mock)
    example = sign_in(page, site, f"{MODEL_PAGE}?project={project.id}&model={project.models[0].id}")
    expect(page.get_by_role("button", name="Load objects")).to_be_enabled()
    old = example.session()["token"]  # type: ignore[index]
    mock.auth.tokens[old].revoked = True  # the access token ends; its refresh token works
    page.get_by_role("button", name="Load objects").click()
    example.wait_for("model-loaded")

    new = example.session()["token"]  # type: ignore[index]
    assert new != old
    downloads = [r.headers["authorization"] for r in mock.requests
                 if r.path.startswith("/objects/") and r.method == "GET"]
    assert downloads == [f"Bearer {old}", f"Bearer {new}"]  # refused, then again with the new
    page_guard.assert_clean(allow_console=(r"40[13]", r"Failed to load resource"))
