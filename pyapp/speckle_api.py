"""The Speckle GraphQL queries the product uses, and typed views of their results.

Queries are kept to fields Speckle's schema really has (``serverInfo``, ``activeUser``,
``activeUser.projects``, ``project.models`` and ``project.model.versions``), so a typo fails
on the server exactly as it would in a site author's own code. The results are frozen
dataclasses; a field the server left out or withheld is None (or empty text where the field
is always shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PROJECT_FIELDS = "id name role updatedAt visibility"
PAGE_SIZE = 25

VIEWER_QUERY = f"""query Viewer($limit: Int!) {{
  serverInfo {{ name company version canonicalUrl }}
  activeUser {{
    id name email avatar company role
    projects(limit: $limit) {{ totalCount cursor items {{ {PROJECT_FIELDS} }} }}
  }}
}}"""

USER_QUERY = """query User {
  activeUser { id name email avatar company role }
}"""

# The cheapest question the API answers without a token: is the server up and readable here?
SERVER_PROBE_QUERY = "query Probe { serverInfo { version } }"

# Whether the signed-in user may read a project (scope streams:read, as object downloads).
PROJECT_ACCESS_QUERY = """query Access($projectId: String!) {
  project(id: $projectId) { id }
}"""

PROJECTS_QUERY = f"""query Projects($limit: Int!, $cursor: String) {{
  activeUser {{
    projects(limit: $limit, cursor: $cursor) {{ totalCount cursor items {{ {PROJECT_FIELDS} }} }}
  }}
}}"""

MODEL_FIELDS = "id name displayName description createdAt updatedAt previewUrl"
VERSION_FIELDS = ("id message sourceApplication createdAt referencedObject "
                  "authorUser { id name avatar }")

# Speckle's Project.models and Model.versions (scope streams:read): newest first, the
# cursor is the last item's time.
MODELS_QUERY = f"""query Models($projectId: String!, $limit: Int!, $cursor: String) {{
  project(id: $projectId) {{
    models(limit: $limit, cursor: $cursor) {{ totalCount cursor items {{ {MODEL_FIELDS} }} }}
  }}
}}"""

VERSIONS_QUERY = f"""query Versions($projectId: String!, $modelId: String!, $limit: Int!,
    $cursor: String) {{
  project(id: $projectId) {{
    model(id: $modelId) {{
      versions(limit: $limit, cursor: $cursor) {{
        totalCount cursor items {{ {VERSION_FIELDS} }}
      }}
    }}
  }}
}}"""


@dataclass(frozen=True)
class ServerInfo:
    """The Speckle server, from ``serverInfo`` (needs no sign-in)."""

    #: The server's display name ("Speckle server" when it gives none).
    name: str
    #: The organisation running it, when it says.
    company: str | None
    #: The server's version, such as ``"2.23.1"``.
    version: str | None
    #: The address the server gives for itself.
    canonical_url: str | None


@dataclass(frozen=True)
class UserProfile:
    """The signed-in user, from ``activeUser`` (scope ``profile:read``)."""

    #: Speckle's user ID.
    id: str
    #: The display name (empty text when the server gives none).
    name: str
    #: The e-mail address; None without the ``profile:email`` scope.
    email: str | None
    #: The picture, usually a ``data:`` URL; None when the user has none.
    avatar: str | None
    #: The company the user gives in their profile.
    company: str | None
    #: The user's role on the server, such as ``"server:user"``.
    role: str | None

    @property
    def initials(self) -> str:
        """Up to two initials, for when there is no avatar."""
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or "?"


@dataclass(frozen=True)
class Project:
    """One of the user's projects (scope ``streams:read``)."""

    #: Speckle's project ID.
    id: str
    #: The project's name.
    name: str
    #: The user's role in it, such as ``"stream:owner"``.
    role: str | None
    #: When it last changed: an ISO 8601 timestamp as the server sent it.
    updated_at: str
    #: ``"PRIVATE"``, ``"UNLISTED"`` or ``"PUBLIC"``.
    visibility: str


def _has_more(total_count: int, cursor: str | None, items: Sequence[object],
              loaded: int) -> bool:
    """Whether a page's list goes on after ``loaded`` items (see ProjectPage.has_more)."""
    return cursor is not None and bool(items) and loaded < total_count


@dataclass(frozen=True)
class ProjectPage:
    """One page of the user's projects, newest first.

    Pass ``cursor`` to :meth:`~pyapp.client.SpeckleClient.projects` for the next page, and
    ask :meth:`has_more` whether there is one: a real server's last page still carries a
    cursor.
    """

    #: How many projects the user has in all.
    total_count: int
    #: Where the next page starts; None past the end.
    cursor: str | None
    #: This page's projects, newest first.
    items: list[Project]

    def has_more(self, loaded: int) -> bool:
        """Whether projects remain after ``loaded`` of them (this page's included).

        Decided by ``totalCount``: a real Speckle server's last page still carries a cursor
        (pointing past its last item), so a cursor alone does not mean more exist. An empty
        page ends the list whatever the count says, so a miscounting server cannot make
        "Load more" spin forever.
        """
        return _has_more(self.total_count, self.cursor, self.items, loaded)


@dataclass(frozen=True)
class Model:
    """A model of a project (scope ``streams:read``). Times are ISO 8601 text as the server
    sent them; a field the server left out is None."""

    #: Speckle's model ID.
    id: str
    #: The full name; a nested model's holds its parents' names: ``"structure/level 01"``.
    name: str
    #: The name's last part (``"level 01"``), as Speckle shows it.
    display_name: str
    #: The model's description, when it has one.
    description: str | None
    #: When it was made.
    created_at: str | None
    #: When it last changed (a new version changes it).
    updated_at: str | None
    #: A picture of its latest version; None when it has no versions.
    preview_url: str | None


@dataclass(frozen=True)
class ModelPage:
    """One page of a project's models, most recently updated first.

    Pass ``cursor`` to :meth:`~pyapp.client.SpeckleClient.models` for the next page, and ask
    :meth:`has_more` whether there is one.
    """

    #: How many models the project has in all.
    total_count: int
    #: Where the next page starts; None past the end.
    cursor: str | None
    #: This page's models.
    items: list[Model]

    def has_more(self, loaded: int) -> bool:
        """Whether models remain after ``loaded`` of them (this page's included); like
        :meth:`ProjectPage.has_more`, decided by the count, not the cursor."""
        return _has_more(self.total_count, self.cursor, self.items, loaded)


@dataclass(frozen=True)
class Author:
    """Who made a version (Speckle's ``LimitedUser``)."""

    #: Speckle's user ID.
    id: str
    #: The display name (empty text when the server gives none).
    name: str
    #: The picture, usually a ``data:`` URL; None when the user has none.
    avatar: str | None


@dataclass(frozen=True)
class Version:
    """One version of a model: what was sent, when, from where and by whom."""

    #: Speckle's version ID.
    id: str
    #: The message it was sent with, when there is one.
    message: str | None
    #: Who sent it; None when the server withholds it or the account no longer exists.
    author: Author | None
    #: When it was made: ISO 8601 text as the server sent it.
    created_at: str | None
    #: The application it was sent from, such as ``"Revit"``.
    source_application: str | None
    #: The ID of its root object (``/objects/{project_id}/{referenced_object}``).
    referenced_object: str | None


@dataclass(frozen=True)
class VersionPage:
    """One page of a model's versions, newest first.

    Pass ``cursor`` to :meth:`~pyapp.client.SpeckleClient.versions` for the next page, and
    ask :meth:`has_more` whether there is one.
    """

    #: How many versions the model has in all.
    total_count: int
    #: Where the next page starts; None past the end.
    cursor: str | None
    #: This page's versions.
    items: list[Version]

    def has_more(self, loaded: int) -> bool:
        """Whether versions remain after ``loaded`` of them (this page's included); like
        :meth:`ProjectPage.has_more`, decided by the count, not the cursor."""
        return _has_more(self.total_count, self.cursor, self.items, loaded)


@dataclass(frozen=True)
class Viewer:
    """What the signed-in view shows: the server, the user and their first projects."""

    #: The server; None when it did not say.
    server: ServerInfo | None
    #: The signed-in user; None when nobody is signed in.
    user: UserProfile | None
    #: The first page of the user's projects; None without the ``streams:read`` scope.
    projects: ProjectPage | None
    #: The scope the token lacks, when the server withheld part of the answer for it.
    missing_scope: str | None = None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_server_info(data: Any) -> ServerInfo | None:
    if not isinstance(data, dict):
        return None
    return ServerInfo(
        _str(data.get("name")) or "Speckle server",
        _str(data.get("company")),
        _str(data.get("version")),
        _str(data.get("canonicalUrl")),
    )


def parse_user(data: Any) -> UserProfile | None:
    if not isinstance(data, dict) or not data.get("id"):
        return None
    return UserProfile(
        str(data["id"]),
        _str(data.get("name")) or "",
        _str(data.get("email")),
        _str(data.get("avatar")),
        _str(data.get("company")),
        _str(data.get("role")),
    )


def _page_parts(data: dict[str, Any], items: list[Any]) -> tuple[int, str | None]:
    """A page's total count (this page's length when the server gives none) and cursor."""
    total = data.get("totalCount")
    count = total if isinstance(total, int) and not isinstance(total, bool) else len(items)
    return count, _str(data.get("cursor"))


def _dicts(data: dict[str, Any]) -> list[dict[str, Any]]:
    raw_items = data.get("items")
    return [i for i in (raw_items if isinstance(raw_items, list) else []) if isinstance(i, dict)]


def _field(data: Any, *path: str) -> Any:
    """``data[path[0]][path[1]]…``; None where a step is not an object."""
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def parse_project_page(data: Any) -> ProjectPage | None:
    if not isinstance(data, dict):
        return None
    items = [
        Project(
            str(p.get("id")),
            _str(p.get("name")) or "",
            _str(p.get("role")),
            _str(p.get("updatedAt")) or "",
            _str(p.get("visibility")) or "",
        )
        for p in _dicts(data)
    ]
    return ProjectPage(*_page_parts(data, items), items)


def parse_viewer(data: dict[str, Any]) -> Viewer:
    user = data.get("activeUser")
    return Viewer(
        server=parse_server_info(data.get("serverInfo")),
        user=parse_user(user),
        projects=parse_project_page(user.get("projects")) if isinstance(user, dict) else None,
    )


def parse_projects(data: dict[str, Any]) -> ProjectPage | None:
    user = data.get("activeUser")
    return parse_project_page(user.get("projects")) if isinstance(user, dict) else None


def parse_model(data: dict[str, Any]) -> Model | None:
    model_id = _str(data.get("id"))
    if not model_id:
        return None
    name = _str(data.get("name")) or ""
    return Model(
        model_id,
        name,
        _str(data.get("displayName")) or name.rpartition("/")[2],
        _str(data.get("description")),
        _str(data.get("createdAt")),
        _str(data.get("updatedAt")),
        _str(data.get("previewUrl")),
    )


def parse_author(data: Any) -> Author | None:
    if not isinstance(data, dict) or not _str(data.get("id")):
        return None
    return Author(str(data["id"]), _str(data.get("name")) or "", _str(data.get("avatar")))


def parse_version(data: dict[str, Any]) -> Version | None:
    version_id = _str(data.get("id"))
    if not version_id:
        return None
    return Version(
        version_id,
        _str(data.get("message")),
        parse_author(data.get("authorUser")),
        _str(data.get("createdAt")),
        _str(data.get("sourceApplication")),
        _str(data.get("referencedObject")),
    )


def parse_models(data: dict[str, Any]) -> ModelPage | None:
    """The page of ``project.models``; None when the answer has none."""
    page = _field(data, "project", "models")
    if not isinstance(page, dict):
        return None
    items = [m for m in map(parse_model, _dicts(page)) if m is not None]
    return ModelPage(*_page_parts(page, items), items)


def parse_versions(data: dict[str, Any]) -> VersionPage | None:
    """The page of ``project.model.versions``; None when the answer has none."""
    page = _field(data, "project", "model", "versions")
    if not isinstance(page, dict):
        return None
    items = [v for v in map(parse_version, _dicts(page)) if v is not None]
    return VersionPage(*_page_parts(page, items), items)
