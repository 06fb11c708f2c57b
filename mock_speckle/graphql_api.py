"""``/graphql``: a real graphql-core schema (``schema.graphql``) plus resolvers.

The HTTP behaviour around execution copies Apollo Server 4 as Speckle runs it:
CSRF prevention, 400 for parse/validation/variable errors with Apollo's error
codes, and 200 with an ``errors`` array for failures inside resolvers.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs

from graphql import (
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from .models import Model, Project, TokenRecord, User
from .web import Request, Response, express_error_page, html_response, json_response

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from .core import MockSpeckle

SCHEMA_PATH = Path(__file__).with_name("schema.graphql")

MAX_PAGE = 50
DEFAULT_PAGE = 25
# Speckle's own bounds for a project's models (MAX_PROJECT_MODELS_PER_PAGE's default) and
# a model's versions.
MAX_MODELS_PAGE = 500
MAX_VERSIONS_PAGE = 100

# Apollo Server 4's own wording, so clients see what they would see on Speckle.
CSRF_MESSAGE = (
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Please either specify a 'content-type' header (with a type that is not one of "
    "application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a "
    "non-empty value for one of the following headers: x-apollo-operation-name, "
    "apollo-require-preflight\n"
)
MSG_NO_BODY = "POST body missing, invalid Content-Type, or JSON object has no keys."
MSG_NO_QUERY = (
    "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension."
)
MSG_NO_BATCH = "Operation batching disabled."
MSG_BAD_VARIABLES = "`variables` in a POST body should be provided as an object."
MSG_BAD_OPERATION_NAME = "`operationName` in a POST body must be a string if provided."

# Media types a browser may send cross-origin without a preflight.
SIMPLE_TYPES = {"", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")


@dataclass
class Context:
    """Per-request execution context: the server state and the caller's token."""

    mock: MockSpeckle
    token: TokenRecord | None


# --------------------------------------------------------------------------- resolvers


def scope_error(scope: str) -> GraphQLError:
    """Speckle's error for a token lacking a scope (the field resolves to null)."""
    return GraphQLError(
        f"Your auth token does not have the required scope: {scope}.",
        extensions={"code": "FORBIDDEN", "scope": scope, "statusCode": 403},
    )


def _require_scope(info: GraphQLResolveInfo, scope: str) -> None:
    token = info.context.token
    if token is None or scope not in token.scopes:
        raise scope_error(scope)


def _server_info(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    mock = info.context.mock
    return {
        "name": "Speckle Mock Server",
        "company": "Speckle Mock",
        "version": mock.version,
        "canonicalUrl": mock.url,
    }


def _active_user(_root: Any, info: GraphQLResolveInfo) -> User | None:
    token = info.context.token
    if token is None:
        return None  # anonymous callers simply have no active user
    _require_scope(info, "profile:read")
    mock: MockSpeckle = info.context.mock
    return mock.users.get(token.user_id)


def _user_email(user: User, info: GraphQLResolveInfo) -> str | None:
    _require_scope(info, "profile:email")
    return user.email


def _utc(moment: datetime) -> datetime:
    """Fixture times are UTC; naive ones (hand-made in tests) are read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def encode_cursor(project: Project) -> str:
    """Opaque cursor: base64url of the last item's updatedAt and id."""
    raw = f"{_utc(project.updated_at).isoformat()}|{project.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """Inverse of :func:`encode_cursor`; raises a BAD_USER_INPUT error if mangled."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _, project_id = base64.urlsafe_b64decode(padded).decode().partition("|")
        return _utc(datetime.fromisoformat(stamp)), project_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise GraphQLError("Invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from exc


def _user_projects(user: User, info: GraphQLResolveInfo, limit: int | None = DEFAULT_PAGE,
                   cursor: str | None = None) -> dict[str, Any]:
    _require_scope(info, "streams:read")
    size = max(1, min(MAX_PAGE, DEFAULT_PAGE if limit is None else limit))
    ordered = sorted(user.projects, key=lambda p: (_utc(p.updated_at), p.id), reverse=True)
    if cursor:
        after = decode_cursor(cursor)
        ordered = [p for p in ordered if (_utc(p.updated_at), p.id) < after]
    page = ordered[:size]
    # As on a real server: every page with items carries a cursor after its last item, the
    # last one too; only a request past the end answers no items and a null cursor.
    return {
        "totalCount": len(user.projects),
        "cursor": encode_cursor(page[-1]) if page else None,
        "items": page,
    }


def not_found(message: str, code: str) -> GraphQLError:
    """Speckle's error for a missing resource (its ``BaseError`` with a 404 status)."""
    return GraphQLError(message, extensions={"code": code, "statusCode": 404})


def _project(_root: Any, info: GraphQLResolveInfo, id: str) -> Project:
    """``project(id)``: any user's project that is public, or one of the caller's own."""
    _require_scope(info, "streams:read")
    mock: MockSpeckle = info.context.mock
    token = info.context.token
    for user in mock.users.values():
        for project in user.projects:
            if project.id != id:
                continue
            if project.visibility == "PUBLIC" or (token is not None and
                                                  token.user_id == user.id):
                return project
            # Speckle: ProjectNoAccessError, mapped to its ForbiddenError.
            raise GraphQLError("You do not have access to the project",
                               extensions={"code": "FORBIDDEN", "statusCode": 403})
    raise not_found("Project not found", "STREAM_NOT_FOUND")


def _page_size(limit: int, most: int) -> int:
    """Speckle's ``clamp(limit || 25, 1, most)``."""
    return max(1, min(most, limit or DEFAULT_PAGE))


def _after(cursor: str | None) -> datetime | None:
    """A models or versions cursor: Speckle's is the last item's timestamp, ISO 8601."""
    if not cursor:
        return None
    try:
        return _utc(datetime.fromisoformat(cursor))
    except ValueError as exc:
        raise GraphQLError("Invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from exc


def _timed_page(items: list[Any], stamp: Any, limit: int, most: int,
                cursor: str | None) -> dict[str, Any]:
    """Newest first by ``stamp``, after ``cursor``: like Speckle, every page with items has
    a cursor (its last item's time), and ``limit: 0`` answers only the count."""
    if limit == 0:
        return {"totalCount": len(items), "cursor": None, "items": []}
    ordered = sorted(items, key=lambda item: _utc(stamp(item)), reverse=True)
    after = _after(cursor)
    if after is not None:
        ordered = [item for item in ordered if _utc(stamp(item)) < after]
    page = ordered[:_page_size(limit, most)]
    return {
        "totalCount": len(items),
        "cursor": serialize_datetime(stamp(page[-1])) if page else None,
        "items": page,
    }


def _project_models(project: Project, _info: GraphQLResolveInfo, limit: int = DEFAULT_PAGE,
                    cursor: str | None = None) -> dict[str, Any]:
    return _timed_page(project.models, lambda m: m.updated_at, limit, MAX_MODELS_PAGE, cursor)


def _project_model(project: Project, _info: GraphQLResolveInfo, id: str) -> Model:
    for model in project.models:
        if model.id == id:
            return model
    raise not_found("Model not found", "BRANCH_NOT_FOUND")  # Speckle's BranchNotFoundError


def _model_versions(model: Model, _info: GraphQLResolveInfo, limit: int = DEFAULT_PAGE,
                    cursor: str | None = None) -> dict[str, Any]:
    return _timed_page(model.versions, lambda v: v.created_at, limit, MAX_VERSIONS_PAGE, cursor)


def _limited_user(info: GraphQLResolveInfo, user_id: str | None) -> dict[str, Any] | None:
    """A ``LimitedUser``; None for no author or one the server no longer has."""
    user = info.context.mock.users.get(user_id) if user_id else None
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "avatar": user.avatar}


def _preview_url(model: Model, info: GraphQLResolveInfo) -> str | None:
    """Speckle's ``/preview/{project}/commits/{latest version}``; None without versions."""
    if not model.versions:
        return None
    latest = max(model.versions, key=lambda v: _utc(v.created_at))
    project_id = next((p.id for u in info.context.mock.users.values() for p in u.projects
                       if model in p.models), "")
    return f"{info.context.mock.url}/preview/{project_id}/commits/{latest.id}"


def serialize_datetime(value: Any) -> str:
    """JavaScript ``toISOString()`` form: UTC, milliseconds, ``Z``."""
    if isinstance(value, datetime):
        moment = _utc(value).astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return str(value)


def build() -> GraphQLSchema:
    """Load the SDL and attach the resolvers and the DateTime serializer."""
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    query = schema.query_type
    assert query is not None
    query.fields["serverInfo"].resolve = _server_info
    query.fields["activeUser"].resolve = _active_user
    user_type = schema.type_map["User"]
    user_type.fields["email"].resolve = _user_email  # type: ignore[attr-defined]
    user_type.fields["projects"].resolve = _user_projects  # type: ignore[attr-defined]
    project_type = schema.type_map["Project"]
    project_type.fields["updatedAt"].resolve = (  # type: ignore[attr-defined]
        lambda project, _info: project.updated_at
    )
    query.fields["project"].resolve = _project
    project_type.fields["models"].resolve = _project_models  # type: ignore[attr-defined]
    project_type.fields["model"].resolve = _project_model  # type: ignore[attr-defined]
    model_fields = schema.type_map["Model"].fields  # type: ignore[attr-defined]
    model_fields["displayName"].resolve = lambda m, _info: m.name.rsplit("/", 1)[-1]
    model_fields["createdAt"].resolve = lambda m, _info: m.created_at
    model_fields["updatedAt"].resolve = lambda m, _info: m.updated_at
    model_fields["author"].resolve = lambda m, info: _limited_user(info, m.author_id)
    model_fields["previewUrl"].resolve = _preview_url
    model_fields["versions"].resolve = _model_versions
    version_fields = schema.type_map["Version"].fields  # type: ignore[attr-defined]
    version_fields["referencedObject"].resolve = lambda v, _info: v.referenced_object
    version_fields["sourceApplication"].resolve = lambda v, _info: v.source_application
    version_fields["createdAt"].resolve = lambda v, _info: v.created_at
    version_fields["authorUser"].resolve = lambda v, info: _limited_user(info, v.author_id)
    schema.type_map["DateTime"].serialize = serialize_datetime  # type: ignore[attr-defined]
    return schema


SCHEMA = build()


# --------------------------------------------------------------------------- HTTP


# graphql-core quotes names as 'name'; graphql-js (Speckle's engine) as "name".
_QUOTED = re.compile(r"'([^'\s]{1,200})'")


def js_quotes(message: str) -> str:
    """Reword a graphql-core message with graphql-js' double quotes."""
    return _QUOTED.sub(r'"\1"', message)


def format_error(error: GraphQLError, code: str | None = None) -> dict[str, Any]:
    """Apollo's error shape: message, locations, path, extensions.code always set.

    Passing ``code`` marks a request error (parse, validation, variables), whose
    message comes from the GraphQL engine and is reworded the graphql-js way.
    """
    out = dict(cast(dict[str, Any], error.formatted))
    if code is not None:
        out["message"] = js_quotes(out["message"])
    extensions = dict(out.get("extensions") or {})
    if code is not None:
        extensions["code"] = code
    extensions.setdefault("code", "INTERNAL_SERVER_ERROR")
    out["extensions"] = extensions
    return out


def _apollo_error(status: int, message: str, code: str = "BAD_REQUEST") -> Response:
    return json_response(status, {"errors": [{"message": message, "extensions": {"code": code}}]})


def run_query(mock: MockSpeckle, token: TokenRecord | None, query: str,
              variables: dict[str, Any] | None = None,
              operation_name: str | None = None) -> Response:
    """Parse, validate and execute one operation; map failures to Apollo's statuses."""
    try:
        document = parse(query)
    except GraphQLError as err:
        return json_response(400, {"errors": [format_error(err, "GRAPHQL_PARSE_FAILED")]})
    invalid = validate(SCHEMA, document)
    if invalid:
        return json_response(
            400, {"errors": [format_error(e, "GRAPHQL_VALIDATION_FAILED") for e in invalid]})
    result = execute_sync(SCHEMA, document, context_value=Context(mock, token),
                     variable_values=variables, operation_name=operation_name)
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # Nothing ran: bad variables or no operation to run (a request error). A resolver's
        # error on a non-null root field (``project``) nulls ``data`` too, but has a path.
        if all(e.message.startswith("Variable ") for e in result.errors):
            code = "BAD_USER_INPUT"
        else:
            code = "OPERATION_RESOLUTION_FAILURE"
        return json_response(400, {"errors": [format_error(e, code) for e in result.errors]})
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [format_error(e) for e in result.errors]
    return json_response(200, payload)


def handle(mock: MockSpeckle, req: Request, token: TokenRecord | None) -> Response:
    """Serve ``/graphql`` for GET and POST as Apollo's Express middleware does."""
    if req.method not in ("GET", "POST"):
        resp = html_response(405, "GraphQL only supports GET and POST requests.")
        resp.headers["Allow"] = "GET, POST"
        return resp
    preflighted = any(req.headers.get(h) for h in PREFLIGHT_HEADERS)
    if req.method == "GET":
        return _handle_get(mock, req, token, preflighted)
    if req.content_type in SIMPLE_TYPES and not preflighted:
        return _apollo_error(400, CSRF_MESSAGE)
    if req.content_type != "application/json":
        return _apollo_error(400, MSG_NO_BODY)
    try:
        body = json.loads(req.text()) if req.body.strip() else {}
    except ValueError:
        return html_response(400, express_error_page("Bad Request"))
    if isinstance(body, list):
        return _apollo_error(400, MSG_NO_BATCH)
    if not isinstance(body, dict) or not body:
        return _apollo_error(400, MSG_NO_BODY)
    query = body.get("query")
    variables = body.get("variables")
    operation_name = body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return _apollo_error(400, MSG_NO_QUERY)
    if variables is not None and not isinstance(variables, dict):
        return _apollo_error(400, MSG_BAD_VARIABLES)
    if operation_name is not None and not isinstance(operation_name, str):
        return _apollo_error(400, MSG_BAD_OPERATION_NAME)
    return run_query(mock, token, query, variables, operation_name)


def _handle_get(mock: MockSpeckle, req: Request, token: TokenRecord | None,
                preflighted: bool) -> Response:
    """GET queries work only with a preflight-forcing header (Apollo's CSRF rule)."""
    params = {k: v[-1] for k, v in parse_qs(req.path.partition("?")[2]).items()}
    if not preflighted:
        return _apollo_error(400, CSRF_MESSAGE)
    query = params.get("query", "")
    if not query.strip():
        return _apollo_error(400, MSG_NO_QUERY)
    try:
        variables = json.loads(params["variables"]) if "variables" in params else None
    except ValueError:
        return _apollo_error(400, "`variables` in a GET request must be a JSON object.")
    if variables is not None and not isinstance(variables, dict):
        return _apollo_error(400, MSG_BAD_VARIABLES)
    return run_query(mock, token, query, variables, params.get("operationName"))
