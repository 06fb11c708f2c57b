"""The login lifecycle both pages share (``pyapp.login_controller``), on the fakes: every
transition of its table, what each screen tells the visitor, where focus goes, and what
the console hears."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import pytest

from pyapp.config import Settings
from pyapp.errors import (
    InvalidConfiguration,
    LoginCancelled,
    MissingScope,
    MissingTransaction,
    NotSignedIn,
    ServerUnavailable,
    SessionExpired,
    StorageUnavailable,
)
from pyapp.login_controller import (
    JUST_SIGNED_IN_SECONDS,
    TRANSITIONS,
    BadTransition,
    Event,
    LoginController,
    Screen,
    State,
)
from pyapp.messages import Message, message_for
from pyapp.popup import POLL_SECONDS
from pyapp.speckle_api import UserProfile, Viewer
from pyapp.stores import NAMESPACE, SESSION_KEY, Session, SessionStore
from pyapp.words import Words
from pyapp.words_de import GERMAN
from tests.unit.fakes import FakeWindow, MemoryStorage, json_response
from tests.unit.popup_page import CALLBACK, ORIGIN, PAGE, SERVER, PopupPage

NOW = 1010.0
ADA = {"data": {"activeUser": {"id": "u1", "name": "Ada Lovelace"}}}
REDIRECT = Settings(SERVER, "demo-app", login_mode="redirect")
SIGNED_OUT = Words()("signed-out-notice")


class Console:
    """The browser console: what the site owner would read."""

    def __init__(self) -> None:
        self.unexpected_errors: list[tuple[str, str]] = []
        self.handled_messages: list[Message] = []

    def unexpected(self, error: BaseException, where: str) -> None:
        self.unexpected_errors.append((type(error).__name__, where))

    def handled(self, message: Message) -> None:
        self.handled_messages.append(message)


class Page:
    """A page with a controller: its client (on fakes), the screens drawn, the tasks
    spawned, and the console."""

    def __init__(self, settings: Settings | None = REDIRECT, *, session_age: float | None = None,
                 window: FakeWindow | None = None, blocked: bool = False,
                 default_mode: Any = "redirect", editable: bool | None = None,
                 words: Words | None = None,
                 load_profile: Callable[[], Awaitable[Any]] | None = None) -> None:
        self.popup_page = PopupPage(settings, window=window, blocked=blocked, now=NOW)
        self.client = self.popup_page.client
        self.http = self.popup_page.http
        self.http.routes["/graphql"] = json_response(200, ADA)
        if session_age is not None:
            self.store(session_age)
        self.screens: list[Screen[Any]] = []
        self.tasks: list[asyncio.Future[None]] = []
        self.console = Console()
        self.controller: LoginController[Any] = LoginController(
            self.client, load_profile=load_profile or self.client.user,
            render=self.screens.append, spawn=self.spawn, console=self.console,
            words=words or Words(), clock=lambda: NOW, default_mode=default_mode,
            **({} if editable is None else {"editable": editable}))  # else the default

    def store(self, age: float) -> None:
        SessionStore(self.popup_page.ss, self.popup_page.ls).save(
            Session(SERVER, "demo-app", "t" * 40, None, None, "auto", "session", NOW - age))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self.tasks.append(asyncio.ensure_future(coro))

    async def settle(self, polls: int = 0) -> None:
        """Until every spawned task has ended (a login waiting for its popup never does:
        it is left running), after ``polls`` looks of the popup watch at its window."""
        await asyncio.sleep(polls * POLL_SECONDS)
        for _ in range(200):
            await asyncio.sleep(0)
            if all(task.done() for task in self.tasks):
                break
        for task in self.tasks:
            if task.done():
                task.result()  # an exception a task let through fails the test

    @property
    def screen(self) -> Screen[Any]:
        return self.controller.screen

    def states(self) -> list[State]:
        """The states drawn, each once in a row (a state draws again when its news
        changes)."""
        states: list[State] = []
        for screen in self.screens:
            if not states or states[-1] != screen.state:
                states.append(screen.state)
        return states


def run(test: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(test())


# -- the table ------------------------------------------------------------------------------


def test_every_state_is_reachable_and_every_target_is_a_state() -> None:
    states = set(TRANSITIONS)
    targets = {after for moves in TRANSITIONS.values() for after in moves.values()}
    assert targets <= states
    assert states - targets == {"starting"}  # only the first state is never entered again


def test_an_event_a_state_does_not_expect_is_refused_and_draws_nothing() -> None:
    page = Page()
    with pytest.raises(BadTransition) as raised:
        page.controller._move("profile-loaded")
    assert (raised.value.state, raised.value.event) == ("starting", "profile-loaded")
    assert str(raised.value) == "'profile-loaded' is not expected in state 'starting'"
    assert page.screens == [] and page.screen.state == "starting"
    event: Event = "retry"
    assert event not in TRANSITIONS["signed-in"]  # "Try again" only where it is offered


@pytest.mark.parametrize(("state", "event", "after"), [
    (state, event, after) for state, moves in TRANSITIONS.items()
    for event, after in moves.items()])
def test_each_transition_draws_its_next_state_once(state: State, event: Event,
                                                   after: State) -> None:
    page = Page()
    checks: list[str] = []

    def spawn(coro: Coroutine[Any, Any, None]) -> None:
        checks.append(coro.__qualname__)
        coro.close()

    page.controller._spawn = spawn
    page.controller.screen = Screen(state, focus="name", busy=True)
    assert page.controller._move(event) == (state != after)
    assert page.screens == [page.screen] and page.screen.state == after
    assert page.screen.focus is None and not page.screen.busy  # one-time, not carried
    # The server is asked who is signed in on entering "checking-session", not again.
    entering = after == "checking-session" and state != after
    assert checks == (["LoginController._check_session"] if entering else [])


# -- starting -------------------------------------------------------------------------------


def test_a_settings_problem_that_is_not_pyapps_is_reported_and_ends_in_error() -> None:
    async def test() -> None:
        page = Page()
        await page.controller.start(problem=KeyError("serverUrl"))
        assert page.screen.state == "error" and isinstance(page.screen.error, KeyError)
        assert page.console.unexpected_errors == [("KeyError", "reading the settings")]

    run(test)


def test_settings_the_visitor_typed_are_asked_to_be_checked() -> None:
    async def test() -> None:
        page = Page(editable=True)
        await page.controller.start(problem=InvalidConfiguration("missing", setting="appId"))
        message = page.screen.message
        assert message is not None and message.action == "fix"
        assert message.title == "Check the settings"

    run(test)


def test_messages_are_worded_in_the_pages_words() -> None:
    async def test() -> None:
        page = Page(words=Words("de", GERMAN))
        await page.controller.start()
        page.controller.fail(ServerUnavailable("request_failed"), "loading more projects")
        assert page.screen.message is not None
        assert page.screen.message.title == GERMAN["unreachable-title"]

    run(test)


def test_no_session_shows_log_in_at_once() -> None:
    async def test() -> None:
        page = Page()
        await page.controller.start()
        assert page.states() == ["signed-out"]
        assert page.screen.can_log_in and page.screen.message is None
        assert page.http.sent == []

    run(test)


def test_a_dropped_session_is_said_calmly_on_the_page() -> None:
    async def test() -> None:
        page = Page()
        page.popup_page.ss.set(SESSION_KEY, json.dumps({"v": 99}))
        await page.controller.start()
        screen = page.screen
        assert screen.state == "signed-out" and screen.place == "page"
        assert screen.message is not None and screen.message.calm
        assert screen.message.title == "You were signed out"
        assert page.console.handled_messages == [screen.message]

    run(test)


class BlockedStorage(MemoryStorage):
    def get(self, key: str) -> str | None:
        raise StorageUnavailable()

    def keys(self) -> list[str]:
        raise StorageUnavailable()


def test_blocked_storage_leaves_log_in_usable_and_says_why() -> None:
    async def test() -> None:
        page = Page()
        page.client._sessions._by_kind = {  # type: ignore[attr-defined]
            "session": BlockedStorage(), "local": BlockedStorage()}
        await page.controller.start()
        screen = page.screen
        assert screen.state == "signed-out" and screen.can_log_in
        assert isinstance(screen.error, StorageUnavailable) and screen.place == "page"
        assert screen.message is not None
        assert screen.message.title == "Site storage is blocked"
        assert page.console.unexpected_errors == []  # one of ours: its message says it all

    run(test)


class BrokenStorage(MemoryStorage):
    def get(self, key: str) -> str | None:
        raise RuntimeError("broken")

    def keys(self) -> list[str]:
        raise RuntimeError("broken")


def test_a_storage_that_fails_unexpectedly_is_reported_and_log_in_stays_usable() -> None:
    async def test() -> None:
        page = Page()
        page.client._sessions._by_kind = {  # type: ignore[attr-defined]
            "session": BrokenStorage(), "local": BrokenStorage()}
        await page.controller.start()
        assert page.screen.can_log_in and isinstance(page.screen.error, RuntimeError)
        assert page.console.unexpected_errors == [("RuntimeError", "reading the session")]

    run(test)


def test_unusable_settings_end_in_error_where_log_in_does_nothing() -> None:
    async def test() -> None:
        page = Page(default_mode="popup")
        problem = InvalidConfiguration("config_incomplete", value="config.json")
        await page.controller.start(problem=problem)
        assert page.states() == ["error"]
        assert not page.screen.can_log_in and page.screen.error is problem
        assert page.screen.message == message_for(problem)  # said to a visitor: not editable
        page.controller.login()
        page.controller.refuse_login(InvalidConfiguration("missing", setting="appId"))
        page.controller.restored()
        assert page.states() == ["error"] and len(page.screens) == 2  # drawn again, as it was
        assert page.popup_page.popups.opened == [] and page.screen.error is problem

    run(test)


def test_a_session_from_a_minute_ago_is_being_signed_in_and_gets_focus() -> None:
    async def test() -> None:
        page = Page(session_age=JUST_SIGNED_IN_SECONDS - 5)
        await page.controller.start()
        assert page.states() == ["checking-session"]
        checking = page.screen
        assert checking.shows_status and checking.status == "completing"
        assert not checking.can_log_in and checking.signed_in
        await page.settle()
        assert page.states() == ["checking-session", "signed-in"]
        assert page.screen.profile == UserProfile("u1", "Ada Lovelace", None, None, None, None)
        assert page.screen.focus == "name" and not page.screen.shows_status

    run(test)


@pytest.mark.parametrize("age", [JUST_SIGNED_IN_SECONDS, JUST_SIGNED_IN_SECONDS + 5])
def test_a_session_a_minute_old_or_older_is_checked_and_focus_stays_put(age: float) -> None:
    async def test() -> None:
        page = Page(session_age=age)
        await page.controller.start()
        assert page.screen.status == "checking-session"
        await page.settle()
        assert page.states() == ["checking-session", "signed-in"]
        assert page.screen.focus is None

    run(test)


def test_a_server_that_is_gone_leaves_the_visitor_signed_in_with_try_again() -> None:
    async def test() -> None:
        page = Page(session_age=3600)
        page.http.routes["/graphql"] = None  # no answer at all
        await page.controller.start()
        await page.settle()
        offline = page.screen
        assert offline.state == "offline" and offline.signed_in and offline.offers_retry
        assert isinstance(offline.error, ServerUnavailable) and offline.profile is None

        page.http.routes["/graphql"] = json_response(200, ADA)  # back again
        page.controller.retry()
        trying = page.screen
        assert trying.state == "checking-session" and trying.busy
        assert trying.offers_retry and not trying.shows_status  # the button stays, busy
        await page.settle()
        assert page.states() == ["checking-session", "offline", "checking-session",
                                 "signed-in"]
        assert page.screen.message is None and page.screen.focus == "name"
        page.controller.retry()  # not offered any more: nothing happens
        assert page.screen.state == "signed-in"

    run(test)


def test_a_session_the_server_refuses_ends_at_log_in_with_the_reason() -> None:
    async def test() -> None:
        page = Page(session_age=3600)
        page.http.routes["/graphql"] = json_response(403, {"error": "Your token is not valid."})
        await page.controller.start()
        await page.settle()
        screen = page.screen
        assert screen.state == "signed-out" and isinstance(screen.error, SessionExpired)
        assert screen.message is not None and screen.place == "page"
        assert screen.message.title == "Your session has ended"
        assert screen.profile is None and page.popup_page.ss.data == {}

    run(test)


def test_a_missing_scope_is_said_and_the_rest_is_shown() -> None:
    async def test() -> None:
        viewer = Viewer(None, None, None, missing_scope="profile:email")

        async def load() -> Viewer:
            return viewer

        page = Page(session_age=3600, load_profile=load)
        await page.controller.start()
        await page.settle()
        assert page.screen.state == "signed-in" and page.screen.profile is viewer
        assert page.screen.message is not None and page.screen.place == "page"
        assert isinstance(page.screen.error, MissingScope)
        assert page.screen.error.scope == "profile:email"
        assert page.screen.message == message_for(page.screen.error)
        assert "your e-mail address" in page.screen.message.detail

    run(test)


def test_a_server_gone_just_after_signing_in_still_moves_focus_to_the_name() -> None:
    async def test() -> None:
        page = Page(session_age=1)
        page.http.routes["/graphql"] = None
        await page.controller.start()
        await page.settle()
        assert page.screen.state == "offline" and page.screen.focus == "name"

    run(test)


def test_focus_moves_to_the_name_once_not_when_someone_signs_in_elsewhere_later() -> None:
    async def test() -> None:
        page = Page(session_age=1)
        await page.controller.start()
        await page.settle()
        assert page.screen.focus == "name"
        page.popup_page.ss.data.clear()
        page.client.notify()  # signed out in another tab, then in again there
        page.store(3600)
        page.client.notify()
        await page.settle()
        assert page.screen.state == "signed-in" and page.screen.focus is None

    run(test)


def test_an_unexpected_exception_is_reported_once_and_worded() -> None:
    async def test() -> None:
        async def load() -> None:
            raise RuntimeError("token t" + "x" * 40)

        page = Page(session_age=3600, load_profile=load)
        await page.controller.start()
        await page.settle()
        assert page.screen.state == "offline"
        assert page.console.unexpected_errors == [("RuntimeError", "loading the signed-in view")]
        assert page.screen.message is not None
        assert "t" + "x" * 40 not in repr(page.screen.message)  # never its text

    run(test)


# -- a popup login --------------------------------------------------------------------------


def popup_page(**kwargs: Any) -> Page:
    return Page(Settings(SERVER, "demo-app"), default_mode="popup", **kwargs)


def test_a_popup_login_waits_then_lands_on_the_name() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.popup_page.answer_once_sent_to_consent()
        page.controller.login()
        assert page.screen.state == "waiting-for-popup" and page.screen.popup == ""
        assert len(page.popup_page.popups.opened) == 1  # during the click itself
        await page.settle()
        assert page.states() == ["signed-out", "waiting-for-popup", "checking-session",
                                 "signed-in"]
        assert page.screen.focus == "name" and page.screen.profile is not None
        assert page.client.signed_in

    run(test)


def test_what_the_page_sees_of_the_popup_is_drawn_while_waiting() -> None:
    async def test() -> None:
        page = popup_page(window=FakeWindow("home", "away"))
        await page.controller.start()
        page.controller.login()
        await page.settle(polls=3)
        assert page.screen.state == "waiting-for-popup" and page.screen.popup == "open"
        page.controller.cancel()
        await page.settle()
        page.controller.login()  # a new popup: nothing known of it yet
        assert page.screen.state == "waiting-for-popup" and page.screen.popup == ""
        page.controller.cancel()
        await page.settle()

    run(test)


def test_cancel_ends_the_wait_calmly_by_the_button() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login()
        await page.settle()
        page.controller.cancel()
        await page.settle()
        screen = page.screen
        assert screen.state == "signed-out" and screen.place == "login"
        assert isinstance(screen.error, LoginCancelled)
        assert screen.message is not None and screen.message.calm and screen.focus is None
        assert page.console.unexpected_errors == []

        page.popup_page.answer_once_sent_to_consent()  # and "Log in" works again
        page.controller.login()
        await page.settle()
        assert page.screen.state == "signed-in" and page.screen.message is None

    run(test)


def test_after_a_cancelled_popup_a_sign_in_elsewhere_leaves_focus_put() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login()
        page.controller.cancel()
        await page.settle()
        page.store(3600)
        page.client.notify()
        await page.settle()
        assert page.screen.state == "signed-in" and page.screen.focus is None

    run(test)


def test_a_popup_login_that_brings_no_news_of_the_session_still_lands_on_the_name() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.client.notify = lambda: None  # type: ignore[method-assign]
        page.popup_page.answer_once_sent_to_consent()
        page.controller.login()
        await page.settle()
        assert page.states() == ["signed-out", "waiting-for-popup", "checking-session",
                                 "signed-in"]
        assert page.screen.focus == "name"

    run(test)


@pytest.mark.parametrize(("answer", "state", "error"), [
    (None, "offline", ServerUnavailable),
    (json_response(403, {"error": "Your token is not valid."}), "signed-out", SessionExpired),
])
def test_after_a_cancelled_popup_a_session_from_elsewhere_is_checked_and_said_on_the_page(
        answer: Any, state: State, error: type[Exception]) -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login()
        page.controller.cancel()
        await page.settle()
        assert page.screen.place == "login"
        page.http.routes["/graphql"] = answer
        page.store(3600)
        page.client.notify()  # signed in elsewhere
        assert page.screen.state == "checking-session" and page.screen.status == "completing"
        await page.settle()
        assert page.screen.state == state and page.screen.place == "page"
        assert isinstance(page.screen.error, error)

    run(test)


def test_a_login_with_no_settings_at_all_is_refused_by_the_button() -> None:
    async def test() -> None:
        page = Page(None)
        await page.controller.start()
        page.controller.login()
        assert page.screen.state == "signed-out" and page.screen.place == "login"
        assert isinstance(page.screen.error, NotSignedIn)

    run(test)


def test_a_blocked_popup_becomes_a_redirect_and_back_restores_log_in() -> None:
    async def test() -> None:
        page = popup_page(blocked=True)
        await page.controller.start()
        page.controller.login(return_to=f"{ORIGIN}/app/elsewhere.html")
        redirecting = page.screen
        assert redirecting.state == "redirecting" and not redirecting.can_log_in
        assert not redirecting.shows_status and redirecting.status == ""  # "Log in" stays
        await page.settle()
        transaction = json.loads(page.popup_page.ss.data[f"{NAMESPACE}transaction"])
        assert transaction["return_to"] == f"{ORIGIN}/app/elsewhere.html"
        (url, _), = page.popup_page.nav.visited
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")
        page.controller.restored()  # the browser shows the page as it was left
        assert page.screen.state == "signed-out" and page.screen.can_log_in

    run(test)


def test_settings_that_cannot_start_a_login_are_said_by_the_button() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login(Settings("ftp://x", "demo-app"))
        screen = page.screen
        assert screen.state == "signed-out" and screen.place == "login"
        assert isinstance(screen.error, InvalidConfiguration)
        assert page.popup_page.popups.opened == []

        typed = InvalidConfiguration("missing", setting="appId")
        page.controller.refuse_login(typed)
        assert page.screen.error is typed and page.screen.place == "login"
        assert page.screen.message == message_for(typed)
        page.controller.refuse_login(KeyError("x"))  # not one of ours: the console hears
        assert page.console.unexpected_errors == [("KeyError", "starting the login")]
        assert page.screen.message is not None
        assert page.screen.message.title == "Something went wrong"

    run(test)


def test_a_redirect_login_that_cannot_start_comes_back_with_the_reason() -> None:
    async def test() -> None:
        page = Page()
        await page.controller.start()
        page.client._crypto.sha256 = broken_digest  # type: ignore[attr-defined]
        page.controller.login()
        assert page.screen.state == "redirecting"
        await page.settle()
        assert page.screen.state == "signed-out" and page.screen.place == "login"
        assert page.console.unexpected_errors == [("RuntimeError", "logging in")]

    run(test)


async def broken_digest(data: bytes) -> bytes:
    raise RuntimeError("no digest")


# -- signed in ------------------------------------------------------------------------------


async def signed_in(**kwargs: Any) -> Page:
    page = Page(session_age=3600, **kwargs)
    await page.controller.start()
    await page.settle()
    assert page.screen.state == "signed-in"
    return page


def test_log_out_is_busy_then_signed_out_with_focus_on_log_in() -> None:
    async def test() -> None:
        page = await signed_in()
        page.http.routes["/auth/logout"] = json_response(200, {})
        drawn = len(page.screens)
        await page.controller.logout()
        busy, *_ = page.screens[drawn:]  # first: the click is answered at once
        assert busy.state == "signed-in" and busy.busy
        screen = page.screen
        assert screen.state == "signed-out" and screen.focus == "login" and not screen.busy
        assert screen.notice == SIGNED_OUT and screen.profile is None
        assert page.popup_page.ss.data == {} and page.popup_page.ls.data == {}

    run(test)


def test_log_out_that_fails_still_signs_out_and_says_so() -> None:
    async def test() -> None:
        page = await signed_in()

        async def broken() -> None:
            raise RuntimeError("boom")

        page.client.logout = broken  # type: ignore[method-assign]
        drawn = len(page.screens)
        await page.controller.logout()
        busy = page.screens[drawn]
        assert busy.busy and busy.message is None and busy.error is None  # the click answered
        screen = page.screen
        assert screen.state == "signed-out" and screen.focus == "login" and not screen.busy
        assert isinstance(screen.error, RuntimeError) and screen.place == "page"
        assert screen.message is not None and screen.message.title == "Something went wrong"
        assert screen.profile is None
        assert page.console.unexpected_errors == [("RuntimeError", "logging out")]
        await page.controller.logout()  # signed out: nothing more to do
        assert page.screens[-1].state == "signed-out"

    run(test)


def test_log_out_clears_what_was_said_at_once() -> None:
    async def test() -> None:
        page = await signed_in()
        page.controller.fail(ServerUnavailable("request_failed"), "loading more projects")
        assert page.screen.message is not None
        drawn = len(page.screens)
        await page.controller.logout()
        busy = page.screens[drawn]
        assert busy.busy and busy.message is None and busy.error is None

    run(test)


def test_log_out_the_storage_refuses_signs_out_and_says_why() -> None:
    async def test() -> None:
        page = await signed_in()

        async def refused() -> None:
            raise StorageUnavailable()

        page.client.logout = refused  # type: ignore[method-assign]
        await page.controller.logout()
        screen = page.screen
        assert screen.state == "signed-out" and isinstance(screen.error, StorageUnavailable)
        assert screen.message is not None and screen.message.title == "Site storage is blocked"
        assert page.console.unexpected_errors == []

    run(test)


def test_log_out_with_storage_blocked_since_signing_in_still_signs_out() -> None:
    async def test() -> None:
        page = await signed_in()
        page.client._sessions._by_kind = {  # type: ignore[attr-defined]
            "session": BlockedStorage(), "local": BlockedStorage()}
        await page.controller.logout()  # nothing stored can be read, nor news of it sent
        screen = page.screen
        assert screen.state == "signed-out" and screen.focus == "login" and not screen.busy
        assert screen.notice == SIGNED_OUT and screen.profile is None

    run(test)


def test_signing_out_in_another_tab_clears_what_was_said() -> None:
    async def test() -> None:
        page = await signed_in()
        page.controller.fail(ServerUnavailable("request_failed"), "loading more projects")
        page.popup_page.ss.data.clear()
        page.client.notify()
        screen = page.screen
        assert screen.state == "signed-out" and screen.notice == SIGNED_OUT
        assert screen.message is None and screen.error is None

    run(test)


def test_a_failure_after_a_refused_login_is_said_on_the_page() -> None:
    async def test() -> None:
        page = Page()
        await page.controller.start()
        page.controller.refuse_login(InvalidConfiguration("missing", setting="appId"))
        assert page.screen.place == "login"
        page.controller.fail(ServerUnavailable("request_failed"), "loading more projects")
        assert page.screen.place == "page" and isinstance(page.screen.error, ServerUnavailable)
        page.controller.refuse_login(InvalidConfiguration("missing", setting="appId"))
        page.controller.fail(SessionExpired(), "loading more projects")
        assert page.screen.place == "page" and isinstance(page.screen.error, SessionExpired)

    run(test)


def test_signing_out_in_another_tab_shows_log_in_and_says_so() -> None:
    async def test() -> None:
        page = await signed_in()
        page.popup_page.ss.data.clear()
        page.client.notify()  # the storage event from the other tab
        assert page.screen.state == "signed-out" and page.screen.notice == SIGNED_OUT
        page.client.notify()  # heard again while signed out: nothing new to say
        assert page.screen.state == "signed-out"

    run(test)


def test_news_of_a_sign_out_elsewhere_keeps_what_log_in_said() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login()
        page.controller.cancel()
        await page.settle()
        note = page.screen.message
        assert note is not None and note.calm
        page.client.notify()  # signed out elsewhere: this visitor was already signed out
        assert page.screen.message is note and page.screen.notice == ""
        page.popup_page.answer_once_sent_to_consent()
        page.controller.login()
        waiting = page.screen
        assert waiting.message is None and waiting.error is None and waiting.notice == ""
        assert waiting.popup == ""
        await page.settle()

    run(test)


def test_signing_in_in_another_tab_shows_who_without_moving_focus() -> None:
    async def test() -> None:
        page = Page()
        await page.controller.start()
        page.store(1)
        page.client.notify()
        await page.settle()
        assert page.states() == ["signed-out", "checking-session", "signed-in"]
        assert page.screen.focus is None
        page.client.notify()  # the same session again (a refresh elsewhere): nothing reloads
        await page.settle()
        assert page.states()[-1] == "signed-in" and len(page.http.sent) == 1

    run(test)


def test_a_failure_while_signed_in_is_said_and_an_ended_session_signs_out() -> None:
    async def test() -> None:
        page = await signed_in()
        gone = ServerUnavailable("request_failed")
        page.controller.fail(gone, "loading more projects")
        assert page.screen.state == "signed-in" and page.screen.message is not None
        assert page.screen.error is gone and page.screen.place == "page"
        assert page.screen.message.title == "Couldn't reach Speckle"
        assert page.screen.profile is not None  # still shown
        page.controller.fail(KeyError("x"), "loading more projects")
        assert page.console.unexpected_errors == [("KeyError", "loading more projects")]
        page.popup_page.ss.data.clear()
        page.controller.fail(SessionExpired(), "loading more projects")
        assert page.screen.state == "signed-out" and page.screen.place == "page"
        assert isinstance(page.screen.error, SessionExpired) and page.screen.profile is None
        assert page.screen.message is not None
        assert page.screen.message.title == message_for(SessionExpired()).title

    run(test)


def test_offline_logs_out_and_hears_other_tabs() -> None:
    async def test() -> None:
        page = Page(session_age=3600)
        page.http.routes["/graphql"] = None
        await page.controller.start()
        await page.settle()
        assert page.screen.state == "offline"
        page.client.notify()  # a session is still stored: nothing changes
        assert page.screen.state == "offline" and page.screen.offers_retry
        await page.controller.logout()
        assert page.screen.state == "signed-out" and page.screen.notice == SIGNED_OUT
        assert not page.screen.offers_retry and page.screen.message is None

    run(test)


def test_a_wait_for_the_popup_outlasts_news_of_a_sign_out_elsewhere() -> None:
    async def test() -> None:
        page = popup_page()
        await page.controller.start()
        page.controller.login()
        page.client.notify()  # another tab logged out: this login still waits
        assert page.screen.state == "waiting-for-popup" and page.screen.notice == ""
        page.controller.cancel()
        await page.settle()

    run(test)


# -- finishing on a callback page -----------------------------------------------------------


async def redirected(page_url: str, *, settings: Settings | None = REDIRECT,
                     token_answer: Any = None) -> Page:
    """A redirect login started on ``PAGE``, then the page at ``page_url`` (with the code)
    and its controller (a widget's), before it starts."""
    first = Page()
    await first.controller.start()
    first.controller.login()
    await first.settle()
    page = Page(settings, default_mode="popup")
    page.popup_page.ss.data.update(first.popup_page.ss.data)  # the same tab's storage
    page.popup_page.nav.url = page_url
    if token_answer is not None:
        page.http.routes["/oauth/token"] = token_answer
    return page


def test_a_login_finished_on_the_page_it_began_shows_the_name() -> None:
    async def test() -> None:
        here = f"{PAGE}?access_code=c0de"
        page = await redirected(here)
        await page.controller.start(callback_url=here)
        assert page.screens[0].state == "finishing" and page.screens[0].shows_status
        await page.settle()
        assert page.states() == ["finishing", "checking-session", "signed-in"]
        assert page.screen.focus == "name" and page.popup_page.nav.url == PAGE

    run(test)


def test_a_login_finished_elsewhere_leaves_for_where_it_began() -> None:
    async def test() -> None:
        page = await redirected(CALLBACK)
        await page.controller.start(callback_url=CALLBACK)
        assert page.states() == ["finishing", "redirecting"]
        assert page.screen.shows_status and page.screen.status == "completing"
        assert page.popup_page.nav.visited == [(PAGE, True)]

    run(test)


def test_a_failed_finish_links_back_and_log_in_starts_that_login_over() -> None:
    async def test() -> None:
        rejected = json_response(400, {"error": "invalid_grant"})
        page = await redirected(CALLBACK, settings=None, token_answer=rejected)
        await page.controller.start(callback_url=CALLBACK)
        screen = page.screen
        assert page.states() == ["finishing", "signed-out"]
        assert screen.back_to == PAGE and screen.message is not None
        page.controller.login()  # the failed login's settings: a redirect, as it was
        assert page.screen.state == "redirecting" and page.screen.back_to is None
        await page.settle()
        (url, _), = page.popup_page.nav.visited
        assert url.startswith(f"{SERVER}/authn/verify/demo-app/")

    run(test)


def denied_while_signed_in() -> str:
    """A callback page's address after the visitor declined at Speckle's consent page."""
    return f"{CALLBACK}&denied=true".replace("access_code=c0de&", "")


def test_a_failed_finish_on_the_page_the_login_began_links_nowhere() -> None:
    async def test() -> None:
        here = f"{PAGE}?access_code=c0de"
        rejected = json_response(400, {"error": "invalid_grant"})
        page = await redirected(here, token_answer=rejected)
        await page.controller.start(callback_url=here)
        assert page.screen.state == "signed-out" and page.screen.message is not None
        assert page.screen.back_to is None

    run(test)


def test_declining_on_a_callback_page_while_signed_in_is_said_beside_who_it_is() -> None:
    async def test() -> None:
        page = await redirected(denied_while_signed_in())
        page.store(3600)
        await page.controller.start(callback_url=page.popup_page.nav.url)
        assert page.states()[:2] == ["finishing", "checking-session"]
        assert page.screen.message is not None and page.screen.message.calm  # said at once
        await page.settle()
        screen = page.screen
        assert screen.state == "signed-in" and screen.profile is not None
        assert screen.message is not None and screen.message.calm
        assert screen.back_to == PAGE  # and the way back to where the login began

    run(test)


def test_a_login_declined_while_signed_in_is_said_once() -> None:
    async def test() -> None:
        page = await redirected(denied_while_signed_in())
        page.store(3600)
        await page.controller.start(callback_url=page.popup_page.nav.url)
        await page.settle()
        assert page.screen.message is not None
        page.popup_page.ss.data.clear()
        page.client.notify()  # signed out in another tab, then in again there
        page.store(3600)
        page.client.notify()
        await page.settle()
        assert page.screen.state == "signed-in"
        assert page.screen.message is None and page.screen.back_to is None

    run(test)


def test_a_server_gone_while_a_declined_login_is_to_be_said_says_only_that() -> None:
    async def test() -> None:
        page = await redirected(denied_while_signed_in())
        page.store(3600)
        page.http.routes["/graphql"] = None
        await page.controller.start(callback_url=page.popup_page.nav.url)
        await page.settle()
        assert page.screen.state == "offline"
        assert isinstance(page.screen.error, ServerUnavailable)
        page.http.routes["/graphql"] = json_response(200, ADA)
        page.controller.retry()
        await page.settle()
        assert page.screen.state == "signed-in"
        assert page.screen.message is None and page.screen.error is None

    run(test)


def test_an_unexpected_failure_while_finishing_is_reported_and_said() -> None:
    async def test() -> None:
        page = await redirected(f"{PAGE}?access_code=c0de")

        async def broken() -> None:
            raise RuntimeError("boom")

        page.client.finish_login = broken  # type: ignore[method-assign]
        await page.controller.start(callback_url=page.popup_page.nav.url)
        assert page.console.unexpected_errors == [("RuntimeError", "finishing the login")]
        screen = page.screen
        assert screen.state == "signed-out" and isinstance(screen.error, RuntimeError)
        assert screen.message is not None and screen.message.title == "Something went wrong"
        assert screen.back_to is None and screen.place == "page"

    run(test)


def test_a_callback_with_no_login_to_finish_says_so() -> None:
    async def test() -> None:
        page = Page(default_mode="popup")
        page.popup_page.nav.url = CALLBACK
        await page.controller.start(callback_url=CALLBACK)
        assert page.screen.state == "signed-out"
        assert isinstance(page.screen.error, MissingTransaction)
        assert page.screen.back_to is None

    run(test)


def test_news_of_the_session_while_finishing_waits_for_the_finish() -> None:
    async def test() -> None:
        page = await redirected(f"{PAGE}?access_code=c0de")
        page.controller._on_session_change(None)  # start() and the finish look themselves
        page.controller._on_session_change(object())
        assert page.screens == []
        assert f"{NAMESPACE}transaction" in page.popup_page.ss.data

    run(test)


def test_popup_news_outside_a_wait_is_not_drawn() -> None:
    page = Page()
    asyncio.run(page.controller.start())
    page.controller._on_popup_state("open")
    assert page.screen.popup == "" and page.states() == ["signed-out"]
