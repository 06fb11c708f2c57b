"""Speckle's object upload: ``POST /objects/{projectId}``, as speckle-server's
``packages/server/modules/core/rest/upload.ts`` (and ``services/objects/management.ts``,
``services/streams/auth.ts``) answer it.

* Write access first (``validatePermissionsWriteStream``): no token, a token without
  ``streams:write``, or a user who is not the project's owner or contributor (an unknown
  project included) is ``401`` with an empty body. A public project grants no writes.
* The body is ``multipart/form-data`` (parsed by busboy): anything else is ``400``
  "Failed to parse request headers and body content as valid multipart/form-data.". A
  body that breaks off before its closing boundary is busboy's error: ``400``.
* Every *file* part is one batch (busboy calls a part a file when its
  ``Content-Disposition`` has a ``filename`` or its type is ``application/octet-stream``;
  other parts are form fields, which the route ignores). A part's type says how to read
  it: ``application/gzip`` is gzipped JSON; ``application/json``, ``text/plain`` (also a
  part without a type) and ``application/octet-stream`` are JSON; any other type is
  ``400``. A batch is a JSON array of objects; a part over the size limit
  (``MAX_OBJECT_UPLOAD_FILE_SIZE_MB``, 100 MB) is ``413``, one that is not JSON or (as
  JSON) not an array is ``400``.
* Each object's id is its ``hash``, else its ``id``, else the MD5 of its JSON; an id that
  is not 32 characters long is ``400``, and so is an item that is not an object. Objects
  are stored ``ON CONFLICT DO NOTHING``: the first upload of an id stays, a re-upload is
  accepted and changes nothing.
* All batches stored: ``201`` with an empty body.

This upload path keeps no closure table and leaves the ``totalChildrenCount`` column empty
(``createObjectsBatchedAndNoClosures``); Speckle answers a download's root with that column
(``getFormattedObject``), so a root uploaded here comes back with ``"totalChildrenCount":
null`` whatever it said. Its children are answered as stored.

The mock stores each object as the JSON text it was uploaded with (the id added, at the
end, when it had none). Speckle keeps it in a ``jsonb`` column and answers ``data::text``;
the text a real server answers may differ in spacing and key order but not in content.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from typing import TYPE_CHECKING, Any

from .models import Project, TokenRecord
from .web import Request, Response, html_response

if TYPE_CHECKING:  # pragma: no cover - typing only, avoids an import cycle
    from .core import MockSpeckle

#: The most bytes one part may hold (``MAX_OBJECT_UPLOAD_FILE_SIZE_MB``' default, 100 MB).
MAX_PART_BYTES = 100 * 1024 * 1024
#: The roles that may write (``Roles.Stream.Contributor`` and above).
WRITE_ROLES = ("stream:owner", "stream:contributor")
JSON_TYPES = ("application/json", "text/plain", "application/octet-stream")

NOT_MULTIPART = ("Failed to parse request headers and body content as valid "
                 "multipart/form-data.")
BUSBOY_ERROR = '{"error": "Upload request error. The server logs have more details."}'
BAD_TYPE = ('Invalid ContentType header. This route only accepts "application/gzip", '
            '"text/plain" or "application/json".')
BAD_GZIP_JSON = "Failed to parse data."
BAD_JSON = "Failed to parse data. Batch is not in JSON format."
NOT_AN_ARRAY = "Failed to parse data. Batch is expected to be wrapped in a JSON array."
INSERT_FAILED = "Error inserting object in the database. Check server logs for details"


class _Refused(Exception):
    """The upload's answer when it fails."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def upload(mock: MockSpeckle, req: Request, token: TokenRecord | None,
           project_id: str) -> Response:
    """The answer of ``POST /objects/{project_id}``; the objects it stores go into the
    project's :attr:`~mock_speckle.models.Project.objects`."""
    project = writable(mock, project_id, token)
    if project is None:
        return Response(401)
    try:
        for media_type, content in _file_parts(req):
            for object_id, text in _batch(media_type, content, mock.max_upload_part_bytes):
                if object_id not in project.objects:
                    project.objects[object_id] = text
                    project.children_counts[object_id] = None
    except _Refused as refused:
        return refused.response
    return Response(201)


def writable(mock: MockSpeckle, project_id: str, token: TokenRecord | None) -> Project | None:
    """The project ``token`` may write to, or None (Speckle's 401 for every refusal)."""
    if token is None or "streams:write" not in token.scopes:
        return None
    user = mock.users.get(token.user_id)
    for project in user.projects if user else []:
        if project.id == project_id and project.role in WRITE_ROLES:
            return project
    return None


def _text(status: int, message: str) -> _Refused:
    return _Refused(html_response(status, message))  # Express' res.send(string)


def _file_parts(req: Request) -> list[tuple[str, bytes]]:
    """The body's file parts as ``(media type, content)``, in order (busboy's reading)."""
    media_type, params = _header_value(req.headers.get("content-type", ""))
    boundary = params.get("boundary")
    if media_type != "multipart/form-data" or not boundary:
        raise _text(400, NOT_MULTIPART)
    delimiter = b"--" + boundary.encode("latin-1")
    body = req.body
    start = body.find(delimiter)
    parts: list[tuple[str, bytes]] = []
    while start >= 0:
        after = start + len(delimiter)
        if body[after:after + 2] == b"--":
            return parts  # the closing boundary
        head_end = body.find(b"\r\n\r\n", after)
        end = body.find(b"\r\n" + delimiter, head_end + 4) if head_end >= 0 else -1
        if end < 0:
            break
        headers = _part_headers(body[after:head_end])
        part = _file_part(headers, body[head_end + 4:end])
        if part is not None:
            parts.append(part)
        start = end + 2
    raise _Refused(Response(400, BUSBOY_ERROR.encode()))  # "Unexpected end of form"


def _header_value(value: str) -> tuple[str, dict[str, str]]:
    """``type; a=b; c="d"`` as (``type`` lower-cased, parameters by lower-cased name)."""
    first, *rest = value.split(";")
    params = {}
    for item in rest:
        name, _, raw = item.strip().partition("=")
        params[name.strip().lower()] = raw.strip().strip('"')
    return first.strip().lower(), params


def _part_headers(block: bytes) -> dict[str, str]:
    headers = {}
    for line in block.decode("latin-1").split("\r\n"):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers


def _file_part(headers: dict[str, str], content: bytes) -> tuple[str, bytes] | None:
    """A file part's type and content; None for a form field or a part busboy skips."""
    disposition, params = _header_value(headers.get("content-disposition", ""))
    if disposition != "form-data":
        return None
    media_type = _header_value(headers.get("content-type", "text/plain"))[0]
    if "filename" not in params and media_type != "application/octet-stream":
        return None  # a form field: upload.ts listens to files only
    return media_type, content


def _batch(media_type: str, content: bytes, limit: int) -> list[tuple[str, str]]:
    """One part's objects as ``(id, JSON text)``, or the refusal Speckle answers."""
    if media_type == "application/gzip":
        if len(content) > limit:
            raise _text(413, f"File size too large ({len(content)} > {limit})")
        try:
            text = gzip.decompress(content).decode("utf-8")
            items = _elements(text)
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError,
                RecursionError):
            raise _text(400, BAD_GZIP_JSON) from None
        if items is None:  # not an array: upload.ts hands it on, and inserting it throws
            raise _text(400, INSERT_FAILED)
        separator = ": "
    elif media_type in JSON_TYPES:
        text = content.decode("utf-8", errors="replace")
        if len(text) > limit:
            raise _text(413, f"File size too large ({len(text)} > {limit})")
        try:
            items = _elements(text)
        except (ValueError, RecursionError):
            raise _text(400, BAD_JSON) from None
        if items is None:
            raise _text(400, NOT_AN_ARRAY)
        separator = ". "
    else:
        raise _text(400, BAD_TYPE)
    # Every object is checked before any is stored (prepInsertionObject, then the insert).
    return [_prepared(raw, value, separator) for raw, value in items]


def _prepared(raw: str, value: Any, separator: str) -> tuple[str, str]:
    """An object's id and stored text, as ``prepInsertionObject`` makes them."""
    if not isinstance(value, dict):
        raise _text(400, INSERT_FAILED)  # a TypeError in Speckle, not an ObjectHandlingError
    object_id = value.get("hash") or value.get("id")
    if not object_id:
        object_id = hashlib.md5(_compact(value).encode()).hexdigest()
    if not isinstance(object_id, str) or len(object_id) != 32:
        raise _text(400, f"Error inserting object in the database{separator}Invalid object "
                         f"ID. Object ID: {object_id}. Object ID's must be hashes represented "
                         "by a string of 32 characters.")
    if value.get("id") != object_id:
        value["id"] = object_id
        raw = _compact(value)
    return object_id, raw


def _compact(value: Any) -> str:
    """JSON as ``JSON.stringify`` writes it (keys in order, no spaces)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_SPACE = " \t\n\r"


def _elements(text: str) -> list[tuple[str, Any]] | None:
    """A JSON array's items, each as (its text as written, its value); None when ``text``
    is JSON but not an array. Raises ValueError for text that is not JSON."""
    start = len(text) - len(text.lstrip(_SPACE))
    if text[start:start + 1] != "[":
        _DECODER.decode(text)  # raises unless it is JSON
        return None
    items: list[tuple[str, Any]] = []
    at = _skip(text, start + 1)
    if text[at:at + 1] == "]":
        at += 1
    else:
        while True:
            value, end = _DECODER.raw_decode(text, at)
            items.append((text[at:end], value))
            at = _skip(text, end)
            if text[at:at + 1] == "]":
                at += 1
                break
            if text[at:at + 1] != ",":
                raise ValueError("expected , or ]")
            at = _skip(text, at + 1)
    if text[at:].strip(_SPACE):
        raise ValueError("extra data after the array")
    return items


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at
