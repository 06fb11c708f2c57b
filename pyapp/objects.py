"""Speckle's object downloads, read as they arrive, and the references between objects.

``GET /objects/{projectId}/{objectId}`` with ``Accept: text/plain`` answers one line per
object, ``id<TAB>json``, the requested root first and then every object of its
``__closure``. This module is the pure half of reading it: bytes in (in chunks cut
anywhere, even inside a multi-byte character), checked objects out, within limits, and
complete or refused. No I/O: :meth:`pyapp.client.SpeckleClient.objects` feeds it.

A root carries ``totalChildrenCount`` and ``__closure`` (``{childId: depth}``); a child
stored on its own appears in its parent as ``{"referencedId": id, "speckle_type":
"reference"}``. :func:`resolve` swaps those for the objects themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import safe_json
from .errors import ObjectsIncomplete, ObjectsMalformed, ObjectsTooLarge
from .ports import HttpRequest

#: ``progress(loaded, total)``: objects read so far (the root included), and how many the
#: root announced (itself included; None when it gives neither count nor closure).
Progress = Callable[[int, int | None], None]

REFERENCE_TYPE = "reference"
#: The path the errors of a download name (ids left out: they say nothing new).
OBJECTS_ENDPOINT = "/objects"


def objects_request(server_url: str, project_id: str, object_id: str, token: str) -> HttpRequest:
    """``GET /objects/{projectId}/{objectId}`` as lines: the object and all its children.

    ``Accept`` must be exactly ``text/plain``: Speckle compares the header as a whole and
    answers anything else with one JSON array. The ids are escaped, so an id cannot reach
    another route.
    """
    from urllib.parse import quote  # where it is used: see pyapp.page_urls

    path = f"/objects/{quote(project_id, safe='')}/{quote(object_id, safe='')}"
    return HttpRequest("GET", server_url.rstrip("/") + path,
                       {"Accept": "text/plain", "Authorization": f"Bearer {token}"})


@dataclass(frozen=True)
class ObjectLimits:
    """The most one download may hold. Everything read stays in the page's memory (a
    browser tab has a few GiB at most, and Python objects take several times their JSON's
    size), so a model past these is refused rather than crashing the page."""

    #: The most objects, the root included.
    max_objects: int = 500_000
    #: The most bytes of (decompressed) body.
    max_bytes: int = 256 * 1024 * 1024


class LineReader:
    """Splits a body into ``id<TAB>json`` lines, whatever the chunks' boundaries.

    Lines are split as bytes, before decoding: in UTF-8 the byte of ``\\n`` never occurs
    inside a multi-byte character, so a character cut between two chunks is whole again
    by the time its line is decoded.
    """

    def __init__(self, object_id: str = "", max_bytes: int = ObjectLimits.max_bytes) -> None:
        self.object_id = object_id
        self.max_bytes = max_bytes
        self.bytes_read = 0
        self.lines_read = 0
        self._pending = bytearray()

    def feed(self, chunk: bytes) -> list[tuple[str, dict[str, Any]]]:
        """The complete lines ``chunk`` ends, as ``(id, object)``; the rest is kept."""
        self.bytes_read += len(chunk)
        if self.bytes_read > self.max_bytes:
            raise ObjectsTooLarge("bytes", self.max_bytes, self.object_id)
        self._pending += chunk
        if b"\n" not in chunk:
            return []
        *lines, rest = self._pending.split(b"\n")
        self._pending = bytearray(rest)
        return [parsed for line in lines if (parsed := self._line(bytes(line))) is not None]

    @property
    def mid_line(self) -> bool:
        """Whether part of a line is waiting for its newline."""
        return bool(self._pending.strip())

    def _line(self, line: bytes) -> tuple[str, dict[str, Any]] | None:
        if not line.strip():
            return None
        self.lines_read += 1
        raw_id, tab, raw_json = line.partition(b"\t")
        try:
            object_id, text = raw_id.decode("utf-8"), raw_json.decode("utf-8")
        except UnicodeDecodeError:
            raise self._malformed("not_a_line") from None
        if not tab or not object_id:
            raise self._malformed("not_a_line")
        try:
            value = safe_json.loads(text)
        except ValueError:
            raise self._malformed("not_json") from None
        if not isinstance(value, dict):
            raise self._malformed("not_an_object")
        if value.setdefault("id", object_id) != object_id:
            raise self._malformed("wrong_id")
        return object_id, value

    def _malformed(self, reason: Any) -> ObjectsMalformed:
        return ObjectsMalformed(reason, self.object_id, self.lines_read)


class ObjectStream:
    """One download of ``object_id`` checked as it arrives: the root first, no more than
    the limits, progress reported, and (at :meth:`finish`) every announced object there."""

    def __init__(self, object_id: str, limits: ObjectLimits | None = None,
                 progress: Progress | None = None) -> None:
        self.object_id = object_id
        self.limits = limits or ObjectLimits()
        self.progress = progress
        self.loaded = 0
        self.total: int | None = None
        self._reader = LineReader(object_id, self.limits.max_bytes)
        self._missing: set[str] = set()
        self._closure_known = False
        self._seen: set[str] = set()

    def feed(self, chunk: bytes) -> list[dict[str, Any]]:
        """The objects ``chunk`` completes, in the order they came."""
        objects = []
        for object_id, value in self._reader.feed(chunk):
            if object_id in self._seen:
                continue  # a repeat adds nothing (ids name content)
            if self.loaded == 0:
                self._take_root(object_id, value)
            self._seen.add(object_id)
            self._missing.discard(object_id)
            self.loaded += 1
            if self.loaded > self.limits.max_objects:
                raise ObjectsTooLarge("objects", self.limits.max_objects, self.object_id)
            if self.progress is not None:
                self.progress(self.loaded, self.total)
            objects.append(value)
        return objects

    def finish(self) -> None:
        """The body ended: refuse it unless every object the root announced arrived."""
        # The closure, when the root has one, names what must have come; the count is the
        # check only without it (a count may include blobs, which the download leaves out).
        counted = self._closure_known or self.total is None or self.loaded >= self.total
        complete = (self.loaded > 0 and not self._reader.mid_line and not self._missing
                    and counted)
        if not complete:
            raise ObjectsIncomplete(self.object_id, self.loaded, self.total)

    def _take_root(self, object_id: str, root: dict[str, Any]) -> None:
        if object_id != self.object_id:
            raise ObjectsMalformed("wrong_root", self.object_id, 1)
        children = announced_children(object_id, root)
        if children is not None:
            self._missing = set(children)
            self._closure_known = True
        self.total = announced_total(root, children)
        if self.total is not None and self.total > self.limits.max_objects:
            # Refused before the rest is downloaded: it could not be kept anyway.
            raise ObjectsTooLarge("objects", self.limits.max_objects, self.object_id)


def announced_children(object_id: str, root: dict[str, Any]) -> set[str] | None:
    """The ids a download of ``root`` must hold besides the root: its ``__closure``; None
    when the root has no closure.

    Blobs (attached files) are listed in closures but are not objects: the download never
    holds them, and Speckle's own loader skips them too.
    """
    closure = root.get("__closure")
    if not isinstance(closure, dict):
        return None
    return {str(child) for child in closure if child != object_id and "blob" not in str(child)}


def announced_total(root: dict[str, Any], children: set[str] | None) -> int | None:
    """How many objects the download of ``root`` holds, the root included, as the root
    says: its ``totalChildrenCount`` plus one; None when it gives neither count nor closure.
    """
    count = root.get("totalChildrenCount")
    if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
        return count + 1
    # A root uploaded without closures says null: the closure still counts them.
    return None if children is None else len(children) + 1


def is_reference(value: Any) -> bool:
    """Whether ``value`` is a detached child's place holder."""
    return (isinstance(value, dict) and value.get("speckle_type") == REFERENCE_TYPE
            and isinstance(value.get("referencedId"), str))


def is_data_chunk(value: Any) -> bool:
    """Whether ``value`` is one piece of a long list stored in pieces (``DataChunk``)."""
    return isinstance(value, dict) and "datachunk" in str(value.get("speckle_type", "")).lower()


def resolve(root: dict[str, Any], objects: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """``root`` with every reference in it, and in what it reaches, replaced by the object
    of ``objects`` it names, in place: an object referenced twice becomes one Python object.

    A list stored in pieces (a list of ``DataChunk`` objects, as senders store long lists
    such as a mesh's vertices) becomes the one list of their ``data``, as Speckle's own
    loader makes it.

    Walked with a list, not by recursion: models nest deeper than Python's (and the
    browser's) stack allows. A reference to an object ``objects`` lacks raises
    :class:`~pyapp.errors.ObjectsMalformed` (``"missing_reference"``).
    """
    root_id = str(root.get("id", ""))

    def target(value: Any) -> Any:
        if not is_reference(value):
            return value
        found = objects.get(value["referencedId"])
        if found is None:
            raise ObjectsMalformed("missing_reference", root_id)
        return found

    seen = {id(root)}
    todo: list[dict[str, Any] | list[Any]] = [root]
    while todo:
        node = todo.pop()
        # Values are replaced in place (never keys added or removed), so a dict is walked
        # as it is; most values are numbers and strings, passed over without a call.
        pairs: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in pairs:
            if isinstance(value, list):
                if value and is_data_chunk(target(value[0])):
                    joined: list[Any] = []
                    for piece in map(target, value):
                        data = piece.get("data") if isinstance(piece, dict) else None
                        joined.extend(data if isinstance(data, list) else [])
                    node[key] = value = joined
            elif isinstance(value, dict):
                if value.get("speckle_type") == REFERENCE_TYPE:
                    node[key] = value = target(value)
            else:
                continue
            if id(value) not in seen:
                seen.add(id(value))
                todo.append(value)
    return root


def walk(root: Any) -> Iterator[dict[str, Any]]:
    """Every Speckle object (a dict with a ``speckle_type``) in a tree :func:`resolve` made,
    ``root`` first, each once however often it is referenced:
    ``Counter(o["speckle_type"] for o in walk(model))`` counts a model by type.

    Walked with a list, not by recursion, as :func:`resolve`; lists of plain values (a
    mesh's vertices) are stepped over, not looked into.
    """
    seen: set[int] = set()
    todo: list[Any] = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if isinstance(node.get("speckle_type"), str):
                yield node
            children: Iterable[Any] = node.values()
        else:
            children = node
        # Reversed so that the first child comes out first (a list is a stack).
        todo.extend(reversed([c for c in children if isinstance(c, dict | list)]))


#: Bookkeeping every object carries; not a property a person looks for.
_BOOKKEEPING = frozenset({"id", "speckle_type", "totalChildrenCount", "__closure"})


def flat_properties(obj: dict[str, Any]) -> dict[str, Any]:
    """The plain values of one object, nested groups named by their path: ``{"name":
    "Wall 00001", "parameters.Mark.value": "W-1", …}``, ready for a table.

    Left out: the bookkeeping (``id``, ``speckle_type``, child counts), lists, and other
    Speckle objects (they are rows of their own, see :func:`walk`).
    """
    flat: dict[str, Any] = {}
    todo: list[tuple[str, dict[str, Any]]] = [("", obj)]
    while todo:
        prefix, group = todo.pop(0)
        for key, value in group.items():
            name = prefix + str(key)
            if not prefix and key in _BOOKKEEPING:
                continue
            if isinstance(value, dict):
                if "speckle_type" not in value:
                    todo.append((name + ".", value))
            elif not isinstance(value, list):
                flat[name] = value
    return flat
