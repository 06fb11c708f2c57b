"""Every GraphQL answer shape Speckle gives, mapped to data or a typed error."""

import json

import pytest

from pyapp.errors import GraphQLError, MissingScope, ServerUnavailable, SessionExpired
from pyapp.graphql import graphql_request, read_graphql_response
from pyapp.messages import message_for
from pyapp.ports import HttpResponse
from pyapp.speckle_api import Project, ProjectPage
from tests.unit.fakes import html_response, json_response


def test_request_is_json_with_bearer_header() -> None:
    req = graphql_request("https://s.example", "query Q($a: Int) { x }", {"a": 1}, "tok")
    assert req.url == "https://s.example/graphql" and "tok" not in req.url
    assert req.headers == {"Content-Type": "application/json", "Authorization": "Bearer tok"}
    assert json.loads(req.body or "") == {"query": "query Q($a: Int) { x }", "variables": {"a": 1}}


def test_request_without_token_has_no_authorization() -> None:
    assert "Authorization" not in graphql_request("https://s.example", "{x}", None, None).headers


def test_data() -> None:
    assert read_graphql_response(json_response(200, {"data": {"a": 1}})) == {"a": 1}


def test_invalid_token_403_is_session_expired() -> None:
    with pytest.raises(SessionExpired):
        read_graphql_response(json_response(403, {"error": "Your token is not valid."}))


def test_missing_scope_names_the_scope_and_keeps_partial_data() -> None:
    body = {
        "data": {"activeUser": {"id": "u1", "name": "Ada", "email": None}},
        "errors": [
            {
                "message": "Your auth token does not have the required scope: profile:email.",
                "path": ["activeUser", "email"],
                "extensions": {"code": "FORBIDDEN", "scope": "profile:email", "statusCode": 403},
            }
        ],
    }
    with pytest.raises(MissingScope) as info:
        read_graphql_response(json_response(200, body))
    assert info.value.scope == "profile:email"
    assert info.value.data == body["data"]
    assert "profile:email" in str(info.value)


@pytest.mark.parametrize("code", ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"])
def test_apollo_400s_are_graphql_errors(code: str) -> None:
    body = {
        "errors": [
            {"message": 'Cannot query field "nmae" on type "User".', "extensions": {"code": code}}
        ]
    }
    with pytest.raises(GraphQLError) as info:
        read_graphql_response(json_response(400, body))
    assert info.value.errors[0]["extensions"]["code"] == code
    assert info.value.server_message == body["errors"][0]["message"] == str(info.value)
    assert info.value.status == 400


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(500, {"content-type": "text/plain"}, "Internal Server Error"),
        html_response(200, "<html>frontend</html>"),
        HttpResponse(502, {}, ""),
        json_response(500, {"errors": [{"message": "db down"}]}),
    ],
)
def test_server_failures(response: HttpResponse) -> None:
    with pytest.raises(ServerUnavailable):
        read_graphql_response(response)


# -- "Load more": decided by totalCount, as a real server's last page has a cursor too ------

def _page(total: int, cursor: str | None, items: int) -> ProjectPage:
    return ProjectPage(total, cursor, [Project(str(i), "p", None, "", "") for i in range(items)])


def test_more_projects_while_fewer_are_loaded_than_the_total() -> None:
    assert _page(60, "c", 25).has_more(25)
    assert _page(60, "c", 25).has_more(50)


def test_the_last_page_has_a_cursor_and_no_more() -> None:
    assert not _page(60, "c", 10).has_more(60)


def test_no_cursor_or_an_empty_page_ends_the_list_whatever_the_count() -> None:
    assert not _page(60, None, 25).has_more(25)
    assert not _page(60, "c", 0).has_more(25)

@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_without_graphql_errors_is_session_expired(status: int) -> None:
    for response in (json_response(status, {"error": "no"}), html_response(status)):
        with pytest.raises(SessionExpired) as info:
            read_graphql_response(response)
        assert info.value.status == status and info.value.clears_session


def test_a_403_with_graphql_errors_is_a_graphql_error_not_a_dead_token() -> None:
    with pytest.raises(GraphQLError) as info:
        read_graphql_response(json_response(403, {"errors": [{"message": "Forbidden field."}]}))
    assert (info.value.server_message, info.value.status) == ("Forbidden field.", 403)
    with pytest.raises(ServerUnavailable):
        read_graphql_response(json_response(402, {"error": "Payment required"}))


@pytest.mark.parametrize("response, status", [
    (html_response(200, "<html>frontend</html>"), 200),
    (HttpResponse(502, {}, ""), 502),
    (json_response(200, ["not", "an", "object"]), 200),
])
def test_a_non_json_answer_names_its_status(response: HttpResponse, status: int) -> None:
    with pytest.raises(ServerUnavailable) as info:
        read_graphql_response(response)
    assert (info.value.status, info.value.reason, info.value.endpoint) == (
        status, "not_json", "/graphql")
    assert str(info.value) == (
        f"The Speckle server's GraphQL API did not answer with JSON (HTTP {status}).")


def test_graphql_errors_on_a_5xx_are_a_server_failure_with_its_message() -> None:
    with pytest.raises(ServerUnavailable) as info:
        read_graphql_response(json_response(503, {"errors": [{"message": "Db down."}]}))
    assert (info.value.server_message, info.value.status, info.value.endpoint) == (
        "Db down.", 503, "/graphql")
    assert str(info.value) == "Db down."


def test_graphql_errors_without_a_message() -> None:
    for errors in ([{"extensions": {}}], ["just text"], [{"message": ""}]):
        with pytest.raises(GraphQLError) as info:
            read_graphql_response(json_response(200, {"data": None, "errors": errors}))
        assert info.value.server_message is None
        assert str(info.value) == "The GraphQL request failed."


def test_forbidden_needs_both_the_code_and_a_scope() -> None:
    for extensions in ({"code": "FORBIDDEN"}, {"scope": "profile:read"}):
        body = {"data": None, "errors": [{"message": "No.", "extensions": extensions}]}
        with pytest.raises(GraphQLError):
            read_graphql_response(json_response(200, body))
    body = {"data": None, "errors": ["odd", {"message": "No.", "extensions": {
        "code": "FORBIDDEN", "scope": "streams:read"}}]}
    with pytest.raises(MissingScope) as info:
        read_graphql_response(json_response(200, body))
    assert info.value.scope == "streams:read" and info.value.data is None


@pytest.mark.parametrize("response, status", [
    (json_response(400, {"data": {"a": 1}}), 400),
    (json_response(401, {"data": {"a": 1}, "errors": []}), 401),
    (json_response(200, {"data": None}), 200),
    (json_response(200, {"data": [1]}), 200),
])
def test_no_data_or_a_failed_status_is_a_server_failure(response: HttpResponse, status: int
                                                        ) -> None:
    with pytest.raises(ServerUnavailable) as info:
        read_graphql_response(response)
    assert (info.value.status, info.value.reason, info.value.endpoint) == (
        status, "server_error", "/graphql")
    assert f"(HTTP {status})" in message_for(info.value).technical


def test_data_with_a_2xx_status() -> None:
    assert read_graphql_response(json_response(299, {"data": {}})) == {}
    assert read_graphql_response(json_response(200, {"data": {"a": None}})) == {"a": None}
