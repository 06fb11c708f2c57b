"""Assemble the self-hosted browser runtime under ``runtime/``.

The site loads PyScript, Pyodide and the ``pyodide-http`` wheel from its own origin with
relative URLs, so it works on any static host and never reaches a CDN. The sources are the
npm packages pinned in ``package-lock.json`` (installed into ``node_modules/``) and one wheel
from PyPI. The result is build output: it is git-ignored and rebuilt by ``./dev setup``.

Layout produced::

    runtime/pyscript/   core.js, core.css and the chunks core.js imports (no source maps)
    runtime/pyodide/    pyodide.mjs, pyodide.js, pyodide.asm.mjs, pyodide.asm.wasm,
                        python_stdlib.zip, pyodide-lock.json
    runtime/wheels/     pyodide_http-0.2.2-py3-none-any.whl
    runtime/VERSIONS.json
    pyapp.zip           the pyapp package in one file, next to the pages, and
    pyapp-widget.zip    the drop-in widget, for pages that mount it (devtools/pyapp_zip.py)
    fast-start.snapshot.gz  the started interpreter with pyapp imported, for fast-start.mjs
                        (devtools/fast_start.py, made in Node, rebuilt when an input changed)

Running it again is cheap: a file is copied only when its size or modification time differs,
stale PyScript chunks from an older version are removed, and the wheel is downloaded only when
it is missing. Standard library only, so it runs before any dependency is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: make devtools importable

from devtools.fast_start import SnapshotError, ensure_snapshot  # noqa: E402
from devtools.pyapp_zip import write_pyapp_zips  # noqa: E402
from devtools.runtime_pack import OUTPUTS as PACK_OUTPUTS  # noqa: E402
from devtools.runtime_pack import pack_runtime  # noqa: E402
from devtools.stdlib_zip import StdlibError  # noqa: E402

PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.js",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

WHEEL_REQUIREMENT = "pyodide-http==0.2.2"
WHEEL_NAME = "pyodide_http-0.2.2-py3-none-any.whl"
# Pinned so a changed or corrupted download is caught rather than shipped to browsers.
WHEEL_SHA256 = "cf006ea593c1643b5badeb4d42ed24a6eebd830276171fa1f82de0777b3fb608"
# The wheel is pure Python, but pip refuses to resolve it for the host interpreter's tags
# unless told which Python it is for: Pyodide 314 is CPython 3.14.
WHEEL_PYTHON_VERSION = "3.14"


class BuildError(Exception):
    """A precondition for building the runtime is not met."""


def _up_to_date(src: Path, dst: Path) -> bool:
    if not dst.is_file():
        return False
    s, d = src.stat(), dst.stat()
    # copy2 preserves mtime, so equal size and mtime means this exact file was copied before.
    return s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime)


def _sync(files: list[Path], dest: Path, *, prune: bool, keep: frozenset[str] = frozenset()
          ) -> int:
    """Copy ``files`` into ``dest``; with ``prune``, delete files in ``dest`` not among them
    or in ``keep``."""
    dest.mkdir(parents=True, exist_ok=True)
    copied = 0
    for src in files:
        dst = dest / src.name
        if not _up_to_date(src, dst):
            shutil.copy2(src, dst)
            copied += 1
    if prune:
        wanted = {f.name for f in files} | keep
        for existing in dest.iterdir():
            if existing.is_file() and existing.name not in wanted:
                existing.unlink()
    return copied


def _package_version(package_dir: Path) -> str:
    return str(json.loads((package_dir / "package.json").read_text("utf-8"))["version"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _ensure_wheel(dest: Path) -> bool:
    """Download the wheel into ``dest`` unless a verified copy is already there."""
    dest.mkdir(parents=True, exist_ok=True)
    wheel = dest / WHEEL_NAME
    if wheel.is_file() and _sha256(wheel) == WHEEL_SHA256:
        return False
    wheel.unlink(missing_ok=True)
    cmd = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--only-binary=:all:", "--python-version", WHEEL_PYTHON_VERSION,
        WHEEL_REQUIREMENT, "-d", str(dest),
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    if not wheel.is_file():
        raise BuildError(f"pip did not produce {wheel}")
    actual = _sha256(wheel)
    if actual != WHEEL_SHA256:
        wheel.unlink()
        raise BuildError(f"{WHEEL_NAME}: sha256 {actual} does not match {WHEEL_SHA256}")
    return True


def build(repo: Path = REPO) -> dict[str, int]:
    """Build ``repo/runtime`` from ``repo/node_modules``; return how many files were written."""
    modules = repo / "node_modules"
    pyscript_dist = modules / "@pyscript" / "core" / "dist"
    pyodide_dir = modules / "pyodide"
    if not pyscript_dist.is_dir() or not pyodide_dir.is_dir():
        raise BuildError(f"{modules} lacks @pyscript/core or pyodide: run `npm ci` first")

    runtime = repo / "runtime"
    pyscript_files = sorted(
        p for p in pyscript_dist.iterdir() if p.is_file() and p.suffix in (".js", ".css")
    )
    missing = [n for n in PYODIDE_FILES if not (pyodide_dir / n).is_file()]
    if missing:
        raise BuildError(f"pyodide package lacks {', '.join(missing)}")

    stats = {
        # Pruned: PyScript's chunk names carry content hashes, so an upgrade leaves orphans.
        "pyscript": _sync(pyscript_files, runtime / "pyscript", prune=True),
        "pyodide": _sync([pyodide_dir / n for n in PYODIDE_FILES], runtime / "pyodide",
                         prune=True, keep=PACK_OUTPUTS),
        "wheels": int(_ensure_wheel(runtime / "wheels")),
        "pyapp zips": write_pyapp_zips(repo),
    }
    # After the zips: the trimmed standard library is what pyapp's modules import.
    stats["compressed runtime"] = pack_runtime(repo)
    # Last: the snapshot is made from the runtime, the trimmed standard library and pyapp.zip.
    stats["fast-start snapshot"] = int(ensure_snapshot(repo))

    versions = {
        "@pyscript/core": _package_version(modules / "@pyscript" / "core"),
        "pyodide": _package_version(pyodide_dir),
        "pyodide-http": WHEEL_REQUIREMENT.split("==")[1],
    }
    versions_file = runtime / "VERSIONS.json"
    text = json.dumps(versions, indent=2, sort_keys=True) + "\n"
    if not versions_file.is_file() or versions_file.read_text("utf-8") != text:
        versions_file.write_text(text, "utf-8")
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="repository root (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        stats = build(args.repo.resolve())
    except (BuildError, SnapshotError, StdlibError, subprocess.CalledProcessError) as exc:
        print(f"build_runtime: {exc}", file=sys.stderr)
        return 1
    written = sum(stats.values())
    detail = ", ".join(f"{k} {v}" for k, v in stats.items())
    print(f"runtime/ {'updated' if written else 'up to date'} ({detail} file(s) written)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
