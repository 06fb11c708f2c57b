"""``./dev build``'s ``dist/`` as a site owner deploys it: served by ``python -m http.server``
(a plain static server, nothing of ours) under a subpath, one login and logout.

The pages must request every file in ``dist/`` (nothing shipped for nothing) and get each
one (nothing missing); ``pyapp-widget.zip`` is there for pages that mount the widget, and the
whole standard library for pages that ask for it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from devtools.build_dist import build
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_ID, REPO_ROOT

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

SUBPATH = "team/speckle-login/"
# For pages that mount the widget, and for pages whose Python asks for the whole standard
# library (fast-start.mjs?stdlib=full).
NOT_LOADED_BY_THE_APP = {"pyapp-widget.zip", "runtime/pyodide/python_stdlib.full.zip.xz"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """``python -m http.server`` on ``tmp_path/www``; yields the folder and its URL."""
    www = tmp_path / "www"
    www.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
         "--directory", str(www)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:  # wait until it answers (a condition, not a fixed delay)
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield www, url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_dist_logs_in_under_a_subpath_of_a_plain_static_server(
    page: Page, http_server: tuple[Path, str], mock: MockSpeckle, page_guard: PageGuard,
    runtime_dir: Path,
) -> None:
    www, root_url = http_server
    site = www / SUBPATH
    # What a site owner does: name their server and app in the site's config, and build.
    config = json.loads((REPO_ROOT / "config.json").read_text(encoding="utf-8"))
    config.update(serverUrl=mock.url, appId=APP_ID)
    site_config = www.parent / "my-site.json"
    site_config.write_text(json.dumps(config), encoding="utf-8")
    files = {p.as_posix() for p in build(site, REPO_ROOT, config=site_config)}
    # The pages carry a policy naming that server; any violation fails page_guard below.
    for name in ("index.html", "callback.html"):
        html = (site / name).read_text(encoding="utf-8")
        assert f"connect-src 'self' {mock.url.rstrip('/')};" in html
    site_url = root_url + SUBPATH
    mock.apps[APP_ID].redirect_url = site_url + "callback.html"

    requested: set[str] = set()
    failed: list[str] = []
    page.on("request", lambda r: requested.add(r.url.split("?")[0]))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    app = AppPage(page, site_url).open("")
    expect(page.get_by_label("Server URL")).to_be_hidden()  # deployed as is: pinned
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    app.log_out()

    assert failed == []
    loaded = {u.removeprefix(site_url) for u in requested if u.startswith(site_url)}
    loaded = {"index.html" if u == "" else u for u in loaded}
    assert loaded == files - NOT_LOADED_BY_THE_APP
    assert "index.html" in files and "pyapp.zip" in files
    page_guard.assert_clean()
