"""The app page's signed-in view: who is signed in, on which server, and their projects, with
"Load more" while the server has more.

Everything shown came from the server, so it goes in as text (:mod:`pyapp.ui.dom`); only an
http(s) or ``data:`` image URL becomes the avatar's ``src``.
"""

from __future__ import annotations

from typing import Any

from ..speckle_api import Project, ProjectPage, Viewer
from ..words import ENGLISH, Words, active
from .dom import by_id, el, replace_children, safe_url


def avatar_node(viewer: Viewer) -> Any:
    """The user's picture, or their initials when the server has no usable one."""
    user = viewer.user
    url = safe_url(user.avatar if user else None, allow_data_images=True)
    if url:
        return el("img", src=url, alt="", referrerpolicy="no-referrer")
    return user.initials if user else "?"


def _known(words: Words, key: str, value: str) -> str:
    """``value`` in ``words`` when the table knows it (``role-owner``), else as the server
    said it (an empty ``value`` stays empty)."""
    return words(f"{key}-{value}") if f"{key}-{value}" in ENGLISH else value


def project_item(project: Project, words: Words | None = None) -> Any:
    words = words or active()
    role = (project.role or "").removeprefix("stream:")
    updated = words("project-updated", date=project.updated_at[:10]) if project.updated_at else ""
    meta = " · ".join(
        p for p in (_known(words, "role", role),
                    _known(words, "visibility", project.visibility.lower()), updated) if p
    )
    return el(
        "li",
        el("span", project.name, class_="name"),
        el("span", meta, class_="meta"),
        data_project_id=project.id,
        tabindex="-1",  # focus can move to the first new item after "Load more"
    )


class SignedInView:
    """The ``#signed-in`` section, and where the project list goes on from."""

    def __init__(self, words: Words | None = None) -> None:
        self.words = words or active()
        self.section = by_id("signed-in")
        self.avatar = by_id("avatar")
        self.name = by_id("user-name")
        self.email = by_id("user-email")
        self.server = by_id("server-name")
        self.projects = by_id("projects")
        self.count = by_id("project-count")
        self.heading = by_id("projects-heading")
        self.status = by_id("projects-status")
        self.load_more = by_id("load-more")
        #: The cursor of the next page of projects; None when every project is listed.
        self.next_cursor: str | None = None

    @property
    def shown(self) -> int:
        """How many projects the list shows."""
        return int(self.projects.childElementCount)

    def render(self, viewer: Viewer) -> None:
        """Show ``viewer``: the profile, the server, and the first page of projects."""
        user = viewer.user
        replace_children(self.avatar, avatar_node(viewer))
        self.name.textContent = (user.name if user else "") or self.words("signed-in-name")
        self.email.textContent = (user.email if user else None) or ""
        server = viewer.server
        self.server.textContent = self.words("server-name", server=server.name) if server else ""
        self.heading.hidden = False
        replace_children(self.projects)
        self.append(viewer.projects)

    def render_unreachable(self) -> None:
        """Signed in, but the server did not say who: "Signed in" and "Log out", without an
        empty profile or a project list that cannot be filled (the page says why)."""
        self.avatar.textContent = "?"
        self.name.textContent = self.words("signed-in-name")
        self.email.textContent = ""
        self.server.textContent = ""
        self.heading.hidden = True
        replace_children(self.projects)
        self.count.textContent = ""
        self.next_cursor = None
        self.load_more.hidden = True

    def append(self, page: ProjectPage | None) -> int:
        """Add ``page``'s projects to the list; how many were added. "Load more" stays only
        while fewer are shown than the server counts (its last page still has a cursor)."""
        items = page.items if page else []
        self.projects.append(*[project_item(p, self.words) for p in items])
        shown = self.shown
        self.next_cursor = page.cursor if page is not None and page.has_more(shown) else None
        self.load_more.hidden = self.next_cursor is None
        if page is not None:
            self.count.textContent = self.words("project-count", shown=shown,
                                                total=page.total_count)
        return len(items)

    def focus_item(self, index: int) -> None:
        self.projects.children[index].focus()

    def announce(self, text: str) -> None:
        """Say ``text`` to screen readers (the list's status region is visually hidden)."""
        self.status.textContent = text
