"""``pyapp.ports.ObjectCache`` over IndexedDB: kept object downloads survive a reload.

One database, ``speckle-login:objects``, shared by every page of the site's origin: store
``bodies`` holds each record's parts (``Uint8Array``\\ s, so nothing is decoded twice),
store ``entries`` its size and last use, which the bound reads without loading any body.
Keys are :func:`pyapp.object_cache.cache_key`\\ s. Clearing deletes the whole database,
so nothing of it is left behind, not even its name.

IndexedDB is event based; each request or transaction becomes an ``asyncio`` future. No
transaction spans an ``await``: IndexedDB commits a transaction as soon as control goes
back to the browser with no request pending, and Python's event loop resumes a coroutine
in a later task. So a write reads the entries in one transaction and writes in another.

The browser may refuse all of it (private browsing in older Firefox, storage blocked by a
setting, a sandboxed frame, a full disk): every failure becomes
:class:`~pyapp.ports.CacheUnavailable`, and the client loads from the network. A database
that could not be opened is not asked again in this page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import js
from pyodide.ffi import JsException, create_proxy, jsnull, to_js

from ..object_cache import MAX_TOTAL_BYTES, Entry, evictions
from ..ports import CacheUnavailable
from ..stores import NAMESPACE

DB_NAME = NAMESPACE + "objects"
DB_VERSION = 1
BODIES = "bodies"
ENTRIES = "entries"
#: The record layout; a record of another is not read.
FORMAT = 1
#: Opening waits at most this long: a database another tab holds open through an upgrade
#: would otherwise keep a load (or a logout) waiting.
OPEN_TIMEOUT_S = 5.0


class IndexedDbObjectCache:
    """Kept object downloads in this origin's IndexedDB, within ``max_total_bytes``."""

    def __init__(self, max_total_bytes: int = MAX_TOTAL_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_total_bytes = max_total_bytes
        self._clock = clock
        self._db: Any = None
        self._refused = False

    async def get(self, key: str) -> list[bytes] | None:
        try:
            transaction = await self._transaction("readonly")
            body = _request(transaction.objectStore(BODIES).get(key))
            entry = _request(transaction.objectStore(ENTRIES).get(key))
            parts, size = _parts(await body), _size(await entry)
            if parts is not None:
                await self._touch(key, size)
            return parts
        except JsException as error:
            raise _refusal(error) from None

    async def put(self, key: str, parts: list[bytes]) -> None:
        size = sum(map(len, parts))
        try:
            known = await self._entries()
            removed = evictions(known, key, size, self.max_total_bytes)
            if removed is None:
                return
            transaction = await self._transaction("readwrite")
            bodies, entries = transaction.objectStore(BODIES), transaction.objectStore(ENTRIES)
            for old in removed:
                bodies.delete(old)
                entries.delete(old)
            bodies.put(_record(parts), key)
            entries.put(_entry(key, size, self._clock()), key)
            await _completion(transaction)
        except JsException as error:
            raise _refusal(error) from None

    async def delete(self, key: str) -> None:
        try:
            transaction = await self._transaction("readwrite")
            transaction.objectStore(BODIES).delete(key)
            transaction.objectStore(ENTRIES).delete(key)
            await _completion(transaction)
        except JsException as error:
            raise _refusal(error) from None

    async def clear(self) -> None:
        """Delete the database. Another tab's connection closes when asked (see
        :meth:`_open`), so the deletion is not held up; should one still hold it, the
        deletion happens once it lets go, after this returns."""
        self._close()
        try:
            request = _factory().deleteDatabase(DB_NAME)
            await asyncio.wait_for(_request(request), OPEN_TIMEOUT_S)
        except JsException as error:
            raise _refusal(error) from None
        except TimeoutError:
            raise CacheUnavailable() from None

    # -- the database ---------------------------------------------------------------

    async def _entries(self) -> list[Entry]:
        transaction = await self._transaction("readonly", ENTRIES)
        found = await _request(transaction.objectStore(ENTRIES).getAll())
        return [entry for value in found if (entry := _read_entry(value)) is not None]

    async def _touch(self, key: str, size: int | None) -> None:
        """Note the record as just used, so the bound removes others first."""
        if size is None:
            return
        transaction = await self._transaction("readwrite", ENTRIES)
        transaction.objectStore(ENTRIES).put(_entry(key, size, self._clock()), key)
        await _completion(transaction)

    async def _transaction(self, mode: str, *stores: str) -> Any:
        db = await self._open()
        names = to_js(list(stores or (BODIES, ENTRIES)))
        try:
            return db.transaction(names, mode)
        except JsException:  # closed under us (another tab deleted it): open it again
            self._db = None
            return (await self._open()).transaction(names, mode)

    async def _open(self) -> Any:
        if self._db is not None:
            return self._db
        if self._refused:
            raise CacheUnavailable()
        try:
            self._db = await asyncio.wait_for(self._opened(), OPEN_TIMEOUT_S)
        except (JsException, CacheUnavailable, TimeoutError):
            self._refused = True
            raise CacheUnavailable() from None
        return self._db

    async def _opened(self) -> Any:
        request = _factory().open(DB_NAME, DB_VERSION)
        upgrade = create_proxy(lambda _event: _create_stores(request.result))
        request.onupgradeneeded = upgrade
        try:
            db = await _request(request)
        finally:
            request.onupgradeneeded = None
            upgrade.destroy()
        # Asked to let go (another tab deletes the database to clear it): close at once,
        # and open again when next needed. The proxy lives as long as the connection.
        db.onversionchange = create_proxy(lambda _event: self._close())
        return db

    def _close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.close()


def _factory() -> Any:
    """``window.indexedDB``; reading it throws in some frames and when storage is blocked."""
    factory = getattr(js, "indexedDB", None)
    if factory is None or factory is jsnull:
        raise CacheUnavailable()
    return factory


def _create_stores(db: Any) -> None:
    for name in (BODIES, ENTRIES):
        if not db.objectStoreNames.contains(name):
            db.createObjectStore(name)  # keys given with each record


def _request(request: Any) -> asyncio.Future[Any]:
    """A future of ``request``'s result, failed with :class:`CacheUnavailable` on error."""
    future: asyncio.Future[Any] = asyncio.get_event_loop().create_future()

    def succeeded(_event: Any) -> None:
        if not future.done():
            future.set_result(request.result)

    def failed(event: Any) -> None:
        event.preventDefault()  # handled here: not a page error
        if not future.done():
            future.set_exception(_refusal(request.error))

    _settle(future, request, onsuccess=succeeded, onerror=failed)
    return future


def _completion(transaction: Any) -> asyncio.Future[None]:
    """A future that ends when ``transaction`` is committed, or fails when it aborts (a
    failed request aborts it: a record is written whole or not at all)."""
    future: asyncio.Future[None] = asyncio.get_event_loop().create_future()

    def committed(_event: Any) -> None:
        if not future.done():
            future.set_result(None)

    def aborted(_event: Any) -> None:
        if not future.done():
            future.set_exception(_refusal(transaction.error))

    _settle(future, transaction, oncomplete=committed, onabort=aborted)
    return future


def _settle(future: asyncio.Future[Any], target: Any, **handlers: Callable[[Any], None]
            ) -> None:
    """Set ``handlers`` on ``target`` as proxies, destroyed once ``future`` is done."""
    proxies = {name: create_proxy(handler) for name, handler in handlers.items()}
    for name, proxy in proxies.items():
        setattr(target, name, proxy)

    def release(_future: asyncio.Future[Any]) -> None:
        for name, proxy in proxies.items():
            setattr(target, name, None)
            proxy.destroy()

    future.add_done_callback(release)


def _record(parts: list[bytes]) -> Any:
    arrays = []
    for part in parts:
        array = js.Uint8Array.new(len(part))
        array.assign(part)
        arrays.append(array)
    return to_js({"format": FORMAT, "parts": arrays}, dict_converter=js.Object.fromEntries)


def _parts(record: Any) -> list[bytes] | None:
    """A record's parts; None for none, or for one of another layout."""
    if record is None or record is jsnull or getattr(record, "format", None) != FORMAT:
        return None
    try:
        return [bytes(part.to_bytes()) for part in record.parts]
    except (AttributeError, TypeError):  # not what this module writes: a miss
        return None


def _entry(key: str, size: int, used: float) -> Any:
    return to_js({"key": key, "size": size, "used": used}, dict_converter=js.Object.fromEntries)


def _read_entry(value: Any) -> Entry | None:
    try:
        return Entry(str(value.key), int(value.size), float(value.used))
    except (AttributeError, TypeError, ValueError):
        return None


def _size(entry: Any) -> int | None:
    found = None if entry is None or entry is jsnull else _read_entry(entry)
    return None if found is None else found.size


def _refusal(error: Any) -> CacheUnavailable:
    # Only the kind is kept: the browser's message is not ours to show.
    name = str(getattr(error, "name", "") or "")
    return CacheUnavailable(full="quota" in name.lower())
