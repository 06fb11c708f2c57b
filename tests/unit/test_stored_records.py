"""What pyapp keeps in Web Storage: versioned records, checked when read back, removed when
unusable or expired, and a session used only by a page set up for its server and app."""

from __future__ import annotations

import asyncio
import json
from dataclasses import MISSING, asdict, fields, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.messages import message_for
from pyapp.stores import (
    SCHEMA_VERSION,
    SESSION_KEY,
    TRANSACTION_KEY,
    TRANSACTION_MAX_AGE_SECONDS,
    Session,
    SessionStore,
    TransactionStore,
)
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response
from tests.unit.sample_records import SERVER, SESSION, TXN


def client(ss: MemoryStorage, settings: Settings | None, now: float = 1000.0,
           http: ScriptedHttp | None = None) -> SpeckleClient:
    return SpeckleClient(settings, crypto=PythonCrypto(), http=http or ScriptedHttp({}),
                         navigator=FakeNavigator(SERVER), session_storage=ss,
                         local_storage=MemoryStorage(), clock=lambda: now)


# -- schema versions --------------------------------------------------------------------------


def test_records_carry_the_schema_version() -> None:
    ss = MemoryStorage()
    SessionStore(ss, MemoryStorage()).save(SESSION)
    TransactionStore(ss).save(TXN)
    assert json.loads(ss.data[SESSION_KEY])["v"] == SCHEMA_VERSION
    assert json.loads(ss.data[TRANSACTION_KEY])["v"] == SCHEMA_VERSION


def test_a_record_from_before_versions_is_migrated_with_a_notice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ss = MemoryStorage()
    ss.data[SESSION_KEY] = json.dumps(asdict(SESSION))  # as the previous release wrote it
    assert SessionStore(ss, MemoryStorage()).load() == SESSION
    assert json.loads(ss.data[SESSION_KEY])["v"] == SCHEMA_VERSION
    assert "updated the stored session from schema version 0" in caplog.text


def test_a_record_without_the_fields_that_have_defaults_loads_with_them() -> None:
    # Written before a field with a default existed (refresh_token_at_rest, say).
    ss = MemoryStorage()
    required = {f.name for f in fields(Session) if f.default is MISSING}
    assert required < set(asdict(SESSION))  # there are fields to leave out
    ss.data[SESSION_KEY] = json.dumps(
        {"v": SCHEMA_VERSION, **{k: v for k, v in asdict(SESSION).items() if k in required}})
    assert SessionStore(ss, MemoryStorage()).load() == replace(
        SESSION, **{f.name: f.default for f in fields(Session) if f.name not in required})


@pytest.mark.parametrize("record", [
    {"v": SCHEMA_VERSION + 1, **asdict(SESSION)},
    {"v": "1", **asdict(SESSION)},
    {**asdict(SESSION), "token": "abc\r\ndef"},  # stored by a release without shape checks
    {**asdict(SESSION), "server_url": 5},
    {k: v for k, v in asdict(SESSION).items() if k != "token"},
    [1, 2],
])
def test_an_unusable_session_record_is_removed_with_a_notice(
    record: Any, caplog: pytest.LogCaptureFixture,
) -> None:
    ss = MemoryStorage()
    ss.data[SESSION_KEY] = json.dumps(record)
    assert SessionStore(ss, MemoryStorage()).load() is None
    assert SESSION_KEY not in ss.data
    assert "removed a stored session" in caplog.text


@pytest.mark.parametrize("record, reason, version", [
    ({"v": SCHEMA_VERSION + 1, **asdict(SESSION)}, "newer_schema", SCHEMA_VERSION + 1),
    ({**asdict(SESSION), "token": "abc\r\ndef"}, "unusable_values", 0),
    ({"server": SERVER, "app": "demo-app", "token": "t" * 42}, "wrong_fields", 0),
    ([1, 2], "not_a_record", None),
])
def test_a_dropped_session_is_a_fact_the_page_can_tell(record: Any, reason: str,
                                                       version: object) -> None:
    ss = MemoryStorage()
    ss.data[SESSION_KEY] = json.dumps(record)
    speckle = client(ss, Settings(SERVER, "demo-app"))
    dropped = speckle.dropped_session  # read first: the record is judged when first read
    assert dropped is not None and (dropped.reason, dropped.version) == (reason, version)
    assert dropped.code == "session_dropped" and not speckle.signed_in and ss.data == {}
    message = message_for(dropped)
    assert message.title == "You were signed out" and message.action == "login"
    assert "log in again" in message.detail
    assert speckle.dropped_session is dropped  # still true on the next read: nothing replaced it


def test_nothing_dropped_is_nothing_to_tell() -> None:
    ss = MemoryStorage()
    assert client(ss, Settings(SERVER, "demo-app")).dropped_session is None
    ss.data[SESSION_KEY] = json.dumps(asdict(SESSION))  # migrated, not dropped
    assert client(ss, Settings(SERVER, "demo-app")).dropped_session is None
    # A session for another server or app is kept for the page that made it, not dropped.
    ss.data[SESSION_KEY] = json.dumps({"v": SCHEMA_VERSION, **asdict(SESSION)})
    other = client(ss, Settings("https://other.example", "demo-app"))
    assert not other.signed_in and other.dropped_session is None


def test_a_dropped_session_is_forgotten_once_another_is_stored_or_logged_out_of() -> None:
    ss, local = MemoryStorage(), MemoryStorage()
    store = SessionStore(ss, local)
    ss.data[SESSION_KEY] = json.dumps({"v": SCHEMA_VERSION + 1, **asdict(SESSION)})
    assert store.load() is None and store.dropped is not None
    store.save(SESSION)
    assert store.dropped is None
    ss.data[SESSION_KEY] = "[]"
    assert store.load() is None and store.dropped is not None
    store.clear_all()
    assert store.dropped is None


def test_a_dropped_record_beside_a_good_one_signs_nobody_out() -> None:
    ss, local = MemoryStorage(), MemoryStorage()
    ss.data[SESSION_KEY] = "[]"
    local.data[SESSION_KEY] = json.dumps({"v": SCHEMA_VERSION, **asdict(SESSION)})
    store = SessionStore(ss, local)
    assert store.load() == SESSION and store.dropped is None


def test_deeply_nested_storage_is_removed_not_a_crash() -> None:
    ss = MemoryStorage()
    ss.data[SESSION_KEY] = "[" * 100_000 + "]" * 100_000
    assert SessionStore(ss, MemoryStorage()).load() is None
    assert ss.data == {}


@given(st.one_of(
    st.text(max_size=50),
    st.dictionaries(st.sampled_from([*asdict(SESSION), "v"]),
                    st.none() | st.booleans() | st.integers() | st.floats()
                    | st.text(max_size=50)).map(json.dumps),
))
def test_any_stored_text_loads_as_a_sane_session_or_is_removed(raw: str) -> None:
    ss = MemoryStorage()
    ss.data[SESSION_KEY] = raw
    session = SessionStore(ss, MemoryStorage()).load()
    if session is None:
        assert SESSION_KEY not in ss.data or not raw
    else:
        assert session.is_sane() and json.loads(ss.data[SESSION_KEY])["v"] == SCHEMA_VERSION


# -- lifetimes --------------------------------------------------------------------------------


def test_an_expired_login_is_removed_when_a_page_starts() -> None:
    ss = MemoryStorage()
    TransactionStore(ss).save(TXN)
    client(ss, None, now=TXN.created_at + 60)
    assert TRANSACTION_KEY in ss.data  # a login in progress stays
    client(ss, None, now=TXN.created_at + TRANSACTION_MAX_AGE_SECONDS + 1)
    assert TRANSACTION_KEY not in ss.data  # the verifier and the secret are gone


def test_a_login_dated_in_the_future_is_removed() -> None:
    ss = MemoryStorage()
    TransactionStore(ss).save(TXN)
    client(ss, None, now=TXN.created_at - 3600)
    assert TRANSACTION_KEY not in ss.data


# -- binding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("settings,visible", [
    (Settings(SERVER + "/", "demo-app"), True),
    (Settings("HTTP://127.0.0.1:8001", "demo-app"), True),
    (Settings("http://127.0.0.1:9999", "demo-app"), False),
    (Settings(SERVER, "another-app"), False),
    (Settings("javascript:alert(1)", "demo-app"), False),
    (None, True),  # a page with no settings of its own shows whoever is signed in
])
def test_a_session_is_seen_only_by_a_page_set_up_for_its_server_and_app(
    settings: Settings | None, visible: bool,
) -> None:
    ss = MemoryStorage()
    SessionStore(ss, MemoryStorage()).save(SESSION)
    assert (client(ss, settings).session == SESSION) is visible


def test_a_page_for_another_server_never_sends_the_token() -> None:
    ss = MemoryStorage()
    SessionStore(ss, MemoryStorage()).save(SESSION)
    http = ScriptedHttp({"/graphql": json_response(200, {"data": {}}),
                         "/auth/logout": json_response(200, {})})
    other = client(ss, Settings("https://other.example", "demo-app"), http=http)
    assert not other.signed_in
    assert asyncio.run(other.user()) is None
    asyncio.run(other.logout())
    assert http.sent == []


@given(st.one_of(
    st.text(max_size=50),
    st.dictionaries(st.sampled_from([*asdict(TXN), "v"]),
                    st.none() | st.booleans() | st.integers() | st.floats()
                    | st.text(max_size=50)).map(json.dumps),
    st.builds(lambda changes: json.dumps({"v": 1, **asdict(TXN), **changes}),
              st.dictionaries(st.sampled_from([*asdict(TXN)]),
                              st.none() | st.integers() | st.text(max_size=10), max_size=2)),
), st.floats(min_value=0, max_value=1e10))
def test_any_stored_login_is_taken_once_as_a_sane_record_or_not_at_all(raw: str,
                                                                       now: float) -> None:
    ss = MemoryStorage()
    ss.data[TRANSACTION_KEY] = raw
    txn = TransactionStore(ss).take(now)
    assert TRANSACTION_KEY not in ss.data  # taken, whatever it was
    assert txn is None or (txn.is_sane() and not txn.expired(now))
