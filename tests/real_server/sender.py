"""A small sender, as specklepy sends a model: objects detached and hashed, their closures,
and the upload and download over HTTP with the standard library alone.

A model is written as plain dicts and lists. A key starting with ``@`` detaches its value
(an object, or each object of a list): the value is stored on its own and its parent holds
``{"referencedId": id, "speckle_type": "reference"}``. :class:`Chunked` stores a long list
in detached ``DataChunk`` objects. Every stored object's id is the first 32 hex digits of
the SHA-256 of its JSON (specklepy's ids), so the same content is one object, however
often a model holds it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

DATA_CHUNK = "Speckle.Core.Models.DataChunk"


@dataclass(frozen=True)
class Chunked:
    """A list stored in detached ``DataChunk`` objects of ``size`` items each."""

    items: list[Any]
    size: int


def reference(object_id: str) -> dict[str, str]:
    return {"referencedId": object_id, "speckle_type": "reference"}


def object_id(value: dict[str, Any]) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Sender:
    """Turns a model into the objects an upload sends (:attr:`objects`, id -> object)."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}

    def send(self, model: dict[str, Any]) -> str:
        """Stores ``model`` and what it detaches; the root's id."""
        return self._detach(model)[0]

    def _detach(self, value: dict[str, Any]) -> tuple[str, dict[str, int]]:
        """Stores ``value`` on its own: its id and its closure (``{id: depth}``)."""
        closure: dict[str, int] = {}
        fields = {key: self._field(key, item, closure) for key, item in value.items()}
        if closure:
            fields["totalChildrenCount"] = len(closure)
            fields["__closure"] = dict(sorted(closure.items()))
        new_id = object_id(fields)
        self.objects.setdefault(new_id, {"id": new_id, **fields})
        return new_id, closure

    def _child(self, value: dict[str, Any], closure: dict[str, int]) -> dict[str, str]:
        child_id, child_closure = self._detach(value)
        for grandchild, depth in {child_id: 0, **child_closure}.items():
            closure[grandchild] = min(closure.get(grandchild, depth + 1), depth + 1)
        return reference(child_id)

    def _field(self, key: str, value: Any, closure: dict[str, int]) -> Any:
        if isinstance(value, Chunked):
            return [self._child({"speckle_type": DATA_CHUNK,
                                 "data": value.items[at:at + value.size]}, closure)
                    for at in range(0, len(value.items), value.size)]
        if key.startswith("@") and isinstance(value, dict):
            return self._child(value, closure)
        if key.startswith("@") and isinstance(value, list):
            return [self._child(item, closure) for item in value]
        return value


def plain(model: Any) -> Any:
    """``model`` as a download gives it back: every :class:`Chunked` one list again."""
    if isinstance(model, Chunked):
        return [plain(item) for item in model.items]
    if isinstance(model, dict):
        return {key: plain(item) for key, item in model.items()}
    if isinstance(model, list):
        return [plain(item) for item in model]
    return model


def content(loaded: Any) -> Any:
    """A loaded tree without what storing added: ids, closures and counts."""
    if isinstance(loaded, dict):
        return {key: content(item) for key, item in loaded.items()
                if key not in ("id", "__closure", "totalChildrenCount")}
    if isinstance(loaded, list):
        return [content(item) for item in loaded]
    return loaded


# --------------------------------------------------------------------------- over HTTP


def multipart(parts: list[tuple[str, str, bytes]]) -> tuple[str, bytes]:
    """A ``multipart/form-data`` body of ``(name, media type, bytes)`` file parts, each
    with a file name (busboy, which Speckle reads uploads with, ignores parts without one)."""
    boundary = "speckle-" + secrets.token_hex(12)
    body = bytearray()
    for name, media_type, data in parts:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                 f"filename=\"{name}\"\r\nContent-Type: {media_type}\r\n\r\n").encode()
        body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(body)


def batch(objects: list[dict[str, Any]], gzipped: bool) -> tuple[str, bytes]:
    """One batch as a part's type and bytes: gzipped JSON or JSON."""
    data = json.dumps(objects, separators=(",", ":"), ensure_ascii=False).encode()
    return ("application/gzip", gzip.compress(data)) if gzipped else ("application/json", data)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to look at, not to follow


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(url: str, method: str = "GET", body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body (decompressed when the server gzipped it)."""
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with _OPENER.open(req, timeout=120) as resp:
            status, answer, data = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        status, answer, data = err.code, dict(err.headers), err.read()
    if answer.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return status, answer, data


@dataclass(frozen=True)
class Server:
    """A Speckle server, a token that may write and a project it may write to."""

    url: str
    token: str
    project: str

    def headers(self, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **more}

    def upload(self, parts: list[tuple[str, str, bytes]],
               token: bool = True) -> tuple[int, bytes]:
        """``POST /objects/{project}`` with these file parts: status and body."""
        content_type, body = multipart(parts)
        headers = self.headers() if token else {}
        status, _, answer = request(f"{self.url}/objects/{self.project}", "POST", body,
                                    {**headers, "Content-Type": content_type})
        return status, answer

    def download(self, root: str) -> tuple[int, bytes]:
        """``GET /objects/{project}/{root}`` as ``id<TAB>json`` lines."""
        status, _, body = request(f"{self.url}/objects/{self.project}/{root}",
                                  headers=self.headers(Accept="text/plain",
                                                       **{"Accept-Encoding": "gzip"}))
        return status, body

    def single(self, object_id: str) -> tuple[int, bytes]:
        """``GET /objects/{project}/{id}/single``."""
        status, _, body = request(f"{self.url}/objects/{self.project}/{object_id}/single",
                                  headers=self.headers(**{"Accept-Encoding": "gzip"}))
        return status, body
