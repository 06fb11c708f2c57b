"""``pyapp.ui.dom`` on a fake document: server text becomes text nodes, never markup."""

from __future__ import annotations

import pytest

from pyapp.messages import Message
from tests.unit.fake_browser import Element, FakeBrowser, TextNode

MARKUP = '<img src=x onerror="alert(1)">Ada'


def test_el_puts_strings_in_as_text_nodes_never_html(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import el

    node = el("p", MARKUP, None, "!")
    assert node.tagName == "P"
    assert [type(child) for child in node.children] == [TextNode, TextNode]
    assert node.textContent == MARKUP + "!"
    assert node.find("img") == []


def test_el_sets_attributes_by_python_names(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import el

    child = el("span", "x")
    node = el("a", child, class_="button", title=None, href="./", disabled=False,
              data_state="on", hidden=True)
    assert node.attributes == {"class": "button", "href": "./", "data-state": "on", "hidden": ""}
    assert node.children == [child]


def test_append_and_replace_children(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import append, el, replace_children

    node = el("ul")
    assert append(node, el("li"), None, "tail") is node
    assert [getattr(c, "tagName", "text") for c in node.children] == ["LI", "text"]
    assert replace_children(node, MARKUP) is node
    assert [type(c) for c in node.children] == [TextNode] and node.textContent == MARKUP
    replace_children(node)
    assert node.children == []


def test_by_id(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import by_id

    status = fake_browser.document.add("status")
    assert by_id("status") is status and by_id("nothing") is None


@pytest.mark.parametrize("url, allow_data, expected", [
    ("https://cdn.example/a.png", False, "https://cdn.example/a.png"),
    (" http://x.example/a ", False, "http://x.example/a"),
    ("HTTPS://X.EXAMPLE/", False, "HTTPS://X.EXAMPLE/"),
    ("javascript:alert(1)", False, None),
    (" JavaScript:alert(1)", True, None),
    ("data:image/png;base64,AAAA", False, None),
    (" DATA:image/png;base64,AAAA", True, "DATA:image/png;base64,AAAA"),
    ("data:text/html,<script>", True, None),
    ("", True, None),
    (None, True, None),
    ("/relative.png", False, None),
])
def test_safe_url_lets_only_web_and_image_data_urls_through(
        fake_browser: FakeBrowser, url: str | None, allow_data: bool, expected: str | None) -> None:
    from pyapp.ui.dom import safe_url

    assert safe_url(url, allow_data_images=allow_data) == expected


def test_safe_url_refuses_data_urls_by_default(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import safe_url

    assert safe_url("data:image/png;base64,AAAA") is None


def test_show_message_as_text_and_hide_when_none(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.dom import show_message

    node = Element("div")
    node.append(TextNode("old"))
    show_message(node, Message("Couldn't sign in", MARKUP, "retry"))
    assert node.hidden is False
    assert node.textContent == "Couldn't sign in. " + MARKUP
    assert all(isinstance(child, TextNode) for child in node.children)
    show_message(node, None)
    assert node.hidden is True and node.children == []


def test_on_restored_runs_only_when_the_page_comes_back_from_the_cache(
        fake_browser: FakeBrowser) -> None:
    import types

    from pyapp.ui.dom import on_restored

    calls: list[str] = []
    on_restored(lambda: calls.append("restored"))
    fake_browser.window.dispatch("pageshow", types.SimpleNamespace(persisted=False))
    assert calls == []  # a first load also fires pageshow
    fake_browser.window.dispatch("pageshow", types.SimpleNamespace(persisted=True))
    assert calls == ["restored"]
