"""Speckle's objects routes: the downloads ``GET /objects/{projectId}/{objectId}`` (the object
and its closure), ``GET /objects/{projectId}/{objectId}/single``, ``POST
/api/getobjects/{projectId}`` and ``POST /api/v2/projects/{projectId}/object-stream/`` (a
JSON body ``{"objectIds": [...]}``: what ``@speckle/objectloader2`` asks for its children),
and the upload ``POST /objects/{projectId}`` (:mod:`mock_speckle.objects_upload`).

As in speckle-server's ``download.ts``, ``diffDownload.ts`` and ``speckleObjectsStream.ts``:
``Accept: text/plain`` (exactly) gives ``id<TAB>json`` lines, anything else one JSON
array; the root comes first. Read access is Speckle's ``validatePermissionsReadStream``:
a public project is open to all; otherwise no user, a token without ``streams:read`` or a
user who is not a collaborator gets ``401`` and an unknown project ``404``, all with an
empty body. The mock gzips the bodies when the request accepts gzip (Speckle always does).
The root of ``/objects`` and ``/single`` comes with the ``totalChildrenCount`` Speckle keeps
beside it (``getFormattedObject``): ``null`` for a root uploaded through ``POST /objects``.

Faults (``mock.faults`` on these routes): ``cut-stream`` sends half the body and hangs up,
``malformed-line`` breaks the third object's JSON; ``404`` and ``403`` are generic.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import objects_upload
from .models import Project, TokenRecord
from .web import Request, Response, html_response, text_response

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from .core import MockSpeckle

#: Faults these routes apply to their own answers (the others answer before routing).
OBJECT_FAULTS = ("cut-stream", "malformed-line")
NOT_FOUND_TEXT = "Failed to find object."


def is_objects_route(route: str) -> bool:
    return route.startswith(("/objects/", "/api/getobjects/")) or _is_object_stream(route)


def _is_object_stream(route: str) -> bool:
    parts = route.strip("/").split("/")
    return len(parts) == 5 and parts[:3] == ["api", "v2", "projects"] and (
        parts[4] == "object-stream")


def handle(mock: MockSpeckle, req: Request, token: TokenRecord | None,
           fault: str | None) -> Response | None:
    """The answer of an objects route, or None when ``req`` is not one."""
    parts = req.route.strip("/").split("/")
    if req.method == "POST" and parts[0] == "objects" and len(parts) == 2:
        return objects_upload.upload(mock, req, token, parts[1])
    if req.method == "GET" and parts[0] == "objects" and len(parts) in (3, 4):
        if len(parts) == 4 and parts[3] != "single":
            return None
        project, denied = _readable(mock, parts[1], token)
        if project is None:
            return denied
        text = project.objects.get(parts[2])
        if text is None:
            return html_response(404, NOT_FOUND_TEXT)
        root = _root_text(project, parts[2])
        if len(parts) == 4:
            return Response(200, root.encode(), "application/json; charset=utf-8")
        return _stream(req, project, [parts[2], *_closure(text)], fault, root)
    if req.method == "POST" and parts[:2] == ["api", "getobjects"] and len(parts) == 3:
        project, denied = _readable(mock, parts[2], token)
        if project is None:
            return denied
        try:
            ids = json.loads(req.form().get("objects") or "")
        except (TypeError, ValueError):  # no field, or not text
            ids = None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return text_response(400, "Invalid body. Please provide a JSON object containing "
                                      'the property "objects" of type string.')
        return _stream(req, project, ids, fault)
    if req.method == "POST" and _is_object_stream(req.route):
        project, denied = _readable(mock, parts[3], token)
        if project is None:
            return denied
        try:
            ids = req.form().get("objectIds")
        except ValueError:
            ids = None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return text_response(400, 'Invalid body: "objectIds" must be a list of strings.')
        return _stream(req, project, ids, fault)
    return None


def _readable(mock: MockSpeckle, project_id: str,
              token: TokenRecord | None) -> tuple[Project | None, Response]:
    for user in mock.users.values():
        for project in user.projects:
            if project.id != project_id:
                continue
            if project.visibility == "PUBLIC":
                return project, Response(200)
            if token is None or "streams:read" not in token.scopes or token.user_id != user.id:
                return None, Response(401)
            return project, Response(200)
    return None, Response(401 if token is None else 404)


def _root_text(project: Project, object_id: str) -> str:
    """A download's root: its text with the ``totalChildrenCount`` kept beside it, when
    that differs from its own (in place when it has one, else added at the end)."""
    text = project.objects[object_id]
    if object_id not in project.children_counts:
        return text
    value = json.loads(text)
    value["totalChildrenCount"] = project.children_counts[object_id]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _closure(root_text: str) -> list[str]:
    """The root's children, nearest first (as the closure table is read)."""
    closure = json.loads(root_text).get("__closure") or {}
    return sorted(closure, key=lambda child: closure[child])


def _stream(req: Request, project: Project, ids: Iterable[str], fault: str | None,
            root: str | None = None) -> Response:
    """``ids``' objects (unknown ones skipped), the first answered as ``root`` if given."""
    lines = req.headers.get("accept") == "text/plain"  # Speckle compares it exactly
    found = [(i, project.objects[i]) for i in ids if i in project.objects]
    if root is not None and found:
        found[0] = (found[0][0], root)
    if fault == "malformed-line" and len(found) > 2:
        object_id, text = found[2]
        found[2] = (object_id, text[: len(text) // 2])
    if lines:
        body = "".join(f"{i}\t{text}\n" for i, text in found).encode()
        content_type = "text/plain; charset=UTF-8"
    else:
        body = ("[" + ",".join(text for _, text in found) + "]").encode()
        content_type = "application/json"
    headers: dict[str, str] = {}
    if "gzip" in req.headers.get("accept-encoding", ""):
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = "gzip"
    response = Response(200, body, content_type, headers)
    if fault == "cut-stream":
        response.cut_at = len(body) // 2
    return response
