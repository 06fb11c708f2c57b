"""The mock Speckle server's ``project { models, model { versions } }``: over real HTTP,
Speckle's names, its paging by timestamp cursors and its errors for unknown or private ids;
and ``SpeckleClient.models()``/``versions()`` answered by the mock's schema."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mock_speckle import MockSpeckle
from mock_speckle.fixtures import BIG_MODEL_VERSIONS, BIG_PROJECT_MODELS, BIG_PROJECT_NAME
from mock_speckle.graphql_api import run_query
from mock_speckle.models import TokenRecord
from pyapp.client import SpeckleClient
from pyapp.errors import MissingScope, NotAccessible
from pyapp.ports import HttpRequest, HttpResponse
from pyapp.speckle_api import MODELS_QUERY, VERSIONS_QUERY, Author
from tests.unit.fakes import ScriptedHttp
from tests.unit.mock_routes.over_http import (
    ISO_MS,
    gql,
    token_for,
)
from tests.unit.test_models_api import client_with


def _project_id(mock: MockSpeckle, name: str, owner: int = 0) -> str:
    user = list(mock.users.values())[owner]
    return next(p.id for p in user.projects if p.name == name)


def _big(mock: MockSpeckle) -> str:
    return _project_id(mock, BIG_PROJECT_NAME)


def _ok(mock: MockSpeckle, query: str, token: str, **variables: Any) -> dict[str, Any]:
    status, body = gql(mock, query, token, variables)
    assert status == 200, body
    assert "errors" not in body, body
    project: dict[str, Any] = body["data"]["project"]
    return project


def _models(mock: MockSpeckle, token: str, project_id: str, **variables: Any) -> dict[str, Any]:
    variables.setdefault("limit", 25)
    page: dict[str, Any] = _ok(mock, MODELS_QUERY, token, projectId=project_id,
                               **variables)["models"]
    return page


def _versions(mock: MockSpeckle, token: str, project_id: str, model_id: str,
              **variables: Any) -> dict[str, Any]:
    variables.setdefault("limit", 25)
    page: dict[str, Any] = _ok(mock, VERSIONS_QUERY, token, projectId=project_id,
                               modelId=model_id, **variables)["model"]["versions"]
    return page


def _error(mock: MockSpeckle, token: str, query: str, **variables: Any) -> dict[str, Any]:
    status, body = gql(mock, query, token, variables)
    assert status == 200, body
    assert body["data"] is None
    [error] = body["errors"]
    return dict(error)


def test_the_big_projects_models_come_in_two_pages_newest_first(mock: MockSpeckle,
                                                                token: str) -> None:
    first = _models(mock, token, _big(mock))
    second = _models(mock, token, _big(mock), cursor=first["cursor"])
    assert [len(first["items"]), len(second["items"])] == [25, BIG_PROJECT_MODELS - 25]
    assert first["totalCount"] == second["totalCount"] == BIG_PROJECT_MODELS
    assert second["cursor"]  # as on Speckle, the last page with items still has one
    assert _models(mock, token, _big(mock), cursor=second["cursor"]) == {
        "totalCount": BIG_PROJECT_MODELS, "cursor": None, "items": []}
    items = first["items"] + second["items"]
    assert len({m["id"] for m in items}) == BIG_PROJECT_MODELS
    stamps = [m["updatedAt"] for m in items]
    assert stamps == sorted(stamps, reverse=True)
    assert all(ISO_MS.match(m["createdAt"]) and ISO_MS.match(m["updatedAt"]) for m in items)
    # Speckle's cursor is the last item's updatedAt.
    assert first["cursor"] == first["items"][-1]["updatedAt"]


def test_a_nested_models_display_name_is_the_last_part_of_its_name(mock: MockSpeckle,
                                                                  token: str) -> None:
    items = _models(mock, token, _big(mock), limit=3)["items"]
    assert [(m["name"], m["displayName"]) for m in items] == [
        ("main", "main"), ("levels/level 01", "level 01"), ("levels/level 02", "level 02")]
    assert items[0]["description"] and items[1]["description"] is None


def test_a_model_without_versions_has_no_preview(mock: MockSpeckle, token: str) -> None:
    first = _models(mock, token, _big(mock))
    items = first["items"] + _models(mock, token, _big(mock), cursor=first["cursor"])["items"]
    previews = [m["previewUrl"] for m in items]
    assert previews[-1] is None
    assert all(p and p.startswith(f"{mock.url}/preview/{_big(mock)}/commits/")
               for p in previews[:-1])


def test_limit_zero_answers_the_count_alone(mock: MockSpeckle, token: str) -> None:
    assert _models(mock, token, _big(mock), limit=0) == {
        "totalCount": BIG_PROJECT_MODELS, "cursor": None, "items": []}


def test_a_models_versions_page_by_their_creation_time(mock: MockSpeckle, token: str) -> None:
    main = _models(mock, token, _big(mock), limit=1)["items"][0]
    first = _versions(mock, token, _big(mock), main["id"])
    second = _versions(mock, token, _big(mock), main["id"], cursor=first["cursor"])
    assert [len(first["items"]), len(second["items"])] == [25, BIG_MODEL_VERSIONS - 25]
    assert first["totalCount"] == BIG_MODEL_VERSIONS
    items = first["items"] + second["items"]
    stamps = [v["createdAt"] for v in items]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == BIG_MODEL_VERSIONS
    assert items[0]["createdAt"] == main["updatedAt"]
    assert main["previewUrl"].endswith(f"/commits/{items[0]['id']}")
    assert all(len(v["referencedObject"]) == 32 for v in items)


def test_a_version_by_a_deleted_user_has_no_author(mock: MockSpeckle, token: str) -> None:
    main = _models(mock, token, _big(mock), limit=1)["items"][0]
    items = _versions(mock, token, _big(mock), main["id"], limit=3)["items"]
    assert items[0]["authorUser"] == {"id": mock.consent_user_id, "name": "Ada Lovelace",
                                      "avatar": None}
    assert items[2]["authorUser"] is None
    assert items[1]["message"] is None and items[0]["message"]
    assert {v["sourceApplication"] for v in items} == {"Revit", "Rhino", "Grasshopper"}


def test_a_public_project_of_another_user_can_be_read(mock: MockSpeckle, token: str) -> None:
    public = _project_id(mock, "Harvard Computation Lab Retrofit", owner=1)
    assert _models(mock, token, public)["totalCount"] == 1


def test_an_unknown_project_is_speckles_stream_not_found(mock: MockSpeckle, token: str) -> None:
    error = _error(mock, token, MODELS_QUERY, projectId="0000000000", limit=25)
    assert error["message"] == "Project not found"
    assert error["path"] == ["project"]
    assert error["extensions"] == {"code": "STREAM_NOT_FOUND", "statusCode": 404}


def test_another_users_private_project_is_forbidden(mock: MockSpeckle, token: str) -> None:
    private = _project_id(mock, "Naval Research Lab Annex", owner=1)
    error = _error(mock, token, MODELS_QUERY, projectId=private, limit=25)
    assert error["message"] == "You do not have access to the project"
    assert error["extensions"] == {"code": "FORBIDDEN", "statusCode": 403}


def test_an_unknown_model_is_speckles_branch_not_found(mock: MockSpeckle, token: str) -> None:
    error = _error(mock, token, VERSIONS_QUERY, projectId=_big(mock), modelId="0000000000",
                   limit=25)
    assert error["message"] == "Model not found"
    assert error["path"] == ["project", "model"]
    assert error["extensions"] == {"code": "BRANCH_NOT_FOUND", "statusCode": 404}


def test_another_projects_model_is_not_found_here(mock: MockSpeckle, token: str) -> None:
    main = _models(mock, token, _big(mock), limit=1)["items"][0]
    other = _project_id(mock, "Harbourfront Library - Structure")
    error = _error(mock, token, VERSIONS_QUERY, projectId=other, modelId=main["id"], limit=25)
    assert error["extensions"]["code"] == "BRANCH_NOT_FOUND"


def test_reading_a_project_needs_streams_read(mock: MockSpeckle) -> None:
    token = token_for(mock, ["profile:read"])
    error = _error(mock, token, MODELS_QUERY, projectId=_big(mock), limit=25)
    assert error["extensions"] == {"code": "FORBIDDEN", "scope": "streams:read",
                                   "statusCode": 403}


@pytest.mark.parametrize("field", ["commitCount", "branches"])
def test_fields_speckle_does_not_have_on_a_model_fail_validation(mock: MockSpeckle, token: str,
                                                                 field: str) -> None:
    query = f'{{ project(id: "{_big(mock)}") {{ models {{ items {{ {field} }} }} }} }}'
    status, body = gql(mock, query, token)
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


# ------------------------------------------------------------ the client, answered by the mock


def through_mock(scopes: tuple[str, ...] = ("profile:read", "streams:read")
                 ) -> tuple[SpeckleClient, MockSpeckle]:
    """A client whose requests the mock's real schema and resolvers answer, in process."""
    mock = MockSpeckle()
    record = TokenRecord(mock.consent_user_id, "demo-app", list(scopes), "r")

    def answer(request: HttpRequest) -> HttpResponse:
        payload = json.loads(request.body or "")
        response = run_query(mock, record, payload["query"], payload.get("variables"))
        return HttpResponse(response.status, {"content-type": "application/json"},
                            response.body.decode())

    return client_with(ScriptedHttp({"/graphql": answer})), mock


def test_the_client_pages_through_a_projects_models_and_a_models_versions() -> None:
    client, mock = through_mock()
    project = _project_id(mock, BIG_PROJECT_NAME)
    first = asyncio.run(client.models(project))
    assert first.has_more(len(first.items))
    second = asyncio.run(client.models(project, first.cursor))
    loaded = first.items + second.items
    assert len({m.id for m in loaded}) == len(loaded) == BIG_PROJECT_MODELS
    assert not second.has_more(len(loaded))
    assert [(m.name, m.display_name) for m in loaded[:2]] == [
        ("main", "main"), ("levels/level 01", "level 01")]
    assert loaded[-1].preview_url is None and loaded[0].preview_url

    versions = asyncio.run(client.versions(project, loaded[0].id))
    rest = asyncio.run(client.versions(project, loaded[0].id, versions.cursor))
    assert len(versions.items) + len(rest.items) == versions.total_count == BIG_MODEL_VERSIONS
    assert versions.items[0].author == Author(mock.consent_user_id, "Ada Lovelace", None)
    assert versions.items[2].author is None  # made by a user the server no longer has
    assert all(v.referenced_object and v.created_at for v in versions.items + rest.items)


def test_through_the_mock_unknown_and_private_ids_are_typed() -> None:
    client, mock = through_mock()
    project = _project_id(mock, BIG_PROJECT_NAME)
    private = _project_id(mock, "Naval Research Lab Annex", owner=1)
    cases = [
        (client.models("0000000000"), "project_not_found"),
        (client.models(private), "no_access"),
        (client.versions(project, "0000000000"), "model_not_found"),
        (client.versions("0000000000", "0000000000"), "project_not_found"),
    ]
    for call, reason in cases:
        with pytest.raises(NotAccessible) as caught:
            asyncio.run(call)
        assert caught.value.reason == reason


def test_through_the_mock_a_token_without_streams_read_misses_that_scope() -> None:
    client, mock = through_mock(("profile:read",))
    with pytest.raises(MissingScope) as caught:
        asyncio.run(client.models(_project_id(mock, BIG_PROJECT_NAME)))
    assert caught.value.scope == "streams:read"
