"""The app page's settings form on a fake document: which settings a login uses (pinned or
typed), what the page's client is made with, the form's memory, and the field at fault."""

from __future__ import annotations

import json
import types
from typing import Any

import pytest

from pyapp.config import Settings
from pyapp.errors import InvalidConfiguration, ServerUnavailable
from tests.unit.fake_browser import Element, FakeBrowser, JsException

SERVER = "http://127.0.0.1:8001"
PINNED = {"serverUrl": SERVER, "appId": "demo-app", "appSecret": "s3cret", "dialect": "deployed",
          "storage": "local", "loginMode": "popup", "fastStart": False}
EDITABLE = {**PINNED, "editableSettings": True}
FORM_KEY = "speckle-login-settings"


def field(browser: FakeBrowser, element_id: str, value: str = "", kind: str = "text") -> Element:
    """An ``<input>`` as the page's HTML has it (its initial value is its default)."""
    node = browser.document.add(element_id, "input")
    node.type, node.value, node.defaultValue = kind, value, value  # type: ignore[attr-defined]
    node.checked = node.defaultChecked = False  # type: ignore[attr-defined]
    return node


def index_form(browser: FakeBrowser) -> dict[str, Any]:
    """The form part of ``index.html``: its fields, their fieldset and the "Advanced" fold."""
    nodes: dict[str, Any] = {name: field(browser, name)
                             for name in ("server-url", "app-id", "app-secret")}
    nodes["app-secret"].setAttribute("aria-describedby", "app-secret-hint")
    nodes["remember"] = field(browser, "remember", kind="checkbox")
    select = browser.document.add("dialect", "select")
    select.type = "select-one"  # type: ignore[attr-defined]
    select.options = [types.SimpleNamespace(value=v, defaultSelected=False)  # type: ignore[attr-defined]
                      for v in ("auto", "documented", "deployed")]
    select.value = "auto"  # type: ignore[attr-defined]
    nodes["dialect"] = select
    nodes["settings"] = browser.document.add("settings", "fieldset")
    nodes["settings"].hidden = True
    nodes["advanced"] = browser.document.add("advanced", "details")
    nodes["advanced"].open = False
    return nodes


def make_form(browser: FakeBrowser, config: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    nodes = index_form(browser)
    from pyapp.ui.settings_form import SettingsForm

    return SettingsForm(config), nodes


# -- what the page's client is made with --------------------------------------------------------


def test_a_pinned_sites_client_is_made_for_its_server_and_app(fake_browser: FakeBrowser) -> None:
    form, _ = make_form(fake_browser, {**PINNED, "typo": 1})
    assert not form.editable
    assert form.client_settings() == Settings(SERVER, "demo-app", "s3cret", "deployed", "local",
                                              login_mode="popup")
    assert fake_browser.console == []  # unknown keys were reported once, as the page started


def test_an_editable_pages_client_is_made_without_settings(fake_browser: FakeBrowser) -> None:
    form, _ = make_form(fake_browser, EDITABLE)
    assert form.editable and form.client_settings() is None


def test_a_pinned_config_of_the_wrong_types_cannot_make_a_client(fake_browser: FakeBrowser) -> None:
    form, _ = make_form(fake_browser, {"serverUrl": SERVER, "appId": 5})
    with pytest.raises(InvalidConfiguration):
        form.client_settings()


# -- filling the form in ---------------------------------------------------------------------


@pytest.mark.parametrize("storage", ["local", "session"])
def test_a_pinned_site_fills_in_only_stay_signed_in(fake_browser: FakeBrowser,
                                                     storage: str) -> None:
    # What an editable form once remembered in this tab plays no part on a pinned site.
    other = "session" if storage == "local" else "local"
    fake_browser.session_storage.setItem(FORM_KEY, json.dumps({"storage": other}))
    form, nodes = make_form(fake_browser, {**PINNED, "storage": storage})
    form.fill()
    assert nodes["remember"].checked is (storage == "local")
    assert nodes["server-url"].value == "" and nodes["settings"].hidden


def test_an_editable_form_shows_the_config_then_what_was_typed_in_this_tab(
    fake_browser: FakeBrowser,
) -> None:
    fake_browser.session_storage.setItem(FORM_KEY, json.dumps({"appId": "typed-app"}))
    form, nodes = make_form(fake_browser, {**EDITABLE, "appSecret": None, "dialect": None,
                                           "storage": "session"})
    form.fill()
    assert nodes["settings"].hidden is False
    assert (nodes["server-url"].value, nodes["app-id"].value, nodes["app-secret"].value,
            nodes["dialect"].value) == (SERVER, "typed-app", "", "auto")
    assert not nodes["remember"].checked


def test_what_the_visitor_changed_while_the_page_loaded_is_kept(fake_browser: FakeBrowser) -> None:
    form, nodes = make_form(fake_browser, {**EDITABLE, "storage": "session"})
    nodes["app-id"].value = "mine"
    nodes["dialect"].value = "documented"
    nodes["remember"].checked = True
    form.fill()
    assert nodes["app-id"].value == "mine" and nodes["dialect"].value == "documented"
    assert nodes["remember"].checked
    assert nodes["server-url"].value == SERVER  # untouched: the config's


@pytest.mark.parametrize("memory", ["not json", json.dumps(["a list"])])
def test_an_unreadable_form_memory_is_ignored(fake_browser: FakeBrowser, memory: str) -> None:
    fake_browser.session_storage.setItem(FORM_KEY, memory)
    form, nodes = make_form(fake_browser, EDITABLE)
    form.fill()
    assert nodes["app-id"].value == "demo-app"


# -- the settings a login uses -------------------------------------------------------------------


def test_a_pinned_login_uses_the_sites_settings_and_the_visitors_storage_choice(
    fake_browser: FakeBrowser,
) -> None:
    form, nodes = make_form(fake_browser, {**PINNED, "storage": "local"})
    nodes["server-url"].value = "https://typed.example"  # hidden: never read on a pinned site
    assert form.settings().storage == "session"
    nodes["remember"].checked = True
    assert form.settings() == Settings(SERVER, "demo-app", "s3cret", "deployed", "local",
                                       login_mode="popup")
    assert FORM_KEY not in fake_browser.session_storage.items


@pytest.mark.parametrize("allow", ["false", True])
def test_an_editable_login_uses_and_remembers_what_was_typed(fake_browser: FakeBrowser,
                                                             allow: object) -> None:
    # allowInsecureHttp is the site's, read strictly: the string "false" is false.
    form, nodes = make_form(fake_browser, {**EDITABLE, "allowInsecureHttp": allow})
    for name, value in (("server-url", "http://127.0.0.1:9000"), ("app-id", "typed-app"),
                        ("app-secret", ""), ("dialect", "documented")):
        nodes[name].value = value
    nodes["remember"].checked = True
    settings = form.settings()
    assert settings == Settings("http://127.0.0.1:9000", "typed-app", None, "documented",
                                "local", allow_insecure_http=allow is True, login_mode="popup")
    assert json.loads(fake_browser.session_storage.items[FORM_KEY]) == {
        "serverUrl": "http://127.0.0.1:9000", "appId": "typed-app", "appSecret": "",
        "dialect": "documented", "storage": "local"}


def test_log_out_forgets_what_was_typed_in_storage_and_in_the_form(fake_browser: FakeBrowser
                                                                   ) -> None:
    form, nodes = make_form(fake_browser, EDITABLE)
    nodes["server-url"].value, nodes["app-secret"].value = "http://127.0.0.1:9000", "typed!"
    form.settings()  # remembered for this tab
    assert "typed!" in fake_browser.session_storage.items[FORM_KEY]
    fake_browser.session_storage.setItem("other", "kept")
    form.forget()
    assert FORM_KEY not in fake_browser.session_storage.items
    assert fake_browser.session_storage.items["other"] == "kept"
    assert (nodes["server-url"].value, nodes["app-secret"].value) == (SERVER, "s3cret")
    form.fill()  # the next page start finds nothing typed before
    assert nodes["app-id"].value == "demo-app"


def test_log_out_still_empties_the_form_when_storage_refuses_to_forget(
        fake_browser: FakeBrowser) -> None:
    def refuse(key: str) -> None:
        raise JsException("SecurityError", "The operation is insecure.")

    form, nodes = make_form(fake_browser, EDITABLE)
    nodes["app-secret"].value = "typed!"
    fake_browser.session_storage.removeItem = refuse  # type: ignore[method-assign]
    form.forget()
    assert nodes["app-secret"].value == "s3cret"


def test_a_form_memory_storage_refuses_does_not_stop_the_login(fake_browser: FakeBrowser) -> None:
    def refuse(key: str, value: str) -> None:
        raise JsException("QuotaExceededError", "The quota has been exceeded.")

    fake_browser.session_storage.setItem = refuse  # type: ignore[method-assign]
    form, _ = make_form(fake_browser, EDITABLE)
    form.fill()
    assert form.settings().app_id == "demo-app"
    assert FORM_KEY not in fake_browser.session_storage.items


# -- the field at fault -------------------------------------------------------------------------


def marks(nodes: dict[str, Any]) -> dict[str, tuple[str | None, str | None]]:
    return {name: (nodes[name].getAttribute("aria-invalid"),
                   nodes[name].getAttribute("aria-describedby"))
            for name in ("server-url", "app-id", "app-secret", "dialect")}


@pytest.mark.parametrize("settings,at_fault", [
    (Settings("http://speckle.example", "demo-app"), "server-url"),
    (Settings(SERVER, "not an id!"), "app-id"),
    (Settings(SERVER, "demo-app", None, "deployed"), "app-secret"),
])
def test_the_field_at_fault_is_marked_and_described_by_the_error(
    fake_browser: FakeBrowser, settings: Settings, at_fault: str,
) -> None:
    form, nodes = make_form(fake_browser, EDITABLE)
    with pytest.raises(InvalidConfiguration) as refused:
        settings.validated()
    form.mark_invalid(refused.value)
    expected = {name: (None, "app-secret-hint" if name == "app-secret" else None)
                for name in ("server-url", "app-id", "app-secret", "dialect")}
    expected[at_fault] = ("true", "form-error")
    assert marks(nodes) == expected
    assert nodes["advanced"].open is (at_fault == "app-secret")  # the secret is folded away
    form.mark_invalid(None)  # the next try: no mark is left behind
    assert marks(nodes) == {name: (None, "app-secret-hint" if name == "app-secret" else None)
                            for name in ("server-url", "app-id", "app-secret", "dialect")}


def test_only_a_settings_error_on_an_editable_form_marks_a_field(fake_browser: FakeBrowser) -> None:
    form, nodes = make_form(fake_browser, EDITABLE)
    form.mark_invalid(ServerUnavailable("down"))
    assert marks(nodes)["app-id"] == (None, None)
    form.mark_invalid(InvalidConfiguration("not_one_of", "storage"))  # a setting with no field
    assert all(mark[0] is None for mark in marks(nodes).values())
    fake_browser.document.by_id.clear()
    pinned, nodes = make_form(fake_browser, PINNED)
    pinned.mark_invalid(InvalidConfiguration("bad_characters", "appId"))
    assert marks(nodes)["app-id"] == (None, None)

