"""The app page (``index.html``): "Log in with Speckle", the signed-in view (profile, server,
projects with "Load more") and "Log out".

The server and app are the site owner's, from ``config.json``: a visitor sees only the
"Log in with Speckle" button and "Stay signed in". The settings form (server URL, App ID,
secret, token endpoint) appears only when ``config.json`` sets ``"editableSettings": true``,
as the local playground does (:mod:`pyapp.ui.settings_form`).

The static HTML already shows the button; :class:`AppPage` draws what its
:class:`~pyapp.login_controller.LoginController` decides (the lifecycle is there, shared
with the widget). ``<body data-state>`` says which view is up (``loading``, ``checking``
while a stored session is checked, ``signed-out``, ``waiting`` for a login popup,
``signed-in``, ``offline`` when the server cannot say who is signed in), for styling and for
tests; ``data-login-state`` holds the controller's own state. ``loginMode`` in
``config.json`` picks how a login runs: ``redirect`` (the default: the page leaves for
Speckle and comes back) or ``popup`` (the page stays and shows the signed-in view when the
popup's answer has been exchanged).
"""

from __future__ import annotations

import time
from typing import Any

from pyodide.ffi import create_proxy
from pyscript import document

from ..browser import make_client
from ..config import Settings, load_config_file, report_unknown_keys
from ..errors import InvalidConfiguration
from ..login_controller import LoginController, Screen, State
from ..messages import Message
from ..speckle_api import Viewer
from . import BrowserConsole, spawn
from .dom import by_id, el, mark_busy, on_restored, replace_children
from .page_words import choose_words, reword
from .settings_form import SettingsForm
from .signed_in_view import SignedInView

CONFIG_FILE = "config.json"

# ``<body data-state>`` for each of the controller's states (the names pages and their
# stylesheets have used from the start).
BODY_STATES: dict[State, str] = {
    "starting": "loading", "finishing": "checking", "checking-session": "checking",
    "signed-out": "signed-out", "redirecting": "signed-out", "waiting-for-popup": "waiting",
    "signed-in": "signed-in", "offline": "offline", "error": "signed-out",
}


def load_config() -> tuple[dict[str, Any], InvalidConfiguration | None]:
    """The site's config (copied into Python's files by PyScript), and what is wrong with it."""
    try:
        return load_config_file(CONFIG_FILE), None
    except InvalidConfiguration as error:
        return {}, error


class AppPage:
    """``index.html``: its settings form and signed-in view, drawn from the login
    controller's screens, and what each click asks of it. ``problem`` says why a pinned
    site cannot sign anyone in (its config is unusable): the page then says so and keeps
    "Log in" disabled."""

    def __init__(self, config: dict[str, Any],
                 problem: InvalidConfiguration | None = None) -> None:
        # The page's language and the site's own texts, before anything is shown.
        self.words = choose_words(config)
        document.documentElement.lang = self.words.language
        reword(document, self.words)
        self.form = SettingsForm(config)
        self.view = SignedInView()  # in the words choose_words made active
        self.problem = None if self.form.editable else problem
        if self.problem is None:
            try:
                settings = self.form.client_settings()
            except InvalidConfiguration as error:
                self.problem = error
        # Made for no server at all: a page that cannot sign anyone in shows no session.
        self.client = make_client(settings if self.problem is None
                                  else Settings(server_url="", app_id=""))
        self.login_form = by_id("login-form")
        # Shown by loading.js instead of the form while a stored session is being checked.
        self.session_check = by_id("session-check")
        self.login_button = by_id("login")
        self.form_error = by_id("form-error")
        self.banner = by_id("banner")
        self.notice = by_id("notice")
        self.popup_wait = by_id("popup-wait")
        self.popup_wait_text = by_id("popup-wait-text")
        self.retry_button = el("button", self.words("action-retry"), type="button", id="retry",
                               class_="secondary")
        self._loading_more = False
        # What is drawn already: a profile or message is drawn once, not on every screen.
        self._drawn: Screen[Viewer] = Screen("starting")
        self.controller: LoginController[Viewer] = LoginController(
            self.client, load_profile=self.client.viewer, render=self.render, spawn=spawn,
            console=BrowserConsole(), words=self.words, clock=time.time,
            default_mode="redirect", editable=self.form.editable)
        self._listen(self.login_form, "submit", self._on_submit)
        self._listen(by_id("cancel-login"), "click", lambda event: self.controller.cancel())
        self._listen(self.view.load_more, "click", lambda event: spawn(self.load_more()))
        self._listen(by_id("logout"), "click", self._on_logout_click)
        self._listen(self.retry_button, "click", lambda event: self.controller.retry())
        on_restored(self.controller.restored)

    def _listen(self, node: Any, event: str, handler: Any) -> None:
        # A made proxy lives until destroyed (never: the browser calls it on every event).
        node.addEventListener(event, create_proxy(handler))

    async def start(self) -> None:
        """Fill in the form, then let the controller show who is signed in (or why nobody
        can be)."""
        self.form.fill()
        await self.controller.start(problem=self.problem)

    # -- drawing ------------------------------------------------------------------------

    def render(self, screen: Screen[Viewer]) -> None:
        """Draw ``screen``: one view in the form's place, its message, focus and notice."""
        drawn, self._drawn = self._drawn, screen
        state = screen.state
        self.session_check.hidden = not screen.shows_status
        if screen.shows_status:
            self.session_check.textContent = self.words(screen.status)
        signed_in = state in ("signed-in", "offline") or (state == "checking-session"
                                                          and screen.busy)
        self.view.section.hidden = not signed_in
        self.login_form.hidden = signed_in or screen.shows_status
        self.login_button.disabled = not screen.can_log_in
        self.popup_wait.hidden = state != "waiting-for-popup"
        self.popup_wait.dataset.popup = screen.popup
        # What the wait says, by what the page can tell of the login popup.
        self.popup_wait_text.textContent = self.words(
            "popup-detached" if screen.popup == "detached" else "popup-wait")
        if state == "signed-in" and screen.profile is not None \
                and screen.profile is not drawn.profile:
            self.view.render(screen.profile)
        elif state == "offline":
            self.view.render_unreachable()
        if screen.message is not drawn.message or screen.place != drawn.place:
            self._draw_message(screen)
        self.retry_button.hidden = not screen.offers_retry
        mark_busy(self.retry_button, screen.busy)
        if screen.notice != drawn.notice:
            self.notice.textContent = screen.notice
        document.body.dataset.loginState = state
        document.body.dataset.state = BODY_STATES[state]
        if screen.focus == "name":
            by_id("user-name").focus()
        elif screen.focus == "login":
            self.login_button.focus()

    def _draw_message(self, screen: Screen[Viewer]) -> None:
        """The message by the button (it answers "Log in"), or in the banner above."""
        message = screen.message
        by_login = message if screen.place == "login" else None
        on_page = message if screen.place == "page" else None
        # A field is marked only while the note that names it is shown.
        self.form.mark_invalid(screen.error if by_login is not None else None)
        if by_login is not None:
            replace_children(self.form_error, *self.message_nodes(by_login))
            # A choice the visitor made is a note, announced politely; a failure an alert.
            self.form_error.className = "calm" if by_login.calm else "error"
            self.form_error.setAttribute("role", "status" if by_login.calm else "alert")
        self.form_error.hidden = by_login is None
        self.banner.hidden = on_page is None
        if on_page is None:
            replace_children(self.banner)
            return
        replace_children(self.banner, *self.message_nodes(on_page))
        if on_page.action == "retry":
            self.banner.append(el("br"), self.retry_button)
        # News that is nobody's fault (a dropped session) in a calmer colour than an error.
        self.banner.classList.toggle("info", on_page.calm)

    def message_nodes(self, message: Message) -> list[Any]:
        """Title, words for the visitor, and (when the settings are editable) the detail."""
        nodes: list[Any] = [el("strong", message.title), " ", message.detail]
        if self.form.editable and message.extra_detail:
            nodes.append(el("small", message.extra_detail, class_="technical"))
        return nodes

    # -- clicks -------------------------------------------------------------------------

    def _on_submit(self, event: Any) -> None:
        # Synchronous on purpose: preventDefault must run before the browser submits the form,
        # and a login popup must open inside this event, before any await, or a popup blocker
        # stops it. The controller opens it during the call; the rest runs as a task.
        event.preventDefault()
        try:
            settings = self.form.settings()
        except Exception as error:  # a field the visitor must fix: said by the button
            self.controller.refuse_login(error)
            return
        self.controller.login(settings)

    def _on_logout_click(self, event: Any) -> None:
        self.form.forget()
        spawn(self.controller.logout())

    async def load_more(self) -> None:
        """The next page of projects, announced; focus stays on "Load more", or moves to the
        first new project when nothing is left to load."""
        view = self.view
        if view.next_cursor is None or self._loading_more:
            return
        self._loading_more = True
        mark_busy(view.load_more, True)
        try:
            page = await self.client.projects(view.next_cursor)
            first_new = view.shown
            added = view.append(page)
            view.announce(self.words("more-loaded", added=added, shown=view.shown,
                                     total=page.total_count))
            if view.load_more.hidden and added:  # nothing left to load: focus what arrived
                view.focus_item(first_new)
        except Exception as error:  # an ended session signs out; anything else is said
            self.controller.fail(error, "loading more projects")
        finally:
            self._loading_more = False
            mark_busy(view.load_more, False)


async def main() -> None:
    config, problem = load_config()
    report_unknown_keys(config)
    if problem is None and not (config.get("serverUrl") and config.get("appId")):
        problem = InvalidConfiguration("config_incomplete", value=CONFIG_FILE)
    await AppPage(config, problem).start()
