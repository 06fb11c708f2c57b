"""What a refused server answer records: its reason, status and endpoint, and the bounds
that decide it (token length, the size of token answers)."""

from __future__ import annotations

import pytest

from pyapp import protocol
from pyapp.errors import (
    MissingScope,
    UnusableResponse,
)
from pyapp.graphql import read_graphql_response
from pyapp.ports import HttpResponse
from tests.unit.fakes import json_response

SERVER = "https://speckle.example"


def test_a_token_is_one_to_the_maximum_number_of_visible_characters() -> None:
    longest = "t" * protocol.TOKEN_MAX_LENGTH
    assert protocol.is_token_shaped(longest) and protocol.is_token_shaped("t")
    assert not protocol.is_token_shaped(longest + "t") and not protocol.is_token_shaped("")


def test_every_token_request_accepts_only_a_small_answer() -> None:
    requests = [
        protocol.documented_token_request(SERVER, "app", "code", "v" * 43),
        protocol.deployed_token_request(SERVER, "app", "secret", "code", "segment"),
        protocol.refresh_request(SERVER, "app", "secret", "r1"),
        protocol.logout_request(SERVER, "t1", "r1"),
    ]
    assert {r.max_response_bytes for r in requests} == {protocol.TOKEN_RESPONSE_MAX_BYTES}
    assert protocol.TOKEN_RESPONSE_MAX_BYTES <= 64 * 1024


def test_a_token_of_an_impossible_shape_is_refused_with_its_facts() -> None:
    answer = json_response(201, {"token": "a b"})
    with pytest.raises(UnusableResponse) as caught:
        protocol.read_token_response(answer, "/auth/token")
    assert (caught.value.reason, caught.value.status, caught.value.endpoint) == (
        "token_shape", 201, "/auth/token")


def test_an_answer_nested_too_deeply_is_refused_with_its_status() -> None:
    answer = HttpResponse(200, {"content-type": "application/json"}, "[" * 10_000)
    with pytest.raises(UnusableResponse) as caught:
        answer.json_object()
    assert (caught.value.reason, caught.value.status) == ("too_deep", 200)


def test_a_missing_scope_is_found_among_other_errors() -> None:
    answer = json_response(200, {"data": {"activeUser": None}, "errors": [
        {"message": "Something else"},
        {"message": "Forbidden", "extensions": {"code": "FORBIDDEN", "scope": "profile:email"}},
    ]})
    with pytest.raises(MissingScope) as caught:
        read_graphql_response(answer)
    assert caught.value.scope == "profile:email"
    assert caught.value.data == {"activeUser": None}
