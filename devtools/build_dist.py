"""``dist/``: exactly the files a deployed site needs, ready to upload (``./dev build``).

    python -m devtools.build_dist [--out dist] [--config my-site.json]

* the pages and what they load: ``index.html``, ``callback.html`` (with
  ``popup-callback.js``), ``app.css``, ``loading.js``, ``config.json``, ``pyscript.toml``,
  ``fast-start.mjs`` with the modules it imports (``xz-stream.mjs``,
  ``added-python-guard.mjs``, ``snapshot-check.mjs``) and ``fast-start.snapshot.gz`` (as
  ``./dev setup`` built it);
* ``pyapp.zip`` (the app pages) and ``pyapp-widget.zip`` (for pages that mount the drop-in
  widget), built from ``pyapp/`` as the dev server builds them;
* of the runtime, only the files the pages load: Pyodide's module; compressed, its
  WebAssembly, JavaScript half and standard library (the trimmed core, and the whole
  library for pages that ask for it); the lock file without packages and the xz decoder (see
  ``devtools/runtime_pack.py``; not the uncompressed originals nor ``pyodide.js``); of PyScript's
  chunks ``core.js``, ``core.css`` and the chunks its core imports for a Pyodide page (not
  the code editor, terminal or MicroPython chunks, which it loads only when a page uses them).

The site's settings: ``--config`` names the site's config file; without it, a
``config.json`` already in the output folder is kept, and only a first build takes the
repository's (the offline mock's). The build checks the settings and prints what it
shipped (the app secret masked). ``index.html`` and ``callback.html`` get a
Content-Security-Policy ``<meta>`` for that server (:func:`content_security_policy`): edit
the config, then build again, or the policy names the old server.

An end-to-end test serves the result with ``python -m http.server`` under a subpath, logs in
and out, and checks that the pages request every file here and none that is missing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devtools.fast_start import SNAPSHOT_NAME
from devtools.pyapp_zip import WIDGET_ZIP_NAME, ZIP_NAME, pyapp_zip_bytes
from devtools.runtime_pack import LOCK_MIN, XZ_WASM
from devtools.stdlib_zip import CORE_ZIP, FULL_STORED_ZIP
from pyapp.config import Settings, settings_editable
from pyapp.errors import InvalidConfiguration

REPO = Path(__file__).resolve().parent.parent
PAGES = ("index.html", "callback.html", "popup-callback.js", "app.css", "loading.js",
         "pyscript.toml", "fast-start.mjs", "xz-stream.mjs", "added-python-guard.mjs",
         "snapshot-check.mjs")
CONFIG = "config.json"
#: The pages that get the policy as a ``<meta>`` (the only pages a visitor opens).
POLICED_PAGES = ("index.html", "callback.html")
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


def content_security_policy(config: Mapping[str, Any]) -> str:
    """The policy the pages ship with, for the server ``config`` names.

    What each source is for is in docs/owners/headers.md. Requests and
    images go to the site itself and that server only; a site whose settings form is on
    (``editableSettings``) lets visitors name any ``https`` server, so it allows them all.
    ``frame-ancestors`` is left out: browsers ignore it in a ``<meta>`` (send it as a header).
    """
    settings = Settings.from_mapping(config).validated()
    parts = urlsplit(settings.server_url)
    servers = f"{parts.scheme}://{parts.netloc}"
    if settings_editable(config):
        servers += " https:"
    return ("default-src 'none'; script-src 'self' blob: 'wasm-unsafe-eval' 'unsafe-eval'; "
            f"style-src 'self'; img-src 'self' data: {servers}; connect-src 'self' {servers}; "
            "base-uri 'none'; form-action 'none'")


_CHARSET = re.compile(r'<meta charset="utf-8">\n', re.IGNORECASE)


def with_policy(html: str, policy: str) -> str:
    """``html`` with the policy in a ``<meta>`` right after its charset, before any script
    (a policy in a ``<meta>`` governs only what comes after it)."""
    meta = f'  <meta http-equiv="Content-Security-Policy" content="{policy}">\n'
    found = _CHARSET.search(html)
    if found is None:
        raise ValueError('a page without <meta charset="utf-8"> on a line of its own')
    return html[:found.end()] + meta + html[found.end():]


def site_config(out: Path, repo: Path, config: Path | None) -> bytes:
    """The ``config.json`` to ship: ``config``, else the one already in ``out``, else the
    repository's."""
    for source in (config, out / CONFIG, repo / CONFIG):
        if source is not None and source.is_file():
            return source.read_bytes()
    raise FileNotFoundError(f"{config} does not exist")


def build(out: Path, repo: Path = REPO, config: Path | None = None) -> list[Path]:
    """Write the site into ``out`` (emptied first, its ``config.json`` kept unless ``config``
    names another); the files written, relative to ``out``. Settings that cannot work raise
    :class:`~pyapp.errors.InvalidConfiguration` before anything is written."""
    runtime = repo / "runtime"
    if not (runtime / "pyscript" / "core.js").is_file() or not (repo / SNAPSHOT_NAME).is_file():
        raise FileNotFoundError(f"{runtime} or {SNAPSHOT_NAME} is missing: run ./dev setup")
    if config is not None and not config.is_file():
        raise FileNotFoundError(f"{config} does not exist")
    config_bytes = site_config(out, repo, config)
    policy = content_security_policy(json.loads(config_bytes))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / CONFIG).write_bytes(config_bytes)
    for page in PAGES:
        if page in POLICED_PAGES:
            html = (repo / page).read_text(encoding="utf-8")
            (out / page).write_text(with_policy(html, policy), encoding="utf-8")
        else:
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


def shipped(config: Mapping[str, Any]) -> str:
    """The settings a build shipped, for its closing lines (the app secret masked)."""
    secret = config.get("appSecret")
    lines = [f"  serverUrl: {config.get('serverUrl')}", f"  appId:     {config.get('appId')}",
             f"  appSecret: {'set (' + '*' * 8 + ')' if secret else 'none'}"]
    lines += [f"  {key}: {json.dumps(value)}" for key, value in config.items()
              if key not in ("serverUrl", "appId", "appSecret")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.build_dist", description=__doc__
                                     .split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist",
                        help="folder to write (emptied first, its config.json kept; "
                             "default: %(default)s)")
    parser.add_argument("--config", type=Path, default=None,
                        help="the site's config file to ship as config.json (default: keep "
                             "the one in --out, or take the repository's on a first build)")
    args = parser.parse_args(argv)
    try:
        files = build(args.out, config=args.config)
    except (FileNotFoundError, ValueError, InvalidConfiguration) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    size = sum((args.out / f).stat().st_size for f in files)
    config = json.loads((args.out / CONFIG).read_bytes())
    print(f"{args.out}: {len(files)} files, {size / 1e6:.1f} MB, with these settings "
          f"({args.out / CONFIG}):\n{shipped(config)}")
    print(f"Content-Security-Policy in {' and '.join(POLICED_PAGES)}:\n  "
          f"{content_security_policy(config)}")
    if (args.out / CONFIG).read_bytes() == (REPO / CONFIG).read_bytes():
        print("These are the offline mock's settings: build with --config your-site.json "
              "(or edit the config.json above and build again) before uploading.")
    else:
        print("Upload the folder's contents. After editing its config.json, build again: "
              "the policy names the server.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
