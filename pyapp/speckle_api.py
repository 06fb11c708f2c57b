"""The Speckle GraphQL queries the product uses, and typed views of their results.

Queries are kept to fields Speckle's schema really has (see ``serverInfo``, ``activeUser``
and ``activeUser.projects`` in the project README), so a typo fails on the server exactly
as it would in a site author's own code.
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
    name: str
    company: str | None
    version: str | None
    canonical_url: str | None


@dataclass(frozen=True)
class UserProfile:
    id: str
    name: str
    email: str | None
    avatar: str | None
    company: str | None
    role: str | None

    @property
    def initials(self) -> str:
        """Up to two initials, for when there is no avatar."""
        words = [w for w in self.name.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or "?"


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    role: str | None
    updated_at: str
    visibility: str


@dataclass(frozen=True)
class ProjectPage:
    total_count: int
    cursor: str | None
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

    server: ServerInfo | None
    user: UserProfile | None
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
