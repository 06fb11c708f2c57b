"""``./dev build``: dist/ holds the pages, both zips and only the runtime files pages load."""

import json
from pathlib import Path

import pytest

from devtools.build_dist import PAGES, build, content_security_policy, main
from pyapp.errors import InvalidConfiguration

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_dist_has_the_site_and_leaves_out_what_no_page_loads(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    (out / "stale").mkdir(parents=True)
    files = {p.as_posix() for p in build(out, REPO_ROOT)}
    assert set(PAGES) | {"pyapp.zip", "pyapp-widget.zip"} <= files
    assert "runtime/pyodide/pyodide.asm.wasm.xz" in files and "runtime/pyscript/core.js" in files
    assert {"runtime/xz/xz-decompress.wasm", "xz-stream.mjs"} <= files
    assert "runtime/pyodide/pyodide.js" not in files  # the classic-script twin of the .mjs
    # Only the compressed runtime: the originals are never downloaded by these pages.
    for original in ("pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip",
                     "python_stdlib.core.zip", "pyodide-lock.json"):
        assert f"runtime/pyodide/{original}" not in files
    assert not [f for f in files if "codemirror" in f or "xterm" in f or "/mpy-" in f]
    assert not [f for f in files if f.startswith(("runtime/wheels", "examples", "stale"))]
    assert (out / "config.json").read_bytes() == (REPO_ROOT / "config.json").read_bytes()


def site(tmp_path: Path, **config: object) -> Path:
    path = tmp_path / "my-site.json"
    path.write_text(json.dumps({"serverUrl": "https://speckle.example.com/sub",
                                "appId": "abc", **config}), encoding="utf-8")
    return path


def test_the_pages_ship_a_policy_narrowed_to_the_configured_server(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(out, REPO_ROOT, config=site(tmp_path))
    policy = content_security_policy(json.loads((out / "config.json").read_text()))
    assert "connect-src 'self' https://speckle.example.com;" in policy
    assert "img-src 'self' data: https://speckle.example.com;" in policy
    assert "https:;" not in policy and "default-src 'none'" in policy
    for page in ("index.html", "callback.html"):
        html = (out / page).read_text(encoding="utf-8")
        meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        # Before the first script, or the policy would not govern it.
        assert meta in html and html.index(meta) < html.index("<script")


def test_a_site_whose_visitors_may_name_a_server_allows_any_https_server(
        tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(out, REPO_ROOT, config=site(tmp_path, editableSettings=True))
    assert "connect-src 'self' https://speckle.example.com https:;" in (
        out / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_keeps_the_sites_settings_and_a_bad_config_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert main(["--out", str(out), "--config", str(site(tmp_path, appSecret="s3cret"))]) == 0
    shipped = (out / "config.json").read_bytes()
    assert main(["--out", str(out)]) == 0  # no --config: the site's settings are kept
    assert (out / "config.json").read_bytes() == shipped
    printed = capsys.readouterr().out
    assert "https://speckle.example.com/sub" in printed and "s3cret" not in printed
    assert "appSecret: set" in printed

    bad = site(tmp_path, serverUrl="http://speckle.example.com")  # plain http, not loopback
    with pytest.raises(InvalidConfiguration):
        build(out, REPO_ROOT, config=bad)
    assert (out / "config.json").read_bytes() == shipped and (out / "index.html").is_file()
    assert main(["--out", str(out), "--config", str(bad)]) == 2
    assert "https://" in capsys.readouterr().err
