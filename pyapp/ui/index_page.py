"""The app page (``index.html``): "Log in with Speckle", the signed-in view (profile, server,
projects with "Load more") and "Log out".

The server and app are the site owner's, from ``config.json``: a visitor sees only the
"Log in with Speckle" button and "Stay signed in". The settings form (server URL, App ID,
secret, token endpoint) appears only when ``config.json`` sets ``"editableSettings": true``,
as the local playground does (:mod:`pyapp.ui.settings_form`).

The static HTML already shows the button; :class:`AppPage` enables it once Python is ready
and swaps views. ``<body data-state>`` says which view is up (``loading``, ``signed-out``,
``waiting`` for a login popup, ``signed-in``), for styling and for tests. ``loginMode`` in
``config.json`` picks how a login runs: ``redirect`` (the default: the page leaves for
Speckle and comes back) or ``popup`` (the page stays and shows the signed-in view when the
popup's answer has been exchanged).
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any

from pyodide.ffi import create_proxy
from pyscript import document

from ..browser import make_client
from ..config import Settings, load_config_file, report_unknown_keys
from ..errors import InvalidConfiguration, MissingScope, SessionExpired, SpeckleError
from ..messages import Message, message_for
from . import report, spawn
from .dom import by_id, el, on_restored, replace_children, report_message, show_message
from .page_words import choose_words, reword
from .settings_form import SettingsForm
from .signed_in_view import SignedInView

CONFIG_FILE = "config.json"
# A session younger than this was made by the login that brought the visitor here (loading.js
# says "Signing you in…" for it, not "Checking your session…").
JUST_SIGNED_IN_SECONDS = 60

# What the wait says, by what the page can tell of the login popup (``data-popup``).
POPUP_WAIT_WORDS = {"": "popup-wait", "open": "popup-wait", "detached": "popup-detached"}


def load_config() -> tuple[dict[str, Any], InvalidConfiguration | None]:
    """The site's config (copied into Python's files by PyScript), and what is wrong with it."""
    try:
        return load_config_file(CONFIG_FILE), None
    except InvalidConfiguration as error:
        return {}, error


class AppPage:
    """``index.html``: its client, its settings form and signed-in view, and what each
    click does. ``problem`` says why a pinned site cannot sign anyone in (its config is
    unusable): the page then says so and keeps "Log in" disabled."""

    def __init__(self, config: dict[str, Any],
                 problem: InvalidConfiguration | None = None) -> None:
        # The page's language and the site's own texts, before anything is shown.
        self.words = choose_words(config)
        document.documentElement.lang = self.words.language
        reword(document, self.words)
        self.form = SettingsForm(config)
        self.view = SignedInView(self.words)
        self.problem = None if self.form.editable else problem
        settings: Settings | None = None
        if self.problem is None:
            try:
                settings = self.form.client_settings()
            except InvalidConfiguration as error:
                self.problem = error
        if self.problem is not None:
            # Made for no server at all: a page that cannot sign anyone in shows no session.
            settings = Settings(server_url="", app_id="")
        self.client = make_client(settings)
        self.login_form = by_id("login-form")
        # Shown by loading.js instead of the form while a stored session is being checked.
        self.session_check = by_id("session-check")
        self.login_button = by_id("login")
        self.form_error = by_id("form-error")
        self.banner = by_id("banner")
        self.notice = by_id("notice")
        self.popup_wait = by_id("popup-wait")
        self.popup_wait_text = by_id("popup-wait-text")
        self._loading_more = False
        # Proxies must outlive this call: the browser calls them on every event.
        self._proxies: list[Any] = []
        self._listen(self.login_form, "submit", self._on_submit)
        self._listen(by_id("cancel-login"), "click", self._on_cancel_click)
        self._listen(self.view.load_more, "click", self._on_load_more_click)
        self._listen(by_id("logout"), "click", self._on_logout_click)
        self.retry_button = el("button", self.words("action-retry"), type="button", id="retry",
                               class_="secondary")
        self._listen(self.retry_button, "click", self._on_retry_click)
        self.client.on_change(self._on_session_change)
        self.client.on_popup_state(self._on_popup_state)
        on_restored(self._on_restored)

    def _listen(self, node: Any, event: str, handler: Any) -> None:
        proxy = create_proxy(handler)
        self._proxies.append(proxy)
        node.addEventListener(event, proxy)

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Fill in the form, say what is wrong with the site if anything, then show who is
        signed in (or the login button)."""
        self.form.fill()
        if self.problem is not None:
            self.show_banner(message_for(self.problem))
        try:
            signed_in = self.client.signed_in
        except Exception as error:  # storage blocked, say: the form stays usable and says why
            if not isinstance(error, SpeckleError):
                report(error, "starting the page")
            self.show_signed_out()
            self.show_banner(self.message(error))
            return
        if signed_in:
            session = self.client.session
            await self.show_signed_in()
            # Back from Speckle's consent page: the visitor pressed "Log in" a moment ago, and
            # lands on who is signed in (a later visit leaves focus where the browser puts it).
            just_now = (session is not None
                        and time.time() - session.created_at < JUST_SIGNED_IN_SECONDS)
            if just_now and not self.view.heading.hidden:
                by_id("user-name").focus()
            return
        self.show_signed_out()
        dropped = self.client.dropped_session  # signed out without logging out: say so
        if dropped is not None and self.problem is None:
            self.show_banner(self.message(dropped), info=True)

    # -- views --------------------------------------------------------------------------

    def set_state(self, state: str) -> None:
        document.body.dataset.state = state

    def show_signed_out(self) -> None:
        self.session_check.hidden = True
        self.view.section.hidden = True
        self.login_form.hidden = False
        self.login_button.disabled = self.problem is not None
        self.popup_wait.hidden = True
        self.set_state("signed-out")

    async def show_signed_in(self) -> None:
        """Ask the server who is signed in, then show them; until it answers the page says
        it is signing them in (loading.js said so already on a visit with a stored session),
        never an empty profile or a disabled "Log in"."""
        self.login_form.hidden = True
        if self.session_check.hidden and self.view.section.hidden:
            self.session_check.textContent = self.words("completing")
            self.session_check.hidden = False
        self.announce("")
        try:
            viewer = await self.client.viewer()
        except SessionExpired as error:
            self.show_signed_out()
            self.show_banner(self.message(error))
            return
        except Exception as error:  # still signed in: say what failed, keep "Log out" working
            if not isinstance(error, SpeckleError):
                report(error, "loading the signed-in view")
            self.view.render_unreachable()
            self.session_check.hidden = True
            self.view.section.hidden = False
            self.show_banner(self.message(error), retry=True)
            self.set_state("signed-in")
            return
        self.show_banner(None)
        self.session_check.hidden = True
        self.view.section.hidden = False
        if viewer.missing_scope:  # the token is kept: the view shows what the server did return
            self.show_banner(self.message(MissingScope(viewer.missing_scope)))
        self.view.render(viewer)
        self.set_state("signed-in")

    # -- messages -----------------------------------------------------------------------

    def message(self, error: BaseException) -> Message:
        """``error``'s message, for a person who chose the settings when they are editable."""
        return message_for(error, self.form.editable)

    def message_nodes(self, message: Message) -> list[Any]:
        """Title, words for the visitor, and (when the settings are editable) the detail."""
        nodes: list[Any] = [el("strong", message.title), " ", message.detail]
        if self.form.editable and message.extra_detail:
            nodes.append(el("small", message.extra_detail, class_="technical"))
        return nodes

    def show_banner(self, message: Message | None, info: bool = False,
                    retry: bool = False) -> None:
        """The message above the form; ``info`` for news that is nobody's fault (a calmer
        colour than an error's); ``retry``: with "Try again" (loading the signed-in view)."""
        if message is None:
            self.banner.hidden = True
            replace_children(self.banner)
            return
        report_message(message)
        replace_children(self.banner, *self.message_nodes(message))
        if retry and message.action == "retry":
            self.retry_button.removeAttribute("aria-busy")
            self.banner.append(el("br"), self.retry_button)
        self.banner.classList.toggle("info", info)
        self.banner.hidden = False

    def show_form_error(self, message: Message | None) -> None:
        if message is None:
            show_message(self.form_error, None)
            return
        report_message(message)
        replace_children(self.form_error, *self.message_nodes(message))
        # A choice the visitor made is a note, announced politely; a failure is an alert.
        self.form_error.className = "calm" if message.calm else "error"
        self.form_error.setAttribute("role", "status" if message.calm else "alert")
        self.form_error.hidden = False

    def show_login_error(self, error: BaseException) -> None:
        """Why a login did not start or end, with the field at fault marked when editable."""
        self.form.mark_invalid(error)
        self.show_form_error(self.message(error))
        self.login_button.disabled = False

    def announce(self, text: str) -> None:
        """Say ``text`` to screen readers through the shown live region (sign-outs)."""
        self.notice.textContent = text

    # -- logging in ---------------------------------------------------------------------

    def _on_submit(self, event: Any) -> None:
        # Synchronous on purpose: preventDefault must run before the browser submits the form,
        # and a login popup must open inside this event, before any await, or a popup blocker
        # stops it. ``login()`` opens it during the call; the rest runs as a task.
        event.preventDefault()
        if self.problem is None:
            self.login()

    def login(self) -> None:
        """Start a login with the page's settings (the site's, or the form's when editable)."""
        self.show_form_error(None)
        self.show_banner(None)
        self.announce("")
        self.login_button.disabled = True
        try:
            login = self.client.login(settings=self.form.settings())
        except Exception as error:  # whatever it was, the button comes back with a message
            if not isinstance(error, SpeckleError):
                report(error, "starting the login")
            self.show_login_error(error)
            return
        if self.client.login_pending:
            self._on_popup_state("")
            self.popup_wait.hidden = False
            self.set_state("waiting")
        spawn(self._await_login(login))

    async def _await_login(self, login: Coroutine[Any, Any, None]) -> None:
        """Await a login; a popup login ends here, signed in or with the reason it did not."""
        try:
            await login
        except Exception as error:
            if self.client.login_pending:  # a newer login replaced this one: it speaks for itself
                return
            if not isinstance(error, SpeckleError):
                report(error, "logging in")
            self.show_signed_out()
            self.show_login_error(error)
            return
        if self.client.signed_in:  # a redirect login never gets here: the page has left
            self.popup_wait.hidden = True
            await self.show_signed_in()
            # The button that had focus is gone: focus goes where the visitor now is.
            by_id("user-name").focus()

    def _on_popup_state(self, state: str) -> None:
        """What the page can tell of the login popup (``data-popup``: ``open``, ``detached``)."""
        self.popup_wait.dataset.popup = state
        self.popup_wait_text.textContent = self.words(POPUP_WAIT_WORDS.get(state, "popup-wait"))

    def _on_cancel_click(self, event: Any) -> None:
        self.client.cancel_login()

    def _on_retry_click(self, event: Any) -> None:
        spawn(self.retry())

    async def retry(self) -> None:
        """Load the signed-in view again; focus goes to the name once it is there."""
        # Busy, not gone at once: the click is answered, and focus stays until the view is.
        self.retry_button.setAttribute("aria-busy", "true")
        await self.show_signed_in()
        if not self.view.heading.hidden:  # the view is there: focus goes to who is signed in
            by_id("user-name").focus()

    # -- signed in ----------------------------------------------------------------------

    def _on_load_more_click(self, event: Any) -> None:
        spawn(self.load_more())

    async def load_more(self) -> None:
        """The next page of projects, announced; focus stays on "Load more", or moves to the
        first new project when nothing is left to load."""
        view = self.view
        if view.next_cursor is None or self._loading_more:
            return
        # Busy, not disabled: disabling the focused button would throw keyboard focus away.
        self._loading_more = True
        view.load_more.setAttribute("aria-busy", "true")
        try:
            page = await self.client.projects(view.next_cursor)
            first_new = view.shown
            added = view.append(page)
            view.announce(self.words("more-loaded", added=added, shown=view.shown,
                                     total=page.total_count))
            if view.load_more.hidden and added:  # nothing left to load: focus what arrived
                view.focus_item(first_new)
        except SessionExpired as error:
            self.show_signed_out()
            self.show_banner(self.message(error))
        except Exception as error:
            if not isinstance(error, SpeckleError):
                report(error, "loading more projects")
            self.show_banner(self.message(error))
        finally:
            self._loading_more = False
            view.load_more.removeAttribute("aria-busy")

    def _on_logout_click(self, event: Any) -> None:
        spawn(self.logout())

    async def logout(self) -> None:
        self.form.forget()
        try:
            await self.client.logout()
        except Exception as error:  # the client forgets first: whatever failed, show the form
            if not isinstance(error, SpeckleError):
                report(error, "logging out")
            self.show_signed_out()
            self.show_banner(self.message(error))
        self.login_button.focus()

    def _on_session_change(self, session: object) -> None:
        # Sign-out (here or in another tab) returns to the login button at once.
        if session is None:
            self.show_banner(None)
            self.show_signed_out()
            self.announce(self.words("signed-out-notice"))

    def _on_restored(self) -> None:
        # Back from the consent page, a page restored as it was left has "Log in" disabled.
        self.login_button.disabled = self.problem is not None


async def main() -> None:
    config, problem = load_config()
    report_unknown_keys(config)
    if problem is None and not (config.get("serverUrl") and config.get("appId")):
        problem = InvalidConfiguration("config_incomplete", value=CONFIG_FILE)
    await AppPage(config, problem).start()
