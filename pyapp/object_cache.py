"""Complete object downloads kept for the next load: the pure half of the object cache.

Speckle's object ids are hashes of the objects' content, so on one server an id names one
content for good: a download of a version's root that passed every check answers the same
request again, byte for byte. :meth:`pyapp.client.SpeckleClient.objects` keeps such a
download and reads it back instead of the network; ``pyapp.browser.object_cache`` keeps it
in IndexedDB; :class:`MemoryObjectCache` keeps it in a dict (tests, plain Python).

What is kept, and the rules that keep it honest:

* One record per server, project and root (:func:`cache_key`): the body as it arrived,
  ``id<TAB>json`` lines, in parts of about :data:`PART_BYTES`. An id means nothing on
  another server, and a project is what the server checks access by.
* Only a download that :class:`~pyapp.objects.ObjectStream` accepted whole, and no larger
  than :data:`MAX_ENTRY_BYTES` (:class:`BodyRecorder`): keeping a copy while downloading
  doubles the memory a download takes, so a bigger one is not kept.
* A record is checked again before it is used (:func:`is_complete`): the root first and
  every id of its ``__closure`` present. One that fails is removed, and the network asked.
* All records together stay under :data:`MAX_TOTAL_BYTES`; the least recently used go first
  (:func:`evictions`).

Who may read a record is still the server's decision: the client answers from the cache
only after the server confirmed that the signed-in user may read the project.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from . import safe_json
from .objects import announced_children, announced_total

#: The largest download kept (its body, decompressed).
MAX_ENTRY_BYTES = 64 * 1024 * 1024
#: The most all kept downloads may take together; older records make room for new ones.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
#: The size a kept body is cut into: large enough to be few, small enough to hand over
#: between Python and the browser without a long pause.
PART_BYTES = 1024 * 1024


def cache_key(server_url: str, project_id: str, object_id: str) -> str:
    """The record's name: server, project and root, unambiguous whatever the ids hold."""
    return json.dumps([server_url.rstrip("/"), project_id, object_id])


class BodyRecorder:
    """A download's body as it arrives, joined into parts of :data:`PART_BYTES`, for the
    cache. Past ``max_bytes`` it lets go of what it held: that download is not kept."""

    def __init__(self, max_bytes: int = MAX_ENTRY_BYTES, part_bytes: int = PART_BYTES) -> None:
        self.max_bytes = max_bytes
        self.part_bytes = part_bytes
        self.size = 0
        self._parts: list[bytes] = []
        self._current = bytearray()

    @property
    def too_large(self) -> bool:
        return self.size > self.max_bytes

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.too_large:
            self._parts, self._current = [], bytearray()  # freed now, not at the end
            return
        self._current += chunk
        if len(self._current) >= self.part_bytes:
            self._parts.append(bytes(self._current))
            self._current = bytearray()

    def parts(self) -> list[bytes] | None:
        """The body, in parts; None when it was too large to keep."""
        if self.too_large:
            return None
        return self._parts + [bytes(self._current)] if self._current else list(self._parts)


def split_lines(parts: Iterable[bytes]) -> tuple[list[bytes], bytes]:
    """The complete lines of a body cut anywhere, and what follows the last newline."""
    lines: list[bytes] = []
    pending = b""
    for part in parts:
        *complete, pending = (pending + part).split(b"\n")
        lines += complete
    return lines, pending


def is_complete(object_id: str, parts: Iterable[bytes]) -> bool:
    """Whether a kept body is a whole download of ``object_id``: every line an
    ``id<TAB>json`` line, the root first, and every object the root announced present.

    Only the root's JSON is read: the other lines were checked when they were downloaded,
    and their ids are what completeness needs.
    """
    lines, rest = split_lines(parts)
    if rest.strip():
        return False  # a last line cut off
    ids: list[bytes] = []
    for line in lines:
        if line.strip():
            found, tab, _ = line.partition(b"\t")
            if not tab:
                return False
            ids.append(found)
    if not ids or ids[0] != object_id.encode():
        return False
    root = _root_of(lines)
    if root is None:
        return False
    return _announced_present(object_id, root, {i.decode("utf-8", "replace") for i in ids})


def _root_of(lines: list[bytes]) -> dict[str, Any] | None:
    first = next(line for line in lines if line.strip())
    try:
        value = safe_json.loads(first.partition(b"\t")[2].decode("utf-8"))
    except ValueError:  # UnicodeDecodeError is one too
        return None
    return value if isinstance(value, dict) else None


def _announced_present(object_id: str, root: dict[str, Any], ids: set[str]) -> bool:
    """The same test :meth:`pyapp.objects.ObjectStream.finish` makes of a download."""
    children = announced_children(object_id, root)
    if children is not None:
        return children <= ids
    total = announced_total(root, children)
    return total is None or len(ids) >= total


@dataclass(frozen=True)
class Entry:
    """What the bound needs to know of a record: its size and when it was last used."""

    key: str
    size: int
    used: float


def evictions(entries: Iterable[Entry], key: str, size: int, max_total: int) -> list[str] | None:
    """The keys to remove so that a record of ``size`` bytes under ``key`` fits in
    ``max_total``, least recently used first; None when it cannot fit even alone.

    A record already under ``key`` is replaced, so its size does not count.
    """
    if size > max_total:
        return None
    others = sorted((entry for entry in entries if entry.key != key), key=lambda e: e.used)
    total = size + sum(entry.size for entry in others)
    removed: list[str] = []
    for entry in others:
        if total <= max_total:
            break
        removed.append(entry.key)
        total -= entry.size
    return removed


class MemoryObjectCache:
    """:class:`~pyapp.ports.ObjectCache` in a dict, with the same bound as the browser's."""

    def __init__(self, max_total_bytes: int = MAX_TOTAL_BYTES,
                 clock: Callable[[], float] | None = None) -> None:
        self.max_total_bytes = max_total_bytes
        self.records: dict[str, list[bytes]] = {}
        self.entries: dict[str, Entry] = {}
        ticks: Iterator[int] = itertools.count()
        self._clock = clock or (lambda: float(next(ticks)))

    async def get(self, key: str) -> list[bytes] | None:
        parts = self.records.get(key)
        if parts is None:
            return None
        self.entries[key] = Entry(key, self.entries[key].size, self._clock())
        return list(parts)

    async def put(self, key: str, parts: list[bytes]) -> None:
        size = sum(map(len, parts))
        removed = evictions(self.entries.values(), key, size, self.max_total_bytes)
        if removed is None:
            return
        for old in removed:
            await self.delete(old)
        self.records[key] = list(parts)
        self.entries[key] = Entry(key, size, self._clock())

    async def delete(self, key: str) -> None:
        self.records.pop(key, None)
        self.entries.pop(key, None)

    async def clear(self) -> None:
        self.records.clear()
        self.entries.clear()
