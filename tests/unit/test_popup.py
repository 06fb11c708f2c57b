"""The popup login's rules (message checks, the window watch) and the client's popup flow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from pyapp import flow, popup
from pyapp.client import SpeckleClient, _drop_login_failure
from pyapp.errors import LoginCancelled, LoginDenied, PopupBlocked
from pyapp.popup import MESSAGE_TYPE, PopupInbox, PopupWatch, callback_from_message
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY, LoginTransaction, TransactionStore
from tests.unit.fakes import (
    FakeWindow,
    MemoryStorage,
    PythonCrypto,
)
from tests.unit.popup_page import CALLBACK, ORIGIN, PAGE, POPUP_SETTINGS, SERVER, PopupPage


def message(login: str = "L1", url: str = CALLBACK, kind: str = MESSAGE_TYPE) -> dict[str, str]:
    return {"type": kind, "login": login, "url": url}


# -- message checks ---------------------------------------------------------------------------


def test_a_message_naming_the_pending_login_gives_its_callback_url() -> None:
    assert callback_from_message(message(), ORIGIN, PAGE, "L1") == CALLBACK
    denied = "http://127.0.0.1:8000/app/callback.html?denied=true"
    assert callback_from_message(message(url=denied), ORIGIN, PAGE, "L1") == denied


@pytest.mark.parametrize("data,origin,pending", [
    (message(), ORIGIN, None),                                   # nothing is pending
    (message(), "https://evil.example", "L1"),                   # another origin
    (message(), "http://127.0.0.1:8001", "L1"),                  # another port is another origin
    (message(login="L2"), ORIGIN, "L1"),                         # another login
    (message(kind="something-else"), ORIGIN, "L1"),              # another kind of message
    ("speckle-login:callback", ORIGIN, "L1"),                    # not an object
    ({"type": MESSAGE_TYPE, "login": "L1"}, ORIGIN, "L1"),       # no URL
    ({"type": MESSAGE_TYPE, "login": 1, "url": CALLBACK}, ORIGIN, "L1"),
    (message(url="https://evil.example/cb?access_code=x"), ORIGIN, "L1"),  # URL elsewhere
    (message(url="http://127.0.0.1:8000/app/callback.html"), ORIGIN, "L1"),  # no answer in it
    (message(url="javascript:alert(1)//?access_code=x"), ORIGIN, "L1"),
])
def test_other_messages_are_ignored(data: object, origin: str, pending: str | None) -> None:
    assert callback_from_message(data, origin, PAGE, pending) is None


def test_the_inbox_takes_one_answer_per_login() -> None:
    inbox = PopupInbox()
    assert not inbox.deliver(message(), ORIGIN, PAGE)  # nothing expected yet
    inbox.expect("L1")
    assert not inbox.deliver(message(login="L2"), ORIGIN, PAGE)
    assert inbox.deliver(message(), ORIGIN, PAGE) and inbox.answer == CALLBACK
    assert not inbox.deliver(message(), ORIGIN, PAGE)  # the same answer again (2nd channel)
    inbox.expect("L3")
    inbox.forget()
    assert not inbox.deliver(message(login="L3"), ORIGIN, PAGE)


def test_popup_features_centre_the_window_on_the_opener() -> None:
    features = popup.popup_features(100, 50, 1300, 900)
    assert "width=500" in features and "height=640" in features
    assert "left=500" in features and "top=180" in features  # 100 + (1300-500)/2, 50 + (900-640)/2
    assert "left=0" in popup.popup_features(0, 0, 300, 300)  # never off screen


# -- what a closed-looking popup means ------------------------------------------------------


def test_a_popup_closed_before_it_left_the_page_is_closed() -> None:
    watch = PopupWatch()
    assert watch.observe("closed") == "closed"
    assert not watch.closed_early  # never sent to Speckle: nothing can answer late


def test_a_popup_seen_on_the_consent_page_then_closed_is_closed() -> None:
    watch = PopupWatch()
    watch.left_home()
    assert [watch.observe(s) for s in ("home", "away", "away")] == ["waiting"] * 3
    assert watch.observe("closed") == "closed" and not watch.severed


def test_a_popup_closed_before_it_reached_speckle_is_closed_early() -> None:
    watch = PopupWatch()
    watch.left_home()
    assert watch.observe("home") == "waiting"
    assert watch.observe("closed") == "closed"  # closed while loading, or severed by COOP
    assert watch.closed_early and not watch.severed


def test_for_a_server_known_to_sever_a_closed_looking_popup_keeps_the_page_waiting() -> None:
    watch = PopupWatch(expect_severing=True)
    watch.left_home()
    assert watch.observe("home") == "waiting"
    assert watch.observe("closed") == "waiting"
    assert watch.severed and not watch.closed_early


def test_a_popup_seen_on_speckle_then_closed_is_closed_even_for_a_severing_server() -> None:
    watch = PopupWatch(expect_severing=True)
    watch.left_home()
    assert [watch.observe(s) for s in ("away", "closed")] == ["waiting", "closed"]
    assert not watch.severed and not watch.closed_early


# -- the split callback flow --------------------------------------------------------------------


def stored_transaction(storage: MemoryStorage, login_id: str | None) -> TransactionStore:
    store = TransactionStore(storage)
    store.save(LoginTransaction("v" * 43, "seg&code_challenge_method=S256", SERVER, "demo-app",
                                None, "documented", "session", PAGE, 1000.0, login_id))
    return store


def test_take_callback_takes_the_transaction_and_gives_the_clean_url_synchronously() -> None:
    storage = MemoryStorage()
    store = stored_transaction(storage, None)
    callback = flow.take_callback(CALLBACK + "&k=v#top", store, 1010.0)
    assert TRANSACTION_KEY not in storage.data  # gone before anything could be awaited
    assert callback.transaction is not None and callback.access_code == "c0de"
    assert callback.clean_url == "http://127.0.0.1:8000/app/callback.html?k=v#top"


def test_take_callback_without_an_answer_takes_nothing() -> None:
    storage = MemoryStorage()
    store = stored_transaction(storage, None)
    callback = flow.take_callback("http://127.0.0.1:8000/app/callback.html", store, 1010.0)
    assert not callback.carries_result and TRANSACTION_KEY in storage.data


@pytest.mark.parametrize("stored,asked", [("L1", None), (None, "L1"), ("L1", "L2")])
def test_a_transaction_of_another_login_counts_as_absent(
    stored: str | None, asked: str | None
) -> None:
    storage = MemoryStorage()
    callback = flow.take_callback(CALLBACK, stored_transaction(storage, stored), 1010.0, asked)
    assert callback.transaction is None and TRANSACTION_KEY not in storage.data


# -- the client's popup login -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def quick_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(popup, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(popup, "CLOSE_GRACE_SECONDS", 0.03)


class World(PopupPage):
    """A page whose popup sends ``reply`` (its login filled in) once sent to the consent page."""

    def __init__(self, window: FakeWindow | None = None, blocked: bool = False,
                 reply: dict[str, str] | None = None) -> None:
        super().__init__(window=window, blocked=blocked)
        self.reply = reply
        self.window.on_navigate = self._reply_soon

    def next_window(self, *states: str) -> None:
        """The window the next login opens, showing ``states`` and sending ``reply``."""
        self.window = self.popups.window = FakeWindow(*states)
        self.window.on_navigate = self._reply_soon

    def _reply_soon(self, url: str) -> None:
        if self.reply is not None:
            data = {**self.reply, "login": self.reply.get("login") or self.popups.opened[-1]}
            asyncio.get_running_loop().call_soon(self.popups.send, data, ORIGIN)


def test_popup_login_opens_the_window_during_the_call_and_exchanges_the_answer() -> None:
    w = World(reply={"type": MESSAGE_TYPE, "url": CALLBACK})
    seen: list[object] = []
    w.http.hooks.append(lambda req: seen.append(w.ss.get(TRANSACTION_KEY)))

    async def run() -> None:
        login = w.client.login()  # from settings: popup
        assert len(w.popups.opened) == 1 and w.client.login_pending  # before any await
        await login

    asyncio.run(run())
    assert w.popups.window.urls[0].startswith(f"{SERVER}/authn/verify/demo-app/")
    assert seen == [None]  # the transaction was taken before the exchange went out
    assert w.http.paths() == ["/oauth/token"]
    assert json.loads(w.ss.data[SESSION_KEY])["token"] == "a" * 42
    assert len(w.changes) == 1 and w.changes[0] is not None
    assert w.nav.visited == [] and w.nav.replaced == []  # the page never moved
    assert w.popups.window.closed_by_page and w.popups.handlers == []
    assert not w.client.login_pending


def test_messages_for_other_logins_are_ignored_until_the_right_one() -> None:
    w = World()

    def answers(url: str) -> None:
        loop = asyncio.get_running_loop()
        loop.call_soon(w.popups.send, message(login="someone-else"), ORIGIN)
        loop.call_soon(w.popups.send, message(login=w.popups.opened[-1]), "https://evil.example")
        loop.call_soon(w.popups.send, message(login=w.popups.opened[-1]), ORIGIN)
        loop.call_soon(w.popups.send, message(login=w.popups.opened[-1]), ORIGIN)  # repeated

    w.popups.window.on_navigate = answers
    asyncio.run(w.client.login())
    assert w.http.paths() == ["/oauth/token"]


def test_deny_in_the_popup_raises_login_denied_without_an_exchange() -> None:
    w = World(reply={"type": MESSAGE_TYPE,
                      "url": "http://127.0.0.1:8000/app/callback.html?denied=true"})
    with pytest.raises(LoginDenied):
        asyncio.run(w.client.login())
    assert w.http.sent == [] and w.ss.data == {} and w.changes == []


def test_closing_a_popup_seen_on_the_consent_page_cancels() -> None:
    w = World(FakeWindow("home", "away", "away", "closed"))
    with pytest.raises(LoginCancelled):
        asyncio.run(w.client.login())
    assert w.http.sent == [] and w.ss.data == {} and not w.client.login_pending


async def until(condition: Callable[[], object], polls: int = 200) -> None:
    """Yield to the page until ``condition()`` holds (as the page yields while it waits);
    fail when it still does not after ``polls`` of the page's looks at its popup."""
    for _ in range(polls * 5):
        if condition():
            return
        await asyncio.sleep(popup.POLL_SECONDS / 5)
    raise AssertionError("the condition never held")


def test_a_popup_closed_before_it_reached_speckle_cancels_after_the_grace() -> None:
    w = World(FakeWindow("home", "closed"))
    with pytest.raises(LoginCancelled):
        asyncio.run(w.client.login())
    # Looked at until the grace for a message already on its way is over, and no longer:
    # the poll and the grace add up to under a second.
    assert w.popups.window.reads <= 2 + popup.CLOSE_GRACE_SECONDS / popup.POLL_SECONDS
    assert popup.POLL_SECONDS + popup.CLOSE_GRACE_SECONDS < 1
    assert not w.client.login_pending and w.http.sent == [] and w.changes == []
    assert w.popups.window.closed_by_page


def test_the_late_answer_of_a_popup_that_read_closed_before_speckle_still_signs_in() -> None:
    # A consent page sent with COOP cuts the window off: it reads closed, yet lives on.
    w = World(FakeWindow("home", "closed"))

    async def run() -> None:
        with pytest.raises(LoginCancelled):
            await w.client.login()
        assert TRANSACTION_KEY in w.ss.data  # kept for an answer that may still come
        w.answer()
        await until(lambda: w.changes)

    asyncio.run(run())
    assert w.http.paths() == ["/oauth/token"] and TRANSACTION_KEY not in w.ss.data
    assert json.loads(w.ss.data[SESSION_KEY])["token"] == "a" * 42
    assert w.popups.handlers == []  # nothing listens any more


def test_after_a_late_answer_that_servers_closed_looking_popup_keeps_the_page_waiting() -> None:
    w = World(FakeWindow("home", "closed"))

    async def run() -> None:
        with pytest.raises(LoginCancelled):
            await w.client.login()
        w.answer()
        await until(lambda: w.changes)
        w.next_window("home", "closed")
        login = asyncio.ensure_future(w.client.login())
        await until(lambda: "detached" in w.states)
        # The page looks at the closed-looking window again and again, for many times the
        # grace a real close gets, and keeps waiting.
        seen = w.popups.window.reads
        await until(lambda: w.popups.window.reads
                    >= seen + 10 * popup.CLOSE_GRACE_SECONDS / popup.POLL_SECONDS)
        assert not login.done()
        w.client.cancel_login()
        with pytest.raises(LoginCancelled):
            await login

    asyncio.run(run())
    assert w.states == ["detached"] and TRANSACTION_KEY not in w.ss.data
    assert w.popups.window.closed_by_page and w.popups.handlers == []


def test_a_new_login_ends_the_wait_for_a_late_answer_and_ignores_it() -> None:
    w = World(FakeWindow("home", "closed"))

    async def run() -> None:
        with pytest.raises(LoginCancelled):
            await w.client.login()
        first = w.popups.opened[-1]
        w.reply = {"type": MESSAGE_TYPE, "url": CALLBACK}
        w.next_window("away")
        login = asyncio.ensure_future(w.client.login())
        await asyncio.sleep(0)
        w.popups.send({"type": MESSAGE_TYPE, "login": first, "url": CALLBACK}, ORIGIN)
        await login

    asyncio.run(run())
    assert w.popups.listened_for[-1] == w.popups.opened[-1] and len(w.popups.opened) == 2
    assert w.http.paths() == ["/oauth/token"] and len(w.changes) == 1


def test_a_late_deny_changes_nothing_and_leaves_no_record() -> None:
    w = World(FakeWindow("home", "closed"))
    problems: list[dict[str, object]] = []  # what the event loop would report in the console

    async def run() -> None:
        asyncio.get_running_loop().set_exception_handler(
            lambda loop, context: problems.append(context))
        with pytest.raises(LoginCancelled):
            await w.client.login()
        w.popups.send({"type": MESSAGE_TYPE, "login": w.popups.opened[-1],
                       "url": "http://127.0.0.1:8000/app/callback.html?denied=true"}, ORIGIN)
        await until(lambda: TRANSACTION_KEY not in w.ss.data)
        await asyncio.sleep(0)

    asyncio.run(run())
    assert w.http.sent == [] and w.changes == [] and w.ss.data == {}
    assert problems == []  # the denial was taken, not left for the console


def test_a_late_logins_failure_is_dropped_and_a_bug_is_raised() -> None:
    async def outcome(error: BaseException | None, cancel: bool = False) -> None:
        task = asyncio.get_running_loop().create_future()
        if cancel:
            task.cancel()
        elif error is not None:
            task.set_exception(error)
        else:
            task.set_result(None)
        _drop_login_failure(task)

    for quiet in (None, LoginDenied()):
        asyncio.run(outcome(quiet))
    asyncio.run(outcome(None, cancel=True))
    with pytest.raises(KeyError):
        asyncio.run(outcome(KeyError("a bug")))


def test_a_client_without_popups_makes_a_popup_login_a_redirect() -> None:
    w = PopupPage()
    client = SpeckleClient(POPUP_SETTINGS, crypto=PythonCrypto(), http=w.http,
                           navigator=w.nav, session_storage=w.ss, local_storage=w.ls)
    states: list[str] = []
    client.on_popup_state(states.append)()
    asyncio.run(client.login())
    (url, replace), = w.nav.visited
    assert url.startswith(f"{SERVER}/authn/verify/demo-app/") and not replace
    assert not client.login_pending and states == []


def test_a_late_answer_after_the_popup_closed_still_counts() -> None:
    # The callback window posts, then closes itself: its message may come after the close.
    w = World(FakeWindow("home", "away", "home", "closed"))

    def answer_late(url: str) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.02, w.popups.send, message(login=w.popups.opened[-1]), ORIGIN)

    w.popups.window.on_navigate = answer_late
    asyncio.run(w.client.login())
    assert w.http.paths() == ["/oauth/token"]


def test_a_blocked_popup_falls_back_to_the_redirect() -> None:
    w = World(blocked=True)
    asyncio.run(w.client.login())
    (url, replace), = w.nav.visited
    assert url.startswith(f"{SERVER}/authn/verify/demo-app/") and not replace
    assert json.loads(w.ss.data[TRANSACTION_KEY])["login_id"] is None  # a redirect login


def test_a_blocked_popup_without_fallback_raises_at_once_and_stores_nothing() -> None:
    w = World(blocked=True)
    with pytest.raises(PopupBlocked):
        w.client.login(popup=True, fallback=False)
    assert w.ss.data == {} and w.nav.visited == []


def test_popup_false_is_a_redirect_whatever_the_settings() -> None:
    w = World()
    asyncio.run(w.client.login(popup=False))
    assert w.popups.opened == [] and len(w.nav.visited) == 1
