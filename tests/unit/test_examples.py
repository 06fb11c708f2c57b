"""The examples' PyScript configs ship what the examples import, from the self-hosted runtime."""

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/pyscript.toml"))
def test_there_are_examples() -> None:
    assert {p.parent.name for p in EXAMPLES} >= {"embed", "model", "projects"}


def test_the_projects_example_asks_for_the_whole_standard_library() -> None:
    # Its Python uses urllib.request, which the trimmed library leaves out.
    config = tomllib.loads((ROOT / "examples/projects/pyscript.toml").read_text())
    assert config["interpreter"].endswith("fast-start.mjs?stdlib=full")


@pytest.mark.parametrize("config_path", EXAMPLES, ids=lambda p: p.parent.name)
def test_example_config_ships_pyapp_and_existing_files(config_path: Path) -> None:
    config = tomllib.loads(config_path.read_text())
    # The site's fast-start wrapper around the self-hosted Pyodide (see test_pyscript_config);
    # a page whose Python needs the whole standard library asks for it by name.
    interpreter, _, query = config["interpreter"].partition("?")
    assert (config_path.parent / interpreter).resolve() == ROOT / "fast-start.mjs"
    assert query in ("", "stdlib=full")
    assert "packages" not in config  # would make PyScript fetch micropip
    files: dict[str, str] = config["files"]
    page_dir = config_path.parent
    zips = [src for src in files if src.endswith("pyapp.zip")]
    assert len(zips) == 1 and files[zips[0]] == "./*"
    # The zip is the one ./dev setup builds at the site's root (every module; see
    # test_pyscript_config), not a copy that could go stale.
    assert (page_dir / zips[0]).resolve() == ROOT / "pyapp.zip"
    for source in files:
        if source not in zips:
            assert (page_dir / source).resolve().exists(), source


def test_only_the_api_example_loads_pyodide_http() -> None:
    main = tomllib.loads((ROOT / "pyscript.toml").read_text())
    assert not any("pyodide_http" in src for src in main["files"])
    api = tomllib.loads((ROOT / "examples/projects/pyscript.toml").read_text())
    assert any("pyodide_http" in src for src in api["files"])
