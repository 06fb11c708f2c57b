"""``dist/``: exactly the files a deployed site needs, ready to upload (``./dev build``).

    python -m devtools.build_dist [--out dist]

* the pages and what they load: ``index.html``, ``callback.html`` (with
  ``popup-callback.js``), ``app.css``, ``loading.js``, ``config.json``, ``pyscript.toml``,
  ``fast-start.mjs`` with ``xz-stream.mjs`` and ``fast-start.snapshot.gz`` (as ``./dev setup``
  built it);
* ``pyapp.zip`` (the app pages) and ``pyapp-widget.zip`` (for pages that mount the drop-in
  widget), built from ``pyapp/`` as the dev server builds them;
* of the runtime, only the files the pages load: Pyodide's module; compressed, its
  WebAssembly, JavaScript half and standard library (the trimmed core, and the whole
  library for pages that ask for it); the lock file without packages and the xz decoder (see
  ``devtools/runtime_pack.py``; not the uncompressed originals nor ``pyodide.js``); of PyScript's
  chunks ``core.js``, ``core.css`` and the chunks its core imports for a Pyodide page (not
  the code editor, terminal or MicroPython chunks, which it loads only when a page uses them).

The copy of ``config.json`` is the repository's: set ``serverUrl`` and ``appId`` (and
``appSecret`` for a deployed Speckle server) in ``dist/config.json`` before uploading.
``editableSettings`` stays as the file says (absent: visitors cannot change the server).
An end-to-end test serves the result with ``python -m http.server`` under a subpath, logs in
and out, and checks that the pages request every file here and none that is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from devtools.fast_start import SNAPSHOT_NAME
from devtools.pyapp_zip import WIDGET_ZIP_NAME, ZIP_NAME, pyapp_zip_bytes
from devtools.runtime_pack import LOCK_MIN, XZ_WASM
from devtools.stdlib_zip import CORE_ZIP, FULL_STORED_ZIP

REPO = Path(__file__).resolve().parent.parent
PAGES = ("index.html", "callback.html", "popup-callback.js", "app.css", "loading.js", "config.json",
         "pyscript.toml", "fast-start.mjs", "xz-stream.mjs")
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs.xz", "pyodide.asm.wasm.xz",
                 f"{CORE_ZIP}.xz", f"{FULL_STORED_ZIP}.xz", LOCK_MIN)
# The chunks PyScript's core imports on a Pyodide page (by name, without the content hash).
# The same core also imports, only on demand, the editor's CodeMirror, the terminal's xterm,
# MicroPython's interpreter and a zip reader: none of them is loaded by these pages.
PYSCRIPT_CHUNKS = frozenset({"deprecations-manager", "donkey", "error", "py-editor", "py-game",
                             "py-terminal", "toml"})
_STATIC_IMPORT = re.compile(r'from ?"\./([^"]+\.js)"')
_DYNAMIC_IMPORT = re.compile(r'import\("\./([^"]+\.js)"\)')


def _chunk_name(file: str) -> str:
    """``toml-V4Savzlc.js`` -> ``toml`` (the name before the content hash)."""
    return file.rsplit("-", 1)[0] if "-" in file else file.removesuffix(".js")


def pyscript_files(folder: Path) -> list[str]:
    """``core.js``, ``core.css``, the core chunk, the chunks it imports for a Pyodide page,
    and everything those import statically."""
    wanted: set[str] = set()
    todo = ["core.js"]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        text = (folder / name).read_text(encoding="utf-8")
        todo += _STATIC_IMPORT.findall(text)
        if name.startswith("core-"):
            todo += [f for f in _DYNAMIC_IMPORT.findall(text) if _chunk_name(f) in PYSCRIPT_CHUNKS]
    return sorted(wanted | {"core.css"})


def build(out: Path, repo: Path = REPO) -> list[Path]:
    """Write the site into ``out`` (emptied first); the files written, relative to ``out``."""
    runtime = repo / "runtime"
    if not (runtime / "pyscript" / "core.js").is_file() or not (repo / SNAPSHOT_NAME).is_file():
        raise FileNotFoundError(f"{runtime} or {SNAPSHOT_NAME} is missing: run ./dev setup")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for page in PAGES:
        shutil.copy2(repo / page, out / page)
    for name in (ZIP_NAME, WIDGET_ZIP_NAME):
        (out / name).write_bytes(pyapp_zip_bytes(repo, name))
    # Built by ./dev setup from these same pyapp.zip bytes (its digest says so).
    shutil.copy2(repo / SNAPSHOT_NAME, out / SNAPSHOT_NAME)
    for folder, files in (("pyodide", PYODIDE_FILES),
                          ("pyscript", pyscript_files(runtime / "pyscript"))):
        (out / "runtime" / folder).mkdir(parents=True)
        for file in files:
            shutil.copy2(runtime / folder / file, out / "runtime" / folder / file)
    (out / XZ_WASM).parent.mkdir(parents=True)
    shutil.copy2(repo / XZ_WASM, out / XZ_WASM)
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.build_dist", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist",
                        help="folder to write (emptied first; default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        files = build(args.out)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = sum((args.out / f).stat().st_size for f in files)
    print(f"{args.out}: {len(files)} files, {size / 1e6:.1f} MB. Set serverUrl and appId in "
          f"{args.out / 'config.json'}, then upload the folder's contents.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
