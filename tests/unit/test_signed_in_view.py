"""The app page's signed-in view on a fake document: the profile and server as text, the
project list, and "Load more" offered only while the server counts more projects."""

from __future__ import annotations

from typing import Any

from pyapp.speckle_api import Project, ProjectPage, ServerInfo, UserProfile, Viewer
from tests.unit.fake_browser import FakeBrowser, TextNode

MARKUP = '<img src=x onerror="alert(1)">'
IDS = ("signed-in", "avatar", "user-name", "user-email", "server-name", "projects",
       "project-count", "projects-heading", "projects-status", "load-more")
ADA = UserProfile("u1", "Ada Lovelace", "ada@example.org", None, None, None)
SERVER = ServerInfo("Mock Speckle", None, None, None)


def project(n: int, name: str | None = None) -> Project:
    return Project(f"p{n}", name or f"Project {n}", "stream:owner", "2026-11-30T10:00:00Z",
                   "PRIVATE")


def page_of(first: int, count: int, total: int, cursor: str | None = "next") -> ProjectPage:
    return ProjectPage(total, cursor, [project(n) for n in range(first, first + count)])


def make_view(browser: FakeBrowser) -> Any:
    for element_id in IDS:
        browser.document.add(element_id, "ul" if element_id == "projects" else "div")
    from pyapp.ui.signed_in_view import SignedInView

    view = SignedInView()
    assert view.section is browser.document.getElementById("signed-in")
    assert view.next_cursor is None  # nothing to load more of before the first render
    return view


def test_the_view_shows_who_where_and_the_first_projects(fake_browser: FakeBrowser) -> None:
    view = make_view(fake_browser)
    view.render(Viewer(SERVER, ADA, page_of(0, 25, 60)))
    assert view.name.textContent == "Ada Lovelace"
    assert view.email.textContent == "ada@example.org"
    assert view.server.textContent == "on Mock Speckle"
    assert view.avatar.textContent == "AL"  # no picture: the initials
    assert view.shown == 25 and view.count.textContent == "(25 of 60)"
    first = view.projects.children[0]
    assert first.tagName == "LI"
    assert first.attributes == {"data-project-id": "p0", "tabindex": "-1"}  # focusable
    assert [(c.tagName, c.getAttribute("class"), c.textContent) for c in first.children] == [
        ("SPAN", "name", "Project 0"), ("SPAN", "meta", "owner · private · updated 2026-11-30")]
    assert view.next_cursor == "next" and not view.load_more.hidden


def test_load_more_goes_when_every_project_is_listed_though_a_cursor_remains(
    fake_browser: FakeBrowser,
) -> None:
    view = make_view(fake_browser)
    view.render(Viewer(SERVER, ADA, page_of(0, 25, 30)))
    assert view.append(page_of(25, 5, 30, cursor="past-the-end")) == 5
    assert view.shown == 30 and view.count.textContent == "(30 of 30)"
    assert view.next_cursor is None and view.load_more.hidden
    view.focus_item(25)
    assert fake_browser.document.activeElement is view.projects.children[25]


def test_a_project_without_a_role_shows_the_rest(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.signed_in_view import project_item

    item = project_item(Project("p1", "Plans", None, "2026-01-02T00:00:00Z", "PUBLIC"))
    assert item.children[1].textContent == "public · updated 2026-01-02"


def test_a_new_render_replaces_the_list(fake_browser: FakeBrowser) -> None:
    view = make_view(fake_browser)
    view.render(Viewer(SERVER, ADA, page_of(0, 25, 60)))
    view.render(Viewer(SERVER, ADA, page_of(0, 3, 3, cursor=None)))
    assert view.shown == 3 and view.load_more.hidden


def test_a_partial_answer_still_renders(fake_browser: FakeBrowser) -> None:
    view = make_view(fake_browser)
    view.render(Viewer(None, None, None, missing_scope="profile:read"))
    assert view.name.textContent == "Signed in" and view.avatar.textContent == "?"
    assert view.email.textContent == "" and view.server.textContent == ""
    assert view.shown == 0 and view.load_more.hidden and view.next_cursor is None


def test_server_text_stays_text_and_only_safe_pictures_are_shown(
    fake_browser: FakeBrowser,
) -> None:
    view = make_view(fake_browser)
    hostile = UserProfile("u1", MARKUP, MARKUP, "javascript:alert(1)", None, None)
    page = ProjectPage(1, None, [project(0, name=MARKUP)])
    view.render(Viewer(ServerInfo(MARKUP, None, None, None), hostile, page))
    assert view.name.textContent == MARKUP and view.avatar.find("img") == []
    assert view.projects.find("img") == [] and view.projects.textContent.startswith(MARKUP)
    assert all(isinstance(c, TextNode) for c in view.name.children)
    picture = "data:image/png;base64,AAAA"
    view.render(Viewer(SERVER, UserProfile("u1", "Ada", None, picture, None, None), None))
    (img,) = view.avatar.find("img")
    assert img.attributes == {"src": picture, "alt": "", "referrerpolicy": "no-referrer"}


def test_the_list_status_speaks_to_screen_readers(fake_browser: FakeBrowser) -> None:
    view = make_view(fake_browser)
    view.announce("25 more projects loaded, 50 of 60 shown.")
    assert view.status.textContent == "25 more projects loaded, 50 of 60 shown."


def test_a_project_in_german_and_a_role_the_table_does_not_know(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui.signed_in_view import project_item
    from pyapp.words import build_words

    german, _ = build_words("de")
    item = project_item(Project("p1", "Pläne", "stream:owner", "2026-01-02T00:00:00Z",
                                "PRIVATE"), german)
    assert item.children[1].textContent == "Eigentümer · privat · aktualisiert am 2026-01-02"
    item = project_item(Project("p2", "X", "stream:auditor", "", "SECRET"), german)
    assert item.children[1].textContent == "auditor · secret"


def test_a_view_whose_server_did_not_answer_shows_no_empty_profile(
        fake_browser: FakeBrowser) -> None:
    view = make_view(fake_browser)
    view.render(Viewer(SERVER, ADA, page_of(0, 25, 60)))
    view.render_unreachable()
    assert view.name.textContent == "Signed in" and view.avatar.textContent == "?"
    assert view.email.textContent == "" and view.server.textContent == ""
    assert view.heading.hidden and view.shown == 0 and view.count.textContent == ""
    assert view.load_more.hidden and view.next_cursor is None
    view.render(Viewer(SERVER, ADA, page_of(0, 3, 3, cursor=None)))
    assert not view.heading.hidden and view.shown == 3


def test_a_view_made_with_words_lists_projects_in_them(fake_browser: FakeBrowser) -> None:
    from pyapp.words import build_words

    german, _ = build_words("de")
    for element_id in IDS:
        fake_browser.document.add(element_id, "ul" if element_id == "projects" else "div")
    from pyapp.ui.signed_in_view import SignedInView

    view = SignedInView(german)  # while the page's active words are English
    view.render(Viewer(SERVER, ADA, page_of(0, 2, 2, cursor=None)))
    assert view.projects.children[0].children[1].textContent == (
        "Eigentümer · privat · aktualisiert am 2026-11-30")
    assert view.server.textContent == "auf Mock Speckle"
