"""SpeckleClient: login navigation, queries with refresh, logout, listeners."""

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest

from pyapp.client import SpeckleClient
from pyapp.config import Settings
from pyapp.errors import MissingScope, NotSignedIn, SessionExpired
from pyapp.ports import HttpRequest, HttpResponse
from pyapp.stores import NAMESPACE, SESSION_KEY, Session, SessionStore
from tests.unit.fakes import (
    FakeNavigator,
    MemoryStorage,
    PythonCrypto,
    ScriptedHttp,
    json_response,
)

SERVER = "http://127.0.0.1:8001"


def make(http: ScriptedHttp, session: Session | None = None, url: str = "http://127.0.0.1:8000/"
         ) -> tuple[SpeckleClient, FakeNavigator, MemoryStorage, MemoryStorage]:
    ss, ls, nav = MemoryStorage(), MemoryStorage(), FakeNavigator(url)
    if session:
        SessionStore(ss, ls).save(session)
    client = SpeckleClient(Settings(SERVER, "demo-app"), crypto=PythonCrypto(), http=http,
                           navigator=nav, session_storage=ss, local_storage=ls, clock=lambda: 5.0)
    return client, nav, ss, ls


def session(secret: str | None = "sec", refresh: str | None = "r1") -> Session:
    return Session(SERVER, "demo-app", "t1", refresh, secret, "auto", "session", 1.0)


def test_login_navigates_to_consent_and_keeps_where_to_return() -> None:
    client, nav, ss, _ = make(ScriptedHttp({}), url="http://127.0.0.1:8000/app/?x=1")
    asyncio.run(client.login())
    (url, replace), = nav.visited
    assert url.startswith(f"{SERVER}/authn/verify/demo-app/") and not replace
    assert json.loads(ss.data[NAMESPACE + "transaction"])["return_to"] == "http://127.0.0.1:8000/app/?x=1"


def test_query_sends_bearer_and_returns_data() -> None:
    http = ScriptedHttp({"/graphql": json_response(200, {"data": {"activeUser": {"id": "u"}}})})
    client, *_ = make(http, session())
    assert asyncio.run(client.query("{ activeUser { id } }")) == {"activeUser": {"id": "u"}}
    assert http.sent[0].headers["Authorization"] == "Bearer t1"
    assert client.auth_headers() == {"Authorization": "Bearer t1"}


def test_revoked_token_without_refresh_clears_the_session() -> None:
    http = ScriptedHttp({"/graphql": json_response(403, {"error": "Your token is not valid."})})
    client, _, ss, _ = make(http, session(secret=None))
    changes: list[object] = []
    client.on_change(changes.append)
    with pytest.raises(SessionExpired):
        asyncio.run(client.query("{ x }"))
    assert not client.signed_in and ss.data == {} and changes == [None]
    assert http.paths() == ["/graphql"]


def test_revoked_token_is_refreshed_once_then_retried() -> None:
    calls = {"n": 0}

    def graphql(req: HttpRequest) -> HttpResponse:
        calls["n"] += 1
        if req.headers["Authorization"] == "Bearer t1":
            return json_response(403, {"error": "Your token is not valid."})
        return json_response(200, {"data": {"ok": True}})

    http = ScriptedHttp({"/graphql": graphql,
                         "/auth/token": json_response(200, {"token": "t2", "refreshToken": "r2"})})
    client, _, ss, _ = make(http, session())
    assert asyncio.run(client.query("{ ok }")) == {"ok": True}
    assert http.paths() == ["/graphql", "/auth/token", "/graphql"]
    assert json.loads(http.sent[1].body or "") == {"appId": "demo-app", "appSecret": "sec",
                                                   "refreshToken": "r1"}
    assert json.loads(ss.data[SESSION_KEY])["token"] == "t2"
    assert json.loads(ss.data[SESSION_KEY])["refresh_token"] == "r2"


def test_failed_refresh_signs_out() -> None:
    http = ScriptedHttp({"/graphql": json_response(403, {"error": "Your token is not valid."}),
                         "/auth/token": json_response(401, {"err": "Invalid refresh token."})})
    client, _, ss, _ = make(http, session())
    with pytest.raises(SessionExpired):
        asyncio.run(client.query("{ x }"))
    assert ss.data == {}
    # One query, one refresh, then the visitor is signed out: no second attempt at either.
    assert [r.url.removeprefix(SERVER) for r in http.sent] == ["/graphql", "/auth/token"]


def test_missing_scope_keeps_the_token() -> None:
    body = {"data": {"activeUser": None}, "errors": [
        {"message": "no", "extensions": {"code": "FORBIDDEN", "scope": "profile:read"}}]}
    client, _, ss, _ = make(ScriptedHttp({"/graphql": json_response(200, body)}), session())
    with pytest.raises(MissingScope):
        asyncio.run(client.query("{ activeUser { id } }"))
    assert client.signed_in and SESSION_KEY in ss.data


def test_logout_clears_every_key_first_and_tells_the_server() -> None:
    cleared_before_request: list[bool] = []
    http = ScriptedHttp({"/auth/logout": json_response(200, {"message": "You have logged out."})})
    client, _, ss, ls = make(http, session())
    ss.set("unrelated", "kept")
    ls.set(NAMESPACE + "other", "x")
    http.hooks.append(lambda req: cleared_before_request.append(SESSION_KEY not in ss.data))
    asyncio.run(client.logout())
    assert cleared_before_request == [True]
    assert ss.data == {"unrelated": "kept"} and ls.data == {}
    assert json.loads(http.sent[0].body or "") == {"token": "t1", "refreshToken": "r1"}


def test_logout_succeeds_locally_when_the_server_is_down() -> None:
    client, _, ss, _ = make(ScriptedHttp({"/auth/logout": None}), session())
    asyncio.run(client.logout())
    assert not client.signed_in and ss.data == {}


def test_not_signed_in() -> None:
    client, *_ = make(ScriptedHttp({}))
    with pytest.raises(NotSignedIn):
        client.auth_headers()
    with pytest.raises(NotSignedIn):
        asyncio.run(client.query("{ x }"))


def test_viewer_and_projects_parse_speckle_shapes() -> None:
    page = {"totalCount": 60, "cursor": "c1", "items": [
        {"id": "p1", "name": "Tower", "role": "stream:owner", "updatedAt": "2026-11-01T10:00:00Z",
         "visibility": "PRIVATE"}]}
    viewer_body = {"data": {"serverInfo": {"name": "Mock", "company": None, "version": "2",
                                           "canonicalUrl": SERVER},
                            "activeUser": {"id": "u1", "name": "Ada Lovelace", "email": "ada@x",
                                           "avatar": None, "company": "AE", "role": "server:user",
                                           "projects": page}}}
    http = ScriptedHttp({"/graphql": json_response(200, viewer_body)})
    client, *_ = make(http, session())
    viewer = asyncio.run(client.viewer())
    assert viewer.user is not None and viewer.user.initials == "AL"
    assert viewer.server is not None and viewer.server.name == "Mock"
    assert viewer.projects is not None and viewer.projects.items[0].name == "Tower"
    assert viewer.projects.cursor == "c1" and viewer.projects.total_count == 60
    assert json.loads(http.sent[0].body or "")["variables"] == {"limit": 25}


def test_logout_with_a_dead_access_token_refreshes_and_revokes_the_stored_refresh_token() -> None:
    def logout(request: HttpRequest) -> HttpResponse:
        body = json.loads(request.body or "{}")
        dead = body["token"] == "t1"
        return HttpResponse(400, {"content-type": "text/plain"}, "Something went wrong") \
            if dead else json_response(200, {"message": "You have logged out."})

    http = ScriptedHttp({"/auth/logout": logout,
                         "/auth/token": json_response(200, {"token": "t2", "refreshToken": "r2"})})
    client, _, ss, ls = make(http, session())
    asyncio.run(client.logout())
    assert http.paths() == ["/auth/logout", "/auth/token", "/auth/logout"]
    bodies = [json.loads(r.body or "{}") for r in http.sent]
    assert bodies[1]["refreshToken"] == "r1"
    assert bodies[2] == {"token": "t2", "refreshToken": "r1"}  # the stored one is revoked
    assert ss.data == {} and ls.data == {}


def test_logout_with_a_dead_token_and_no_secret_stops_after_one_request() -> None:
    http = ScriptedHttp({"/auth/logout": HttpResponse(400, {}, "no")})
    client, *_ = make(http, session(secret=None))
    asyncio.run(client.logout())
    assert http.paths() == ["/auth/logout"]


def test_viewer_without_a_scope_returns_what_the_server_did_answer() -> None:
    body = {"data": {"serverInfo": {"name": "Mock"},
                     "activeUser": {"id": "u1", "name": "Ada Lovelace", "email": None,
                                    "projects": {"totalCount": 0, "cursor": None, "items": []}}},
            "errors": [{"message": "no", "path": ["activeUser", "email"],
                        "extensions": {"code": "FORBIDDEN", "scope": "profile:email",
                                       "statusCode": 403}}]}
    client, *_ = make(ScriptedHttp({"/graphql": json_response(200, body)}), session())
    viewer = asyncio.run(client.viewer())
    assert viewer.missing_scope == "profile:email"
    assert viewer.user is not None and viewer.user.name == "Ada Lovelace"
    assert client.signed_in  # the token is kept

def test_refresh_is_tried_once_when_every_new_token_is_rejected_too() -> None:
    """A server that accepts the refresh but rejects every token it hands out: the client
    refreshes once, then gives up and signs out, instead of refreshing forever."""
    issued = iter(f"t{n}" for n in range(2, 100))
    http = ScriptedHttp({
        "/graphql": json_response(403, {"error": "Your token is not valid."}),
        "/auth/token": lambda req: json_response(200, {"token": next(issued), "refreshToken": "r"}),
    })
    client, _, ss, ls = make(http, session())
    changes: list[object] = []
    client.on_change(changes.append)
    with pytest.raises(SessionExpired):
        asyncio.run(client.query("{ x }"))
    assert http.paths() == ["/graphql", "/auth/token", "/graphql"]
    assert not client.signed_in and ss.data == {} and ls.data == {} and changes == [None]


class GatedHttp(ScriptedHttp):
    """ScriptedHttp whose answer to ``gated_path`` waits until the test opens the gate."""

    def __init__(self, routes: dict, gated_path: str) -> None:  # type: ignore[type-arg]
        super().__init__(routes)
        self.gated_path = gated_path
        self.arrived = asyncio.Event()
        self.gate = asyncio.Event()

    async def send(self, request: HttpRequest) -> HttpResponse:
        if request.url.endswith(self.gated_path):
            self.arrived.set()
            await self.gate.wait()
        return await super().send(request)


def refresh_in_flight(during: Callable[[SpeckleClient, MemoryStorage], Awaitable[None]]
                      ) -> tuple[SpeckleClient, GatedHttp, MemoryStorage, BaseException | None]:
    """Start a query whose token is refused, run ``during`` while its refresh is on the
    wire, then let the refresh succeed with token ``t2``."""
    http = GatedHttp({"/graphql": lambda req: json_response(
        200 if req.headers["Authorization"] == "Bearer t2" else 403,
        {"data": {"ok": True}} if req.headers["Authorization"] == "Bearer t2" else {"error": "no"}),
        "/auth/token": json_response(200, {"token": "t2", "refreshToken": "r2"}),
        "/auth/logout": json_response(200, {})}, gated_path="/auth/token")
    client, _, ss, _ = make(http, session())

    async def scenario() -> BaseException | None:
        query = asyncio.ensure_future(client.query("{ ok }"))
        arrived = asyncio.ensure_future(http.arrived.wait())
        await asyncio.wait([query, arrived], return_when=asyncio.FIRST_COMPLETED)
        assert http.arrived.is_set(), "the query ended before refreshing"
        await during(client, ss)
        http.gate.set()
        try:
            await query
        except BaseException as error:  # noqa: BLE001 - handed to the test to check
            return error
        return None

    return (client, http, ss, asyncio.run(scenario()))


def test_logout_during_a_refresh_is_never_undone() -> None:
    async def log_out(client: SpeckleClient, ss: MemoryStorage) -> None:
        await client.logout()

    client, http, ss, error = refresh_in_flight(log_out)
    assert isinstance(error, SessionExpired)
    assert not client.signed_in and SESSION_KEY not in ss.data
    assert "Bearer t2" not in [r.headers.get("Authorization") for r in http.sent]



def test_a_login_made_during_a_failed_refresh_stays_signed_in() -> None:
    newer = Session(SERVER, "demo-app", "t9", "r9", "sec", "auto", "session", 2.0)

    async def log_in_again(client: SpeckleClient, ss: MemoryStorage) -> None:
        SessionStore(ss, MemoryStorage()).save(newer)

    client, http, ss, error = refresh_in_flight(log_in_again)
    assert isinstance(error, SessionExpired)  # the old query still fails...
    assert client.session == newer  # ...but the login that replaced its session is kept


def test_unsubscribed_listeners_hear_nothing_more() -> None:
    client, *_ = make(ScriptedHttp({"/auth/logout": json_response(200, {})}), session())
    heard_a: list[object] = []
    heard_b: list[object] = []
    stop_a = client.on_change(heard_a.append)
    client.on_change(heard_b.append)
    client.notify()
    stop_a()
    stop_a()  # twice is harmless
    asyncio.run(client.logout())
    assert heard_a == [session()] and heard_b == [session(), None]


def test_a_finished_login_tells_listeners_the_new_session() -> None:
    http = ScriptedHttp({"/oauth/token": json_response(200, {"token": "t9", "refreshToken": "r9"})})
    client, nav, *_ = make(http, url="http://127.0.0.1:8000/app/")
    asyncio.run(client.login())
    nav.url = "http://127.0.0.1:8000/callback.html?access_code=c0de"
    heard: list[Session | None] = []
    client.on_change(heard.append)
    result = asyncio.run(client.complete_login())
    assert result.new_login and [s.token if s else None for s in heard] == ["t9"]
    assert nav.replaced == ["http://127.0.0.1:8000/callback.html"]


@pytest.mark.parametrize("return_to, expected", [
    (None, "http://127.0.0.1:8000/app/?x=1"),
    ("../other.html", "http://127.0.0.1:8000/other.html"),
    ("https://evil.example/", "http://127.0.0.1:8000/app/?x=1"),
])
def test_login_returns_to_a_same_origin_page(return_to: str | None, expected: str) -> None:
    client, nav, ss, _ = make(ScriptedHttp({}), url="http://127.0.0.1:8000/app/?x=1")
    asyncio.run(client.login(return_to))
    txn = json.loads(ss.data[NAMESPACE + "transaction"])
    assert txn["return_to"] == expected and txn["created_at"] == 5.0


def test_login_without_settings_says_what_is_missing() -> None:
    client, nav, ss, _ = make(ScriptedHttp({}))
    client.settings = None
    with pytest.raises(NotSignedIn) as caught:
        asyncio.run(client.login())
    assert caught.value.reason == "not_configured" and nav.visited == [] and ss.data == {}
    assert str(caught.value) == "No server and app are configured."
    with pytest.raises(NotSignedIn) as nobody:
        client.auth_headers()
    assert nobody.value.reason == "nobody_signed_in"


def test_the_retry_after_a_refresh_repeats_the_same_query() -> None:
    def graphql(req: HttpRequest) -> HttpResponse:
        if req.headers["Authorization"] == "Bearer t1":
            return json_response(403, {"error": "Your token is not valid."})
        return json_response(200, {"data": {"ok": True}})

    http = ScriptedHttp({"/graphql": graphql,
                         "/auth/token": json_response(200, {"token": "t2"})})
    client, _, ss, _ = make(http, session())
    asyncio.run(client.query("query Q($n: Int) { ok }", {"n": 3}))
    first, retry = (json.loads(r.body or "") for r in (http.sent[0], http.sent[2]))
    assert first == retry == {"query": "query Q($n: Int) { ok }", "variables": {"n": 3}}
    # The server sent no new refresh token: the old one is kept for next time.
    assert json.loads(ss.data[SESSION_KEY])["refresh_token"] == "r1"


def test_viewer_asks_for_server_user_and_projects() -> None:
    http = ScriptedHttp({"/graphql": json_response(200, {"data": {"activeUser": None}})})
    client, *_ = make(http, session())
    asyncio.run(client.viewer())
    query = json.loads(http.sent[0].body or "")["query"]
    assert all(name in query for name in ("serverInfo", "activeUser", "projects"))
