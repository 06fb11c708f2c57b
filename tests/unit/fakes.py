"""Plain-Python stand-ins for the browser adapters of ``pyapp.ports``."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

from pyapp.errors import ServerUnavailable
from pyapp.ports import CacheUnavailable, HttpRequest, HttpResponse, HttpStream


class MemoryStorage:
    """``sessionStorage`` in a dict."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value

    def remove(self, key: str) -> None:
        self.data.pop(key, None)

    def keys(self) -> list[str]:
        return list(self.data)


class PythonCrypto:
    """``secrets`` and ``hashlib`` (or fixed bytes, for known vectors)."""

    def __init__(self, fixed: bytes | None = None) -> None:
        self.fixed = fixed

    def random_bytes(self, n: int) -> bytes:
        return self.fixed[:n] if self.fixed is not None else secrets.token_bytes(n)

    async def sha256(self, data: bytes) -> bytes:
        return hashlib.sha256(data).digest()


class FakeNavigator:
    def __init__(self, url: str) -> None:
        self.url = url
        self.replaced: list[str] = []
        self.visited: list[tuple[str, bool]] = []

    def current_url(self) -> str:
        return self.url

    def replace_url(self, url: str) -> None:
        self.replaced.append(url)
        self.url = url

    def go(self, url: str, replace: bool = False) -> None:
        self.visited.append((url, replace))


def json_response(status: int, body: object) -> HttpResponse:
    return HttpResponse(
        status, {"content-type": "application/json; charset=utf-8"}, json.dumps(body)
    )


def html_response(status: int, text: str = "<html><body>Not here</body></html>") -> HttpResponse:
    return HttpResponse(status, {"content-type": "text/html; charset=utf-8"}, text)


@dataclass
class StreamAnswer:
    """A streamed answer: its body in these chunks, in turn (already decompressed, as the
    browser hands them over); an exception among them is raised at that point, as a
    connection failing mid-way. ``closed`` tells whether the reader stopped the download."""

    status: int
    chunks: list[bytes | BaseException] = field(default_factory=list)
    content_type: str = "text/plain; charset=UTF-8"
    closed: bool = False

    def http_stream(self) -> HttpStream:
        return HttpStream(self.status, {"content-type": self.content_type}, self._body())

    async def _body(self) -> AsyncGenerator[bytes, None]:
        try:
            for chunk in self.chunks:
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk
        finally:
            self.closed = True


Handler = Callable[[HttpRequest], "HttpResponse | StreamAnswer"]


class ScriptedHttp:
    """Answers each request by path with a canned response (or raises for ``None``).

    ``hooks`` run before answering, to check state at the moment of the first request
    (e.g. that the transaction was already deleted).
    """

    def __init__(self, routes: dict[str, HttpResponse | StreamAnswer | Handler | None]
                 ) -> None:
        self.routes = routes
        self.sent: list[HttpRequest] = []
        self.hooks: list[Callable[[HttpRequest], None]] = []

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        for hook in self.hooks:
            hook(request)
        path = "/" + request.url.split("://", 1)[1].split("/", 1)[1]
        answer = self.routes.get(path.split("?")[0], html_response(404))
        if answer is None:
            raise ServerUnavailable("The request to the Speckle server failed.")
        answer = answer(request) if callable(answer) else answer
        assert isinstance(answer, HttpResponse), f"{path} answers a stream, not a response"
        return answer

    async def stream(self, request: HttpRequest) -> HttpStream:
        """The route's answer as a stream; an ordinary response comes in one chunk."""
        self.sent.append(request)
        path = "/" + request.url.split("://", 1)[1].split("/", 1)[1]
        answer = self.routes.get(path.split("?")[0], html_response(404))
        if answer is None:
            raise ServerUnavailable("request_failed")
        answer = answer(request) if callable(answer) else answer
        if isinstance(answer, HttpResponse):
            answer = StreamAnswer(answer.status, [answer.text.encode()],
                                  answer.headers.get("content-type", ""))
        return answer.http_stream()

    def paths(self) -> list[str]:
        return ["/" + r.url.split("://", 1)[1].split("/", 1)[1] for r in self.sent]


class FakeWindow:
    """A login popup: what the page did to it, and the states it shows, in turn."""

    def __init__(self, *states: str) -> None:
        self.states = list(states or ("away",))
        self.urls: list[str] = []
        self.closed_by_page = False
        self.reads = 0
        self.on_navigate: Callable[[str], None] | None = None

    def navigate(self, url: str) -> None:
        self.urls.append(url)
        if self.on_navigate is not None:
            self.on_navigate(url)

    def state(self) -> str:
        self.reads += 1
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]

    def close(self) -> None:
        self.closed_by_page = True


class FakePopups:
    """``window.open`` and the message channels, in memory."""

    def __init__(self, window: FakeWindow | None = None, blocked: bool = False) -> None:
        self.window = window or FakeWindow()
        self.blocked = blocked
        self.opened: list[str] = []
        self.handlers: list[Callable[[object, str], None]] = []
        self.listened_for: list[str] = []

    def open(self, login_id: str) -> FakeWindow | None:
        self.opened.append(login_id)
        return None if self.blocked else self.window

    def listen(self, login_id: str, handler: Callable[[object, str], None]
               ) -> Callable[[], None]:
        self.listened_for.append(login_id)
        self.handlers.append(handler)
        return lambda: self.handlers.remove(handler)

    def send(self, data: object, origin: str) -> None:
        for handler in list(self.handlers):
            handler(data, origin)



class RefusingObjectCache:
    """An object cache the browser refuses (private browsing, blocked storage, a full disk):
    every call raises, and is counted."""

    def __init__(self, full: bool = False) -> None:
        self.full = full
        self.calls: list[str] = []

    def _refuse(self, name: str) -> CacheUnavailable:
        self.calls.append(name)
        return CacheUnavailable(full=self.full)

    async def get(self, key: str) -> list[bytes] | None:
        raise self._refuse("get")

    async def put(self, key: str, parts: list[bytes]) -> None:
        raise self._refuse("put")

    async def delete(self, key: str) -> None:
        raise self._refuse("delete")

    async def clear(self) -> None:
        raise self._refuse("clear")
