"""The runtime's files as a first visit downloads them: compressed, whatever the host does.

Many static hosts (S3, GitHub Pages for binary files) send files exactly as stored. Pyodide's
own files are stored uncompressed, so a first visit used to download 9.6 MB of WebAssembly,
1.25 MB of JavaScript and a 2.5 MB standard library. ``fast-start.mjs`` downloads these
instead and decompresses them in the page (``xz-stream.mjs``, with xz-embedded compiled to
WebAssembly, 13 KB, from the npm package ``xz-decompress``):

=============================  =========================================================
``pyodide.asm.wasm.xz``        the interpreter (xz packs it to 2.6 MB; gzip to 3.5 MB)
``pyodide.asm.mjs.xz``         its JavaScript half
``python_stdlib.core.zip.xz``  the standard library the pages import (devtools/stdlib_zip.py)
``python_stdlib.full.zip.xz``  all of it, for pages that ask (``?stdlib=full``)
``pyodide-lock.min.json``      the lock file without its package list (no package is
                               installed from it; the full one is 119 KB)
``../xz/xz-decompress.wasm``   the decoder
=============================  =========================================================

The originals stay in ``runtime/`` for a page whose ``interpreter`` is ``pyodide.mjs`` itself
(and for the snapshot builder); ``./dev build`` ships only what ``fast-start.mjs`` loads.
Everything here is rebuilt only when an input changed (``runtime/pyodide/pack.json`` records
their digests).
"""

from __future__ import annotations

import base64
import hashlib
import json
import lzma
import os
import re
from collections.abc import Callable
from pathlib import Path

from devtools.stdlib_zip import CORE_ZIP, FULL_STORED_ZIP, FULL_ZIP, split_stdlib

REPO = Path(__file__).resolve().parent.parent
PYODIDE = Path("runtime") / "pyodide"
XZ_WASM = Path("runtime") / "xz" / "xz-decompress.wasm"
XZ_PACKAGE = Path("node_modules") / "xz-decompress" / "dist" / "package" / "xz-decompress.js"
LOCK_MIN = "pyodide-lock.min.json"
STAMP = "pack.json"
# Files fast-start.mjs downloads compressed, as ``<name>.xz`` beside the original.
COMPRESSED = ("pyodide.asm.wasm", "pyodide.asm.mjs", CORE_ZIP, FULL_STORED_ZIP)
# What this module writes into runtime/pyodide (which build_runtime otherwise prunes).
OUTPUTS = frozenset({STAMP, LOCK_MIN, *COMPRESSED, *(f"{name}.xz" for name in COMPRESSED)})
# The recipe's version: bump it when the way these files are made changes.
_RECIPE = "pack 1"


def xz(data: bytes) -> bytes:
    """``data`` as an .xz file the page's decoder reads: LZMA2 at the strongest preset, a
    dictionary no larger than the data needs (the decoder allocates it), CRC32 checks."""
    dict_size = 1 << max(16, (len(data) - 1).bit_length())
    return lzma.compress(data, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32, filters=[
        {"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME, "dict_size": dict_size}])


def decoder_wasm(repo: Path = REPO) -> bytes:
    """The xz decoder's WebAssembly, which the npm package inlines as a data: URL."""
    source = (repo / XZ_PACKAGE).read_text("utf-8")
    found = re.search(r'"data:application/wasm;base64,([A-Za-z0-9+/=]+)"', source)
    if found is None:
        raise ValueError(f"{XZ_PACKAGE}: no inlined WebAssembly found")
    return base64.b64decode(found.group(1))


def min_lock(full: bytes) -> bytes:
    """The lock file with its ``info`` and no packages."""
    lock = json.loads(full)
    return (json.dumps({**lock, "packages": {}}, indent=1, sort_keys=True) + "\n").encode()


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha256(_RECIPE.encode())
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def pack_runtime(repo: Path = REPO, log: Callable[[str], None] = print) -> int:
    """Write the compressed files (see the module's docstring) where an input changed;
    return how many were written."""
    folder = repo / PYODIDE
    stamp_path = folder / STAMP
    try:
        stamps: dict[str, str] = json.loads(stamp_path.read_text("utf-8"))
    except (OSError, ValueError):
        stamps = {}
    written = 0

    def ensure(target: Path, key: str, make: Callable[[], bytes]) -> None:
        nonlocal written
        if stamps.get(target.name) == key and target.is_file():
            return
        log(f"runtime: writing {target.relative_to(repo)}")
        _write(target, make())
        stamps[target.name] = key
        written += 1

    read = {name: (folder / name).read_bytes()
            for name in ("pyodide.asm.wasm", "pyodide.asm.mjs", "pyodide-lock.json", FULL_ZIP)}
    ensure(repo / XZ_WASM, _digest((repo / XZ_PACKAGE).read_bytes()),
           lambda: decoder_wasm(repo))
    ensure(folder / LOCK_MIN, _digest(read["pyodide-lock.json"]),
           lambda: min_lock(read["pyodide-lock.json"]))
    for name in ("pyodide.asm.wasm", "pyodide.asm.mjs"):
        data = read[name]
        ensure(folder / f"{name}.xz", _digest(data), lambda data=data: xz(data))
    # The core is chosen by importing pyapp's modules: it follows pyapp's sources too.
    sources = [p.read_bytes() for p in sorted((repo / "pyapp").rglob("*.py"))]
    sources += [p.read_bytes() for p in sorted((repo / "runtime" / "pyscript").glob("core-*.js"))]
    stdlib_key = _digest(read[FULL_ZIP], (repo / "devtools" / "stdlib_zip.py").read_bytes(),
                         *sources)
    if any(stamps.get(n) != stdlib_key or not (folder / n).is_file()
           for n in (CORE_ZIP, FULL_STORED_ZIP, CORE_ZIP + ".xz", FULL_STORED_ZIP + ".xz")):
        core, whole = split_stdlib(repo)
        for name, data in ((CORE_ZIP, core), (FULL_STORED_ZIP, whole)):
            ensure(folder / name, stdlib_key, lambda data=data: data)
            ensure(folder / f"{name}.xz", stdlib_key, lambda data=data: xz(data))
    stamp_path.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n", "utf-8")
    return written
