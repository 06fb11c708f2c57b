"""Storage blocked or full: a clear, typed error, and nothing half-stored.

A browser that blocks site data throws ``SecurityError`` on any touch of Web Storage; a full
one throws ``QuotaExceededError`` from ``setItem``. The browser adapter turns both into
``StorageUnavailable``; these tests play that adapter with plain Python.
"""

from __future__ import annotations

import asyncio

import pytest

from pyapp import flow
from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import StorageUnavailable
from pyapp.messages import message_for
from pyapp.stores import TRANSACTION_KEY, TransactionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response

SERVER = "http://127.0.0.1:8001"
CALLBACK = "http://127.0.0.1:8000/callback.html"


class FullStorage(MemoryStorage):
    """Reads and removals work; every write fails, as with QuotaExceededError."""

    def set(self, key: str, value: str) -> None:
        raise StorageUnavailable(full=True)


class BlockedStorage(MemoryStorage):
    """Every use fails, as with SecurityError."""

    def _refuse(self, *args: object) -> None:
        raise StorageUnavailable()

    get = set = remove = keys = _refuse  # type: ignore[assignment]


def test_messages_say_what_to_do() -> None:
    blocked = message_for(StorageUnavailable())
    assert "blocking site storage, which signing in needs" in blocked.detail
    assert "full" in message_for(StorageUnavailable(full=True)).detail


def test_a_full_storage_refuses_the_login_before_leaving() -> None:
    storage = FullStorage()
    with pytest.raises(StorageUnavailable):
        asyncio.run(flow.start_login(Settings(SERVER, "demo-app"), PythonCrypto(),
                                     TransactionStore(storage), CALLBACK, 1.0))
    assert storage.data == {}


def start(session_storage: MemoryStorage) -> None:
    asyncio.run(flow.start_login(Settings(SERVER, "demo-app"), PythonCrypto(),
                                 TransactionStore(session_storage), "http://127.0.0.1:8000/",
                                 1.0))


def callback_client(session_storage: MemoryStorage, http: ScriptedHttp,
                    nav: FakeNavigator) -> SpeckleClient:
    return SpeckleClient(None, crypto=PythonCrypto(), http=http, navigator=nav,
                         session_storage=session_storage, local_storage=MemoryStorage(),
                         clock=lambda: 5.0)


def test_tokens_that_cannot_be_stored_are_revoked_at_once() -> None:
    ss = MemoryStorage()
    start(ss)
    full = FullStorage()
    full.data = ss.data  # the transaction is there; the session cannot be written
    http = ScriptedHttp({
        "/oauth/token": json_response(200, {"token": "t" * 42, "refreshToken": "r" * 42}),
        "/auth/logout": json_response(200, {"message": "You have logged out."}),
    })
    nav = FakeNavigator(CALLBACK + "?access_code=c0de")
    with pytest.raises(StorageUnavailable) as info:
        asyncio.run(callback_client(full, http, nav).complete_login())
    assert info.value.return_to == "http://127.0.0.1:8000/"
    assert http.paths() == ["/oauth/token", "/auth/logout"]
    assert http.sent[1].body is not None and "t" * 42 in http.sent[1].body
    assert full.data == {} and nav.url == CALLBACK


def test_a_blocked_storage_on_the_callback_still_cleans_the_address_bar() -> None:
    nav = FakeNavigator(CALLBACK + "?access_code=c0de")
    with pytest.raises(StorageUnavailable):
        asyncio.run(callback_client(BlockedStorage(), ScriptedHttp({}), nav).complete_login())
    assert nav.url == CALLBACK


def test_logout_with_a_blocked_storage_does_not_raise() -> None:
    blocked = BlockedStorage()
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(),
                           http=ScriptedHttp({}), navigator=FakeNavigator(CALLBACK),
                           session_storage=blocked, local_storage=blocked)
    asyncio.run(client.logout())  # nothing can have been stored: nothing to complain about
    assert client._http.sent == []  # type: ignore[attr-defined]


def test_nothing_of_a_transaction_is_left_when_the_write_fails() -> None:
    storage = FullStorage()
    with pytest.raises(StorageUnavailable):
        start(storage)
    assert TRANSACTION_KEY not in storage.data
