"""JSON from untrusted sources, parsed only when it cannot crash the interpreter.

Python's JSON parser recurses once per nesting level. Under CPython that ends in a
``RecursionError``; under Pyodide a few thousand levels overflow the JavaScript stack
(``RangeError: Maximum call stack size exceeded``) and take the page's Python down with it.
No answer the product reads nests more than a few levels, so text nested deeper than
:data:`MAX_DEPTH` is refused *before* it is parsed.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

#: Deeper than any Speckle answer or stored record, far below what overflows a stack.
MAX_DEPTH = 256

# A JSON string literal (unrolled loop: no backtracking); its brackets do not nest anything.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class TooDeep(ValueError):
    """The text nests arrays/objects deeper than allowed; it was not parsed."""


def nests_deeper_than(text: str, max_depth: int) -> bool:
    """True when a JSON parser reading ``text`` could reach more than ``max_depth`` levels.

    Brackets inside string literals do not count. Along any prefix a parser accepts,
    opening minus closing brackets is exactly its depth, so the running maximum over the
    whole text bounds what the parser can reach before it stops.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return False  # the common case, decided without looking further
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0) > max_depth


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    """``json.loads(text)``, or :class:`TooDeep` (a ``ValueError``) for deep nesting.

    Every failure is a ``ValueError``, so ``except ValueError`` covers malformed and
    hostile text alike.
    """
    if nests_deeper_than(text, max_depth):
        raise TooDeep(f"JSON nested more than {max_depth} levels deep")
    try:
        return json.loads(text)
    except RecursionError:  # a smaller stack than expected: still a refusal, not a crash
        raise TooDeep("JSON nested too deeply for this interpreter") from None
