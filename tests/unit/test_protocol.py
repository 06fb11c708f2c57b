"""Request builders and response readers of both token dialects."""

import json

import pytest

from pyapp import protocol
from pyapp.errors import (
    EndpointNotSupported,
    ExchangeRejected,
    ServerUnavailable,
    TokenEndpointUnreachable,
)
from pyapp.messages import message_for
from pyapp.ports import HttpResponse
from tests.unit.fakes import html_response, json_response

SERVER = "https://speckle.example"


def test_authorization_url_is_exactly_the_documented_form() -> None:
    url = protocol.authorization_url(
        SERVER, "abc123", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    assert url == (
        "https://speckle.example/authn/verify/abc123/"
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )
    assert "?" not in url


def test_documented_request() -> None:
    req = protocol.documented_token_request(SERVER, "app", "c0de", "verif")
    assert (req.method, req.url) == ("POST", f"{SERVER}/oauth/token")
    assert req.headers["Content-Type"] == "application/json"
    assert json.loads(req.body or "") == {
        "appId": "app",
        "accessCode": "c0de",
        "codeVerifier": "verif",
    }


def test_deployed_request_sends_the_whole_segment_as_challenge() -> None:
    seg = protocol.challenge_segment("chal")
    req = protocol.deployed_token_request(SERVER, "app", "sec", "c0de", seg)
    assert req.url == f"{SERVER}/auth/token"
    assert json.loads(req.body or "") == {
        "appId": "app",
        "appSecret": "sec",
        "accessCode": "c0de",
        "challenge": "chal&code_challenge_method=S256",
    }


def test_refresh_and_logout_requests() -> None:
    r = protocol.refresh_request(SERVER, "app", "sec", "rt")
    assert json.loads(r.body or "") == {"appId": "app", "appSecret": "sec", "refreshToken": "rt"}
    lo = protocol.logout_request(SERVER, "tok", "rt")
    assert lo.url == f"{SERVER}/auth/logout"
    assert json.loads(lo.body or "") == {"token": "tok", "refreshToken": "rt"}


def test_success() -> None:
    tokens = protocol.read_token_response(
        json_response(200, {"token": "t" * 42, "refreshToken": "r" * 42})
    )
    assert tokens == protocol.Tokens("t" * 42, "r" * 42)


@pytest.mark.parametrize(
    "body,message",
    [
        ({"err": "Access code not found."}, "Access code not found."),
        ({"err": "Code challenge mismatch. Nope."}, "Code challenge mismatch. Nope."),
        ({"error": "Your token is not valid."}, "Your token is not valid."),
        ({}, None),
    ],
)
def test_json_rejections_carry_the_server_message(body: dict[str, str], message: str | None
                                                  ) -> None:
    with pytest.raises(ExchangeRejected) as info:
        protocol.read_token_response(json_response(401, body), "/oauth/token")
    rejected = info.value
    assert (rejected.server_message, rejected.status, rejected.endpoint) == (
        message, 401, "/oauth/token")
    assert str(rejected) == (message or "The server refused the sign-in (HTTP 401).")


@pytest.mark.parametrize(
    "response",
    [
        html_response(404, "Cannot POST /oauth/token"),
        HttpResponse(500, {"content-type": "text/plain"}, "Internal Server Error"),
        HttpResponse(200, {"content-type": "text/html"}, "<!doctype html><title>Speckle</title>"),
        HttpResponse(504, {}, ""),
        json_response(500, {"err": "boom"}),
        json_response(200, {"nothing": "here"}),
    ],
)
def test_failures_that_are_worth_a_retry(response: HttpResponse) -> None:
    with pytest.raises(ServerUnavailable):
        protocol.read_token_response(response)


@pytest.mark.parametrize(
    "response,absent,missing_route",
    [
        (html_response(404, "Cannot POST /oauth/token"), True, True),
        (HttpResponse(504, {"content-type": "text/plain"}, "Gateway Timeout"), True, True),
        (HttpResponse(200, {"content-type": "text/html"}, "<!doctype html>"), True, True),
        (HttpResponse(405, {}, ""), True, True),
        (HttpResponse(500, {"content-type": "text/plain"}, "oops"), True, False),
        (json_response(401, {"err": "Access code not found."}), False, False),
        (json_response(200, {"token": "t"}), False, False),
    ],
)
def test_documented_endpoint_absence(
    response: HttpResponse, absent: bool, missing_route: bool
) -> None:
    assert protocol.is_documented_endpoint_absent(response) is absent
    if absent:
        assert protocol.looks_like_missing_route(response) is missing_route


def test_logout_without_a_refresh_token_sends_an_empty_one() -> None:
    request = protocol.logout_request(SERVER, "tok", None)
    assert json.loads(request.body or "") == {"token": "tok", "refreshToken": ""}


def test_the_server_message_comes_from_err_error_or_message_in_that_order() -> None:
    assert protocol.server_message({"message": " Gone. "}) == "Gone."
    assert protocol.server_message({"message": "m", "error": "e"}) == "e"
    assert protocol.server_message({"err": "x", "error": "e", "message": "m"}) == "x"
    assert protocol.server_message({"err": "  ", "error": 5, "message": None}) is None


@pytest.mark.parametrize("response, missing_route", [
    (HttpResponse(404, {}, ""), True),
    (HttpResponse(501, {}, ""), True),
    (HttpResponse(502, {}, ""), False),
    (HttpResponse(503, {"content-type": "text/html"}, "<html>"), False),
    (HttpResponse(204, {}, ""), False),
    (HttpResponse(299, {"content-type": "text/html"}, "<html>"), True),
    (HttpResponse(300, {"content-type": "text/html"}, "<html>"), False),
    (HttpResponse(302, {"content-type": "text/html"}, "<html>"), False),
])
def test_which_non_json_answers_mean_no_such_route(response: HttpResponse,
                                                   missing_route: bool) -> None:
    assert protocol.looks_like_missing_route(response) is missing_route


@pytest.mark.parametrize("response, status, reason, said", [
    (html_response(404, "Cannot POST /oauth/token"), 404, "not_json", None),
    (HttpResponse(502, {}, ""), 502, "not_json", None),
    (json_response(500, {}), 500, "server_error", None),
    (json_response(300, {"token": "t"}), 300, "server_error", None),
    (json_response(503, {"err": "Db down."}), 503, "server_error", "Db down."),
])
def test_failures_name_the_status(response: HttpResponse, status: int, reason: str,
                                  said: str | None) -> None:
    with pytest.raises(ServerUnavailable) as info:
        protocol.read_token_response(response, "/auth/token")
    failure = info.value
    assert (failure.status, failure.reason, failure.server_message) == (status, reason, said)
    assert failure.endpoint == "/auth/token"
    assert f"(HTTP {status})" in message_for(failure).technical
    assert (said or "the sign-in") in str(failure)


@pytest.mark.parametrize("body", [{"token": ""}, {"token": 7}, {"token": None}])
def test_no_usable_token_is_not_a_success(body: dict[str, object]) -> None:
    with pytest.raises(ServerUnavailable):
        protocol.read_token_response(json_response(200, body))


@pytest.mark.parametrize("refresh", ["", None, 5])
def test_an_unusable_refresh_token_is_none(refresh: object) -> None:
    tokens = protocol.read_token_response(json_response(201, {"token": "t",
                                                              "refreshToken": refresh}))
    assert tokens == protocol.Tokens("t", None)


def test_endpoint_errors_say_what_to_configure() -> None:
    for error in (EndpointNotSupported(SERVER, "no_app_secret"),
                  TokenEndpointUnreachable(server_url=SERVER)):
        assert error.server_url == SERVER
        owner = message_for(error, editable=True).detail
        assert all(part in owner for part in (SERVER, "/oauth/token", "/auth/token", "App secret"))
    assert "try again" in message_for(TokenEndpointUnreachable(server_url=SERVER),
                                      editable=True).detail
