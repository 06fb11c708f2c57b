"""Drive headless Chromium through the login pages and print where start-up time goes.

Three cache regimes, each case in a fresh tab, cases interleaved run by run:

* ``cold``  - a new incognito context per case with the HTTP cache switched off (DevTools
  ``Network.setCacheDisabled``), so every page of a round trip downloads and compiles
  everything: the worst case, and the same for every page.
* ``first`` - a new on-disk profile per case: a real first visit. The first page downloads the
  runtime; the callback and the return to the app reuse the browser's disk cache.
* ``warm``  - one on-disk profile, visited once before measuring: a returning visitor.

Times are read in the page (``performance.timeOrigin`` and ``performance.now()``), from the
navigation's start to the condition: the bare page sets ``data-state=ready`` after printing one
line; ``index.html`` is ready at ``data-state=signed-out`` with "Log in" enabled; the callback
is complete at ``data-state=done`` (token stored); the return page at ``data-state=signed-in``
(user shown); the round trip from opening ``index.html`` to that signed-in view, with
Playwright clicking "Log in" and "Authorize" as soon as they can be clicked; and
"Authorize → signed in", from the click on Authorize to the signed-in view, on the clock all
windows share. The popup cases (the app with ``"loginMode": "popup"``, and the JavaScript
reference's ``popup.html``) run the consent page in a popup: the page that opened it never
leaves, so its round trip is one page load plus the login.

Bytes come from the static servers' logs (what reached the server, 200 or 304, and the size of
each 200's body), on one on-disk profile: a first visit, then a second visit.
"""

from __future__ import annotations

import argparse
import ast
import functools
import json
import statistics
import sys
import tempfile
import time
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from devtools.fast_start import SNAPSHOT_NAME
from devtools.static_server import REPO_PRIVATE, StaticServer
from mock_speckle import App, MockSpeckle

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]  # fmt: skip
TIMEOUT_MS = 60_000
SCOPES = ["profile:read", "profile:email", "streams:read"]
REGIMES = ("cold", "first", "warm")
MARKS_KEY = "__bench_marks"
PROFILE_KEY = "__bench_profile"

# Every page records its milestones in sessionStorage (per tab and origin), so that the
# callback's figures survive its navigation back to the app.
MARKS_SCRIPT = """(() => {
  const KEY = "__KEY__";
  const page = location.pathname.split("/").pop() || "index.html";
  const origin = performance.timeOrigin;
  const rec = (name, t = performance.now(), extra = {}) => {
    try {
      const list = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      list.push({page, name, t, origin, ...extra});
      sessionStorage.setItem(KEY, JSON.stringify(list));
    } catch (e) { /* an opaque origin (about:blank) has no storage */ }
  };
  rec("nav", 0);
  addEventListener("py:progress", (e) => rec("progress:" + e.detail));
  addEventListener("py:ready", () => rec("py:ready"), true);
  addEventListener("py:done", () => rec("py:done"), true);
  new PerformanceObserver((list) => list.getEntries().forEach(
    (m) => rec("mark:" + m.name, m.startTime))).observe({type: "mark", buffered: true});
  document.addEventListener("DOMContentLoaded", () => {
    rec("dcl");
    const body = document.body;
    const note = () => {
      const button = document.getElementById("login");
      rec("state:" + body.dataset.state, performance.now(),
          {enabled: button ? !button.disabled : null});
    };
    note();
    new MutationObserver(note).observe(body, {attributes: true, attributeFilter: ["data-state"]});
  });
})();""".replace("__KEY__", MARKS_KEY)


# -- servers --------------------------------------------------------------------------------


@dataclass
class Servers:
    mock: MockSpeckle
    site: StaticServer
    site_off: StaticServer  # the same site with "fastStart": false in its config.json
    js: StaticServer
    popup_site: StaticServer

    def stop(self) -> None:
        for server in (self.site, self.site_off, self.js, self.popup_site, self.mock):
            server.stop()


def config_json(server_url: str, app_id: str, **extra: Any) -> bytes:
    settings = {"serverUrl": server_url, "appId": app_id, "dialect": "auto", "storage": "session",
                **extra}
    return json.dumps(settings).encode()


def start_servers(site_overrides: dict[str, bytes] | None = None) -> Servers:
    """The mock, the site (plus the bare page, never ``bench/`` itself) and the JS reference."""
    mock = MockSpeckle(host="127.0.0.1", port=0).start()
    overrides = {
        "config.json": config_json(mock.url, "demo-app"),
        "bench-bare.html": (BENCH / "bare.html").read_bytes(),
        "bench-bare.toml": (BENCH / "bare.toml").read_bytes(),
        **(site_overrides or {}),
    }
    site = StaticServer(REPO, deny=REPO_PRIVATE | {"bench"}, overrides=overrides).start()
    site_off = StaticServer(REPO, deny=REPO_PRIVATE | {"bench"}, overrides={
        **overrides, "config.json": config_json(mock.url, "demo-app-off", fastStart=False)}).start()
    js = StaticServer(BENCH / "js", overrides={
        "config.json": config_json(mock.url, "js-reference"),
        "popup-config.json": config_json(mock.url, "js-popup")}).start()
    # The same site with "loginMode": "popup", on its own origin and with its own app.
    popup_site = StaticServer(REPO, deny=REPO_PRIVATE | {"bench"}, overrides={
        "config.json": config_json(mock.url, "demo-popup", loginMode="popup")}).start()
    mock.register_app(App(id="demo-app", secret="demo-secret", name="Speckle Login Demo",
                          redirect_url=f"{site.url}callback.html", scopes=SCOPES))
    mock.register_app(App(id="demo-app-off", secret="demo-secret", name="Speckle Login Demo",
                          redirect_url=f"{site_off.url}callback.html", scopes=SCOPES))
    mock.register_app(App(id="js-reference", secret="js-secret", name="JS reference",
                          redirect_url=f"{js.url}callback.html", scopes=SCOPES))
    mock.register_app(App(id="demo-popup", secret="demo-secret", name="Speckle Login Demo",
                          redirect_url=f"{popup_site.url}callback.html", scopes=SCOPES))
    mock.register_app(App(id="js-popup", secret="js-secret", name="JS reference, popup",
                          redirect_url=f"{js.url}popup-callback.html", scopes=SCOPES))
    return Servers(mock, site, site_off, js, popup_site)


# -- one page, one round trip ---------------------------------------------------------------


@dataclass
class Visit:
    page: str
    origin: float
    events: dict[str, float] = field(default_factory=dict)
    enabled: dict[str, bool | None] = field(default_factory=dict)


def read_visits(page: Page) -> list[Visit]:
    raw: list[dict[str, Any]] = page.evaluate(
        f"() => JSON.parse(sessionStorage.getItem('{MARKS_KEY}') || '[]')")
    visits: list[Visit] = []
    for item in raw:
        if item["name"] == "nav":
            visits.append(Visit(item["page"], item["origin"]))
            continue
        visit = visits[-1]
        visit.events.setdefault(item["name"], item["t"])
        if item.get("enabled") is not None:
            visit.enabled.setdefault(item["name"], item["enabled"])
    return visits


def wait_state(page: Page, state: str, extra: str = "") -> None:
    page.locator(f"body[data-state={state}]{extra}").wait_for(state="attached",
                                                               timeout=TIMEOUT_MS)


def run_bare(page: Page, servers: Servers) -> dict[str, Visit]:
    page.goto(servers.site.url + "bench-bare.html")
    wait_state(page, "ready")
    return {"bare": read_visits(page)[0]}


# Now, on the clock every window of the browser shares (ms since the epoch).
NOW = "() => performance.timeOrigin + performance.now()"


def run_round_trip(page: Page, base_url: str) -> dict[str, Visit]:
    page.goto(base_url + "index.html")
    wait_state(page, "signed-out", " #login:enabled")
    page.locator("#login").click()
    authorize = page.get_by_role("button", name="Authorize")
    authorize.wait_for(timeout=TIMEOUT_MS)
    clicked = page.evaluate(NOW)
    authorize.click(timeout=TIMEOUT_MS)
    wait_state(page, "signed-in")
    index, callback, back = read_visits(page)
    assert (index.page, callback.page, back.page) == ("index.html", "callback.html", "index.html")
    return {"index": index, "callback": callback, "return": back,
            "authorize": Visit("consent", clicked)}


def run_popup_round_trip(page: Page, url: str) -> dict[str, Visit]:
    """The page stays; the consent page runs in a popup, whose callback hands the code back."""
    page.goto(url)
    wait_state(page, "signed-out", " #login:enabled")
    with page.expect_popup(timeout=TIMEOUT_MS) as opened:
        page.locator("#login").click()
    popup = opened.value
    authorize = popup.get_by_role("button", name="Authorize")
    authorize.wait_for(timeout=TIMEOUT_MS)
    clicked = popup.evaluate(NOW)
    authorize.click(timeout=TIMEOUT_MS)
    wait_state(page, "signed-in")
    visits = read_visits(page)
    assert len(visits) == 1, [v.page for v in visits]  # the page never left
    return {"index": visits[0], "return": visits[0], "authorize": Visit("consent", clicked)}


# Figure name -> (case, visit, event): a time from that visit's navigation start.
FIGURES: dict[str, tuple[str, str, str]] = {
    "bare PyScript page: ready": ("bare", "bare", "state:ready"),
    "index: ready (Log in enabled)": ("app", "index", "state:signed-out"),
    "callback: done (token stored)": ("app", "callback", "state:done"),
    "return to app: signed in": ("app", "return", "state:signed-in"),
    "fast start off, index: ready": ("off", "index", "state:signed-out"),
    "fast start off, callback: done": ("off", "callback", "state:done"),
    "JS ref index: ready": ("js", "index", "state:signed-out"),
    "JS ref callback: done": ("js", "callback", "state:done"),
    "JS ref return: signed in": ("js", "return", "state:signed-in"),
}
ROUND_TRIPS = {"round trip (open → signed in)": "app", "fast start off, round trip": "off",
               "JS ref round trip": "js",
               "popup: round trip": "popup", "JS ref popup: round trip": "jspopup"}
# From the click on Authorize to the signed-in view, whichever window that happens in.
AUTHORIZE_FIGURES = {"Authorize → signed in": "app", "JS ref Authorize → signed in": "js",
                     "popup: Authorize → signed in": "popup",
                     "JS ref popup: Authorize → signed in": "jspopup"}
PHASES = (
    ("core.js running", "progress:Loading Pyodide"),
    ("interpreter start", "progress:Loading interpreter"),
    ("interpreter loaded", "progress:Loaded interpreter"),
    ("files loaded", "progress:Loaded files"),
    ("py:ready", "py:ready"),
)


@dataclass
class Results:
    times: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    phases: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, regime: str, case: str, visits: dict[str, Visit]) -> None:
        if case.startswith("exp:"):
            visit = visits["index"]
            figure = "index ready, " + case.removeprefix("exp:")
            self.times.setdefault((figure, regime), []).append(visit.events["state:signed-out"])
            for phase, phase_event in PHASES:
                if phase_event in visit.events:
                    self.phases.setdefault((figure, regime, phase), []).append(
                        visit.events[phase_event])
            return
        for figure, (fig_case, visit_name, event) in FIGURES.items():
            if fig_case != case:
                continue
            visit = visits[visit_name]
            self.times.setdefault((figure, regime), []).append(visit.events[event])
            if event == "state:signed-out" and visit.enabled.get(event) is False:
                self.warnings.append(f"{figure} ({regime}): Log in still disabled at {event}")
            for phase, phase_event in PHASES:
                if phase_event in visit.events:
                    self.phases.setdefault((figure, regime, phase), []).append(
                        visit.events[phase_event])
        for figure, fig_case in ROUND_TRIPS.items():
            if fig_case == case:
                start, end = visits["index"], visits["return"]
                total = end.origin + end.events["state:signed-in"] - start.origin
                self.times.setdefault((figure, regime), []).append(total)
        for figure, fig_case in AUTHORIZE_FIGURES.items():
            if fig_case == case:
                end = visits["return"]
                total = end.origin + end.events["state:signed-in"] - visits["authorize"].origin
                self.times.setdefault((figure, regime), []).append(total)


# -- browsers -------------------------------------------------------------------------------


@contextmanager
def cold_page(browser: Browser, network: str) -> Iterator[Page]:
    context = browser.new_context()
    try:
        page = prepare(context.new_page(), network)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        yield page
    finally:
        context.close()


@contextmanager
def first_page(pw: Playwright, network: str) -> Iterator[Page]:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        context = launch_profile(pw, profile)
        try:
            yield prepare(context.pages[0] if context.pages else context.new_page(), network)
        finally:
            context.close()


@contextmanager
def warm_page(context: BrowserContext, network: str = "loopback") -> Iterator[Page]:
    page = prepare(context.new_page(), network)
    try:
        yield page
    finally:
        page.close()


def launch_profile(pw: Playwright, profile: str) -> BrowserContext:
    return pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# Network conditions (DevTools network emulation of the tab): name -> latency in ms, download
# and upload throughput in bytes/s (-1: unlimited). "50 Mbit/s" is a good home connection;
# "phone" a phone network (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip), measured on
# first visits only (measure_phone).
NETWORKS: dict[str, tuple[int, float, float]] = {
    "loopback": (0, -1, -1),
    "50 Mbit/s": (20, 50e6 / 8, -1),
}
PHONE = "phone"
PHONE_NETWORK = (150, 1.6e6 / 8, 750e3 / 8)


def prepare(page: Page, network: str = "loopback") -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(MARKS_SCRIPT)
    latency, download, upload = PHONE_NETWORK if network == PHONE else NETWORKS[network]
    if latency or download > 0:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": latency, "downloadThroughput": download,
            "uploadThroughput": upload})
    return page


def run_index(page: Page, url: str) -> dict[str, Visit]:
    page.goto(url)
    wait_state(page, "signed-out", " #login:enabled")
    return {"index": read_visits(page)[0]}


def case_runner(servers: Servers, experiments: dict[str, str]
                ) -> dict[str, Callable[[Page], dict[str, Visit]]]:
    cases: dict[str, Callable[[Page], dict[str, Visit]]] = {
        "bare": lambda page: run_bare(page, servers),
        "app": lambda page: run_round_trip(page, servers.site.url),
        "off": lambda page: run_round_trip(page, servers.site_off.url),
        "js": lambda page: run_round_trip(page, servers.js.url),
        "popup": lambda page: run_popup_round_trip(page, servers.popup_site.url + "index.html"),
        "jspopup": lambda page: run_popup_round_trip(page, servers.js.url + "popup.html"),
    }
    for label, url in experiments.items():
        cases["exp:" + label] = functools.partial(lambda page, url: run_index(page, url),
                                                  url=url)
    return cases


def experiment_pages() -> tuple[dict[str, str], dict[str, bytes]]:
    """Variants of index.html served next to it: label -> path, and the files they need."""
    index = (REPO / "index.html").read_text(encoding="utf-8")
    toml = tomllib.loads((REPO / "pyscript.toml").read_text(encoding="utf-8"))

    def with_config(name: str) -> bytes:
        return index.replace('config="./pyscript.toml"', f'config="./{name}"').encode()

    # Preload hints for what the runtime fetches only after core.js and the config have run.
    fetched = ' as="fetch" crossorigin'
    hints = "".join(
        f'\n  <link rel="{rel}" href="./runtime/pyodide/{name}"{extra}>'
        for rel, name, extra in (
            ("modulepreload", "pyodide.mjs", ""), ("modulepreload", "pyodide.asm.mjs", ""),
            ("preload", "python_stdlib.zip", fetched), ("preload", "pyodide-lock.json", fetched)))
    wasm_hint = f'\n  <link rel="preload" href="./runtime/pyodide/pyodide.asm.wasm"{fetched}>'
    with_hints = index.replace("\n</head>", hints + "\n</head>", 1)
    with_wasm = index.replace("\n</head>", hints + wasm_hint + "\n</head>", 1)
    files = {
        "bench-x-hints.html": with_hints.encode(),
        "bench-x-wasm-hint.html": with_wasm.encode(),
        "bench-x-json.html": with_config("bench-pyscript.json"),
        "bench-pyscript.json": json.dumps(toml).encode(),
    }
    pages = {
        "as shipped": "index.html",
        "preload hints (not .wasm)": "bench-x-hints.html",
        "preload hints and .wasm": "bench-x-wasm-hint.html",
        "JSON config": "bench-x-json.html",
    }
    return pages, files


# The cases whose site keeps the fast-start snapshot for the next visit: case -> its URL.
FAST_START_SITES: dict[str, Callable[[Servers], str]] = {
    "app": lambda s: s.site.url, "popup": lambda s: s.popup_site.url}


def snapshot_cached(page: Page, site_url: str) -> None:
    """Wait until the page has kept the snapshot in its cache for the next visit."""
    page.wait_for_function(
        """async (url) => Boolean(await (await caches.open("speckle-fast-start")).match(url))""",
        arg=site_url + SNAPSHOT_NAME, polling=100, timeout=TIMEOUT_MS)


def measure_phone(pw: Playwright, servers: Servers, runs: int,
                  log: Callable[[str], None]) -> dict[str, list[float]]:
    """A first visit on the phone network, per page: ms until it is usable ("Log in" enabled;
    the bare page's line printed)."""
    pages = {
        "index: Log in usable": (servers.site.url + "index.html", "signed-out"),
        "bare PyScript page: ready": (servers.site.url + "bench-bare.html", "ready"),
        "JS ref index: Log in usable": (servers.js.url + "index.html", "signed-out"),
    }
    times: dict[str, list[float]] = {label: [] for label in pages}
    for n in range(1, runs + 1):
        for label, (url, state) in pages.items():
            with first_page(pw, PHONE) as page:
                page.goto(url, timeout=PHONE_TIMEOUT_MS)
                page.locator(f"body[data-state={state}]").wait_for(state="attached",
                                                                   timeout=PHONE_TIMEOUT_MS)
                visit = read_visits(page)[0]
                times[label].append(visit.events["state:" + state])
        log(f"phone run {n}/{runs} done")
    return times


PHONE_TIMEOUT_MS = 300_000


def condition(regime: str, network: str) -> str:
    return f"{regime}, {network}"


def measure(pw: Playwright, servers: Servers, runs: int, regimes: tuple[str, ...],
            networks: tuple[str, ...], wanted: list[str], experiments: dict[str, str],
            log: Callable[[str], None]) -> Results:
    results = Results()
    cases = {name: run for name, run in case_runner(servers, experiments).items()
             if name in wanted or name.startswith("exp:")}
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as warm_profile:
        warm = launch_profile(pw, warm_profile)
        try:
            if "warm" in regimes:
                for case, run_case in cases.items():  # the visit before: caches filled
                    with warm_page(warm) as page:
                        run_case(page)
                        if case in FAST_START_SITES:  # kept once the runtime has arrived
                            snapshot_cached(page, FAST_START_SITES[case](servers))
            for n in range(1, runs + 1):
                for regime in regimes:
                    for network in networks:
                        for case, run_case in cases.items():
                            if regime == "cold":
                                opened = cold_page(browser, network)
                            elif regime == "first":
                                opened = first_page(pw, network)
                            else:
                                opened = warm_page(warm, network)
                            with opened as page:
                                results.add(condition(regime, network), case, run_case(page))
                log(f"run {n}/{runs} done")
        finally:
            warm.close()
            browser.close()
    return results


# -- bytes ----------------------------------------------------------------------------------


@dataclass
class Traffic:
    label: str
    files: dict[str, int] = field(default_factory=dict)  # path -> bytes of its 200s
    runtime: list[int] = field(default_factory=lambda: [0, 0, 0])  # 200s, 304s, bytes
    ours: list[int] = field(default_factory=lambda: [0, 0, 0])
    snapshot: list[int] = field(default_factory=lambda: [0, 0, 0])  # fast-start.snapshot.gz


def traffic_since(server: StaticServer, start: int, label: str) -> Traffic:
    seen = Traffic(label)
    for method, path, status in server.requests[start:]:
        rel = unquote(urlsplit(path).path)[len(server.prefix):]
        if rel == SNAPSHOT_NAME:
            bucket = seen.snapshot
        else:
            bucket = seen.runtime if rel.startswith("runtime/") else seen.ours
        if status == 200:
            resource, _ = server.resolve(rel)
            size = resource.size if resource and method == "GET" else 0
            bucket[0] += 1
            bucket[2] += size
            seen.files[rel] = seen.files.get(rel, 0) + size
        elif status == 304:
            bucket[1] += 1
        else:
            bucket[0] += 1  # counted as a request; a 404 would show up in the tests
    return seen


def measure_bytes(pw: Playwright, servers: Servers) -> list[Traffic]:
    """A first and a second visit of each page on one on-disk profile."""
    rows: list[Traffic] = []
    groups = [
        [("bare page, first visit", servers.site, "bench-bare.html", "ready"),
         ("bare page, second visit", servers.site, "bench-bare.html", "ready")],
        [("index, first visit", servers.site, "index.html", "signed-out"),
         ("index, second visit", servers.site, "index.html", "signed-out"),
         ("callback after index", servers.site, "callback.html?access_code=x", "error")],
        [("fast start off: index, first", servers.site_off, "index.html", "signed-out"),
         ("fast start off: index, second", servers.site_off, "index.html", "signed-out")],
        [("JS ref index, first visit", servers.js, "index.html", "signed-out"),
         ("JS ref index, second visit", servers.js, "index.html", "signed-out")],
    ]
    for steps in groups:
        with tempfile.TemporaryDirectory(prefix="bench-bytes-") as profile:
            context = launch_profile(pw, profile)
            try:
                for label, server, path, state in steps:
                    page = prepare(context.new_page())
                    start = len(server.requests)
                    page.goto(server.url + path)
                    wait_state(page, state)
                    rows.append(traffic_since(server, start, label))
                    page.close()
            finally:
                context.close()
    return rows


# -- memory ---------------------------------------------------------------------------------


def renderer_memory_kb(browser: Browser) -> dict[str, int]:
    """VmRSS and RssAnon (kB) of the renderer process that did the most work: the page's.
    Chromium also keeps a spare renderer; this one is told apart by its CPU time."""
    cdp = browser.new_browser_cdp_session()
    try:
        info = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    finally:
        cdp.detach()
    renderers = [p for p in info if p["type"] == "renderer"]
    busiest = max(renderers, key=lambda p: p["cpuTime"])
    fields: dict[str, int] = {}
    with open(f"/proc/{busiest['id']}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon"):
                fields[name] = int(value.split()[0])
    return fields


def measure_memory(pw: Playwright, servers: Servers, runs: int) -> dict[str, list[dict[str, int]]]:
    """The page's memory once it is ready, after a full garbage collection: a new browser per
    sample (so that nothing else lives in the renderer), on loopback."""
    pages = {
        "bare PyScript page": (servers.site.url + "bench-bare.html", "ready"),
        "index, fast start": (servers.site.url + "index.html", "signed-out"),
        "index, fast start off": (servers.site_off.url + "index.html", "signed-out"),
    }
    samples: dict[str, list[dict[str, int]]] = {label: [] for label in pages}
    for _ in range(runs):
        for label, (url, state) in pages.items():
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = prepare(browser.new_page())
                page.goto(url)
                wait_state(page, state)
                cdp = page.context.new_cdp_session(page)
                cdp.send("HeapProfiler.collectGarbage")
                heap = cdp.send("Runtime.getHeapUsage")
                sample = renderer_memory_kb(browser)
                sample["JS heap"] = int(heap["usedSize"]) // 1024
                samples[label].append(sample)
            finally:
                browser.close()
    return samples


def own_files() -> dict[str, int]:
    """Our files a page can download (HTML, CSS, JS, config, the Python of [files]), by size
    before compression: a zip in [files] counts as the files it holds."""
    names = ["index.html", "callback.html", "app.css", "loading.js", "fast-start.mjs",
             "xz-stream.mjs", "pyscript.toml", "config.json"]
    config = tomllib.loads((REPO / "pyscript.toml").read_text(encoding="utf-8"))
    names += [src.removeprefix("./") for src in config.get("files", {})
              if src.removeprefix("./") not in names]
    sizes: dict[str, int] = {}
    for name in names:
        path = REPO / name
        if path.suffix == ".zip" and path.is_file():
            with zipfile.ZipFile(path) as archive:
                sizes.update({info.filename: info.file_size for info in archive.infolist()})
        elif path.is_file():
            sizes[name] = path.stat().st_size
    return sizes


# -- where our time goes --------------------------------------------------------------------

# index.html with its Python split in two: the imports, then main() (first render). Only
# sys, time and js (built in) are imported before the measurement starts.
PROFILE_PYTHON = """import sys, time, js
_before = list(sys.modules)
_t0 = time.perf_counter()
from pyapp.ui.index_page import main
_t1 = time.perf_counter()
await main()
_t2 = time.perf_counter()
_new = [m for m in sys.modules if m not in _before]
js.sessionStorage.setItem("__KEY__", repr({"import_ms": (_t1 - _t0) * 1000,
    "main_ms": (_t2 - _t1) * 1000, "before": _before, "new": _new}))
""".replace("__KEY__", PROFILE_KEY)

# The modules pyapp pulls in, imported one by one in the order Python first loaded them:
# each one's time includes whatever it imports that was not loaded yet.
IMPORTS_PYTHON = """import sys, time, js
_times = []
for _name in __NAMES__:
    _t = time.perf_counter()
    __import__(_name)
    _times.append((_name, (time.perf_counter() - _t) * 1000))
js.sessionStorage.setItem("__KEY__", repr(_times))
js.document.body.dataset.state = "ready"
"""


def page_with_python(source: str) -> bytes:
    html = (REPO / "index.html").read_text(encoding="utf-8")
    start = html.index('<script type="py"')
    start = html.index(">", start) + 1
    end = html.index("</script>", start)
    return (html[:start] + "\n" + source + html[end:]).encode()


def profile_our_code(pw: Playwright, servers: Servers, runs: int) -> dict[str, Any]:
    servers.site.overrides["bench-profile.html"] = page_with_python(PROFILE_PYTHON)
    imports: list[float] = []
    mains: list[float] = []
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-prof-") as profile:
        context = launch_profile(pw, profile)
        try:
            for _ in range(runs + 1):  # the first visit fills the cache and is dropped
                page = prepare(context.new_page())
                page.goto(servers.site.url + "bench-profile.html")
                wait_state(page, "signed-out")
                page.wait_for_function(f"() => sessionStorage.getItem('{PROFILE_KEY}')")
                report = ast.literal_eval(page.evaluate(
                    f"() => sessionStorage.getItem('{PROFILE_KEY}')"))
                imports.append(report["import_ms"])
                mains.append(report["main_ms"])
                page.close()
            new = report["new"]
            ours = [m for m in new if m.split(".")[0] == "pyapp"]
            stdlib = [m for m in new if m.split(".")[0] != "pyapp"]
            tops = list(dict.fromkeys(m.split(".")[0] for m in stdlib))
            servers.site.overrides["bench-imports.html"] = page_with_python(
                IMPORTS_PYTHON.replace("__NAMES__", repr(tops)).replace("__KEY__", PROFILE_KEY))
            per_module: dict[str, list[float]] = {}
            for _ in range(runs + 1):
                page = prepare(context.new_page())
                page.goto(servers.site.url + "bench-imports.html")
                wait_state(page, "ready")
                for name, ms in ast.literal_eval(page.evaluate(
                        f"() => sessionStorage.getItem('{PROFILE_KEY}')")):
                    per_module.setdefault(name, []).append(ms)
                page.close()
        finally:
            context.close()
    return {
        "import_ms": imports[1:], "main_ms": mains[1:], "ours": ours, "stdlib": stdlib,
        "preloaded": len(report["before"]),
        "per_module": {k: v[1:] for k, v in per_module.items()},
    }


# -- output ---------------------------------------------------------------------------------


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} {min(values):6.0f} {max(values):6.0f}"


def ratio(num: list[float] | None, den: list[float] | None) -> str:
    if not num or not den:
        return ""
    return f"{statistics.median(num) / statistics.median(den):.2f}×"


def first_visit_until_ready(traffic: list[Traffic], label: str) -> int:
    """Bytes a first visit downloaded before the page was usable: everything but the snapshot,
    which is fetched for the next visit once the runtime has arrived."""
    row = next(r for r in traffic if r.label == label)
    return row.runtime[2] + row.ours[2]


def print_first_visit(traffic: list[Traffic], phone: dict[str, list[float]], runs: int) -> None:
    index = first_visit_until_ready(traffic, "index, first visit")
    bare = first_visit_until_ready(traffic, "bare page, first visit")
    js = first_visit_until_ready(traffic, "JS ref index, first visit")
    print("\nFirst visit from a host that compresses nothing, bytes until the page is usable")
    print("(target for index.html: <= 4.5 MB)\n")
    print(f"| {'page':30} | {'bytes':>12} | × bare |")
    print(f"|{'-' * 32}|{'-' * 14}|{'-' * 8}|")
    for label, size in (("index.html (Log in works)", index), ("bare PyScript page", bare),
                        ("JS reference", js)):
        print(f"| {label:30} | {size:12,} | {size / bare:6.3f} |")
    row = next(r for r in traffic if r.label == "index, first visit")
    print("\nWhere index.html's first-visit bytes go, file by file (the snapshot: for the next "
          "visit)\n")
    print(f"| {'file':44} | {'bytes':>11} |")
    print(f"|{'-' * 46}|{'-' * 13}|")
    for name, size in sorted(row.files.items(), key=lambda kv: -kv[1]):
        print(f"| {name:44} | {size:11,} |")
    if phone:
        print(f"\nFirst visit on a phone network (1.6 Mbit/s down, 750 kbit/s up, 150 ms round "
              f"trip; ms from navigation start until usable, median, min, max of {runs}; "
              f"target for index.html: <= 30000)\n")
        print(f"| {'page':30} | median    min    max | × bare |")
        print(f"|{'-' * 32}|{'-' * 22}|{'-' * 8}|")
        bare_times = phone.get("bare PyScript page: ready")
        for label, values in phone.items():
            if values:
                print(f"| {label:30} | {fmt(values)} | {ratio(values, bare_times):>6} |")


def print_report(results: Results, traffic: list[Traffic], own: dict[str, int],
                 profile: dict[str, Any] | None, memory: dict[str, list[dict[str, int]]],
                 conditions: list[str], runs: int,
                 phone: dict[str, list[float]] | None = None, phone_runs: int = 0) -> None:
    print_first_visit(traffic, phone or {}, phone_runs)
    t = results.times
    print(f"\nStart-up, ms from navigation start (median, min, max of {runs} runs)\n")
    print(f"| {'figure':34} | {'visit, network':18} | median    min    max | vs bare "
          f"| vs off | vs JS ref |")
    print(f"|{'-' * 36}|{'-' * 20}|{'-' * 22}|{'-' * 9}|{'-' * 8}|{'-' * 11}|")
    reference = {"index: ready (Log in enabled)": "JS ref index: ready",
                 "callback: done (token stored)": "JS ref callback: done",
                 "return to app: signed in": "JS ref return: signed in",
                 "round trip (open → signed in)": "JS ref round trip",
                 "popup: round trip": "JS ref popup: round trip",
                 "Authorize → signed in": "JS ref Authorize → signed in",
                 "popup: Authorize → signed in": "JS ref popup: Authorize → signed in"}
    off = {"index: ready (Log in enabled)": "fast start off, index: ready",
           "callback: done (token stored)": "fast start off, callback: done",
           "round trip (open → signed in)": "fast start off, round trip"}
    extra = sorted({figure for figure, _ in t if figure.startswith("index ready, ")})
    for cond in conditions:
        for figure in [*FIGURES, *ROUND_TRIPS, *AUTHORIZE_FIGURES, *extra]:
            values = t.get((figure, cond))
            if not values:
                continue
            vs_bare = "" if figure.startswith("JS") or "round trip" in figure \
                or "Authorize" in figure else ratio(
                values, t.get(("bare PyScript page: ready", cond)))
            vs_off = ratio(values, t.get((off.get(figure, ""), cond)))
            vs_js = ratio(values, t.get((reference.get(figure, ""), cond)))
            print(f"| {figure:34} | {cond:18} | {fmt(values)} | {vs_bare:>7} | {vs_off:>6} "
                  f"| {vs_js:>9} |")

    print("\nRuntime phases, ms from navigation start (median): PyScript's py:progress events\n")
    header = " | ".join(f"{name:>18}" for name, _ in PHASES)
    print(f"| {'page':34} | {'visit, network':18} | {header} | {'end':>6} |")
    pages = [figure for figure, (case, _, _) in FIGURES.items() if case != "js"]
    for cond in conditions:
        for figure in [*pages, *extra]:
            cells = []
            for phase, _ in PHASES:
                values = results.phases.get((figure, cond, phase))
                cells.append(f"{statistics.median(values):18.0f}" if values else " " * 18)
            end = t.get((figure, cond))
            if not end:
                continue
            print(f"| {figure:34} | {cond:18} | {' | '.join(cells)} | "
                  f"{statistics.median(end):6.0f} |")

    print("\nRequests that reached the server and bytes sent (bodies, uncompressed), loopback\n")
    print(f"| {'page load':30} | runtime 200/304 |  runtime bytes | ours 200/304 | ours bytes "
          f"| snapshot 200/304 | snapshot bytes |")
    print(f"|{'-' * 32}|{'-' * 17}|{'-' * 16}|{'-' * 14}|{'-' * 12}|{'-' * 18}|{'-' * 16}|")
    for row in traffic:
        r, o, n = row.runtime, row.ours, row.snapshot
        print(f"| {row.label:30} | {r[0]:7} / {r[1]:5} | {r[2]:14,} | {o[0]:5} / {o[1]:4} "
              f"| {o[2]:10,} | {n[0]:8} / {n[1]:5} | {n[2]:14,} |")
    python = [name for name in own if name.endswith(".py")]
    shipped = sum(own[name] for name in python)
    source = sum((REPO / name).stat().st_size for name in python if (REPO / name).is_file())
    snapshot = REPO / SNAPSHOT_NAME
    raw = zlib.decompressobj(31)
    with snapshot.open("rb") as fh:
        raw_size = len(raw.decompress(fh.read()))
    print(f"\nOur files: {sum(own.values()):,} bytes in {len(own)} files "
          f"(Python {shipped:,} in {len(python)} files, as shipped in the zip; "
          f"{source:,} as written). {SNAPSHOT_NAME}: {snapshot.stat().st_size:,} bytes "
          f"({raw_size:,} decompressed).")

    if memory:
        print(f"\nPage memory once ready, after a full GC (median of {runs}), MB\n")
        print(f"| {'page':24} | renderer RSS | renderer anonymous | JS heap used |")
        print(f"|{'-' * 26}|{'-' * 14}|{'-' * 20}|{'-' * 14}|")
        for label, samples in memory.items():
            mb = [statistics.median([x[key] for x in samples]) / 1024
                  for key in ("VmRSS", "RssAnon", "JS heap")]
            print(f"| {label:24} | {mb[0]:12.1f} | {mb[1]:18.1f} | {mb[2]:12.1f} |")

    if profile:
        print("\nOur Python on a warm index.html (median, min, max), ms:")
        print(f"  import pyapp.ui.index_page   {fmt(profile['import_ms'])}")
        print(f"  main() to signed-out         {fmt(profile['main_ms'])}")
        print(f"  modules loaded by the import: {len(profile['ours'])} of pyapp, "
              f"{len(profile['stdlib'])} others (after {profile['preloaded']} already loaded "
              f"by the runtime or the snapshot)")
        ranked = sorted(profile["per_module"].items(),
                        key=lambda kv: -statistics.median(kv[1]))
        print("  heaviest of those imports (alone, first importer pays): " + ", ".join(
            f"{name} {statistics.median(ms):.1f}" for name, ms in ranked[:8]))
    for warning in results.warnings:
        print("warning:", warning)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n")[0],
        epilog="python -m bench objects [--help]: the other benchmark, a model loaded in the "
               "page by client.load next to @speckle/objectloader2 (bench/objects.py).")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--regimes", default="first,warm",
                        help="comma-separated subset of cold,first,warm (default first,warm)")
    parser.add_argument("--networks", default=",".join(NETWORKS),
                        help=f"comma-separated subset of {','.join(NETWORKS)} (default: all)")
    parser.add_argument("--phone-runs", type=int, default=3,
                        help="first visits per page on the phone network (default 3; 0 skips)")
    parser.add_argument("--no-profile", action="store_true", help="skip the Python profile")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory samples")
    parser.add_argument("--cases", default="bare,app,off,js,popup,jspopup",
                        help="comma-separated subset of bare,app,off,js,popup,jspopup "
                             "(default: all)")
    parser.add_argument("--experiments", default="", metavar="hints",
                        help="also time variants of index.html: hints (preload hints, JSON "
                        "config)")
    parser.add_argument("--no-engines", action="store_true",
                        help="skip the Chromium/Firefox comparison (bench/engines.py)")
    parser.add_argument("--engines-only", action="store_true",
                        help="only the Chromium/Firefox comparison")
    args = parser.parse_args(argv)
    from bench.engines import measure_engines, print_engines  # it imports this module

    regimes = tuple(r for r in args.regimes.split(",") if r in REGIMES)
    networks = tuple(n for n in args.networks.split(",") if n in NETWORKS)
    if not (REPO / "runtime/pyodide/pyodide.asm.wasm").is_file() or not (
            REPO / SNAPSHOT_NAME).is_file():
        print(f"runtime/ or {SNAPSHOT_NAME} is missing: run ./dev setup", file=sys.stderr)
        return 2
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    servers = start_servers()
    extra_servers: list[StaticServer] = []
    experiments: dict[str, str] = {}
    wanted_experiments = args.experiments.split(",") if args.experiments else []
    if "hints" in wanted_experiments:
        pages, files = experiment_pages()
        servers.site.overrides.update(files)
        experiments = {label: servers.site.url + path for label, path in pages.items()}
    try:
        with sync_playwright() as pw:
            if args.engines_only:
                engines = measure_engines(pw, servers, args.runs, log)
                print_engines(engines, args.runs)
                return 0
            results = measure(pw, servers, args.runs, regimes, networks, args.cases.split(","),
                              experiments, log)
            log("timings done")
            traffic = measure_bytes(pw, servers)
            log("bytes done")
            phone = measure_phone(pw, servers, args.phone_runs, log)
            memory = {} if args.no_memory else measure_memory(pw, servers, args.runs)
            log("memory done")
            profile = None if args.no_profile else profile_our_code(pw, servers, args.runs)
            engines = None if args.no_engines else measure_engines(pw, servers, args.runs, log)
    finally:
        for server in extra_servers:
            server.stop()
        servers.stop()
    conditions = [condition(regime, network) for regime in regimes for network in networks]
    print_report(results, traffic, own_files(), profile, memory, conditions, args.runs,
                 phone, args.phone_runs)
    if engines:
        print_engines(engines, args.runs)
    return 0
