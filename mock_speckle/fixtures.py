"""Deterministic users and projects the mock server starts with.

Ada Lovelace (the default consent user) has 60 projects so that paging with
the default page size yields 25 + 25 + 10; Grace Hopper has 3. No randomness:
every run, and every :meth:`MockSpeckle.reset`, produces the same data.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from .models import Project, User

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


def _project_id(owner_id: str, name: str) -> str:
    """Speckle-like 10-hex-digit id, stable across runs."""
    return hashlib.sha1(f"{owner_id}:{name}".encode()).hexdigest()[:10]


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
    grace = User(
        id=GRACE_ID,
        name="Grace Hopper",
        email="grace@example.org",
        avatar=_initials_avatar("GH", "#3b5bdb"),
        company="Compiler Works",
        projects=_grace_projects(),
    )
    return {ada.id: ada, grace.id: grace}
