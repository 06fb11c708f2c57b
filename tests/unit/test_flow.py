"""The login round trip with fakes: start, callback, every callback outcome of SPEC §4."""

import asyncio
import json
from urllib.parse import urlsplit

import pytest

from pyapp import flow
from pyapp.config import Settings
from pyapp.errors import (
    EndpointNotSupported,
    ExchangeRejected,
    InvalidConfiguration,
    LoginDenied,
    MissingAccessCode,
    MissingTransaction,
    ServerUnavailable,
    StorageUnavailable,
    TokenEndpointUnreachable,
)
from pyapp.messages import message_for
from pyapp.ports import HttpRequest, HttpResponse
from pyapp.stores import SESSION_KEY, TRANSACTION_KEY, Session, SessionStore, TransactionStore
from tests.unit.fakes import (
    FakeNavigator,
    MemoryStorage,
    PythonCrypto,
    ScriptedHttp,
    html_response,
    json_response,
)

SERVER = "http://127.0.0.1:8001"
APP = "http://127.0.0.1:8000/app/index.html?tab=projects"
CALLBACK = "http://127.0.0.1:8000/app/callback.html"
TOKENS = {"token": "a" * 42, "refreshToken": "b" * 42}


class World:
    def __init__(self, secret: str | None = None, dialect: str = "auto") -> None:
        self.session_storage = MemoryStorage()
        self.local_storage = MemoryStorage()
        self.transactions = TransactionStore(self.session_storage)
        self.sessions = SessionStore(self.session_storage, self.local_storage)
        self.settings = Settings(SERVER + "/", "demo-app", secret, dialect)  # type: ignore[arg-type]

    def start(self, return_to: str = APP) -> str:
        return asyncio.run(
            flow.start_login(
                self.settings, PythonCrypto(), self.transactions, return_to, now=1000.0
            )
        )

    def callback(
        self, query: str, http: ScriptedHttp, now: float = 1010.0
    ) -> tuple[flow.CallbackResult, FakeNavigator]:
        """The callback page's two halves, as the client runs them."""
        nav = FakeNavigator(f"{CALLBACK}?{query}" if query else CALLBACK)
        callback = flow.take_callback(nav.url, self.transactions, now)
        if callback.clean_url != nav.url:
            nav.replace_url(callback.clean_url)
        result = asyncio.run(flow.finish_callback(callback, http, self.sessions, now))
        return result, nav


def test_start_login_stores_the_transaction_and_returns_the_documented_url() -> None:
    w = World()
    url = w.start()
    txn = json.loads(w.session_storage.data[TRANSACTION_KEY])
    assert txn["server_url"] == SERVER and txn["app_id"] == "demo-app" and txn["return_to"] == APP
    assert url == f"{SERVER}/authn/verify/demo-app/{txn['segment']}"
    assert txn["segment"].endswith("&code_challenge_method=S256") and len(txn["verifier"]) == 43
    assert txn["verifier"] not in url


def test_invalid_settings_store_nothing() -> None:
    w = World()
    w.settings = Settings("javascript:alert(1)", "demo-app")
    with pytest.raises(InvalidConfiguration):
        w.start()
    assert w.session_storage.data == {}


def test_documented_exchange_removes_transaction_before_the_first_request() -> None:
    w = World()
    w.start()
    http = ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
    seen: list[object] = []
    http.hooks.append(lambda req: seen.append(w.session_storage.get(TRANSACTION_KEY)))
    result, nav = w.callback("access_code=c0de", http)
    assert seen == [None]  # deleted before the request went out
    assert nav.replaced == [CALLBACK]  # access_code gone from the address bar
    body = json.loads(http.sent[0].body or "")
    assert body["accessCode"] == "c0de" and len(body["codeVerifier"]) == 43
    assert http.paths() == ["/oauth/token"]
    assert result.new_login and result.session.token == "a" * 42
    assert result.return_to == APP
    assert json.loads(w.session_storage.data[SESSION_KEY])["token"] == "a" * 42
    assert TRANSACTION_KEY not in w.session_storage.data


def test_other_query_parameters_survive_cleanup() -> None:
    w = World()
    w.start()
    _, nav = w.callback(
        "x=1&access_code=c0de&y=2", ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
    )
    assert nav.replaced == [f"{CALLBACK}?x=1&y=2"]


@pytest.mark.parametrize(
    "absent",
    [
        html_response(404, "Cannot POST /oauth/token"),
        HttpResponse(504, {}, ""),
        HttpResponse(200, {"content-type": "text/html"}, "<!doctype html><div id=__nuxt>"),
        HttpResponse(500, {"content-type": "text/plain"}, "Internal Server Error"),
    ],
)
def test_auto_falls_back_to_auth_token_once_with_the_whole_segment(absent: HttpResponse) -> None:
    w = World(secret="s3cret")
    w.start()
    segment = json.loads(w.session_storage.data[TRANSACTION_KEY])["segment"]
    http = ScriptedHttp({"/oauth/token": absent, "/auth/token": json_response(200, TOKENS)})
    result, _ = w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token", "/auth/token"]
    assert json.loads(http.sent[1].body or "") == {
        "appId": "demo-app",
        "appSecret": "s3cret",
        "accessCode": "c0de",
        "challenge": segment,
    }
    assert result.session.token == "a" * 42 and result.session.app_secret == "s3cret"


def test_json_rejection_on_oauth_token_is_final() -> None:
    w = World(secret="s3cret")
    w.start()
    http = ScriptedHttp({"/oauth/token": json_response(401, {"err": "Access code expired"})})
    with pytest.raises(ExchangeRejected) as caught:
        w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token"]
    assert w.session_storage.data == {}
    rejected = caught.value
    assert (rejected.server_message, rejected.status, rejected.endpoint) == (
        "Access code expired", 401, "/oauth/token")
    assert rejected.return_to == APP
    assert "Speckle said: “Access code expired.”" in message_for(rejected).detail


class NoRoomForSessions(MemoryStorage):
    """Holds the login transaction, but refuses to store a session (a full storage)."""

    def set(self, key: str, value: str) -> None:
        if key == SESSION_KEY:
            raise StorageUnavailable(full=True)
        super().set(key, value)


@pytest.mark.parametrize("failing", ["exchange", "storage"])
def test_a_failed_login_step_is_made_with_its_logins_return_address(failing: str) -> None:
    w = World(secret="s3cret")
    if failing == "storage":
        w.session_storage = NoRoomForSessions()
        w.transactions = TransactionStore(w.session_storage)
        w.sessions = SessionStore(w.session_storage, w.local_storage)
    w.start(return_to="http://127.0.0.1:8000/app/projects.html#recent")
    http = ScriptedHttp({
        "/oauth/token": json_response(401, {"err": "Access code expired"}) if failing == "exchange"
        else json_response(200, TOKENS),
        "/auth/logout": json_response(200, {}),
    })
    with pytest.raises(ExchangeRejected if failing == "exchange" else StorageUnavailable) as caught:
        w.callback("access_code=c0de", http)
    error = caught.value
    assert error.return_to == "http://127.0.0.1:8000/app/projects.html#recent"
    assert error.login_settings == Settings(SERVER, "demo-app", "s3cret", login_mode="redirect")
    # Made anew where the address is known, with the same facts; the failure it reports,
    # raised where the address was unknown, was left as it was made.
    first = error.__cause__
    assert type(first) is type(error) and first is not error
    assert first.return_to is None and first.login_settings is None
    if isinstance(error, ExchangeRejected):
        assert (error.server_message, error.status, error.endpoint) == (
            "Access code expired", 401, "/oauth/token")
    else:
        assert error.full is True
    assert str(error) == str(first) and "s3cret" not in repr(error)


def test_no_secret_and_no_documented_endpoint_explains_what_to_configure() -> None:
    w = World()
    w.start()
    with pytest.raises(EndpointNotSupported) as caught:
        w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": html_response(404)}))
    assert w.session_storage.data == {}
    assert (caught.value.server_url, caught.value.reason) == (SERVER, "no_app_secret")
    assert "add the App secret" in message_for(caught.value, editable=True).detail


def test_no_secret_and_a_broken_server_is_a_retryable_failure() -> None:
    w = World()
    w.start()
    http = ScriptedHttp({"/oauth/token": HttpResponse(500, {"content-type": "text/plain"}, "boom")})
    with pytest.raises(ServerUnavailable):
        w.callback("access_code=c0de", http)
    assert w.session_storage.data == {}


def test_deployed_dialect_skips_the_probe() -> None:
    w = World(secret="s3cret", dialect="deployed")
    w.start()
    http = ScriptedHttp({"/auth/token": json_response(200, TOKENS)})
    w.callback("access_code=c0de", http)
    assert http.paths() == ["/auth/token"]


def test_documented_dialect_never_tries_auth_token() -> None:
    w = World(secret="s3cret", dialect="documented")
    w.start()
    http = ScriptedHttp({"/oauth/token": html_response(404)})
    with pytest.raises(EndpointNotSupported) as caught:
        w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token"]
    assert caught.value.reason == "documented_chosen"
    # The secret is set: the way out is the endpoint choice, not "add the secret".
    owner = message_for(caught.value, editable=True).detail
    assert "already set" in owner and "add the App secret" not in owner
    assert "Automatic or Deployed" in owner


SERVER_INFO = json_response(200, {"data": {"serverInfo": {"version": "2.x"}}})


def test_network_failure_with_the_server_down_is_a_retryable_failure() -> None:
    w = World(secret="s3cret")
    w.start()
    http = ScriptedHttp({"/oauth/token": None, "/graphql": None})
    with pytest.raises(ServerUnavailable) as caught:
        w.callback("access_code=c0de", http)
    assert type(caught.value) is ServerUnavailable
    assert http.paths() == ["/oauth/token", "/graphql"] and w.session_storage.data == {}


def test_unreachable_oauth_token_on_a_live_server_falls_back_with_the_secret() -> None:
    # A deployed server's frontend answering /oauth/token without CORS headers: the browser
    # reports a network failure, while the API (CORS-enabled) answers.
    w = World(secret="s3cret")
    w.start()
    http = ScriptedHttp({"/oauth/token": None, "/graphql": SERVER_INFO,
                         "/auth/token": json_response(200, TOKENS)})
    result, _ = w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token", "/graphql", "/auth/token"]
    assert http.sent[1].headers.get("Authorization") is None  # the probe carries no token
    assert result.session.token == "a" * 42


def test_unreachable_oauth_token_on_a_live_server_without_secret_says_what_to_add() -> None:
    w = World()
    w.start()
    http = ScriptedHttp({"/oauth/token": None, "/graphql": SERVER_INFO})
    with pytest.raises(TokenEndpointUnreachable) as caught:
        w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token", "/graphql"] and w.session_storage.data == {}
    assert (caught.value.server_url, caught.value.endpoint) == (SERVER, "/oauth/token")
    assert "add the App secret" in message_for(caught.value, editable=True).detail


def test_documented_dialect_takes_a_network_failure_as_is() -> None:
    w = World(secret="s3cret", dialect="documented")
    w.start()
    http = ScriptedHttp({"/oauth/token": None, "/graphql": SERVER_INFO})
    with pytest.raises(ServerUnavailable):
        w.callback("access_code=c0de", http)
    assert http.paths() == ["/oauth/token"]


def test_denied_removes_the_transaction_and_exchanges_nothing() -> None:
    w = World()
    w.start()
    http = ScriptedHttp({})
    with pytest.raises(LoginDenied) as caught:
        _, nav = w.callback("denied=true", http)
    assert http.sent == [] and w.session_storage.data == {}
    assert caught.value.return_to == APP  # the error page links back to where it started
    # and a page without settings of its own can log in again with the same ones
    assert caught.value.login_settings == Settings(SERVER, "demo-app", login_mode="redirect")


def test_a_denied_login_carries_its_storage_choices_for_the_next_try() -> None:
    w = World()
    w.settings = Settings(SERVER, "demo-app", storage="local",
                          refresh_token_in_local_storage=True)
    w.start()
    with pytest.raises(LoginDenied) as caught:
        w.callback("denied=true", ScriptedHttp({}))
    assert caught.value.login_settings == Settings(
        SERVER, "demo-app", storage="local", login_mode="redirect",
        refresh_token_in_local_storage=True)


def test_a_failed_exchange_carries_the_settings_of_its_login() -> None:
    w = World(secret="s3cret", dialect="deployed")
    w.start()
    http = ScriptedHttp({"/auth/token": json_response(401, {"err": "Access code expired"})})
    with pytest.raises(ExchangeRejected) as caught:
        w.callback("access_code=c0de", http)
    assert caught.value.login_settings == Settings(SERVER, "demo-app", "s3cret", "deployed",
                                                   login_mode="redirect")


def test_no_access_code_changes_nothing() -> None:
    w = World()
    w.start()
    before = dict(w.session_storage.data)
    with pytest.raises(MissingAccessCode):
        w.callback("", ScriptedHttp({}))
    assert w.session_storage.data == before


def test_missing_transaction_new_tab() -> None:
    w = World()
    http = ScriptedHttp({})
    with pytest.raises(MissingTransaction) as caught:
        w.callback("access_code=c0de", http)
    assert http.sent == [] and w.session_storage.data == {}
    assert caught.value.return_to is None  # unknown here: the page links to the app instead


def test_stale_transaction_counts_as_missing() -> None:
    w = World()
    w.start()
    with pytest.raises(MissingTransaction):
        w.callback("access_code=c0de", ScriptedHttp({}), now=1000.0 + 31 * 60)


def test_reload_after_login_does_not_exchange_again() -> None:
    w = World()
    w.start()
    http = ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
    first, _ = w.callback("access_code=c0de", http)
    again, _ = w.callback("access_code=c0de", http)  # the same URL, e.g. from history
    cleaned, _ = w.callback("", http)  # the cleaned URL reloaded
    assert http.paths() == ["/oauth/token"]
    assert again.new_login is False and cleaned.new_login is False
    assert again.session == first.session and again.return_to == "http://127.0.0.1:8000/app/"


@pytest.mark.parametrize(
    "return_to,expected",
    [
        ("https://evil.example/steal", "http://127.0.0.1:8000/app/"),
        ("//evil.example/x", "http://127.0.0.1:8000/app/"),
        ("javascript:alert(1)", "http://127.0.0.1:8000/app/"),
        ("/other/page.html#top", "http://127.0.0.1:8000/other/page.html#top"),
        ("http://127.0.0.1:8000/app/?access_code=old&k=v", "http://127.0.0.1:8000/app/?k=v"),
    ],
)
def test_return_to_never_leaves_the_origin(return_to: str, expected: str) -> None:
    w = World()
    w.start(return_to=return_to)
    result, _ = w.callback(
        "access_code=c0de", ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
    )
    assert result.return_to == expected
    assert urlsplit(result.return_to).netloc == "127.0.0.1:8000"


def test_local_storage_session_when_asked_for() -> None:
    w = World()
    w.settings = Settings(SERVER, "demo-app", storage="local")
    w.start()
    w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": json_response(200, TOKENS)}))
    at_rest = json.loads(w.local_storage.data[SESSION_KEY])
    assert at_rest["token"] and at_rest["refresh_token"] is None
    assert json.loads(w.session_storage.data[SESSION_KEY])["refresh_token"]


def test_the_refresh_token_opt_in_travels_from_the_settings_to_the_stored_session() -> None:
    w = World()
    w.settings = Settings(SERVER, "demo-app", storage="local",
                          refresh_token_in_local_storage=True)
    w.start()
    w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": json_response(200, TOKENS)}))
    at_rest = json.loads(w.local_storage.data[SESSION_KEY])
    assert at_rest["refresh_token"] and at_rest["refresh_token_at_rest"] is True


def test_sent_requests_never_carry_secrets_in_urls() -> None:
    w = World(secret="s3cret")
    w.start()
    http = ScriptedHttp(
        {"/oauth/token": html_response(404), "/auth/token": json_response(200, TOKENS)}
    )
    w.callback("access_code=c0de", http)
    for req in http.sent:
        assert isinstance(req, HttpRequest)
        assert "c0de" not in req.url and "s3cret" not in req.url and "a" * 42 not in req.url


def test_the_new_session_holds_the_transactions_server_app_and_choices() -> None:
    w = World(secret="s3cret", dialect="documented")
    w.start()
    http = ScriptedHttp({"/oauth/token": json_response(200, TOKENS)})
    result, _ = w.callback("access_code=c0de", http, now=1234.0)
    assert result.session == Session(SERVER, "demo-app", "a" * 42, "b" * 42, "s3cret",
                                     "documented", "session", 1234.0)
    assert result.new_login is True and w.sessions.load() == result.session
    body = json.loads(http.sent[0].body or "")
    assert body["appId"] == "demo-app" and body["accessCode"] == "c0de"


def test_a_reload_of_the_cleaned_callback_returns_the_existing_session() -> None:
    w = World()
    w.start()
    first, _ = w.callback("access_code=c0de",
                          ScriptedHttp({"/oauth/token": json_response(200, TOKENS)}))
    cleaned, _ = w.callback("", ScriptedHttp({}))
    assert cleaned.session == first.session and cleaned.new_login is False
    assert cleaned.return_to == "http://127.0.0.1:8000/app/"


def test_cleaning_the_address_keeps_blank_parameters() -> None:
    w = World()
    w.start()
    _, nav = w.callback("empty=&access_code=c0de&k=v",
                        ScriptedHttp({"/oauth/token": json_response(200, TOKENS)}))
    assert nav.replaced == [f"{CALLBACK}?empty=&k=v"]


def test_denied_in_a_tab_without_the_login_has_no_way_back() -> None:
    with pytest.raises(LoginDenied) as caught:
        World().callback("denied=true", ScriptedHttp({}))
    assert caught.value.return_to is None and caught.value.code == "login_denied"
    assert message_for(caught.value).title == "You declined access"


@pytest.mark.parametrize("query, error, title", [
    ("", MissingAccessCode, "Nothing to sign in with"),
    ("access_code=c0de", MissingTransaction, "This sign-in can't be finished here"),
])
def test_callback_refusals_say_why(query: str, error: type[Exception], title: str) -> None:
    with pytest.raises(error) as caught:
        World().callback(query, ScriptedHttp({}))
    assert message_for(caught.value).title == title


def test_failures_at_the_token_endpoints_name_the_server_and_status() -> None:
    w = World()
    w.start()
    with pytest.raises(EndpointNotSupported) as not_supported:
        w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": html_response(404)}))
    assert not_supported.value.server_url == SERVER
    w.start()
    with pytest.raises(TokenEndpointUnreachable) as unreachable:
        w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": None,
                                                     "/graphql": SERVER_INFO}))
    assert unreachable.value.server_url == SERVER
    w.start()
    with pytest.raises(ServerUnavailable) as broken:
        w.callback("access_code=c0de", ScriptedHttp({"/oauth/token": HttpResponse(
            500, {"content-type": "text/plain"}, "boom")}))
    assert (broken.value.reason, broken.value.status, broken.value.endpoint) == (
        "not_json", 500, "/oauth/token")
    assert "(HTTP 500)" in message_for(broken.value).technical


def test_the_probe_asks_the_api_a_token_less_question() -> None:
    w = World(secret="s3cret")
    w.start()
    http = ScriptedHttp({"/oauth/token": None, "/graphql": SERVER_INFO,
                         "/auth/token": json_response(200, TOKENS)})
    w.callback("access_code=c0de", http)
    assert "serverInfo" in json.loads(http.sent[1].body or "")["query"]


def test_a_hand_made_deployed_transaction_without_secret_is_refused() -> None:
    w = World(secret="s3cret", dialect="deployed")
    w.start()
    txn = json.loads(w.session_storage.data[TRANSACTION_KEY])
    w.session_storage.data[TRANSACTION_KEY] = json.dumps({**txn, "app_secret": None})
    with pytest.raises(EndpointNotSupported) as caught:
        w.callback("access_code=c0de", ScriptedHttp({}))
    assert (caught.value.server_url, caught.value.reason) == (SERVER, "secret_missing")
    assert "needs the app secret" in str(caught.value)
