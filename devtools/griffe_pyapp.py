"""A Griffe extension for the documentation site's API reference (``mkdocs.yml``).

pyapp's docstrings are written to read well in ``help()`` too: they use Sphinx's inline
roles (``:class:`~pyapp.errors.LoginDenied```), end a paragraph with ``::`` before a code
block, and document attributes with ``#:`` comments above them. Griffe, which reads the
docstrings for mkdocstrings, understands none of that; this extension turns each role into
code (`LoginDenied`), each ``::`` into ``:``, and each ``#:`` comment into the docstring of
the attribute below it. The source files are not changed.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|mod|data|exc|obj):`(~?)([^`]+)`")
LITERAL_BLOCK = re.compile(r"::$", re.MULTILINE)
COMMENT = re.compile(r"^\s*#:\s?(.*)$")


def plain_roles(text: str) -> str:
    """Sphinx roles as Markdown code: ``~`` keeps the last name, functions get ``()``."""

    def code(match: re.Match[str]) -> str:
        kind, tilde, target = match.groups()
        name = target.rsplit(".", 1)[-1] if tilde else target
        if kind in ("func", "meth") and not name.endswith(")"):
            name += "()"
        return f"`{name}`"

    return LITERAL_BLOCK.sub(":", ROLE.sub(code, text))


def comment_above(lines: list[str], lineno: int) -> str | None:
    """The ``#:`` comment lines right above line ``lineno`` (1-based), joined; or None."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0:
        match = COMMENT.match(lines[index])
        if not match:
            break
        found.insert(0, match.group(1))
        index -= 1
    return " ".join(found) if found else None


class PyappDocstrings(griffe.Extension):
    """Markdown from pyapp's Sphinx-flavoured docstrings; ``#:`` comments as docstrings."""

    def on_instance(self, *, node: ast.AST | griffe.ObjectNode, obj: griffe.Object,
                    agent: Any, **kwargs: Any) -> None:
        if obj.is_attribute and obj.docstring is None and obj.lineno:
            try:
                lines = obj.module.lines
            except (AttributeError, ValueError):
                lines = []
            text = comment_above(lines, obj.lineno) if lines else None
            if text:
                obj.docstring = griffe.Docstring(text, lineno=obj.lineno, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = plain_roles(obj.docstring.value)
