"""Load the mock's big model in the page, in Python and in JavaScript, and compare.

One run, cases alternated round by round, each page in a new headless Chromium (so that its
renderer process holds that page alone, and no cache survives from an earlier load):

* ``python``     - ``await client.load(project, object)`` on a page with the site's own
  runtime, pyapp and a stored session (``bench/objects-pages/python.html``): the streamed
  download read, checked, and every reference resolved;
* ``ol2``        - Speckle's ``@speckle/objectloader2`` (pinned in package.json, bundled from
  node_modules with esbuild at the start of the run) as shipped: ``createFromUrl``, then every
  object of ``getObjectIterator()``; its cache is IndexedDB, empty in a new context;
* ``ol2-memory`` - the same with ``useCache: false`` (its in-memory database);
* ``js-floor``   - a few lines of plain JavaScript: the download ``client.load`` makes, each
  line ``JSON.parse``-d into a Map. No checks, no resolving: the floor for any loader.

Each page first says it is ready; the benchmark reads the renderer's memory, then starts the
load; the page times it with ``performance.now()``. Memory is the renderer process's, read
from ``/proc/<pid>/status``: ``VmHWM`` (its peak resident set, over the page's whole life:
JavaScript heap, Pyodide's WebAssembly memory and everything else) and ``VmRSS`` before the
load started. The JavaScript heap alone would leave out Pyodide's WebAssembly memory, which is
where Python's objects live.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "bench" / "objects-pages"
CASES = ("python", "ol2", "ol2-memory", "js-floor")
CASE_LABELS = {
    "python": "Python, client.load",
    "ol2": "objectloader2 (IndexedDB)",
    "ol2-memory": "objectloader2 (memory)",
    "js-floor": "JS floor (fetch + JSON.parse)",
}
#: The case every other one is compared with.
REFERENCE = "ol2"
TIMEOUT_MS = 120_000
APP_ID = "demo-app"
BUNDLE_ENTRY = 'export { ObjectLoader2Factory } from "@speckle/objectloader2";\n'
# objectloader2 imports one function (isSafari) from @speckle/shared, whose index pulls in
# server-side peers (zod, knex, ...); the bundle takes that function's own module instead.
SHARED_ALIAS = "@speckle/shared=./node_modules/@speckle/shared/dist/esm/core/helpers/os.js"


# -- pure parts -----------------------------------------------------------------------------


def status_kb(text: str, names: Iterable[str] = ("VmHWM", "VmRSS", "RssAnon")) -> dict[str, int]:
    """The named ``kB`` fields of a ``/proc/<pid>/status`` text."""
    wanted = set(names)
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in wanted:
            fields[name] = int(value.split()[0])
    return fields


def session_record(server_url: str, token: str, refresh_token: str, now: float) -> str:
    """A stored session, as ``sessionStorage`` holds one after a login with this app."""
    from pyapp.stores import SCHEMA_VERSION, Session

    session = Session(server_url=server_url, app_id=APP_ID, token=token,
                      refresh_token=refresh_token, app_secret=None, dialect="auto",
                      storage="session", created_at=now)
    return json.dumps({"v": SCHEMA_VERSION, **asdict(session)})


def init_script(bench: Mapping[str, str], session_key: str, session: str, site_origin: str) -> str:
    """Runs before any page script: ``window.__bench``, and the session on the site's origin."""
    return (f"window.__bench = {json.dumps(dict(bench))};\n"
            f"if (location.origin === {json.dumps(site_origin)}) "
            f"sessionStorage.setItem({json.dumps(session_key)}, {json.dumps(session)});\n")


@dataclass
class Sample:
    ms: float  # start of the load to the loaded model
    read_ms: float  # start of the load to the last object read (Python: before resolving)
    objects: int
    peak_kb: int  # renderer VmHWM
    before_kb: int  # renderer VmRSS once the page was ready, before the load
    wasm_bytes: int | None = None


@dataclass
class Results:
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, case: str, sample: Sample) -> None:
        self.samples.setdefault(case, []).append(sample)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def rows(results: Results, reference: str = REFERENCE) -> list[dict[str, Any]]:
    """One row per case: medians, objects per second, and the ratios to ``reference``."""
    ref = results.samples.get(reference)
    ref_ms = median(s.ms for s in ref) if ref else None
    ref_peak = median(s.peak_kb for s in ref) if ref else None
    table = []
    for case in CASES:
        samples = results.samples.get(case)
        if not samples:
            continue
        ms = median(s.ms for s in samples)
        peak = median(s.peak_kb for s in samples)
        objects = median(s.objects for s in samples)
        wasm = [s.wasm_bytes for s in samples if s.wasm_bytes]
        table.append({
            "case": case, "runs": len(samples), "objects": int(objects),
            "ms": ms, "min": min(s.ms for s in samples), "max": max(s.ms for s in samples),
            "read_ms": median(s.read_ms for s in samples),
            "per_s": objects / ms * 1000 if ms else 0.0,
            "time_ratio": ms / ref_ms if ref_ms else None,
            "peak_mb": peak / 1024, "before_mb": median(s.before_kb for s in samples) / 1024,
            "peak_ratio": peak / ref_peak if ref_peak else None,
            "wasm_mb": median(wasm) / 2**20 if wasm else None,
        })
    return table


def format_table(table: list[dict[str, Any]], reference: str = REFERENCE) -> str:
    def ratio(value: float | None) -> str:
        return f"{value:.2f}×" if value is not None else ""

    ref = CASE_LABELS[reference]
    lines = [
        f"| {'case':30} | runs | objects | ms, median    min    max | all read | objects/s "
        f"| × {ref[:13]:13} | peak MB | before MB | × peak | Wasm MB |",
        f"|{'-' * 32}|------|---------|--------------------------|----------|-----------"
        f"|{'-' * 17}|---------|-----------|--------|---------|",
    ]
    for row in table:
        wasm = f"{row['wasm_mb']:7.0f}" if row["wasm_mb"] is not None else " " * 7
        lines.append(
            f"| {CASE_LABELS[row['case']]:30} | {row['runs']:4} | {row['objects']:7} "
            f"| {row['ms']:10.0f} {row['min']:6.0f} {row['max']:6.0f} | {row['read_ms']:8.0f} "
            f"| {row['per_s']:9.0f} | {ratio(row['time_ratio']):>15} | {row['peak_mb']:7.0f} "
            f"| {row['before_mb']:9.0f} | {ratio(row['peak_ratio']):>6} | {wasm} |")
    return "\n".join(lines)


def targets(results: Results) -> list[str]:
    """The targets for ``client.load``: at most 2× the JavaScript loader's time, and a peak
    memory within 2× of the loader's, against objectloader2 with and without its cache."""
    lines = []
    for reference in ("ol2", "ol2-memory"):
        table = {row["case"]: row for row in rows(results, reference)}
        python = table.get("python")
        if python is None or reference not in table:
            continue
        for what, key in (("time", "time_ratio"), ("peak memory", "peak_ratio")):
            lines.append(f"{what}: {python[key]:.2f}× {CASE_LABELS[reference]}'s (target ≤ 2×): "
                         + ("met" if python[key] <= 2 else "NOT met"))
    return lines


# -- the pages and their servers ------------------------------------------------------------


def bundle_objectloader(repo: Path = REPO) -> bytes:
    """``@speckle/objectloader2`` from node_modules as one ES module (esbuild)."""
    esbuild = repo / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise SystemExit("node_modules/.bin/esbuild is missing: run ./dev setup")
    done = subprocess.run(
        [str(esbuild), "--bundle", "--format=esm", "--platform=browser", "--log-level=warning",
         f"--alias:{SHARED_ALIAS}"],
        input=BUNDLE_ENTRY.encode(), capture_output=True, cwd=repo, check=False)
    if done.returncode != 0:
        raise SystemExit("esbuild failed:\n" + done.stderr.decode(errors="replace"))
    return done.stdout


def stale_pyapp_zip(repo: Path = REPO) -> bool:
    """Whether pyapp.zip is missing or not what pyapp/ makes now (./dev setup writes it)."""
    from devtools.pyapp_zip import ZIP_NAME, pyapp_zip_bytes

    zipped = repo / ZIP_NAME
    return not zipped.is_file() or zipped.read_bytes() != pyapp_zip_bytes(repo, ZIP_NAME)


@dataclass
class Servers:
    mock: Any
    site: Any
    js: Any
    script: str  # the init script every page gets

    def url(self, case: str) -> str:
        return {"python": self.site.url + "bench-objects.html",
                "ol2": self.js.url + "ol2.html",
                "ol2-memory": self.js.url + "ol2.html?cache=0",
                "js-floor": self.js.url + "floor.html"}[case]

    def stop(self) -> None:
        for server in (self.site, self.js, self.mock):
            server.stop()


def start_servers() -> Servers:
    from bench.run import SCOPES, config_json
    from devtools.static_server import REPO_PRIVATE, StaticServer
    from mock_speckle import App, MockSpeckle
    from mock_speckle.fixtures import ADA_ID, BIG_PROJECT_NAME, building_objects
    from pyapp.stores import SESSION_KEY

    mock = MockSpeckle(host="127.0.0.1", port=0).start()
    site = StaticServer(REPO, deny=REPO_PRIVATE | {"bench"}, overrides={
        "config.json": config_json(mock.url, APP_ID),
        "bench-objects.html": (PAGES / "python.html").read_bytes()}).start()
    js = StaticServer(PAGES, overrides={"objectloader2.mjs": bundle_objectloader()}).start()
    mock.register_app(App(id=APP_ID, secret="demo-secret", name="Speckle Login Demo",
                          redirect_url=f"{site.url}callback.html", scopes=SCOPES))
    token, refresh = mock.auth.issue(ADA_ID, APP_ID, SCOPES)
    ada = mock.users[ADA_ID]
    project = next(p for p in ada.projects if p.name == BIG_PROJECT_NAME)
    root, _ = building_objects()
    bench = {"serverUrl": mock.url.rstrip("/"), "projectId": project.id, "objectId": root,
             "token": token}
    origin = site.url.split("/", 3)
    script = init_script(bench, SESSION_KEY, session_record(
        mock.url.rstrip("/"), token, refresh, time.time()), "/".join(origin[:3]))
    return Servers(mock, site, js, script)


# -- one page load --------------------------------------------------------------------------


def renderer_status(browser: Any) -> dict[str, int]:
    """``VmHWM``, ``VmRSS`` and ``RssAnon`` (kB) of the renderer that did the most work: the
    page's (Chromium also keeps a spare one; the page's has the CPU time)."""
    cdp = browser.new_browser_cdp_session()
    try:
        info = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    finally:
        cdp.detach()
    busiest = max((p for p in info if p["type"] == "renderer"), key=lambda p: p["cpuTime"])
    return status_kb(Path(f"/proc/{busiest['id']}/status").read_text(encoding="ascii"))


def load_once(pw: Any, servers: Servers, case: str) -> Sample:
    from bench.run import CHROMIUM, CHROMIUM_ARGS

    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.add_init_script(servers.script)
        page.goto(servers.url(case))
        page.locator("body[data-state=ready]").wait_for(state="attached")
        before = renderer_status(browser)
        page.evaluate("() => { window.__go(); }")
        page.locator("body[data-state=done], body[data-state=failed]").wait_for(
            state="attached")
        result = json.loads(page.evaluate("() => window.__result"))
        if "error" in result:
            raise RuntimeError(f"{case}: {result['error']}")
        after = renderer_status(browser)
    finally:
        browser.close()
    return Sample(ms=result["ms"], read_ms=result["readMs"] or result["ms"],
                  objects=result["objects"], peak_kb=after["VmHWM"], before_kb=before["VmRSS"],
                  wasm_bytes=result.get("wasmBytes"))


def measure(pw: Any, servers: Servers, cases: list[str], rounds: int, warmup: int,
            log: Callable[[str], None]) -> Results:
    results = Results()
    for n in range(-warmup + 1, rounds + 1):
        for case in cases:
            sample = load_once(pw, servers, case)
            if n > 0:
                results.add(case, sample)
        log(f"round {n}/{rounds} done" if n > 0 else "warm-up round done")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench objects",
        description="Load the mock's 10,561-object model in the page: client.load next to "
                    "@speckle/objectloader2 and plain JavaScript (time, objects/s, peak memory).")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="rounds run first and not counted (default 1)")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated subset of {','.join(CASES)} (default: all)")
    parser.add_argument("--json", metavar="FILE", help="also write every sample to FILE")
    args = parser.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c in CASES]
    if not (REPO / "runtime/pyodide/pyodide.asm.wasm").is_file() or stale_pyapp_zip():
        print("runtime/ or pyapp.zip is missing or older than pyapp/: run ./dev setup",
              file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    servers = start_servers()
    try:
        with sync_playwright() as pw:
            results = measure(pw, servers, cases, args.rounds, args.warmup, log)
    finally:
        servers.stop()
    table = rows(results)
    print(f"\nThe mock's building in the page, headless Chromium, loopback: median of "
          f"{args.rounds} rounds, each page in a new browser\n")
    print(format_table(table))
    for line in targets(results):
        print(line)
    if args.json:
        Path(args.json).write_text(json.dumps(
            {case: [asdict(s) for s in samples] for case, samples in results.samples.items()},
            indent=1), encoding="utf-8")
    return 0
