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

The host element reports the widget's state in ``data-state``: ``loading`` (set in the
page's HTML; ``loading.js`` turns it into ``error`` with a message if the runtime cannot
load), ``completing`` (finishing a login on the callback page), ``waiting`` (for a login
popup), ``signed-out``, ``signed-in``, or ``error`` (the widget's settings are unusable). It
fires a ``speckle-login:change`` event (``detail``: ``signedIn``, ``name``) for the page's
own scripts. It logs in through a popup unless ``loginMode`` says ``redirect``, so the host
page keeps its state; a blocked popup falls back to the redirect. When the page itself is
the registered redirect URL, the widget finishes a redirect login in place; a failure there
is explained with a link back to where the login started, and "Log in" starts over with
the settings of the login that failed.
"""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from typing import Any

import js
from pyodide.ffi import create_proxy, to_js

from ..browser import make_client
from ..browser.page import data_attributes, find_element
from ..client import SpeckleClient
from ..config import Settings, load_config_file
from ..embed import CONFIG_ATTRIBUTE, is_callback_url, resolve_settings
from ..errors import SessionExpired, SpeckleError
from ..messages import Message, message_for
from ..page_urls import same_page
from ..speckle_api import UserProfile
from ..words import Words, active
from . import report, spawn
from .dom import el, on_restored, replace_children, report_message
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


class LoginWidget:
    """One mounted widget; ``client`` is the :class:`SpeckleClient` it signs in with."""

    def __init__(self, host: Any, client: SpeckleClient, return_to: str | None = None,
                 words: Words | None = None) -> None:
        self.host = host
        self.client = client
        self.return_to = return_to
        self.words = w = words or active()
        # On a bare callback page (a widget with no settings of its own), the settings of the
        # login that failed there: "Log in" starts that login over.
        self._retry_settings: Settings | None = None
        # Proxies must outlive this call: the browser calls them on every click.
        self._proxies = [create_proxy(self._on_login_click), create_proxy(self._on_logout_click),
                         create_proxy(self._on_cancel_click)]
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
        self.avatar = el("span", class_="avatar", part="avatar", aria_hidden="true")
        self.name = el("span", class_="name", part="name")
        self.logout_button = el("button", w("logout-button"), type="button", class_="logout",
                                part="logout-button")
        self.user_box = el("div", self.avatar, self.name, self.logout_button, class_="user",
                           hidden=True)
        self.cancel_button = el("button", w("cancel-button"), type="button", class_="cancel",
                                part="cancel-button")
        self.wait_box = el("p", el("span", w("popup-wait")), self.cancel_button,
                           class_="wait", role="status", hidden=True)
        replace_children(root, el("div", self.login_button, self.wait_box, self.user_box,
                                  self.message, class_="box", part="box", lang=w.language))
        self.login_button.addEventListener("click", self._proxies[0])
        self.logout_button.addEventListener("click", self._proxies[1])
        self.cancel_button.addEventListener("click", self._proxies[2])
        client.on_change(self._on_session_change)
        on_restored(self._on_restored)
        self._set_state("loading")

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Finish a login the address bar reports (if any), then show who is signed in."""
        here = str(js.location.href)
        if is_callback_url(here):
            self._set_state("completing")
            try:
                result = await self.client.finish_login()
            except SpeckleError as error:
                if self.client.settings is None:
                    self._retry_settings = error.login_settings  # "Log in" starts it over
                back = error.return_to
                self.show_message(message_for(error),
                                  back if back and not same_page(back, here) else None)
            except Exception as error:
                self.fail(error, "finishing the login")
            else:
                if not same_page(result.return_to, here):
                    return  # the client is taking the user back to where the login started
        await self.refresh()

    async def refresh(self) -> None:
        """Render the current session: the login button, or the user and "Log out"."""
        try:
            signed_in = self.client.signed_in
        except Exception as error:  # storage blocked: the button stays, and says why
            self.show_signed_out()
            self.fail(error, "reading the session")
            return
        if not signed_in:
            self.show_signed_out()
            dropped = self.client.dropped_session  # signed out without logging out
            if dropped is not None and self.message.hidden:  # a failed login speaks first
                self.show_message(message_for(dropped))
            return
        user: UserProfile | None = None
        try:
            user = await self.client.user()
        except SessionExpired as error:  # the client has already forgotten the session
            self.show_signed_out()
            self.show_message(message_for(error))
            return
        except Exception as error:  # still signed in: say what failed, keep "Log out"
            self.fail(error, "loading the profile")
        self.show_signed_in(user)

    # -- views --------------------------------------------------------------------------

    def show_signed_out(self) -> None:
        self.wait_box.hidden = True
        self.user_box.hidden = True
        self.login_button.hidden = False
        self.login_button.disabled = False
        self._set_state("signed-out", None)

    def show_signed_in(self, user: UserProfile | None) -> None:
        name = (user.name if user else "") or self.words("signed-in-name")
        self.avatar.textContent = user.initials if user else "?"
        self.name.textContent = name
        self.login_button.hidden = True
        self.wait_box.hidden = True
        self.user_box.hidden = False
        self.logout_button.disabled = False
        self._set_state("signed-in", name)

    def show_message(self, message: Message | None, back_to: str | None = None) -> None:
        """``message`` in the widget (its title, its words), with a link to ``back_to``."""
        self.message.hidden = message is None
        if message is None:
            replace_children(self.message)
            return
        report_message(message)
        replace_children(self.message, el("strong", message.title), " ", message.detail)
        self.message.className = "message calm" if message.calm else "message"
        self.message.setAttribute("role", "status" if message.calm else "alert")
        if back_to:
            self.message.append(" ", el("a", self.words("back-link"), href=back_to))

    def fail(self, error: BaseException, where: str) -> None:
        """Show ``error``'s message; report it to the console too unless it is a typed one."""
        if not isinstance(error, SpeckleError):
            report(error, f"the login widget, {where}")
        self.show_message(message_for(error))

    def _set_state(self, state: str, name: str | None = None) -> None:
        self.host.dataset.state = state
        if state in ("signed-in", "signed-out"):
            detail = {"signedIn": state == "signed-in", "name": name}
            self.host.dispatchEvent(js.CustomEvent.new(CHANGE_EVENT, _js_object(
                {"detail": detail, "bubbles": True, "composed": True})))

    # -- events -------------------------------------------------------------------------

    def _on_login_click(self, event: Any) -> None:
        self.login()

    def login(self) -> None:
        """Start a login: a popup unless the settings say ``redirect`` (then it returns to
        ``return_to``, by default this page). Synchronous on purpose: called from the click,
        it opens the popup inside the click, as popup blockers require."""
        self.show_message(None)
        self.login_button.disabled = True
        settings = self.client.settings or self._retry_settings
        popup = settings is None or (settings.login_mode or "popup") == "popup"
        try:
            login = self.client.login(self.return_to, settings=settings, popup=popup)
        except Exception as error:  # whatever it was, the button comes back with a message
            self.fail(error, "starting the login")
            self.login_button.disabled = False
            return
        if self.client.login_pending:
            self.login_button.hidden = True
            self.wait_box.hidden = False
            self._set_state("waiting")
        spawn(self._finish(login))

    def _on_cancel_click(self, event: Any) -> None:
        self.client.cancel_login()

    def _on_logout_click(self, event: Any) -> None:
        spawn(self.logout())

    def _on_restored(self) -> None:
        # Back from the consent page, the page is shown as it was left: button disabled.
        # (Unusable settings keep it disabled: there is nothing to log in with.)
        if self.host.dataset.state != "error":
            self.login_button.disabled = False

    def _on_session_change(self, session: object) -> None:
        # Sign-out (here or in another tab) shows the button at once; a sign-in re-renders.
        if session is None:
            self.show_signed_out()
        else:
            spawn(self.refresh())

    async def _finish(self, login: Coroutine[Any, Any, None]) -> None:
        """Await a login; a popup login ends here (the session listener shows the user)."""
        try:
            await login
        except Exception as error:  # whatever it was, the button comes back with a message
            if self.client.login_pending:  # a newer login replaced this one
                return
            self.show_signed_out()
            self.fail(error, "logging in")

    async def logout(self) -> None:
        self.show_message(None)
        self.logout_button.disabled = True
        try:
            await self.client.logout()
        except Exception as error:  # the client forgets first: show the button regardless
            self.show_signed_out()
            self.fail(error, "logging out")


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
    await widget.start()
    if problem is not None:
        widget.fail(problem, "reading the settings")
        widget.login_button.disabled = True
        widget._set_state("error")
    return widget
