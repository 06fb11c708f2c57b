"""Browser tests: the real site in headless Chromium and Firefox through pytest-playwright.

* Chromium is Debian's ``/usr/bin/chromium``, Firefox is Debian's ``/usr/bin/firefox-esr``
  (driven over WebDriver BiDi, ``devtools/browsers.py``); Playwright's own browser download
  is never used. Both are cut off from everything but loopback (Chromium: no name resolves;
  Firefox: every other request goes to a proxy that refuses), so a test cannot reach the
  internet even by accident.
* Every test runs in every engine of ``ENGINES``: the same code, once per engine
  (``test_x[chromium]``, ``test_x[firefox]``). A test one engine cannot run says why in its
  marker, ``chromium_only(reason=...)``. ``--browser`` on the command line overrides both
  (``--browser firefox`` runs every test in Firefox).
* Every test in this folder is marked ``e2e`` (select or skip them with ``-m``) and runs after
  the other tests.
* ``site`` serves the repository root for the whole session; ``serve_site`` starts extra
  servers for one test (a deep prefix, a patched ``config.json``, ...).
* ``page_guard`` records console errors, uncaught page errors and every request that leaves
  loopback; a test ends with ``page_guard.assert_clean()``.
* Timeouts suit a Pyodide boot (a few seconds cold): tests wait on conditions, never sleep.
* A test's context comes as a returning visitor's browser: the app site's fast-start snapshot
  is already in its cache (``seed_fast_start``), as it is after any earlier visit. How a
  first visit starts, and keeps the snapshot, is tested on sites of their own and by tests
  marked ``first_visit``, whose context starts empty.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, BrowserType, ConsoleMessage, Request, expect

from devtools.browsers import firefox_launch_args
from devtools.fast_start import ensure_snapshot
from devtools.pyapp_zip import write_pyapp_zips
from devtools.static_server import REPO_PRIVATE, StaticServer
from mock_speckle import App, MockSpeckle
from tools.patch_playwright import core_bundle, is_patched

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ENGINES = ("chromium", "firefox")

# Generous enough for a cold Pyodide start on a slow, busy machine; conditions usually hold
# within a few seconds and the wait ends as soon as they do.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

# The test site may serve the test pages under tests/; everything else private stays hidden.
SITE_DENY = REPO_PRIVATE - {"tests"}
LOOPBACK_HOSTS = {"localhost", "::1"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests ``e2e`` and run them after all others.

    Playwright's sync API keeps an asyncio loop running on the main thread from the first
    browser test to the end of the session; ``asyncio.run()`` in a test after that fails with
    "cannot be called from a running event loop". Browser tests last avoids that.
    """
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)
    items.sort(key=lambda item: item.path.is_relative_to(E2E_DIR))  # stable: order kept


@pytest.hookimpl(wrapper=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> Iterator[None]:
    """Run every browser test in every engine of ``ENGINES`` (a ``chromium_only`` test in
    Chromium alone).

    pytest-playwright parametrizes ``browser_name`` from ``--browser`` (default: Chromium)
    for every test; around its hook, a test sees ``--browser`` set to ``ENGINES`` unless
    the command line chose browsers itself.
    """
    option = metafunc.config.option
    chosen = option.browser
    if not chosen and not metafunc.definition.get_closest_marker("chromium_only"):
        option.browser = list(ENGINES)
    try:
        return (yield)
    finally:
        option.browser = chosen


def firefox_driver_patched() -> bool:
    venv = Path(sys.prefix)
    return is_patched(core_bundle(venv).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], browser_name: str
) -> dict[str, Any]:
    if browser_name == "firefox":
        if not firefox_driver_patched():
            pytest.fail("Playwright's driver cannot open pages in Firefox ESR until "
                        "tools/patch_playwright.py has run: run ./dev setup", pytrace=False)
        return {**browser_type_launch_args, **firefox_launch_args()}
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # Chromium's own background requests are invisible to Playwright: make any name
            # other than loopback unresolvable so nothing leaves the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
        ],
    }


# Stores the site's snapshot in the page's cache as fast-start.mjs does after a first visit.
SEED_PAGE = "seed-fast-start.html"
SEED_HTML = b"""<!doctype html><meta charset="utf-8"><title>seeding</title>
<link rel="icon" href="data:,">
<script type="module">
const url = new URL("fast-start.snapshot.gz", location.href).href;
const data = await (await fetch(url)).arrayBuffer();
const cache = await caches.open("speckle-fast-start");
await cache.put(url, new Response(data, {headers: {"Content-Type": "application/gzip"}}));
document.title = "seeded";
</script>
"""


def seed_fast_start(context: BrowserContext, site_url: str) -> None:
    """Put the site's fast-start snapshot into ``context``'s cache (the site must serve
    :data:`SEED_PAGE`)."""
    page = context.new_page()
    try:
        page.goto(site_url + SEED_PAGE)
        page.wait_for_function("document.title === 'seeded'")
    finally:
        page.close()


@pytest.fixture
def context(
    context: BrowserContext, request: pytest.FixtureRequest, app_site: StaticServer
) -> BrowserContext:
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    if not request.node.get_closest_marker("first_visit"):
        seed_fast_start(context, app_site.url)
    return context


@pytest.fixture(scope="session")
def runtime_dir() -> Path:
    """The self-hosted runtime; its absence is a setup error, not a reason to skip."""
    runtime = REPO_ROOT / "runtime"
    missing = [
        rel
        for rel in ("pyscript/core.js", "pyodide/pyodide.mjs", "pyodide/pyodide.asm.wasm")
        if not (runtime / rel).is_file()
    ]
    if missing:
        pytest.fail(f"runtime/ lacks {', '.join(missing)}: run ./dev setup", pytrace=False)
    write_pyapp_zips(REPO_ROOT)  # the pages load pyapp from them: never test a stale copy
    ensure_snapshot(REPO_ROOT)  # nor a snapshot of an older pyapp
    return runtime


@pytest.fixture(scope="session")
def site(runtime_dir: Path) -> Iterator[StaticServer]:
    """The repository root served at ``site.url`` (``http://127.0.0.1:<port>/``)."""
    server = StaticServer(REPO_ROOT, deny=SITE_DENY).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def serve_site(runtime_dir: Path) -> Iterator[Callable[..., StaticServer]]:
    """Start more servers for one test: ``serve_site(prefix="/a/b/", overrides={...})``.

    Keyword arguments go to :class:`StaticServer`; ``root`` defaults to the repository root
    and ``deny`` to the same private names as ``site``. All are stopped after the test.
    """
    started: list[StaticServer] = []

    def start(**kwargs: Any) -> StaticServer:
        kwargs.setdefault("root", REPO_ROOT)
        kwargs.setdefault("deny", SITE_DENY)
        server = StaticServer(**kwargs).start()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def is_loopback_url(url: str) -> bool:
    """True for URLs that stay on this machine or need no network (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        return True
    host = (parts.hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


@dataclass
class PageGuard:
    """What went wrong in the browser during one test, gathered from whole contexts."""

    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> PageGuard:
        """Record from ``context`` too (the ``context`` fixture is watched already)."""
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.page_errors.append(str(err.error)))
        context.on("request", self._on_request)
        return self

    def _on_console(self, msg: ConsoleMessage) -> None:
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            self.console.append(f"{msg.text}  [{where}]" if where else msg.text)

    def _on_request(self, request: Request) -> None:
        if not is_loopback_url(request.url):
            self.external_requests.append(f"{request.method} {request.url}")

    def assert_clean(self, allow_console: tuple[str, ...] = ()) -> None:
        """Fail on any console error, page error or non-loopback request.

        ``allow_console`` holds regular expressions for errors a test provokes on purpose
        (say, the browser's line about a 404 the test asked for). They apply to page errors
        too: Firefox reports a refused cross-origin request as a page error, where Chromium
        writes a console line.
        """
        def unexpected(messages: list[str]) -> list[str]:
            return [m for m in messages if not any(re.search(p, m) for p in allow_console)]

        console, page_errors = unexpected(self.console), unexpected(self.page_errors)
        problems = []
        if console:
            problems.append("console errors:\n  " + "\n  ".join(console))
        if page_errors:
            problems.append("page errors:\n  " + "\n  ".join(page_errors))
        if self.external_requests:
            problems.append("non-loopback requests:\n  " + "\n  ".join(self.external_requests))
        assert not problems, "\n".join(problems)


@pytest.fixture
def page_guard(request: pytest.FixtureRequest) -> PageGuard:
    """A :class:`PageGuard` on the test's ``context`` (and so on ``page``) when the test uses
    one; contexts made otherwise are added with ``page_guard.watch(ctx)``."""
    guard = PageGuard()
    if "context" in request.fixturenames:
        guard.watch(request.getfixturevalue("context"))
    return guard


@pytest.fixture
def persistent_context(
    browser_type: BrowserType,
    browser_type_launch_args: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[], BrowserContext]]:
    """Start browser contexts with an on-disk profile, like a real user's browser.

    The ``context`` fixture is incognito: its cache lives in memory and does not keep large
    files such as ``pyodide.asm.wasm``, so only a persistent profile shows what a returning
    visitor downloads.
    """
    opened: list[BrowserContext] = []

    def launch() -> BrowserContext:
        profile = tmp_path_factory.mktemp("profile")
        ctx = browser_type.launch_persistent_context(profile, **browser_type_launch_args)
        ctx.set_default_timeout(TIMEOUT_MS)
        ctx.set_default_navigation_timeout(TIMEOUT_MS)
        opened.append(ctx)
        return ctx

    try:
        yield launch
    finally:
        for ctx in opened:
            ctx.close()


# -- the app against the mock Speckle server ------------------------------------------------

APP_ID = "demo-app"
APP_SECRET = "demo-secret"


@pytest.fixture(scope="session")
def speckle_server() -> Iterator[MockSpeckle]:
    """One mock Speckle server for the session; tests get it reset through ``mock``."""
    server = MockSpeckle(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


def app_config(server_url: str, **extra: Any) -> bytes:
    """A ``config.json`` pointing the app at ``server_url``, with the settings form shown (as
    ``./dev serve`` does) unless ``editableSettings=False`` is passed."""
    config = {"serverUrl": server_url, "appId": APP_ID, "editableSettings": True, **extra}
    return json.dumps({k: v for k, v in config.items() if v is not None}).encode()


@pytest.fixture(scope="session")
def app_site(runtime_dir: Path, speckle_server: MockSpeckle) -> Iterator[StaticServer]:
    """The site with its ``config.json`` aimed at the mock, whose app redirects back here."""
    server = StaticServer(REPO_ROOT, deny=SITE_DENY,
                          overrides={"config.json": app_config(speckle_server.url),
                                     SEED_PAGE: SEED_HTML}).start()
    speckle_server.register_app(App(
        id=APP_ID, secret=APP_SECRET, name="Speckle Login Demo",
        redirect_url=f"{server.url}callback.html",
        scopes=["profile:read", "profile:email", "streams:read"]))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mock(speckle_server: MockSpeckle, app_site: StaticServer) -> Iterator[MockSpeckle]:
    """The mock server, back to its defaults (documented dialect, fixtures, no faults)."""
    speckle_server.reset()
    app = speckle_server.apps[APP_ID]
    app.redirect_url = f"{app_site.url}callback.html"
    app.scopes = ["profile:read", "profile:email", "streams:read"]
    yield speckle_server
    speckle_server.reset()
