"""The mock Speckle server over real HTTP: consent, token endpoints, tokens, CORS, faults.

GraphQL, models and objects are in ``mock_routes/``.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mock_speckle import App, MockSpeckle, RequestRecord, TokenRecord

REPO_ROOT = Path(__file__).resolve().parents[2]

# RFC 7636 Appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
SEGMENT = CHALLENGE + "&code_challenge_method=S256"

APP_ID = "demo-app"
APP_SECRET = "demo-secret"
REDIRECT = "http://127.0.0.1:8000/callback.html"
HEX42 = re.compile(r"^[0-9a-f]{42}$")


# --------------------------------------------------------------------------- helpers


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # hand the 302 back to the test instead of following it


_OPENER = urllib.request.build_opener(_NoRedirect)

# How long a request or the server process may take before the test gives up: a guard against
# a hang, not a speed check, so generous enough for a machine busy with browser tests.
PATIENCE = 60


def call(mock: MockSpeckle, method: str, path: str, *, json_body: Any = None,
         data: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = PATIENCE) -> Reply:
    """One real HTTP request; error statuses are returned, not raised."""
    all_headers = dict(headers or {})
    if json_body is not None:
        data = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(mock.url + path, data=data, headers=all_headers, method=method)
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            return Reply(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, err.headers, err.read())


def authorize(mock: MockSpeckle, segment: str = SEGMENT, app_id: str = APP_ID) -> str:
    """Press Authorize on the consent page; returns the access code."""
    reply = call(mock, "POST", f"/authn/verify/{app_id}/{segment}", data=b"decision=authorize",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 302, reply.text
    location = reply.headers["Location"]
    prefix = mock.apps[app_id].redirect_url + "?access_code="
    assert location.startswith(prefix)
    return location[len(prefix):]


def documented_exchange(mock: MockSpeckle, code: str, verifier: str = VERIFIER,
                        app_id: str = APP_ID) -> Reply:
    return call(mock, "POST", "/oauth/token",
                json_body={"appId": app_id, "accessCode": code, "codeVerifier": verifier})


def deployed_exchange(mock: MockSpeckle, code: str, challenge: str = SEGMENT,
                      secret: str | None = APP_SECRET, app_id: str = APP_ID) -> Reply:
    body = {"appId": app_id, "accessCode": code, "challenge": challenge}
    if secret is not None:
        body["appSecret"] = secret
    return call(mock, "POST", "/auth/token", json_body=body)


def sign_in(mock: MockSpeckle) -> dict[str, str]:
    reply = documented_exchange(mock, authorize(mock))
    assert reply.status == 200, reply.text
    tokens: dict[str, str] = reply.json()
    return tokens


def graphql(mock: MockSpeckle, query: str, token: str | None = None) -> Reply:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return call(mock, "POST", "/graphql", json_body={"query": query}, headers=headers)


class FakeClock:
    """Injectable ``mock.clock``: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


class _FormParser(HTMLParser):
    """Collects the form and the buttons of the consent page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.buttons: list[str] = []
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button:
            self.buttons[-1] += data


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def server() -> Any:
    mock = MockSpeckle(host="127.0.0.1", port=0).start()
    yield mock
    mock.stop()


@pytest.fixture
def mock(server: MockSpeckle) -> MockSpeckle:
    server.reset()
    server.register_app(App(id=APP_ID, secret=APP_SECRET, name="Speckle Login Demo",
                            redirect_url=REDIRECT,
                            scopes=["profile:read", "profile:email", "streams:read"]))
    return server


@pytest.fixture
def clock(mock: MockSpeckle) -> FakeClock:
    fake = FakeClock()
    mock.clock = fake
    return fake


# --------------------------------------------------------------------------- lifecycle


def test_start_picks_a_free_port_and_url_has_no_trailing_slash() -> None:
    with MockSpeckle(port=0) as mock:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", mock.url)
        assert mock.port != 0
        assert call(mock, "GET", "/").status == 200
    mock.stop()  # a second stop is harmless


def test_reset_restores_defaults_but_keeps_apps(mock: MockSpeckle) -> None:
    tokens = sign_in(mock)
    mock.dialect = "deployed"
    mock.faults["/graphql"] = "500"
    mock.code_ttl_seconds = 1
    mock.users[mock.consent_user_id].name = "Changed"
    mock.consent_user_id = list(mock.users)[1]
    mock.reset()
    assert mock.dialect == "documented"
    assert mock.oauth_token_absent_as == "404"
    assert mock.faults == {}
    assert mock.requests == []
    assert mock.issued_tokens == {}
    assert mock.code_ttl_seconds == 600
    assert mock.slow_seconds == 5
    assert mock.users[mock.consent_user_id].name == "Ada Lovelace"
    assert APP_ID in mock.apps
    assert graphql(mock, "{ serverInfo { name } }", tokens["token"]).status == 403


def test_fixtures_are_deterministic_and_fresh_after_reset(mock: MockSpeckle) -> None:
    first = MockSpeckle().users
    second = MockSpeckle().users
    assert first == second
    ada = next(iter(first.values()))
    assert (ada.name, ada.email, ada.company, ada.avatar) == (
        "Ada Lovelace", "ada@example.org", "Analytical Engines", None)
    assert len(ada.projects) == 60
    assert len({p.updated_at for p in ada.projects}) == 60
    grace = list(first.values())[1]
    assert grace.name == "Grace Hopper"
    assert len(grace.projects) == 3
    mock.users[ada.id].projects.clear()
    mock.reset()
    assert len(mock.users[ada.id].projects) == 60


# --------------------------------------------------------------------------- consent page


def test_consent_page_shows_app_scopes_user_and_buttons(mock: MockSpeckle) -> None:
    reply = call(mock, "GET", f"/authn/verify/{APP_ID}/{SEGMENT}")
    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    page = reply.text
    assert "Speckle Login Demo" in page
    assert "Ada Lovelace" in page
    assert "ada@example.org" in page
    assert "See your email address" in page
    assert "Read your projects" in page
    assert "See your profile" in page
    parser = _FormParser()
    parser.feed(page)
    assert [b.strip() for b in parser.buttons] == ["Authorize", "Deny"]
    assert len(parser.forms) == 1
    form = parser.forms[0]
    assert (form.get("method") or "").lower() == "post"
    # The form posts back to the very same raw path, '&' and all.
    assert form["action"] == f"/authn/verify/{APP_ID}/{SEGMENT}"


def test_consent_page_escapes_everything(mock: MockSpeckle) -> None:
    mock.register_app(App(id="evil", secret="s", name="<script>alert(1)</script>",
                          redirect_url=REDIRECT, scopes=["<b>odd</b>"]))
    page = call(mock, "GET", "/authn/verify/evil/x\"><img/src=y>").text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert "<b>odd</b>" not in page
    assert "<img/src=y>" not in page


def test_consent_page_for_unknown_app_is_404_html(mock: MockSpeckle) -> None:
    reply = call(mock, "GET", f"/authn/verify/no-such-app/{SEGMENT}")
    assert reply.status == 404
    assert reply.content_type.startswith("text/html")
    assert "no-such-app" in reply.text
    assert "Authorize" not in reply.text
    post = call(mock, "POST", "/authn/verify/no-such-app/x", data=b"decision=authorize",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert post.status == 404


def test_consent_shows_the_configured_user(mock: MockSpeckle) -> None:
    grace_id = list(mock.users)[1]
    mock.consent_user_id = grace_id
    assert "Grace Hopper" in call(mock, "GET", f"/authn/verify/{APP_ID}/{SEGMENT}").text
    token = sign_in(mock)["token"]
    assert mock.issued_tokens[token].user_id == grace_id


def test_authorize_redirects_with_a_42_hex_code(mock: MockSpeckle) -> None:
    code = authorize(mock)
    assert HEX42.match(code)
    assert authorize(mock) != code


def test_redirect_is_plain_concatenation(mock: MockSpeckle) -> None:
    mock.apps[APP_ID].redirect_url = "http://127.0.0.1:8000/cb?from=speckle"
    reply = call(mock, "POST", f"/authn/verify/{APP_ID}/{SEGMENT}", data=b"decision=authorize",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.headers["Location"].startswith("http://127.0.0.1:8000/cb?from=speckle?access_code=")


def test_deny_redirects_with_denied_true_and_issues_no_code(mock: MockSpeckle) -> None:
    reply = call(mock, "POST", f"/authn/verify/{APP_ID}/{SEGMENT}", data=b"decision=deny",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 302
    assert reply.headers["Location"] == REDIRECT + "?denied=true"
    assert "error=" not in reply.headers["Location"]
    assert mock.auth.codes == {}


def test_raw_segment_is_kept_without_decoding_or_splitting(mock: MockSpeckle) -> None:
    segment = "abc%2Fdef?x=1&code_challenge_method=S256"
    code = authorize(mock, segment)
    stored = mock.auth.codes[code]
    assert stored.raw_segment == segment
    assert stored.challenge == "abc%2Fdef?x=1"
    assert stored.method == "S256"


# ------------------------------------------------------------------- documented /oauth/token


def test_documented_exchange_with_rfc7636_pair(mock: MockSpeckle) -> None:
    reply = documented_exchange(mock, authorize(mock))
    assert reply.status == 200
    assert reply.content_type.startswith("application/json")
    body = reply.json()
    assert set(body) == {"token", "refreshToken"}
    assert HEX42.match(body["token"])
    assert HEX42.match(body["refreshToken"])
    record = mock.issued_tokens[body["token"]]
    assert isinstance(record, TokenRecord)
    assert record.user_id == mock.consent_user_id
    assert record.app_id == APP_ID
    assert record.refresh_token == body["refreshToken"]
    assert record.scopes == ["profile:read", "profile:email", "streams:read"]
    assert not record.revoked
    assert [r.path for r in mock.token_exchanges()] == ["/oauth/token"]


def test_code_is_single_use(mock: MockSpeckle) -> None:
    code = authorize(mock)
    assert documented_exchange(mock, code).status == 200
    again = documented_exchange(mock, code)
    assert again.status == 401
    assert again.json() == {"err": "Access code not found."}


def test_failed_exchange_uses_the_code_up(mock: MockSpeckle) -> None:
    code = authorize(mock)
    wrong = documented_exchange(mock, code, verifier="x" * 43)
    assert wrong.status == 401
    assert wrong.json()["err"].startswith("Code challenge mismatch.")
    assert documented_exchange(mock, code).json() == {"err": "Access code not found."}


def test_code_expires_after_ten_minutes(mock: MockSpeckle, clock: FakeClock) -> None:
    fresh = authorize(mock)
    stale = authorize(mock)
    clock.now += 599
    assert documented_exchange(mock, fresh).status == 200
    clock.now += 2
    reply = documented_exchange(mock, stale)
    assert (reply.status, reply.json()) == (401, {"err": "Access code expired"})
    # An expired code is gone too.
    assert documented_exchange(mock, stale).json() == {"err": "Access code not found."}


def test_code_ttl_can_be_shortened(mock: MockSpeckle, clock: FakeClock) -> None:
    mock.code_ttl_seconds = 5
    code = authorize(mock)
    clock.now += 6
    assert documented_exchange(mock, code).json() == {"err": "Access code expired"}


def test_documented_exchange_requires_s256_method(mock: MockSpeckle) -> None:
    code = authorize(mock, segment=CHALLENGE)  # no &code_challenge_method=
    reply = documented_exchange(mock, code)
    assert reply.status == 401
    assert "not supported" in reply.json()["err"]


def test_documented_exchange_checks_app_and_fields(mock: MockSpeckle) -> None:
    mock.register_app(App(id="other", secret="s2", name="Other", redirect_url=REDIRECT))
    code = authorize(mock)
    mismatch = documented_exchange(mock, code, app_id="other")
    assert mismatch.json() == {"err": "Invalid request: application id does not match."}
    missing = call(mock, "POST", "/oauth/token", json_body={"appId": APP_ID, "accessCode": "x"})
    assert (missing.status, missing.json()) == (
        401, {"err": "Invalid request, insufficient information provided."})
    unknown = documented_exchange(mock, "0" * 42)
    assert unknown.json() == {"err": "Access code not found."}


# --------------------------------------------------------------------------- deployed dialect


def test_deployed_oauth_token_is_express_404_html(mock: MockSpeckle) -> None:
    mock.dialect = "deployed"
    code = authorize(mock)
    reply = documented_exchange(mock, code)
    assert reply.status == 404
    assert reply.content_type.startswith("text/html")
    assert "Cannot POST /oauth/token" in reply.text
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    # The absent route does not touch the code: /auth/token can still use it.
    assert deployed_exchange(mock, code).status == 200


def test_deployed_oauth_token_as_dev_proxy_504(mock: MockSpeckle) -> None:
    mock.dialect = "deployed"
    mock.oauth_token_absent_as = "504"
    reply = documented_exchange(mock, authorize(mock))
    assert reply.status == 504
    assert not reply.content_type.startswith("application/json")


def test_deployed_oauth_token_as_frontend_page(mock: MockSpeckle) -> None:
    mock.dialect = "deployed"
    mock.oauth_token_absent_as = "frontend"
    reply = documented_exchange(mock, authorize(mock))
    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    assert "<html" in reply.text
    with pytest.raises(json.JSONDecodeError):
        reply.json()


def test_frontend_answer_can_lack_cors(mock: MockSpeckle) -> None:
    mock.dialect = "deployed"
    mock.oauth_token_absent_as = "frontend"
    mock.oauth_frontend_cors = False
    reply = call(mock, "OPTIONS", "/oauth/token", headers={
        "Origin": "http://127.0.0.1:8000", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in reply.headers
    assert "Access-Control-Allow-Origin" not in documented_exchange(mock, "x").headers


def test_auth_token_compares_the_whole_segment(mock: MockSpeckle) -> None:
    mock.dialect = "deployed"
    ok = deployed_exchange(mock, authorize(mock), challenge=SEGMENT)
    assert ok.status == 200
    assert set(ok.json()) == {"token", "refreshToken"}
    code = authorize(mock)
    bare = deployed_exchange(mock, code, challenge=CHALLENGE)  # suffix left off
    assert bare.status == 401
    assert bare.json()["err"].startswith("Code challenge mismatch.")
    # ... and that failure used the code up.
    assert deployed_exchange(mock, code).json() == {"err": "Access code not found."}


def test_auth_token_secret_checks(mock: MockSpeckle) -> None:
    code = authorize(mock)
    missing = deployed_exchange(mock, code, secret=None)
    assert (missing.status, missing.json()) == (401, {
        "err": "Invalid request, insufficient information provided. App Secret is required."})
    wrong = deployed_exchange(mock, code, secret="nope")
    assert wrong.status == 401
    assert wrong.json()["err"].startswith("Invalid app secret.")
    assert deployed_exchange(mock, code).json() == {"err": "Access code not found."}


def test_auth_token_works_in_the_documented_dialect_too(mock: MockSpeckle) -> None:
    assert mock.dialect == "documented"
    assert deployed_exchange(mock, authorize(mock)).status == 200


def test_auth_token_other_failures(mock: MockSpeckle, clock: FakeClock) -> None:
    mock.register_app(App(id="other", secret="s2", name="Other", redirect_url=REDIRECT))
    assert deployed_exchange(mock, "f" * 42).json() == {"err": "Access code not found."}
    code = authorize(mock)
    assert deployed_exchange(mock, code, app_id="other", secret="s2").json() == {
        "err": "Invalid request: application id does not match."}
    clock.now += 601
    assert deployed_exchange(mock, code).json() == {"err": "Access code expired"}
    incomplete = call(mock, "POST", "/auth/token",
                      json_body={"appId": APP_ID, "appSecret": APP_SECRET, "accessCode": "x"})
    assert incomplete.status == 401
    assert incomplete.json()["err"].startswith("Invalid request, insufficient information")


def test_refresh_issues_new_tokens_without_rotation(mock: MockSpeckle) -> None:
    first = sign_in(mock)
    body = {"appId": APP_ID, "appSecret": APP_SECRET, "refreshToken": first["refreshToken"]}
    one = call(mock, "POST", "/auth/token", json_body=body)
    two = call(mock, "POST", "/auth/token", json_body=body)  # the old one still works
    assert one.status == two.status == 200
    tokens = {first["token"], one.json()["token"], two.json()["token"]}
    assert len(tokens) == 3
    assert HEX42.match(one.json()["refreshToken"])
    assert graphql(mock, "{ activeUser { id } }", two.json()["token"]).status == 200
    # Refreshes are not code exchanges.
    assert len(mock.token_exchanges()) == 1


def test_refresh_failures(mock: MockSpeckle) -> None:
    refresh = sign_in(mock)["refreshToken"]
    no_secret = call(mock, "POST", "/auth/token",
                     json_body={"appId": APP_ID, "refreshToken": refresh})
    assert no_secret.status == 401
    assert "err" in no_secret.json()
    wrong_secret = call(mock, "POST", "/auth/token", json_body={
        "appId": APP_ID, "appSecret": "nope", "refreshToken": refresh})
    assert wrong_secret.status == 401
    assert "err" in wrong_secret.json()
    unknown = call(mock, "POST", "/auth/token", json_body={
        "appId": APP_ID, "appSecret": APP_SECRET, "refreshToken": "0" * 42})
    assert unknown.status == 401
    assert "err" in unknown.json()


def test_logout_revokes_once(mock: MockSpeckle) -> None:
    tokens = sign_in(mock)
    body = {"token": tokens["token"], "refreshToken": tokens["refreshToken"]}
    first = call(mock, "POST", "/auth/logout", json_body=body)
    assert (first.status, first.json()) == (200, {"message": "You have logged out."})
    assert mock.issued_tokens[tokens["token"]].revoked
    second = call(mock, "POST", "/auth/logout", json_body=body)
    assert second.status == 400
    assert second.content_type.startswith("text/plain")
    assert graphql(mock, "{ activeUser { id } }", tokens["token"]).status == 403
    refresh = call(mock, "POST", "/auth/token", json_body={
        "appId": APP_ID, "appSecret": APP_SECRET, "refreshToken": tokens["refreshToken"]})
    assert refresh.status == 401
    assert call(mock, "POST", "/auth/logout", json_body={"token": "0" * 42}).status == 400


def test_malformed_json_is_rejected_like_express(mock: MockSpeckle) -> None:
    reply = call(mock, "POST", "/oauth/token", data=b"{not json",
                 headers={"Content-Type": "application/json"})
    assert reply.status == 400
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


# --------------------------------------------------------------------------- bearer tokens


@pytest.mark.parametrize("path", ["/graphql", "/auth/token", "/nowhere"])
def test_invalid_token_is_403_on_any_route(mock: MockSpeckle, path: str) -> None:
    reply = call(mock, "POST", path, json_body={"query": "{ serverInfo { name } }"},
                 headers={"Authorization": "Bearer " + "0" * 42})
    assert reply.status == 403
    assert reply.content_type.startswith("application/json")
    assert reply.json() == {"error": "Your token is not valid."}
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_revoke_all_tokens_of_one_user(mock: MockSpeckle) -> None:
    ada_token = sign_in(mock)["token"]
    grace_id = list(mock.users)[1]
    mock.consent_user_id = grace_id
    grace_token = sign_in(mock)["token"]
    mock.revoke_all_tokens(user_id=grace_id)
    assert graphql(mock, "{ activeUser { id } }", grace_token).status == 403
    assert graphql(mock, "{ activeUser { id } }", ada_token).status == 200
    mock.revoke_all_tokens()
    assert call(mock, "GET", "/", headers={"Authorization": f"Bearer {ada_token}"}).status == 403


# --------------------------------------------------------------------------- HTTP plumbing


def test_unknown_route_is_express_404(mock: MockSpeckle) -> None:
    reply = call(mock, "GET", "/x?y=1")
    assert reply.status == 404
    assert reply.content_type.startswith("text/html")
    assert "Cannot GET /x" in reply.text
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "Cannot POST /oauth/nothing" in call(mock, "POST", "/oauth/nothing", data=b"").text


def test_preflight_echoes_requested_headers(mock: MockSpeckle) -> None:
    reply = call(mock, "OPTIONS", "/oauth/token", headers={
        "Origin": "http://127.0.0.1:8000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization",
    })
    assert reply.status == 204
    assert reply.body == b""
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert reply.headers["Access-Control-Allow-Headers"] == "content-type,authorization"
    assert reply.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"


@pytest.mark.parametrize("fault", ["500", "non-json", "504"])
def test_cors_header_on_error_answers(mock: MockSpeckle, fault: str) -> None:
    mock.faults["/auth/token"] = fault
    reply = deployed_exchange(mock, "x")
    assert reply.status != 401
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_header_on_401(mock: MockSpeckle) -> None:
    reply = deployed_exchange(mock, "x")
    assert reply.status == 401
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_fault_500(mock: MockSpeckle) -> None:
    mock.faults["/oauth/token"] = "500"
    code = authorize(mock)
    reply = documented_exchange(mock, code)
    assert reply.status == 500
    assert reply.content_type.startswith("text/plain")
    # A faulted request never reached the route: the code is still there.
    mock.faults.clear()
    assert documented_exchange(mock, code).status == 200


def test_fault_non_json(mock: MockSpeckle) -> None:
    mock.faults["/graphql"] = "non-json"
    reply = graphql(mock, "{ serverInfo { name } }")
    assert reply.status == 200
    assert reply.content_type.startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        reply.json()


def test_fault_504(mock: MockSpeckle) -> None:
    mock.faults["/auth/logout"] = "504"
    assert call(mock, "POST", "/auth/logout", json_body={}).status == 504


def test_fault_slow(mock: MockSpeckle) -> None:
    mock.slow_seconds = 0.3
    mock.faults["/graphql"] = "slow"
    started = time.monotonic()
    reply = graphql(mock, "{ serverInfo { name } }")
    elapsed = time.monotonic() - started
    assert elapsed >= 0.3
    assert reply.status == 200
    assert reply.json()["data"]["serverInfo"]["name"] == "Speckle Mock Server"


def test_fault_drop_closes_without_answer(mock: MockSpeckle) -> None:
    mock.faults["/oauth/token"] = "drop"
    with pytest.raises((urllib.error.URLError, ConnectionError, http.client.HTTPException)):
        documented_exchange(mock, authorize(mock))
    assert mock.requests[-1].path == "/oauth/token"
    assert mock.requests[-1].status == 0


def test_preflight_is_never_faulted(mock: MockSpeckle) -> None:
    mock.faults["/graphql"] = "drop"
    mock.faults["*"] = "500"
    reply = call(mock, "OPTIONS", "/graphql", headers={"Access-Control-Request-Method": "POST"})
    assert reply.status == 204


def test_fault_on_a_folder_covers_the_consent_page(mock: MockSpeckle) -> None:
    mock.faults["/authn/verify"] = "500"
    assert call(mock, "GET", f"/authn/verify/{APP_ID}/{SEGMENT}").status == 500


def test_request_log_and_token_exchanges(mock: MockSpeckle) -> None:
    code = authorize(mock)
    deployed_exchange(mock, code)
    call(mock, "GET", "/missing")
    record = mock.requests[-2]
    assert isinstance(record, RequestRecord)
    assert (record.method, record.path, record.status) == ("POST", "/auth/token", 200)
    assert record.headers["content-type"] == "application/json"
    assert json.loads(record.body)["accessCode"] == code
    assert mock.requests[-1].status == 404
    assert mock.requests[0].path == f"/authn/verify/{APP_ID}/{SEGMENT}"
    assert mock.token_exchanges() == [record]


def test_parallel_sign_ins_get_distinct_tokens(mock: MockSpeckle) -> None:
    results: list[int] = []
    tokens: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        reply = documented_exchange(mock, authorize(mock))
        with lock:
            results.append(reply.status)
            tokens.append(reply.json().get("token", ""))

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert results == [200] * 12
    assert len(set(tokens)) == 12


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])  # Ctrl-C; a service stop
def test_cli_serves_and_exits_cleanly(stop: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mock_speckle", "--port", "0", "--dialect", "deployed",
         "--quiet"],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert match, line
        base = match.group(0)
        request = urllib.request.Request(
            base + "/graphql", data=b'{"query":"{ serverInfo { canonicalUrl } }"}',
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=PATIENCE) as resp:
            info = json.loads(resp.read())["data"]["serverInfo"]
        assert info["canonicalUrl"] == base
        page = urllib.request.urlopen(base + "/authn/verify/demo-app/abc", timeout=PATIENCE).read()
        assert b"Speckle Login Demo" in page
        proc.send_signal(stop)
        assert proc.wait(timeout=PATIENCE) == 0
        assert proc.stdout is not None and "stopped" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()


# -- measured behaviours a client must cope with (SPEC §2), and hostile faults ---------------


def test_logout_with_a_dead_access_token_leaves_the_refresh_token_alive(
    mock: MockSpeckle,
) -> None:
    tokens = sign_in(mock)
    mock.kill_access_token(tokens["token"])
    reply = call(mock, "POST", "/auth/logout", json_body=tokens)
    assert reply.status == 400
    assert mock.refresh_token_alive(tokens["refreshToken"])


def test_a_used_refresh_token_keeps_working_and_logout_revokes_the_one_it_is_given(
    mock: MockSpeckle,
) -> None:
    first = sign_in(mock)
    body = {"appId": APP_ID, "appSecret": APP_SECRET, "refreshToken": first["refreshToken"]}
    fresh = call(mock, "POST", "/auth/token", json_body=body).json()
    assert mock.refresh_token_alive(first["refreshToken"])  # no rotation
    logout = {"token": fresh["token"], "refreshToken": first["refreshToken"]}
    assert call(mock, "POST", "/auth/logout", json_body=logout).status == 200
    assert not mock.refresh_token_alive(first["refreshToken"])


@pytest.mark.parametrize("fault,check", [
    ("deep-json", lambda r: r.body.startswith(b"[[[[") and len(r.body) == 400_000),
    ("huge-json", lambda r: len(r.body) > 20 * 1024 * 1024),
    ("errors-number", lambda r: json.loads(r.body) == {"errors": 5}),
    ("extensions-text", lambda r: json.loads(r.body)["errors"][0]["extensions"] == "x"),
    ("bad-token", lambda r: "\r\n" in json.loads(r.body)["token"]),
])
def test_hostile_faults_answer_as_named(mock: MockSpeckle, fault: str,
                                        check: Callable[[Any], bool]) -> None:
    mock.faults["/graphql"] = fault
    reply = call(mock, "POST", "/graphql", json_body={"query": "{ serverInfo { name } }"})
    assert reply.status == 200 and check(reply)


def test_redirect_fault_points_at_another_origin(mock: MockSpeckle) -> None:
    mock.redirect_target = "http://127.0.0.1:9"
    mock.faults["/oauth/token"] = "redirect"
    reply = call(mock, "POST", "/oauth/token", json_body={})
    assert reply.status == 307
    assert reply.headers["location"] == "http://127.0.0.1:9/oauth/token"
