"""The object cache in a real browser: a second load of the same version, even after a
reload, reads IndexedDB instead of downloading (the mock sees one small access question and
no second download), ``cache=False`` downloads, and logging out deletes the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from mock_speckle.fixtures import BUILDING_OBJECTS, building_objects
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_ID, app_config
from tests.e2e.model_page import big_project

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

PAGE = "objects-cache.html"
DB_NAME = "speckle-login:objects"

# A site author's page: loads one version's objects with and without the cache, logs out.
CACHE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading">
<button id="load" type="button">Load</button>
<button id="load-fresh" type="button">Load without the cache</button>
<button id="logout" type="button">Log out</button>
<p id="result"></p>
<script type="py" config="./pyscript.toml">
import asyncio
from pyscript import document, when
from pyapp import connect

speckle = connect(config_file="config.json")
result = document.getElementById("result")
runs = [0]


async def load(cache):
    counted = []
    root = await speckle.load("__PROJECT__", "__ROOT__", cache=cache,
                              progress=lambda loaded, total: counted.append(loaded))
    runs[0] += 1
    result.textContent = f"{runs[0]}: {root['id']} with {counted[-1]} objects"


async def log_out():
    await speckle.logout()
    result.textContent = "signed out"


@when("click", "#load")
def on_load(event):
    asyncio.ensure_future(load(True))


@when("click", "#load-fresh")
def on_load_fresh(event):
    asyncio.ensure_future(load(False))


@when("click", "#logout")
def on_logout(event):
    asyncio.ensure_future(log_out())

document.body.dataset.state = "ready"
</script></body></html>"""

# What the site's object database holds: its kept records, or None when it does not exist.
# The connection is closed at once: an open one would hold up the page's own deletion.
KEPT_RECORDS = """async (name) => {
  const names = (await indexedDB.databases()).map((db) => db.name);
  if (!names.includes(name)) return null;
  const db = await new Promise((ok, fail) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  try {
    const tx = db.transaction(["bodies", "entries"], "readonly");
    const keys = (store) => new Promise((ok, fail) => {
      const request = tx.objectStore(store).getAllKeys();
      request.onsuccess = () => ok(request.result);
      request.onerror = () => fail(request.error);
    });
    return {bodies: await keys("bodies"), entries: await keys("entries")};
  } finally {
    db.close();
  }
}"""


def building(mock: MockSpeckle) -> tuple[str, str]:
    """The project holding the fixture building, and the building's root id."""
    return big_project(mock).id, building_objects()[0]


def downloads(mock: MockSpeckle, root: str) -> int:
    return sum(1 for r in list(mock.requests)
               if r.method == "GET" and r.path.split("?")[0].endswith(f"/{root}"))


def access_questions(mock: MockSpeckle) -> int:
    return sum(1 for r in list(mock.requests)
               if r.path == "/graphql" and "query Access(" in r.body)


def test_a_second_load_reads_indexeddb_and_logout_deletes_it(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    project, root = building(mock)
    html = CACHE_PAGE.replace("__PROJECT__", project).replace("__ROOT__", root)
    # The page is served by a site of its own (a page the test made up in the browser
    # would not count as this machine's, and could not call the mock), its app's
    # redirect URL pointed there.
    site = serve_site(overrides={"config.json": app_config(mock.url), PAGE: html.encode()})
    mock.apps[APP_ID].redirect_url = f"{site.url}callback.html"
    AppPage(page, site.url).open().log_in()  # the session stays in this tab
    page.goto(site.url + PAGE)
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    result = page.locator("#result")
    loaded = f"{root} with {BUILDING_OBJECTS} objects"

    page.locator("#load").click()
    expect(result).to_have_text(f"1: {loaded}")
    assert (downloads(mock, root), access_questions(mock)) == (1, 0)
    key = f'["{mock.url.rstrip("/")}", "{project}", "{root}"]'
    assert page.evaluate(KEPT_RECORDS, DB_NAME) == {"bodies": [key], "entries": [key]}

    page.reload()  # kept by the browser, not by the page
    expect(page.locator("body")).to_have_attribute("data-state", "ready")
    page.locator("#load").click()
    expect(result).to_have_text(f"1: {loaded}")
    assert (downloads(mock, root), access_questions(mock)) == (1, 1)

    page.locator("#load-fresh").click()
    expect(result).to_have_text(f"2: {loaded}")
    assert downloads(mock, root) == 2

    page.locator("#logout").click()
    expect(result).to_have_text("signed out")
    assert page.evaluate(KEPT_RECORDS, DB_NAME) is None  # the database itself is gone
    page_guard.assert_clean()
