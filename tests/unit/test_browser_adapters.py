"""``pyapp.browser`` on a fake browser: what each adapter asks of the page's APIs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import types
from pathlib import Path

import pytest

from pyapp.config import Settings
from pyapp.errors import InsecureContext, InvalidConfiguration, ServerUnavailable
from pyapp.ports import HttpRequest
from pyapp.stores import SESSION_KEY, Session, SessionStore
from tests.unit.fake_browser import Element, FakeBrowser, FetchResponse, JsException

SERVER = "http://127.0.0.1:8001"


# -- navigation ------------------------------------------------------------------------

def test_replace_url_rewrites_the_current_history_entry(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import BrowserNavigator

    fake_browser.location.href = "http://127.0.0.1:8000/callback.html?access_code=abc"
    fake_browser.history.entries = [fake_browser.location.href]
    nav = BrowserNavigator()
    assert nav.current_url() == "http://127.0.0.1:8000/callback.html?access_code=abc"
    nav.replace_url("http://127.0.0.1:8000/callback.html")
    # One entry, now clean: no history entry left that still holds the code.
    assert fake_browser.history.entries == ["http://127.0.0.1:8000/callback.html"]
    assert fake_browser.history.calls == ["replaceState"]
    assert nav.current_url() == "http://127.0.0.1:8000/callback.html"


def test_replace_url_keeps_the_history_state(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import BrowserNavigator

    fake_browser.history.state = {"scroll": 3}
    BrowserNavigator().replace_url("http://127.0.0.1:8000/x")
    assert fake_browser.history.state == {"scroll": 3}


def test_go_assigns_and_go_replace_replaces(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import BrowserNavigator

    nav = BrowserNavigator()
    nav.go("https://a.example/")
    nav.go("https://b.example/", replace=True)
    assert fake_browser.location.assigned == ["https://a.example/"]
    assert fake_browser.location.replaced == ["https://b.example/"]


# -- storage ---------------------------------------------------------------------------

def test_web_storage_reads_writes_and_lists_keys(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import WebStorage

    storage = WebStorage(fake_browser.session_storage)
    assert storage.get("k") is None and storage.keys() == []
    storage.set("k", "v")
    storage.set("other", "")
    assert storage.get("k") == "v" and storage.get("other") == ""
    assert storage.keys() == ["k", "other"]
    storage.remove("k")
    assert storage.keys() == ["other"] and fake_browser.session_storage.items == {"other": ""}


def test_a_page_with_nothing_stored_finds_nothing_to_remove_or_tell(
        fake_browser: FakeBrowser) -> None:
    from pyapp.browser import make_client

    # A missing key is jsnull in PyScript's Pyodide: it must not read as a record "null".
    client = make_client(Settings("https://speckle.example", "app"))
    assert not client.signed_in and client.dropped_session is None
    assert fake_browser.console == []


def test_other_tabs_changes_to_our_keys_are_reported(fake_browser: FakeBrowser) -> None:
    from pyapp.browser.storage import watch_other_tabs

    calls: list[str] = []
    watch_other_tabs(lambda: calls.append("changed"))
    fake_browser.storage_event("someone-else:key")
    assert calls == []
    fake_browser.storage_event(SESSION_KEY)
    assert calls == ["changed"]
    fake_browser.storage_event(None)  # localStorage.clear() in another tab
    assert calls == ["changed", "changed"]


# -- crypto ----------------------------------------------------------------------------

def test_crypto_takes_random_values_and_hashes_with_sha256(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import BrowserCrypto

    crypto = BrowserCrypto()
    assert crypto.random_bytes(32) == bytes(range(32))
    assert crypto.random_bytes(5) == bytes(range(5))
    assert asyncio.run(crypto.sha256(b"abc")) == hashlib.sha256(b"abc").digest()
    assert fake_browser.crypto.subtle is not None
    assert fake_browser.crypto.subtle.algorithms == ["SHA-256"]


@pytest.mark.parametrize("secure, subtle", [(False, True), (True, False), (False, False)])
def test_crypto_refuses_outside_a_secure_context(fake_browser: FakeBrowser, secure: bool,
                                                 subtle: bool) -> None:
    from pyapp.browser import BrowserCrypto

    fake_browser.secure = secure
    if not subtle:
        fake_browser.crypto.subtle = None
    with pytest.raises(InsecureContext) as caught:
        BrowserCrypto().random_bytes(32)
    assert caught.value.code == "insecure_context" and "https://" in str(caught.value)
    with pytest.raises(InsecureContext):
        asyncio.run(BrowserCrypto().sha256(b"abc"))


# -- http ------------------------------------------------------------------------------

def test_fetch_sends_no_cookies_no_referrer_no_cache_and_a_timeout(fake_browser: FakeBrowser
                                                                   ) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/graphql"] = FetchResponse(200, '{"data": {}}',
                                                          "application/json; charset=utf-8")
    request = HttpRequest.post_json(f"{SERVER}/graphql", {"query": "{ x }"},
                                    {"Authorization": "Bearer t"})
    response = asyncio.run(FetchHttp(timeout_ms=1234).send(request))
    assert (response.status, response.text) == (200, '{"data": {}}')
    assert response.headers == {"content-type": "application/json; charset=utf-8"}
    (url, init), = fake_browser.fetch.calls
    assert url == f"{SERVER}/graphql"
    assert init == {"method": "POST", "headers": request.headers, "credentials": "omit",
                    "referrerPolicy": "no-referrer", "cache": "no-store", "redirect": "error",
                    "signal": "timeout(1234)", "body": '{"query": "{ x }"}'}


def test_fetch_without_body_sends_none_and_default_timeout(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import FetchHttp
    from pyapp.browser.http import DEFAULT_TIMEOUT_MS

    fake_browser.fetch.routes["/x"] = FetchResponse(204, "", None)
    response = asyncio.run(FetchHttp().send(HttpRequest("GET", f"{SERVER}/x")))
    assert response.status == 204 and response.headers == {"content-type": ""}
    (_, init), = fake_browser.fetch.calls
    assert "body" not in init and init["method"] == "GET"
    assert fake_browser.timeouts == [DEFAULT_TIMEOUT_MS] and DEFAULT_TIMEOUT_MS >= 5_000


@pytest.mark.parametrize("error, reason, kind", [
    (JsException("TypeError", "Failed to fetch http://127.0.0.1:8001/graphql?token=t"),
     "request_failed", "failed"),
    (JsException("TimeoutError", "signal timed out"), "request_timed_out", "timed out"),
])
def test_fetch_failure_is_server_unavailable_without_the_browsers_text(
        fake_browser: FakeBrowser, error: JsException, reason: str, kind: str) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/graphql"] = error
    with pytest.raises(ServerUnavailable) as caught:
        asyncio.run(FetchHttp().send(HttpRequest("POST", f"{SERVER}/graphql")))
    failure = caught.value
    assert (failure.reason, failure.endpoint, failure.status) == (reason, "/graphql", None)
    assert str(failure) == f"The request to the Speckle server (/graphql) {kind}."
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_stream_hands_out_the_body_chunk_by_chunk_as_it_arrives(fake_browser: FakeBrowser
                                                                ) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/objects/p/o"] = FetchResponse(
        200, "", "text/plain; charset=UTF-8", chunks=[b"r0\t{", b'"a":1}\n'])
    request = HttpRequest("GET", f"{SERVER}/objects/p/o", {"Accept": "text/plain"})

    async def read() -> tuple[int, dict[str, str], list[bytes]]:
        answer = await FetchHttp(timeout_ms=1234).stream(request)
        return answer.status, answer.headers, [chunk async for chunk in answer.body]

    assert asyncio.run(read()) == (200, {"content-type": "text/plain; charset=UTF-8"},
                                   [b"r0\t{", b'"a":1}\n'])
    (_, init), = fake_browser.fetch.calls
    controller, = fake_browser.controllers
    assert init["signal"] == controller.signal and init["redirect"] == "error"
    assert init["credentials"] == "omit" and controller.aborted == 0


def test_a_stream_failing_mid_body_is_server_unavailable(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/objects/p/o"] = FetchResponse(
        200, "", chunks=[b"part", JsException("TypeError", "network error")])

    async def read() -> list[bytes]:
        answer = await FetchHttp().stream(HttpRequest("GET", f"{SERVER}/objects/p/o"))
        return [chunk async for chunk in answer.body]

    with pytest.raises(ServerUnavailable) as caught:
        asyncio.run(read())
    assert (caught.value.reason, caught.value.endpoint) == ("request_failed", "/objects/p/o")
    assert fake_browser.controllers[0].aborted == 1


def test_a_stream_stalled_longer_than_the_limit_is_aborted(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import FetchHttp

    async def read() -> list[bytes]:
        # Created in the running loop: a read that never ends, as a stalled server's.
        fake_browser.fetch.routes["/objects/p/o"] = FetchResponse(
            200, "", chunks=[b"part", asyncio.Event(), b"never"])
        answer = await FetchHttp(timeout_ms=10).stream(HttpRequest("GET", f"{SERVER}/objects/p/o"))
        return [chunk async for chunk in answer.body]

    with pytest.raises(ServerUnavailable) as caught:
        asyncio.run(read())
    assert caught.value.reason == "request_timed_out"
    assert fake_browser.controllers[0].aborted >= 1


def test_closing_a_stream_early_ends_the_download(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/objects/p/o"] = FetchResponse(200, "", chunks=[b"a", b"b"])

    async def first() -> bytes:
        answer = await FetchHttp().stream(HttpRequest("GET", f"{SERVER}/objects/p/o"))
        chunk = await anext(answer.body)
        await answer.body.aclose()
        return chunk

    assert asyncio.run(first()) == b"a"
    assert fake_browser.controllers[0].aborted == 1


# -- page elements -----------------------------------------------------------------------

def test_find_element_by_selector_or_as_given(fake_browser: FakeBrowser) -> None:
    from pyapp.browser.page import data_attributes, find_element

    node = fake_browser.document.createElement("div")
    fake_browser.document.selectors["#login"] = node
    assert find_element("#login") is node
    assert find_element(node) is node
    with pytest.raises(InvalidConfiguration) as caught:
        find_element("#missing")
    assert (caught.value.reason, caught.value.value) == ("no_such_element", "#missing")
    assert "“#missing”" in str(caught.value)
    node.setAttribute("data-app-id", "demo-app")
    node.setAttribute("class", "x")
    node.setAttribute("data-server-url", SERVER)
    assert data_attributes(node) == {"data-app-id": "demo-app", "data-server-url": SERVER}


# -- the whole client on the page ------------------------------------------------------

def session(storage: str = "session") -> Session:
    return Session(SERVER, "demo-app", "t1", None, None, "auto", storage, 1.0)  # type: ignore[arg-type]


def test_make_client_uses_session_and_local_storage_and_hears_other_tabs(
        fake_browser: FakeBrowser) -> None:
    from pyapp.browser import make_client
    from pyapp.browser.storage import WebStorage

    client = make_client(Settings(SERVER, "demo-app"))
    assert client.settings == Settings(SERVER, "demo-app")
    SessionStore(WebStorage(fake_browser.session_storage),
                 WebStorage(fake_browser.local_storage)).save(session("local"))
    assert client.session == session("local") and SESSION_KEY in fake_browser.local_storage.items
    heard: list[object] = []
    client.on_change(heard.append)
    fake_browser.local_storage.items.clear()  # another tab logged out
    fake_browser.storage_event(SESSION_KEY)
    assert heard == [None]


def test_make_client_logs_in_with_web_crypto_and_the_address_bar(fake_browser: FakeBrowser
                                                                  ) -> None:
    from pyapp.browser import make_client

    fake_browser.location.href = "http://127.0.0.1:8000/app/"
    asyncio.run(make_client(Settings(SERVER, "demo-app")).login())
    consent, = fake_browser.location.assigned
    assert consent.startswith(f"{SERVER}/authn/verify/demo-app/")
    txn = json.loads(fake_browser.session_storage.items["speckle-login:transaction"])
    assert txn["return_to"] == "http://127.0.0.1:8000/app/"
    assert fake_browser.crypto.subtle is not None
    assert fake_browser.crypto.subtle.algorithms == ["SHA-256"]


def test_connect_reads_the_elements_data_attributes(fake_browser: FakeBrowser) -> None:
    from pyapp import connect

    node = Element("div")
    node.setAttribute("data-server-url", SERVER)
    node.setAttribute("data-app-id", "from-element")
    fake_browser.document.selectors["#speckle"] = node
    client = connect({"storage": "local"}, element="#speckle")
    assert client.settings is not None
    assert (client.settings.server_url, client.settings.app_id,
            client.settings.storage) == (SERVER, "from-element", "local")
    assert connect().settings is None


def test_crypto_refuses_without_the_secure_context_flag_or_subtle(fake_browser: FakeBrowser
                                                                  ) -> None:
    from pyapp.browser import BrowserCrypto

    fake_browser.secure = None
    with pytest.raises(InsecureContext):
        BrowserCrypto().random_bytes(32)
    fake_browser.secure = True
    del fake_browser.crypto.subtle
    with pytest.raises(InsecureContext):
        BrowserCrypto().random_bytes(32)


def test_fetch_timeout_told_by_its_message_alone(fake_browser: FakeBrowser) -> None:
    from pyapp.browser import FetchHttp

    fake_browser.fetch.routes["/x"] = JsException("AbortError", "signal TimeoutError")
    with pytest.raises(ServerUnavailable) as caught:
        asyncio.run(FetchHttp().send(HttpRequest("GET", f"{SERVER}/x")))
    assert caught.value.reason == "request_timed_out"


def test_connect_reads_a_config_file(fake_browser: FakeBrowser, tmp_path: Path) -> None:
    from pyapp import connect

    config = tmp_path / "config.json"
    config.write_text(json.dumps({"serverUrl": SERVER, "appId": "from-file"}), encoding="utf-8")
    client = connect(config_file=str(config))
    assert client.settings is not None and client.settings.app_id == "from-file"


def test_finish_login_goes_back_replacing_the_callback(fake_browser: FakeBrowser) -> None:
    from pyapp import finish_login
    from pyapp.browser import make_client

    make_client(None)._sessions.save(session())
    fake_browser.location.href = "http://127.0.0.1:8000/app/callback.html"
    result = asyncio.run(finish_login())
    assert result.new_login is False
    assert fake_browser.location.replaced == ["http://127.0.0.1:8000/app/"]


def test_mount_without_the_widget_zip_says_what_to_add(fake_browser: FakeBrowser,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp import mount

    monkeypatch.setitem(sys.modules, "pyapp.ui.widget", None)  # not unpacked on this page
    with pytest.raises(InvalidConfiguration) as caught:
        asyncio.run(mount("#login"))
    assert caught.value.reason == "widget_not_loaded" and "pyapp-widget.zip" in str(caught.value)


def test_mount_hands_everything_to_the_widget(fake_browser: FakeBrowser,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp import mount

    calls: list[tuple[object, ...]] = []

    async def fake_mount(target: object, settings: object, *, config_file: object,
                         return_to: object, language: object, words: object) -> str:
        calls.append((target, settings, config_file, return_to, language, words))
        return "widget"

    widget = types.ModuleType("pyapp.ui.widget")
    widget.mount = fake_mount  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyapp.ui.widget", widget)
    settings = {"appId": "a"}
    assert asyncio.run(mount("#login", settings, config_file="c.json", return_to="/x",
                             language="de", words={"load-more": "Mehr"})) == "widget"
    asyncio.run(mount())
    assert calls == [("#login", settings, "c.json", "/x", "de", {"load-more": "Mehr"}),
                     ("#speckle-login", None, None, None, None, None)]


def test_enable_sync_http_patches_or_says_how_to_ship_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyapp import enable_sync_http

    monkeypatch.setitem(sys.modules, "pyodide_http", None)
    with pytest.raises(ImportError) as caught:
        enable_sync_http()
    assert "pyodide_http is not available" in str(caught.value) and "[files]" in str(caught.value)
    patched: list[bool] = []
    module = types.ModuleType("pyodide_http")
    module.patch_all = lambda: patched.append(True)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyodide_http", module)
    enable_sync_http()
    assert patched == [True]


def test_spawn_runs_a_handlers_task_to_the_end() -> None:
    from pyapp.ui import _running, spawn

    done = asyncio.Event()

    async def handler() -> None:
        await asyncio.sleep(0)
        done.set()

    async def page() -> None:
        spawn(handler())
        assert len(_running) == 1  # held, so it cannot be collected mid-flight
        await done.wait()
        for _ in range(10):  # the task's done callbacks run within a few loop turns
            if not _running:
                break
            await asyncio.sleep(0)

    asyncio.run(page())
    assert done.is_set() and not _running
