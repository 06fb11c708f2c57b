"""What is kept in Web Storage: one session in one place, a transaction that expires."""

from __future__ import annotations

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
    store.save(session("session"))
    store.save(session("local"))
    assert SESSION_KEY not in ss.data and store.load() == session("local")
    store.save(session("session"))
    assert SESSION_KEY not in ls.data and store.load() == session("session")
    ss.set(TRANSACTION_KEY, "{}")
    store.save(session("local"))
    assert ss.data == {TRANSACTION_KEY: "{}"}
