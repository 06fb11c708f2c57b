"""The Speckle GraphQL queries the product uses, and typed views of their results.

Queries are kept to fields Speckle's schema really has (``serverInfo``, ``activeUser``
and ``activeUser.projects``), so a typo fails on the server exactly as it would in a site
author's own code. The results are frozen dataclasses; a field the server left out or
withheld is None (or empty text where the field is always shown).
"""

from __future__ import annotations

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

PROJECTS_QUERY = f"""query Projects($limit: Int!, $cursor: String) {{
  activeUser {{
    projects(limit: $limit, cursor: $cursor) {{ totalCount cursor items {{ {PROJECT_FIELDS} }} }}
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
        return self.cursor is not None and bool(self.items) and loaded < self.total_count


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


def parse_project_page(data: Any) -> ProjectPage | None:
    if not isinstance(data, dict):
        return None
    raw_items = data.get("items")
    items = [
        Project(
            str(p.get("id")),
            _str(p.get("name")) or "",
            _str(p.get("role")),
            _str(p.get("updatedAt")) or "",
            _str(p.get("visibility")) or "",
        )
        for p in (raw_items if isinstance(raw_items, list) else [])
        if isinstance(p, dict)
    ]
    total = data.get("totalCount")
    return ProjectPage(
        total if isinstance(total, int) and not isinstance(total, bool) else len(items),
        _str(data.get("cursor")),
        items,
    )


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
