"""A project's models and a model's versions: Speckle's answers read into typed pages, what
the client sends, and Speckle's errors for unreadable ids as typed errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import GraphQLError, MissingScope, NotAccessible
from pyapp.speckle_api import (
    MODELS_QUERY,
    PAGE_SIZE,
    VERSIONS_QUERY,
    Author,
    Model,
    ModelPage,
    Version,
    VersionPage,
    parse_models,
    parse_versions,
)
from pyapp.stores import Session, SessionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response

SERVER = "http://127.0.0.1:8001"
MODEL = {"id": "m1", "name": "structure/level 01", "displayName": "level 01",
         "description": "Frame", "createdAt": "2026-05-01T10:00:00.000Z",
         "updatedAt": "2026-05-02T10:00:00.000Z", "previewUrl": f"{SERVER}/preview/p1/commits/v1"}
VERSION = {"id": "v1", "message": "Levels", "sourceApplication": "Revit",
           "createdAt": "2026-05-02T10:00:00.000Z", "referencedObject": "0" * 32,
           "authorUser": {"id": "u1", "name": "Ada Lovelace", "avatar": None}}


def client_with(http: ScriptedHttp) -> SpeckleClient:
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(Session(SERVER, "demo-app", "t1", None, None, "auto", "session", 1))
    return SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                         navigator=FakeNavigator("http://127.0.0.1:8000/"),
                         session_storage=ss, local_storage=ls)


def answering(body: dict[str, Any]) -> tuple[SpeckleClient, ScriptedHttp]:
    http = ScriptedHttp({"/graphql": json_response(200, body)})
    return client_with(http), http


def sent(http: ScriptedHttp, index: int = 0) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(http.sent[index].body or "")
    return payload


# --------------------------------------------------------------------------- parsing


def test_a_models_page_reads_every_field() -> None:
    page = parse_models({"project": {"models": {"totalCount": 30, "cursor": "c",
                                                "items": [MODEL]}}})
    assert page == ModelPage(30, "c", [Model(
        "m1", "structure/level 01", "level 01", "Frame", "2026-05-01T10:00:00.000Z",
        "2026-05-02T10:00:00.000Z", f"{SERVER}/preview/p1/commits/v1")])


def test_a_models_missing_fields_are_none_and_its_display_name_comes_from_its_name() -> None:
    page = parse_models({"project": {"models": {"totalCount": 1, "cursor": None, "items": [
        {"id": "m1", "name": "mep/ducts", "description": None, "previewUrl": None},
        {"id": "m2", "name": 5, "displayName": 7, "createdAt": 1},
        {"name": "no id"}, {"id": ""}, "junk"]}}})
    assert page is not None and page.items == [
        Model("m1", "mep/ducts", "ducts", None, None, None, None),
        Model("m2", "", "", None, None, None, None)]
    # The count the server gave stands, even where items were dropped.
    assert page.total_count == 1


def test_a_versions_page_reads_every_field() -> None:
    page = parse_versions({"project": {"model": {"versions": {
        "totalCount": 2, "cursor": "c", "items": [VERSION]}}}})
    assert page == VersionPage(2, "c", [Version(
        "v1", "Levels", Author("u1", "Ada Lovelace", None), "2026-05-02T10:00:00.000Z",
        "Revit", "0" * 32)])


def test_a_withheld_or_deleted_author_is_none() -> None:
    items = [{**VERSION, "authorUser": None}, {**VERSION, "authorUser": {"name": "no id"}},
             {"id": "v2"}]
    page = parse_versions({"project": {"model": {"versions": {"items": items}}}})
    assert page is not None
    assert [v.author for v in page.items] == [None, None, None]
    assert page.items[2] == Version("v2", None, None, None, None, None)
    assert page.total_count == 3  # no count: this page's length


@pytest.mark.parametrize("data", [
    {}, {"project": None}, {"project": {"models": None}}, {"project": {"models": []}}])
def test_an_answer_without_a_models_page_parses_as_none(data: dict[str, Any]) -> None:
    assert parse_models(data) is None


@pytest.mark.parametrize("data", [
    {}, {"project": None}, {"project": {"model": None}}, {"project": {"model": {"versions": 1}}}])
def test_an_answer_without_a_versions_page_parses_as_none(data: dict[str, Any]) -> None:
    assert parse_versions(data) is None


def test_has_more_counts_loaded_items_not_the_cursor() -> None:
    page = ModelPage(30, "c", [Model("m", "m", "m", None, None, None, None)] * 25)
    assert page.has_more(25) and not page.has_more(30)
    assert not VersionPage(30, "c", []).has_more(25)
    assert not VersionPage(30, None, [Version("v", None, None, None, None, None)]).has_more(25)
    versions = VersionPage(30, "c", [Version("v", None, None, None, None, None)] * 25)
    assert versions.has_more(25) and not versions.has_more(30)


def test_a_display_name_the_server_gives_stands_and_a_missing_one_is_the_names_last_part(
) -> None:
    page = parse_models({"project": {"models": {"items": [
        {**MODEL, "name": "structure/level 01", "displayName": "Level one"},
        {"id": "m2", "name": "site/structure/level 02"}]}}})
    assert page is not None
    assert [m.display_name for m in page.items] == ["Level one", "level 02"]
    assert page.total_count == 2  # no count: this page's length


def test_a_versions_author_keeps_their_picture_and_a_nameless_one_has_empty_text() -> None:
    avatar = "data:image/png;base64,iVBORw0KGgo="
    items = [{**VERSION, "authorUser": {"id": "u1", "name": "Ada Lovelace", "avatar": avatar}},
             {**VERSION, "authorUser": {"id": "u2"}}]
    page = parse_versions({"project": {"model": {"versions": {"items": items}}}})
    assert page is not None
    assert [v.author for v in page.items] == [Author("u1", "Ada Lovelace", avatar),
                                              Author("u2", "", None)]


# --------------------------------------------------------------------------- the client


def test_models_sends_the_project_limit_and_cursor() -> None:
    client, http = answering({"data": {"project": {"models": {
        "totalCount": 1, "cursor": "c2", "items": [MODEL]}}}})
    page = asyncio.run(client.models("p1", "c1", limit=5))
    assert [m.id for m in page.items] == ["m1"] and page.cursor == "c2"
    assert sent(http)["query"] == MODELS_QUERY
    assert sent(http)["variables"] == {"projectId": "p1", "limit": 5, "cursor": "c1"}
    assert http.sent[0].headers["Authorization"] == "Bearer t1"
    asyncio.run(client.models("p1"))
    assert sent(http, 1)["variables"] == {"projectId": "p1", "limit": PAGE_SIZE, "cursor": None}


def test_versions_sends_the_project_model_limit_and_cursor() -> None:
    client, http = answering({"data": {"project": {"model": {"versions": {
        "totalCount": 1, "cursor": "c2", "items": [VERSION]}}}}})
    page = asyncio.run(client.versions("p1", "m1", "c1", limit=5))
    assert [v.id for v in page.items] == ["v1"]
    assert sent(http)["query"] == VERSIONS_QUERY
    assert sent(http)["variables"] == {"projectId": "p1", "modelId": "m1", "limit": 5,
                                       "cursor": "c1"}


def test_an_answer_without_a_page_is_an_empty_page() -> None:
    client, _ = answering({"data": {"project": None}})
    assert asyncio.run(client.models("p1")) == ModelPage(0, None, [])
    assert asyncio.run(client.versions("p1", "m1")) == VersionPage(0, None, [])


def _error(code: str, path: list[str], message: str = "no") -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "path": path,
                                      "extensions": {"code": code, "statusCode": 404}}]}


@pytest.mark.parametrize(("body", "reason"), [
    (_error("STREAM_NOT_FOUND", ["project"], "Project not found"), "project_not_found"),
    (_error("FORBIDDEN", ["project"]), "no_access"),
    (_error("BRANCH_NOT_FOUND", ["project", "model"]), "model_not_found"),
    (_error("MODEL_NOT_FOUND", ["project", "model"]), "model_not_found"),
])
def test_speckles_codes_for_an_unreadable_project_or_model_are_typed(
        body: dict[str, Any], reason: str) -> None:
    client, _ = answering(body)
    with pytest.raises(NotAccessible) as caught:
        asyncio.run(client.versions("p1", "m1"))
    assert (caught.value.reason, caught.value.project_id, caught.value.model_id) == (
        reason, "p1", "m1")
    assert caught.value.server_message == body["errors"][0]["message"]
    assert isinstance(caught.value.__cause__, GraphQLError)
    assert client.signed_in  # the session is kept


def test_models_names_no_model_in_its_error() -> None:
    client, _ = answering(_error("STREAM_NOT_FOUND", ["project"]))
    with pytest.raises(NotAccessible) as caught:
        asyncio.run(client.models("p1"))
    assert caught.value.model_id is None and caught.value.reason == "project_not_found"
    assert caught.value.project_id == "p1"


@pytest.mark.parametrize("body", [
    _error("INTERNAL_SERVER_ERROR", ["project"]),
    _error("FORBIDDEN", ["project", "models"]),   # not the project's own access
    _error("BRANCH_NOT_FOUND", ["project", "model"]),  # models() names no model
    {"data": None, "errors": [{"message": "no", "path": ["project"]}]},  # no code at all
    {"data": None, "errors": [{"message": "no", "path": ["project"], "extensions": None}]},
    _error(["STREAM_NOT_FOUND"], ["project"]),  # type: ignore[arg-type]  # not a code
])
def test_other_errors_stay_graphql_errors(body: dict[str, Any]) -> None:
    client, _ = answering(body)
    with pytest.raises(GraphQLError) as caught:
        asyncio.run(client.models("p1"))
    assert not isinstance(caught.value, NotAccessible)


def test_a_message_that_is_not_text_is_left_out() -> None:
    client, _ = answering(_error("STREAM_NOT_FOUND", ["project"], {"text": "no"}))  # type: ignore[arg-type]
    with pytest.raises(NotAccessible) as caught:
        asyncio.run(client.models("p1"))
    assert caught.value.reason == "project_not_found" and caught.value.server_message is None


def test_a_token_without_streams_read_is_a_missing_scope() -> None:
    client, _ = answering({"data": None, "errors": [{
        "message": "no", "path": ["project"],
        "extensions": {"code": "FORBIDDEN", "scope": "streams:read", "statusCode": 403}}]})
    with pytest.raises(MissingScope) as caught:
        asyncio.run(client.models("p1"))
    assert caught.value.scope == "streams:read"
