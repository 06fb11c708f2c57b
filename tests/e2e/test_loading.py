"""The wait before Python runs: a useful page with real loading stages, and an honest failure.

``loading.js`` (plain JavaScript) drives ``#loading`` from PyScript's events before Python
exists. These tests record what a person would see at each stage and check that a runtime
that cannot load ends in a message and ``body[data-state=runtime-error]``, never in an
endless "Downloading…".
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
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

# What the page looks like at DOMContentLoaded and at every change of #loading's stage,
# recorded in the page itself so that no stage can slip between two polls of the test.
RECORD_STAGES = """
window.__seen = [];
const snap = (why) => {
  const box = document.getElementById("loading");
  const button = document.getElementById("login");
  const status = document.getElementById("status");
  window.__seen.push({
    why,
    stage: box && box.dataset.stage,
    text: box && !box.hidden ? box.innerText.trim() : null,
    progress: box && box.querySelector("progress") ? box.querySelector("progress").value : null,
    state: document.body.dataset.state,
    button: button ? {disabled: button.disabled, visible: button.checkVisibility()} : null,
    status: status && status.checkVisibility() ? status.innerText.trim() : null,
  });
};
document.addEventListener("DOMContentLoaded", () => {
  snap("parsed");
  const box = document.getElementById("loading");
  if (box) new MutationObserver(() => snap("stage")).observe(
    box, {attributes: true, attributeFilter: ["data-stage", "hidden"]});
}, {once: true});
"""

# The browser's own line for a 404 and loading.js's report of the failure.
# The browser's own lines about the file the test took away: Chromium's console says
# "status of 404"; Firefox reports a module served as text, and the failed fetch our loader
# rejects with, as page errors.
FAILED_LOAD_CONSOLE = (r"status of 404", r"^Couldn't load Python: ",
                       r"was blocked because of a disallowed MIME type",
                       r"^error loading dynamically imported module: ",
                       r"^xz-decompress\.wasm answered 404$")


def seen(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate("window.__seen")
    return result


def stages(page: Page) -> list[str]:
    order: list[str] = []
    for snap in seen(page):
        if snap["stage"] and (not order or order[-1] != snap["stage"]):
            order.append(snap["stage"])
    return order


def test_index_is_usable_while_python_loads_and_shows_real_stages(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.add_init_script(RECORD_STAGES)
    AppPage(page, app_site.url).open()
    expect(page.locator("#loading")).to_be_hidden()
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_enabled()

    first = seen(page)[0]
    assert first["why"] == "parsed" and first["state"] == "loading"
    assert first["stage"] == "download" and first["text"] == "Downloading Python…"
    assert first["button"] == {"disabled": True, "visible": True}  # the form is up, not usable
    assert stages(page) == ["download", "start", "app", "ready"]
    before_ready = [s for s in seen(page) if s["stage"] != "ready"]
    assert [s["progress"] for s in before_ready] == sorted(s["progress"] for s in before_ready)
    assert all(s["button"]["disabled"] for s in before_ready)
    texts = {s["stage"]: s["text"] for s in before_ready}
    assert texts == {"download": "Downloading Python…", "start": "Starting Python…",
                     "app": "Starting the app…"}
    page_guard.assert_clean()


def test_callback_says_signing_in_before_python_runs(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.add_init_script(RECORD_STAGES)
    # No sign-in was started here, so Python ends in its own message: the start is what counts.
    page.goto(app_site.url + "callback.html?access_code=unknown")
    expect(page.locator("body")).to_have_attribute("data-state", "error")
    first = seen(page)[0]
    assert first["why"] == "parsed" and first["state"] == "loading"
    assert first["status"] == "Signing you in…"
    assert first["stage"] == "download"
    assert stages(page) == ["download", "start", "app", "ready"]
    expect(page.locator("#loading")).to_be_hidden()
    page_guard.assert_clean()


@pytest.fixture(scope="module")
def site_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A copy of the site (real files, no symlinks) without one file, made once per file."""
    made: dict[str, Path] = {}

    def without(missing: str) -> Path:
        if missing not in made:
            root = tmp_path_factory.mktemp("site")
            for item in REPO_ROOT.iterdir():
                if item.is_file() and item.suffix in {".html", ".css", ".js", ".mjs", ".toml"}:
                    shutil.copy(item, root / item.name)
            for name in ("config.json", "pyapp.zip", SNAPSHOT_NAME):
                shutil.copy(REPO_ROOT / name, root / name)
            for folder in ("pyapp", "runtime"):
                shutil.copytree(REPO_ROOT / folder, root / folder,
                                ignore=shutil.ignore_patterns("__pycache__"))
            (root / missing).unlink()
            made[missing] = root
        return made[missing]

    return without


@pytest.mark.parametrize("missing", [
    "runtime/pyodide/pyodide.mjs",       # the import PyScript starts with fails
    "runtime/pyodide/pyodide.asm.wasm.xz",  # the WebAssembly, downloaded compressed
    "runtime/xz/xz-decompress.wasm",        # its decoder
    "runtime/pyscript/core.js",          # PyScript itself never runs
])
@pytest.mark.parametrize("page_name", ["index.html", "callback.html"])
def test_a_runtime_that_cannot_load_ends_in_a_message(
    page: Page, serve_site: Callable[..., StaticServer], site_copy: Callable[[str], Path],
    speckle_server: MockSpeckle, page_guard: PageGuard, missing: str, page_name: str,
) -> None:
    site = serve_site(root=site_copy(missing),
                      overrides={"config.json": app_config(speckle_server.url)})
    page.goto(site.url + page_name + ("?access_code=abc" if page_name == "callback.html" else ""))
    expect(page.locator("body")).to_have_attribute("data-state", "runtime-error")
    box = page.locator("#loading")
    expect(box).to_be_visible()
    expect(box).to_have_attribute("role", "alert")
    expect(box).to_contain_text(Path(missing).name)
    expect(box).to_have_attribute("data-stage", "error")
    if "core.js" not in missing:  # its 404 is seen as a file that did not arrive
        # A file the site lacks is named as such, not blamed on the visitor's connection.
        expect(box).to_contain_text("missing from the site")
        expect(box).not_to_contain_text("connection")
    heading = "This page couldn't load" if page_name == "index.html" else (
        "Couldn't finish signing you in")  # the callback's error has a heading like the rest
    expect(box.get_by_role("heading", level=2)).to_have_text(heading)
    if page_name == "index.html":
        expect(page.get_by_role("button", name="Log in with Speckle")).to_be_disabled()
    else:
        expect(page.locator("#status")).to_be_hidden()  # no "Signing you in…" left behind
    # Navigations only: the snapshot download started before the click may be reported
    # after the listener is attached.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.is_navigation_request() else None)
    with page.expect_navigation():
        box.get_by_role("button", name="Reload").click()
    assert requests and requests[0].split("?")[0].endswith(page_name)
    page_guard.assert_clean(allow_console=FAILED_LOAD_CONSOLE)


def test_a_browser_without_webassembly_is_told_so(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard
) -> None:
    page.add_init_script("delete globalThis.WebAssembly")
    page.goto(app_site.url + "index.html")
    expect(page.locator("body")).to_have_attribute("data-state", "runtime-error")
    expect(page.locator("#loading")).to_contain_text("does not run WebAssembly")
    expect(page.locator("#loading")).to_contain_text("This browser can't run this page")
    expect(page.get_by_role("button", name="Log in with Speckle")).to_be_disabled()
    # PyScript still goes on to load Pyodide, which then throws on the missing global; when
    # that line lands relative to this check depends on the machine's load, so it is allowed
    # rather than raced.
    page_guard.assert_clean(allow_console=(r"^Couldn't load Python: ",
                                           r"WebAssembly is not defined"))


def test_python_that_fails_before_taking_over_is_reported(
    page: Page, serve_site: Callable[..., StaticServer], speckle_server: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    broken = (REPO_ROOT / "index.html").read_text(encoding="utf-8").replace(
        "from pyapp.ui.index_page import main", "raise RuntimeError('broken on purpose')", 1)
    site = serve_site(overrides={"index.html": broken.encode(),
                                 "config.json": app_config(speckle_server.url)})
    page.goto(site.url + "index.html")
    expect(page.locator("body")).to_have_attribute("data-state", "runtime-error")
    expect(page.locator("#loading")).to_contain_text("The app failed to start")
    # Firefox writes PyScript's error object, not its text: "{type: RuntimeError, ...}".
    page_guard.assert_clean(allow_console=(r"broken on purpose", r"^The app failed to start: ",
                                           r"^\{type: RuntimeError, __error_address: \d+\}"))


def framer(serve_site: Callable[..., StaticServer], src: str) -> StaticServer:
    """Another site whose page frames ``src``."""
    html = (f'<!doctype html><html><head><link rel="icon" href="data:,"></head><body>'
            f'<iframe src="{src}" width="800" height="600"></iframe></body></html>')
    return serve_site(overrides={"framer.html": html.encode()})


@pytest.mark.parametrize("page_name", ["index.html", "callback.html"])
def test_a_page_framed_by_another_site_says_where_it_works_and_starts_nothing(
    page: Page, app_site: StaticServer, serve_site: Callable[..., StaticServer],
    mock: MockSpeckle, page_guard: PageGuard, page_name: str,
) -> None:
    # localhost and 127.0.0.1 are different sites to the browser.
    framed_url = app_site.url.replace("127.0.0.1", "localhost") + page_name
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(framer(serve_site, framed_url).url + "framer.html")
    frame = page.frame_locator("iframe")
    expect(frame.locator("body")).to_have_attribute("data-state", "runtime-error")
    box = frame.locator("#loading")
    expect(box).to_contain_text("Open this page in its own tab")
    expect(box).to_contain_text("only on the site's own page")
    link = frame.get_by_role("link", name="Open in a new tab")
    expect(link).to_have_attribute("href", framed_url)
    expect(link).to_have_attribute("target", "_blank")
    assert not [u for u in requested if "pyodide" in u or "fast-start" in u]
    # PyScript's core still runs (a module script cannot be called off), and where the
    # browser refuses IndexedDB to another site's frame (headless Chromium does) its storage
    # helper re-dispatches the refusal and throws this, harmlessly: nothing of it is used.
    page_guard.assert_clean(allow_console=(r"^Not started: the page is framed by ",
                                           r"The event is already being dispatched",
                                           r"^Event$"))


def test_a_page_framed_by_its_own_site_works(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    page.goto(app_site.url + "index.html")
    # The page's own Python first: emptying a page whose start-up is still under way would
    # test that race, not framing.
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    page.evaluate("""src => {
        document.body.innerHTML = '';
        const frame = document.createElement('iframe');
        frame.src = src;
        document.body.append(frame);
    }""", app_site.url + "index.html?framed")
    frame = page.frame_locator("iframe")
    expect(frame.locator("body")).to_have_attribute("data-state", "signed-out")
    expect(frame.get_by_role("button", name="Log in with Speckle")).to_be_enabled()
    page_guard.assert_clean()
