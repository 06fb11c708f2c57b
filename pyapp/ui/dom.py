"""Building DOM nodes without ever parsing HTML.

Everything that came from a server (names, emails, project titles) reaches the page as a
text node, so markup in it is shown, never run. URLs placed in ``src``/``href`` go through
:func:`safe_url` first.
"""

from __future__ import annotations

# urllib.parse is imported where it is used (why: pyapp.page_urls).
from collections.abc import Callable
from typing import Any

from pyodide.ffi import create_proxy
from pyscript import document, window

from ..messages import Message

Child = Any  # a DOM node, a str, or None (skipped)


def el(tag: str, *children: Child, **attrs: str | bool | None) -> Any:
    """``document.createElement(tag)`` with attributes and text/element children.

    ``class_`` sets ``class``; ``True`` sets a boolean attribute; ``None``/``False`` skip it.
    """
    node = document.createElement(tag)
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        node.setAttribute(name, "" if value is True else str(value))
    append(node, *children)
    return node


def append(node: Any, *children: Child) -> Any:
    for child in children:
        if child is None:
            continue
        node.append(child)  # the DOM's append takes a str as a text node, never as HTML
    return node


def mark_busy(node: Any, busy: bool) -> None:
    """``aria-busy`` on ``node`` while its work runs. Busy, not disabled: disabling the
    focused button would throw keyboard focus away."""
    if busy:
        node.setAttribute("aria-busy", "true")
    else:
        node.removeAttribute("aria-busy")


def by_id(element_id: str) -> Any:
    return document.getElementById(element_id)


def replace_children(node: Any, *children: Child) -> Any:
    node.replaceChildren()
    return append(node, *children)


def safe_url(url: str | None, allow_data_images: bool = False) -> str | None:
    """``url`` if it is http(s) (or a data: image when allowed), else None."""
    from urllib.parse import urlsplit

    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    if scheme in ("http", "https"):
        return url.strip()
    if allow_data_images and url.strip().lower().startswith("data:image/"):
        return url.strip()
    return None


def show_message(node: Any, message: Message | None) -> None:
    """Show ``message`` as text in ``node`` (hidden when None)."""
    node.hidden = message is None
    replace_children(node, *(() if message is None else (message.title + ". ", message.detail)))
    if message is not None:
        report_message(message)


def report_message(message: Message) -> None:
    """Write a handled ``message``'s technical detail to the browser console, for the site
    owner (an unexpected exception is logged by :func:`pyapp.ui.report` instead).

    A warning, not an error: the page handled it. The detail never holds a token, code or
    verifier (see :mod:`pyapp.messages`).
    """
    if message.technical:
        import js

        js.console.warn(f"Speckle sign-in: {message.title}. {message.technical}")


def on_restored(callback: Callable[[], None]) -> None:
    """Call ``callback`` when the browser shows this page again from its back-forward cache.

    Firefox and Safari (and Chrome, outside test automation) keep the page a visitor left
    for Speckle's consent page and show it exactly as it was on Back, with no new start:
    a button disabled on the way out would stay disabled.
    """
    def handle(event: Any) -> None:
        if event.persisted:
            callback()

    window.addEventListener("pageshow", create_proxy(handle))
