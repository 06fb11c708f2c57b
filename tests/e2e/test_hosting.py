"""Hosting anywhere: under a deep subpath, and behind the Content-Security-Policy ``./dev build``
ships and the documentation recommends (with ``Referrer-Policy: no-referrer`` on the callback pages
and ``Cross-Origin-Opener-Policy: same-origin-allow-popups``).

The site uses relative URLs only, so a static host that puts it under ``/some/deep/path/``
must just work; the CSP below is the one documented for site owners, and every page
(the app, its callback, the examples) must run under it without a single violation, sent
as a header or, for hosts that cannot set headers, written in the pages' ``<meta>``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from playwright.sync_api import BrowserContext, Page, Response, expect

from devtools import build_dist
from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from tests.e2e.app_page import AppPage
from tests.e2e.conftest import APP_ID, REPO_ROOT, app_config
from tests.e2e.model_page import link_to_building

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

DEEP = "/some/deep/path/"


def content_security_policy(speckle_origin: str, *, header: bool = True) -> str:
    """The policy ``./dev build`` writes into the pages for a site whose users sign in to
    ``speckle_origin``, and, as a header, with ``frame-ancestors 'none'`` (which browsers
    ignore in a ``<meta>``), as docs/owners/headers.md asks of hosts that can set headers."""
    policy = build_dist.content_security_policy({"serverUrl": speckle_origin, "appId": APP_ID})
    return policy + "; frame-ancestors 'none'" if header else policy


# What the documentation asks hosts that can set headers to send with the pages: the popup keeps
# its link to the page, which cuts it itself.
OPENER_POLICY = {"Cross-Origin-Opener-Policy": "same-origin-allow-popups"}


def callback_headers(rel: str) -> Mapping[str, str] | None:
    """``Referrer-Policy: no-referrer`` on every callback page (the app's and the example's)."""
    return {"Referrer-Policy": "no-referrer"} if rel.endswith("callback.html") else None


def test_whole_site_logs_in_and_out_under_a_deep_subpath(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    server = serve_site(prefix=DEEP, overrides={"config.json": app_config(mock.url)})
    assert server.url.endswith(DEEP)
    mock.apps["demo-app"].redirect_url = f"{server.url}callback.html"

    app = AppPage(page, server.url).open("")
    app.log_in()
    assert page.url == server.url
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    app.log_out()

    assert [r for r in server.requests if not r[1].startswith(DEEP)] == []
    assert [r for r in server.requests if r[2] >= 400] == []
    page_guard.assert_clean()


def test_every_page_works_under_the_documented_csp(
    page: Page, context: BrowserContext, serve_site: Callable[..., StaticServer],
    mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    server = serve_site(
        overrides={"config.json": app_config(mock.url)},
        extra_headers={"Content-Security-Policy": content_security_policy(mock.url),
                       **OPENER_POLICY},
        per_path_headers=callback_headers,
    )
    mock.apps["demo-app"].redirect_url = f"{server.url}callback.html"
    callbacks: list[Response] = []
    context.on("response", lambda r: callbacks.append(r) if "callback.html" in r.url else None)

    # The API example: a popup login (callback.html hands the answer back), fetch, and
    # synchronous XHR (urllib).
    example = AppPage(page, server.url).open("examples/projects/index.html")
    example.authorize_in(example.open_popup())
    example.wait_for("signed-in")
    expect(page.locator("#projects li")).to_have_count(25)
    expect(page.locator("#sync-check")).to_contain_text("ada@example.org")
    assert callbacks and all(
        r.headers.get("referrer-policy") == "no-referrer"
        and "wasm-unsafe-eval" in r.headers.get("content-security-policy", "")
        for r in callbacks)

    # The app, signed in by the same tab's session.
    AppPage(page, server.url).open("index.html", state="signed-in")
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")

    # The model example: its Python from a file, the objects streamed from the server.
    AppPage(page, server.url).open(link_to_building(mock), state="model-loaded")
    expect(page.locator("#types tbody tr")).to_have_count(10)

    # The drop-in widget: its constructed stylesheet is allowed by style-src 'self'.
    page.goto(server.url + "examples/embed/")
    widget = page.locator("#speckle-login")
    expect(widget).to_have_attribute("data-state", "signed-in")
    log_out = page.get_by_role("button", name="Log out")
    assert log_out.evaluate("b => getComputedStyle(b).borderTopLeftRadius") == "6px"
    log_out.click()
    expect(widget).to_have_attribute("data-state", "signed-out")
    page_guard.assert_clean()


def test_the_app_works_with_the_policy_in_a_meta_tag(
    page: Page, serve_site: Callable[..., StaticServer], mock: MockSpeckle,
    page_guard: PageGuard,
) -> None:
    # GitHub Pages cannot set headers; the documentation's fallback is the same policy in each
    # page's <meta>, less frame-ancestors (which browsers ignore there).
    policy = content_security_policy(mock.url, header=False)
    assert "frame-ancestors" not in policy
    pages = {name: build_dist.with_policy((REPO_ROOT / name).read_text(encoding="utf-8"),
                                          policy).encode()
             for name in ("index.html", "callback.html")}
    server = serve_site(overrides={"config.json": app_config(mock.url), **pages})
    mock.apps["demo-app"].redirect_url = f"{server.url}callback.html"

    app = AppPage(page, server.url).open()
    app.log_in()
    expect(page.locator("#user-name")).to_have_text("Ada Lovelace")
    # The policy is in force: a connection it does not list is refused.
    violated = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation",
                                  e => resolve(e.effectiveDirective), {once: true});
        fetch("http://localhost:9/").catch(() => {});
    })""")
    assert violated == "connect-src"
    app.log_out()
    page_guard.assert_clean(allow_console=(r"http://localhost:9/",))  # the provoked refusal
