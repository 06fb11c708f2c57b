"""WebKit for the smoke test: WebKitGTK's MiniBrowser under Xvfb, driven over WebDriver.

Playwright's WebKit is its own patched build, which cannot be downloaded here; Debian ships
WebKitGTK's WebDriver (``webkit2gtk-driver``: ``/usr/bin/WebKitWebDriver``) and MiniBrowser
(``libwebkit2gtk-4.1-0``), which speak classic WebDriver (JSON over HTTP). The few commands a
smoke test needs are small enough to send with ``urllib``, so nothing else is installed.

MiniBrowser needs a display: :func:`start_xvfb` starts a private X server and hands back its
number. WebKit's driver has no console access, and a read sent while a page navigates may
reach the document being left: :meth:`WebKitSession.wait_for` therefore polls a condition
that names the page it expects, and accepts it only when two reads in a row agree.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
# In the architecture's library folder (x86_64-linux-gnu, aarch64-linux-gnu, ...).
MINIBROWSERS = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))
XVFB = "/usr/bin/Xvfb"
CSS = "css selector"
POLL_S = 0.1


class WebDriverError(Exception):
    """An error answer from the driver: ``error`` is WebDriver's code (``no such element``)."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.error = error


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """A private X server and its ``DISPLAY`` (Xvfb picks a free display number)."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [XVFB, "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return server, f":{number}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class WebKitDriver:
    """A running ``WebKitWebDriver`` on a loopback port."""

    process: subprocess.Popen[bytes]
    url: str

    @classmethod
    def start(cls, display: str, timeout_s: float = 30) -> WebKitDriver:
        port = free_port()
        process = subprocess.Popen(
            [WEBKIT_DRIVER, f"--port={port}"], env={**os.environ, "DISPLAY": display},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        driver = cls(process, f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                driver.call("GET", "/status")
                return driver
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError("WebKitWebDriver did not start") from None
                time.sleep(POLL_S)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None,
             timeout_s: float = 120) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as answer:
            value = json.loads(answer.read())["value"]
            raise WebDriverError(value["error"], value.get("message", "")) from None

    def new_session(self) -> WebKitSession:
        if not MINIBROWSERS:
            raise RuntimeError("no WebKitGTK MiniBrowser: install webkit2gtk-driver (./dev)")
        capabilities = {"alwaysMatch": {
            "browserName": "MiniBrowser",
            "webkitgtk:browserOptions": {"binary": MINIBROWSERS[0], "args": ["--automation"]},
        }}
        value = self.call("POST", "/session", {"capabilities": capabilities})
        return WebKitSession(self, value["sessionId"], value["capabilities"]["browserVersion"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class WebKitSession:
    """One MiniBrowser window: navigate, run script, click, and wait for conditions."""

    driver: WebKitDriver
    id: str
    version: str

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.driver.call(method, f"/session/{self.id}{path}", body)

    def goto(self, url: str) -> None:
        self._call("POST", "/url", {"url": url})

    def run(self, script: str, *args: Any) -> Any:
        """``script`` is a function body (``return …``) run in the page, ``arguments`` = args."""
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def click(self, css: str) -> None:
        """A real click (with user activation) on the first element matching ``css``."""
        found = self._call("POST", "/element", {"using": CSS, "value": css})
        element = next(iter(found.values()))
        self._call("POST", f"/element/{element}/click", {})

    def windows(self) -> list[str]:
        """The handles of this session's open windows (a popup adds one)."""
        handles: list[str] = self._call("GET", "/window/handles")
        return handles

    def window(self) -> str:
        handle: str = self._call("GET", "/window")
        return handle

    def switch_to(self, handle: str) -> None:
        """Send the next commands to the window ``handle``."""
        self._call("POST", "/window", {"handle": handle})

    def wait_for(self, url_prefix: str, condition: str, timeout_s: float = 120) -> Any:
        """Wait until the page's address starts with ``url_prefix`` and then ``condition``
        (a JavaScript expression) is truthy there, in two reads in a row; return its value.

        A read may fail or land in the previous document while the browser navigates, so
        each one checks the address and the content together, and errors are retried until
        the deadline.
        """
        script = f"return [location.href, document.readyState, ({condition})];"
        deadline = time.monotonic() + timeout_s
        last: Any = None
        agreed: Any = None
        while time.monotonic() < deadline:
            try:
                href, ready, value = self.run(script)
                last = (href, ready, value)
            except (WebDriverError, OSError, ValueError) as error:
                last, agreed = repr(error), None
                time.sleep(POLL_S)
                continue
            if href.startswith(url_prefix) and ready != "loading" and value:
                if agreed == (href, value):
                    return value
                agreed = (href, value)
            else:
                agreed = None
            time.sleep(POLL_S)
        raise TimeoutError(f"{condition!r} at {url_prefix} not seen in {timeout_s} s; "
                           f"last read: {last!r}")

    def close(self) -> None:
        with contextlib.suppress(WebDriverError, OSError):  # the window may be gone already
            self._call("DELETE", "")
