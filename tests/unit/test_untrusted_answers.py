"""Answers from a server are untrusted: whatever their shape, size or depth, reading them
ends in a typed error or a value, never a crash, and nothing unusable is stored.

Each finding reproduced in a browser has a test here: JSON nested 200,000 deep, GraphQL
``errors``/``extensions`` of the wrong type, and a token with CR/LF in it.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyapp import protocol, safe_json
from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import (
    ExchangeRejected,
    GraphQLError,
    MissingScope,
    ServerUnavailable,
    SpeckleError,
    UnusableResponse,
)
from pyapp.graphql import read_graphql_response
from pyapp.ports import HttpResponse
from pyapp.speckle_api import parse_projects, parse_viewer
from pyapp.stores import Session, SessionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response

SERVER = "http://127.0.0.1:8001"
DEEP = "[" * 200_000 + "]" * 200_000


def answer(status: int, text: str) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, text)


# -- nesting ----------------------------------------------------------------------------------


def test_deep_json_is_refused_before_parsing_not_a_recursion_error() -> None:
    limit = sys.getrecursionlimit()
    with pytest.raises(safe_json.TooDeep):
        safe_json.loads(DEEP)
    with pytest.raises(UnusableResponse):
        answer(200, DEEP).json_object()
    assert sys.getrecursionlimit() == limit


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"name": "[" * 10_000, "q": '\\"{' * 500})
    assert safe_json.loads(text)["name"] == "[" * 10_000


def test_depth_at_the_limit_is_read() -> None:
    depth = safe_json.MAX_DEPTH
    assert safe_json.loads("[" * depth + "]" * depth) is not None
    with pytest.raises(safe_json.TooDeep):
        safe_json.loads("[" * (depth + 1) + "]" * (depth + 1))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                  max_size=4),
    max_leaves=20,
)


@given(JSON)
def test_safe_json_reads_whatever_json_reads(value: Any) -> None:
    text = json.dumps(value)
    assert safe_json.loads(text) == json.loads(text)


@given(st.text(alphabet='[]{}",:\\ 0a', max_size=400) | st.text(max_size=60))
def test_safe_json_fails_only_with_value_error(text: str) -> None:
    try:
        value = safe_json.loads(text)
    except ValueError:
        return  # TooDeep included: never RecursionError, TypeError, ...
    assert value == json.loads(text)


# -- GraphQL answers --------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    {"errors": 5},
    {"errors": "boom"},
    {"errors": [5, None]},
    {"errors": [{"extensions": "x"}]},
    {"errors": [{"message": 7, "extensions": {"code": "FORBIDDEN", "scope": ["x"]}}]},
    {"errors": {"message": "x"}},
])
def test_odd_graphql_errors_are_a_graphql_error(body: dict[str, Any]) -> None:
    with pytest.raises(GraphQLError) as info:
        read_graphql_response(json_response(200, body))
    assert str(info.value)


def test_forbidden_scope_still_names_the_scope() -> None:
    body = {"data": {"activeUser": None}, "errors": [
        "junk", {"extensions": {"code": "FORBIDDEN", "scope": "profile:email"}}]}
    with pytest.raises(MissingScope) as info:
        read_graphql_response(json_response(200, body))
    assert info.value.scope == "profile:email"


STATUSES = st.sampled_from([200, 400, 401, 403, 404, 500, 502])
BODIES = st.one_of(
    JSON.map(json.dumps),
    st.dictionaries(st.sampled_from(["data", "errors", "error", "extensions", "message"]),
                    JSON).map(json.dumps),
    st.builds(lambda errs: json.dumps({"errors": errs}),
              st.lists(st.dictionaries(st.sampled_from(["message", "extensions", "path"]),
                                       JSON | st.dictionaries(st.sampled_from(
                                           ["code", "scope"]), JSON)), max_size=3)),
    st.text(max_size=30),
)


@given(STATUSES, BODIES)
def test_any_graphql_answer_gives_data_or_a_typed_error(status: int, text: str) -> None:
    try:
        data = read_graphql_response(answer(status, text))
    except SpeckleError:
        return
    assert isinstance(data, dict) and status < 400
    parse_viewer(data)  # and the views built from it never raise either
    parse_projects(data)


PAGE_SHAPES = st.dictionaries(st.sampled_from(["items", "totalCount", "cursor"]), JSON)
USER_SHAPES = st.dictionaries(
    st.sampled_from(["id", "name", "avatar", "projects"]), JSON | PAGE_SHAPES)


@given(st.dictionaries(st.sampled_from(["serverInfo", "activeUser"]), JSON | USER_SHAPES))
def test_views_of_any_data_never_raise(data: dict[str, Any]) -> None:
    viewer = parse_viewer(data)
    assert viewer.projects is None or isinstance(viewer.projects.total_count, int)
    parse_projects(data)


# -- token answers ----------------------------------------------------------------------------


@pytest.mark.parametrize("token", [
    "abc\r\nX-Injected: 1", "a b", "a\tb", "tökén", "", "x" * 5000, 42, None, ["t"],
])
def test_a_token_of_an_impossible_shape_is_refused(token: object) -> None:
    body = {"token": token, "refreshToken": "r" * 42}
    with pytest.raises(ServerUnavailable):
        protocol.read_token_response(json_response(200, body))


def test_a_refresh_token_of_an_impossible_shape_is_refused() -> None:
    with pytest.raises(UnusableResponse):
        protocol.read_token_response(json_response(200, {"token": "t" * 42,
                                                         "refreshToken": "r\nr"}))


@given(STATUSES, BODIES | st.fixed_dictionaries(
    {"token": st.text(max_size=50), "refreshToken": st.none() | st.text(max_size=50)}
).map(json.dumps))
def test_any_token_answer_gives_shaped_tokens_or_a_typed_error(status: int, text: str) -> None:
    try:
        tokens = protocol.read_token_response(answer(status, text))
    except (ServerUnavailable, ExchangeRejected):
        return
    assert protocol.is_token_shaped(tokens.token) and 200 <= status < 300
    assert tokens.refresh_token is None or protocol.is_token_shaped(tokens.refresh_token)


def test_token_requests_bound_their_answers_tightly_and_graphql_generously() -> None:
    token = protocol.documented_token_request(SERVER, "a", "c", "v")
    logout = protocol.logout_request(SERVER, "t", "r")
    assert token.max_response_bytes == logout.max_response_bytes <= 16 * 1024
    from pyapp.graphql import graphql_request

    assert 1024 * 1024 < graphql_request(SERVER, "{x}", None, "t").max_response_bytes <= (
        16 * 1024 * 1024)


# -- a session whose answers are unusable can still be logged out of ---------------------------


def test_unusable_answers_leave_logout_working() -> None:
    http = ScriptedHttp({"/graphql": answer(200, DEEP),
                         "/auth/logout": json_response(200, {"message": "ok"})})
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(Session(SERVER, "demo-app", "t" * 42, None, None, "auto",
                                      "session", 1.0))
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                           navigator=FakeNavigator(SERVER), session_storage=ss,
                           local_storage=ls)
    with pytest.raises(UnusableResponse):
        asyncio.run(client.viewer())
    assert client.signed_in  # the token may be fine: the answer was not
    asyncio.run(client.logout())
    assert not client.signed_in and ss.data == {} and ls.data == {}
    assert http.paths()[-1] == "/auth/logout"


def test_an_unusable_documented_answer_is_not_taken_for_a_missing_endpoint() -> None:
    from pyapp import flow
    from pyapp.stores import LoginTransaction

    txn = LoginTransaction("v" * 43, "c&code_challenge_method=S256", SERVER, "demo-app", "sec",
                           "auto", "session", "http://127.0.0.1:8000/", 1.0)
    http = ScriptedHttp({"/oauth/token": answer(200, DEEP),
                         "/graphql": json_response(200, {"data": {}})})
    with pytest.raises(UnusableResponse):
        asyncio.run(flow.exchange_code(http, txn, "code"))
    assert http.paths() == ["/oauth/token"]  # no probe, no second exchange elsewhere
