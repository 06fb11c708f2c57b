"""The site author's elements: find one by selector and read its ``data-*`` attributes."""

from __future__ import annotations

from typing import Any

import js

from ..errors import InvalidConfiguration


def find_element(target: Any) -> Any:
    """``target`` itself if it is an element, else the first element the CSS selector matches."""
    if not isinstance(target, str):
        return target
    node = js.document.querySelector(target)
    if node is None:
        raise InvalidConfiguration("no_such_element", value=str(target))
    return node


def data_attributes(element: Any) -> dict[str, str]:
    """The element's ``data-*`` attributes by full name (``{"data-app-id": "…"}``)."""
    names = [str(name) for name in element.getAttributeNames()]
    return {name: str(element.getAttribute(name)) for name in names if name.startswith("data-")}
