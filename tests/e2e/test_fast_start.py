"""Fast start: a first visit starts Python the normal way and keeps the snapshot of the
started interpreter for the next; later visits restore it. Whenever the snapshot cannot be
used, Python starts the normal way with no visible difference.

``fast-start.mjs`` leaves a performance mark saying what happened (``fast-start:restored``,
``fast-start:deferred``, ``fast-start:off``, ``fast-start:fallback`` with the reason as its
detail); the tests read it and check that the page works either way.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from devtools.fast_start import HEADER_SIZE, SNAPSHOT_NAME, snapshot_header
from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import REPO_ROOT, app_config
from tests.e2e.waiting import wait_for_async

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
import os, tempfile
js.document.body.dataset.tempname = next(tempfile._get_candidate_names())
js.document.body.dataset.environ = repr(sorted(os.environ.items()))
js.document.body.dataset.state = "ready"
</script>
</body></html>
"""


def fast_start_marks(page: Page) -> list[list[Any]]:
    marks: list[list[Any]] = page.evaluate(
        "performance.getEntriesByType('mark')"
        ".filter(m => m.name.startsWith('fast-start:')).map(m => [m.name, m.detail])")
    return marks


def snapshot_cached(page: Page, site_url: str) -> None:
    """Wait until the page has stored the snapshot for the next visit."""
    wait_for_async(page, """async (url) => {
          const cache = await caches.open("speckle-fast-start");
          return Boolean(await cache.match(url));
        }""", site_url + SNAPSHOT_NAME)


def first_visit(page: Page, url: str, state: str = "signed-out") -> None:
    """A first visit of ``url`` (in this context), then the snapshot kept for the next."""
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-state", state)
    assert [name for name, _ in fast_start_marks(page)] == ["fast-start:deferred"]
    snapshot_cached(page, url.rsplit("/", 1)[0] + "/")


def snapshot_bytes() -> bytes:
    path = REPO_ROOT / SNAPSHOT_NAME
    assert path.is_file(), f"{SNAPSHOT_NAME} is missing: ./dev setup builds it"
    return path.read_bytes()


@pytest.mark.first_visit
def test_a_first_visit_starts_without_the_snapshot_and_later_visits_restore_it(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    start = len(app_site.requests)
    first_visit(page, app_site.url + "index.html")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    # Off the critical path: asked for only after the runtime's own files.
    paths = [path for _, path, _ in app_site.requests[start:]]
    snapshot_at = paths.index("/" + SNAPSHOT_NAME)
    assert snapshot_at > paths.index("/runtime/pyodide/pyodide.asm.wasm.xz")
    assert snapshot_at > paths.index("/runtime/pyodide/python_stdlib.core.zip.xz")

    app = AppPage(page, app_site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    app.open("callback.html?access_code=not-started-here", state="error")
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    page_guard.assert_clean()


@pytest.mark.first_visit
def test_a_login_round_trip_works_from_the_snapshot(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    first_visit(page, app_site.url + "index.html")
    app = AppPage(page, app_site.url).open()
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    session = app.session()
    assert session is not None and session["token"]
    page_guard.assert_clean()


def test_two_visits_restore_the_same_heap_but_draw_different_random_numbers_and_names(
    page: Page, serve_site: Callable[..., StaticServer], page_guard: PageGuard
) -> None:
    site = serve_site(overrides={"probe.html": PROBE_PAGE})
    first_visit(page, site.url + "probe.html", state="ready")
    assert page.locator("body").get_attribute("data-preloaded") == "False"  # a normal start
    body = page.locator("body")
    normal_start_environ = body.get_attribute("data-environ")
    draws, names = [], []
    for _ in range(2):
        page.goto(site.url + "probe.html")
        expect(body).to_have_attribute("data-state", "ready")
        assert fast_start_marks(page) == [["fast-start:restored", None]]
        # pyapp was imported before the snapshot was taken: this is the snapshot's heap.
        assert body.get_attribute("data-preloaded") == "True"
        draws.append(body.get_attribute("data-random"))
        names.append(body.get_attribute("data-tempname"))
        # Nothing of the machine that built the snapshot: the environment of a normal start.
        assert body.get_attribute("data-environ") == normal_start_environ
        assert "make_snapshot" not in (body.get_attribute("data-environ") or "")
    assert draws[0] != draws[1]
    assert names[0] != names[1]  # tempfile's own generator is re-seeded too
    page_guard.assert_clean()


def test_a_host_that_labels_the_snapshot_gzip_encoded_still_gets_a_fast_start(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # Some servers send .gz files with Content-Encoding: gzip; the browser then hands the
    # page the decompressed snapshot.
    site = serve_site(overrides={"config.json": app_config(mock.url)},
                      per_path_headers={SNAPSHOT_NAME: {"Content-Encoding": "gzip"}})
    first_visit(page, site.url + "index.html")
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert fast_start_marks(page) == [["fast-start:restored", None]]
    page_guard.assert_clean()


def _body(data: bytes) -> bytearray:
    return bytearray(gzip.decompress(data))


def _another_build(data: bytes) -> bytes:
    raw = _body(data)
    raw[HEADER_SIZE + 16:HEADER_SIZE + 48] = bytes(32)  # Pyodide's header: the build id
    return gzip.compress(bytes(raw), compresslevel=1)


def _another_release(data: bytes) -> bytes:
    """The snapshot as a previous release built it: for another pyapp.zip."""
    raw = _body(data)
    raw[:HEADER_SIZE] = snapshot_header(b"the previous release's pyapp.zip")
    return gzip.compress(bytes(raw), compresslevel=1)


def _without_header(data: bytes) -> bytes:
    return gzip.compress(bytes(_body(data)[HEADER_SIZE:]), compresslevel=1)


BROKEN_SNAPSHOTS: dict[str, tuple[Callable[[], bytes], str]] = {
    "not a snapshot": (lambda: b"this is not a snapshot", "not a fast-start snapshot"),
    "no header": (lambda: _without_header(snapshot_bytes()), "not a fast-start snapshot"),
    "truncated": (lambda: snapshot_bytes()[: len(snapshot_bytes()) // 2], ""),
    "another build": (lambda: _another_build(snapshot_bytes()), "build id mismatch"),
    "another release": (lambda: _another_release(snapshot_bytes()),
                        "built with another pyapp.zip"),
}


@pytest.mark.parametrize("case", list(BROKEN_SNAPSHOTS))
def test_a_snapshot_that_cannot_be_used_starts_python_the_normal_way(
    case: str, page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    make, reason = BROKEN_SNAPSHOTS[case]
    site = serve_site(overrides={"config.json": app_config(mock.url), SNAPSHOT_NAME: make()})
    first_visit(page, site.url + "index.html")
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(page.locator("#loading")).to_be_hidden()
    marks = fast_start_marks(page)
    assert [name for name, _ in marks] == ["fast-start:fallback"]
    assert reason in marks[0][1]
    # No code of another release ran: the interpreter started empty.
    assert page.evaluate("() => performance.getEntriesByName('fast-start:restored').length") == 0
    allowed: tuple[str, ...] = ()
    if case == "truncated":  # Firefox also reports the gzip stream's error as uncaught
        allowed = (r"The input is ended without reaching the stream end",)
    page_guard.assert_clean(allow_console=allowed)


def test_a_site_without_the_snapshot_works_on_every_visit(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url),
                                 SNAPSHOT_NAME: lambda: None})
    for _ in range(2):
        AppPage(page, site.url).open()
        expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
        expect(page.locator("#loading")).to_be_hidden()
        assert fast_start_marks(page) == [["fast-start:deferred", "not in the cache yet"]]
        page.wait_for_load_state("networkidle")  # the 404 of the fetch for the next visit
    assert [s for _, p, s in site.requests if p == "/" + SNAPSHOT_NAME] == [404, 404]
    page_guard.assert_clean(allow_console=MISSING_FILE_CONSOLE)


def test_a_browser_without_decompression_streams_starts_the_normal_way(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.add_init_script("delete globalThis.DecompressionStream")
    for _ in range(2):
        AppPage(page, app_site.url).open()
        expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
        assert fast_start_marks(page) == [
            ["fast-start:fallback", "this browser cannot decompress a stream"]]
    page_guard.assert_clean()


def test_fast_start_false_in_config_json_turns_it_off_without_asking_for_the_snapshot(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url, fastStart=False)})
    for _ in range(2):
        AppPage(page, site.url).open()
        expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
        assert fast_start_marks(page) == [["fast-start:off", None]]
        page.wait_for_load_state("networkidle")
    assert not [path for _, path, _ in site.requests if SNAPSHOT_NAME in path]
    page_guard.assert_clean()
