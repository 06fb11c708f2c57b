"""The mock Speckle server's objects routes over real HTTP: the fixture building, both
answer formats, gzip, Speckle's refusals and the objects faults."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import zlib
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from mock_speckle import App, MockSpeckle
from mock_speckle.fixtures import BIG_PROJECT_NAME, BUILDING_OBJECTS, building_objects
from mock_speckle.server import dispatch
from mock_speckle.web import Request, Response
from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import (
    NotAccessible,
    ObjectNotFound,
    ObjectsIncomplete,
    ObjectsMalformed,
    ServerUnavailable,
    SessionExpired,
)
from pyapp.ports import HttpRequest, HttpResponse, HttpStream
from pyapp.stores import Session, SessionStore
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto
from tests.unit.test_mock_speckle_graphql import ALL_SCOPES, APP_ID, REDIRECT, post, token_for


@pytest.fixture(scope="module")
def server() -> Any:
    mock = MockSpeckle().start()
    yield mock
    mock.stop()


@pytest.fixture
def mock(server: MockSpeckle) -> MockSpeckle:
    server.reset()
    server.register_app(App(id=APP_ID, secret="demo-secret", name="Speckle Login Demo",
                            redirect_url=REDIRECT, scopes=list(ALL_SCOPES)))
    return server


@pytest.fixture
def token(mock: MockSpeckle) -> str:
    return token_for(mock, ALL_SCOPES)


ROOT, OBJECTS = building_objects()


def project_id(mock: MockSpeckle, owner: int = 0, name: str = BIG_PROJECT_NAME) -> str:
    return next(p.id for p in list(mock.users.values())[owner].projects if p.name == name)


def get(mock: MockSpeckle, path: str, token: str | None = None,
        **headers: str) -> tuple[int, dict[str, str], bytes]:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return post(mock, path, None, {k.replace("_", "-"): v for k, v in headers.items()}, "GET")


def lines(body: bytes) -> list[tuple[str, dict[str, Any]]]:
    text = body.decode()
    assert text.endswith("\n")
    return [(i, json.loads(j)) for i, j in (line.split("\t", 1) for line in text.splitlines())]


def test_the_building_is_a_deterministic_model_of_more_than_ten_thousand_objects() -> None:
    root = json.loads(OBJECTS[ROOT])
    assert len(OBJECTS) == BUILDING_OBJECTS > 10_000
    assert root["totalChildrenCount"] == len(root["__closure"]) == BUILDING_OBJECTS - 1
    assert set(root["__closure"].values()) == {1, 2, 3, 4}
    assert building_objects() == (ROOT, OBJECTS)


def test_shared_objects_are_referenced_from_many_parents() -> None:
    counts: dict[str, int] = {}
    for text in OBJECTS.values():
        for ref in json.loads(text).get("@displayValue", []):
            counts[ref["referencedId"]] = counts.get(ref["referencedId"], 0) + 1
    assert max(counts.values()) > 100 and min(counts.values()) == 1


def test_the_newest_main_version_of_the_big_project_refers_to_the_building(
        mock: MockSpeckle) -> None:
    project = next(p for p in list(mock.users.values())[0].projects
                   if p.name == BIG_PROJECT_NAME)
    assert project.models[0].versions[0].referenced_object == ROOT


def test_text_plain_streams_the_root_then_its_whole_closure_as_lines(
        mock: MockSpeckle, token: str) -> None:
    status, headers, body = get(mock, f"/objects/{project_id(mock)}/{ROOT}", token,
                                Accept="text/plain")
    assert status == 200 and headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert headers["Access-Control-Allow-Origin"] == "*"
    got = lines(body)
    assert got[0][0] == ROOT and len(got) == BUILDING_OBJECTS
    assert {i for i, _ in got} == set(OBJECTS) and all(o["id"] == i for i, o in got)


def test_other_accept_headers_get_one_json_array(mock: MockSpeckle, token: str) -> None:
    status, headers, body = get(mock, f"/objects/{project_id(mock)}/{ROOT}", token,
                                Accept="text/plain, */*")
    assert (status, headers["Content-Type"]) == (200, "application/json")
    items = json.loads(body)
    assert items[0]["id"] == ROOT and len(items) == BUILDING_OBJECTS


def test_the_body_is_gzipped_when_gzip_is_accepted(mock: MockSpeckle, token: str) -> None:
    path = f"/objects/{project_id(mock)}/{ROOT}"
    _, plain_headers, plain = get(mock, path, token, Accept="text/plain")
    _, headers, zipped = get(mock, path, token, Accept="text/plain", Accept_Encoding="gzip")
    assert headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain_headers
    assert gzip.decompress(zipped) == plain and len(zipped) < len(plain) // 3


def test_single_answers_the_object_alone(mock: MockSpeckle, token: str) -> None:
    status, _, body = get(mock, f"/objects/{project_id(mock)}/{ROOT}/single", token)
    assert status == 200 and body.decode() == OBJECTS[ROOT]


def test_getobjects_answers_the_listed_objects_and_skips_unknown_ones(
        mock: MockSpeckle, token: str) -> None:
    wanted = sorted(OBJECTS)[:3]
    body = json.dumps({"objects": json.dumps([*wanted, "0" * 32])}).encode()
    status, _, raw = post(mock, f"/api/getobjects/{project_id(mock)}", body,
                          {"Content-Type": "application/json", "Accept": "text/plain",
                           "Authorization": f"Bearer {token}"})
    assert status == 200 and [i for i, _ in lines(raw)] == wanted


def test_getobjects_refuses_a_body_without_a_list(mock: MockSpeckle, token: str) -> None:
    status, _, _ = post(mock, f"/api/getobjects/{project_id(mock)}", b'{"objects": [1]}',
                        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert status == 400


def test_object_stream_answers_the_listed_objects_as_lines(mock: MockSpeckle,
                                                          token: str) -> None:
    """What @speckle/objectloader2 asks for a root's children."""
    wanted = sorted(OBJECTS)[:3]
    body = json.dumps({"objectIds": [*wanted, "0" * 32]}).encode()
    status, _, raw = post(mock, f"/api/v2/projects/{project_id(mock)}/object-stream/", body,
                          {"Content-Type": "application/json", "Accept": "text/plain",
                           "Authorization": f"Bearer {token}"})
    assert status == 200 and [i for i, _ in lines(raw)] == wanted


@pytest.mark.parametrize("body", [b'{"objectIds": [1]}', b'{"objects": []}', b"{"])
def test_object_stream_refuses_a_body_without_a_list_of_ids(mock: MockSpeckle, token: str,
                                                            body: bytes) -> None:
    status, _, _ = post(mock, f"/api/v2/projects/{project_id(mock)}/object-stream/", body,
                        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert status == 400


def test_object_stream_refuses_nobody_on_a_private_project(mock: MockSpeckle) -> None:
    status, _, body = post(mock, f"/api/v2/projects/{project_id(mock)}/object-stream/",
                           b'{"objectIds": []}', {"Content-Type": "application/json"})
    assert (status, body) == (401, b"")


def test_an_unknown_object_is_404_failed_to_find_object(mock: MockSpeckle, token: str) -> None:
    status, _, body = get(mock, f"/objects/{project_id(mock)}/{'0' * 32}", token)
    assert (status, body) == (404, b"Failed to find object.")


@pytest.mark.parametrize(("who", "status"), [("nobody", 401), ("owner", 404)])
def test_an_unknown_project_is_404_for_a_user_and_401_for_nobody(
        mock: MockSpeckle, token: str, who: str, status: int) -> None:
    answer = get(mock, f"/objects/ffffffffff/{ROOT}", token if who == "owner" else None)
    assert (answer[0], answer[2]) == (status, b"")


def test_another_users_private_project_is_401_with_no_body(mock: MockSpeckle,
                                                           token: str) -> None:
    grace = list(mock.users.values())[1]
    private = next(p for p in grace.projects if p.visibility == "PRIVATE")
    private.objects = dict(OBJECTS)
    status, _, body = get(mock, f"/objects/{private.id}/{ROOT}", token)
    assert (status, body) == (401, b"")


def test_a_public_project_is_open_without_a_token(mock: MockSpeckle) -> None:
    grace = list(mock.users.values())[1]
    public = next(p for p in grace.projects if p.visibility == "PUBLIC")
    public.objects = dict(OBJECTS)
    assert get(mock, f"/objects/{public.id}/{ROOT}/single")[0] == 200


def test_a_token_without_streams_read_is_401(mock: MockSpeckle) -> None:
    token = token_for(mock, ["profile:read"])
    assert get(mock, f"/objects/{project_id(mock)}/{ROOT}/single", token)[0] == 401


def test_an_invalid_token_is_403_with_no_body(mock: MockSpeckle, token: str) -> None:
    mock.kill_access_token(token)
    status, headers, body = get(mock, f"/objects/{project_id(mock)}/{ROOT}", token)
    assert (status, body) == (403, b"") and headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(("fault", "status", "body"), [
    ("404", 404, b"Failed to find object."), ("403", 403, b"")])
def test_the_404_and_403_faults_answer_as_speckle(mock: MockSpeckle, token: str, fault: str,
                                                  status: int, body: bytes) -> None:
    mock.faults["/objects"] = fault
    answer = get(mock, f"/objects/{project_id(mock)}/{ROOT}", token)
    assert (answer[0], answer[2]) == (status, body)


def test_the_cut_stream_fault_sends_half_and_hangs_up(mock: MockSpeckle, token: str) -> None:
    mock.faults["/objects"] = "cut-stream"
    conn = http.client.HTTPConnection(mock.host, mock.port, timeout=60)
    conn.request("GET", f"/objects/{project_id(mock)}/{ROOT}",
                 headers={"Authorization": f"Bearer {token}", "Accept": "text/plain"})
    response = conn.getresponse()
    with pytest.raises(http.client.IncompleteRead) as caught:
        response.read()
    conn.close()
    assert 0 < len(caught.value.partial) < int(response.headers["Content-Length"])


def test_the_malformed_line_fault_breaks_the_third_object(mock: MockSpeckle,
                                                          token: str) -> None:
    mock.faults["/objects"] = "malformed-line"
    _, _, body = get(mock, f"/objects/{project_id(mock)}/{ROOT}", token, Accept="text/plain")
    rows = body.decode().splitlines()
    json.loads(rows[1].split("\t", 1)[1])
    with pytest.raises(ValueError):
        json.loads(rows[2].split("\t", 1)[1])


# --------------------------------------------------------------------------- the client


class DispatchHttp:
    """The mock's routes called in-process, as a browser's ``fetch`` would reach them: it
    asks for gzip and hands out the body decompressed, in chunks, failing where the mock
    hangs up."""

    def __init__(self, mock: MockSpeckle, chunk_size: int = 8192) -> None:
        self.mock = mock
        self.chunk_size = chunk_size

    def _answer(self, request: HttpRequest) -> tuple[Response, bytes, bool]:
        path = request.url.removeprefix(self.mock.url)
        headers = {k.lower(): v for k, v in request.headers.items()}
        headers["accept-encoding"] = "gzip, deflate, br"
        response = dispatch(self.mock, Request(request.method, path, headers,
                                               (request.body or "").encode()))
        sent = response.body[:response.cut_at]
        cut = response.cut_at is not None
        if response.headers.get("Content-Encoding") == "gzip":
            reader = zlib.decompressobj(wbits=31)
            sent = reader.decompress(sent)
        return response, sent, cut

    async def send(self, request: HttpRequest) -> HttpResponse:
        response, body, _ = self._answer(request)
        return HttpResponse(response.status, {"content-type": response.content_type or ""},
                            body.decode())

    async def stream(self, request: HttpRequest) -> HttpStream:
        response, body, cut = self._answer(request)

        async def chunks() -> AsyncGenerator[bytes, None]:
            for start in range(0, len(body), self.chunk_size):
                yield body[start:start + self.chunk_size]
            if cut:
                raise ServerUnavailable("request_failed")

        return HttpStream(response.status, {"content-type": response.content_type or ""},
                          chunks())


def client_for(mock: MockSpeckle, token: str) -> SpeckleClient:
    ss, ls = MemoryStorage(), MemoryStorage()
    SessionStore(ss, ls).save(Session(mock.url, APP_ID, token, None, None, "auto", "session", 1))
    return SpeckleClient(Settings(mock.url, APP_ID), crypto=PythonCrypto(),
                         http=DispatchHttp(mock), navigator=FakeNavigator(REDIRECT),
                         session_storage=ss, local_storage=ls)


def test_the_client_loads_the_building_with_every_reference_resolved(
        mock: MockSpeckle, token: str) -> None:
    seen: list[tuple[int, int | None]] = []
    root = asyncio.run(client_for(mock, token).load(
        project_id(mock), ROOT, progress=lambda loaded, total: seen.append((loaded, total))))
    assert seen[-1] == (BUILDING_OBJECTS, BUILDING_OBJECTS) and len(seen) == BUILDING_OBJECTS
    elements = [e for level in root["elements"] for e in level["@elements"]]
    meshes = [e["@displayValue"][0] for e in elements]
    assert len(elements) == 6000 and all(m["speckle_type"] == "Objects.Geometry.Mesh"
                                         for m in meshes)
    assert len({id(m) for m in meshes}) == len({m["id"] for m in meshes}) < len(meshes)
    assert len({id(m["renderMaterial"]) for m in meshes}) == 6
    # The shared meshes' vertices were stored in DataChunks: one list again.
    assert all(len(m["vertices"]) == 12 and isinstance(m["vertices"][0], float)
               for m in meshes)


@pytest.mark.parametrize(("fault", "error"), [
    ("cut-stream", ObjectsIncomplete), ("malformed-line", ObjectsMalformed),
    ("404", ObjectNotFound), ("403", NotAccessible)])
def test_the_client_types_each_objects_fault(mock: MockSpeckle, token: str, fault: str,
                                             error: type[Exception]) -> None:
    mock.faults["/objects"] = fault
    with pytest.raises(error):
        asyncio.run(client_for(mock, token).load(project_id(mock), ROOT))


def test_the_client_reads_another_users_private_project_as_no_access(
        mock: MockSpeckle, token: str) -> None:
    grace = list(mock.users.values())[1]
    private = next(p for p in grace.projects if p.visibility == "PRIVATE")
    with pytest.raises(NotAccessible) as caught:
        asyncio.run(client_for(mock, token).load(private.id, ROOT))
    assert caught.value.reason == "no_access"


def test_the_client_ends_a_session_whose_token_the_server_killed(
        mock: MockSpeckle, token: str) -> None:
    client = client_for(mock, token)
    mock.kill_access_token(token)
    with pytest.raises(SessionExpired):
        asyncio.run(client.load(project_id(mock), ROOT))
    assert not client.signed_in
