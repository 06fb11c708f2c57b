"""What is kept in Web Storage: one session in one place, a transaction that expires."""

from __future__ import annotations

import json

from pyapp.stores import (
    SESSION_KEY,
    TRANSACTION_KEY,
    TRANSACTION_MAX_AGE_SECONDS,
    LoginTransaction,
    Session,
    SessionStore,
    TransactionStore,
)
from tests.unit.fakes import MemoryStorage

TXN = LoginTransaction("v" * 43, "c" * 43, "https://x.example", "app", None, "auto", "session",
                       "https://site.example/", 100.0)


def session(storage: str) -> Session:
    return Session("https://x.example", "app", "t", None, None, "auto", storage, 1.0)  # type: ignore[arg-type]


def test_a_transaction_is_good_up_to_its_maximum_age() -> None:
    store = TransactionStore(MemoryStorage())
    store.save(TXN)
    assert store.take(100.0 + TRANSACTION_MAX_AGE_SECONDS) == TXN
    store.save(TXN)
    assert store.take(100.0 + TRANSACTION_MAX_AGE_SECONDS + 1) is None
    assert store.take(100.0) is None  # taken means gone


def test_discard_forgets_the_transaction_only() -> None:
    storage = MemoryStorage()
    store = TransactionStore(storage)
    store.save(TXN)
    storage.set("other", "kept")
    store.discard()
    assert storage.data == {"other": "kept"} and store.take(100.0) is None


def test_a_session_lives_in_one_storage_at_a_time() -> None:
    ss, ls = MemoryStorage(), MemoryStorage()
    store = SessionStore(ss, ls)
    store.save(session("local"))
    store.save(session("session"))
    assert SESSION_KEY not in ls.data and store.load() == session("session")
    ss.set(TRANSACTION_KEY, "{}")
    store.save(session("local"))
    assert set(ss.data) == {TRANSACTION_KEY, SESSION_KEY} and store.load() == session("local")


def signed_in(refresh_token_at_rest: bool = False) -> Session:
    return Session("https://x.example", "app", "t" * 42, "r" * 42, "s3cret", "auto", "local",
                   1.0, refresh_token_at_rest)


def test_staying_signed_in_keeps_only_the_access_token_where_every_page_can_read() -> None:
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(signed_in())
    at_rest = json.loads(ls.data[SESSION_KEY])
    assert at_rest["token"] == "t" * 42
    assert at_rest["refresh_token"] is None and at_rest["app_secret"] is None
    assert "r" * 42 not in ls.data[SESSION_KEY] and "s3cret" not in ls.data[SESSION_KEY]
    # This tab keeps what refreshing needs; another tab (or a later visit) has the token only.
    assert SessionStore(ss, ls).load() == signed_in()
    other_tab = SessionStore(MemoryStorage(), ls).load()
    assert other_tab is not None and other_tab.token == "t" * 42
    assert other_tab.refresh_token is None and other_tab.app_secret is None


def test_a_site_that_opts_in_by_name_keeps_the_refresh_token_at_rest() -> None:
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(signed_in(refresh_token_at_rest=True))
    assert SessionStore(MemoryStorage(), ls).load() == signed_in(refresh_token_at_rest=True)


def test_a_tab_forgets_its_copy_once_another_tab_logged_out() -> None:
    ss, ls = MemoryStorage(), MemoryStorage()
    store = SessionStore(ss, ls)
    store.save(signed_in())
    SessionStore(MemoryStorage(), ls).clear_all()  # "Log out" in another tab
    assert store.load() is None and SESSION_KEY not in ss.data
    # A session kept in this tab only does not depend on localStorage.
    store.save(session("session"))
    assert store.load() == session("session")
