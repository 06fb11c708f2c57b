"""The login lifecycle of a page, written once: a state machine the app page and the widget
share.

The app page (:mod:`pyapp.ui.index_page`) and the widget (:mod:`pyapp.ui.widget`) are thin
views of a :class:`LoginController`. They pass it the visitor's clicks and the browser's
events, and draw each :class:`Screen` it hands them; the controller talks to the
:class:`~pyapp.client.SpeckleClient`, decides what the visitor sees, and reports an
unexpected exception to the console once, here. It touches no DOM, so every transition is
unit-tested in CPython on the fakes.

As in h11's ``_state.py``, the transitions are a table. :data:`TRANSITIONS` says which
event moves which state where; an event the current state does not list is refused with
:class:`BadTransition` (a bug in the caller, never the visitor's doing) rather than drawing
a screen nobody designed::

    starting ─┬─ no-session ──────────▶ signed-out ──login-popup──▶ waiting-for-popup
              ├─ session-found ───────▶ checking-session              │ session-found
              ├─ callback-found ──────▶ finishing ──session-found──▶ checking-session
              └─ unusable ────────────▶ error                          │
    checking-session ─┬─ profile-loaded ──▶ signed-in ──session-ended──▶ signed-out
                      └─ profile-failed ──▶ offline ──retry──▶ checking-session
    signed-out ──login-redirect──▶ redirecting ──restored──▶ signed-out
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from .config import Settings
from .errors import MissingScope, SpeckleError
from .messages import Message, message_for
from .page_urls import same_page
from .words import Words

State = Literal[
    "starting",          # nothing known yet: the page has not looked at its storage
    "finishing",         # completing a login the address bar reports (a callback page)
    "checking-session",  # a session is stored: asking the server who it is
    "signed-out",        # "Log in" works
    "redirecting",       # the page is leaving (for Speckle, or back where a login began)
    "waiting-for-popup",  # a login popup is open: "Cancel" ends the wait
    "signed-in",         # the server said who is signed in
    "offline",           # signed in, but the server did not answer: "Try again"
    "error",             # the site's settings are unusable: nobody can log in here
]

Event = Literal[
    "callback-found", "session-found", "no-session", "storage-failed", "unusable",
    "leaving", "login-redirect", "login-popup", "login-failed", "popup-changed",
    "profile-loaded", "profile-failed", "problem", "session-ended", "retry", "restored",
    "logout",
]

#: state -> event -> next state. Anything else is a :class:`BadTransition`.
TRANSITIONS: dict[State, dict[Event, State]] = {
    "starting": {
        "callback-found": "finishing", "session-found": "checking-session",
        "no-session": "signed-out", "storage-failed": "signed-out", "unusable": "error",
    },
    "finishing": {
        "session-found": "checking-session", "no-session": "signed-out",
        "storage-failed": "signed-out", "leaving": "redirecting", "restored": "finishing",
    },
    "checking-session": {
        "profile-loaded": "signed-in", "profile-failed": "offline",
        "session-ended": "signed-out", "session-found": "checking-session",
        "problem": "checking-session", "restored": "checking-session",
    },
    "signed-out": {
        "login-redirect": "redirecting", "login-popup": "waiting-for-popup",
        "login-failed": "signed-out", "session-found": "checking-session",
        "session-ended": "signed-out", "problem": "signed-out", "restored": "signed-out",
    },
    "redirecting": {
        # Back from Speckle's page, the browser may show this page as it was left.
        "restored": "signed-out", "login-failed": "signed-out",
        "session-found": "checking-session", "session-ended": "redirecting",
    },
    "waiting-for-popup": {
        "session-found": "checking-session", "login-failed": "signed-out",
        "popup-changed": "waiting-for-popup", "session-ended": "waiting-for-popup",
        "restored": "waiting-for-popup",
    },
    "signed-in": {
        "session-ended": "signed-out", "session-found": "signed-in", "logout": "signed-in",
        "problem": "signed-in", "restored": "signed-in",
    },
    "offline": {
        "retry": "checking-session", "session-ended": "signed-out",
        "session-found": "offline", "logout": "offline", "problem": "offline",
        "restored": "offline",
    },
    "error": {"restored": "error", "session-ended": "error", "session-found": "error"},
}

#: Where the screen's message belongs: ``login`` answers the visitor's "Log in" (shown by
#: the button, with the setting at fault marked when settings are editable); ``page`` is
#: about the page or the session (a banner).
Place = Literal["login", "page"]
#: What to focus once the screen is drawn: the signed-in name, or the "Log in" button.
Focus = Literal["name", "login"]

# A session younger than this was made by the login that brought the visitor here: the
# page says "Signing you in…" (not "Checking your session…") and focuses their name.
# loading.js uses the same bound before Python runs.
JUST_SIGNED_IN_SECONDS = 60

P = TypeVar("P")

#: A message still to be said once someone is shown signed in: (message, error, link back).
_Said = tuple[Message | None, BaseException | None, str | None]
_NOTHING_SAID: _Said = (None, None, None)


class BadTransition(Exception):
    """An event the current state does not expect: a bug in the caller."""

    def __init__(self, state: State, event: Event) -> None:
        super().__init__(f"{event!r} is not expected in state {state!r}")
        self.state = state
        self.event = event


@dataclass(frozen=True)
class Screen(Generic[P]):
    """Everything a view draws, for one moment of the lifecycle."""

    state: State
    #: What the visitor is told (None: nothing), where it goes, and the error it is about.
    message: Message | None = None
    place: Place = "page"
    error: BaseException | None = None
    #: Who is signed in, as the page's ``load_profile`` returned it (kept while offline).
    profile: P | None = None
    #: What the page can tell of a login popup: ``""``, ``open`` or ``detached``.
    popup: str = ""
    #: A click is being answered (logging out, trying again): buttons show it is busy.
    busy: bool = False
    #: Focus to move once drawn (None: leave it where it is).
    focus: Focus | None = None
    #: A sentence for screen readers' polite live region ("You have signed out.").
    notice: str = ""
    #: A link back to where a failed login started (on a callback page), when elsewhere.
    back_to: str | None = None
    #: The words key of the line shown while a session is checked or a login finished
    #: (empty while the page leaves for Speckle: "Log in" stays, disabled).
    status: str = "checking-session"

    @property
    def can_log_in(self) -> bool:
        """Whether "Log in" is shown and works."""
        return self.state == "signed-out"

    @property
    def offers_retry(self) -> bool:
        """Whether "Try again" is shown: signed in, the server unreachable for now (and
        while that click is answered, so the focused button stays)."""
        trying = self.state == "offline" or (self.state == "checking-session" and self.busy)
        return trying and self.message is not None and self.message.action == "retry"

    @property
    def shows_status(self) -> bool:
        """Whether the "Checking your session…" (or "Signing you in…") line is shown."""
        leaving = self.state == "redirecting" and bool(self.status)  # back where it began
        return (self.state in ("finishing", "checking-session") or leaving) \
            and not self.busy and self.profile is None

    @property
    def signed_in(self) -> bool:
        """Whether someone is signed in (the server may not have said who yet)."""
        return self.state in ("checking-session", "signed-in", "offline")


class Console(Protocol):
    """Where the site owner reads what went wrong (the browser console)."""

    def unexpected(self, error: BaseException, where: str) -> None:
        """An exception that is not one of pyapp's: its type and where (never its text)."""

    def handled(self, message: Message) -> None:
        """A message the visitor was shown, with its technical detail."""


class Client(Protocol):
    """What the controller uses of :class:`~pyapp.client.SpeckleClient`."""

    settings: Settings | None

    @property
    def signed_in(self) -> bool: ...
    @property
    def session(self) -> Any: ...
    @property
    def dropped_session(self) -> SpeckleError | None: ...
    @property
    def login_pending(self) -> bool: ...
    def login(self, return_to: str | None = None, *, settings: Settings | None = None,
              popup: bool | None = None) -> Coroutine[Any, Any, None]: ...
    def cancel_login(self) -> None: ...
    async def finish_login(self) -> Any: ...
    async def logout(self) -> None: ...
    def on_change(self, listener: Callable[[Any], None]) -> Callable[[], None]: ...
    def on_popup_state(self, listener: Callable[[str], None]) -> Callable[[], None]: ...


class LoginController(Generic[P]):
    """One page's login lifecycle. ``load_profile`` asks the server who is signed in (the
    app page's viewer with projects, the widget's profile); ``render`` draws each screen;
    ``spawn`` runs a coroutine from a synchronous handler; ``clock`` gives Unix seconds.

    ``default_mode`` is how a login runs when its settings do not say (``loginMode``);
    ``editable``: the visitor chose the settings (messages then say which one is wrong)."""

    def __init__(
        self,
        client: Client,
        *,
        load_profile: Callable[[], Awaitable[P]],
        render: Callable[[Screen[P]], None],
        spawn: Callable[[Coroutine[Any, Any, None]], None],
        console: Console,
        words: Words,
        clock: Callable[[], float],
        default_mode: Literal["popup", "redirect"],
        editable: bool = False,
    ) -> None:
        self.client = client
        self._load_profile = load_profile
        self._render = render
        self._spawn = spawn
        self._console = console
        self._words = words
        self._clock = clock
        self._default_mode = default_mode
        self._editable = editable
        self.screen: Screen[P] = Screen("starting")
        # Focus moves to the name once it is shown, after a login made on this page.
        self._focus_name = False
        # On a callback page with no settings of its own: the failed login's, to start over.
        self._retry_settings: Settings | None = None
        # A message to show with the signed-in view once it is there: (message, error, link).
        self._said: _Said = _NOTHING_SAID
        client.on_change(self._on_session_change)
        client.on_popup_state(self._on_popup_state)

    @property
    def state(self) -> State:
        return self.screen.state

    # -- the table ----------------------------------------------------------------------

    def _move(self, event: Event, **changes: Any) -> bool:
        """Take ``event``: draw the next state's screen, with ``changes``. A one-time focus
        is not carried over, nor is a busy flag; the rest is, unless changed. True when the
        state changed."""
        before = self.state
        after = TRANSITIONS[before].get(event)
        if after is None:
            raise BadTransition(before, event)
        message = changes.get("message")
        if message is not None and message is not self.screen.message:
            self._console.handled(message)
        self.screen = dataclasses.replace(
            self.screen, **{"state": after, "focus": None, "busy": False, **changes})
        self._render(self.screen)
        if after == "checking-session" and before != after:
            self._spawn(self._check_session())
        return after != before

    def _message(self, error: BaseException) -> Message:
        return message_for(error, self._editable, self._words)

    def _report(self, error: BaseException, where: str) -> None:
        """The console hears of an exception that is not one of pyapp's, once."""
        if not isinstance(error, SpeckleError):
            self._console.unexpected(error, where)

    def fail(self, error: BaseException, where: str) -> None:
        """Show what ``error`` means for the visitor, in any state: an ended session signs
        out with its reason; anything else is said on the page, which stays as it is."""
        self._report(error, where)
        if error_clears_session(error):
            self._move("session-ended", message=self._message(error), place="page",
                       error=error, profile=None)
        else:
            self._move("problem", message=self._message(error), place="page", error=error)

    # -- start --------------------------------------------------------------------------

    async def start(self, *, problem: BaseException | None = None,
                    callback_url: str | None = None) -> None:
        """Look at the page: unusable settings (``problem``) end here; a login to finish in
        the address bar (``callback_url``: this page's URL when it is one) is finished; then
        a stored session is checked with the server, or "Log in" is shown."""
        if problem is not None:
            self._report(problem, "reading the settings")
            self._move("unusable", message=self._message(problem), error=problem)
            return
        if callback_url is not None:
            self._move("callback-found", status="completing")
            await self._finish(callback_url)
            return
        self._look_for_session()

    async def _finish(self, here: str) -> None:
        """Complete the login the address bar reports, then show the outcome here (or
        leave, when the login began on another page)."""
        try:
            result = await self.client.finish_login()
        except Exception as error:
            self._report(error, "finishing the login")
            back: str | None = None
            if isinstance(error, SpeckleError):
                if self.client.settings is None:
                    self._retry_settings = error.login_settings  # "Log in" starts it over
                back = error.return_to if error.return_to and not same_page(
                    error.return_to, here) else None
            self._look_for_session(self._message(error), error, back_to=back)
            return
        if not same_page(result.return_to, here):
            self._move("leaving")  # the client is taking the visitor back
            return
        self._look_for_session()  # the session is fresh: focus goes to the name

    def _look_for_session(self, message: Message | None = None,
                          error: BaseException | None = None, back_to: str | None = None
                          ) -> None:
        """From what storage holds: check the session, or show "Log in" with ``message``
        (else with why a session was dropped, when one was)."""
        try:
            session = self.client.session
        except Exception as failure:  # storage blocked: "Log in" stays usable, and says why
            self._report(failure, "reading the session")
            self._move("storage-failed", message=self._message(failure), error=failure)
            return
        if session is not None:
            fresh = self._clock() - float(session.created_at) < JUST_SIGNED_IN_SECONDS
            self._focus_name = self._focus_name or fresh
            # A login that failed on this page while someone is still signed in (Deny on a
            # callback page, say): its message stays with them once they are shown.
            self._said = (message, error, back_to)
            self._move("session-found", status="completing" if fresh else "checking-session",
                       **self._said_now())
            return
        if message is None:
            dropped = self.client.dropped_session  # signed out without logging out: say so
            if dropped is not None:  # news, nobody's fault: said as a note, not an alarm
                message, error = dataclasses.replace(self._message(dropped), calm=True), dropped
        self._move("no-session", message=message, error=error, back_to=back_to)

    async def _check_session(self) -> None:
        """Ask the server who is signed in, and show them (or why not)."""
        try:
            profile = await self._load_profile()
        except Exception as error:
            self._report(error, "loading the signed-in view")
            if error_clears_session(error):  # the client has signed out already: say why
                self._move("session-ended", message=self._message(error), error=error,
                           place="page")
                return
            if self.state != "checking-session":  # signed out meanwhile: nothing to show
                return
            self._said = _NOTHING_SAID  # the server's silence is the news now
            self._move("profile-failed", message=self._message(error), error=error,
                       place="page", focus=self._take_focus("name"))
            return
        if self.state != "checking-session":
            return
        missing = getattr(profile, "missing_scope", None)
        if missing:  # the token stays: show the rest, and say what is missing
            problem = MissingScope(missing)
            self._said = (self._message(problem), problem, None)
        self._move("profile-loaded", profile=profile, focus=self._take_focus("name"),
                   **self._said_now())
        self._said = _NOTHING_SAID

    def _said_now(self) -> dict[str, Any]:
        """The screen's message: what is still to be said (see ``_said``), else none."""
        message, error, back_to = self._said
        return {"message": message, "error": error, "back_to": back_to, "place": "page"}

    def _take_focus(self, focus: Focus) -> Focus | None:
        wanted, self._focus_name = self._focus_name, False
        return focus if wanted else None

    # -- clicks -------------------------------------------------------------------------

    def login(self, settings: Settings | None = None, return_to: str | None = None) -> None:
        """Start a login with ``settings`` (by default the client's). Synchronous on
        purpose: called from the click, a login popup opens inside it, as popup blockers
        require; the rest runs as a task."""
        if not self.screen.can_log_in:
            return
        settings = settings or self.client.settings or self._retry_settings
        mode = (settings.login_mode if settings else None) or self._default_mode
        try:
            login = self.client.login(return_to, settings=settings, popup=mode == "popup")
        except Exception as error:  # whatever it was, "Log in" stays with a message
            self.refuse_login(error)
            return
        cleared = {"message": None, "error": None, "back_to": None, "notice": ""}
        if self.client.login_pending:
            self._focus_name = True
            self._move("login-popup", popup="", **cleared)
        else:
            self._move("login-redirect", status="", **cleared)
        self._spawn(self._await_login(login))

    def refuse_login(self, error: BaseException) -> None:
        """Say by "Log in" why a login could not start (``error``: say, a setting the
        visitor typed is unusable); "Log in" stays."""
        if not self.screen.can_log_in:
            return
        self._report(error, "starting the login")
        self._move("login-failed", message=self._message(error), error=error, place="login")

    async def _await_login(self, login: Coroutine[Any, Any, None]) -> None:
        """A popup login ends here, with the reason when it did not succeed (its success
        arrives as a session change); a redirect login only ends here when it failed."""
        try:
            await login
        except Exception as error:
            if self.client.login_pending:  # a newer login replaced this one: it speaks
                return
            self._report(error, "logging in")
            self._focus_name = False
            self._move("login-failed", message=self._message(error), error=error,
                       place="login")
            return
        if self.state == "waiting-for-popup":  # signed in without news of it: look
            self._look_for_session()

    def cancel(self) -> None:
        """End the wait for a login popup (its login then fails as cancelled)."""
        self.client.cancel_login()

    def retry(self) -> None:
        """Ask the server again who is signed in (after it could not be reached)."""
        if self.state == "offline":
            self._focus_name = True
            self._move("retry", busy=True)

    async def logout(self) -> None:
        """Log out: whatever fails on the way, the visitor ends signed out; focus goes to
        "Log in"."""
        if self.state not in ("signed-in", "offline"):
            return
        self._move("logout", message=None, error=None, busy=True)
        try:
            await self.client.logout()
        except Exception as error:  # the client forgets first: the visitor is signed out
            self._report(error, "logging out")
            self._move("session-ended", message=self._message(error), error=error,
                       profile=None)
        if self.screen.signed_in:  # forgotten without news of it (storage blocked)
            self._on_session_change(None)
        self.screen = dataclasses.replace(self.screen, focus="login")
        self._render(self.screen)

    # -- the browser's news -------------------------------------------------------------

    def restored(self) -> None:
        """The browser showed this page again from its back-forward cache, as it was left."""
        self._move("restored")

    def _on_session_change(self, session: object) -> None:
        """Signed in or out here or in another tab (``session`` None: signed out)."""
        if self.state in ("starting", "finishing"):
            return  # start() and finishing a login look at the storage themselves
        if session is None:
            notice = self._words("signed-out-notice") if self.screen.signed_in else ""
            self._move("session-ended", profile=None, notice=notice,
                       **({} if self.state == "signed-out" else
                          {"message": None, "error": None}))
        else:
            self._move("session-found", status="completing")

    def _on_popup_state(self, state: str) -> None:
        if self.state == "waiting-for-popup":
            self._move("popup-changed", popup=state)


def error_clears_session(error: BaseException) -> bool:
    """Whether ``error`` means the stored session is gone (the client forgot it)."""
    return isinstance(error, SpeckleError) and error.clears_session
