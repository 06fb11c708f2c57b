"""The fast-start snapshot's packaging and freshness (devtools/fast_start.py), without Node."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from devtools import fast_start
from devtools.fast_start import (
    SNAPSHOT_NAME,
    LiveSnapshot,
    gzip_with_comment,
    preload_modules,
    read_comment,
    snapshot_digest,
)

REPO = Path(__file__).resolve().parents[2]


def test_gzip_with_comment_is_standard_gzip_and_carries_the_comment() -> None:
    data = bytes(range(256)) * 1000
    packed = gzip_with_comment(data, b"speckle-fast-start:abc")
    assert gzip.decompress(packed) == data
    assert zlib.decompress(packed, wbits=31) == data
    assert read_comment(packed[:64]) == b"speckle-fast-start:abc"
    assert gzip_with_comment(data, b"x") == gzip_with_comment(data, b"x")  # no timestamp


def test_read_comment_of_gzip_without_one_or_of_other_bytes() -> None:
    assert read_comment(gzip.compress(b"data", mtime=0)) is None
    assert read_comment(b"not gzip at all") is None
    with pytest.raises(ValueError):
        gzip_with_comment(b"", b"a\0b")


def test_snapshot_digest_reads_what_the_builder_wrote(tmp_path: Path) -> None:
    path = tmp_path / SNAPSHOT_NAME
    path.write_bytes(gzip_with_comment(b"heap", b"speckle-fast-start:1234"))
    assert snapshot_digest(path) == "1234"
    path.write_bytes(gzip.compress(b"heap"))
    assert snapshot_digest(path) is None
    assert snapshot_digest(tmp_path / "absent.gz") is None


def test_preload_names_every_module_of_pyapp_zip_but_not_the_widget() -> None:
    names = preload_modules(REPO)
    assert {"pyapp", "pyapp.client", "pyapp.browser", "pyapp.ui.index_page"} <= set(names)
    assert "pyapp.ui.widget" not in names
    assert "random" in names  # re-seeded by the page after every restore


def test_live_snapshot_serves_only_a_snapshot_of_the_pyapp_being_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    served = {"zip": b"pyapp v1"}
    digests = {b"pyapp v1": "d1", b"pyapp v2": "d2"}
    monkeypatch.setattr(fast_start, "inputs_digest", lambda repo, zip_bytes: digests[zip_bytes])
    builds: list[bytes] = []

    def build(repo: Path, zip_bytes: bytes) -> dict[str, list[str]]:
        builds.append(zip_bytes)
        (repo / SNAPSHOT_NAME).write_bytes(
            gzip_with_comment(b"heap " + zip_bytes, b"speckle-fast-start:" +
                              digests[zip_bytes].encode()))
        return {}

    monkeypatch.setattr(fast_start, "build_snapshot", build)
    (tmp_path / SNAPSHOT_NAME).write_bytes(gzip_with_comment(b"heap pyapp v1",
                                                             b"speckle-fast-start:d1"))
    live = LiveSnapshot(lambda: served["zip"], tmp_path)
    current = live()
    assert current is not None and gzip.decompress(current) == b"heap pyapp v1"

    served["zip"] = b"pyapp v2"  # pyapp edited: the old snapshot must not be served
    assert live() is None
    assert live._building is not None
    live._building.join(timeout=10)
    assert builds == [b"pyapp v2"]
    rebuilt = live()
    assert rebuilt is not None and gzip.decompress(rebuilt) == b"heap pyapp v2"
