"""``./dev build``: dist/ holds the pages, both zips and only the runtime files pages load."""

from pathlib import Path

from devtools.build_dist import PAGES, build

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_dist_has_the_site_and_leaves_out_what_no_page_loads(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    (out / "stale").mkdir(parents=True)
    files = {p.as_posix() for p in build(out, REPO_ROOT)}
    assert set(PAGES) | {"pyapp.zip", "pyapp-widget.zip"} <= files
    assert "runtime/pyodide/pyodide.asm.wasm.xz" in files and "runtime/pyscript/core.js" in files
    assert {"runtime/xz/xz-decompress.wasm", "xz-stream.mjs"} <= files
    assert "runtime/pyodide/pyodide.js" not in files  # the classic-script twin of the .mjs
    # Only the compressed runtime: the originals are never downloaded by these pages.
    for original in ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip",
                     "python_stdlib.core.zip", "pyodide-lock.json"):
        assert f"runtime/pyodide/{original}" not in files
    assert not [f for f in files if "codemirror" in f or "xterm" in f or "/mpy-" in f]
    assert not [f for f in files if f.startswith(("runtime/wheels", "examples", "stale"))]
    assert (out / "config.json").read_bytes() == (REPO_ROOT / "config.json").read_bytes()
