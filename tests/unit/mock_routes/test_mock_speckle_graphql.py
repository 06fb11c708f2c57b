"""The mock Speckle server's ``/graphql`` over real HTTP: auth, scopes, errors, paging."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mock_speckle import MockSpeckle
from tests.unit.mock_routes.over_http import ALL_SCOPES, ISO_MS, gql, post, token_for

PROJECTS_QUERY = """
query Projects($limit: Int, $cursor: String) {
  activeUser {
    projects(limit: $limit, cursor: $cursor) {
      totalCount
      cursor
      items { id name role updatedAt visibility }
    }
  }
}
"""


# --------------------------------------------------------------------------- auth and scopes


def test_server_info_needs_no_token(mock: MockSpeckle) -> None:
    status, body = gql(mock, "{ serverInfo { name company version canonicalUrl } }")
    assert status == 200
    info = body["data"]["serverInfo"]
    assert info["name"] == "Speckle Mock Server"
    assert info["canonicalUrl"] == mock.url
    assert info["company"]
    assert info["version"]
    assert "errors" not in body


def test_no_token_means_no_active_user(mock: MockSpeckle) -> None:
    status, body = gql(mock, "{ activeUser { id name email } }")
    assert (status, body) == (200, {"data": {"activeUser": None}})


def test_active_user_profile(mock: MockSpeckle, token: str) -> None:
    status, body = gql(mock, "{ activeUser { id name email avatar company role } }", token)
    assert status == 200
    assert "errors" not in body
    assert body["data"]["activeUser"] == {
        "id": mock.consent_user_id,
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "avatar": None,
        "company": "Analytical Engines",
        "role": "server:user",
    }


def test_missing_email_scope_is_forbidden_with_null_field(mock: MockSpeckle) -> None:
    token = token_for(mock, ["profile:read", "streams:read"])
    status, body = gql(mock, "{ activeUser { name email } }", token)
    assert status == 200
    assert body["data"]["activeUser"] == {"name": "Ada Lovelace", "email": None}
    [error] = body["errors"]
    assert error["message"] == "Your auth token does not have the required scope: profile:email."
    assert error["path"] == ["activeUser", "email"]
    assert error["extensions"] == {"code": "FORBIDDEN", "scope": "profile:email",
                                   "statusCode": 403}


def test_missing_profile_read_scope(mock: MockSpeckle) -> None:
    token = token_for(mock, ["streams:read"])
    status, body = gql(mock, "{ activeUser { id } }", token)
    assert status == 200
    assert body["data"] == {"activeUser": None}
    assert body["errors"][0]["extensions"]["scope"] == "profile:read"


def test_missing_streams_read_scope(mock: MockSpeckle) -> None:
    token = token_for(mock, ["profile:read", "profile:email"])
    status, body = gql(mock, "{ activeUser { projects { totalCount } } }", token)
    assert status == 200
    # projects is non-null in the schema, so the null bubbles up to activeUser.
    assert body["data"] == {"activeUser": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["scope"] == "streams:read"
    assert body["errors"][0]["path"] == ["activeUser", "projects"]


def test_revoked_token_is_403_not_graphql_error(mock: MockSpeckle, token: str) -> None:
    mock.revoke_all_tokens()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    status, _, raw = post(mock, "/graphql", b'{"query":"{ serverInfo { name } }"}', headers)
    assert status == 403
    assert json.loads(raw) == {"error": "Your token is not valid."}


# --------------------------------------------------------------------------- Apollo errors


def test_parse_error_is_400_parse_failed(mock: MockSpeckle) -> None:
    status, body = gql(mock, "{ activeUser { name }")
    assert status == 400
    assert set(body) == {"errors"}
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert body["errors"][0]["message"].startswith("Syntax Error")


def test_typo_is_400_validation_failed(mock: MockSpeckle, token: str) -> None:
    status, body = gql(mock, "{ activeUser { nmae } }", token)
    assert status == 400
    error = body["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["message"] == 'Cannot query field "nmae" on type "User". Did you mean "name"?'


def test_unknown_argument_is_validation_failed(mock: MockSpeckle) -> None:
    status, body = gql(mock, "{ activeUser { projects(limt: 3) { totalCount } } }")
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_bad_variable_is_400_bad_user_input(mock: MockSpeckle, token: str) -> None:
    status, body = gql(mock, PROJECTS_QUERY, token, {"limit": "ten"})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_simple_content_types_are_blocked_as_csrf(mock: MockSpeckle, content_type: str) -> None:
    status, headers, raw = post(mock, "/graphql", b'{"query":"{ serverInfo { name } }"}',
                                {"Content-Type": content_type})
    assert status == 400
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Cross-Site Request Forgery" in json.loads(raw)["errors"][0]["message"]


def test_get_without_preflight_header_is_blocked(mock: MockSpeckle) -> None:
    status, _, raw = post(mock, "/graphql?query=%7BserverInfo%7Bname%7D%7D", None, {},
                          method="GET")
    assert status == 400
    assert "CSRF" in json.loads(raw)["errors"][0]["message"]


def test_batches_and_empty_queries_are_rejected(mock: MockSpeckle) -> None:
    headers = {"Content-Type": "application/json"}
    assert post(mock, "/graphql", b'[{"query":"{ serverInfo { name } }"}]', headers)[0] == 400
    assert post(mock, "/graphql", b'{"query":""}', headers)[0] == 400


# --------------------------------------------------------------------------- paging


def _page(mock: MockSpeckle, token: str, **variables: Any) -> dict[str, Any]:
    status, body = gql(mock, PROJECTS_QUERY, token, variables)
    assert status == 200, body
    assert "errors" not in body, body
    projects: dict[str, Any] = body["data"]["activeUser"]["projects"]
    return projects


def test_projects_page_25_25_10(mock: MockSpeckle, token: str) -> None:
    first = _page(mock, token)
    second = _page(mock, token, cursor=first["cursor"])
    third = _page(mock, token, cursor=second["cursor"])
    assert [len(p["items"]) for p in (first, second, third)] == [25, 25, 10]
    assert first["totalCount"] == second["totalCount"] == third["totalCount"] == 60
    assert first["cursor"]
    assert second["cursor"]
    assert third["cursor"]  # a real server's last page still has one
    past_the_end = _page(mock, token, cursor=third["cursor"])
    assert past_the_end == {"totalCount": 60, "cursor": None, "items": []}
    items = first["items"] + second["items"] + third["items"]
    assert len({item["id"] for item in items}) == 60
    stamps = [item["updatedAt"] for item in items]
    assert stamps == sorted(stamps, reverse=True)
    assert all(ISO_MS.match(stamp) for stamp in stamps)
    assert {item["visibility"] for item in items} == {"PRIVATE", "UNLISTED", "PUBLIC"}
    assert {item["role"] for item in items} == {
        "stream:owner", "stream:contributor", "stream:reviewer"}


def test_a_page_ending_exactly_at_the_end_still_has_a_cursor(mock: MockSpeckle,
                                                             token: str) -> None:
    first = _page(mock, token, limit=30)
    second = _page(mock, token, limit=30, cursor=first["cursor"])
    assert len(second["items"]) == 30
    assert second["cursor"]
    assert _page(mock, token, limit=30, cursor=second["cursor"])["items"] == []


@pytest.mark.parametrize(("limit", "expected"), [(500, 50), (50, 50), (0, 1), (-3, 1), (7, 7)])
def test_limit_is_clamped(mock: MockSpeckle, token: str, limit: int, expected: int) -> None:
    assert len(_page(mock, token, limit=limit)["items"]) == expected


def test_second_user_has_three_projects(mock: MockSpeckle) -> None:
    mock.consent_user_id = list(mock.users)[1]
    page = _page(mock, token_for(mock, ALL_SCOPES))
    assert page["totalCount"] == 3
    assert len(page["items"]) == 3
    assert page["cursor"]


def test_mangled_cursor_is_a_user_input_error(mock: MockSpeckle, token: str) -> None:
    status, body = gql(mock, PROJECTS_QUERY, token, {"cursor": "not-a-cursor"})
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_fixture_names_include_markup_characters(mock: MockSpeckle, token: str) -> None:
    everything = _page(mock, token, limit=50)
    rest = _page(mock, token, limit=50, cursor=everything["cursor"])
    all_names = [p["name"] for p in everything["items"] + rest["items"]]
    assert any("<" in name and "&" in name for name in all_names)
