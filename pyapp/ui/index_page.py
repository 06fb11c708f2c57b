"""The app page (``index.html``): "Log in with Speckle", the signed-in view (profile, server,
projects with "Load more") and "Log out".

The server and app are the site owner's, from ``config.json``: a visitor sees only the
"Log in with Speckle" button and "Stay signed in". The settings form (server URL, App ID,
secret, token endpoint) appears only when ``config.json`` sets ``"editableSettings": true``,
as the local playground does; what was typed there is kept for this tab, so a failed login
that sends the user "Back to the settings" finds them as they were.

The static HTML already shows the button; this module enables it once Python is ready and
swaps views. ``<body data-state>`` says which view is up (``loading``, ``signed-out``,
``waiting`` for a login popup, ``signed-in``), for styling and for tests. ``loginMode`` in
``config.json`` picks how a login runs: ``redirect`` (the default: the page leaves for
Speckle and comes back) or ``popup`` (the page stays and shows the signed-in view when the
popup's answer has been exchanged).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Coroutine
from typing import Any

from pyscript import document, when

from ..browser import WebStorage, make_client
from ..client import SpeckleClient
from ..config import Settings, load_config_file, report_unknown_keys, settings_editable
from ..errors import InvalidConfiguration, MissingScope, SessionExpired, SpeckleAuthError
from ..messages import Message, message_for
from ..speckle_api import Project, ProjectPage, Viewer
from . import report, spawn
from .dom import by_id, el, on_restored, replace_children, report_message, safe_url, show_message

CONFIG_FILE = "config.json"
# What was typed into the settings form, for this tab only. Outside the login's namespace: it
# is the form's memory, not login state, and a failed login must not erase it.
FORM_KEY = "speckle-login-settings"
FIELDS = {"serverUrl": "server-url", "appId": "app-id", "appSecret": "app-secret",
          "dialect": "dialect"}

_client: SpeckleClient | None = None
_next_cursor: str | None = None
_config: dict[str, Any] = {}
_config_problem: InvalidConfiguration | None = None
_loading_more = False


def editable() -> bool:
    return settings_editable(_config)


def load_config() -> tuple[dict[str, Any], InvalidConfiguration | None]:
    """The site's config (copied into Python's files by PyScript), and what is wrong with it."""
    try:
        return load_config_file(CONFIG_FILE), None
    except InvalidConfiguration as error:
        return {}, error


def touched(field: Any) -> bool:
    """True when the user changed ``field`` from the page's initial value (e.g. while the
    runtime loaded): such a value is theirs and is not overwritten by the config."""
    if field.type == "checkbox":
        return bool(field.checked != field.defaultChecked)
    if field.tagName == "SELECT":
        options = list(field.options)
        default = next((o for o in options if o.defaultSelected), options[0])
        return bool(field.value != default.value)
    return bool(field.value != field.defaultValue)


def typed_settings() -> dict[str, Any]:
    """The settings typed in this tab before, if any (none when storage is blocked: the page
    says so once it has started)."""
    try:
        raw = WebStorage("sessionStorage").get(FORM_KEY)
        saved = json.loads(raw) if raw else {}
    except (ValueError, SpeckleAuthError):
        return {}
    return saved if isinstance(saved, dict) else {}


def fill_form(config: dict[str, Any]) -> None:
    """The config's values (and, when editable, what was typed in this tab before) into the
    page, except where the visitor already changed something while the runtime loaded."""
    values = {**config, **typed_settings()} if editable() else config
    remember = by_id("remember")
    if not touched(remember):
        remember.checked = values.get("storage") == "local"
    if not editable():
        return
    for key, field_id in FIELDS.items():
        field = by_id(field_id)
        if not touched(field):
            field.value = str(values.get(key) or ("auto" if key == "dialect" else ""))
    by_id("settings").hidden = False


def settings_from_page() -> Settings:
    """The settings to log in with: the site's pinned ones, or the form's when editable."""
    storage = "local" if by_id("remember").checked else "session"
    if not editable():
        return Settings.from_mapping({**_config, "storage": storage})
    typed = {key: str(by_id(field_id).value) for key, field_id in FIELDS.items()}
    typed["storage"] = storage
    # The form's memory is a convenience: storage that refuses it fails the login itself,
    # with its own message, a moment later.
    with contextlib.suppress(SpeckleAuthError):
        WebStorage("sessionStorage").set(FORM_KEY, json.dumps(typed))
    # allowInsecureHttp goes through Settings' strict reading: the string "false" stays false.
    return Settings.from_mapping({**typed, "loginMode": _config.get("loginMode"),
                                  "allowInsecureHttp": _config.get("allowInsecureHttp")})


def set_state(state: str) -> None:
    document.body.dataset.state = state


def message_nodes(message: Message) -> list[Any]:
    """Title, words for the visitor, and (when the settings are editable) the detail."""
    nodes: list[Any] = [el("strong", message.title), " ", message.detail]
    if editable() and message.extra_detail:
        nodes.append(el("small", message.extra_detail, class_="technical"))
    return nodes


def show_banner(message: Message | None, info: bool = False) -> None:
    banner = by_id("banner")
    if message is None:
        banner.hidden = True
        replace_children(banner)
        return
    report_message(message)
    banner.className = "banner info" if info else "banner"
    replace_children(banner, *message_nodes(message))
    banner.hidden = False


def show_form_error(message: Message | None) -> None:
    node = by_id("form-error")
    if message is None:
        show_message(node, None)
        return
    report_message(message)
    replace_children(node, *message_nodes(message))
    node.hidden = False


def mark_invalid(field_id: str | None) -> None:
    """Mark the one field a settings error is about (``aria-invalid``, described by the
    error), and unmark the rest."""
    for other in FIELDS.values():
        node = by_id(other)
        if other == field_id:
            node.setAttribute("aria-invalid", "true")
            node.setAttribute("aria-describedby", "form-error")
        else:
            node.removeAttribute("aria-invalid")
            if other == "app-secret":
                node.setAttribute("aria-describedby", "app-secret-hint")
            else:
                node.removeAttribute("aria-describedby")
    if field_id == "app-secret":
        by_id("advanced").open = True


def invalid_field(settings: Settings) -> str | None:
    """Which form field makes ``settings`` invalid (checked one by one, in form order)."""
    from ..config import normalize_server_url, validate_app_id

    for field_id, check in (
        ("server-url", lambda: normalize_server_url(
            settings.server_url, allow_insecure_http=settings.allow_insecure_http)),
        ("app-id", lambda: validate_app_id(settings.app_id)),
    ):
        try:
            check()
        except InvalidConfiguration:
            return field_id
    if settings.dialect == "deployed" and not (settings.app_secret or "").strip():
        return "app-secret"
    return None


def announce(text: str, region: str = "notice") -> None:
    """Say ``text`` to screen readers through a live region: ``notice`` (shown: sign-outs)
    or ``projects-status`` (for screen readers only: projects loaded)."""
    by_id(region).textContent = text


def show_signed_out() -> None:
    by_id("signed-in").hidden = True
    by_id("login-form").hidden = False
    by_id("login").disabled = _config_problem is not None
    by_id("popup-wait").hidden = True
    set_state("signed-out")


# -- signed-in view -----------------------------------------------------------------------


def avatar_node(viewer: Viewer) -> Any:
    user = viewer.user
    url = safe_url(user.avatar if user else None, allow_data_images=True)
    if url:
        return el("img", src=url, alt="", referrerpolicy="no-referrer")
    return user.initials if user else "?"


def project_item(project: Project) -> Any:
    role = (project.role or "").removeprefix("stream:")
    meta = " · ".join(
        p for p in (role, project.visibility.lower(), f"updated {project.updated_at[:10]}") if p
    )
    return el(
        "li",
        el("span", project.name, class_="name"),
        el("span", meta, class_="meta"),
        data_project_id=project.id,
        tabindex="-1",  # focus can move to the first new item after "Load more"
    )


def append_projects(page: ProjectPage | None) -> int:
    """Add ``page``'s projects to the list; how many were added."""
    global _next_cursor
    items = page.items if page else []
    by_id("projects").append(*[project_item(p) for p in items])
    shown = by_id("projects").childElementCount
    _next_cursor = page.cursor if page is not None and page.has_more(shown) else None
    by_id("load-more").hidden = _next_cursor is None
    if page is not None:
        by_id("project-count").textContent = f"({shown} of {page.total_count})"
    return len(items)


def render_viewer(viewer: Viewer) -> None:
    user = viewer.user
    replace_children(by_id("avatar"), avatar_node(viewer))
    by_id("user-name").textContent = (user.name if user else "") or "Signed in"
    by_id("user-email").textContent = (user.email if user else None) or ""
    server = viewer.server
    by_id("server-name").textContent = f"on {server.name}" if server else ""
    replace_children(by_id("projects"))
    append_projects(viewer.projects)


async def show_signed_in() -> None:
    by_id("login-form").hidden = True
    by_id("signed-in").hidden = False
    announce("")
    assert _client is not None
    try:
        viewer = await _client.viewer()
    except SessionExpired as error:
        show_signed_out()
        show_banner(message_for(error, editable()))
        return
    except Exception as error:  # still signed in: say what failed, keep "Log out" working
        if not isinstance(error, SpeckleAuthError):
            report(error, "loading the signed-in view")
        show_banner(message_for(error, editable()))
        set_state("signed-in")
        return
    if viewer.missing_scope:  # the token is kept: the view shows what the server did return
        show_banner(message_for(MissingScope(viewer.missing_scope), editable()))
    render_viewer(viewer)
    set_state("signed-in")


# -- handlers -----------------------------------------------------------------------------


@when("submit", "#login-form")
def on_submit(event: Any) -> None:
    # Synchronous on purpose: preventDefault must run before the browser submits the form,
    # and a login popup must open inside this event, before any await, or a popup blocker
    # stops it. ``login()`` opens it during the call; the rest runs as a task.
    event.preventDefault()
    if _client is None or _config_problem is not None:
        return
    show_form_error(None)
    show_banner(None)
    announce("")
    by_id("login").disabled = True
    settings: Settings | None = None
    try:
        settings = settings_from_page()
        _client.settings = settings
        login = _client.login()
    except Exception as error:  # whatever it was, the button comes back with a message
        if not isinstance(error, SpeckleAuthError):
            report(error, "starting the login")
        show_login_error(error, settings)
        return
    if _client.login_pending:
        on_popup_state("")
        by_id("popup-wait").hidden = False
        set_state("waiting")
    spawn(await_login(login, settings))


def show_login_error(error: BaseException, settings: Settings | None) -> None:
    """Why a login did not start or end, with the field at fault marked when editable."""
    if editable():
        mark_invalid(invalid_field(settings)
                     if isinstance(error, InvalidConfiguration) and settings is not None
                     else None)
    show_form_error(message_for(error, editable()))
    by_id("login").disabled = False


async def await_login(login: Coroutine[Any, Any, None], settings: Settings) -> None:
    """Await a login; a popup login ends here, signed in or with the reason it did not."""
    assert _client is not None
    try:
        await login
    except Exception as error:
        if _client.login_pending:  # a newer login replaced this one: it speaks for itself
            return
        if not isinstance(error, SpeckleAuthError):
            report(error, "logging in")
        show_signed_out()
        show_login_error(error, settings)
        return
    if _client.signed_in:  # a redirect login never gets here: the page has left
        by_id("popup-wait").hidden = True
        await show_signed_in()


POPUP_WAIT_TEXT = {
    "": "Finish signing in in the Speckle window.",
    "open": "Finish signing in in the Speckle window.",
    "detached": "The Speckle window no longer reports to this page, so closing it does not "
                "end the wait: finish signing in there, or cancel.",
}


def on_popup_state(state: str) -> None:
    """What the page can tell of the login popup (``data-popup``: ``open``, ``detached``)."""
    wait = by_id("popup-wait")
    wait.dataset.popup = state
    by_id("popup-wait-text").textContent = POPUP_WAIT_TEXT.get(state, POPUP_WAIT_TEXT[""])


@when("click", "#cancel-login")
def on_cancel_login(event: Any) -> None:
    if _client is not None:
        _client.cancel_login()


@when("click", "#load-more")
async def on_load_more(event: Any) -> None:
    global _loading_more
    if _client is None or _next_cursor is None or _loading_more:
        return
    button = by_id("load-more")
    # Busy, not disabled: disabling the focused button would throw keyboard focus away.
    _loading_more = True
    button.setAttribute("aria-busy", "true")
    try:
        page = await _client.projects(_next_cursor)
        first_new = by_id("projects").childElementCount
        added = append_projects(page)
        shown = by_id("projects").childElementCount
        announce(f"{added} more projects loaded, {shown} of {page.total_count} shown.",
                 "projects-status")
        if button.hidden and added:  # nothing left to load: focus moves to what arrived
            by_id("projects").children[first_new].focus()
    except SessionExpired as error:
        show_signed_out()
        show_banner(message_for(error, editable()))
    except Exception as error:
        if not isinstance(error, SpeckleAuthError):
            report(error, "loading more projects")
        show_banner(message_for(error, editable()))
    finally:
        _loading_more = False
        button.removeAttribute("aria-busy")


@when("click", "#logout")
async def on_logout(event: Any) -> None:
    if _client is None:
        return
    try:
        await _client.logout()
    except Exception as error:  # the client forgets first: whatever failed, show the form
        if not isinstance(error, SpeckleAuthError):
            report(error, "logging out")
        show_signed_out()
        show_banner(message_for(error, editable()))
    by_id("login").focus()


def enable_login() -> None:
    """Back from the consent page, a page restored as it was left has "Log in" disabled."""
    by_id("login").disabled = _config_problem is not None


def on_session_change(session: object) -> None:
    """Sign-out (here or in another tab) returns to the login button at once."""
    if session is None:
        show_banner(None)
        show_signed_out()
        announce("You are signed out.")


async def main() -> None:
    global _client, _config_problem
    config, problem = load_config()
    _config.update(config)
    report_unknown_keys(_config)
    if problem is None and not editable() and not (config.get("serverUrl") and config.get("appId")):
        problem = InvalidConfiguration("config_incomplete", value=CONFIG_FILE)
    fill_form(_config)
    _client = make_client(None)
    _client.on_change(on_session_change)
    _client.on_popup_state(on_popup_state)
    on_restored(enable_login)
    if problem is not None and not editable():
        _config_problem = problem
        show_banner(message_for(problem))
    try:
        signed_in = _client.signed_in
    except Exception as error:  # storage blocked, say: the form stays usable and says why
        if not isinstance(error, SpeckleAuthError):
            report(error, "starting the page")
        show_signed_out()
        show_banner(message_for(error, editable()))
        return
    if signed_in:
        await show_signed_in()
    else:
        show_signed_out()
        if _client.dropped_session is not None and _config_problem is None:
            show_banner(message_for(_client.dropped_session, editable()))
