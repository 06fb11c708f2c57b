"""A first visit: light on the wire, honest about its progress, patient with a slow network,
and unmoved by the host page's own missing files.

Bytes are counted from the static server's log (what a host that compresses nothing sends);
times are never asserted. Slow and dead networks are played by the server (``Pace``): a file
sent a little at a time, or one that stops part way and never ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, expect

from devtools.fast_start import SNAPSHOT_NAME
from devtools.static_server import Pace, StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import REPO_ROOT, app_config
from tests.e2e.test_fast_start import fast_start_marks, snapshot_cached
from tests.e2e.waiting import wait_for_async

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

WASM_XZ = "runtime/pyodide/pyodide.asm.wasm.xz"
FIRST_VISIT_BUDGET = 4_500_000  # bytes before "Log in" works

# Every state and loading label the page shows, recorded in the page as they change.
RECORD_LOADING = """
window.__states = [];
window.__labels = [];
document.addEventListener("DOMContentLoaded", () => {
  const body = document.body;
  const note = () => window.__states.push(body.dataset.state);
  note();
  new MutationObserver(note).observe(body, {attributes: true, attributeFilter: ["data-state"]});
  const box = document.getElementById("loading");
  if (!box) return;
  const label = box.querySelector(".stage");
  const bar = box.querySelector("progress");
  const seen = () => window.__labels.push(
    {text: label ? label.textContent : "", value: bar ? bar.value : null,
     max: bar ? bar.max : null});
  new MutationObserver(seen).observe(box, {subtree: true, childList: true,
                                           characterData: true, attributes: true});
}, {once: true});
"""


def with_stall_seconds(page_name: str, seconds: int) -> bytes:
    html = (REPO_ROOT / page_name).read_text(encoding="utf-8")
    marked = html.replace('id="loading"', f'id="loading" data-stall-seconds="{seconds}"', 1)
    assert marked != html
    return marked.encode()


def requested_bytes(site: StaticServer, start: int) -> dict[str, int]:
    """Path -> body bytes of each 200 since request ``start`` (what crossed the wire)."""
    sizes: dict[str, int] = {}
    for method, path, status in site.requests[start:]:
        if status == 200 and method == "GET":
            resource, _ = site.resolve(path.split("?")[0].lstrip("/"))
            assert resource is not None, path
            sizes[path] = sizes.get(path, 0) + resource.size
    return sizes


@pytest.mark.first_visit
def test_a_first_visit_downloads_the_runtime_compressed_and_under_budget(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    start = len(app_site.requests)
    AppPage(page, app_site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    sizes = requested_bytes(app_site, start)
    # The snapshot is for the next visit: fetched after the runtime, not needed to log in.
    needed = {path: size for path, size in sizes.items() if path != "/" + SNAPSHOT_NAME}
    assert sum(needed.values()) <= FIRST_VISIT_BUDGET, sorted(needed.items(), key=lambda i: -i[1])
    for uncompressed in ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip",
                         "pyodide-lock.json"):
        assert "/runtime/pyodide/" + uncompressed not in sizes
    assert "/" + WASM_XZ in sizes and "/runtime/pyodide/python_stdlib.core.zip.xz" in sizes
    # Nothing twice.
    paths = [path for _, path, status in app_site.requests[start:] if status == 200]
    assert len(paths) == len(set(paths)), paths
    page_guard.assert_clean()


def test_the_loading_screen_counts_the_bytes_as_they_arrive(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url)},
                      pace={WASM_XZ: Pace(rate=1_500_000)})
    page.add_init_script(RECORD_LOADING)
    AppPage(page, site.url).open()
    labels: list[dict[str, Any]] = page.evaluate("window.__labels")
    counted = [label for label in labels if label["text"].startswith("Downloading Python: ")]
    texts = list(dict.fromkeys(label["text"] for label in counted))
    assert len(texts) >= 3, texts  # it moved while the bytes arrived
    assert all(" of " in text and text.endswith(" MB") for text in texts[1:]), texts
    values = [label["value"] for label in counted if label["max"] > 3]
    assert values == sorted(values) and values[-1] > values[0]
    page_guard.assert_clean()


def test_a_slow_network_keeps_loading_until_the_page_is_ready(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # The WebAssembly takes several times the stall time to arrive, a little at a time.
    site = serve_site(overrides={"config.json": app_config(mock.url),
                                 "index.html": with_stall_seconds("index.html", 2)},
                      pace={WASM_XZ: Pace(rate=400_000)})
    page.add_init_script(RECORD_LOADING)
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert "runtime-error" not in page.evaluate("window.__states")
    page_guard.assert_clean()


def test_a_dead_connection_is_reported_in_plain_words_with_reload(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url),
                                 "index.html": with_stall_seconds("index.html", 2)},
                      pace={WASM_XZ: Pace(rate=2_000_000, stop_after=400_000)})
    AppPage(page, site.url).open(state="runtime-error")
    box = page.locator("#loading")
    expect(box).to_contain_text("Loading stopped making progress")
    expect(box).to_contain_text("nothing arrived for 2 s")
    expect(box.get_by_role("button", name="Reload")).to_be_visible()
    page_guard.assert_clean(allow_console=(r"^Couldn.t load Python: nothing arrived for 2 s",))


def without_favicon(html: str) -> bytes:
    """The page as a host page without a favicon link (the browser asks for /favicon.ico)
    and with an image that is missing."""
    bare = html.replace('<link rel="icon" href="data:,">', "", 1)
    assert bare != html
    return bare.replace("<body", '<img src="missing-logo.png" alt="">\n<body', 1).encode()


def test_the_host_pages_own_missing_files_show_no_error(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    index = without_favicon((REPO_ROOT / "index.html").read_text(encoding="utf-8"))
    embed = (REPO_ROOT / "examples/embed/index.html").read_text(encoding="utf-8")
    site = serve_site(overrides={"config.json": app_config(mock.url), "index.html": index,
                                 "examples/embed/index.html": without_favicon(embed)})
    page.add_init_script(RECORD_LOADING)
    AppPage(page, site.url).open()
    assert "runtime-error" not in page.evaluate("window.__states")

    page.goto(site.url + "examples/embed/index.html")
    widget = page.locator("#speckle-login")
    expect(widget.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(widget).not_to_have_attribute("data-state", "error")
    assert "error" not in page.evaluate("window.__states")
    missing = {p for _, p, s in site.requests if s == 404}
    assert "/missing-logo.png" in missing
    page_guard.assert_clean(allow_console=(r"status of 404",))


PROBE = """<!doctype html>
<html><head><meta charset="utf-8"><title>probe</title><link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading">
<script type="py" config="./probe.toml">
import js
try:
    import email.message, xml.dom.minidom, urllib.request
    js.document.body.dataset.found = "yes"
except ModuleNotFoundError as error:
    js.document.body.dataset.found = "no: " + str(error.name)
js.document.body.dataset.state = "ready"
</script>
</body></html>
"""


@pytest.mark.parametrize(("interpreter", "found"), [
    ("./fast-start.mjs", "no: email"),
    ("./fast-start.mjs?stdlib=full", "yes"),
])
def test_a_page_asks_for_the_whole_standard_library_by_name(
    interpreter: str, found: str, page: Page, serve_site: Callable[..., StaticServer],
    page_guard: PageGuard,
) -> None:
    toml = f'interpreter = "{interpreter}"\n[files]\n"./pyapp.zip" = "./*"\n'
    site = serve_site(overrides={"probe.html": PROBE.encode(), "probe.toml": toml.encode()})
    for _ in range(2):  # a first visit, then one restored from the snapshot
        page.goto(site.url + "probe.html")
        expect(page.locator("body")).to_have_attribute("data-state", "ready")
        assert page.locator("body").get_attribute("data-found") == found
        snapshot_cached(page, site.url)
    assert [name for name, _ in fast_start_marks(page)] == ["fast-start:restored"]
    whole = [s for _, p, s in site.requests if p.endswith("python_stdlib.full.zip.xz")]
    assert whole[:1] == [200] if found == "yes" else whole == []
    page_guard.assert_clean()


@pytest.mark.first_visit
def test_a_repeat_visit_takes_the_webassembly_decompressed_from_the_cache(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # The host forbids caching the download: only the page's own cache can spare it.
    site = serve_site(overrides={"config.json": app_config(mock.url)},
                      per_path_headers={WASM_XZ: {"Cache-Control": "no-store"}})
    AppPage(page, site.url).open()
    size = (REPO_ROOT / "runtime/pyodide/pyodide.asm.wasm").stat().st_size
    page.evaluate(f"window.__size = {size}")
    wait_for_async(page, """async (url) => {
          for (const name of await caches.keys()) {
            if (!name.startsWith("speckle-pyodide-")) continue;
            const kept = await (await caches.open(name)).match(url);
            if (kept) return (await kept.arrayBuffer()).byteLength === window.__size;
          }
          return false;
        }""", site.url + "runtime/pyodide/pyodide.asm.wasm")
    downloads = lambda: [p for _, p, _ in site.requests if p == "/" + WASM_XZ]  # noqa: E731
    assert len(downloads()) == 1
    AppPage(page, site.url).open()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    assert len(downloads()) == 1  # not downloaded again
    page_guard.assert_clean()


def test_the_widget_shows_the_bytes_in_its_place_until_it_takes_over(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url)},
                      pace={WASM_XZ: Pace(rate=1_000_000)})
    page.goto(site.url + "examples/embed/index.html")
    line = page.locator("#speckle-login .speckle-login-progress")
    expect(line).to_contain_text(re.compile(r"Downloading Python: \d+\.\d of \d+\.\d MB"))
    expect(line.locator("progress")).to_have_count(1)
    widget = page.locator("#speckle-login")
    expect(widget.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    expect(line).to_be_hidden()  # the widget's shadow root took the element's place
    page_guard.assert_clean()
