"""How the tests and the benchmark start Firefox: Debian's ESR, offline, through Playwright.

Playwright starts ``/usr/bin/firefox-esr`` with its WebDriver BiDi remote agent
(``channel="moz-firefox"``), so no browser or driver is downloaded; the driver needs the
one-line edit of ``tools/patch_playwright.py``, which ``./dev setup`` applies.
"""

from __future__ import annotations

from typing import Any

FIREFOX = "/usr/bin/firefox-esr"

# Firefox's own background requests (updates, telemetry, safe browsing, DNS over HTTPS) are
# invisible to Playwright: send every non-loopback request to a proxy on a port that refuses
# (loopback never goes through a proxy), and switch DNS over HTTPS off.
FIREFOX_PREFS: dict[str, Any] = {
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": 9,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": 9,
    "network.trr.mode": 5,
}


def firefox_launch_args() -> dict[str, Any]:
    """Keyword arguments for ``playwright.firefox.launch`` (or a persistent context)."""
    return {"executable_path": FIREFOX, "channel": "moz-firefox",
            "firefox_user_prefs": FIREFOX_PREFS}
