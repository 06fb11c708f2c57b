"""The drop-in login widget: a "Log in with Speckle" button, then the user's name and
"Log out", rendered into an element the site author chooses.

It lives in a Shadow DOM root of that element, so the host page's rules do not reach in
and its own stay inside; it inherits the host's font and text colour, and takes its colours,
radius and spacing from ``--speckle-login-*`` custom properties the host may set (see
``STYLE``). Authors can still restyle it through
``::part(box|login-button|logout-button|cancel-button|name|avatar)``; a mark of the site's
(an ``<img>`` or ``<svg>`` with ``slot="mark"``, inside the host element, styled by the page
like its own) shows in the button. The stylesheet is a constructed ``CSSStyleSheet``, which
a ``style-src 'self'`` Content-Security-Policy allows, unlike a ``<style>`` element. Every
text comes from the page's words (:mod:`pyapp.words`).

The login lifecycle is the :class:`~pyapp.login_controller.LoginController`'s, shared with
the app page; the widget draws its screens. The host element reports the state in
``data-state``: ``loading`` (set in the page's HTML; ``loading.js`` turns it into ``error``
with a message if the runtime cannot load), ``completing`` (finishing a login on the
callback page), ``checking`` (a stored session is checked), ``redirecting`` (the page is
leaving for Speckle), ``waiting`` (for a login popup), ``signed-out``, ``signed-in``,
``offline`` (signed in, Speckle unreachable: "Try again"), or ``error`` (the widget's
settings are unusable). It fires a ``speckle-login:change`` event (``detail``:
``signedIn``, ``name``) for the page's own scripts. It logs in through a popup unless
``loginMode`` says ``redirect``, so the host page keeps its state; a blocked popup falls
back to the redirect. When the page itself is the registered redirect URL, the widget
finishes a redirect login in place; a failure there is explained with a link back to where
the login started, and "Log in" starts over with the settings of the login that failed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

from ..browser import make_client
from ..browser.page import data_attributes, find_element
from ..client import SpeckleClient
from ..config import Settings, load_config_file
from ..embed import CONFIG_ATTRIBUTE, is_callback_url, resolve_settings
from ..login_controller import LoginController, Screen, State
from ..messages import Message
from ..speckle_api import UserProfile
from ..words import Words, active
from . import BrowserConsole, spawn
from .dom import el, mark_busy, on_restored, replace_children
from .page_words import choose_words

CHANGE_EVENT = "speckle-login:change"
RETURN_TO_ATTRIBUTE = "data-return-to"

# Only the boxes the widget draws have colours of their own; its text takes the host's font
# and colour, so it reads well on a light header and a dark one alike. Each colour, the
# radius and the spacing can be set by the host page through --speckle-login-* properties
# (on the host element or any ancestor: custom properties inherit into the shadow root).
STYLE = """
:host { display: block; line-height: 1.4;
        --_accent: var(--speckle-login-accent, #0a5bd8);
        --_on-accent: var(--speckle-login-on-accent, #fff);
        --_radius: var(--speckle-login-radius, 6px);
        --_gap: var(--speckle-login-gap, .6rem);
        --_error-text: var(--speckle-login-error-text, #8a1c1c);
        --_error-background: var(--speckle-login-error-background, #fdecec);
        --_note-background: var(--speckle-login-note-background, rgb(128 128 128 / 14%));
        --_message-width: var(--speckle-login-message-width, 22rem); }
@media (prefers-color-scheme: dark) {
  :host { --_error-text: var(--speckle-login-error-text, #ffd7d5);
          --_error-background: var(--speckle-login-error-background, #5c1515); }
}
[hidden] { display: none !important; }
.box { display: flex; flex-wrap: wrap; align-items: center; gap: var(--_gap); }
button { display: inline-flex; align-items: center; gap: .5em; padding: .5rem 1rem;
         border: 1px solid var(--_accent); border-radius: var(--_radius);
         background: var(--_accent); color: var(--_on-accent); font: inherit; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
button.logout, button.cancel { background: transparent; color: inherit;
                               border-color: currentColor; white-space: nowrap; }
button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
::slotted([slot=mark]) { display: block; width: 1.25em; height: 1.25em; flex: none; }
.wait { margin: 0; display: flex; flex-wrap: wrap; align-items: center; gap: var(--_gap); }
.user { display: flex; align-items: center; gap: var(--_gap); min-width: 0; }
.name { min-width: 0; overflow-wrap: anywhere; }
.avatar { flex: none; width: 2rem; height: 2rem; border-radius: 50%; background: var(--_accent);
          color: var(--_on-accent); display: grid; place-items: center; font-weight: 700;
          font-size: .8rem; }
.message { flex-basis: 100%; max-width: var(--_message-width); margin: 0; padding: .5rem .7rem;
           border-radius: var(--_radius); color: var(--_error-text);
           background: var(--_error-background); }
.message a { color: inherit; }
.message.calm { color: inherit; background: var(--_note-background); }
/* Fingers need room: every target at least 44 px on a touch screen. */
@media (pointer: coarse) {
  button { min-height: 44px; min-width: 44px; }
}
"""


def _js_object(value: Mapping[str, Any]) -> Any:
    return to_js(value, dict_converter=js.Object.fromEntries)


# ``data-state`` on the host element for each of the controller's states.
HOST_STATES: dict[State, str] = {
    "starting": "loading", "finishing": "completing", "checking-session": "checking",
    "signed-out": "signed-out", "redirecting": "redirecting",
    "waiting-for-popup": "waiting", "signed-in": "signed-in", "offline": "offline",
    "error": "error",
}


class LoginWidget:
    """One mounted widget; ``client`` is the :class:`SpeckleClient` it signs in with."""

    def __init__(self, host: Any, client: SpeckleClient, return_to: str | None = None,
                 words: Words | None = None) -> None:
        self.host = host
        self.client = client
        self.return_to = return_to
        self.words = w = words or active()
        root = host.shadowRoot or host.attachShadow(_js_object({"mode": "open"}))
        sheet = js.CSSStyleSheet.new()
        sheet.replaceSync(STYLE)
        root.adoptedStyleSheets = js.Array.of(sheet)
        self.message = el("p", class_="message", role="alert", hidden=True)
        # A mark the site supplies (<img slot="mark" alt=""> or <svg slot="mark">) shows in
        # the button; the label keeps the button's name whatever the mark says.
        self.login_button = el("button", el("slot", name="mark"),
                               el("span", w("login-button")), type="button", class_="login",
                               part="login-button", aria_label=w("login-button"), disabled=True)
        self.status = el("p", class_="wait", role="status", hidden=True)
        self.avatar = el("span", class_="avatar", part="avatar", aria_hidden="true")
        # Focusable by script only: focus lands on who is signed in after a login.
        self.name = el("span", class_="name", part="name", tabindex="-1")
        self.logout_button = el("button", w("logout-button"), type="button", class_="logout",
                                part="logout-button")
        self.user_box = el("div", self.avatar, self.name, self.logout_button, class_="user",
                           hidden=True)
        self.cancel_button = el("button", w("cancel-button"), type="button", class_="cancel",
                                part="cancel-button")
        self.wait_box = el("p", el("span", w("popup-wait")), self.cancel_button,
                           class_="wait", role="status", hidden=True)
        self.retry_button = el("button", w("action-retry"), type="button", class_="cancel",
                               part="retry-button")
        replace_children(root, el("div", self.login_button, self.status, self.wait_box,
                                  self.user_box, self.message, class_="box", part="box",
                                  lang=w.language))
        self._message_drawn: Message | None = None
        self._told: tuple[bool, str | None] | None = None  # the last change event's detail
        self.controller: LoginController[UserProfile | None] = LoginController(
            client, load_profile=client.user, render=self.render, spawn=spawn,
            console=BrowserConsole("the login widget, "), words=w, clock=time.time,
            default_mode="popup")
        # Proxies must outlive this call: the browser calls them on every click.
        self._proxies: list[Any] = []
        for button, handler in ((self.login_button, self._on_login_click),
                                (self.logout_button, self._on_logout_click),
                                (self.cancel_button, self._on_cancel_click),
                                (self.retry_button, self._on_retry_click)):
            self._proxies.append(proxy := create_proxy(handler))
            button.addEventListener("click", proxy)
        on_restored(self.controller.restored)
        self.host.dataset.state = "loading"

    async def start(self, problem: BaseException | None = None) -> None:
        """Show why the settings are unusable (``problem``), or finish a login the address
        bar reports (if any), then show who is signed in."""
        here = str(js.location.href)
        await self.controller.start(problem=problem,
                                    callback_url=here if is_callback_url(here) else None)

    # -- drawing ------------------------------------------------------------------------

    def render(self, screen: Screen[UserProfile | None]) -> None:
        """Draw ``screen`` in the widget, and tell the page when who is signed in changed."""
        state = screen.state
        signed_in = state in ("signed-in", "offline") or (state == "checking-session"
                                                          and screen.busy)
        self.login_button.hidden = signed_in or screen.shows_status or \
            state == "waiting-for-popup"
        self.login_button.disabled = not screen.can_log_in
        self.status.hidden = not screen.shows_status
        if screen.shows_status:
            self.status.textContent = self.words(screen.status)
        self.wait_box.hidden = state != "waiting-for-popup"
        self.user_box.hidden = not signed_in
        self.logout_button.disabled = screen.busy
        user = screen.profile
        name = (user.name if user else "") or self.words("signed-in-name")
        if signed_in:
            self.avatar.textContent = user.initials if user else "?"
            self.name.textContent = name
        if screen.message is not self._message_drawn:  # a link back comes only with it
            self._message_drawn = screen.message
            self._draw_message(screen)
        self.retry_button.hidden = not screen.offers_retry
        mark_busy(self.retry_button, screen.busy)
        self.host.dataset.state = HOST_STATES[state]
        if state in ("signed-in", "offline", "signed-out"):
            self._tell(state != "signed-out", name if state != "signed-out" else None)
        if screen.focus == "name":
            self.name.focus()
        elif screen.focus == "login":
            self.login_button.focus()

    def _draw_message(self, screen: Screen[UserProfile | None]) -> None:
        """The message (its title, its words), with a link to where a login began."""
        message = screen.message
        self.message.hidden = message is None
        if message is None:
            replace_children(self.message)
            return
        replace_children(self.message, el("strong", message.title), " ", message.detail)
        self.message.className = "message calm" if message.calm else "message"
        self.message.setAttribute("role", "status" if message.calm else "alert")
        if screen.back_to:
            self.message.append(" ", el("a", self.words("back-link"), href=screen.back_to))
        if message.action == "retry":
            self.message.append(" ", self.retry_button)

    def _tell(self, signed_in: bool, name: str | None) -> None:
        """``speckle-login:change`` for the page's scripts, once per change."""
        if self._told == (signed_in, name):
            return
        self._told = (signed_in, name)
        detail = {"signedIn": signed_in, "name": name}
        self.host.dispatchEvent(js.CustomEvent.new(CHANGE_EVENT, _js_object(
            {"detail": detail, "bubbles": True, "composed": True})))

    # -- clicks -------------------------------------------------------------------------

    def _on_login_click(self, event: Any) -> None:
        # Synchronous on purpose: a login popup opens inside the click, as popup blockers
        # require. A popup unless the settings say ``redirect`` (then the login returns to
        # ``return_to``, by default this page).
        self.controller.login(return_to=self.return_to)

    def _on_cancel_click(self, event: Any) -> None:
        self.controller.cancel()

    def _on_retry_click(self, event: Any) -> None:
        self.controller.retry()

    def _on_logout_click(self, event: Any) -> None:
        spawn(self.controller.logout())


async def mount(
    target: Any = "#speckle-login",
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    config_file: str | None = None,
    return_to: str | None = None,
    language: str | None = None,
    words: Mapping[str, str] | None = None,
) -> LoginWidget:
    """Render the login widget into ``target`` (an element or a CSS selector).

    Settings are layered as in :func:`pyapp.connect`: ``config_file`` (or the element's
    ``data-config``), the element's ``data-*`` attributes, then ``settings``.
    ``return_to`` (or ``data-return-to``) is where a finished login lands; by default the
    page the login started from. A bad configuration is shown in the widget, not raised, so
    the host page keeps working.

    The widget speaks ``language`` (or ``data-language``, or the config file's
    ``"language"``; else the page's ``lang`` or the browser's, see :mod:`pyapp.words`), with
    single texts replaced by ``words`` (key -> text), ``data-word-<key>`` attributes or the
    config file's ``"words"``.
    """
    host = find_element(target)
    attributes = data_attributes(host)
    problem: Exception | None = None
    try:
        resolved = resolve_settings(settings, config_file=config_file, attributes=attributes)
    except Exception as error:  # shown in the widget below, whatever it is
        resolved, problem = None, error
    config_file = config_file or attributes.get(CONFIG_ATTRIBUTE) or None
    try:
        site_config = load_config_file(config_file) if config_file else {}
    except Exception:  # an unreadable file is already the problem shown above
        site_config = {}
    page_words = choose_words(site_config, attributes, language, words)
    widget = LoginWidget(host, make_client(resolved),
                         return_to or attributes.get(RETURN_TO_ATTRIBUTE) or None, page_words)
    await widget.start(problem)
    return widget
