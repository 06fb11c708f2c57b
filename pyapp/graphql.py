"""A small GraphQL client for Speckle: one request builder, one response reader.

Speckle answers an invalid or revoked token with ``403 {"error": ...}`` on every route,
not with a GraphQL ``errors`` array, and a missing scope with HTTP 200, the field ``null``
and ``extensions.code == "FORBIDDEN"``. Both become typed errors here.
"""

from __future__ import annotations

from typing import Any, cast

from .errors import GraphQLError, MissingScope, ServerUnavailable, SessionExpired
from .ports import HttpRequest, HttpResponse


def graphql_request(
    server_url: str, query: str, variables: dict[str, Any] | None, token: str | None
) -> HttpRequest:
    """A JSON POST to ``/graphql`` (Apollo blocks other content types as CSRF)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    return HttpRequest.post_json(f"{server_url}/graphql", payload, headers)


def read_graphql_response(response: HttpResponse) -> dict[str, Any]:
    """The ``data`` of a GraphQL answer, or the typed error it means."""
    body = response.json_object()
    if response.status in (401, 403) and (body is None or "errors" not in body):
        raise SessionExpired("Your Speckle session expired or access was revoked.")
    if body is None:
        raise ServerUnavailable(
            f"The Speckle server's GraphQL API did not answer with JSON (HTTP {response.status}).",
            response.status,
        )
    errors = body.get("errors") or []
    data = body.get("data") if isinstance(body.get("data"), dict) else None
    if errors:
        for error in errors:
            extensions = (error.get("extensions") or {}) if isinstance(error, dict) else {}
            if extensions.get("code") == "FORBIDDEN" and extensions.get("scope"):
                raise MissingScope(str(extensions["scope"]), data)
        first = errors[0] if isinstance(errors[0], dict) else {}
        message = str(first.get("message") or "The GraphQL request failed.")
        if response.status >= 500:
            raise ServerUnavailable(message, response.status)
        raise GraphQLError(message, errors)
    if response.status >= 400 or data is None:
        raise ServerUnavailable(
            f"The Speckle server's GraphQL API failed (HTTP {response.status}).", response.status
        )
    return cast(dict[str, Any], data)
