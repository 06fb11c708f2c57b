"""Stored records checked field by field, purged when due, and named in the notices."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from pyapp.stores import (
    SESSION_KEY,
    TRANSACTION_KEY,
    SessionStore,
    TransactionStore,
    _dump,
)
from tests.unit.fakes import MemoryStorage
from tests.unit.sample_records import SESSION, TXN


class CountingStorage(MemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def set(self, key: str, value: str) -> None:
        self.writes += 1
        super().set(key, value)


@pytest.mark.parametrize("field", ["verifier", "server_url", "app_id"])
def test_a_transaction_missing_a_part_is_not_used(field: str) -> None:
    storage = MemoryStorage()
    storage.set(TRANSACTION_KEY, _dump(dataclasses.replace(TXN, **{field: ""})))
    assert TransactionStore(storage).take(1010.0) is None


@pytest.mark.parametrize("field", ["server_url", "app_id"])
def test_a_session_without_its_server_or_app_is_removed(field: str) -> None:
    storage = MemoryStorage()
    storage.set(SESSION_KEY, _dump(dataclasses.replace(SESSION, **{field: ""})))
    assert SessionStore(storage, MemoryStorage()).load() is None
    assert SESSION_KEY not in storage.data


def test_a_transaction_dated_within_the_allowed_clock_skew_is_valid() -> None:
    from pyapp.stores import _CLOCK_SKEW_SECONDS

    # Another tab's clock may run a little ahead: up to the allowed skew, exactly included.
    ahead = dataclasses.replace(TXN, created_at=1000.0 + _CLOCK_SKEW_SECONDS)
    assert not ahead.expired(1000.0)
    assert dataclasses.replace(TXN, created_at=1000.0 + _CLOCK_SKEW_SECONDS + 1).expired(1000.0)


def test_purge_says_whether_it_removed_anything() -> None:
    storage = MemoryStorage()
    store = TransactionStore(storage)
    assert store.purge(1010.0) is False  # nothing stored
    store.save(TXN)
    assert store.purge(1010.0) is False and TRANSACTION_KEY in storage.data  # still in time
    assert store.purge(1000.0 + 10 * 24 * 3600) is True and TRANSACTION_KEY not in storage.data
    storage.set(TRANSACTION_KEY, "not json")
    assert store.purge(1010.0) is True and storage.data == {}


def test_notices_name_the_kind_of_record_removed(caplog: pytest.LogCaptureFixture) -> None:
    storage = MemoryStorage()
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        storage.set(TRANSACTION_KEY, "[]")
        TransactionStore(storage).take(1010.0)
        storage.set(TRANSACTION_KEY, "[]")
        TransactionStore(storage).purge(1010.0)
        storage.set(SESSION_KEY, "[]")
        SessionStore(storage, MemoryStorage()).load()
    assert [r.getMessage() for r in caplog.records] == [
        "pyapp: removed a stored login that is not a record",
        "pyapp: removed a stored login that is not a record",
        "pyapp: removed a stored session that is not a record",
    ]
    assert all(r.name == "pyapp" for r in caplog.records)


def test_a_current_session_is_read_without_being_rewritten(caplog: pytest.LogCaptureFixture
                                                           ) -> None:
    storage = CountingStorage()
    SessionStore(storage, MemoryStorage()).save(SESSION)
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        assert SessionStore(storage, MemoryStorage()).load() == SESSION
    assert storage.writes == 1 and caplog.records == []


def test_notices_go_to_the_page_sink_when_there_is_one() -> None:
    from pyapp import notices

    heard: list[str] = []
    notices.use_sink(heard.append)
    try:
        notices.notice("something to know")
    finally:
        notices.use_sink(None)
    assert heard == ["pyapp: something to know"]
