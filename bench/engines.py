"""The same start-up and login figures in each engine: Chromium and Firefox, side by side.

Both browsers run in the same run, cases interleaved engine by engine, so their ratio is
comparable even on a busy machine. Each case opens a fresh browser context (empty caches in
both engines, the ``first`` regime of the main tables) except ``warm``, which reuses one
context visited once before. Times are read in the page exactly as in :mod:`bench.run`.

WebKit is left out: its driver (WebKitGTK's MiniBrowser under Xvfb, see
``tests/e2e/webkit.py``) is not Playwright and adds Xvfb's drawing to every figure.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable

from playwright.sync_api import Browser, Page, Playwright

from bench.run import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MARKS_SCRIPT,
    TIMEOUT_MS,
    Servers,
    Visit,
    run_index,
    run_popup_round_trip,
    run_round_trip,
    snapshot_cached,
)
from devtools.browsers import firefox_launch_args

ENGINES = ("chromium", "firefox")

# Figure -> how to read it from one case's visits.
FIGURES: dict[str, Callable[[dict[str, Visit]], float]] = {
    "index: ready (Log in enabled), first": lambda v: v["index"].events["state:signed-out"],
    "index: ready (Log in enabled), warm": lambda v: v["index"].events["state:signed-out"],
    "callback: done (token stored)": lambda v: v["callback"].events["state:done"],
    "round trip (open → signed in)": lambda v: (
        v["return"].origin + v["return"].events["state:signed-in"] - v["index"].origin),
    "Authorize → signed in": lambda v: (
        v["return"].origin + v["return"].events["state:signed-in"] - v["authorize"].origin),
    "popup: round trip (open → signed in)": lambda v: (
        v["return"].origin + v["return"].events["state:signed-in"] - v["index"].origin),
    "popup: Authorize → signed in": lambda v: (
        v["return"].origin + v["return"].events["state:signed-in"] - v["authorize"].origin),
}


def launch(pw: Playwright, engine: str) -> Browser:
    if engine == "firefox":
        return pw.firefox.launch(**firefox_launch_args())
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def prepare(page: Page) -> Page:
    """The milestones script of :mod:`bench.run`, without its DevTools-only options."""
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(MARKS_SCRIPT)
    return page


def in_new_context(browser: Browser, run: Callable[[Page], dict[str, Visit]]
                   ) -> dict[str, Visit]:
    context = browser.new_context()
    try:
        return run(prepare(context.new_page()))
    finally:
        context.close()


def measure_engines(pw: Playwright, servers: Servers, runs: int,
                    log: Callable[[str], None]) -> dict[tuple[str, str], list[float]]:
    """(figure, engine) -> one time per run, ms."""
    times: dict[tuple[str, str], list[float]] = {}
    index_url = servers.site.url + "index.html"
    browsers = {engine: launch(pw, engine) for engine in ENGINES}
    try:
        warm = {engine: browser.new_context() for engine, browser in browsers.items()}
        for context in warm.values():  # the visit before: caches filled, snapshot kept
            page = prepare(context.new_page())
            run_index(page, index_url)
            snapshot_cached(page, servers.site.url)
        for n in range(1, runs + 1):
            for engine, browser in browsers.items():
                def add(figure: str, visits: dict[str, Visit], engine: str = engine) -> None:
                    times.setdefault((figure, engine), []).append(FIGURES[figure](visits))

                add("index: ready (Log in enabled), first",
                    in_new_context(browser, lambda page: run_index(page, index_url)))
                page = prepare(warm[engine].new_page())
                add("index: ready (Log in enabled), warm", run_index(page, index_url))
                page.close()
                trip = in_new_context(browser,
                                      lambda page: run_round_trip(page, servers.site.url))
                add("callback: done (token stored)", trip)
                add("round trip (open → signed in)", trip)
                add("Authorize → signed in", trip)
                popup = in_new_context(browser, lambda page: run_popup_round_trip(
                    page, servers.popup_site.url + "index.html"))
                add("popup: round trip (open → signed in)", popup)
                add("popup: Authorize → signed in", popup)
            log(f"engines: run {n}/{runs} done")
    finally:
        for browser in browsers.values():
            browser.close()
    return times


def print_engines(times: dict[tuple[str, str], list[float]], runs: int) -> None:
    print(f"\nPer engine, ms from navigation start (median, min, max of {runs} runs; "
          "a fresh context per case, warm: one context visited before)\n")
    print(f"| {'figure':38} | {'engine':8} | median    min    max | vs Chromium |")
    print(f"|{'-' * 40}|{'-' * 10}|{'-' * 22}|{'-' * 13}|")
    for figure in FIGURES:
        base = times.get((figure, "chromium"))
        for engine in ENGINES:
            values = times.get((figure, engine))
            if not values:
                continue
            vs = (f"{statistics.median(values) / statistics.median(base):.2f}×"
                  if base else "")
            cells = (f"{statistics.median(values):7.0f} {min(values):6.0f} "
                     f"{max(values):6.0f}")
            print(f"| {figure:38} | {engine:8} | {cells} | {vs:>11} |")
