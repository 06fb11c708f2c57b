"""``pyapp.browser``'s IndexedDB object cache where the browser gives no IndexedDB (a
sandboxed frame, storage blocked, private browsing in older Firefox): every call is the
cache's refusal, never a crash, and a signed-in page still loads from the network. (In a
real browser it is exercised by ``tests/e2e/test_objects_cache.py``.)"""

from __future__ import annotations

import asyncio

import pytest

from pyapp.config import Settings
from pyapp.ports import CacheUnavailable
from pyapp.stores import Session, SessionStore
from tests.unit.fake_browser import FakeBrowser, FetchResponse, JsException
from tests.unit.test_objects import BODY

SERVER = "http://127.0.0.1:8001"


def refusing_factory(fake_browser: FakeBrowser, how: str) -> None:
    import js

    if how == "throws":  # reading window.indexedDB itself throws (SecurityError)
        def opening(*_args: object) -> None:
            raise JsException("SecurityError", "The operation is insecure.")
        js.indexedDB = type("Factory", (), {  # type: ignore[attr-defined]
            "open": staticmethod(opening), "deleteDatabase": staticmethod(opening)})()


@pytest.mark.parametrize("how", ["missing", "throws"])
def test_every_call_is_refused_when_the_browser_has_no_indexeddb(
        fake_browser: FakeBrowser, how: str) -> None:
    refusing_factory(fake_browser, how)
    from pyapp.browser.object_cache import IndexedDbObjectCache

    cache = IndexedDbObjectCache()
    for call in (lambda: cache.get("k"), lambda: cache.put("k", [b"x"]),
                 lambda: cache.delete("k"), cache.clear):
        with pytest.raises(CacheUnavailable):
            asyncio.run(call())


def test_a_page_without_indexeddb_loads_from_the_network_warning_once(
        fake_browser: FakeBrowser) -> None:
    from pyapp.browser import WebStorage, make_client

    SessionStore(WebStorage(fake_browser.session_storage),
                 WebStorage(fake_browser.local_storage)).save(
        Session(SERVER, "app", "t1", None, None, "auto", "session", 1.0))
    fake_browser.fetch.routes["/objects/p1/r0"] = lambda _url, _init: FetchResponse(
        200, BODY.decode(), "text/plain")
    client = make_client(Settings(SERVER, "app"))
    for _ in range(2):
        assert asyncio.run(client.load("p1", "r0"))["id"] == "r0"
    assert fake_browser.fetch.paths() == ["/objects/p1/r0", "/objects/p1/r0"]
    warnings = [text for level, text in fake_browser.console if level == "warn"]
    assert len(warnings) == 1 and "IndexedDB" in warnings[0] and "t1" not in warnings[0]
    asyncio.run(client.clear_object_cache())  # clearing a refused cache: silent
    assert len(fake_browser.console) == 1
