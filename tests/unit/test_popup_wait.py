"""How a page waits for its popup login: what it reports, and what ends the wait.

Uses the in-memory popups of ``tests.unit.fakes``; time is the event loop's own, with the
poll, grace and wait limit made short.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from pyapp import popup
from pyapp.errors import LoginCancelled
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY
from tests.unit.fakes import (
    FakeWindow,
)
from tests.unit.popup_page import PAGE, SERVER, PopupPage


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(popup, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(popup, "CLOSE_GRACE_SECONDS", 0.05)


class AnswerAfter(FakeWindow):
    """A popup that shows ``states`` and whose answer comes on its ``reads``-th look."""

    def __init__(self, page: list[PopupPage], reads: int, *states: str) -> None:
        super().__init__(*states)
        self.page, self.answer_on = page, reads

    def state(self) -> str:
        state = super().state()
        if self.reads == self.answer_on:
            asyncio.get_running_loop().call_soon(self.page[0].answer)
        return state


def page_answering_after(reads: int, *states: str) -> PopupPage:
    holder: list[PopupPage] = []
    page = PopupPage(window=AnswerAfter(holder, reads, *states))
    holder.append(page)
    return page


def test_the_page_hears_open_once_while_the_popup_shows_the_consent_page() -> None:
    page = page_answering_after(6, "home", "away")
    asyncio.run(page.client.login())
    assert page.states == ["open"]  # told once, however often the popup was looked at
    assert SESSION_KEY in page.ss.data


def test_a_popup_never_seen_away_reports_nothing() -> None:
    page = page_answering_after(3, "home")
    asyncio.run(page.client.login())
    assert page.states == [] and SESSION_KEY in page.ss.data


def test_an_answer_within_the_grace_of_an_early_close_signs_in_and_reports_nothing() -> None:
    page = page_answering_after(4, "home", "closed")
    asyncio.run(page.client.login())
    assert page.states == [] and SESSION_KEY in page.ss.data


def test_an_unsubscribed_listener_hears_no_more_and_unsubscribing_twice_is_harmless() -> None:
    page = page_answering_after(4, "away")
    gone: list[str] = []
    unsubscribe = page.client.on_popup_state(gone.append)
    unsubscribe()
    unsubscribe()
    asyncio.run(page.client.login())
    assert gone == [] and page.states == ["open"]  # the other subscription stayed


def test_an_answer_sent_as_the_popup_closed_is_taken_within_the_grace() -> None:
    # The callback page posts its answer and closes itself: the page may see the window
    # closed first and the answer a moment later.
    page = page_answering_after(2, "away", "closed")
    asyncio.run(page.client.login())
    assert page.http.paths() == ["/oauth/token"] and SESSION_KEY in page.ss.data


def test_the_wait_limit_ends_a_login_nobody_finishes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(popup, "WAIT_LIMIT_SECONDS", 0.05)
    # Open on Speckle's page and never finished: only the limit can end the wait.
    page = PopupPage(window=FakeWindow("away"))
    with pytest.raises(LoginCancelled):
        asyncio.run(page.client.login())
    assert page.window.closed_by_page and not page.client.login_pending
    assert page.ss.data == {} and page.http.sent == []


def test_the_wait_limit_ends_the_wait_for_a_late_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(popup, "WAIT_LIMIT_SECONDS", 0.2)
    page = PopupPage(window=FakeWindow("home", "closed"))

    async def run() -> None:
        with pytest.raises(LoginCancelled):
            await page.client.login()
        assert TRANSACTION_KEY in page.ss.data and page.popups.handlers
        for _ in range(1000):  # the limit is 20 of these sleeps
            if TRANSACTION_KEY not in page.ss.data:
                break
            await asyncio.sleep(0.01)
        page.answer()  # too late: nobody listens, nothing is exchanged

    asyncio.run(run())
    assert page.popups.handlers == [] and page.ss.data == {} and page.http.sent == []


def test_a_login_cancelled_before_it_began_waiting_ends_cancelled() -> None:
    page = PopupPage(window=FakeWindow("away"))

    async def run() -> None:
        login = page.client.login()
        page.client.cancel_login()  # e.g. the visitor pressed Cancel at once
        with pytest.raises(LoginCancelled):
            await login

    asyncio.run(run())
    assert page.window.closed_by_page and page.window.urls == []
    assert page.ss.data == {} and not page.client.login_pending


def test_the_answer_repeated_on_the_second_channel_is_ignored() -> None:
    page = PopupPage(window=FakeWindow("away"))

    def answer_twice(url: str) -> None:
        page.answer()  # BroadcastChannel
        page.answer()  # postMessage: the same answer again, while the first is still pending

    page.window.on_navigate = answer_twice
    asyncio.run(page.client.login())
    assert page.http.paths() == ["/oauth/token"] and SESSION_KEY in page.ss.data


def test_each_popup_login_is_named_by_128_random_bits() -> None:
    page = PopupPage(window=FakeWindow("away"))
    page.window.on_navigate = lambda url: page.answer()
    asyncio.run(page.client.login())
    asyncio.run(page.client.login())
    first, second = page.popups.opened
    assert first != second and len(first) == len(second) == 32
    assert int(first, 16) >= 0  # hexadecimal


def test_a_blocked_popup_falls_back_to_a_redirect_that_returns_to_the_asked_page() -> None:
    page = PopupPage(window=FakeWindow(), blocked=True)
    asyncio.run(page.client.login(PAGE + "?tab=projects"))
    (url, _), = page.nav.visited
    assert url.startswith(f"{SERVER}/authn/verify/demo-app/")
    assert json.loads(page.ss.data[TRANSACTION_KEY])["return_to"] == PAGE + "?tab=projects"


def test_the_page_listens_only_on_the_channel_of_the_login_it_marked_the_popup_with() -> None:
    page = page_answering_after(3, "home", "away")
    asyncio.run(page.client.login())
    marked, = page.popups.opened
    assert len(marked) == 32 and int(marked, 16) >= 0  # 128 random bits, in hex
    assert page.popups.listened_for == [marked]
    assert popup.channel_name(marked) == "speckle-login:" + marked


def test_logging_out_ends_a_popup_login_still_waiting() -> None:
    page = PopupPage(window=FakeWindow("home", "away"))

    async def run() -> None:
        login = asyncio.ensure_future(page.client.login())
        while not page.window.urls:  # on its way to the consent page
            await asyncio.sleep(0)
        await page.client.logout()  # say, from the page's API while the popup is open
        with pytest.raises(LoginCancelled):
            await asyncio.wait_for(login, 5)  # a wait nobody ended would time out instead

    asyncio.run(run())
    assert page.window.closed_by_page and not page.client.login_pending
    assert TRANSACTION_KEY not in page.ss.data and page.http.sent == []
    page.answer()  # the popup answers after all: no login waits for it any more
    assert page.http.sent == [] and SESSION_KEY not in page.ss.data
