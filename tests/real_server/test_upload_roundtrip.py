"""A model uploaded through ``POST /objects/{projectId}`` and loaded back with the page's own
reader (:class:`pyapp.objects.ObjectStream` and :func:`pyapp.objects.resolve`), equal.

Every test runs against the mock server, and against a real Speckle server when these
environment variables name one:

* ``SPECKLE_TEST_SERVER``: its URL, e.g. ``https://app.speckle.systems``;
* ``SPECKLE_TEST_TOKEN``: a personal access token with ``streams:read`` and
  ``streams:write``;
* ``SPECKLE_TEST_PROJECT``: the id of a project that token may write to (owner or
  contributor). Each run adds a few small objects to it; objects cannot be deleted.

Without them the real-server tests are skipped, and say which variables are missing.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from mock_speckle import MockSpeckle
from mock_speckle.fixtures import ADA_ID, BIG_PROJECT_NAME
from pyapp.objects import ObjectStream, resolve
from tests.real_server.sender import Chunked, Sender, Server, batch, content, plain

REAL_SERVER_VARIABLES = ("SPECKLE_TEST_SERVER", "SPECKLE_TEST_TOKEN", "SPECKLE_TEST_PROJECT")
#: How the download is handed to the reader: in small pieces, cut anywhere.
CHUNK_BYTES = 1000


@pytest.fixture(scope="module")
def mock_server() -> Iterator[Server]:
    with MockSpeckle() as mock:
        project = next(p for p in mock.users[ADA_ID].projects if p.name == BIG_PROJECT_NAME)
        assert project.role == "stream:owner"
        token, _ = mock.auth.issue(ADA_ID, "upload-roundtrip",
                                   ["streams:read", "streams:write"])
        yield Server(mock.url, token, project.id)


@pytest.fixture(params=["mock", "real"])
def server(request: pytest.FixtureRequest) -> Server:
    if request.param == "mock":
        return request.getfixturevalue("mock_server")  # type: ignore[no-any-return]
    missing = [name for name in REAL_SERVER_VARIABLES if not os.environ.get(name)]
    if missing:
        pytest.skip(f"no real Speckle server given: set {', '.join(REAL_SERVER_VARIABLES)} "
                    f"(missing: {', '.join(missing)})")
    url, token, project = (os.environ[name] for name in REAL_SERVER_VARIABLES)
    return Server(url.rstrip("/"), token, project)


def building(nonce: str) -> dict[str, Any]:
    """A small model: levels of elements, meshes two elements share, vertices in
    DataChunks, materials many meshes share. ``nonce`` makes the root new on every run."""
    materials = [{"speckle_type": "Objects.Other.RenderMaterial", "name": name,
                  "diffuse": colour, "opacity": 1.0}
                 for name, colour in (("Concrete", -7829368), ("Glass ü ✓", -16744320))]

    def mesh(n: int) -> dict[str, Any]:
        return {"speckle_type": "Objects.Geometry.Mesh", "units": "m",
                "vertices": Chunked([n + k * 0.25 for k in range(30)], 8),
                "faces": [4, 0, 1, 2, 3], "@renderMaterial": materials[n % 2]}

    meshes = [mesh(n) for n in range(3)]
    levels = [{"speckle_type": "Objects.BuiltElements.Level", "name": f"Level {level}",
               "elevation": 3.5 * level,
               "@elements": [{"speckle_type": "Objects.BuiltElements.Wall",
                              "name": f"Wall {level}-{n}", "height": 3.0,
                              "parameters": {"Mark": {"value": f"W{level}{n}", "units": None}},
                              "@displayValue": [meshes[(level + n) % 3]]}
                             for n in range(2)]}
              for level in range(2)]
    return {"speckle_type": "Speckle.Core.Models.Collection", "name": "Upload round trip",
            "collectionType": "model", "nonce": nonce, "elements": [],
            "@levels": levels}


def sent_model() -> tuple[dict[str, Any], str, dict[str, dict[str, Any]]]:
    model = building(secrets.token_hex(8))
    sender = Sender()
    root = sender.send(model)
    return model, root, sender.objects


def upload_in_two_parts(server: Server, root: str,
                        objects: dict[str, dict[str, Any]]) -> tuple[int, bytes]:
    """The children gzipped in one part, the root as JSON in another (children first, as
    senders send them)."""
    children = [value for key, value in objects.items() if key != root]
    return server.upload([("batch-1", *batch(children, gzipped=True)),
                          ("batch-2", *batch([objects[root]], gzipped=False))])


def load(server: Server, root: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]],
                                              list[tuple[int, int | None]]]:
    """Downloads ``root`` and reads it as the page does: the resolved root, every object
    by id as it came (before resolving, which works in place), and the progress reported."""
    status, body = server.download(root)
    assert status == 200, body[:200]
    progress: list[tuple[int, int | None]] = []
    stream = ObjectStream(root, progress=lambda loaded, total: progress.append((loaded, total)))
    loaded: dict[str, dict[str, Any]] = {}
    for at in range(0, len(body), CHUNK_BYTES):
        for value in stream.feed(body[at:at + CHUNK_BYTES]):
            loaded[value["id"]] = value
    stream.finish()
    as_read = json.loads(json.dumps(loaded))
    return resolve(loaded[root], loaded), as_read, progress


def test_an_uploaded_model_loads_back_equal(server: Server) -> None:
    model, root, objects = sent_model()
    status, answer = upload_in_two_parts(server, root, objects)
    assert (status, answer) == (201, b"")

    tree, loaded, progress = load(server, root)

    assert content(tree) == plain(model)
    assert set(loaded) == set(objects)
    # The root announced every object (through its closure): the progress reached them all.
    assert progress[-1] == (len(objects), len(objects))
    # Shared objects are one object, shared, once resolved.
    walls = [wall for level in tree["@levels"] for wall in level["@elements"]]
    meshes = [wall["@displayValue"][0] for wall in walls]
    assert meshes[1] is meshes[2] and len({id(m) for m in meshes}) == 3
    assert len({id(m["@renderMaterial"]) for m in meshes}) == 2
    assert len(meshes[0]["vertices"]) == 30


def test_every_child_comes_back_as_uploaded(server: Server) -> None:
    _, root, objects = sent_model()
    assert upload_in_two_parts(server, root, objects)[0] == 201
    _, loaded, _ = load(server, root)
    for object_id, value in objects.items():
        if object_id != root:
            assert loaded[object_id] == value


def test_the_root_comes_back_with_a_null_total_children_count(server: Server) -> None:
    # The upload route leaves Speckle's count column empty, and a download's root (and
    # /single) is answered with that column: the page counts from the closure instead.
    _, root, objects = sent_model()
    assert upload_in_two_parts(server, root, objects)[0] == 201
    status, body = server.single(root)
    single = json.loads(body)
    assert status == 200 and single["totalChildrenCount"] is None
    assert single["__closure"] == objects[root]["__closure"]
    _, loaded, _ = load(server, root)
    assert loaded[root]["totalChildrenCount"] is None


def test_uploading_the_same_objects_again_is_accepted_and_changes_nothing(
        server: Server) -> None:
    model, root, objects = sent_model()
    assert upload_in_two_parts(server, root, objects)[0] == 201
    assert upload_in_two_parts(server, root, objects)[0] == 201
    assert content(load(server, root)[0]) == plain(model)


def test_an_upload_without_a_token_is_401_with_no_body(server: Server) -> None:
    _, root, objects = sent_model()
    assert server.upload([("batch-1", *batch([objects[root]], gzipped=False))],
                         token=False) == (401, b"")
    assert server.single(root)[0] == 404


def test_a_batch_that_is_not_json_is_400(server: Server) -> None:
    status, answer = server.upload([("batch-1", "application/json", b"[{not json")])
    assert (status, answer) == (400, b"Failed to parse data. Batch is not in JSON format.")
