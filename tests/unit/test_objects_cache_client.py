"""``SpeckleClient.objects()``/``load()`` with an object cache: a second load of the same
version reads the kept download (after the server confirmed access), ``cache=False`` skips
it, only whole downloads are kept, a bad record falls back to the network, a refusing
browser changes nothing but a warning, and signing out leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import (
    NotAccessible,
    ObjectsIncomplete,
    ObjectsMalformed,
    ServerUnavailable,
    SessionExpired,
)
from pyapp.object_cache import MemoryObjectCache, cache_key
from pyapp.ports import HttpRequest, HttpResponse
from pyapp.stores import SessionStore
from tests.unit.fakes import (
    MemoryStorage,
    PythonCrypto,
    RefusingObjectCache,
    ScriptedHttp,
    StreamAnswer,
    json_response,
)
from tests.unit.test_client import SERVER, session
from tests.unit.test_objects import BODY, CHILD_A, ROOT, line

PATH = "/objects/p1/r0"
KEY = cache_key(SERVER, "p1", "r0")
ACCESS = json_response(200, {"data": {"project": {"id": "p1"}}})
NO_ACCESS = json_response(200, {"data": None, "errors": [{
    "message": "You do not have access to the project",
    "path": ["project"], "extensions": {"code": "FORBIDDEN", "statusCode": 403}}]})
DEAD = json_response(403, {"error": "Your token is not valid."})


def make(routes: dict[str, Any], cache: Any = None, signed_in: bool = True
         ) -> tuple[SpeckleClient, ScriptedHttp, Any]:
    http = ScriptedHttp(routes)
    ss, ls = MemoryStorage(), MemoryStorage()
    if signed_in:
        SessionStore(ss, ls).save(session())
    cache = MemoryObjectCache() if cache is None else cache
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                           navigator=None,  # type: ignore[arg-type]
                           session_storage=ss, local_storage=ls, object_cache=cache,
                           clock=lambda: 5.0)
    return client, http, cache


def objects_route(body: bytes = BODY) -> Callable[[HttpRequest], StreamAnswer]:
    """A fresh answer for each download (a StreamAnswer is read once)."""
    return lambda _request: StreamAnswer(200, [body[:40], body[40:]])


def routes(**extra: Any) -> dict[str, Any]:
    return {PATH: objects_route(), "/graphql": ACCESS, **extra}


def load(client: SpeckleClient, **kwargs: Any) -> dict[str, Any]:
    return asyncio.run(client.load("p1", "r0", **kwargs))


def collect(client: SpeckleClient, **kwargs: Any) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        return [obj async for obj in client.objects("p1", "r0", **kwargs)]
    return asyncio.run(run())


def downloads(http: ScriptedHttp) -> int:
    return http.paths().count(PATH)


def test_a_second_load_reads_the_kept_download_after_asking_the_server_about_access() -> None:
    client, http, cache = make(routes())
    first = load(client)
    assert http.paths() == [PATH] and list(cache.records) == [KEY]
    second = load(client)
    assert http.paths() == [PATH, "/graphql"]  # no second download
    access = json.loads(http.sent[1].body or "")
    assert "project(id: $projectId)" in access["query"]
    assert access["variables"] == {"projectId": "p1"}
    assert second == first and second["@elements"][1]["shared"] is second["@elements"][0]


def test_objects_from_the_cache_come_root_first_with_progress() -> None:
    client, _, _ = make(routes())
    collect(client)
    seen: list[tuple[int, int | None]] = []
    got = collect(client, progress=lambda loaded, total: seen.append((loaded, total)))
    assert [obj["id"] for obj in got] == ["r0", "a1", "b2"]
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_cache_false_neither_reads_nor_keeps() -> None:
    client, http, cache = make(routes())
    load(client, cache=False)
    assert cache.records == {}
    load(client)  # downloads, and keeps it
    load(client, cache=False)  # downloads again, though it is kept
    assert http.paths() == [PATH, PATH, PATH] and KEY in cache.records


def test_another_project_or_server_is_another_record() -> None:
    client, http, cache = make({**routes(), "/objects/p2/r0": objects_route()})
    load(client)
    asyncio.run(client.load("p2", "r0"))
    assert downloads(http) == 1 and http.paths()[-1] == "/objects/p2/r0"
    assert set(cache.records) == {KEY, cache_key(SERVER, "p2", "r0")}
    assert cache_key("http://other.example", "p1", "r0") not in cache.records


def test_an_incomplete_download_is_never_kept() -> None:
    cut = line(ROOT) + line(CHILD_A)  # b2 never came
    client, http, cache = make({PATH: lambda _r: StreamAnswer(200, [cut])})
    with pytest.raises(ObjectsIncomplete):
        load(client)
    assert cache.records == {}


def test_a_download_that_fails_mid_way_is_never_kept() -> None:
    failing = StreamAnswer(200, [BODY[:60], ServerUnavailable("request_failed")])
    client, _, cache = make({PATH: failing})
    with pytest.raises(ObjectsIncomplete):
        load(client)
    assert cache.records == {}


def test_a_loop_that_stops_early_keeps_nothing() -> None:
    client, _, cache = make(routes())

    async def first_only() -> None:
        async for _obj in client.objects("p1", "r0"):
            break

    asyncio.run(first_only())
    assert cache.records == {}


@pytest.mark.parametrize(("most", "kept"), [(len(BODY) - 1, False), (len(BODY), True)])
def test_a_download_too_large_to_keep_is_loaded_but_not_kept(
        most: int, kept: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pyapp.client.MAX_ENTRY_BYTES", most)
    client, _, cache = make(routes())
    assert load(client)["id"] == "r0" and (KEY in cache.records) is kept


def test_an_incomplete_record_is_removed_and_the_network_asked() -> None:
    client, http, cache = make(routes())
    asyncio.run(cache.put(KEY, [line(ROOT) + line(CHILD_A)]))
    assert load(client)["@elements"][1]["id"] == "b2"
    assert http.paths() == [PATH]  # the record was not used: no access question either
    assert b"".join(cache.records[KEY]) == BODY  # the whole download replaced it


def test_a_record_that_reads_badly_is_removed_and_the_error_raised() -> None:
    # Complete by its ids, but a line's JSON is broken: only the full read can tell.
    broken = line(ROOT) + line(CHILD_A) + b'b2\t{"id": "b2", \n'
    client, _, cache = make(routes())
    asyncio.run(cache.put(KEY, [broken]))
    with pytest.raises(ObjectsMalformed) as caught:
        load(client)
    assert caught.value.reason == "not_json"
    assert cache.records == {}


def test_without_access_now_the_kept_download_is_not_handed_out() -> None:
    client, http, cache = make(routes())
    load(client)
    http.routes["/graphql"] = NO_ACCESS
    with pytest.raises(NotAccessible) as caught:
        load(client)
    assert caught.value.project_id == "p1" and downloads(http) == 1
    assert KEY in cache.records  # whoever may read the project may still use it


def test_offline_the_kept_download_is_not_handed_out() -> None:
    client, http, _ = make(routes())
    load(client)
    http.routes["/graphql"] = None  # no answer
    with pytest.raises(ServerUnavailable):
        load(client)


def test_a_browser_refusing_the_cache_loads_from_the_network_and_warns_once(
        caplog: pytest.LogCaptureFixture) -> None:
    cache = RefusingObjectCache()
    client, http, _ = make(routes(), cache=cache)
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        assert load(client)["id"] == "r0"
        assert load(client)["id"] == "r0"
    assert downloads(http) == 2 and cache.calls == ["get", "put", "get", "put"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "IndexedDB" in warnings[0] and "t1" not in warnings[0]


def test_a_full_storage_is_named_in_the_warning(caplog: pytest.LogCaptureFixture) -> None:
    client, _, _ = make(routes(), cache=RefusingObjectCache(full=True))
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        load(client)
    assert ["full" in r.getMessage() for r in caplog.records] == [True]


def test_without_a_cache_port_every_load_downloads() -> None:
    client, http, _ = make(routes())
    client._object_cache = None
    load(client)
    load(client)
    assert downloads(http) == 2


def test_logout_clears_the_cache() -> None:
    client, http, cache = make({**routes(), "/auth/logout": json_response(200, {})})
    load(client)
    asyncio.run(client.logout())
    assert cache.records == {} and cache.entries == {}


def test_logout_while_a_download_is_being_kept_leaves_nothing() -> None:
    class SlowCache(MemoryObjectCache):
        """Its writes wait until the test lets them go."""

        started: asyncio.Event
        release: asyncio.Event

        async def put(self, key: str, parts: list[bytes]) -> None:
            self.started.set()
            await self.release.wait()
            await super().put(key, parts)

    cache = SlowCache()
    client, _, _ = make({**routes(), "/auth/logout": json_response(200, {})}, cache=cache)

    async def run() -> None:
        cache.started, cache.release = asyncio.Event(), asyncio.Event()
        loading = asyncio.ensure_future(client.load("p1", "r0"))
        await cache.started.wait()
        await client.logout()  # clears the cache before the write lands
        cache.release.set()
        await loading

    asyncio.run(run())
    assert cache.records == {} and cache.entries == {}


def test_an_expired_session_that_is_forgotten_clears_the_cache() -> None:
    client, http, cache = make(routes())
    load(client)
    http.routes["/graphql"] = DEAD
    with pytest.raises(SessionExpired):
        asyncio.run(client.query("{ x }"))
    assert not client.signed_in and cache.records == {}


def test_clear_object_cache_empties_it_and_the_next_load_downloads() -> None:
    client, http, cache = make(routes())
    load(client)
    asyncio.run(client.clear_object_cache())
    assert cache.records == {}
    load(client)
    assert downloads(http) == 2


def test_clearing_a_refusing_cache_is_silent(caplog: pytest.LogCaptureFixture) -> None:
    cache = RefusingObjectCache()
    client, _, _ = make(routes(), cache=cache, signed_in=False)
    with caplog.at_level(logging.WARNING, logger="pyapp"):
        asyncio.run(client.clear_object_cache())
        asyncio.run(client.logout())
    assert cache.calls == ["clear", "clear"] and caplog.records == []


def test_the_access_question_refreshes_a_dead_token_as_any_query() -> None:
    def graphql(request: HttpRequest) -> HttpResponse:
        return ACCESS if request.headers["Authorization"] == "Bearer t2" else DEAD

    client, http, _ = make(routes(**{"/auth/token": json_response(
        200, {"token": "t2", "refreshToken": "r2"})}))
    load(client)
    http.routes["/graphql"] = graphql
    assert load(client)["id"] == "r0"
    assert http.paths() == [PATH, "/graphql", "/auth/token", "/graphql"]
