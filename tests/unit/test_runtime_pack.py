"""The compressed runtime and the trimmed standard library (devtools/runtime_pack.py,
devtools/stdlib_zip.py), on small stand-ins for Pyodide's files; no Node."""

from __future__ import annotations

import base64
import io
import json
import lzma
import zipfile
from pathlib import Path

import pytest

from devtools import runtime_pack, stdlib_zip
from devtools.runtime_pack import decoder_wasm, min_lock, pack_runtime, xz
from devtools.stdlib_zip import (
    CORE_ZIP,
    FULL_STORED_ZIP,
    FULL_ZIP,
    StdlibError,
    imported_names,
    pyscript_sources,
    split_stdlib,
    wanted_modules,
)


def test_imported_names_counts_every_absolute_import_lazy_ones_too() -> None:
    source = """
import json, os.path as p
from urllib.parse import urlsplit
from . import sibling
from .x import y
def later():
    import traceback
    from collections.abc import Mapping
"""
    assert imported_names(source) == {"json", "os.path", "urllib.parse", "traceback",
                                      "collections.abc"}


def make_full_zip(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / FULL_ZIP, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(name, f"# {name}\n")


FULL = ["json/__init__.py", "json/decoder.py", "json/tool.py", "email/__init__.py",
        "email/message.py", "os.py", "re/__init__.py", "re/_parser.py", "xml/dom/__init__.py",
        "xml/__init__.py", "xml/dom/minidom.py"]


def test_the_core_holds_the_traced_files_and_their_packages_stored(tmp_path: Path) -> None:
    make_full_zip(tmp_path / "runtime" / "pyodide", FULL)
    core, whole = split_stdlib(tmp_path, files=["json/decoder.py", "os.py",
                                                "xml/dom/minidom.py"])
    with zipfile.ZipFile(io.BytesIO(core)) as archive:
        files = {i.filename for i in archive.infolist() if not i.is_dir()}
        assert files == {"json/decoder.py", "json/__init__.py", "os.py", "xml/__init__.py",
                         "xml/dom/__init__.py", "xml/dom/minidom.py"}
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        assert archive.read("os.py") == b"# os.py\n"
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        assert sorted(archive.namelist()) == sorted(FULL)
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}


def test_a_traced_file_the_runtime_lacks_fails_the_build(tmp_path: Path) -> None:
    make_full_zip(tmp_path / "runtime" / "pyodide", FULL)
    with pytest.raises(StdlibError, match="nothere.py"):
        split_stdlib(tmp_path, files=["os.py", "nothere.py"])


def test_pyscripts_python_is_read_from_its_bundle(tmp_path: Path) -> None:
    folder = tmp_path / "runtime" / "pyscript"
    folder.mkdir(parents=True)
    sources = {"util.py": "import js,inspect\nfrom pathlib import Path\n",
               "web.py": 'from pyscript import x\nprint("a \\"quoted\\" word")\n'}
    bundle = "const files={pyscript:{" + ",".join(
        f"{json.dumps(name)}:{json.dumps(text)}" for name, text in sources.items()) + "}};"
    (folder / "core-abc123.js").write_text(bundle, "utf-8")
    assert pyscript_sources(tmp_path) == sources
    (folder / "core-abc123.js").write_text("no python here", "utf-8")
    with pytest.raises(StdlibError):
        pyscript_sources(tmp_path)


def test_wanted_modules_are_the_standard_librarys_only(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    make_full_zip(tmp_path / "runtime" / "pyodide", FULL)
    (tmp_path / "pyapp").mkdir()
    (tmp_path / "pyapp" / "mod.py").write_text(
        "import js\nimport pyapp.other\ndef f():\n    import email.message\n", "utf-8")
    monkeypatch.setattr(stdlib_zip, "pyscript_sources",
                        lambda repo: {"a.py": "import re\nimport polyscript\n"})
    monkeypatch.setattr(stdlib_zip, "ALWAYS", ("os", "json"))
    assert wanted_modules(tmp_path) == ["email.message", "json", "os", "re"]


def test_xz_files_are_standard_xz_with_crc32_and_a_small_dictionary() -> None:
    data = bytes(range(256)) * 300
    packed = xz(data)
    assert lzma.decompress(packed) == data
    assert packed[:6] == b"\xfd7zXZ\x00"
    assert packed[7] == lzma.CHECK_CRC32  # stream flags: the check the decoder verifies
    assert len(packed) < len(data) // 20
    assert xz(data) == packed  # reproducible


def test_min_lock_keeps_the_runtime_info_and_no_package() -> None:
    full = json.dumps({"info": {"python": "3.14.2", "arch": "wasm32"},
                       "packages": {"numpy": {"version": "2"}}}).encode()
    lock = json.loads(min_lock(full))
    assert lock == {"info": {"python": "3.14.2", "arch": "wasm32"}, "packages": {}}


def test_the_decoder_is_the_webassembly_the_npm_package_inlines(tmp_path: Path) -> None:
    wasm = b"\0asm\1\0\0\0 decoder"
    package = tmp_path / runtime_pack.XZ_PACKAGE
    package.parent.mkdir(parents=True)
    package.write_text('module.exports = "data:application/wasm;base64,'
                       + base64.b64encode(wasm).decode() + '";', "utf-8")
    assert decoder_wasm(tmp_path) == wasm
    package.write_text("module.exports = {};", "utf-8")
    with pytest.raises(ValueError, match="no inlined WebAssembly"):
        decoder_wasm(tmp_path)


def test_pack_writes_each_file_once_and_again_only_when_an_input_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "runtime" / "pyodide"
    folder.mkdir(parents=True)
    for name, data in (("pyodide.asm.wasm", b"\0asm wasm" * 100),
                       ("pyodide.asm.mjs", b"export default 1;" * 50),
                       ("pyodide-lock.json", b'{"info": {}, "packages": {"a": {}}}'),
                       (FULL_ZIP, b"zip")):
        (folder / name).write_bytes(data)
    (tmp_path / "runtime" / "pyscript").mkdir()
    (tmp_path / "pyapp").mkdir()
    (tmp_path / "pyapp" / "a.py").write_text("x = 1\n", "utf-8")
    (tmp_path / "devtools").mkdir()
    (tmp_path / "devtools" / "stdlib_zip.py").write_text("# recipe\n", "utf-8")
    package = tmp_path / runtime_pack.XZ_PACKAGE
    package.parent.mkdir(parents=True)
    package.write_text('"data:application/wasm;base64,AGFzbQ=="', "utf-8")
    splits: list[Path] = []

    def split(repo: Path) -> tuple[bytes, bytes]:
        splits.append(repo)
        return b"core zip", b"whole zip"

    monkeypatch.setattr(runtime_pack, "split_stdlib", split)
    logged: list[str] = []
    assert pack_runtime(tmp_path, logged.append) == 8
    assert lzma.decompress((folder / "pyodide.asm.wasm.xz").read_bytes()) == b"\0asm wasm" * 100
    assert lzma.decompress((folder / f"{CORE_ZIP}.xz").read_bytes()) == b"core zip"
    assert (folder / FULL_STORED_ZIP).read_bytes() == b"whole zip"
    assert json.loads((folder / runtime_pack.LOCK_MIN).read_bytes())["packages"] == {}
    assert (tmp_path / runtime_pack.XZ_WASM).read_bytes() == b"\0asm"
    assert pack_runtime(tmp_path, logged.append) == 0 and len(splits) == 1

    # A pyapp edit can change what the pages import: the standard library is chosen again.
    (tmp_path / "pyapp" / "a.py").write_text("import email\n", "utf-8")
    assert pack_runtime(tmp_path, logged.append) == 4  # the two zips and their .xz
    assert len(splits) == 2
    (folder / "pyodide.asm.wasm").write_bytes(b"\0asm other")
    assert pack_runtime(tmp_path, logged.append) == 1
    assert lzma.decompress((folder / "pyodide.asm.wasm.xz").read_bytes()) == b"\0asm other"
