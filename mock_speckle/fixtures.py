"""Deterministic users and projects the mock server starts with.

Ada Lovelace (the default consent user) has 60 projects so that paging with
the default page size yields 25 + 25 + 10; Grace Hopper has 3. No randomness:
every run, and every :meth:`MockSpeckle.reset`, produces the same data.

Models and versions: Ada's most recently updated project (:data:`BIG_PROJECT_NAME`) has
:data:`BIG_PROJECT_MODELS` models, so its models take two pages of 25, and its first model
has :data:`BIG_MODEL_VERSIONS` versions (two pages too); her other projects, and Grace's,
have zero to three models of one to three versions each. Some
versions were made by a user the server no longer has (``authorUser: null``), some have
no message, and the big project's last model has no versions (so no preview).

Objects: the newest version of the big project's ``main`` model refers to
:func:`building_objects`' root, a model of :data:`BUILDING_OBJECTS` objects served by the
objects endpoints. Every other version's ``referencedObject`` names no stored object.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from .models import Model, Project, User, Version

ADA_ID = "a7e1c0d3b2"
GRACE_ID = "9f4b6e2a18"

_SITES = [
    "Harbourfront Library",
    "Riverside Medical Centre",
    "Northgate Office Tower",
    "Elm Street Primary School",
    "Canal Wharf Residences",
    "Airport Terminal 3 Extension",
    "Westfield Logistics Hub",
    "St. Mary's Hospital Wing",
    "City Museum Refurbishment",
    "Kingsway Bridge Replacement",
    "Greenfield Data Centre",
    "Old Mill Lofts",
]
_MODELS = ["Architecture", "Structure", "MEP Coordination", "Facade Study", "Site Model"]
_ROLES = ["stream:owner", "stream:owner", "stream:contributor", "stream:reviewer"]
_VISIBILITY = ["PRIVATE", "PRIVATE", "UNLISTED", "PUBLIC", "PRIVATE", "UNLISTED"]

# The newest fixture change; every other project is older by whole steps.
_NEWEST = datetime(2026, 5, 29, 16, 45, 12, 345000, tzinfo=UTC)
_STEP = timedelta(hours=9, minutes=1, seconds=7)

# One name with markup-like characters and non-ASCII text, so pages that show
# project names can be checked for escaping with ordinary fixture data.
_TRICKY_INDEX = 7
_TRICKY_NAME = 'Müller & Söhne Depot <Phase 2> "East"'


#: A user who made versions and then left the server: Speckle answers ``authorUser: null``.
DELETED_USER_ID = "d31e7ed000"
BIG_PROJECT_NAME = "Harbourfront Library - Architecture"
BIG_PROJECT_MODELS = 30
BIG_MODEL_VERSIONS = 30

_SOURCE_APPS = ["Revit", "Rhino", "Grasshopper", None, "IFC", "Blender"]
_MESSAGES = ["Sent from Revit", None, "Updated levels and grids", "Clash fixes after review"]
_MODEL_STEP = timedelta(hours=2, minutes=13, seconds=11)
_VERSION_STEP = timedelta(minutes=41, seconds=3)


def _project_id(owner_id: str, name: str) -> str:
    """Speckle-like 10-hex-digit id, stable across runs."""
    return hashlib.sha1(f"{owner_id}:{name}".encode()).hexdigest()[:10]


def _versions(model_id: str, count: int, newest: datetime, author_id: str) -> list[Version]:
    """``count`` versions, the newest at ``newest``; every third by a deleted user."""
    return [
        Version(
            id=_project_id(model_id, f"version {n}"),
            created_at=newest - n * _VERSION_STEP,
            referenced_object=hashlib.md5(f"{model_id}:{n}".encode()).hexdigest(),
            message=_MESSAGES[n % len(_MESSAGES)],
            source_application=_SOURCE_APPS[n % len(_SOURCE_APPS)],
            author_id=DELETED_USER_ID if n % 3 == 2 else author_id,
        )
        for n in range(count)
    ]


def _models(project: Project, names: list[str], author_id: str,
            version_counts: list[int]) -> list[Model]:
    """Models of ``project``, one a name, each last updated by its newest version."""
    models = []
    for n, (name, count) in enumerate(zip(names, version_counts, strict=True)):
        model_id = _project_id(project.id, name)
        updated = project.updated_at - n * _MODEL_STEP
        models.append(Model(
            id=model_id,
            name=name,
            created_at=updated - timedelta(days=20 + n),
            updated_at=updated,
            description=None if n % 2 else f"{name.rsplit('/', 1)[-1]} of {project.name}.",
            author_id=author_id,
            versions=_versions(model_id, count, updated, author_id),
        ))
    return models


def _add_models(projects: list[Project], author_id: str) -> None:
    for index, project in enumerate(projects):
        if project.name == BIG_PROJECT_NAME:
            names = ["main"] + [f"levels/level {n:02d}" for n in range(1, BIG_PROJECT_MODELS)]
            counts = [BIG_MODEL_VERSIONS] + [(n % 3) + 1 for n in range(1, BIG_PROJECT_MODELS)]
            # One model nobody has sent to yet: no versions, so no preview.
            counts[-1] = 0
        else:
            names = ["main", "structure/frame", "mep/ducts"][:index % 4]
            counts = [(index + n) % 3 + 1 for n in range(len(names))]
        project.models = _models(project, names, author_id, counts)


#: How the building is made: levels, elements on each level, and the shared parts.
BUILDING_LEVELS = 30
BUILDING_ELEMENTS_PER_LEVEL = 200
_KINDS = ["Wall", "Column", "Beam", "Door", "Window", "Slab"]
_MATERIALS = ["Concrete", "Steel", "Timber", "Glass", "Brick", "Gypsum"]
_SHARED_MESHES = 8
#: root + levels + elements + each element's own mesh (3 of 4) + shared meshes (their
#: vertices in two DataChunks each) + materials.
BUILDING_OBJECTS = (1 + BUILDING_LEVELS + BUILDING_LEVELS * BUILDING_ELEMENTS_PER_LEVEL
                    + BUILDING_LEVELS * BUILDING_ELEMENTS_PER_LEVEL * 3 // 4
                    + _SHARED_MESHES * 3 + len(_MATERIALS))


def _reference(object_id: str) -> dict[str, str]:
    return {"referencedId": object_id, "speckle_type": "reference"}


class _Builder:
    """Objects made bottom-up, each ``id`` the hash of its content as Speckle's are, each
    parent with the ``__closure`` and ``totalChildrenCount`` of what it refers to."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.closures: dict[str, dict[str, int]] = {}

    def add(self, obj: dict[str, Any], children: list[str]) -> str:
        closure: dict[str, int] = {}
        for child in children:
            closure[child] = 1
            for grandchild, depth in self.closures.get(child, {}).items():
                closure[grandchild] = min(closure.get(grandchild, depth + 1), depth + 1)
        if closure:
            obj = {**obj, "totalChildrenCount": len(closure), "__closure": closure}
        object_id = hashlib.md5(json.dumps(obj, sort_keys=True).encode()).hexdigest()
        if object_id not in self.texts:  # the same content is one object
            self.texts[object_id] = json.dumps({"id": object_id, **obj}, ensure_ascii=False,
                                               separators=(",", ":"))
            self.closures[object_id] = closure
        return object_id


@cache
def _building() -> tuple[str, tuple[tuple[str, str], ...]]:
    built = _Builder()
    materials = [built.add({"speckle_type": "Objects.Other.RenderMaterial", "name": name,
                            "diffuse": -1 - 4099 * n}, [])
                 for n, name in enumerate(_MATERIALS)]

    def mesh(n: int, material: str, chunked: bool = False) -> str:
        # Placed by n: no two elements' own meshes are alike (alike would be one object).
        vertices: list[Any] = [n + k * 0.0625 for k in range(12)]
        children = [material]
        if chunked:  # as senders store long lists: in detached DataChunks
            chunks = [built.add({"speckle_type": "Speckle.Core.Models.DataChunk",
                                 "data": vertices[i:i + 6]}, []) for i in (0, 6)]
            vertices, children = [_reference(c) for c in chunks], chunks + children
        return built.add({"speckle_type": "Objects.Geometry.Mesh", "units": "m",
                          "vertices": vertices, "faces": [4, 0, 1, 2, 3],
                          "renderMaterial": _reference(material)}, children)

    shared = [mesh(-1 - n, materials[n % len(materials)], chunked=True)
              for n in range(_SHARED_MESHES)]
    levels = []
    for level in range(BUILDING_LEVELS):
        elements = []
        for index in range(BUILDING_ELEMENTS_PER_LEVEL):
            n = level * BUILDING_ELEMENTS_PER_LEVEL + index
            kind = _KINDS[n % len(_KINDS)]
            # Every fourth element uses a type's mesh many elements share.
            geometry = (shared[(n // 4) % _SHARED_MESHES] if n % 4 == 3
                        else mesh(n, materials[n % len(materials)]))
            elements.append(built.add({
                "speckle_type": f"Objects.BuiltElements.{kind}", "name": f"{kind} {n:05d}",
                "level": f"Level {level:02d}",
                "parameters": {"Mark": {"value": f"{kind[0]}-{n}", "units": None},
                               "Fire rating": {"value": f"{30 * (n % 4)} min"}},
                "@displayValue": [_reference(geometry)]}, [geometry]))
        levels.append(built.add({"speckle_type": "Objects.BuiltElements.Level",
                                 "name": f"Level {level:02d}", "elevation": 3.5 * level,
                                 "@elements": [_reference(e) for e in elements]}, elements))
    root = built.add({"speckle_type": "Speckle.Core.Models.Collection",
                      "name": "Harbourfront Library", "collectionType": "model",
                      "elements": [_reference(level) for level in levels]}, levels)
    return root, tuple(built.texts.items())


def building_objects() -> tuple[str, dict[str, str]]:
    """The root id of the fixture building, and every object of it, id -> JSON text (as
    Speckle keeps it). Deterministic; made once per process, handed out as a fresh dict."""
    root, texts = _building()
    return root, dict(texts)


def _add_building(projects: list[Project]) -> None:
    """The big project's ``main`` model: its newest version refers to the building."""
    project = next(p for p in projects if p.name == BIG_PROJECT_NAME)
    root, project.objects = building_objects()
    project.models[0].versions[0].referenced_object = root


def _ada_projects() -> list[Project]:
    projects = []
    for index in range(len(_SITES) * len(_MODELS)):
        site = _SITES[index // len(_MODELS)]
        model = _MODELS[index % len(_MODELS)]
        name = _TRICKY_NAME if index == _TRICKY_INDEX else f"{site} - {model}"
        # 37 is coprime with 60: a fixed shuffle, so list order != recency order.
        age = (index * 37) % 60
        projects.append(Project(
            id=_project_id(ADA_ID, name),
            name=name,
            updated_at=_NEWEST - age * _STEP,
            role=_ROLES[index % len(_ROLES)],
            visibility=_VISIBILITY[index % len(_VISIBILITY)],
            description=None if index % 3 == 2 else f"{model} model for {site}.",
        ))
    return projects


def _grace_projects() -> list[Project]:
    rows = [
        ("Naval Research Lab Annex", "stream:owner", "PRIVATE", 2),
        ("Harvard Computation Lab Retrofit", "stream:contributor", "PUBLIC", 30),
        ("Arlington Archive Fit-out", "stream:reviewer", "UNLISTED", 75),
    ]
    return [
        Project(
            id=_project_id(GRACE_ID, name),
            name=name,
            updated_at=_NEWEST - timedelta(days=days, hours=3),
            role=role,
            visibility=visibility,
            description=f"{name}, coordination model.",
        )
        for name, role, visibility, days in rows
    ]


def _initials_avatar(initials: str, colour: str) -> str:
    """A data-URI avatar like the ones Speckle stores (works offline)."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
        f'<rect width="64" height="64" fill="{colour}"/>'
        '<text x="32" y="41" font-family="sans-serif" font-size="26" fill="#fff" '
        f'text-anchor="middle">{initials}</text></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def default_users() -> dict[str, User]:
    """Fresh fixture users keyed by id; the first one is the default consent user."""
    ada = User(
        id=ADA_ID,
        name="Ada Lovelace",
        email="ada@example.org",
        avatar=None,
        company="Analytical Engines",
        projects=_ada_projects(),
    )
    _add_models(ada.projects, ada.id)
    _add_building(ada.projects)
    grace = User(
        id=GRACE_ID,
        name="Grace Hopper",
        email="grace@example.org",
        avatar=_initials_avatar("GH", "#3b5bdb"),
        company="Compiler Works",
        projects=_grace_projects(),
    )
    _add_models(grace.projects, grace.id)
    return {ada.id: ada, grace.id: grace}
