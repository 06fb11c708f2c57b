"""``pyapp.zip``: the pyapp package as one file, for the pages' PyScript configs.

PyScript fetches each ``[files]`` entry with its own request; a page listing every module
made 25 requests before its Python could start (about 200 ms on a cold visit). One zip,
unpacked by PyScript into Python's working directory (``"./pyapp.zip" = "./*"``), is one
request. The zip is a build output (``./dev setup``), never committed; it holds the sources
as they are, so tracebacks in the browser show the real lines.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ZIP_NAME = "pyapp.zip"
# A fixed timestamp keeps the bytes, and so the ETag, the same until a source changes.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def pyapp_sources(repo: Path = REPO) -> list[Path]:
    """Every module of the package, in a stable order."""
    package = repo / "pyapp"
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def pyapp_zip_bytes(repo: Path = REPO) -> bytes:
    """The zip's bytes: ``pyapp/…`` entries, deflated, deterministic."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in pyapp_sources(repo):
            info = zipfile.ZipInfo(path.relative_to(repo).as_posix(), _EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def write_pyapp_zip(repo: Path = REPO) -> bool:
    """Write ``repo/pyapp.zip`` when its content changed; True when it was written."""
    target = repo / ZIP_NAME
    data = pyapp_zip_bytes(repo)
    if target.is_file() and target.read_bytes() == data:
        return False
    target.write_bytes(data)
    return True
