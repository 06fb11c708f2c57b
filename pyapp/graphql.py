"""A small GraphQL client for Speckle: one request builder, one response reader.

Speckle answers an invalid or revoked token with ``403 {"error": ...}`` on every route,
not with a GraphQL ``errors`` array, and a missing scope with HTTP 200, the field ``null``
and ``extensions.code == "FORBIDDEN"``. Both become typed errors here.
"""

from __future__ import annotations

from typing import Any, cast

from .errors import (
    GraphQLError,
    MissingScope,
    NotAccessible,
    NotAccessibleReason,
    ServerUnavailable,
    SessionExpired,
)
from .ports import HttpRequest, HttpResponse

#: GraphQL answers may be large (a site author's own queries); this bounds them all the same.
GRAPHQL_RESPONSE_MAX_BYTES = 8 * 1024 * 1024
#: The API's path (named in errors).
GRAPHQL_PATH = "/graphql"

# Speckle's codes (``extensions.code``) for a project or model that does not exist:
# StreamNotFoundError, and BranchNotFoundError (ModelNotFoundError on some code paths).
_NOT_FOUND: dict[str, NotAccessibleReason] = {
    "STREAM_NOT_FOUND": "project_not_found",
    "BRANCH_NOT_FOUND": "model_not_found",
    "MODEL_NOT_FOUND": "model_not_found",
}


def graphql_request(
    server_url: str, query: str, variables: dict[str, Any] | None, token: str | None
) -> HttpRequest:
    """A JSON POST to ``/graphql`` (Apollo blocks other content types as CSRF)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    return HttpRequest.post_json(f"{server_url}{GRAPHQL_PATH}", payload, headers,
                                 max_response_bytes=GRAPHQL_RESPONSE_MAX_BYTES)


def read_graphql_response(response: HttpResponse) -> dict[str, Any]:
    """The ``data`` of a GraphQL answer, or the typed error it means."""
    body = response.json_object()
    if response.status in (401, 403) and (body is None or "errors" not in body):
        raise SessionExpired(response.status)
    if body is None:
        raise ServerUnavailable("not_json", response.status, endpoint=GRAPHQL_PATH)
    # Every field below may have any JSON shape: only what has the expected one is used.
    raw_errors = body.get("errors")
    data = body.get("data") if isinstance(body.get("data"), dict) else None
    if raw_errors:
        errors = [e for e in raw_errors if isinstance(e, dict)] if isinstance(
            raw_errors, list) else []
        for error in errors:
            extensions = error.get("extensions")
            if not isinstance(extensions, dict):
                continue
            scope = extensions.get("scope")
            if extensions.get("code") == "FORBIDDEN" and isinstance(scope, str) and scope:
                raise MissingScope(scope, data)
        message = errors[0].get("message") if errors else None
        if not isinstance(message, str) or not message.strip():
            message = None
        if response.status >= 500:
            raise ServerUnavailable("server_error", response.status, endpoint=GRAPHQL_PATH,
                                    server_message=message)
        raise GraphQLError(message, errors, response.status)
    if response.status >= 400 or data is None:
        raise ServerUnavailable("server_error", response.status, endpoint=GRAPHQL_PATH)
    return cast(dict[str, Any], data)


def not_accessible(error: GraphQLError, project_id: str,
                   model_id: str | None = None) -> NotAccessible | None:
    """The :class:`NotAccessible` a failed ``project(id:)`` query means, if any.

    Speckle answers a missing project with ``STREAM_NOT_FOUND``, a missing model with
    ``BRANCH_NOT_FOUND`` and a project the user may not read with ``FORBIDDEN`` at the path
    ``project`` (a scope's ``FORBIDDEN`` names the scope, and is :class:`MissingScope`).
    """
    for raw in error.errors:
        extensions = raw.get("extensions")
        code = extensions.get("code") if isinstance(extensions, dict) else None
        reason = _NOT_FOUND.get(code) if isinstance(code, str) else None
        if reason is None and code == "FORBIDDEN" and raw.get("path") == ["project"]:
            reason = "no_access"
        if reason == "model_not_found" and model_id is None:
            reason = None
        if reason is not None:
            message = raw.get("message")
            return NotAccessible(reason, project_id, model_id,
                                 message if isinstance(message, str) else None)
    return None
