"""The object cache's pure half: record names, what a download keeps, the completeness check
of a kept body, the size bound, and the in-memory cache."""

from __future__ import annotations

import asyncio
import json

import pytest

from pyapp.object_cache import (
    BodyRecorder,
    Entry,
    MemoryObjectCache,
    cache_key,
    evictions,
    is_complete,
    split_lines,
)
from tests.unit.test_objects import BODY, CHILD_A, CHILD_B, ROOT, line


def cut(body: bytes, size: int) -> list[bytes]:
    return [body[i:i + size] for i in range(0, len(body), size)]


def test_a_key_names_server_project_and_root_and_cannot_be_confused() -> None:
    assert json.loads(cache_key("https://a.example/", "p1", "r0")) == [
        "https://a.example", "p1", "r0"]
    assert cache_key("https://a.example", "p1", "r0") == cache_key("https://a.example/", "p1",
                                                                   "r0")
    assert cache_key("https://a.example", "p1", "r0") != cache_key("https://b.example", "p1",
                                                                   "r0")
    assert cache_key("s", "a|b", "c") != cache_key("s", "a", "b|c")


def test_a_recorder_joins_chunks_into_parts_and_keeps_every_byte() -> None:
    recorder = BodyRecorder(max_bytes=1000, part_bytes=40)
    for chunk in cut(BODY, 7):
        recorder.add(chunk)
    parts = recorder.parts()
    assert parts is not None and b"".join(parts) == BODY
    assert all(len(part) >= 40 for part in parts[:-1]) and len(parts) > 1


def test_a_recorder_past_its_limit_keeps_nothing() -> None:
    recorder = BodyRecorder(max_bytes=len(BODY) - 1, part_bytes=10)
    for chunk in cut(BODY, 50):
        recorder.add(chunk)
    assert recorder.too_large and recorder.parts() is None


def test_a_recorder_at_its_limit_keeps_the_body() -> None:
    recorder = BodyRecorder(max_bytes=len(BODY))
    recorder.add(BODY)
    assert recorder.parts() == [BODY]


def test_an_empty_recorder_has_no_parts() -> None:
    assert BodyRecorder().parts() == []


def test_lines_are_split_across_parts() -> None:
    assert split_lines([b"a\tx\nb", b"\ty\n", b"c\t"]) == ([b"a\tx", b"b\ty"], b"c\t")


@pytest.mark.parametrize("size", [1, 5, 64, len(BODY)])
def test_a_whole_download_is_complete_however_it_was_cut(size: int) -> None:
    assert is_complete("r0", cut(BODY, size))


def test_a_body_missing_an_object_of_the_closure_is_not_complete() -> None:
    assert not is_complete("r0", [line(ROOT) + line(CHILD_A)])


def test_a_body_with_its_last_line_cut_is_not_complete() -> None:
    assert not is_complete("r0", [BODY[:-5]])


def test_a_body_of_another_root_or_with_the_root_later_is_not_complete() -> None:
    assert not is_complete("a1", [BODY])
    assert not is_complete("r0", [line(CHILD_A) + line(ROOT) + line(CHILD_B)])


@pytest.mark.parametrize("body", [b"", b"\n\n", b"r0 no tab\n", b"r0\tnot json\n",
                                  b"r0\t[1, 2]\n", b"r0\t\xff\n"])
def test_an_empty_or_broken_body_is_not_complete(body: bytes) -> None:
    assert not is_complete("r0", [body])


def test_a_line_without_a_tab_after_the_root_is_not_complete() -> None:
    assert not is_complete("r0", [BODY + b"garbage\n"])


def test_without_a_closure_the_count_decides() -> None:
    root = {"id": "r0", "totalChildrenCount": 2}
    assert is_complete("r0", [line(root) + line(CHILD_A) + line(CHILD_B)])
    assert not is_complete("r0", [line(root) + line(CHILD_A)])
    assert is_complete("r0", [line({"id": "r0"})])  # announces nothing: nothing is missing


def test_blobs_in_a_closure_are_not_expected() -> None:
    root = {**ROOT, "__closure": {"a1": 1, "b2": 1, "blob:abc": 1}}
    assert is_complete("r0", [line(root) + line(CHILD_A) + line(CHILD_B)])


def test_evictions_remove_the_least_recently_used_until_the_new_record_fits() -> None:
    entries = [Entry("new-ish", 40, 3.0), Entry("oldest", 30, 1.0), Entry("old", 20, 2.0)]
    assert evictions(entries, "k", 10, 100) == []
    assert evictions(entries, "k", 11, 100) == ["oldest"]
    assert evictions(entries, "k", 60, 100) == ["oldest", "old"]
    assert evictions(entries, "k", 100, 100) == ["oldest", "old", "new-ish"]
    assert evictions(entries, "k", 101, 100) is None


def test_a_record_replaced_under_its_own_key_does_not_count() -> None:
    assert evictions([Entry("k", 90, 1.0), Entry("o", 10, 2.0)], "k", 90, 100) == []


def test_the_memory_cache_keeps_gets_and_clears() -> None:
    cache = MemoryObjectCache()

    async def run() -> tuple[object, ...]:
        missing = await cache.get("k")
        await cache.put("k", [b"ab", b"c"])
        got = await cache.get("k")
        await cache.delete("k")
        deleted = await cache.get("k")
        await cache.put("k", [b"x"])
        await cache.clear()
        return missing, got, deleted, await cache.get("k"), cache.entries

    assert asyncio.run(run()) == (None, [b"ab", b"c"], None, None, {})


def test_the_memory_cache_stays_in_its_bound_removing_the_least_recently_used() -> None:
    cache = MemoryObjectCache(max_total_bytes=10)

    async def run() -> None:
        await cache.put("a", [b"aaaa"])
        await cache.put("b", [b"bbbb"])
        await cache.get("a")  # a is now the more recently used
        await cache.put("c", [b"cccc"])
        await cache.put("huge", [b"h" * 11])

    asyncio.run(run())
    assert set(cache.records) == {"a", "c"}
    assert sum(entry.size for entry in cache.entries.values()) <= 10
