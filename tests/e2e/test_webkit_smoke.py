"""The login in WebKit (WebKitGTK's MiniBrowser, the engine of Safari), against the mock.

A smoke test only: log in through the consent page, see the profile, log out, with nothing
left behind; and log in through a popup, the page never leaving. It uses
``tests/e2e/webkit.py`` (WebKit's own WebDriver under Xvfb) instead of Playwright, whose
WebKit build cannot be installed here; that driver has no console access, so unlike the
other browser tests these cannot check the console.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from pyapp.stores import NAMESPACE, SESSION_KEY
from tests.e2e.conftest import app_config
from tests.e2e.webkit import WebKitDriver, WebKitSession, start_xvfb

pytestmark = pytest.mark.webkit
T = TypeVar("T")

# Everything of ours in both storages, as one object.
OUR_KEYS = f"""Object.fromEntries([...Object.entries(sessionStorage),
                                   ...Object.entries(localStorage)]
                                  .filter(([k]) => k.startsWith("{NAMESPACE}")))"""


@pytest.fixture(scope="module")
def webkit_driver() -> Iterator[WebKitDriver]:
    xvfb, display = start_xvfb()
    try:
        driver = WebKitDriver.start(display)
        try:
            yield driver
        finally:
            driver.stop()
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)


@pytest.fixture
def webkit(webkit_driver: WebKitDriver) -> Iterator[WebKitSession]:
    session = webkit_driver.new_session()
    try:
        yield session
    finally:
        session.close()


def test_webkit_logs_in_and_out(
    webkit: WebKitSession, app_site: StaticServer, mock: MockSpeckle
) -> None:
    index = app_site.url + "index.html"
    webkit.goto(index)
    agent = webkit.wait_for(index, "document.body.dataset.state === 'signed-out' "
                                   "&& !document.getElementById('login').disabled "
                                   "&& navigator.userAgent")
    assert "AppleWebKit" in agent and "Chrome" not in agent and "Firefox" not in agent

    webkit.click("#login")
    webkit.wait_for(mock.url + "/authn/verify/demo-app/",
                    "document.querySelector('button[value=authorize]')")
    webkit.click("button[value=authorize]")
    name = webkit.wait_for(index, "document.body.dataset.state === 'signed-in' "
                                  "&& document.getElementById('user-name').textContent")
    assert name == "Ada Lovelace"
    assert webkit.wait_for(index, "document.querySelectorAll('#projects li').length") == 25

    href, keys = webkit.run(f"return [location.href, {OUR_KEYS}];")
    assert href == index  # the access code is gone from the address bar
    assert list(keys) == [SESSION_KEY]  # the session only: the transaction was taken
    assert [r.path for r in mock.token_exchanges()] == ["/oauth/token"]

    webkit.click("#logout")
    webkit.wait_for(index, "document.body.dataset.state === 'signed-out'")
    assert webkit.run(f"return {OUR_KEYS};") == {}
    # The token is revoked after the page has signed out (best effort): wait for it.
    webkit.wait_for(index, "!document.getElementById('login').disabled")
    logouts = wait_until(lambda: [r for r in mock.requests
                                  if (r.method, r.path) == ("POST", "/auth/logout")])
    assert len(logouts) == 1 and logouts[0].status == 200


def wait_until(read: Callable[[], list[T]], timeout_s: float = 30) -> list[T]:
    """``read()`` once it is not empty (the mock's log fills from another thread)."""
    deadline = time.monotonic() + timeout_s
    while not (seen := read()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return seen


def test_webkit_logs_in_through_a_popup(
    webkit: WebKitSession, serve_site: Callable[..., StaticServer], mock: MockSpeckle
) -> None:
    site = serve_site(overrides={"config.json": app_config(mock.url, loginMode="popup")})
    mock.apps["demo-app"].redirect_url = f"{site.url}callback.html"
    index = site.url + "index.html"
    webkit.goto(index)
    webkit.wait_for(index, "document.body.dataset.state === 'signed-out' "
                           "&& !document.getElementById('login').disabled")
    webkit.run("window.__same_document = true;")  # gone if the page reloads or navigates
    opener = webkit.window()

    webkit.click("#login")
    popup = wait_until(lambda: [h for h in webkit.windows() if h != opener])[0]
    webkit.switch_to(popup)
    webkit.wait_for(mock.url + "/authn/verify/demo-app/",
                    "document.querySelector('button[value=authorize]')")
    webkit.click("button[value=authorize]")
    assert wait_until(lambda: [] if popup in webkit.windows() else [True])  # it closed itself

    webkit.switch_to(opener)
    name = webkit.wait_for(index, "document.body.dataset.state === 'signed-in' "
                                  "&& document.getElementById('user-name').textContent")
    assert name == "Ada Lovelace"
    assert webkit.run("return window.__same_document;") is True
    assert list(webkit.run(f"return {OUR_KEYS};")) == [SESSION_KEY]
    assert [r.path for r in mock.token_exchanges()] == ["/oauth/token"]
