"""``pyapp.safe_json``: how deep a JSON text nests is counted exactly, before parsing.

Depth is opening minus closing brackets along the text, brackets inside strings left out;
text nested deeper than the limit is refused, text exactly at the limit is read.
"""

from __future__ import annotations

import sys

import pytest

from pyapp.safe_json import TooDeep, loads, nests_deeper_than


@pytest.mark.parametrize("text, depth", [
    ('{"a": {"b": {}}}', 3),              # objects count as arrays do
    ('[1, [2, [3]]]', 3),                 # values between brackets do not count
    ('[[]][]', 2),                        # closing brackets bring the depth down
    ('[][[]]', 2),
    ('[][][]', 1),
    ('{"[[[[": "{{{{"}', 1),              # nor do brackets inside strings
    ('"[[[["', 0),
])
def test_depth_is_counted_exactly(text: str, depth: int) -> None:
    for limit in range(0, depth):
        assert nests_deeper_than(text, limit), (text, limit)
    for limit in range(depth, depth + 2):
        assert not nests_deeper_than(text, limit), (text, limit)


def test_text_at_the_limit_is_read_and_deeper_is_refused() -> None:
    assert loads('[[], []]', max_depth=2) == [[], []]
    with pytest.raises(TooDeep):
        loads('[[[]]]', max_depth=2)


def test_a_stack_smaller_than_the_limit_expects_is_still_a_refusal() -> None:
    depth = 400
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)  # an interpreter with less stack than MAX_DEPTH assumes
    try:
        with pytest.raises(TooDeep) as caught:
            loads("[" * depth + "]" * depth, max_depth=depth)
    finally:
        sys.setrecursionlimit(limit)
    assert isinstance(caught.value, ValueError)
