"""``pyapp.zip`` and ``pyapp-widget.zip``: the pyapp package as the pages download it.

PyScript fetches each ``[files]`` entry with its own request; a page listing every module
made 25 requests before its Python could start (about 200 ms on a cold visit). One zip,
unpacked by PyScript into Python's working directory (``"./pyapp.zip" = "./*"``), is one
request.

* ``pyapp.zip`` holds every module but the drop-in widget: all that ``index.html`` and
  ``callback.html`` (and any page using :func:`pyapp.connect`) can import.
* ``pyapp-widget.zip`` holds ``pyapp/ui/widget.py`` alone. A page that calls
  :func:`pyapp.mount` lists it next to the first; it unpacks into the same ``pyapp/`` folder.
  The app pages never download it.

The modules are shipped as written: ``help()`` in the page shows their docstrings and a
traceback in the browser quotes the source. (Stripping docstrings and comments saved 35 KB
of 13.7 MB and no measurable start-up time; the modules the pages import at start come from
the fast-start snapshot anyway.) The zips are build outputs (``./dev setup``), never
committed, and byte-for-byte reproducible.
"""

from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZIP_NAME = "pyapp.zip"
WIDGET_ZIP_NAME = "pyapp-widget.zip"
WIDGET_MODULES = frozenset({"pyapp/ui/widget.py"})
# A fixed timestamp keeps the bytes, and so the ETag, the same until a source changes.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def pyapp_sources(repo: Path = REPO) -> list[Path]:
    """Every module of the package, in a stable order."""
    package = repo / "pyapp"
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def zip_members(name: str, repo: Path = REPO) -> list[Path]:
    """The modules that go into the zip called ``name``."""
    if name not in (ZIP_NAME, WIDGET_ZIP_NAME):
        raise ValueError(f"unknown zip {name!r}")
    widget = name == WIDGET_ZIP_NAME
    return [p for p in pyapp_sources(repo)
            if (p.relative_to(repo).as_posix() in WIDGET_MODULES) == widget]


def pyapp_zip_bytes(repo: Path = REPO, name: str = ZIP_NAME) -> bytes:
    """The bytes of zip ``name``: ``pyapp/…`` entries as written, deflated, deterministic."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in zip_members(name, repo):
            info = zipfile.ZipInfo(path.relative_to(repo).as_posix(), _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


class LiveZip:
    """The bytes of one zip for a dev server: rebuilt when a module was added, removed or
    saved since the last call, so an edit shows on the next reload (a build takes ~150 ms,
    too long to pay on every page load)."""

    def __init__(self, name: str, repo: Path = REPO) -> None:
        self.name, self.repo = name, repo
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, int, int], ...] = ()
        self._data = b""

    def __call__(self) -> bytes:
        stamp = tuple((p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size)
                      for p in zip_members(self.name, self.repo))
        with self._lock:
            if stamp != self._stamp or not self._data:
                self._data, self._stamp = pyapp_zip_bytes(self.repo, self.name), stamp
            return self._data


def write_pyapp_zips(repo: Path = REPO) -> int:
    """Write both zips next to the pages where their content changed; how many were written."""
    written = 0
    for name in (ZIP_NAME, WIDGET_ZIP_NAME):
        target = repo / name
        data = pyapp_zip_bytes(repo, name)
        if not (target.is_file() and target.read_bytes() == data):
            target.write_bytes(data)
            written += 1
    return written
