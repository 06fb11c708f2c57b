"""Fast start: the pages restore a snapshot of the started interpreter, and start the normal
way, with no visible difference, whenever the snapshot cannot be used.

``fast-start.mjs`` leaves a performance mark saying what happened (``fast-start:restored``,
``fast-start:off``, ``fast-start:fallback`` with the reason as its detail); the tests read it
and check that the page works either way.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from devtools.fast_start import SNAPSHOT_NAME
from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import REPO_ROOT, app_config

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

MISSING_FILE_CONSOLE = (r"status of 404",)

# A page on the site's own PyScript config whose Python reports what it found at start.
PROBE_PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>probe</title><link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading">
<script type="py" config="./pyscript.toml">
import sys
import js
js.document.body.dataset.preloaded = str("pyapp.client" in sys.modules)
import random
js.document.body.dataset.random = repr(random.random())
js.document.body.dataset.state = "ready"
</script>
</body></html>
"""


def fast_start_marks(page: Page) -> list[list[Any]]:
    marks: list[list[Any]] = page.evaluate(
        "performance.getEntriesByType('mark')"
        ".filter(m => m.name.startsWith('fast-start:')).map(m => [m.name, m.detail])")
    return marks


def snapshot_bytes() -> bytes:
    path = REPO_ROOT / SNAPSHOT_NAME
    assert path.is_file(), f"{SNAPSHOT_NAME} is missing: ./dev setup builds it"
    return path.read_bytes()


def test_index_and_callback_start_from_the_snapshot(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert fast_start_marks(page) == [["fast-start:restored", None]]

    app.open("callback.html?access_code=not-started-here", state="error")
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    page_guard.assert_clean()


@pytest.mark.engines
def test_a_login_round_trip_works_from_the_snapshot(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    app = AppPage(page, app_site.url).open()
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    session = app.session()
    assert session is not None and session["token"]
    page_guard.assert_clean()


def test_two_visits_restore_the_same_heap_but_draw_different_random_numbers(
    page: Page, serve_site: Callable[..., StaticServer], page_guard: PageGuard
) -> None:
    site = serve_site(overrides={"probe.html": PROBE_PAGE})
    draws = []
    for _ in range(2):
        page.goto(site.url + "probe.html")
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert fast_start_marks(page) == [["fast-start:restored", None]]
        # pyapp was imported before the snapshot was taken: this is the snapshot's heap.
        assert page.locator("body").get_attribute("data-preloaded") == "True"
        draws.append(page.locator("body").get_attribute("data-random"))
    assert draws[0] != draws[1]
    page_guard.assert_clean()


def test_a_host_that_labels_the_snapshot_gzip_encoded_still_gets_a_fast_start(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # Some servers send .gz files with Content-Encoding: gzip; the browser then hands the
    # page the decompressed snapshot.
    site = serve_site(overrides={"config.json": app_config(mock.url)},
                      per_path_headers={SNAPSHOT_NAME: {"Content-Encoding": "gzip"}})
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    page_guard.assert_clean()


def _another_build(data: bytes) -> bytes:
    raw = bytearray(gzip.decompress(data))
    raw[16:48] = bytes(32)  # the header's Pyodide build id
    return gzip.compress(bytes(raw), compresslevel=1)


BROKEN_SNAPSHOTS: dict[str, tuple[Callable[[], bytes | None], str]] = {
    "missing": (lambda: None, "answered 404"),
    "not a snapshot": (lambda: b"this is not a snapshot", "not a Pyodide snapshot"),
    "truncated": (lambda: snapshot_bytes()[: len(snapshot_bytes()) // 2], ""),
    "another build": (lambda: _another_build(snapshot_bytes()), "build id mismatch"),
}


@pytest.mark.engines
@pytest.mark.parametrize("case", list(BROKEN_SNAPSHOTS))
def test_a_snapshot_that_cannot_be_used_starts_python_the_normal_way(
    case: str, page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    make, reason = BROKEN_SNAPSHOTS[case]
    data = make()
    site = serve_site(overrides={
        "config.json": app_config(mock.url),
        SNAPSHOT_NAME: (lambda: None) if data is None else data,
    })
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(page.locator("#loading")).to_be_hidden()
    marks = fast_start_marks(page)
    assert [name for name, _ in marks] == ["fast-start:fallback"]
    assert reason in marks[0][1]
    allowed = MISSING_FILE_CONSOLE if data is None else ()
    if case == "truncated":  # Firefox also reports the gzip stream's error as uncaught
        allowed = (r"The input is ended without reaching the stream end",)
    page_guard.assert_clean(allow_console=allowed)


def test_fast_start_false_in_config_json_turns_it_off_without_asking_for_the_snapshot(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url, fastStart=False)})
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert fast_start_marks(page) == [["fast-start:off", None]]
    assert not [path for _, path, _ in site.requests if SNAPSHOT_NAME in path]
    page_guard.assert_clean()
