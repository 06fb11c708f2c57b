"""Experiment: could a page run on PyScript's MicroPython interpreter instead of Pyodide?

    python -m bench.micropython --mpy DIR [--runs 5]

``DIR`` holds ``micropython.mjs`` and ``micropython.wasm`` from the npm package
``@micropython/micropython-webassembly-pyscript`` (not a dependency of the site: install it
anywhere, e.g. ``npm install --prefix /tmp/mpy @micropython/micropython-webassembly-pyscript``
and pass ``/tmp/mpy/node_modules/@micropython/micropython-webassembly-pyscript``).

It serves a throw-away copy of the site's PyScript files, the MicroPython runtime and
``pyapp``, then measures, cold (new context, HTTP cache off) and warm (one on-disk profile):

* the bare page on MicroPython against the bare page on Pyodide (same PyScript);
* whether each ``pyapp`` module imports on MicroPython, and the first error when not.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import statistics
import sys
import tempfile
import tomllib
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.run import (
    BENCH,
    REPO,
    cold_page,
    launch_profile,
    prepare,
    read_visits,
    wait_state,
    warm_page,
)
from devtools.static_server import StaticServer

BARE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading">
<script type="{kind}" config="./{kind}.json">
print("ready")
import js
js.document.body.dataset.state = "ready"
</script></body></html>
"""

# Import every pyapp module on MicroPython and report what happened to each.
IMPORTS = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
<script type="module" src="./runtime/pyscript/core.js"></script></head>
<body data-state="loading">
<script type="mpy" config="./{config}">
import js
result = []
for name in {names!r}:
    try:
        __import__(name)
        result.append((name, "ok"))
    except BaseException as error:
        result.append((name, type(error).__name__ + ": " + str(error)))
js.sessionStorage.setItem("__bench_mpy", repr(result))
js.document.body.dataset.state = "ready"
</script></body></html>
"""


# The least CPython a port would need first: what pyapp imports that MicroPython lacks.
SHIMS = {
    "__future__.py": "annotations = True\n",
    "typing.py": "TYPE_CHECKING = False\nAny = Protocol = Callable = object\n"
                 "def cast(t, v):\n    return v\n",
}


def build_site(mpy_dir: Path, root: Path) -> list[str]:
    """The copy to serve; returns pyapp's module names, the page modules last."""
    shutil.copytree(REPO / "runtime" / "pyscript", root / "runtime" / "pyscript")
    shutil.copytree(REPO / "runtime" / "pyodide", root / "runtime" / "pyodide")
    (root / "runtime" / "micropython").mkdir(parents=True)
    for name in ("micropython.mjs", "micropython.wasm"):
        shutil.copy(mpy_dir / name, root / "runtime" / "micropython" / name)
    shutil.copytree(REPO / "pyapp", root / "pyapp", ignore=shutil.ignore_patterns("__pycache__"))
    files = tomllib.loads((REPO / "pyscript.toml").read_text(encoding="utf-8"))["files"]
    py_files = {k: v for k, v in files.items() if k.endswith(".py")}
    configs = {
        "py.json": {"interpreter": "./runtime/pyodide/pyodide.mjs"},
        "mpy.json": {"interpreter": "./runtime/micropython/micropython.mjs"},
        "mpy-files.json": {"interpreter": "./runtime/micropython/micropython.mjs",
                           "files": py_files},
        "mpy-shims.json": {"interpreter": "./runtime/micropython/micropython.mjs",
                           "files": {**py_files, **{f"./shims/{n}": f"./{n}" for n in SHIMS}}},
    }
    (root / "shims").mkdir()
    for name, text in SHIMS.items():
        (root / "shims" / name).write_text(text, encoding="utf-8")
    for name, config in configs.items():
        (root / name).write_text(json.dumps(config), encoding="utf-8")
    names = [k.removeprefix("./").removesuffix(".py").removesuffix("/__init__").replace("/", ".")
             for k in py_files]
    names.sort(key=lambda n: (n.startswith("pyapp.ui"), n.count("."), n))
    for kind in ("py", "mpy"):
        (root / f"bare-{kind}.html").write_text(BARE.format(kind=kind), encoding="utf-8")
    for page, config in (("imports.html", "mpy-files.json"), ("shims.html", "mpy-shims.json")):
        (root / page).write_text(IMPORTS.format(names=names, config=config), encoding="utf-8")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micropython",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--mpy", type=Path, required=True,
                        help="folder with micropython.mjs and micropython.wasm")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    assert BENCH.is_dir()
    with tempfile.TemporaryDirectory(prefix="bench-mpy-") as tmp:
        build_site(args.mpy, Path(tmp))
        server = StaticServer(Path(tmp)).start()
        times: dict[tuple[str, str], list[float]] = {}
        try:
            with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
                warm = launch_profile(pw, profile)
                for kind in ("py", "mpy"):  # the visit before, for the warm figures
                    with warm_page(warm) as page:
                        page.goto(f"{server.url}bare-{kind}.html")
                        wait_state(page, "ready")
                for _ in range(args.runs):
                    for kind in ("py", "mpy"):
                        for regime in ("cold", "warm"):
                            opened = (cold_page(browser, "loopback") if regime == "cold"
                                      else warm_page(warm))
                            with opened as page:
                                page.goto(f"{server.url}bare-{kind}.html")
                                wait_state(page, "ready")
                                visit = read_visits(page)[0]
                                times.setdefault((kind, regime), []).append(
                                    visit.events["state:ready"])
                imports = {}
                for name in ("imports.html", "shims.html"):
                    page = prepare(warm.new_page())
                    page.goto(server.url + name)
                    wait_state(page, "ready")
                    imports[name] = ast.literal_eval(
                        page.evaluate("() => sessionStorage.getItem('__bench_mpy')"))
                    page.close()
                warm.close()
                browser.close()
        finally:
            server.stop()
    print(f"\nBare page ready, ms from navigation start (median, min, max of {args.runs})\n")
    print("| interpreter | regime | median |   min |   max | vs Pyodide |")
    print("|---|---|---:|---:|---:|---:|")
    for kind, label in (("py", "Pyodide"), ("mpy", "MicroPython")):
        for regime in ("cold", "warm"):
            v = times[(kind, regime)]
            base = statistics.median(times[("py", regime)])
            print(f"| {label} | {regime} | {statistics.median(v):.0f} | {min(v):.0f} | "
                  f"{max(v):.0f} | {statistics.median(v) / base:.2f}× |")
    print("\npyapp modules on MicroPython: as they are | with __future__ and typing shims\n")
    for (name, plain), (_, shimmed) in zip(imports["imports.html"], imports["shims.html"],
                                           strict=True):
        print(f"  {name:26} {plain[:40]:40} | {shimmed[:60]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
