"""The PyScript config ships pyapp as one zip and never lets PyScript reach a CDN."""

import io
import tomllib
import zipfile
from pathlib import Path

from devtools.pyapp_zip import WIDGET_ZIP_NAME, ZIP_NAME, LiveZip, pyapp_zip_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_pyapp_ships_as_one_zip_unpacked_into_the_working_directory() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["files"]["./pyapp.zip"] == "./*"
    assert not [k for k in config["files"] if k.endswith(".py")]  # one request, not one a module


def _archive(name: str) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(pyapp_zip_bytes(ROOT, name)))


def test_the_two_zips_hold_every_module_once_as_written() -> None:
    core, widget = _archive(ZIP_NAME), _archive(WIDGET_ZIP_NAME)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pyapp").rglob("*.py")
               if "__pycache__" not in p.parts}
    assert widget.namelist() == ["pyapp/ui/widget.py"]
    assert set(core.namelist()) == modules - {"pyapp/ui/widget.py"}
    for archive in (core, widget):
        for name in archive.namelist():
            # As written: docstrings for help() in the page, tracebacks that match the source.
            assert archive.read(name) == (ROOT / name).read_bytes()


def test_the_pages_do_not_download_the_widget() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert "./pyapp-widget.zip" not in config["files"]
    embed = tomllib.loads((ROOT / "examples/embed/pyscript.toml").read_text())
    assert embed["files"]["../../pyapp-widget.zip"] == "./*"


def test_the_zips_are_byte_for_byte_reproducible() -> None:
    # Stable bytes keep the ETag stable, so a returning visitor revalidates instead of
    # downloading again.
    for name in (ZIP_NAME, WIDGET_ZIP_NAME):
        assert pyapp_zip_bytes(ROOT, name) == pyapp_zip_bytes(ROOT, name)


def test_interpreter_is_self_hosted() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["interpreter"] == "./fast-start.mjs"
    assert "packages" not in config  # packages would make PyScript fetch micropip
    # The wrapper loads Pyodide, and everything else, from next to itself: never a CDN.
    wrapper = (ROOT / "fast-start.mjs").read_text()
    assert 'import("./runtime/pyodide/pyodide.mjs")' in wrapper
    assert "http:" not in wrapper and "https:" not in wrapper


def test_the_dev_servers_zip_follows_edits(tmp_path: Path) -> None:
    module = tmp_path / "pyapp" / "ui" / "page.py"
    module.parent.mkdir(parents=True)
    module.write_text('"""Doc."""\nVALUE = 1\n')
    live = LiveZip(ZIP_NAME, tmp_path)
    first = live()
    assert live() is first  # unchanged sources: no rebuild
    module.write_text('"""Doc."""\nVALUE = 22\n')
    second = live()
    assert zipfile.ZipFile(io.BytesIO(second)).read("pyapp/ui/page.py") == (
        b'"""Doc."""\nVALUE = 22\n')
    (module.parent / "extra.py").write_text("X = 1\n")
    assert "pyapp/ui/extra.py" in zipfile.ZipFile(io.BytesIO(live())).namelist()
