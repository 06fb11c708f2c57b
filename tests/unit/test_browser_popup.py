"""``pyapp.browser.popup`` on a fake browser: how a login popup is opened, watched and heard."""

from __future__ import annotations

import types
from typing import Any

from pyapp import popup
from tests.unit.fake_browser import JSNULL, BroadcastChannel, FakeBrowser


def test_the_popup_is_opened_centred_and_only_it_keeps_the_marker(fake_browser: FakeBrowser
                                                                   ) -> None:
    from pyapp.browser.popup import BrowserPopups

    fake_browser.session_storage.setItem("other", "kept")
    window = BrowserPopups().open("login-1")
    assert window is not None
    (url, target, features, inherited), = fake_browser.window.opened
    assert (url, target) == ("", "")
    assert features == popup.popup_features(100, 50, 1300, 900)
    assert inherited is not None and popup.MARKER_KEY.startswith("speckle-login:")
    assert '"login-1"' in inherited
    assert fake_browser.session_storage.items == {"other": "kept"}  # gone from the opener


def test_the_popup_is_disowned_so_its_pages_cannot_navigate_this_tab(fake_browser: FakeBrowser
                                                                     ) -> None:
    from pyapp.browser.popup import BrowserPopups

    assert BrowserPopups().open("login-1") is not None
    # JavaScript's null: undefined (Python's None) would not cut the link.
    assert fake_browser.window.popup.opener is JSNULL


def test_a_blocked_popup_is_none(fake_browser: FakeBrowser) -> None:
    from pyapp.browser.popup import BrowserPopups

    for blocked in (None, JSNULL):
        fake_browser.window.popup = blocked
        assert BrowserPopups().open("login-1") is None
    fake_browser.window.popup = types.SimpleNamespace(closed=True)
    assert BrowserPopups().open("login-1") is None
    assert popup.MARKER_KEY not in fake_browser.session_storage.items


def test_the_popup_window_is_sent_watched_and_closed(fake_browser: FakeBrowser) -> None:
    from pyapp.browser.popup import BrowserPopups

    window = BrowserPopups().open("login-1")
    assert window is not None
    fake = fake_browser.window.popup
    window.navigate("http://127.0.0.1:8001/authn/verify/app/c")
    assert fake.location.replaced == ["http://127.0.0.1:8001/authn/verify/app/c"]
    assert window.state() == "home"
    fake.location.away = True
    assert window.state() == "away"
    window.close()  # on another site: a disowned popup may not be closed by this page
    assert fake.close_calls == 0
    fake.location.away = False
    window.close()
    window.close()
    assert window.state() == "closed" and fake.close_calls == 1


class Message:
    def __init__(self, data: Any, origin: str, convertible: bool = True) -> None:
        self.origin = origin
        self.data = types.SimpleNamespace(to_py=lambda: data) if convertible else data


def test_messages_from_the_channel_and_the_window_reach_the_handler(fake_browser: FakeBrowser
                                                                    ) -> None:
    from pyapp.browser.popup import BrowserPopups

    heard: list[tuple[object, str]] = []
    stop = BrowserPopups().listen("0123abcd" * 4,
                                  lambda data, origin: heard.append((data, origin)))
    channel, = BroadcastChannel.opened
    # Named after the login: a page that does not know the id cannot listen in.
    assert channel.name == "speckle-login:" + "0123abcd" * 4
    channel.dispatch("message", Message({"type": "a"}, "http://127.0.0.1:8000"))
    fake_browser.window.dispatch("message", Message("plain", "http://127.0.0.1:8000", False))

    def broken() -> None:
        raise ValueError("cannot convert")

    fake_browser.window.dispatch("message", types.SimpleNamespace(
        data=types.SimpleNamespace(to_py=broken), origin="http://x"))
    assert heard == [({"type": "a"}, "http://127.0.0.1:8000"),
                     ("plain", "http://127.0.0.1:8000")]
    stop()
    assert channel.closed and fake_browser.window.listeners["message"] == []
    assert all(proxy.destroyed for proxy in fake_browser.proxied)
