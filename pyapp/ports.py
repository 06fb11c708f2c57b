"""The small interfaces pyapp needs from its platform.

Protocol code depends only on these; ``pyapp.browser`` implements them with the browser's
APIs (``js.crypto``, Web Storage, ``fetch``, ``location``/``history``) and tests implement
them with plain Python. Keeping them tiny keeps both sides honest.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from . import safe_json
from .errors import UnusableResponse

#: The largest body a response may have unless its request says otherwise.
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024


class Crypto(Protocol):
    """Cryptographic randomness and SHA-256."""

    def random_bytes(self, n: int) -> bytes:
        """``n`` bytes from a CSPRNG."""
        ...

    async def sha256(self, data: bytes) -> bytes:
        """The SHA-256 digest of ``data``."""
        ...


class Storage(Protocol):
    """A synchronous string key/value store (the shape of ``sessionStorage``)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def remove(self, key: str) -> None: ...

    def keys(self) -> list[str]: ...


@dataclass(frozen=True)
class ParsedUrl:
    """A URL split as the browser splits it: the fields of JavaScript's ``URL`` object.

    ``protocol`` ends with ``:`` (``"https:"``); ``hostname`` is lower-case, IPv6 in
    brackets; ``port`` is ``""`` for the scheme's default; ``search`` and ``hash`` keep
    their ``?`` and ``#`` (``""`` when absent).
    """

    protocol: str
    username: str
    password: str
    hostname: str
    port: str
    pathname: str
    search: str
    hash: str


class UrlParser(Protocol):
    """Splits a URL the way the browser that will follow it does."""

    def parse(self, text: str) -> ParsedUrl | None:
        """The URL's parts, or None when the browser would refuse ``text`` as a URL."""
        ...


class Navigator(Protocol):
    """The page's address: read it, rewrite it without a reload, or leave for another URL."""

    def current_url(self) -> str: ...

    def replace_url(self, url: str) -> None:
        """Change the address bar in place (``history.replaceState``), no navigation."""
        ...

    def go(self, url: str, replace: bool = False) -> None:
        """Navigate away (``location.assign``; ``location.replace`` when ``replace``)."""
        ...


class PopupWindow(Protocol):
    """A login popup the page opened."""

    def navigate(self, url: str) -> None:
        """Send the popup to ``url`` (the consent page)."""
        ...

    def state(self) -> Literal["home", "away", "closed"]:
        """On this origin, on another one, or closed (as far as the opener can tell)."""
        ...

    def close(self) -> None: ...


class Popups(Protocol):
    """Opening login popups and hearing from their callback pages."""

    def open(self, login_id: str) -> PopupWindow | None:
        """Open an empty popup marked with ``login_id``, synchronously; None when blocked."""
        ...

    def listen(self, login_id: str, handler: Callable[[Any, str], None]) -> Callable[[], None]:
        """Call ``handler(data, origin)`` for each message the callback page of ``login_id``'s
        popup may send; returns a function that stops listening."""
        ...


@dataclass(frozen=True)
class HttpRequest:
    """One HTTP request, described as data (built by pure functions in ``pyapp.protocol``).

    ``max_response_bytes`` bounds the answer: a larger body is refused while it is read
    (:class:`~pyapp.errors.UnusableResponse`), so a hostile server cannot fill memory.
    """

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @staticmethod
    def post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None,
                  max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> HttpRequest:
        """A JSON POST, the only content type Speckle's API accepts for these calls."""
        return HttpRequest("POST", url, {"Content-Type": "application/json", **(headers or {})},
                           json.dumps(payload), max_response_bytes)


@dataclass(frozen=True)
class HttpResponse:
    """Status, lower-cased headers and the body as text."""

    status: int
    headers: dict[str, str]
    text: str

    def json_object(self) -> dict[str, Any] | None:
        """The body as a JSON object, or None when it is not one (HTML, empty, a list...).

        JSON nested too deeply to parse safely is not "not JSON" but a hostile answer:
        :class:`~pyapp.errors.UnusableResponse`.
        """
        try:
            value = safe_json.loads(self.text)
        except safe_json.TooDeep:
            raise UnusableResponse("too_deep", self.status) from None
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class HttpStream:
    """An answer whose body is read as it arrives: status and lower-cased headers at once,
    then ``body``, the bytes in chunks of any size (decompressed: the browser undoes a
    ``Content-Encoding: gzip``). ``body`` raises
    :class:`~pyapp.errors.ServerUnavailable` when the connection fails or stalls mid-way;
    closing it (``await body.aclose()``) stops the download."""

    status: int
    headers: dict[str, str]
    body: AsyncGenerator[bytes, None]


class Http(Protocol):
    """Sends a request; raises :class:`pyapp.errors.ServerUnavailable` when no answer comes."""

    async def send(self, request: HttpRequest) -> HttpResponse: ...

    async def stream(self, request: HttpRequest) -> HttpStream:
        """Sends a request and returns once the status and headers are in; the body is
        read from the returned stream. ``request.max_response_bytes`` is not applied here:
        the reader of the body bounds it."""
        ...


class CacheUnavailable(Exception):  # noqa: N818 - a condition, never shown to anyone
    """The browser refused the object cache: blocked, private browsing, full or broken.

    Never reaches a site's code: the client then loads from the network, as without a cache.
    ``full`` is True when the storage quota was the reason.
    """

    def __init__(self, full: bool = False) -> None:
        super().__init__("full" if full else "unavailable")
        self.full = full


class ObjectCache(Protocol):
    """Complete object downloads kept in the browser, one record per key
    (:func:`pyapp.object_cache.cache_key`): the download's body, in parts.

    Every method raises :class:`CacheUnavailable` when the browser refuses. ``put`` may
    remove the least recently used records to stay within its bound, or keep nothing when
    the record alone is past it.
    """

    async def get(self, key: str) -> list[bytes] | None:
        """The parts kept under ``key``, or None."""
        ...

    async def put(self, key: str, parts: list[bytes]) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def clear(self) -> None:
        """Remove every record (and, in a browser, the database itself)."""
        ...
