"""The drop-in widget fits the site around it: it reads well in a dark header and a light one,
in both colour schemes, in every state; it speaks German when the page does, leaving no
English behind; its targets are finger-sized on a touch screen; and a site's mark shows in
the button without changing its name.

Contrast is measured by axe-core's ``color-contrast`` rule (WCAG AA), inside the widget's
Shadow DOM. Each state is also photographed at 1280×800 and 390×844, light and dark, into
``test-results/look/`` (artifacts of the run, never committed), with the contrast figures
in ``test-results/look/contrast.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Page, expect

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.words import ENGLISH
from tests.e2e.app_page import AppPage
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import REPO_ROOT

if TYPE_CHECKING:
    from tests.e2e.conftest import PageGuard

EMBED = "examples/embed/"
ARTIFACTS = REPO_ROOT / "test-results" / "look"
HEADERS = {
    # A site's usual place for a sign-in control: its header, dark or light.
    "dark": "background: #111827; color: #f3f4f6;",
    "light": "background: #f8fafc; color: #1f2937;",
}
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def host_page(header_style: str, *, lang: str = "en", widget_attributes: str = "",
              inside_widget: str = "") -> bytes:
    """A site's page with the widget in its header (beside the embed example's files)."""
    return f"""<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Acme Studio</title>
  <link rel="icon" href="data:,">
  <style>
    body {{ margin: 0; font-family: Georgia, serif; background: #fff; color: #222; }}
    header {{ display: flex; justify-content: space-between; align-items: center; gap: 1rem;
              padding: .75rem 1rem; {header_style} }}
    h1 {{ margin: 0; font-size: 1.5rem; }}
    main {{ padding: 1rem; }}
  </style>
  <script defer src="../../loading.js"></script>
  <script type="module" src="../../runtime/pyscript/core.js"></script>
</head>
<body>
  <header>
    <h1>Acme Studio</h1>
    <div id="speckle-login" data-config="config.json" data-state="loading"
         {widget_attributes}>{inside_widget}</div>
  </header>
  <main><p>Our portfolio of buildings.</p></main>
  <script type="py" config="./pyscript.toml">
from pyapp import mount
await mount("#speckle-login")
  </script>
</body>
</html>
""".encode()


@pytest.fixture
def add_page(app_site: StaticServer) -> Iterator[Any]:
    """Serve extra pages on the app site for one test (its snapshot is already seeded)."""
    added: list[str] = []

    def add(path: str, body: bytes) -> str:
        app_site.overrides[path] = body
        added.append(path)
        return app_site.url + path

    yield add
    for path in added:
        app_site.overrides.pop(path, None)


def widget_state(page: Page, state: str) -> None:
    expect(page.locator("#speckle-login")).to_have_attribute("data-state", state)


def contrast_in_widget(page: Page) -> dict[str, Any]:
    """axe's color-contrast rule on the page, as measured for the widget's text."""
    axe_js = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_js.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: "rule", values: ["color-contrast"]}});
        // A node in a shadow root is targeted as [[host selector, selector inside]].
        const inWidget = (n) => Array.isArray(n.target[0]) && n.target[0][0] === "#speckle-login";
        const pick = (list) => list.flatMap(rule => rule.nodes).filter(inWidget).map(n => ({
            target: n.target[0].join(" >>> "),
            ratio: (n.any[0] && n.any[0].data && n.any[0].data.contrastRatio) || null,
            expected: (n.any[0] && n.any[0].data && n.any[0].data.expectedContrastRatio) || null,
        }));
        return {passes: pick(r.passes), violations: pick(r.violations),
                incomplete: pick(r.incomplete)};
    }""")
    return result


@pytest.mark.chromium_only(reason="Firefox over WebDriver BiDi ignores colour-scheme emulation")
@pytest.mark.parametrize("header", ["dark", "light"])
def test_the_widget_reads_well_in_a_dark_or_light_header_in_both_schemes_and_every_state(
    header: str, page: Page, app_site: StaticServer, mock: MockSpeckle, add_page: Any,
    page_guard: PageGuard,
) -> None:
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    url = add_page(f"{EMBED}{header}-header.html", host_page(HEADERS[header]))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    engine = page.context.browser.browser_type.name if page.context.browser else "browser"
    figures: dict[str, Any] = {}

    def check(state: str) -> None:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
            where = f"{engine}: {header} header, {scheme} scheme, {state}"
            measured = contrast_in_widget(page)
            assert measured["violations"] == [], f"{where}: {measured['violations']}"
            assert measured["incomplete"] == [], f"{where}: axe could not measure " \
                f"{measured['incomplete']}"
            assert measured["passes"], f"{where}: no text of the widget was measured"
            figures[where] = sorted({round(n["ratio"], 2) for n in measured["passes"]})
            assert_accessible(page, where)
            for name, (width, height) in VIEWPORTS.items():
                page.set_viewport_size({"width": width, "height": height})
                # The site's title keeps its one line beside the widget on a wide screen.
                if name == "desktop":
                    title = page.locator("h1").bounding_box()
                    assert title is not None and title["height"] < 40, where
                page.screenshot(
                    path=ARTIFACTS / f"{engine}-{header}-header-{state}-{scheme}-{name}.png")
            page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(url)
    widget_state(page, "signed-out")
    check("signed-out")

    login = page.get_by_role("button", name="Log in with Speckle")
    with page.expect_popup() as opened:
        login.click()
    popup = opened.value
    widget_state(page, "waiting")
    check("waiting")
    with popup.expect_event("close"):
        popup.get_by_role("button", name="Deny").click()
    expect(page.locator("#speckle-login").get_by_role("status")).to_contain_text(
        "You declined access")
    check("declined")

    mock.faults["/oauth/token"] = "500"  # Speckle fails the sign-in: an error, in red
    with page.expect_popup() as opened:
        login.click()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Authorize").click()
    expect(page.locator("#speckle-login").get_by_role("alert")).to_contain_text(
        "Speckle is having a problem")
    check("error")

    del mock.faults["/oauth/token"]
    with page.expect_popup() as opened:
        login.click()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Authorize").click()
    widget_state(page, "signed-in")
    check("signed-in")

    record = ARTIFACTS / "contrast.json"
    known = json.loads(record.read_text()) if record.exists() else {}
    record.write_text(json.dumps({**known, **figures}, indent=2, ensure_ascii=False))
    page_guard.assert_clean(allow_console=(r"500 \(Internal Server Error\)",))


# Visitor-facing English that must be gone once the page speaks German: every text of the
# word table a signed-out, waiting and signed-in widget can show.
def english_left(text: str) -> list[str]:
    shown = [ENGLISH[key] for key in ("login-button", "logout-button", "cancel-button",
                                      "popup-wait", "declined-title", "declined-detail")]
    return [phrase for phrase in shown if phrase in text]


def test_a_german_page_gets_a_german_widget_with_no_english_left(
    page: Page, app_site: StaticServer, mock: MockSpeckle, add_page: Any,
    page_guard: PageGuard,
) -> None:
    mock.apps["demo-app"].redirect_url = f"{app_site.url}{EMBED}callback.html"
    url = add_page(f"{EMBED}german.html", host_page(HEADERS["light"], lang="de"))
    widget = page.locator("#speckle-login")

    def visible_text() -> str:
        text: str = widget.evaluate("w => w.shadowRoot.textContent")
        return re.sub(r"\s+", " ", text)

    page.goto(url)
    widget_state(page, "signed-out")
    login = page.get_by_role("button", name="Mit Speckle anmelden")
    expect(login).to_be_visible()
    assert widget.evaluate("w => w.shadowRoot.querySelector('.box').lang") == "de"
    with page.expect_popup() as opened:
        login.click()
    widget_state(page, "waiting")
    assert "Melden Sie sich im Speckle-Fenster weiter an." in visible_text()
    assert page.get_by_role("button", name="Abbrechen").is_visible()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Deny").click()
    expect(widget.get_by_role("status")).to_contain_text("Sie haben den Zugriff abgelehnt")
    assert english_left(visible_text()) == []
    with page.expect_popup() as opened:
        login.click()
    with opened.value.expect_event("close"):
        opened.value.get_by_role("button", name="Authorize").click()
    widget_state(page, "signed-in")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    assert english_left(visible_text()) == []
    page_guard.assert_clean()


def test_a_sites_own_words_and_language_setting_win_and_a_bad_key_is_reported(
    page: Page, app_site: StaticServer, add_page: Any, page_guard: PageGuard,
) -> None:
    # The page is English, the widget is told to speak German, and one text is the site's.
    url = add_page(f"{EMBED}own-words.html", host_page(
        HEADERS["light"], widget_attributes='data-language="de" '
        'data-word-login-button="Anmelden" data-word-log-in="typo"'))
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(url)
    widget_state(page, "signed-out")
    expect(page.get_by_role("button", name="Anmelden", exact=True)).to_be_visible()
    assert any("“log-in” is not a word key" in w for w in warnings), warnings
    page_guard.assert_clean()


def test_a_german_app_page_is_german_from_the_first_paint_to_the_signed_in_view(
    page: Page, app_site: StaticServer, mock: MockSpeckle, add_page: Any,
    page_guard: PageGuard,
) -> None:
    # loading.js words the page's own HTML before Python runs; Python words the rest.
    html = (REPO_ROOT / "index.html").read_text(encoding="utf-8").replace(
        '<html lang="en">', '<html lang="de">')
    url = add_page("index-de.html", html.encode())
    page.add_init_script("""
        document.addEventListener("DOMContentLoaded", () => {
          const button = document.getElementById("login");  // (not on Speckle's pages)
          if (button) window.firstLabel = button.textContent;
        });""")
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
    assert page.evaluate("window.firstLabel") == "Mit Speckle anmelden"
    expect(page.get_by_role("button", name="Mit Speckle anmelden")).to_be_enabled()
    expect(page.get_by_text("Auf diesem Gerät angemeldet bleiben")).to_be_visible()
    assert english_on_the_page(page) == []
    # Signed in: the view, its projects and their details, worded in German too.
    mock.apps["demo-app"].redirect_url = f"{app_site.url}callback.html"
    page.get_by_role("button", name="Mit Speckle anmelden").click()
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(url)  # the callback returns to where the login started
    expect(page.locator("body")).to_have_attribute("data-state", "signed-in")
    expect(page.get_by_role("button", name="Mehr laden")).to_be_visible()
    assert english_on_the_page(page) == []
    page.get_by_role("button", name="Abmelden").click()
    expect(page.locator("#notice")).to_have_text("Sie sind abgemeldet.")
    page_guard.assert_clean()


def english_on_the_page(page: Page) -> list[str]:
    """The word table's English texts (those without values) that the page shows."""
    shown: str = page.locator("main").inner_text()
    return [text for key, text in ENGLISH.items()
            if "{" not in text and len(text) > 3 and text in shown
            and not key.startswith(("role-", "visibility-"))] + [
        word for word in ("updated", " of ", "owner", "private", "public") if word in shown]


@pytest.mark.chromium_only(reason="Firefox's touch emulation leaves (pointer: coarse) false")
@pytest.mark.parametrize("where", ["app page", "widget"])
def test_targets_are_finger_sized_on_a_touch_screen(
    where: str, browser: Browser, app_site: StaticServer, add_page: Any,
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    try:
        page = context.new_page()
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        if where == "widget":
            page.goto(add_page(f"{EMBED}touch.html", host_page(HEADERS["dark"])))
            widget_state(page, "signed-out")
            targets = [page.get_by_role("button", name="Log in with Speckle")]
        else:
            page.goto(app_site.url)
            expect(page.locator("body")).to_have_attribute("data-state", "signed-out")
            targets = [page.get_by_role("button", name="Log in with Speckle"),
                       page.locator("label.check")]
        for target in targets:
            box = target.bounding_box()
            assert box is not None and box["height"] >= 44 and box["width"] >= 44, box
    finally:
        context.close()


def test_a_sites_mark_shows_in_the_button_and_the_name_stays(
    page: Page, app_site: StaticServer, add_page: Any, page_guard: PageGuard,
) -> None:
    mark = ('<svg slot="mark" viewBox="0 0 10 10" aria-hidden="true"><title>Speckle</title>'
            '<rect width="10" height="10" fill="currentColor"/></svg>')
    url = add_page(f"{EMBED}mark.html", host_page(HEADERS["dark"], inside_widget=mark))
    page.goto(url)
    widget_state(page, "signed-out")
    button = page.get_by_role("button", name="Log in with Speckle", exact=True)
    expect(button).to_be_visible()
    svg = page.locator("#speckle-login svg")
    box, button_box = svg.bounding_box(), button.bounding_box()
    assert box is not None and button_box is not None
    assert box["width"] > 10 and box["height"] > 10  # shown, at the button's text size
    assert button_box["x"] < box["x"] < box["x"] + box["width"] < button_box["x"] + \
        button_box["width"]
    assert_accessible(page, "a mark in the button")
    page_guard.assert_clean()


@pytest.mark.chromium_only(reason="Firefox over WebDriver BiDi ignores colour-scheme emulation")
def test_the_app_pages_follow_the_dark_scheme_and_stay_readable(
    page: Page, app_site: StaticServer, mock: MockSpeckle, page_guard: PageGuard,
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    engine = page.context.browser.browser_type.name if page.context.browser else "browser"
    app = AppPage(page, app_site.url).open()
    root = "getComputedStyle(document.documentElement).backgroundColor"
    assert page.evaluate(root) == "rgb(244, 246, 248)"
    page.emulate_media(color_scheme="dark")
    assert page.evaluate(root) == "rgb(15, 19, 24)"
    assert_accessible(page, "app page, dark, signed out")
    page.screenshot(path=ARTIFACTS / f"{engine}-app-signed-out-dark.png")
    mock.apps["demo-app"].scopes = ["profile:read", "streams:read"]  # a banner when signed in
    app.log_in()
    expect(page.locator("#banner")).to_be_visible()
    assert_accessible(page, "app page, dark, signed in with a banner")
    page.screenshot(path=ARTIFACTS / f"{engine}-app-signed-in-dark.png", full_page=True)
    page.goto(app_site.url + "callback.html?denied=true")
    expect(page.locator("#next-action")).to_be_visible()
    assert page.evaluate(root) == "rgb(15, 19, 24)"
    assert_accessible(page, "callback page, dark, declined")
    page_guard.assert_clean()
