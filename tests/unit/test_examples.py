"""The examples' PyScript configs ship what the examples import, from the self-hosted runtime."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/pyscript.toml"))
# Page controllers of the app itself; examples do not need them.
APP_PAGES = {"pyapp/ui/index_page.py", "pyapp/ui/callback_page.py"}


def expand(source: str, templates: dict[str, str]) -> str:
    for name, value in templates.items():
        source = source.replace(name, value)
    return source


def test_there_are_examples() -> None:
    assert {p.parent.name for p in EXAMPLES} >= {"embed", "projects"}


@pytest.mark.parametrize("config_path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_config_lists_pyapp_and_existing_files(config_path: Path) -> None:
    config = tomllib.loads(config_path.read_text())
    assert config["interpreter"] == "../../runtime/pyodide/pyodide.mjs"
    assert "packages" not in config  # would make PyScript fetch micropip
    files: dict[str, str] = config["files"]
    # PyScript templates: a key that is only "{NAME}" defines NAME for the other keys.
    templates = {k: v for k, v in files.items() if re.fullmatch(r"\{[^{}]+\}", k)}
    listed = {expand(src, templates): dest for src, dest in files.items() if src not in templates}
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "pyapp").rglob("*.py")}
    shipped = {dest.removeprefix("./") for dest in listed.values()}
    assert modules - APP_PAGES <= shipped, f"missing: {sorted(modules - APP_PAGES - shipped)}"
    page_dir = config_path.parent
    for source in listed:
        assert (page_dir / source).resolve().exists(), source


def test_only_the_api_example_loads_pyodide_http() -> None:
    main = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert not any("pyodide_http" in src for src in main["files"])
    api = tomllib.loads((ROOT / "examples/projects/pyscript.toml").read_text())
    assert any("pyodide_http" in src for src in api["files"])
