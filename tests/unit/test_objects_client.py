"""``SpeckleClient.objects()`` and ``load()``: what they ask Speckle, objects handed out as
the download brings them, references resolved, and every refusal or broken download typed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from pyapp.errors import (
    NotAccessible,
    ObjectNotFound,
    ObjectsIncomplete,
    ObjectsMalformed,
    ObjectsTooLarge,
    ServerUnavailable,
    SessionExpired,
)
from pyapp.objects import ObjectLimits
from pyapp.ports import HttpRequest, HttpResponse
from pyapp.stores import SESSION_KEY
from tests.unit.fakes import ScriptedHttp, StreamAnswer, html_response, json_response
from tests.unit.test_client import SERVER, make, session
from tests.unit.test_objects import BODY, CHILD_A, CHILD_B, ROOT, line

PATH = "/objects/p1/r0"
DEAD = json_response(403, {"error": "Your token is not valid."})
ALIVE = json_response(200, {"data": {"serverInfo": {"version": "2"}}})


def collect(client: Any, project: str = "p1", root: str = "r0", **kwargs: Any
            ) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return [obj async for obj in client.objects(project, root, **kwargs)]
    return asyncio.run(run())


def test_objects_asks_for_lines_with_the_token_and_yields_the_root_first() -> None:
    http = ScriptedHttp({PATH: StreamAnswer(200, [BODY[:7], BODY[7:100], BODY[100:]])})
    client, *_ = make(http, session())
    assert collect(client) == [ROOT, CHILD_A, CHILD_B]
    request, = http.sent
    assert (request.method, request.url) == ("GET", f"{SERVER}{PATH}")
    assert request.headers == {"Accept": "text/plain", "Authorization": "Bearer t1"}


def test_ids_are_escaped_into_their_path_segments() -> None:
    http = ScriptedHttp({})
    client, *_ = make(http, session())
    with pytest.raises(NotAccessible):
        collect(client, "../graphql?x", "a/b")
    assert http.sent[0].url == f"{SERVER}/objects/..%2Fgraphql%3Fx/a%2Fb"


def test_objects_are_handed_out_before_the_rest_of_the_download_arrives() -> None:
    cut = len(line(ROOT)) + 5
    answer = StreamAnswer(200, [BODY[:cut], ServerUnavailable("request_failed"), BODY[cut:]])
    client, *_ = make(ScriptedHttp({PATH: answer}), session())
    got: list[str] = []

    async def run() -> None:
        async for obj in client.objects("p1", "r0"):
            got.append(obj["id"])

    with pytest.raises(ObjectsIncomplete) as caught:
        asyncio.run(run())
    assert got == ["r0"] and (caught.value.loaded, caught.value.expected) == (1, 3)
    assert isinstance(caught.value.__cause__, ServerUnavailable) and answer.closed


def test_progress_reports_each_object_against_the_roots_count() -> None:
    client, *_ = make(ScriptedHttp({PATH: StreamAnswer(200, [BODY])}), session())
    seen: list[tuple[int, int | None]] = []
    collect(client, progress=lambda loaded, total: seen.append((loaded, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_load_resolves_references_into_one_object_each() -> None:
    client, *_ = make(ScriptedHttp({PATH: StreamAnswer(200, [BODY])}), session())
    root = asyncio.run(client.load("p1", "r0"))
    a, b = root["@elements"]
    assert (a["id"], b["id"], a["name"]) == ("a1", "b2", CHILD_A["name"]) and b["shared"] is a


def test_load_of_a_download_cut_at_a_line_boundary_returns_nothing() -> None:
    cut = BODY[:len(BODY) - len(json.dumps(CHILD_B)) - 4]  # the last line left out
    assert cut.endswith(b"\n")
    client, *_ = make(ScriptedHttp({PATH: StreamAnswer(200, [cut])}), session())
    with pytest.raises(ObjectsIncomplete) as caught:
        asyncio.run(client.load("p1", "r0"))
    assert (caught.value.loaded, caught.value.expected) == (2, 3)


def test_a_malformed_line_is_typed() -> None:
    answer = StreamAnswer(200, [BODY + b"zz\tnot json\n"])
    client, *_ = make(ScriptedHttp({PATH: answer}), session())
    with pytest.raises(ObjectsMalformed) as caught:
        collect(client)
    assert (caught.value.reason, caught.value.line) == ("not_json", 4)


def test_a_download_past_the_limit_is_stopped() -> None:
    answer = StreamAnswer(200, [BODY[:50], BODY[50:]])
    client, *_ = make(ScriptedHttp({PATH: answer}), session())
    with pytest.raises(ObjectsTooLarge) as caught:
        collect(client, limits=ObjectLimits(max_bytes=60))
    assert caught.value.limit == "bytes" and answer.closed


def test_a_404_failed_to_find_object_is_object_not_found() -> None:
    answer = html_response(404, "Failed to find object.")
    client, _, ss, _ = make(ScriptedHttp({PATH: answer}), session())
    with pytest.raises(ObjectNotFound) as caught:
        collect(client)
    assert (caught.value.project_id, caught.value.object_id) == ("p1", "r0")
    assert SESSION_KEY in ss.data


def test_a_404_without_words_is_an_unknown_project() -> None:
    client, _, ss, _ = make(ScriptedHttp({PATH: StreamAnswer(404, [])}), session())
    with pytest.raises(NotAccessible) as caught:
        collect(client)
    assert (caught.value.reason, caught.value.project_id) == ("project_not_found", "p1")
    assert SESSION_KEY in ss.data


@pytest.mark.parametrize("status", [500, 502])
def test_a_server_failure_is_server_unavailable(status: int) -> None:
    client, *_ = make(ScriptedHttp({PATH: StreamAnswer(status, [b"oops"])}), session())
    with pytest.raises(ServerUnavailable) as caught:
        collect(client)
    assert (caught.value.reason, caught.value.status, caught.value.endpoint) == (
        "server_error", status, "/objects")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refusal_while_the_token_works_is_no_access_and_keeps_the_session(
        status: int) -> None:
    http = ScriptedHttp({PATH: StreamAnswer(status, []), "/graphql": ALIVE})
    client, _, ss, _ = make(http, session())
    with pytest.raises(NotAccessible) as caught:
        collect(client)
    assert (caught.value.reason, caught.value.project_id) == ("no_access", "p1")
    assert http.paths() == [PATH, "/graphql"] and SESSION_KEY in ss.data


def test_a_dead_token_is_refreshed_once_and_the_download_asked_again() -> None:
    def objects(request: HttpRequest) -> StreamAnswer:
        ok = request.headers["Authorization"] == "Bearer t2"
        return StreamAnswer(200, [BODY]) if ok else StreamAnswer(403, [])

    http = ScriptedHttp({PATH: objects, "/graphql": DEAD,
                         "/auth/token": json_response(200, {"token": "t2", "refreshToken": "r2"})})
    client, _, ss, _ = make(http, session())
    assert [o["id"] for o in collect(client)] == ["r0", "a1", "b2"]
    assert http.paths() == [PATH, "/graphql", "/auth/token", PATH]
    assert json.loads(ss.data[SESSION_KEY])["token"] == "t2"


def test_a_refusal_after_a_refresh_is_no_access() -> None:
    http = ScriptedHttp({PATH: StreamAnswer(403, []), "/graphql": DEAD,
                         "/auth/token": json_response(200, {"token": "t2", "refreshToken": "r2"})})
    client, _, ss, _ = make(http, session())
    with pytest.raises(NotAccessible):
        collect(client)
    assert http.paths() == [PATH, "/graphql", "/auth/token", PATH] and SESSION_KEY in ss.data


def test_a_dead_token_that_cannot_be_refreshed_ends_the_session() -> None:
    http = ScriptedHttp({PATH: StreamAnswer(403, []), "/graphql": DEAD})
    client, _, ss, _ = make(http, session(secret=None))
    with pytest.raises(SessionExpired) as caught:
        collect(client)
    assert caught.value.status == 403 and ss.data == {} and not client.signed_in


def test_a_body_that_arrives_in_one_piece_reads_the_same() -> None:
    http = ScriptedHttp({PATH: HttpResponse(200, {"content-type": "text/plain"},
                                            BODY.decode())})
    client, *_ = make(http, session())
    assert len(collect(client)) == 3
