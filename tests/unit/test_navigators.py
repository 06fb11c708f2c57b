"""The navigators on their own: a popup's window from the click to its answer, and a
redirect that leaves the page (``pyapp.navigators``)."""

from __future__ import annotations

import asyncio

import pytest

from pyapp.errors import LoginCancelled
from pyapp.navigators import PopupNavigator, RedirectNavigator
from pyapp.popup import MESSAGE_TYPE
from tests.unit.fakes import FakePopups, FakeWindow

PAGE = "https://site.example/app/"
CALLBACK = "https://site.example/callback.html?access_code=abc"
AUTHORIZE = "https://speckle.example/authn/verify/app/challenge"


async def authorize_url() -> str:
    return AUTHORIZE


def navigator(window: FakeWindow | None = None) -> tuple[PopupNavigator, FakePopups, list[str]]:
    """A navigator, its windows, and what it told its client: ``discard`` (a login ended
    without an answer) or ``late <id> <url>`` (an answer after an early close)."""
    popups = FakePopups(window)
    told: list[str] = []
    nav = PopupNavigator(popups, on_cancel=lambda: told.append("discard"),
                         on_late_answer=lambda login, url: told.append(f"late {login} {url}"))
    return nav, popups, told


def test_the_answer_is_the_callback_url_and_the_window_and_channel_close() -> None:
    nav, popups, cancelled = navigator()
    pending = nav.open("id1")
    assert pending is not None and nav.pending is pending
    popups.window.on_navigate = lambda url: popups.send(
        {"type": MESSAGE_TYPE, "login": "id1", "url": CALLBACK}, "https://site.example")
    assert asyncio.run(nav.navigate(pending, authorize_url, PAGE)) == CALLBACK
    assert popups.window.urls == [AUTHORIZE] and popups.listened_for == ["id1"]
    assert popups.window.closed_by_page and popups.handlers == []
    assert nav.pending is None and cancelled == []


def test_a_window_closed_on_speckles_page_cancels_within_the_grace() -> None:
    nav, popups, cancelled = navigator(FakeWindow("away", "closed"))
    pending = nav.open("id1")
    assert pending is not None
    with pytest.raises(LoginCancelled):
        asyncio.run(nav.navigate(pending, authorize_url, PAGE))
    assert cancelled == ["discard"] and nav.pending is None and popups.handlers == []


def test_opening_again_cancels_the_pending_login_first() -> None:
    nav, popups, cancelled = navigator()
    first = nav.open("id1")
    second = nav.open("id2")
    assert first is not None and second is not None and nav.pending is second
    assert cancelled == ["discard"] and popups.opened == ["id1", "id2"]
    with pytest.raises(LoginCancelled):  # the replaced one never navigates
        asyncio.run(nav.navigate(first, authorize_url, PAGE))
    assert popups.window.urls == []


def test_a_blocked_window_gives_nothing_and_cancel_without_a_login_does_nothing() -> None:
    nav, popups, cancelled = navigator()
    popups.blocked = True
    assert nav.open("id1") is None and nav.pending is None
    nav.cancel()
    assert cancelled == []


def test_a_message_for_another_login_or_origin_is_ignored() -> None:
    nav, popups, _ = navigator(FakeWindow("away"))
    pending = nav.open("id1")
    assert pending is not None

    def answers(url: str) -> None:
        popups.send({"type": MESSAGE_TYPE, "login": "id2", "url": CALLBACK},
                    "https://site.example")
        popups.send({"type": MESSAGE_TYPE, "login": "id1", "url": CALLBACK},
                    "https://evil.example")
        asyncio.get_running_loop().call_later(0.3, nav.cancel)

    popups.window.on_navigate = answers
    with pytest.raises(LoginCancelled):
        asyncio.run(nav.navigate(pending, authorize_url, PAGE))


def test_a_redirect_leaves_the_page() -> None:
    gone: list[str] = []

    class Page:
        def go(self, url: str, replace: bool = False) -> None:
            gone.append(url)

    RedirectNavigator(Page()).navigate(AUTHORIZE)  # type: ignore[arg-type]
    assert gone == [AUTHORIZE]


def answer(popups: FakePopups, origin: str = "https://site.example") -> None:
    """The callback page of login ``id1`` answering, from ``origin``."""
    popups.send({"type": MESSAGE_TYPE, "login": "id1", "url": CALLBACK}, origin)


async def closed_before_speckle(nav: PopupNavigator) -> None:
    """Login ``id1`` in a window that reads closed before it reached Speckle: cancelled."""
    pending = nav.open("id1")
    assert pending is not None
    with pytest.raises(LoginCancelled):
        await nav.navigate(pending, authorize_url, PAGE)


def test_a_window_closed_before_speckle_answered_lingers_and_hands_its_late_answer_over(
) -> None:
    nav, popups, told = navigator(FakeWindow("home", "closed"))

    async def run() -> None:
        await closed_before_speckle(nav)
        assert told == [] and nav.pending is None and popups.window.closed_by_page
        assert nav.severing_servers == set()
        answer(popups, "https://elsewhere.example")  # not this page's origin: ignored
        answer(popups)
        answer(popups)  # the same answer on the second channel

    asyncio.run(run())
    assert told == [f"late id1 {CALLBACK}"] and popups.handlers == []
    assert nav.severing_servers == {"https://speckle.example"}
    assert popups.listened_for == ["id1", "id1"]  # the lingering login on its own channel


def test_a_message_that_reaches_a_lingering_login_after_it_ended_changes_nothing() -> None:
    # A message already on its way when the listener is removed may still be handed over.
    nav, popups, told = navigator(FakeWindow("home", "closed"))

    async def run() -> None:
        await closed_before_speckle(nav)
        late_listener = popups.handlers[-1]
        nav.cancel()
        late_listener({"type": MESSAGE_TYPE, "login": "id1", "url": CALLBACK},
                      "https://site.example")

    asyncio.run(run())
    assert told == ["discard"] and nav.severing_servers == set()


def test_cancel_ends_a_lingering_login_and_discards_its_record() -> None:
    nav, popups, told = navigator(FakeWindow("home", "closed"))

    async def run() -> None:
        await closed_before_speckle(nav)
        nav.cancel()
        nav.cancel()  # twice: nothing more to end
        answer(popups)

    asyncio.run(run())
    assert told == ["discard"] and popups.handlers == []
