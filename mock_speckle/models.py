"""Plain data records shared by the mock server's modules.

Tests create, inspect and mutate these directly, so they are ordinary mutable
dataclasses without behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Scopes an app gets when none are given: enough for the sign-in product.
DEFAULT_APP_SCOPES = ("profile:read", "profile:email", "streams:read")


@dataclass
class Version:
    """One version of a model (Speckle's ``Version``, a commit in its older API).

    ``author_id`` may name a user the server no longer has (deleted): Speckle then answers
    ``authorUser: null``.
    """

    id: str
    created_at: datetime
    referenced_object: str | None
    message: str | None = None
    source_application: str | None = None
    author_id: str | None = None


@dataclass
class Model:
    """A model of a project (a branch in Speckle's older API); ``name`` may hold slashes,
    like ``"structure/level 01"``, and the display name is its last part."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    description: str | None = None
    author_id: str | None = None
    versions: list[Version] = field(default_factory=list)


@dataclass
class Project:
    """A Speckle project as seen by one user (``role`` is that user's role)."""

    id: str
    name: str
    updated_at: datetime
    role: str = "stream:owner"
    visibility: str = "PRIVATE"
    description: str | None = None
    models: list[Model] = field(default_factory=list)
    #: The project's stored objects, id -> the JSON text Speckle answers with.
    objects: dict[str, str] = field(default_factory=dict)
    #: The ``totalChildrenCount`` Speckle keeps beside an object (a column of its own) and
    #: answers a download's root with, by id: None for an object uploaded through ``POST
    #: /objects``, which leaves it empty. An object not here answers with its own.
    children_counts: dict[str, int | None] = field(default_factory=dict)


@dataclass
class User:
    """A server user; ``role`` is the server role, as Speckle reports it."""

    id: str
    name: str
    email: str
    avatar: str | None = None
    company: str | None = None
    role: str = "server:user"
    projects: list[Project] = field(default_factory=list)


@dataclass
class App:
    """A registered OAuth application with exactly one redirect URL."""

    id: str
    secret: str
    name: str
    redirect_url: str
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_APP_SCOPES))


@dataclass
class RequestRecord:
    """One handled request; ``status`` 0 means the connection was dropped."""

    method: str
    path: str
    headers: dict[str, str]
    body: str
    status: int


@dataclass
class TokenRecord:
    """An issued API token and the refresh token handed out with it."""

    user_id: str
    app_id: str
    scopes: list[str]
    refresh_token: str
    revoked: bool = False
