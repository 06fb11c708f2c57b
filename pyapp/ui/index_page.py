"""The app page (``index.html``): the settings form, "Log in with Speckle", the signed-in view
(profile, server, projects with "Load more") and "Log out".

The static HTML already shows the form; this module fills it from ``config.json``, enables
the button once Python is ready, and swaps views. ``<body data-state>`` says which view is
up (``loading``, ``signed-out``, ``waiting`` for a login popup, ``signed-in``), for styling
and for tests. ``loginMode`` in ``config.json`` picks how a login runs: ``redirect`` (the
default: the page leaves for Speckle and comes back) or ``popup`` (the page stays and shows
the signed-in view when the popup's answer has been exchanged).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from pyscript import document, when

from ..browser import make_client
from ..client import SpeckleClient
from ..config import Settings, load_config_file, parse_flag, report_unknown_keys
from ..errors import InvalidConfiguration, MissingScope, SessionExpired, SpeckleAuthError
from ..messages import Message, message_for
from ..speckle_api import Project, ProjectPage, Viewer, parse_viewer
from . import report, spawn
from .dom import by_id, el, on_restored, replace_children, safe_url, show_message

CONFIG_FILE = "config.json"

_client: SpeckleClient | None = None
_next_cursor: str | None = None
_config: dict[str, Any] = {}


def load_config() -> dict[str, Any]:
    """The defaults shipped next to the page (copied into Python's files by PyScript)."""
    try:
        return load_config_file(CONFIG_FILE)
    except InvalidConfiguration:
        return {}  # no usable defaults: the form starts empty and says what is missing


def fill_form(config: dict[str, Any]) -> None:
    by_id("server-url").value = str(config.get("serverUrl") or "")
    by_id("app-id").value = str(config.get("appId") or "")
    by_id("app-secret").value = str(config.get("appSecret") or "")
    by_id("dialect").value = str(config.get("dialect") or "auto")
    by_id("remember").checked = config.get("storage") == "local"


def settings_from_form(config: dict[str, Any]) -> Settings:
    return Settings(
        server_url=str(by_id("server-url").value),
        app_id=str(by_id("app-id").value),
        app_secret=str(by_id("app-secret").value) or None,
        dialect=by_id("dialect").value,
        storage="local" if by_id("remember").checked else "session",
        allow_insecure_http=parse_flag(config.get("allowInsecureHttp")),
        login_mode=Settings.from_mapping(config).login_mode or "redirect",
    )


def set_state(state: str) -> None:
    document.body.dataset.state = state


def show_banner(message: Message | None, info: bool = False) -> None:
    banner = by_id("banner")
    if message is None:
        banner.hidden = True
        replace_children(banner)
        return
    banner.className = "banner info" if info else "banner"
    replace_children(banner, el("strong", message.title), " ", message.detail)
    banner.hidden = False


def show_form_error(message: Message | None) -> None:
    show_message(by_id("form-error"), message)


def show_signed_out() -> None:
    by_id("signed-in").hidden = True
    by_id("login-form").hidden = False
    by_id("login").disabled = False
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
    )


def append_projects(page: ProjectPage | None) -> None:
    global _next_cursor
    items = page.items if page else []
    by_id("projects").append(*[project_item(p) for p in items])
    _next_cursor = page.cursor if page else None
    by_id("load-more").hidden = _next_cursor is None
    if page is not None:
        shown = by_id("projects").childElementCount
        by_id("project-count").textContent = f"({shown} of {page.total_count})"


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
    assert _client is not None
    try:
        viewer = await _client.viewer()
    except MissingScope as error:  # the token is kept: show what the server did return
        viewer = parse_viewer(error.data or {})
        show_banner(message_for(error))
    except SessionExpired as error:
        show_signed_out()
        show_banner(message_for(error))
        return
    except Exception as error:  # still signed in: say what failed, keep "Log out" working
        if not isinstance(error, SpeckleAuthError):
            report(error, "loading the signed-in view")
        show_banner(message_for(error))
        set_state("signed-in")
        return
    render_viewer(viewer)
    set_state("signed-in")


# -- handlers -----------------------------------------------------------------------------


@when("submit", "#login-form")
def on_submit(event: Any) -> None:
    # Synchronous on purpose: preventDefault must run before the browser submits the form,
    # and a login popup must open inside this event, before any await, or a popup blocker
    # stops it. ``login()`` opens it during the call; the rest runs as a task.
    event.preventDefault()
    if _client is None:
        return
    show_form_error(None)
    show_banner(None)
    by_id("login").disabled = True
    try:
        _client.settings = settings_from_form(_config)
        login = _client.login()
    except Exception as error:  # whatever it was, the button comes back with a message
        if not isinstance(error, SpeckleAuthError):
            report(error, "starting the login")
        show_form_error(message_for(error))
        by_id("login").disabled = False
        return
    if _client.login_pending:
        on_popup_state("")
        by_id("popup-wait").hidden = False
        set_state("waiting")
    spawn(await_login(login))


async def await_login(login: Coroutine[Any, Any, None]) -> None:
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
        show_form_error(message_for(error))
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
    if _client is None or _next_cursor is None:
        return
    button = by_id("load-more")
    button.disabled = True
    try:
        append_projects(await _client.projects(_next_cursor))
    except SessionExpired as error:
        show_signed_out()
        show_banner(message_for(error))
    except Exception as error:
        if not isinstance(error, SpeckleAuthError):
            report(error, "loading more projects")
        show_banner(message_for(error))
    finally:
        button.disabled = False


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
        show_banner(message_for(error))


def enable_login() -> None:
    """Back from the consent page, a page restored as it was left has "Log in" disabled."""
    by_id("login").disabled = False


def on_session_change(session: object) -> None:
    """Sign-out (here or in another tab) returns to the form at once."""
    if session is None:
        show_signed_out()


async def main() -> None:
    global _client
    _config.update(load_config())
    report_unknown_keys(_config)
    fill_form(_config)
    _client = make_client(None)
    _client.on_change(on_session_change)
    _client.on_popup_state(on_popup_state)
    on_restored(enable_login)
    by_id("loading").hidden = True
    try:
        signed_in = _client.signed_in
    except Exception as error:  # storage blocked, say: the form stays usable and says why
        if not isinstance(error, SpeckleAuthError):
            report(error, "starting the page")
        show_signed_out()
        show_banner(message_for(error))
        return
    if signed_in:
        await show_signed_in()
    else:
        show_signed_out()
