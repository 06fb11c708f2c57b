"""The PyScript config ships every pyapp module and never lets PyScript reach a CDN."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_pyapp_module_is_listed_in_pyscript_toml() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    listed = {k.removeprefix("./") for k in config["files"]}
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pyapp").rglob("*.py")}
    assert modules <= listed, f"missing from pyscript.toml: {sorted(modules - listed)}"
    assert all((ROOT / path).exists() for path in listed)


def test_interpreter_is_self_hosted() -> None:
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert config["interpreter"] == "./runtime/pyodide/pyodide.mjs"
    assert "packages" not in config  # packages would make PyScript fetch micropip
