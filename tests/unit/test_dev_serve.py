"""``./dev serve`` makes the settings form editable by what it serves, not by editing files;
the shipped ``config.json`` keeps a copied site pinned."""

import json
from pathlib import Path

from devtools.serve import site_config

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_config_does_not_make_the_settings_editable() -> None:
    shipped = json.loads((REPO_ROOT / "config.json").read_text(encoding="utf-8"))
    assert "editableSettings" not in shipped


def test_dev_serve_turns_the_form_on_in_what_it_serves_only(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"storage": "local"}', encoding="utf-8")
    served = json.loads(site_config(tmp_path, "http://127.0.0.1:8001", "documented"))
    assert served["editableSettings"] is True and served["storage"] == "local"
    assert served["serverUrl"] == "http://127.0.0.1:8001" and served["appId"] == "demo-app"
    assert json.loads((tmp_path / "config.json").read_text(encoding="utf-8")) == {
        "storage": "local"}
