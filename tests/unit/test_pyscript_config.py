"""The PyScript config ships pyapp as one zip and never lets PyScript reach a CDN."""

import io
import tomllib
import zipfile
from pathlib import Path

from devtools.pyapp_zip import pyapp_zip_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_pyapp_ships_as_one_zip_unpacked_into_the_working_directory() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["files"]["./pyapp.zip"] == "./*"
    assert not [k for k in config["files"] if k.endswith(".py")]  # one request, not one a module


def test_the_zip_holds_every_module_unchanged() -> None:
    archive = zipfile.ZipFile(io.BytesIO(pyapp_zip_bytes(ROOT)))
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pyapp").rglob("*.py")}
    assert set(archive.namelist()) == modules
    for name in modules:
        assert archive.read(name) == (ROOT / name).read_bytes()


def test_the_zip_is_byte_for_byte_reproducible() -> None:
    # Stable bytes keep the ETag stable, so a returning visitor revalidates instead of
    # downloading again.
    assert pyapp_zip_bytes(ROOT) == pyapp_zip_bytes(ROOT)


def test_interpreter_is_self_hosted() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["interpreter"] == "./runtime/pyodide/pyodide.mjs"
    assert "packages" not in config  # packages would make PyScript fetch micropip
