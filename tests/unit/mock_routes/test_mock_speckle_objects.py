"""The mock Speckle server's objects routes over real HTTP: the fixture building, both
answer formats, gzip, Speckle's refusals and the objects faults; the upload."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import http.client
import json
import zlib
from collections.abc import AsyncGenerator
from typing import Any

import pytest

from mock_speckle import MockSpeckle
from mock_speckle.fixtures import (
    ADA_ID,
    BIG_PROJECT_NAME,
    BUILDING_OBJECTS,
    GRACE_ID,
    building_objects,
)
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
from tests.real_server.sender import batch, multipart
from tests.unit.fakes import FakeNavigator, MemoryStorage, PythonCrypto
from tests.unit.mock_routes.over_http import ALL_SCOPES, APP_ID, REDIRECT, post, token_for

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


# --------------------------------------------------------------------------- the upload

WRITE_SCOPES = [*ALL_SCOPES, "streams:write"]


def child(n: int) -> dict[str, Any]:
    return {"id": f"{n:032x}", "speckle_type": "Base", "n": n}


def uploaded_root(*children: dict[str, Any]) -> dict[str, Any]:
    return {"id": "f" * 32, "speckle_type": "Base", "totalChildrenCount": len(children),
            "@items": [{"referencedId": c["id"], "speckle_type": "reference"} for c in children],
            "__closure": {c["id"]: 1 for c in children}}


def upload(mock: MockSpeckle, token: str | None, parts: list[tuple[str, str, bytes]],
           project: str | None = None, **headers: str) -> tuple[int, dict[str, str], bytes]:
    content_type, body = multipart(parts)
    headers = {"Content-Type": content_type, **headers}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return post(mock, f"/objects/{project or project_id(mock)}", body, headers)


def test_an_upload_of_a_gzip_part_and_a_json_part_is_201_and_stored(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    one, two = child(1), child(2)
    root = uploaded_root(one, two)
    root_text = json.dumps(root)  # spaces and all: kept as sent
    status, _, body = upload(mock, token, [
        ("batch-1", *batch([one, two], gzipped=True)),
        ("batch-2", "application/json", f"[{root_text}]".encode())])
    assert (status, body) == (201, b"")
    project = next(p for p in mock.users[ADA_ID].projects if p.id == project_id(mock))
    assert project.objects[root["id"]] == root_text
    assert json.loads(project.objects[one["id"]]) == one


def test_uploaded_objects_are_served_as_uploaded_and_the_root_with_a_null_count(
        mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    one, two = child(1), child(2)
    root = uploaded_root(one, two)
    texts = {o["id"]: json.dumps(o, separators=(",", ":")) for o in (one, two, root)}
    part = ("[" + ",".join(texts.values()) + "]").encode()
    assert upload(mock, token, [("batch", "text/plain", part)])[0] == 201
    pid = project_id(mock)
    # /single and a download's root carry the count Speckle keeps beside an object (a
    # column the upload leaves empty); the rest come byte for byte.
    single = get(mock, f"/objects/{pid}/{root['id']}/single", token)[2].decode()
    assert single == texts[root["id"]].replace('"totalChildrenCount":2',
                                               '"totalChildrenCount":null')
    one_alone = get(mock, f"/objects/{pid}/{one['id']}/single", token)[2].decode()
    assert one_alone == texts[one["id"]][:-1] + ',"totalChildrenCount":null}'
    got = get(mock, f"/objects/{pid}/{root['id']}", token, Accept="text/plain")[2].decode()
    assert got == "".join(f"{i}\t{t}\n" for i, t in
                          [(root["id"], single), (one["id"], texts[one["id"]]),
                           (two["id"], texts[two["id"]])])
    ids = json.dumps({"objects": json.dumps([root["id"]])}).encode()
    _, _, raw = post(mock, f"/api/getobjects/{pid}", ids, {
        "Content-Type": "application/json", "Accept": "text/plain",
        "Authorization": f"Bearer {token}"})
    assert raw.decode() == f"{root['id']}\t{texts[root['id']]}\n"


def test_the_client_loads_an_uploaded_root_counting_from_its_closure(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    one, two = child(1), child(2)
    parts = [("b", *batch([uploaded_root(one, two), one, two], gzipped=False))]
    assert upload(mock, token, parts)[0] == 201
    seen: list[tuple[int, int | None]] = []
    root = asyncio.run(client_for(mock, token).load(
        project_id(mock), "f" * 32, progress=lambda loaded, total: seen.append((loaded, total))))
    assert root["@items"] == [one, two] and root["totalChildrenCount"] is None
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_an_object_without_an_id_gets_the_hash_of_its_json_and_hash_wins(
        mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    bare = {"speckle_type": "Base", "name": "Träger"}
    hashed = {"id": "0" * 32, "hash": "a" * 32, "speckle_type": "Base"}
    assert upload(mock, token, [("b", *batch([bare, hashed], gzipped=False))])[0] == 201
    bare_id = hashlib.md5(json.dumps(bare, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()
    project = next(p for p in mock.users[ADA_ID].projects if p.id == project_id(mock))
    assert project.objects[bare_id] == json.dumps({**bare, "id": bare_id}, separators=(",", ":"),
                                                  ensure_ascii=False)
    assert json.loads(project.objects["a" * 32])["id"] == "a" * 32
    assert "0" * 32 not in project.objects


def test_uploading_an_id_again_is_201_and_the_first_content_stays(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    first, second = child(1), {**child(1), "n": 99}
    assert upload(mock, token, [("b", *batch([first], gzipped=True))])[0] == 201
    assert upload(mock, token, [("b", *batch([first], gzipped=True))])[0] == 201
    assert upload(mock, token, [("b", *batch([second], gzipped=False))])[0] == 201
    project = next(p for p in mock.users[ADA_ID].projects if p.id == project_id(mock))
    assert json.loads(project.objects[first["id"]]) == first


def test_an_upload_without_a_token_is_401_with_no_body(mock: MockSpeckle) -> None:
    status, _, body = upload(mock, None, [("b", *batch([child(1)], gzipped=False))])
    assert (status, body) == (401, b"")


def test_a_token_without_streams_write_is_401(mock: MockSpeckle, token: str) -> None:
    assert upload(mock, token, [("b", *batch([child(1)], gzipped=False))])[:3:2] == (401, b"")


@pytest.mark.parametrize("which", ["reviewer", "other user's", "other user's public", "unknown"])
def test_a_project_the_user_may_not_write_is_401(mock: MockSpeckle, which: str) -> None:
    token = token_for(mock, WRITE_SCOPES)
    grace = mock.users[GRACE_ID].projects
    project = {
        "reviewer": next(p.id for p in mock.users[ADA_ID].projects if p.role == "stream:reviewer"),
        "other user's": next(p.id for p in grace if p.visibility == "PRIVATE"),
        "other user's public": next(p.id for p in grace if p.visibility == "PUBLIC"),
        "unknown": "ffffffffff"}[which]
    status, _, body = upload(mock, token, [("b", *batch([child(1)], gzipped=False))], project)
    assert (status, body) == (401, b"")


def test_an_invalid_token_is_403_with_no_body_on_the_upload_too(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    mock.kill_access_token(token)
    assert upload(mock, token, [("b", *batch([child(1)], gzipped=False))])[:3:2] == (403, b"")


GZIP_PREFIX = "Error inserting object in the database: "
JSON_PREFIX = "Error inserting object in the database. "
BAD_ID = "Invalid object ID. Object ID: abc. Object ID's must be hashes represented by a " \
         "string of 32 characters."


@pytest.mark.parametrize(("media_type", "data", "status", "message"), [
    ("application/json", b"[{not json", 400, "Failed to parse data. Batch is not in JSON format."),
    ("text/plain", b'{"id": "x"}', 400,
     "Failed to parse data. Batch is expected to be wrapped in a JSON array."),
    ("application/json", b"[1]", 400,
     "Error inserting object in the database. Check server logs for details"),
    ("application/json", b'[{"id": "abc"}]', 400, JSON_PREFIX + BAD_ID),
    ("application/gzip", gzip.compress(b'[{"id": "abc"}]'), 400, GZIP_PREFIX + BAD_ID),
    ("application/gzip", b"[not gzip]", 400, "Failed to parse data."),
    ("application/gzip", gzip.compress(b"[{"), 400, "Failed to parse data."),
    ("application/xml", b"[]", 400, 'Invalid ContentType header. This route only accepts '
     '"application/gzip", "text/plain" or "application/json".'),
])
def test_a_malformed_batch_is_refused_and_nothing_of_it_is_stored(
        mock: MockSpeckle, media_type: str, data: bytes, status: int, message: str) -> None:
    token = token_for(mock, WRITE_SCOPES)
    before = dict(next(p for p in mock.users[ADA_ID].projects if p.id == project_id(mock)).objects)
    answer = upload(mock, token, [("b", media_type, data)])
    assert (answer[0], answer[2].decode()) == (status, message)
    assert answer[1]["Content-Type"] == "text/html; charset=utf-8"  # Express' res.send(text)
    after = next(p for p in mock.users[ADA_ID].projects if p.id == project_id(mock)).objects
    assert after == before


def test_a_part_over_the_size_limit_is_413(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    mock.max_upload_part_bytes = 100
    media_type, data = batch([child(n) for n in range(5)], gzipped=False)
    status, _, body = upload(mock, token, [("b", media_type, data)])
    assert (status, body.decode()) == (413, f"File size too large ({len(data)} > 100)")


def test_a_body_that_is_not_multipart_is_400(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    status, _, body = post(mock, f"/objects/{project_id(mock)}", b"[]", {
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert (status, body) == (400, b"Failed to parse request headers and body content as "
                                   b"valid multipart/form-data.")


def test_a_multipart_body_cut_before_its_end_is_400(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    content_type, body = multipart([("b", *batch([child(1)], gzipped=False))])
    status, _, answer = post(mock, f"/objects/{project_id(mock)}", body[:-30], {
        "Content-Type": content_type, "Authorization": f"Bearer {token}"})
    assert status == 400 and b"Upload request error" in answer


def test_a_part_without_a_file_name_is_a_form_field_and_ignored(mock: MockSpeckle) -> None:
    token = token_for(mock, WRITE_SCOPES)
    boundary = "xyz"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="batch"\r\n'
            f"Content-Type: application/json\r\n\r\n[{json.dumps(child(7))}]\r\n"
            f"--{boundary}--\r\n").encode()
    status, _, _ = post(mock, f"/objects/{project_id(mock)}", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Authorization": f"Bearer {token}"})
    assert status == 201
    assert get(mock, f"/objects/{project_id(mock)}/{child(7)['id']}/single", token)[0] == 404
