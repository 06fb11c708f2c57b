"""Reading Speckle's object downloads: ``id<TAB>json`` lines split anywhere, the checks that
refuse a broken or oversized download, and references resolved into shared objects."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from pyapp.errors import ObjectsIncomplete, ObjectsMalformed, ObjectsTooLarge
from pyapp.objects import (
    LineReader,
    ObjectLimits,
    ObjectStream,
    announced_total,
    flat_properties,
    is_data_chunk,
    is_reference,
    objects_request,
    resolve,
    walk,
)


def ref(object_id: str) -> dict[str, str]:
    return {"referencedId": object_id, "speckle_type": "reference"}


def line(obj: dict[str, Any]) -> bytes:
    return f"{obj['id']}\t{json.dumps(obj, ensure_ascii=False)}\n".encode()


CHILD_A = {"id": "a1", "speckle_type": "Objects.Geometry.Mesh", "name": "Fläche ∑ 🧱"}
CHILD_B = {"id": "b2", "speckle_type": "Objects.Geometry.Line", "shared": ref("a1")}
ROOT = {"id": "r0", "speckle_type": "Base", "totalChildrenCount": 2,
        "__closure": {"a1": 1, "b2": 1}, "@elements": [ref("a1"), ref("b2")]}
BODY = line(ROOT) + line(CHILD_A) + line(CHILD_B)


def read_all(body: bytes, size: int, **kwargs: Any) -> list[dict[str, Any]]:
    stream = ObjectStream("r0", **kwargs)
    out = []
    for start in range(0, len(body), size):
        out += stream.feed(body[start:start + size])
    stream.finish()
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(BODY)])
def test_lines_split_anywhere_even_inside_a_character_read_the_same(size: int) -> None:
    assert read_all(BODY, size) == [ROOT, CHILD_A, CHILD_B]


@pytest.mark.parametrize("server", ["https://speckle.example/BOX", "https://speckle.example/BOX/"])
def test_the_request_keeps_the_servers_path_and_joins_it_with_one_slash(server: str) -> None:
    request = objects_request(server, "p1", "r0", "t1")
    assert (request.method, request.url) == ("GET", "https://speckle.example/BOX/objects/p1/r0")
    assert request.headers == {"Accept": "text/plain", "Authorization": "Bearer t1"}


def test_a_line_is_handed_out_as_soon_as_its_newline_arrives() -> None:
    reader = LineReader("r0")
    assert reader.feed(line(ROOT)[:-1]) == []
    assert reader.feed(b"\n" + line(CHILD_A)[:5]) == [("r0", ROOT)]


def test_an_object_without_an_id_takes_its_lines() -> None:
    assert LineReader().feed(b'x9\t{"speckle_type": "Base"}\n') == [
        ("x9", {"id": "x9", "speckle_type": "Base"})]


def test_only_the_first_tab_ends_the_id_a_later_one_is_the_jsons() -> None:
    assert LineReader().feed(b'x9\t{"id":\t"x9"}\n') == [("x9", {"id": "x9"})]


def test_a_line_reader_made_without_an_object_names_none_in_its_errors() -> None:
    with pytest.raises(ObjectsMalformed) as caught:
        LineReader().feed(b"no tab here\n")
    assert (caught.value.reason, caught.value.object_id, caught.value.line) == (
        "not_a_line", "", 1)


def test_a_line_reader_is_mid_line_until_the_newline_arrives() -> None:
    reader = LineReader("r0")
    reader.feed(line(ROOT) + line(CHILD_A)[:4])
    assert reader.mid_line  # ObjectStream.finish refuses a body that ends here
    reader.feed(line(CHILD_A)[4:])
    assert not reader.mid_line


def test_a_line_reader_between_lines_is_not_mid_line_and_skips_blank_lines() -> None:
    reader = LineReader("r0")
    assert reader.feed(line(ROOT) + b" \n") == [("r0", ROOT)]  # a blank line is skipped
    assert not reader.mid_line
    assert reader.lines_read == 1


def test_a_line_reader_takes_exactly_its_byte_limit_and_not_one_more() -> None:
    reader = LineReader("r0", max_bytes=len(line(ROOT)))
    assert reader.feed(line(ROOT)) == [("r0", ROOT)]
    with pytest.raises(ObjectsTooLarge) as caught:
        reader.feed(b"\n")
    assert (caught.value.limit, caught.value.maximum, caught.value.object_id) == (
        "bytes", len(line(ROOT)), "r0")


def test_progress_counts_objects_against_the_announced_total() -> None:
    seen: list[tuple[int, int | None]] = []
    read_all(BODY, 5, progress=lambda loaded, total: seen.append((loaded, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_root_with_a_null_count_is_counted_from_its_closure() -> None:
    root = {**ROOT, "totalChildrenCount": None}
    seen: list[tuple[int, int | None]] = []
    read_all(line(root) + line(CHILD_A) + line(CHILD_B), 9,
             progress=lambda loaded, total: seen.append((loaded, total)))
    assert seen[-1] == (3, 3)


def test_a_root_listed_in_its_own_closure_is_counted_once() -> None:
    root = {**ROOT, "totalChildrenCount": None, "__closure": {"r0": 0, "a1": 1, "b2": 1}}
    seen: list[tuple[int, int | None]] = []
    read_all(line(root) + line(CHILD_A) + line(CHILD_B), 50,
             progress=lambda loaded, total: seen.append((loaded, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("root", [
    {"id": "r0", "speckle_type": "Base", "totalChildrenCount": 0},
    {"id": "r0", "speckle_type": "Base", "totalChildrenCount": None, "__closure": {}},
])
def test_a_root_without_children_is_a_whole_download_of_one(root: dict[str, Any]) -> None:
    seen: list[tuple[int, int | None]] = []
    assert read_all(line(root), 50,
                    progress=lambda loaded, total: seen.append((loaded, total))) == [root]
    assert seen == [(1, 1)]


@pytest.mark.parametrize(("count", "total"), [
    (0, 1), (2, 3), (-1, None), (True, None), (2.0, None), ("2", None), (None, None)])
def test_the_announced_total_is_a_count_of_zero_or_more_plus_the_root(
        count: Any, total: int | None) -> None:
    assert announced_total({"totalChildrenCount": count}, None) == total


@pytest.mark.parametrize(("cut", "loaded"), [
    (len(line(ROOT)) + 3, 1),
    (len(line(ROOT)) + len(line(CHILD_A)) + 10, 2),
])
def test_a_body_cut_inside_a_line_is_refused_at_its_end(cut: int, loaded: int) -> None:
    with pytest.raises(ObjectsIncomplete) as caught:
        read_all(BODY[:cut], 4)
    assert (caught.value.loaded, caught.value.expected) == (loaded, 3)


def test_a_cut_on_a_line_boundary_is_found_by_the_closure() -> None:
    with pytest.raises(ObjectsIncomplete) as caught:
        read_all(line(ROOT) + line(CHILD_B), 50)
    assert (caught.value.object_id, caught.value.loaded, caught.value.expected) == ("r0", 2, 3)


def test_a_last_line_without_its_newline_is_cut_off_even_when_it_parses() -> None:
    with pytest.raises(ObjectsIncomplete):
        read_all(BODY[:-1], 50)


def test_an_empty_body_is_incomplete() -> None:
    with pytest.raises(ObjectsIncomplete) as caught:
        read_all(b"", 1)
    assert caught.value.loaded == 0


@pytest.mark.parametrize(("bad", "reason"), [
    (b"a1 no tab here\n", "not_a_line"),
    (b'\t{"id": ""}\n', "not_a_line"),
    (b"a1\t\xff\xfe{}\n", "not_a_line"),
    (b'a1\t{"id": "a1",\n', "not_json"),
    (b"a1\t[1, 2]\n", "not_an_object"),
    (b'a1\t{"id": "zz"}\n', "wrong_id"),
    (b"a1\t" + b"[" * 5000 + b"]" * 5000 + b"\n", "not_json"),
])
def test_a_malformed_line_is_refused_with_its_line_number(bad: bytes, reason: str) -> None:
    stream = ObjectStream("r0")
    with pytest.raises(ObjectsMalformed) as caught:
        stream.feed(line(ROOT) + bad)
    assert (caught.value.reason, caught.value.object_id, caught.value.line) == (reason, "r0", 2)


def test_a_first_object_other_than_the_root_is_refused_at_line_one() -> None:
    with pytest.raises(ObjectsMalformed) as caught:
        ObjectStream("r0").feed(line(CHILD_A))
    assert (caught.value.reason, caught.value.object_id, caught.value.line) == (
        "wrong_root", "r0", 1)


def test_more_objects_than_the_limit_are_refused_when_the_root_announces_them() -> None:
    stream = ObjectStream("r0", ObjectLimits(max_objects=2))
    with pytest.raises(ObjectsTooLarge) as caught:
        stream.feed(line(ROOT))
    assert (caught.value.limit, caught.value.maximum, caught.value.object_id) == (
        "objects", 2, "r0")


def test_more_objects_than_the_limit_are_refused_when_the_root_understates_them() -> None:
    root = {"id": "r0", "speckle_type": "Base"}
    with pytest.raises(ObjectsTooLarge) as caught:
        read_all(line(root) + line(CHILD_A) + line(CHILD_B), 50, limits=ObjectLimits(2))
    assert (caught.value.limit, caught.value.maximum, caught.value.object_id) == (
        "objects", 2, "r0")


def test_more_bytes_than_the_limit_are_refused_before_they_are_kept() -> None:
    stream = ObjectStream("r0", ObjectLimits(max_bytes=len(BODY) - 1))
    stream.feed(BODY[:10])
    with pytest.raises(ObjectsTooLarge) as caught:
        stream.feed(BODY[10:])
    assert (caught.value.limit, caught.value.maximum, caught.value.object_id) == (
        "bytes", len(BODY) - 1, "r0")


@pytest.mark.parametrize("root", [ROOT, {"id": "r0", "speckle_type": "Base"}])
def test_exactly_the_limits_are_allowed(root: dict[str, Any]) -> None:
    body = line(root) + line(CHILD_A) + line(CHILD_B)
    limits = ObjectLimits(max_objects=3, max_bytes=len(body))
    assert [o["id"] for o in read_all(body, 7, limits=limits)] == ["r0", "a1", "b2"]


@pytest.mark.parametrize("body", [
    BODY + line(CHILD_A),
    line(ROOT) + line(CHILD_A) + line(CHILD_A) + line(CHILD_B),  # objects after a repeat
])
def test_a_repeated_object_is_handed_out_once(body: bytes) -> None:
    assert [o["id"] for o in read_all(body, len(body))] == ["r0", "a1", "b2"]


def test_references_become_the_objects_and_a_shared_one_is_one_object() -> None:
    objects = {o["id"]: o for o in read_all(BODY, 50)}
    root = resolve(objects["r0"], objects)
    a, b = root["@elements"]
    assert a is objects["a1"] and b is objects["b2"] and b["shared"] is a
    assert a["name"] == "Fläche ∑ 🧱"


@pytest.mark.parametrize(("root", "named"), [
    ({"id": "r0", "x": [ref("gone")]}, "r0"),
    ({"x": [ref("gone")]}, ""),  # a root without an id names none, not "None"
])
def test_a_reference_to_an_object_not_downloaded_is_refused(root: dict[str, Any],
                                                             named: str) -> None:
    with pytest.raises(ObjectsMalformed) as caught:
        resolve(root, {})
    assert (caught.value.reason, caught.value.object_id, caught.value.line) == (
        "missing_reference", named, None)


def test_a_chain_deeper_than_the_stack_resolves() -> None:
    depth = 50_000
    objects = {f"n{i}": {"id": f"n{i}", "next": ref(f"n{i + 1}")} for i in range(depth)}
    objects[f"n{depth}"] = {"id": f"n{depth}"}
    node = resolve(objects["n0"], objects)
    for _ in range(depth):
        node = node["next"]
    assert node["id"] == f"n{depth}"


def test_a_cycle_of_references_ends() -> None:
    objects = {"x": {"id": "x", "to": ref("y")}, "y": {"id": "y", "to": ref("x")}}
    root = resolve(objects["x"], objects)
    assert root["to"]["to"] is root


def test_each_object_is_walked_once_the_root_too() -> None:
    # A chunk's data is taken as it is, even when it holds chunk-shaped values: walking an
    # object a second time (shared, or the root reached again through a cycle) would join
    # its already joined list once more.
    inner: dict[str, Any] = {"speckle_type": "Speckle.Core.Models.DataChunk", "data": [1]}
    objects: dict[str, dict[str, Any]] = {
        "r": {"id": "r", "v": [ref("c")], "a": ref("m"), "b": ref("m")},
        "m": {"id": "m", "w": [ref("c")], "up": ref("r")},
        "c": {"id": "c", "speckle_type": "Speckle.Core.Models.DataChunk", "data": [inner]},
    }
    root = resolve(objects["r"], objects)
    assert root["v"] == [inner] and root["a"]["w"] == [inner]
    assert root["a"] is root["b"] and root["a"]["up"] is root


def test_a_list_stored_in_chunks_becomes_one_list() -> None:
    objects = {
        "c1": {"id": "c1", "speckle_type": "Speckle.Core.Models.DataChunk", "data": [1, 2]},
        "c2": {"id": "c2", "speckle_type": "Speckle.Core.Models.DataChunk", "data": [3]},
        "m": {"id": "m", "vertices": [ref("c1"), ref("c2")], "faces": [ref("c2")],
              "other": [ref("x")]},
        "x": {"id": "x", "speckle_type": "Base"},
    }
    mesh = resolve(objects["m"], objects)
    assert (mesh["vertices"], mesh["faces"]) == ([1, 2, 3], [3])
    assert mesh["other"][0] is objects["x"]


def plain_resolve(root: dict[str, Any], objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What resolve does, written the plain way: every value of every dict and list is
    looked at and put back as ``target(value)``."""
    def target(value: Any) -> Any:
        if not is_reference(value):
            return value
        if value["referencedId"] not in objects:
            raise ObjectsMalformed("missing_reference", root["id"])
        return objects[value["referencedId"]]

    seen, todo = {id(root)}, [root]
    while todo:
        node = todo.pop()
        pairs: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in list(pairs):
            if isinstance(value, list) and value and is_data_chunk(target(value[0])):
                joined: list[Any] = []
                for piece in map(target, value):
                    data = piece.get("data") if isinstance(piece, dict) else None
                    joined.extend(data if isinstance(data, list) else [])
                node[key] = value = joined
            else:
                node[key] = value = target(value)
            if isinstance(value, dict | list) and id(value) not in seen:
                seen.add(id(value))
                todo.append(value)
    return root


def random_model(rng: random.Random, size: int) -> dict[str, dict[str, Any]]:
    """Objects o0..o{size-1}, each referring only to later ones (no cycles: comparable as
    JSON), with the shapes resolve must tell apart."""
    def value(n: int, depth: int) -> Any:
        later = [f"o{i}" for i in range(n + 1, size)]
        kind = rng.randrange(12 if later else 7)
        if kind == 0 or (kind in (2, 3) and depth >= 3):
            return rng.choice([None, True, 0, -1.5, "text", "reference", "DataChunk"])
        if kind == 1:
            return [rng.random() for _ in range(rng.randrange(4))]
        if kind == 2:
            return {f"k{i}": value(n, depth + 1) for i in range(rng.randrange(3))}
        if kind == 3:
            return [value(n, depth + 1) for _ in range(rng.randrange(3))]
        if kind == 4:  # looks like a reference, is not one
            return rng.choice([{"speckle_type": "reference", "referencedId": 7},
                               {"speckle_type": "reference"}, {"referencedId": "o0"}])
        if kind == 5:  # a chunk written in place
            return [{"speckle_type": "Speckle.Core.Models.DataChunk", "data": [1, 2]}, 3]
        if kind == 6:
            return []
        if kind in (7, 8, 9):  # a reference, sometimes with more than its two keys
            return {**ref(rng.choice(later)), **rng.choice([{}, {"__closure": {}}])}
        return [ref(rng.choice(later)) for _ in range(rng.randrange(1, 4))]

    objects = {}
    for n in range(size):
        if rng.random() < 0.3:
            obj = {"speckle_type": "Speckle.Core.Models.DataChunk",
                   "data": rng.choice([[n, n + 0.5], [], None])}
        else:
            obj = {"speckle_type": "Base", **{f"p{i}": value(n, 0) for i in range(4)}}
        objects[f"o{n}"] = {"id": f"o{n}", **obj}
    return objects


@pytest.mark.parametrize("seed", range(300))
def test_resolve_does_what_the_plain_walk_does(seed: int) -> None:
    model = random_model(random.Random(seed), 12)
    mine, plain = copy.deepcopy(model), copy.deepcopy(model)
    assert json.dumps(resolve(mine["o0"], mine)) == json.dumps(plain_resolve(plain["o0"], plain))


def test_resolve_refuses_what_the_plain_walk_refuses() -> None:
    for seed in range(300):
        model = random_model(random.Random(seed), 12)
        del model["o11"]
        outcomes = []
        for resolver in (resolve, plain_resolve):
            objects = copy.deepcopy(model)
            try:
                outcomes.append(json.dumps(resolver(objects["o0"], objects)))
            except ObjectsMalformed as error:
                outcomes.append(error.reason)
        assert outcomes[0] == outcomes[1], seed


def test_blobs_in_the_closure_are_not_waited_for() -> None:
    root = {**ROOT, "totalChildrenCount": 3, "__closure": {"a1": 1, "b2": 1, "blob:f00d": 1}}
    assert [o["id"] for o in read_all(line(root) + line(CHILD_A) + line(CHILD_B), 50)] == [
        "r0", "a1", "b2"]


def test_a_root_without_a_closure_is_checked_by_its_count() -> None:
    root = {"id": "r0", "speckle_type": "Base", "totalChildrenCount": 2}
    with pytest.raises(ObjectsIncomplete) as caught:
        read_all(line(root) + line(CHILD_A), 50)
    assert (caught.value.loaded, caught.value.expected) == (2, 3)
    assert len(read_all(line(root) + line(CHILD_A) + line(CHILD_B), 50)) == 3


# -- walking a loaded model ------------------------------------------------------------------

def _model() -> dict[str, Any]:
    mesh = {"id": "m", "speckle_type": "Mesh", "vertices": [0.0, 1.0, {"not": "looked into"}]}
    wall = {"id": "w1", "speckle_type": "Wall", "display": [mesh], "parameters": {"a": 1}}
    door = {"id": "d1", "speckle_type": "Door", "display": [mesh]}
    window = {"id": "n1", "speckle_type": "Window"}
    return {"id": "r", "speckle_type": "Collection",
            "elements": [wall, {"inner": [door]}, window]}


def test_walk_hands_out_every_object_once_root_first_in_document_order() -> None:
    model = _model()
    # m shared: once, and what comes after its second place still comes
    assert [o["id"] for o in walk(model)] == ["r", "w1", "m", "d1", "n1"]


def test_walk_steps_over_plain_dicts_and_ends_on_a_cycle() -> None:
    a: dict[str, Any] = {"id": "a", "speckle_type": "A"}
    b = {"id": "b", "speckle_type": "B", "back": a}
    a["next"] = b
    assert [o["id"] for o in walk({"group": {"list": [a]}})] == ["a", "b"]


def test_walk_of_a_deep_chain_does_not_recurse() -> None:
    node: dict[str, Any] = {"id": "0", "speckle_type": "Node"}
    for n in range(1, 5000):
        node = {"id": str(n), "speckle_type": "Node", "child": node}
    assert sum(1 for _ in walk(node)) == 5000


def test_flat_properties_name_nested_values_by_path_and_leave_out_objects_and_lists() -> None:
    wall = {"id": "w", "speckle_type": "Wall", "totalChildrenCount": 3, "__closure": {"x": 1},
            "name": "Wall 1", "height": 3.5, "tag": None,
            "parameters": {"Mark": {"value": "W-1", "units": None}, "id": "kept: not top"},
            "mesh": {"id": "m", "speckle_type": "Mesh"}, "vertices": [1, 2]}
    assert flat_properties(wall) == {
        "name": "Wall 1", "height": 3.5, "tag": None,
        "parameters.id": "kept: not top",
        "parameters.Mark.value": "W-1", "parameters.Mark.units": None,
    }
    assert list(flat_properties(wall))[:3] == ["name", "height", "tag"]  # top level first
