"""The mock Speckle server over real HTTP, as the route tests use it: a request without
redirects followed, a GraphQL call, and a token got through the consent page."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

from mock_speckle import MockSpeckle

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
SEGMENT = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
APP_ID = "demo-app"
REDIRECT = "http://127.0.0.1:8000/callback.html"
ALL_SCOPES = ["profile:read", "profile:email", "streams:read"]
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(mock: MockSpeckle, path: str, data: bytes | None, headers: dict[str, str],
         method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(mock.url + path, data=data, headers=headers, method=method)
    try:
        with _OPENER.open(req, timeout=60) as resp:  # a guard against a hang, not a speed check
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def gql(mock: MockSpeckle, query: str, token: str | None = None,
        variables: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    status, _headers, raw = post(mock, "/graphql", body, headers)
    return status, json.loads(raw)


def token_for(mock: MockSpeckle, scopes: list[str]) -> str:
    """Sign in through the consent page and /oauth/token with an app of these scopes."""
    mock.apps[APP_ID].scopes = list(scopes)
    status, headers, _ = post(mock, f"/authn/verify/{APP_ID}/{SEGMENT}", b"decision=authorize",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302
    code = headers["Location"].split("access_code=", 1)[1]
    body = json.dumps({"appId": APP_ID, "accessCode": code, "codeVerifier": VERIFIER}).encode()
    status, _, raw = post(mock, "/oauth/token", body, {"Content-Type": "application/json"})
    assert status == 200
    token: str = json.loads(raw)["token"]
    return token
