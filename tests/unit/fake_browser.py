"""A small fake of the browser, for unit tests of ``pyapp.browser`` and the DOM helpers.

Under Pyodide those modules import ``js``, ``pyodide.ffi`` and ``pyscript``; here the
``fake_browser`` fixture puts plain-Python stand-ins in ``sys.modules`` and imports the page
modules afresh against them. The fakes model what the tests look at: a document of element
and text nodes (no HTML parser at all: markup stays text), a history of entries, Web Storage,
``crypto``, ``fetch`` answered from a route table (bodies readable as text or as a stream),
``URL`` and ``console``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

PAGE_MODULES = ("pyapp.browser", "pyapp.ui")


class TextNode:
    def __init__(self, data: str) -> None:
        self.data = data

    @property
    def textContent(self) -> str:  # noqa: N802 - the DOM's name
        return self.data


class Element:
    """An element: tag, attributes, children. ``innerHTML`` deliberately does not exist."""

    def __init__(self, tag: str, document: FakeDocument | None = None) -> None:
        self.tagName = tag.upper()
        self.attributes: dict[str, str] = {}
        self.children: list[Element | TextNode] = []
        self.hidden = False
        self.disabled = False
        self.dataset = types.SimpleNamespace()
        self.classList = ClassList()
        self.listeners: dict[str, list[Callable[[Any], None]]] = {}
        self.shadowRoot: Element | None = None
        self.dispatched: list[Any] = []
        self._document = document

    def addEventListener(self, kind: str, handler: Callable[[Any], None]) -> None:  # noqa: N802
        self.listeners.setdefault(kind, []).append(handler)

    def click(self) -> None:
        """What a visitor's click does: the element's listeners hear it (a form's submit
        is :meth:`submit`)."""
        self.fire("click")

    def fire(self, kind: str) -> types.SimpleNamespace:
        event = types.SimpleNamespace(defaultPrevented=False)
        event.preventDefault = lambda: setattr(event, "defaultPrevented", True)
        for handler in list(self.listeners.get(kind, [])):
            handler(event)
        return event

    def dispatchEvent(self, event: Any) -> None:  # noqa: N802
        self.dispatched.append(event)

    def attachShadow(self, init: Any) -> Element:  # noqa: N802
        # Options must be a plain JS object (the DOM reads no Map's entries); a closed root
        # is not the element's ``shadowRoot``, so the page's scripts cannot reach it.
        assert type(init) is dict, f"attachShadow options must be a JS object, not {init!r}"
        root = Element("#shadow-root", self._document)
        self.shadowRoot = root if init["mode"] == "open" else None
        return root

    @property
    def className(self) -> str:  # noqa: N802
        return self.attributes.get("class", "")

    @className.setter
    def className(self, value: str) -> None:  # noqa: N802
        self.attributes["class"] = value

    def setAttribute(self, name: str, value: str) -> None:  # noqa: N802
        assert isinstance(value, str), "the DOM stores attribute values as strings"
        self.attributes[name] = value
        if name in ("hidden", "disabled"):  # reflected as properties, as in the DOM
            setattr(self, name, True)
        if name == "id" and self._document is not None:
            self._document.by_id[value] = self

    def getAttribute(self, name: str) -> str | None:  # noqa: N802
        return self.attributes.get(name)

    def removeAttribute(self, name: str) -> None:  # noqa: N802
        self.attributes.pop(name, None)

    @property
    def childElementCount(self) -> int:  # noqa: N802
        return sum(isinstance(child, Element) for child in self.children)

    def focus(self) -> None:
        assert self._document is not None, "only an element of the document can take focus"
        self._document.activeElement = self

    def getAttributeNames(self) -> list[str]:  # noqa: N802
        return list(self.attributes)

    def append(self, *nodes: Element | TextNode | str) -> None:
        for node in nodes:
            if isinstance(node, str):  # the DOM's append takes text as a text node
                node = TextNode(node)
            assert isinstance(node, Element | TextNode), f"not a DOM node: {node!r}"
            self.children.append(node)

    def replaceChildren(self, *nodes: Element | TextNode) -> None:  # noqa: N802
        self.children = []
        self.append(*nodes)

    @property
    def textContent(self) -> str:  # noqa: N802
        return "".join(child.textContent for child in self.children)

    @textContent.setter
    def textContent(self, text: str) -> None:  # noqa: N802
        self.children = [TextNode(text)]

    def descendants(self) -> list[Element]:
        """Every descendant element, in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                found.append(child)
                found.extend(child.descendants())
        return found

    def find(self, tag: str) -> list[Element]:
        """Every descendant element with this tag, in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tagName == tag.upper():
                    found.append(child)
                found.extend(child.find(tag))
        return found


class ClassList:
    def __init__(self) -> None:
        self.names: set[str] = set()

    def toggle(self, name: str, force: bool) -> None:
        (self.names.add if force else self.names.discard)(name)

    def contains(self, name: str) -> bool:
        return name in self.names


class FakeDocument:
    def __init__(self) -> None:
        self.by_id: dict[str, Element] = {}
        self.selectors: dict[str, Element] = {}
        self.documentElement = types.SimpleNamespace(lang="en")
        self.body = Element("body", self)
        self.title = ""
        self.activeElement: Element | None = None

    def querySelectorAll(self, selector: str) -> list[Element]:  # noqa: N802
        """Only ``[attribute]`` selectors, which is all the pages ask for."""
        assert selector.startswith("[") and selector.endswith("]"), selector
        name = selector[1:-1]
        return [node for node in self.body.descendants() if node.getAttribute(name) is not None]

    def createElement(self, tag: str) -> Element:  # noqa: N802
        return Element(tag, self)

    def createTextNode(self, data: str) -> TextNode:  # noqa: N802
        assert isinstance(data, str)
        return TextNode(data)

    def getElementById(self, element_id: str) -> Element | None:  # noqa: N802
        return self.by_id.get(element_id)

    def querySelector(self, selector: str) -> Element | None:  # noqa: N802
        return self.selectors.get(selector)

    def add(self, element_id: str, tag: str = "div") -> Element:
        node = Element(tag, self)
        node.setAttribute("id", element_id)
        self.body.append(node)
        return node


class History:
    """Session history as a list of addresses; ``current`` is the one shown."""

    def __init__(self, location: Location) -> None:
        self.location = location
        self.entries = [location.href]
        self.current = 0
        self.state: object = None
        self.calls: list[str] = []

    def pushState(self, state: object, title: str, url: str) -> None:  # noqa: N802
        self.calls.append("pushState")
        del self.entries[self.current + 1:]
        self.entries.append(url)
        self.current += 1
        self.state, self.location.href = state, url

    def replaceState(self, state: object, title: str, url: str) -> None:  # noqa: N802
        self.calls.append("replaceState")
        self.entries[self.current] = url
        self.state, self.location.href = state, url

    def back(self) -> str:
        """The address "Back" shows."""
        self.current -= 1
        self.location.href = self.entries[self.current]
        return self.location.href


class Location:
    def __init__(self, href: str) -> None:
        self.href = href
        self.assigned: list[str] = []
        self.replaced: list[str] = []

    def assign(self, url: str) -> None:
        self.assigned.append(url)

    def replace(self, url: str) -> None:
        self.replaced.append(url)


class WebStorageArea:
    """``sessionStorage``/``localStorage``: getItem gives ``jsnull`` for a missing key, as
    PyScript's Pyodide does (JavaScript's null is not converted to None there)."""

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def getItem(self, key: str) -> Any:  # noqa: N802
        return self.items.get(key, JSNULL)

    def setItem(self, key: str, value: str) -> None:  # noqa: N802
        self.items[key] = str(value)

    def removeItem(self, key: str) -> None:  # noqa: N802
        self.items.pop(key, None)

    def key(self, index: int) -> str | None:
        keys = list(self.items)
        return keys[index] if 0 <= index < len(keys) else None

    @property
    def length(self) -> int:
        return len(self.items)


class Uint8Array:
    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)

    @classmethod
    def new(cls, arg: int | Uint8Array | bytes) -> Uint8Array:
        if isinstance(arg, int):
            return cls(bytes(arg))
        return cls(bytes(arg.data if isinstance(arg, Uint8Array) else arg))

    def assign(self, data: bytes) -> None:
        assert len(data) == len(self.data)
        self.data[:] = data

    def to_bytes(self) -> bytes:
        return bytes(self.data)


class Subtle:
    def __init__(self) -> None:
        self.algorithms: list[str] = []

    async def digest(self, algorithm: str, data: Uint8Array) -> bytes:
        self.algorithms.append(algorithm)
        return hashlib.new(algorithm.replace("-", "").lower(), data.to_bytes()).digest()


class Crypto:
    def __init__(self, random: bytes) -> None:
        self.random = random
        self.subtle: Subtle | None = Subtle()

    def getRandomValues(self, buffer: Uint8Array) -> Uint8Array:  # noqa: N802
        buffer.assign(self.random[: len(buffer.data)])
        return buffer


class URL:
    """``new URL(text)`` for absolute http(s) URLs, close enough to the WHATWG parser for
    tests: default ports dropped, host lower-cased, ``TypeError`` for what is not a URL."""

    DEFAULT_PORTS = {"http:": "80", "https:": "443"}

    def __init__(self, text: str) -> None:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            raise JsException("TypeError", "Invalid URL") from None
        if not parts.scheme or (parts.scheme in ("http", "https") and not parts.hostname):
            raise JsException("TypeError", "Invalid URL")
        self.protocol = parts.scheme.lower() + ":"
        self.username = parts.username or ""
        self.password = parts.password or ""
        host = (parts.hostname or "").lower()
        self.hostname = f"[{host}]" if ":" in host else host  # IPv6 keeps its brackets
        self.port = "" if port is None or str(port) == self.DEFAULT_PORTS.get(self.protocol) \
            else str(port)
        self.pathname = parts.path or "/"
        self.search = f"?{parts.query}" if parts.query else ""
        self.hash = f"#{parts.fragment}" if parts.fragment else ""

    @classmethod
    def new(cls, text: str) -> URL:
        return cls(text)


class Proxy:
    """``create_proxy(f)``: callable like ``f`` until destroyed."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.destroyed = False

    def __call__(self, *args: Any) -> Any:
        assert not self.destroyed, "a destroyed proxy was called"
        return self.function(*args)

    def destroy(self) -> None:
        self.destroyed = True


JSNULL = type("JsNull", (), {"__bool__": lambda self: False, "__repr__": lambda self: "jsnull"})()


class JsMap(dict):  # type: ignore[type-arg]
    """What ``to_js`` makes of a dict without ``dict_converter``: a JS ``Map``."""


class JsException(Exception):
    """``pyodide.ffi.JsException``: a JavaScript error, with its ``name``."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class ReadResult:
    def __init__(self, value: bytes | None) -> None:
        self.done = value is None
        self.value = None if value is None else Uint8Array(value)


class BodyStream:
    """``response.body``: a ReadableStream read through ``getReader()``, in one chunk or in
    the ones given; an exception among them is what that read rejects with, an
    ``asyncio.Event`` a read that waits until it is set."""

    def __init__(self, data: bytes, chunks: list[Any] | None = None) -> None:
        self.chunks: list[Any] = list(chunks) if chunks is not None else [data] if data else []
        self.cancelled = False
        self.reads = 0

    def getReader(self) -> BodyStream:  # noqa: N802
        return self

    async def read(self) -> ReadResult:
        self.reads += 1
        chunk = self.chunks.pop(0) if self.chunks else None
        if isinstance(chunk, asyncio.Event):
            await chunk.wait()
            chunk = self.chunks.pop(0) if self.chunks else None
        if isinstance(chunk, BaseException):
            raise chunk
        return ReadResult(chunk)

    async def cancel(self) -> None:
        self.cancelled = True


@dataclass
class FetchResponse:
    status: int
    text_body: str
    content_type: str | None = "application/json"
    chunks: list[Any] | None = None

    def __post_init__(self) -> None:
        self.body = BodyStream(self.text_body.encode("utf-8"), self.chunks)

    @property
    def headers(self) -> dict[str, str | None]:
        return {"content-type": self.content_type}

    async def text(self) -> str:
        return self.text_body


@dataclass
class Fetch:
    """``fetch`` answered by path; a route may be a response, an exception, or a callable."""

    routes: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    async def __call__(self, url: str, init: dict[str, Any]) -> FetchResponse:
        # A Python dict must reach fetch as a plain JS object; pyodide's default is a Map,
        # whose entries fetch would not see.
        assert type(init) is dict, f"fetch options must be a JS object, not {init!r}"
        self.calls.append((url, init))
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        answer = self.routes.get(path, FetchResponse(404, "<html>Not here</html>", "text/html"))
        if callable(answer):
            answer = answer(url, init)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def paths(self) -> list[str]:
        return ["/" + url.split("://", 1)[1].split("/", 1)[1] for url, _ in self.calls]


class PopupLocation:
    """A popup's ``location``: readable while it shows this origin, throwing once away."""

    def __init__(self) -> None:
        self.away = False
        self.replaced: list[str] = []

    @property
    def href(self) -> str:
        if self.away:
            raise JsException("SecurityError", "Blocked a frame from a cross-origin frame.")
        return "about:blank"

    def replace(self, url: str) -> None:
        self.replaced.append(url)


class PopupWindow:
    """What ``window.open`` hands the opener."""

    def __init__(self) -> None:
        self.location = PopupLocation()
        self.closed = False
        self.close_calls = 0
        self.opener: Any = "the opening window"  # what the popup's own pages would see

    def close(self) -> None:
        self.close_calls += 1
        self.closed = True


class Listeners:
    """``addEventListener``/``removeEventListener`` and dispatch, as windows and channels have."""

    def __init__(self) -> None:
        self.listeners: dict[str, list[Callable[[Any], None]]] = {}

    def addEventListener(self, kind: str, handler: Callable[[Any], None]) -> None:  # noqa: N802
        self.listeners.setdefault(kind, []).append(handler)

    def removeEventListener(self, kind: str, handler: Callable[[Any], None]) -> None:  # noqa: N802
        self.listeners[kind].remove(handler)

    def dispatch(self, kind: str, event: Any) -> None:
        for handler in list(self.listeners.get(kind, [])):
            handler(event)


class BroadcastChannel(Listeners):
    opened: list[BroadcastChannel] = []

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.closed = False
        BroadcastChannel.opened.append(self)

    @classmethod
    def new(cls, name: str) -> BroadcastChannel:
        return cls(name)

    def close(self) -> None:
        self.closed = True


class Window(Listeners):
    def __init__(self, session_storage: WebStorageArea, local_storage: WebStorageArea) -> None:
        super().__init__()
        self.sessionStorage = session_storage
        self.localStorage = local_storage
        self.screenX, self.screenY, self.outerWidth, self.outerHeight = 100, 50, 1300, 900
        self.popup: PopupWindow | Any = PopupWindow()  # what window.open answers
        self.opened: list[tuple[str, str, str, str | None]] = []

    def open(self, url: str, target: str, features: str) -> PopupWindow | Any:
        # What the popup inherits: a copy of this sessionStorage, at this moment.
        self.opened.append((url, target, features,
                            self.sessionStorage.getItem("speckle-login:popup")))
        return self.popup


class CSSStyleSheet:
    """A constructed stylesheet: its text, as ``replaceSync`` set it."""

    def __init__(self) -> None:
        self.text = ""

    @classmethod
    def new(cls) -> CSSStyleSheet:
        return cls()

    def replaceSync(self, text: str) -> None:  # noqa: N802
        self.text = text


class Console:
    """``console``: every line kept with its level, for tests that read what a page said."""

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self.lines = lines

    def _write(self, level: str, *parts: object) -> None:
        self.lines.append((level, " ".join(str(part) for part in parts)))

    def log(self, *parts: object) -> None:
        self._write("log", *parts)

    def warn(self, *parts: object) -> None:
        self._write("warn", *parts)

    def error(self, *parts: object) -> None:
        self._write("error", *parts)


class FakeBrowser:
    """One page's worth of browser: what ``js`` exposes, plus ``pyscript.document``."""

    def __init__(self, url: str = "http://127.0.0.1:8000/") -> None:
        self.document = FakeDocument()
        self.location = Location(url)
        self.history = History(self.location)
        self.session_storage = WebStorageArea()
        self.local_storage = WebStorageArea()
        self.crypto = Crypto(bytes(range(32)))
        self.fetch = Fetch()
        self.window = Window(self.session_storage, self.local_storage)
        self.console: list[tuple[str, str]] = []
        self.secure: bool | None = True
        self.navigator = types.SimpleNamespace(languages=["en-GB"])
        self.timeouts: list[int] = []
        self.controllers: list[Any] = []
        self.proxied: list[Proxy] = []

    def js_module(self) -> types.ModuleType:
        browser = self
        js = types.ModuleType("js")

        class AbortSignal:
            @staticmethod
            def timeout(ms: int) -> str:
                browser.timeouts.append(ms)
                return f"timeout({ms})"

        class AbortController:
            def __init__(self) -> None:
                self.signal = "controller-signal"
                self.aborted = 0

            @classmethod
            def new(cls) -> AbortController:
                controller = cls()
                browser.controllers.append(controller)
                return controller

            def abort(self) -> None:
                self.aborted += 1

        class LiveModule(types.ModuleType):
            # read at call time, so a test can change the page after pyapp imported ``js``
            @property
            def isSecureContext(self) -> bool:  # noqa: N802
                if browser.secure is None:  # an old browser without the attribute
                    raise AttributeError("isSecureContext")
                return browser.secure

            @property
            def location(self) -> Location:
                return browser.location

        js.__class__ = LiveModule
        js.document = self.document  # type: ignore[attr-defined]
        js.navigator = self.navigator  # type: ignore[attr-defined]
        js.history = self.history  # type: ignore[attr-defined]
        js.sessionStorage = self.session_storage  # type: ignore[attr-defined]
        js.localStorage = self.local_storage  # type: ignore[attr-defined]
        js.crypto = self.crypto  # type: ignore[attr-defined]
        js.Uint8Array = Uint8Array  # type: ignore[attr-defined]
        js.fetch = self.fetch  # type: ignore[attr-defined]
        js.AbortSignal = AbortSignal  # type: ignore[attr-defined]
        js.AbortController = AbortController  # type: ignore[attr-defined]
        js.Object = types.SimpleNamespace(fromEntries=dict)  # type: ignore[attr-defined]
        js.window = self.window  # type: ignore[attr-defined]
        js.URL = URL  # type: ignore[attr-defined]
        BroadcastChannel.opened = []
        js.BroadcastChannel = BroadcastChannel  # type: ignore[attr-defined]
        js.console = Console(self.console)  # type: ignore[attr-defined]
        js.CSSStyleSheet = CSSStyleSheet  # type: ignore[attr-defined]
        js.Array = types.SimpleNamespace(of=lambda *items: list(items))  # type: ignore[attr-defined]
        js.CustomEvent = types.SimpleNamespace(  # type: ignore[attr-defined]
            new=lambda kind, init: types.SimpleNamespace(type=kind, **init))
        return js

    def ffi_module(self) -> types.ModuleType:
        ffi = types.ModuleType("pyodide.ffi")

        def to_js(value: Any, dict_converter: Callable[..., Any] | None = None) -> Any:
            return dict_converter(value.items()) if dict_converter else JsMap(value)

        def create_proxy(function: Callable[..., Any]) -> Proxy:
            proxy = Proxy(function)
            self.proxied.append(proxy)
            return proxy

        ffi.JsException = JsException  # type: ignore[attr-defined]
        ffi.jsnull = JSNULL  # type: ignore[attr-defined]
        ffi.to_js = to_js  # type: ignore[attr-defined]
        ffi.create_proxy = create_proxy  # type: ignore[attr-defined]
        return ffi

    def storage_event(self, key: str | None) -> None:
        """Another tab changed ``localStorage`` (``key`` None: it was cleared)."""
        self.window.dispatch("storage", types.SimpleNamespace(key=key))


@pytest.fixture
def fake_browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBrowser]:
    """A fresh fake page; ``pyapp.browser`` and ``pyapp.ui`` are imported anew against it."""
    browser = FakeBrowser()
    pyodide = types.ModuleType("pyodide")
    ffi = browser.ffi_module()
    pyodide.ffi = ffi  # type: ignore[attr-defined]
    pyscript = types.ModuleType("pyscript")
    pyscript.document = browser.document  # type: ignore[attr-defined]
    pyscript.window = browser.window  # type: ignore[attr-defined]
    for name, module in (("js", browser.js_module()), ("pyodide", pyodide),
                         ("pyodide.ffi", ffi), ("pyscript", pyscript)):
        monkeypatch.setitem(sys.modules, name, module)
    for name in list(sys.modules):
        if name.startswith(PAGE_MODULES):
            monkeypatch.delitem(sys.modules, name)
    # Importing the page modules may wire browser pieces into pyapp's other modules: note
    # their globals, to put them back afterwards.
    before = {name: dict(vars(module)) for name, module in list(sys.modules.items())
              if name.split(".")[0] == "pyapp" and module is not None}
    yield browser
    # Nothing imported or wired against this page's fakes may outlive it.
    for name in list(sys.modules):
        if name.split(".")[0] == "pyapp" and name not in before:
            del sys.modules[name]
    for name, saved in before.items():
        module = sys.modules.get(name)
        if module is None:
            continue
        for key in set(vars(module)) - set(saved):
            delattr(module, key)
        for key, value in saved.items():
            if vars(module).get(key) is not value:
                setattr(module, key, value)


def stored(area: WebStorageArea, key: str) -> dict[str, Any] | None:
    raw = area.items.get(key)
    return None if raw is None else json.loads(raw)
