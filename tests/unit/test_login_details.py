"""Details of a login that each decide what the person gets: where they return, which
settings a failed login keeps, which tokens are revoked, and the popup's contract."""

from __future__ import annotations

import asyncio
import dataclasses
import json

import pytest

from pyapp import flow, popup
from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import ServerUnavailable, StorageUnavailable
from pyapp.page_urls import safe_return_to
from pyapp.ports import HttpResponse
from pyapp.stores import TRANSACTION_KEY, LoginTransaction, Session, SessionStore, TransactionStore
from tests.unit.fake_browser import FakeBrowser
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response
from tests.unit.test_storage_failures import FullStorage

SERVER = "http://127.0.0.1:8001"
PAGE = "http://127.0.0.1:8000/app/index.html"
CALLBACK = "http://127.0.0.1:8000/app/callback.html"
TOKENS = {"token": "a" * 42, "refreshToken": "b" * 42}


def transaction(login_id: str | None = None, storage: str = "session") -> LoginTransaction:
    return LoginTransaction("v" * 43, "seg&code_challenge_method=S256", SERVER, "demo-app",
                            "s3cret", "deployed", storage, PAGE + "?tab=2",  # type: ignore[arg-type]
                            1000.0, login_id)


def client(http: ScriptedHttp, ss: MemoryStorage, url: str = PAGE) -> SpeckleClient:
    return SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                         navigator=FakeNavigator(url), session_storage=ss,
                         local_storage=MemoryStorage(), clock=lambda: 1010.0)


# -- where a login returns --------------------------------------------------------------

@pytest.mark.parametrize("return_to", ["https://evil.example/", "/app/a b", "/app/\x00x"])
def test_a_login_asked_to_return_elsewhere_returns_to_the_page_it_started_on(
        return_to: str) -> None:
    ss = MemoryStorage()
    asyncio.run(client(ScriptedHttp({}), ss).login(return_to))
    assert json.loads(ss.data[TRANSACTION_KEY])["return_to"] == PAGE


def test_text_a_browser_reads_differently_is_never_a_way_back() -> None:
    for text in ("/app/a b", "/app/\x00", "/app/\u00a0x", "\\\\evil.example"):
        assert safe_return_to(text, PAGE) == "http://127.0.0.1:8000/app/"


# -- the callback -------------------------------------------------------------------------

def test_a_callback_without_an_answer_is_read_as_nothing() -> None:
    url = CALLBACK + "?tab=2"
    assert flow.take_callback(url, TransactionStore(MemoryStorage()), 1010.0) == \
        flow.Callback(url, url, "", False, None)


def test_a_new_login_replaces_the_session_already_stored() -> None:
    ss = MemoryStorage()
    sessions = SessionStore(ss, MemoryStorage())
    old = Session(SERVER, "demo-app", "o" * 42, None, None, "auto", "session", 1.0)
    sessions.save(old)
    store = TransactionStore(ss)
    store.save(transaction())
    callback = flow.take_callback(CALLBACK + "?access_code=c0de", store, 1010.0)
    http = ScriptedHttp({"/auth/token": json_response(200, TOKENS)})
    result = asyncio.run(flow.finish_callback(callback, http, sessions, 1010.0))
    assert result.new_login and result.session.token == "a" * 42
    assert sessions.load() == result.session and http.paths() == ["/auth/token"]


@pytest.mark.parametrize("login_id, mode", [(None, "redirect"), ("L1", "popup")])
def test_a_failed_login_keeps_its_login_mode_and_choices(login_id: str | None, mode: str) -> None:
    store = TransactionStore(MemoryStorage())
    store.save(transaction(login_id, storage="local"))
    callback = flow.take_callback(CALLBACK + "?access_code=c0de", store, 1010.0, login_id)
    http = ScriptedHttp({"/auth/token": None})  # the server is down
    with pytest.raises(ServerUnavailable) as caught:
        asyncio.run(flow.finish_callback(callback, http, SessionStore(MemoryStorage(),
                                                                      MemoryStorage()), 1010.0))
    assert caught.value.login_settings == Settings(SERVER, "demo-app", "s3cret", "deployed",
                                                   "local", login_mode=mode)  # type: ignore[arg-type]


def test_tokens_that_cannot_be_stored_are_revoked_even_when_the_revocation_fails() -> None:
    ss = MemoryStorage()
    store = TransactionStore(ss)
    store.save(transaction())
    callback = flow.take_callback(CALLBACK + "?access_code=c0de", store, 1010.0)
    http = ScriptedHttp({"/auth/token": json_response(200, TOKENS), "/auth/logout": None})
    with pytest.raises(StorageUnavailable) as caught:  # the logout's failure is not raised
        asyncio.run(flow.finish_callback(callback, http, SessionStore(FullStorage(),
                                                                      FullStorage()), 1010.0))
    assert http.paths() == ["/auth/token", "/auth/logout"]
    assert json.loads(http.sent[1].body or "") == {"token": "a" * 42,
                                                   "refreshToken": "b" * 42}  # both tokens
    assert caught.value.return_to == PAGE + "?tab=2"
    assert caught.value.login_settings is not None
    assert caught.value.login_settings.server_url == SERVER


# -- logout -----------------------------------------------------------------------------

def session() -> Session:
    return Session(SERVER, "demo-app", "t1", "r1", "s3cret", "auto", "session", 1.0)


def test_a_server_error_on_logout_is_not_taken_for_a_dead_token() -> None:
    for status in (500, 503):
        ss = MemoryStorage()
        SessionStore(ss, MemoryStorage()).save(session())
        http = ScriptedHttp({"/auth/logout": HttpResponse(status, {}, "down"),
                             "/auth/token": json_response(200, {"token": "t2"})})
        asyncio.run(client(http, ss).logout())
        assert http.paths() == ["/auth/logout"] and ss.data == {}


def test_the_refresh_before_a_second_logout_names_the_app_and_its_secret() -> None:
    ss = MemoryStorage()
    SessionStore(ss, MemoryStorage()).save(session())
    http = ScriptedHttp({"/auth/logout": HttpResponse(400, {}, "expired"),
                         "/auth/token": json_response(200, {"token": "t2"})})
    asyncio.run(client(http, ss).logout())
    assert json.loads(http.sent[1].body or "{}") == {
        "appId": "demo-app", "appSecret": "s3cret", "refreshToken": "r1"}


# -- the popup's contract with the browser -------------------------------------------------

def test_the_popup_marker_is_the_login_id_under_login(fake_browser: FakeBrowser) -> None:
    from pyapp.browser.popup import BrowserPopups

    BrowserPopups().open("login-1")
    (_, _, _, inherited), = fake_browser.window.opened
    assert json.loads(inherited or "") == {"login": "login-1"}  # what popup-callback.js reads


def test_popup_features_never_place_the_window_off_screen() -> None:
    features = dict(item.split("=") for item in popup.popup_features(0, 0, 300, 300).split(","))
    assert features == {"popup": "yes", "width": "500", "height": "640", "left": "0",
                        "top": "0", "location": "yes", "resizable": "yes", "scrollbars": "yes"}


def test_the_page_client_opens_login_popups(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import make_client

    fake_browser.location.href = PAGE
    page_client = make_client(Settings(SERVER, "demo-app", login_mode="popup"))
    page_client.login().close()  # the window opens during the call; nothing is awaited here
    assert len(fake_browser.window.opened) == 1 and fake_browser.location.assigned == []


def test_a_rejection_at_the_deployed_endpoint_names_it() -> None:
    from pyapp.errors import ExchangeRejected

    store = TransactionStore(MemoryStorage())
    store.save(transaction())
    callback = flow.take_callback(CALLBACK + "?access_code=c0de", store, 1010.0)
    http = ScriptedHttp({"/auth/token": json_response(401, {"err": "Access code expired"})})
    with pytest.raises(ExchangeRejected) as caught:
        asyncio.run(flow.finish_callback(callback, http, SessionStore(MemoryStorage(),
                                                                      MemoryStorage()), 1010.0))
    assert (caught.value.endpoint, caught.value.status) == ("/auth/token", 401)


def test_a_server_without_the_chosen_documented_endpoint_is_named() -> None:
    from pyapp.errors import EndpointNotSupported
    from tests.unit.fakes import html_response

    store = TransactionStore(MemoryStorage())
    store.save(dataclasses.replace(transaction(), dialect="documented"))
    callback = flow.take_callback(CALLBACK + "?access_code=c0de", store, 1010.0)
    http = ScriptedHttp({"/oauth/token": html_response(404)})
    with pytest.raises(EndpointNotSupported) as caught:
        asyncio.run(flow.finish_callback(callback, http, SessionStore(MemoryStorage(),
                                                                      MemoryStorage()), 1010.0))
    assert (caught.value.server_url, caught.value.reason) == (SERVER, "documented_chosen")


def test_a_graphql_failure_answered_with_a_server_error_is_worth_a_retry() -> None:
    from pyapp.graphql import read_graphql_response

    answer = json_response(500, {"errors": [{"message": "Internal error"}]})
    with pytest.raises(ServerUnavailable) as caught:
        read_graphql_response(answer)
    assert (caught.value.reason, caught.value.status, caught.value.server_message) == (
        "server_error", 500, "Internal error")
