"""What the client makes of Speckle's answers: every field, and what stands in for a missing one."""

from __future__ import annotations

import asyncio
import json

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.ports import HttpRequest
from pyapp.speckle_api import (
    PAGE_SIZE,
    Project,
    ProjectPage,
    ServerInfo,
    UserProfile,
    parse_project_page,
    parse_server_info,
    parse_user,
    parse_viewer,
)
from pyapp.stores import Session, SessionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto, ScriptedHttp, json_response

SERVER = "http://127.0.0.1:8001"
USER = {"id": "u1", "name": "Ada Lovelace", "email": "ada@example.com", "avatar": "https://a/x.png",
        "company": "Analytical Engines", "role": "server:admin"}
PROJECT = {"id": "p1", "name": "Tower", "role": "stream:owner",
           "updatedAt": "2026-11-01T10:00:00Z", "visibility": "PRIVATE"}


def client_answering(data: dict | None, errors: list | None = None  # type: ignore[type-arg]
                     ) -> tuple[SpeckleClient, ScriptedHttp]:
    body: dict = {"data": data}  # type: ignore[type-arg]
    if errors:
        body["errors"] = errors
    http = ScriptedHttp({"/graphql": json_response(200, body)})
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(Session(SERVER, "demo-app", "t1", None, None, "auto", "session", 1))
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                           navigator=FakeNavigator("http://127.0.0.1:8000/"),
                           session_storage=ss, local_storage=ls)
    return client, http


def sent_variables(http: ScriptedHttp, index: int = 0) -> object:
    request: HttpRequest = http.sent[index]
    return json.loads(request.body or "")["variables"]


def test_viewer_reads_every_field() -> None:
    client, http = client_answering({
        "serverInfo": {"name": "Mock", "company": "Speckle", "version": "2.5",
                       "canonicalUrl": SERVER},
        "activeUser": {**USER, "projects": {"totalCount": 60, "cursor": "c1",
                                            "items": [PROJECT]}}})
    viewer = asyncio.run(client.viewer())
    assert viewer.server == ServerInfo("Mock", "Speckle", "2.5", SERVER)
    assert viewer.user == UserProfile("u1", "Ada Lovelace", "ada@example.com", "https://a/x.png",
                                      "Analytical Engines", "server:admin")
    assert viewer.projects == ProjectPage(60, "c1", [
        Project("p1", "Tower", "stream:owner", "2026-11-01T10:00:00Z", "PRIVATE")])
    assert sent_variables(http) == {"limit": PAGE_SIZE}


def test_user_profile_and_its_initials() -> None:
    client, _ = client_answering({"activeUser": USER})
    user = asyncio.run(client.user())
    assert user is not None and user.email == "ada@example.com" and user.role == "server:admin"
    assert user.initials == "AL"
    assert UserProfile("u", "ada  byron lovelace", None, None, None, None).initials == "AB"
    assert UserProfile("u", "  ", None, None, None, None).initials == "?"
    assert UserProfile("u", "(Ada) Lovelace", None, None, None, None).initials == "L"


def test_user_without_the_email_scope_still_has_a_profile() -> None:
    client, _ = client_answering(
        {"activeUser": {**USER, "email": None}},
        [{"message": "no", "extensions": {"code": "FORBIDDEN", "scope": "profile:email"}}])
    user = asyncio.run(client.user())
    assert user is not None and user.name == "Ada Lovelace" and user.email is None


def test_user_is_none_when_signed_out_or_absent() -> None:
    client, http = client_answering({"activeUser": None})
    assert asyncio.run(client.user()) is None
    asyncio.run(client.logout())
    sent = len(http.sent)
    assert asyncio.run(client.user()) is None and len(http.sent) == sent


def test_projects_pages_with_the_cursor() -> None:
    client, http = client_answering(
        {"activeUser": {"projects": {"totalCount": 3, "cursor": None, "items": [PROJECT]}}})
    page = asyncio.run(client.projects("c1", limit=2))
    assert page == ProjectPage(3, None, [
        Project("p1", "Tower", "stream:owner", "2026-11-01T10:00:00Z", "PRIVATE")])
    assert sent_variables(http) == {"limit": 2, "cursor": "c1"}
    assert "cursor: $cursor" in json.loads(http.sent[0].body or "")["query"]
    asyncio.run(client.projects())
    assert sent_variables(http, 1) == {"limit": PAGE_SIZE, "cursor": None}


def test_projects_of_a_missing_user_is_an_empty_page() -> None:
    client, _ = client_answering({"activeUser": None})
    assert asyncio.run(client.projects()) == ProjectPage(0, None, [])


def test_missing_or_mistyped_fields_get_neutral_values() -> None:
    assert parse_server_info({}) == ServerInfo("Speckle server", None, None, None)
    assert parse_server_info({"name": 5, "company": 1, "version": 2, "canonicalUrl": 3}) == \
        ServerInfo("Speckle server", None, None, None)
    assert parse_server_info(None) is None and parse_server_info([]) is None
    assert parse_user({"id": 7}) == UserProfile("7", "", None, None, None, None)
    assert parse_user({"id": "u", "name": 1, "email": 2, "avatar": 3, "company": 4,
                       "role": 5}) == UserProfile("u", "", None, None, None, None)
    assert parse_user({"name": "no id"}) is None and parse_user({"id": ""}) is None
    assert parse_user("u1") is None
    page = parse_project_page({"totalCount": "many", "cursor": 9,
                               "items": [{"id": 1}, "junk", None, {"id": "p2", "name": "B"}]})
    assert page == ProjectPage(2, None, [Project("1", "", None, "", ""),
                                         Project("p2", "B", None, "", "")])
    assert parse_project_page({"items": None}) == ProjectPage(0, None, [])
    assert parse_project_page("x") is None


def test_viewer_without_a_user_has_no_projects() -> None:
    viewer = parse_viewer({"serverInfo": {"name": "S"}, "activeUser": None})
    assert viewer.user is None and viewer.projects is None and viewer.server is not None
    assert parse_viewer({"activeUser": {"id": "u", "projects": None}}).projects is None
