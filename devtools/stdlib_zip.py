"""The standard library as the pages download it: a trimmed core, and all of it on request.

Pyodide's ``python_stdlib.zip`` is 2.5 MB of Python sources (9.6 MB unpacked), most of which
no page of ours imports (email, xml, unittest, multiprocessing, pydoc, ...). A first visit
downloads only ``python_stdlib.core.zip.xz``: the files that the pages' Python can import,
found by importing, in Node, everything that is imported anywhere in ``pyapp/`` (every
``import`` statement, lazy ones included), in PyScript's own Python package and in
:data:`ALWAYS` (what an error report or a common site script needs), and keeping each file
the interpreter actually loaded. ``python_stdlib.full.zip.xz`` holds every file of the
runtime's zip; ``fast-start.mjs`` loads it instead of the core when a page's ``interpreter``
asks for it (``fast-start.mjs?stdlib=full``), for a site author whose own Python needs more.
(The whole library, not the rest of it: a package split across two zips would not find its
other half.) The core's files are the same bytes in both, so a snapshot made with the core
restores with the full zip once the zip importers have re-read their archive.

Both zips store their files uncompressed: the whole zip is compressed with xz, which packs
many small sources far better than deflate file by file, and zipimport then reads them
without inflating. ``tools/make_snapshot.mjs`` boots with the core zip (the fast-start
snapshot must be made with the zip the pages load), which is also the check that the core is
complete: an import the pages make that the core cannot serve fails the build.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from devtools.pyapp_zip import WIDGET_ZIP_NAME, ZIP_NAME, pyapp_sources

REPO = Path(__file__).resolve().parent.parent
PYODIDE = Path("runtime") / "pyodide"
FULL_ZIP = "python_stdlib.zip"
CORE_ZIP = "python_stdlib.core.zip"
FULL_STORED_ZIP = "python_stdlib.full.zip"
BUILDER = Path("tools") / "make_snapshot.mjs"
# Imported by no page at start, but by the page when something goes wrong or by the small
# scripts a site author adds next to the login (dates, text, logging, typing helpers).
ALWAYS = (
    # PyScript's start-up code (it writes the [files] with pathlib) and Pyodide's archive
    # unpacking, which the pages run but no scanned source names.
    "os", "pathlib", "shutil", "zipfile",
    # An error report, and what a short site script commonly reaches for.
    "collections.abc", "contextlib", "copy", "datetime", "encodings.ascii", "encodings.idna",
    "encodings.latin_1", "encodings.utf_8", "encodings.utf_8_sig", "encodings.utf_16",
    "encodings.utf_32", "encodings.raw_unicode_escape", "encodings.unicode_escape", "enum",
    "functools", "hashlib", "itertools", "json", "logging", "math", "operator", "string",
    "struct", "textwrap", "time", "traceback", "typing", "warnings", "weakref",
)  # fmt: skip
# The PyScript package's Python files, embedded in its core bundle as JSON strings.
_EMBEDDED_PY = re.compile(r'"([A-Za-z_]\w*\.py)":("(?:[^"\\]|\\.)*")')


class StdlibError(Exception):
    """The trimmed standard library could not be built."""


def imported_names(source: str) -> set[str]:
    """Every module named by an ``import`` or ``from ... import`` in ``source`` (dotted,
    absolute imports only), wherever it stands: lazy imports count."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def pyscript_sources(repo: Path = REPO) -> dict[str, str]:
    """PyScript's own Python files (name -> source) from its core bundle."""
    sources: dict[str, str] = {}
    for bundle in sorted((repo / "runtime" / "pyscript").glob("core-*.js")):
        for name, literal in _EMBEDDED_PY.findall(bundle.read_text("utf-8")):
            sources[name] = json.loads(literal)
    if not sources:
        raise StdlibError("no Python files found in PyScript's core bundle")
    return sources


def wanted_modules(repo: Path = REPO) -> list[str]:
    """The standard-library modules the pages may import: those named in pyapp's and
    PyScript's sources and :data:`ALWAYS`, limited to what the runtime's zip has."""
    sources = [p.read_text("utf-8") for p in pyapp_sources(repo)]
    sources += list(pyscript_sources(repo).values())
    names = set(ALWAYS)
    for source in sources:
        try:
            names |= imported_names(source)
        except SyntaxError:  # MicroPython-only code in PyScript's bundle
            continue
    with zipfile.ZipFile(repo / PYODIDE / FULL_ZIP) as full:
        tops = {n.split("/")[0].removesuffix(".py") for n in full.namelist()}
    return sorted(n for n in names if n.split(".")[0] in tops)


def traced_files(repo: Path = REPO) -> list[str]:
    """The files of the runtime's zip that importing :func:`wanted_modules` loads (with the
    pyapp zips unpacked), found in Node."""
    node = shutil.which("node")
    if node is None:
        raise StdlibError("node is not on PATH")
    with tempfile.TemporaryDirectory(prefix="stdlib-trace-") as tmp:
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({
            "indexURL": str(repo / PYODIDE) + "/",
            "archives": [str(repo / ZIP_NAME), str(repo / WIDGET_ZIP_NAME)],
            "modules": wanted_modules(repo),
            "trace": True,
        }), "utf-8")
        done = subprocess.run([node, str(repo / BUILDER), str(request)], capture_output=True,
                              text=True, check=False)
    if done.returncode != 0:
        raise StdlibError(f"{BUILDER} (trace) failed:\n{done.stderr[-3000:]}")
    files: list[str] = json.loads(done.stdout.strip().splitlines()[-1])["files"]
    return files


def _with_packages(files: list[str], names: set[str]) -> set[str]:
    """``files`` plus the ``__init__.py`` of every package they are in."""
    chosen = set(files)
    for name in files:
        parts = name.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            init = "/".join(parts[:depth]) + "/__init__.py"
            if init in names:
                chosen.add(init)
    return chosen


def _stored_zip(full: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for info in members:
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.external_attr = info.external_attr
            out.writestr(entry, b"" if info.is_dir() else full.read(info))
    return buffer.getvalue()


def split_stdlib(repo: Path = REPO, files: list[str] | None = None) -> tuple[bytes, bytes]:
    """The core zip (the traced files and their packages) and the whole library, both
    stored."""
    traced = traced_files(repo) if files is None else files
    with zipfile.ZipFile(repo / PYODIDE / FULL_ZIP) as full:
        infos = full.infolist()
        names = {i.filename for i in infos}
        missing = sorted(set(traced) - names)
        if missing:
            raise StdlibError(f"traced files not in {FULL_ZIP}: {', '.join(missing)}")
        core = _with_packages(traced, names)
        core_dirs = {n.rsplit("/", 1)[0] + "/" for n in core if "/" in n}
        in_core = [i for i in infos if i.filename in core or i.filename in core_dirs]
        return _stored_zip(full, in_core), _stored_zip(full, infos)
