"""The fast-start snapshot: a ready Python interpreter the pages restore instead of booting.

``fast-start.snapshot.gz`` (next to the pages, built by ``./dev setup``, never committed) is
a Pyodide memory snapshot made in Node by ``tools/make_snapshot.mjs``: the interpreter after
start-up with the standard-library modules and the ``pyapp`` modules the pages import at
start already imported. ``fast-start.mjs`` fetches it, decompresses it in the page and hands
it to Pyodide, or starts Python the normal way when it is missing, turned off or unusable.

The snapshot is gzipped here (a static host that does not compress binary files still
serves a few MB, not 31) and carries, in the gzip header's comment field, a digest of
everything it was built from: the runtime's files, ``pyapp.zip``, the builder and the module
list. :func:`ensure_snapshot` rebuilds it only when that digest changed; the dev server
(:class:`LiveSnapshot`) never serves one whose digest does not match the ``pyapp`` being
served, so an edited module never runs as its old snapshotted self.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from devtools.pyapp_zip import ZIP_NAME, pyapp_zip_bytes, zip_members
from devtools.runtime_pack import pack_runtime
from devtools.stdlib_zip import CORE_ZIP, StdlibError

REPO = Path(__file__).resolve().parent.parent
SNAPSHOT_NAME = "fast-start.snapshot.gz"
BUILDER = Path("tools") / "make_snapshot.mjs"
# The files the pages boot with: the snapshot is made with the same standard library zip.
RUNTIME_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", CORE_ZIP,
                 "pyodide-lock.min.json")
# Standard-library modules the pages import at start or on login (PyScript itself imports
# html), imported before the snapshot is taken. pyapp's modules are added to these.
STDLIB_PRELOAD = ("asyncio", "base64", "dataclasses", "html", "ipaddress", "json", "random",
                  "re", "urllib.parse")
_COMMENT_PREFIX = b"speckle-fast-start:"
HEADER_MAGIC = "speckle-fast-start 1"
HEADER_SIZE = 128
# The version of this file's recipe: bump it when the way a snapshot is made changes.
_RECIPE = b"fast-start 5\n"


class SnapshotError(Exception):
    """The snapshot could not be built."""


def preload_modules(repo: Path = REPO) -> list[str]:
    """The modules imported into the snapshot: the stdlib list, then every pyapp module of
    ``pyapp.zip`` (those that need PyScript's ``pyscript`` package are skipped by the
    builder: it exists only in a page)."""
    names = []
    for path in zip_members(ZIP_NAME, repo):
        parts = list(path.relative_to(repo).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return [*STDLIB_PRELOAD, *names]


_runtime_digests: dict[tuple[str, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    """sha256 of a file, remembered by path, size and modification time (the runtime's
    files are large and rarely change)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _runtime_digests:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        _runtime_digests[key] = digest.digest()
    return _runtime_digests[key]


def inputs_digest(repo: Path = REPO, pyapp_zip: bytes | None = None) -> str:
    """A digest of everything the snapshot is made from."""
    digest = hashlib.sha256(_RECIPE)
    digest.update((repo / BUILDER).read_bytes())
    digest.update(json.dumps(preload_modules(repo)).encode())
    for name in RUNTIME_FILES:
        digest.update(name.encode() + b"\0" + _file_digest(repo / "runtime" / "pyodide" / name))
    zip_bytes = pyapp_zip if pyapp_zip is not None else pyapp_zip_bytes(repo, ZIP_NAME)
    digest.update(hashlib.sha256(zip_bytes).digest())
    return digest.hexdigest()


def gzip_with_comment(data: bytes, comment: bytes) -> bytes:
    """``data`` gzipped (RFC 1952) with ``comment`` in the header; no timestamp, so the same
    input gives the same bytes."""
    if b"\0" in comment:
        raise ValueError("a gzip comment cannot hold a NUL byte")
    flags = 0x10  # FCOMMENT
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0" + b"\x02\xff" + comment + b"\0"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    body = compressor.compress(data) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return header + body + trailer


def read_comment(head: bytes) -> bytes | None:
    """The comment of a gzip header that starts ``head``, or None (no gzip, no comment)."""
    if len(head) < 10 or head[:3] != b"\x1f\x8b\x08":
        return None
    flags, pos = head[3], 10
    if flags & 0x04:  # FEXTRA
        if len(head) < pos + 2:
            return None
        pos += 2 + struct.unpack_from("<H", head, pos)[0]
    if flags & 0x08:  # FNAME
        end = head.find(b"\0", pos)
        if end < 0:
            return None
        pos = end + 1
    if not flags & 0x10:
        return None
    end = head.find(b"\0", pos)
    return head[pos:end] if end >= 0 else None


def snapshot_header(pyapp_zip: bytes) -> bytes:
    """The 128 bytes before Pyodide's snapshot in the file: the sha256 of the pyapp.zip the
    snapshot holds. ``fast-start.mjs`` restores it only next to that pyapp.zip, and reads it
    after decompression, so it holds whether the page or the browser decompressed the file
    (a host that sends it with ``Content-Encoding: gzip``)."""
    line = f"{HEADER_MAGIC} pyapp={hashlib.sha256(pyapp_zip).hexdigest()}\n".encode()
    return line.ljust(HEADER_SIZE, b" ")


def snapshot_digest(path: Path) -> str | None:
    """The inputs digest a snapshot file was built from, or None if it has none."""
    try:
        with path.open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return None
    comment = read_comment(head)
    if comment is None or not comment.startswith(_COMMENT_PREFIX):
        return None
    return comment[len(_COMMENT_PREFIX):].decode("ascii", "replace")


def make_snapshot(repo: Path, zip_bytes: bytes) -> tuple[bytes, dict[str, list[str]]]:
    """The gzipped snapshot of the interpreter with ``zip_bytes`` as pyapp.zip, made with
    Node, and the builder's summary (modules imported and skipped)."""
    node = shutil.which("node")
    if node is None:
        raise SnapshotError("node is not on PATH")
    digest = inputs_digest(repo, zip_bytes)
    with tempfile.TemporaryDirectory(prefix="fast-start-") as tmp:
        archive = Path(tmp) / ZIP_NAME
        archive.write_bytes(zip_bytes)
        raw = Path(tmp) / "snapshot.bin"
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({
            "indexURL": str(repo / "runtime" / "pyodide") + "/",
            "archives": [str(archive)],
            "modules": preload_modules(repo),
            "out": str(raw),
            "stdlib": str(repo / "runtime" / "pyodide" / CORE_ZIP),
            "lockFileURL": str(repo / "runtime" / "pyodide" / "pyodide-lock.min.json"),
        }), "utf-8")
        done = subprocess.run([node, str(repo / BUILDER), str(request)], capture_output=True,
                              text=True, check=False)
        if done.returncode != 0 or not raw.is_file():
            raise SnapshotError(f"{BUILDER} failed:\n{done.stderr[-3000:]}")
        summary: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
        body = snapshot_header(zip_bytes) + raw.read_bytes()
        data = gzip_with_comment(body, _COMMENT_PREFIX + digest.encode())
    return data, summary


def build_snapshot(repo: Path = REPO, pyapp_zip: bytes | None = None) -> dict[str, list[str]]:
    """Make the snapshot and write it to ``repo/SNAPSHOT_NAME``; returns the builder's
    summary."""
    zip_bytes = pyapp_zip if pyapp_zip is not None else pyapp_zip_bytes(repo, ZIP_NAME)
    data, summary = make_snapshot(repo, zip_bytes)
    target = repo / SNAPSHOT_NAME
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    return summary


def ensure_snapshot(repo: Path = REPO) -> bool:
    """Build the snapshot unless the one on disk was built from the same inputs; True when
    it was (re)built."""
    if snapshot_digest(repo / SNAPSHOT_NAME) == inputs_digest(repo):
        return False
    build_snapshot(repo)
    return True


class LiveSnapshot:
    """The snapshot for a dev server: served only while it matches the ``pyapp.zip`` being
    served. After an edit the server answers 404 (the page starts the normal way, running
    the edited code) and rebuilds the snapshot in the background for the next reload."""

    def __init__(self, pyapp_zip: Callable[[], bytes], repo: Path = REPO) -> None:
        self.pyapp_zip, self.repo = pyapp_zip, repo
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None
        self._cache: tuple[str, bytes] | None = None

    def __call__(self) -> bytes | None:
        wanted = inputs_digest(self.repo, self.pyapp_zip())
        path = self.repo / SNAPSHOT_NAME
        with self._lock:
            if self._cache is not None and self._cache[0] == wanted:
                return self._cache[1]
            if snapshot_digest(path) == wanted:
                self._cache = (wanted, path.read_bytes())
                return self._cache[1]
            if self._building is None or not self._building.is_alive():
                self._building = threading.Thread(target=self._rebuild, daemon=True,
                                                  name="fast-start snapshot")
                self._building.start()
            return None

    def _rebuild(self) -> None:
        try:
            # pyapp's imports choose the trimmed standard library the snapshot is made with.
            pack_runtime(self.repo)
        except (StdlibError, OSError, ValueError) as error:
            print(f"fast start: could not update the standard library: {error}", flush=True)
        try:
            build_snapshot(self.repo, self.pyapp_zip())
        except (SnapshotError, OSError) as error:
            print(f"fast start: could not rebuild {SNAPSHOT_NAME}: {error}", flush=True)
