"""The self-hosted runtime works end to end in Chromium, with nothing fetched from elsewhere.

``tests/e2e/pages/bare.html`` boots Pyodide from ``runtime/`` through PyScript, imports the
pyodide-http wheel that the PyScript config unpacks (no micropip) and reads a file of the site
through patched ``urllib``. If this fails, every other browser test would fail for the same
reason, so it is the first thing to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import BrowserContext, Page, expect

from devtools.static_server import StaticServer

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

BARE_PAGE = "tests/e2e/pages/bare.html"
READY = re.compile(r"^ready: Python 3\.\d+\.\d+, pyodide_http 0\.2\.2, urllib fetched=True$")


def _open_bare_page(page: Page, base_url: str) -> None:
    page.goto(base_url + BARE_PAGE)
    expect(page.locator("#status")).to_have_text(READY)


def _failed(requests: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return [r for r in requests if r[2] >= 400]


def test_bare_page_boots_python_from_the_self_hosted_runtime(
    page: Page, site: StaticServer, page_guard: PageGuard
) -> None:
    _open_bare_page(page, site.url)
    page_guard.assert_clean()

    fetched = {path.split("?", 1)[0] for _, path, _ in site.requests}
    assert "/runtime/pyodide/pyodide.asm.wasm" in fetched
    assert "/runtime/wheels/pyodide_http-0.2.2-py3-none-any.whl" in fetched
    assert _failed(site.requests) == []


def test_runtime_loads_with_relative_urls_under_a_deep_prefix(
    page: Page, serve_site: Callable[..., StaticServer], page_guard: PageGuard
) -> None:
    # Like a host that puts the site under a subpath: an absolute URL in the pages would 404.
    server = serve_site(prefix="/some/deep/path/")
    _open_bare_page(page, server.url)
    page_guard.assert_clean()

    assert server.requests
    assert [r for r in server.requests if not r[1].startswith("/some/deep/path/")] == []
    assert _failed(server.requests) == []


def test_a_second_visit_downloads_nothing_it_already_has(
    persistent_context: Callable[[], BrowserContext],
    serve_site: Callable[..., StaticServer],
    page_guard: PageGuard,
) -> None:
    server = serve_site()
    ctx = persistent_context()
    page_guard.watch(ctx)
    page = ctx.new_page()

    _open_bare_page(page, server.url)
    first_visit = len(server.requests)
    _open_bare_page(page, server.url)
    page_guard.assert_clean()

    second = server.requests[first_visit:]
    # The site's own files are revalidated (304, no body); the runtime comes from the cache
    # without a request at all.
    assert second, "the second visit made no request at all"
    assert [r for r in second if r[2] != 304] == []
    assert [r for r in second if "/runtime/" in r[1]] == []
