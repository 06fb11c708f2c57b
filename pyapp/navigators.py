"""How a login reaches Speckle's consent page, and how its answer comes back: the navigators.

As in oidc-client-ts (``INavigator.navigate(url)``), the client does not run windows itself:
it makes the authorize URL, hands it to a navigator, takes the callback URL the navigator
returns, and finishes the login. One path for both kinds:

* :class:`RedirectNavigator` sends this page to Speckle. Its answer never comes back here:
  Speckle sends the browser to the callback page, which finishes the login there.
* :class:`PopupNavigator` runs the consent page in a popup window while this page waits. The
  window is opened during the click (:meth:`PopupNavigator.open`, before anything is
  awaited, as popup blockers require); :meth:`PopupNavigator.navigate` sends it to Speckle
  and resolves with the callback URL its answer delivers, or raises
  :class:`~pyapp.errors.LoginCancelled` when the window is closed, the wait is cancelled or
  the time limit passes. A window that read closed before it was ever seen on Speckle's
  page may only have been cut off by it (``Cross-Origin-Opener-Policy``): the login counts
  as cancelled at once, but its channel stays open, and an answer that still comes is
  handed to ``on_late_answer`` (see :class:`PopupNavigator`).

The rules both sides of a popup agree on (the marker, the message checks, when a
closed-looking window really is closed) are plain Python in :mod:`pyapp.popup`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import popup
from .errors import LoginCancelled
from .ports import Navigator, Popups, PopupWindow


class RedirectNavigator:
    """A login that leaves the page: the callback page takes the answer."""

    def __init__(self, navigator: Navigator) -> None:
        self._navigator = navigator

    def navigate(self, url: str) -> None:
        self._navigator.go(url)


@dataclass
class PendingPopup:
    """A popup login waiting for its callback: the window, its login id, the answer to come."""

    window: PopupWindow
    login_id: str
    answer: asyncio.Future[str] | None = None
    #: Ended because its window read closed before it reached Speckle: its record stays.
    lingers: bool = False


class PopupNavigator:
    """The login popup's window, from the click to the answer (one pending at a time).

    ``on_cancel`` runs, synchronously, whenever a pending login ends without an answer:
    the client discards the login's one-time record there, before a newer login writes its
    own.

    A window that reads closed before it was seen on Speckle's page was most likely closed
    by the visitor while the page loaded, and the login ends as cancelled within the
    grace. It may also have been cut off by a consent page sent with
    ``Cross-Origin-Opener-Policy``, and live on. So its login *lingers*: its record stays
    and its channel listens until the wait limit, a newer login or :meth:`cancel`. An answer
    that comes meanwhile goes to ``on_late_answer(login_id, url)``, and the server is
    remembered for this page's life: its next popup login keeps waiting on a
    closed-looking window instead (``"detached"``). A window seen on Speckle's page and
    then closed was closed: its login ends with nothing left behind.
    """

    def __init__(self, popups: Popups, on_cancel: Callable[[], None],
                 on_late_answer: Callable[[str, str], None]) -> None:
        self._popups = popups
        self._on_cancel = on_cancel
        self._on_late_answer = on_late_answer
        self._inbox = popup.PopupInbox()
        #: The login waiting for its popup's answer, if any.
        self.pending: PendingPopup | None = None
        #: A login whose window read closed before it reached Speckle: still listening.
        self._lingering: _Lingering | None = None
        #: Origins whose consent page was seen to cut its popup off (this page's life).
        self.severing_servers: set[str] = set()
        self._state_listeners: list[Callable[[str], None]] = []

    def on_state(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener("open" | "detached" | "")`` as the pending window is seen (see
        :meth:`pyapp.client.SpeckleClient.on_popup_state`); returns an unsubscribe."""
        self._state_listeners.append(listener)
        return lambda: (self._state_listeners.remove(listener)
                        if listener in self._state_listeners else None)

    def open(self, login_id: str) -> PendingPopup | None:
        """Open the window for ``login_id`` now, during the click (a pending or lingering
        login is cancelled first); None when the browser blocked it."""
        self.cancel()
        window = self._popups.open(login_id)
        if window is None:
            return None
        self.pending = PendingPopup(window, login_id)
        return self.pending

    def cancel(self) -> None:
        """End the pending login: its window closes and its :meth:`navigate` raises
        :class:`~pyapp.errors.LoginCancelled`. A lingering login stops listening. Does
        nothing when neither is there."""
        lingering, self._lingering = self._lingering, None
        if lingering is not None:
            lingering.end()
            self._on_cancel()
        pending, self.pending = self.pending, None
        if pending is None:
            return
        self._inbox.forget()
        self._on_cancel()
        pending.window.close()
        if pending.answer is not None and not pending.answer.done():
            pending.answer.set_exception(LoginCancelled())

    async def navigate(self, pending: PendingPopup, authorize_url: Callable[[], Awaitable[str]],
                       here: str) -> str:
        """Send ``pending``'s window to the URL ``authorize_url()`` makes, and return the
        callback URL its answer delivers to this page (``here``). The window is closed and
        the answer's channel shut before this returns or raises (unless the login lingers:
        see the class)."""
        window, login_id = pending.window, pending.login_id
        if self.pending is not pending:  # cancelled before this coroutine started
            window.close()
            raise LoginCancelled()
        answer: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        pending.answer = answer
        self._inbox.expect(login_id)

        def on_message(data: Any, origin: str) -> None:
            accepted = self.pending is pending and self._inbox.deliver(data, origin, here)
            if accepted and not answer.done() and self._inbox.answer is not None:
                answer.set_result(self._inbox.answer)

        # Listening before the window leaves: no answer can come before the channel is open.
        stop_listening = self._popups.listen(login_id, on_message)
        lingers = False
        try:
            url = await authorize_url()
            window.navigate(url)
            server = popup.origin_of(url)
            watch = popup.PopupWatch(expect_severing=server in self.severing_servers)
            try:
                return await self._wait_for_answer(pending, answer, watch)
            except LoginCancelled:
                lingers = pending.lingers
                if lingers:
                    stop_listening()  # the lingering login listens on its own from here
                    self._linger(login_id, server, here)
                raise
        finally:
            if not lingers:
                stop_listening()
            window.close()
            if self.pending is pending:  # ended by an error here, not by cancel()
                self.pending = None
                self._inbox.forget()

    def _linger(self, login_id: str, server: str, here: str) -> None:
        """Keep listening for ``login_id``'s answer after its window read closed early."""
        inbox = popup.PopupInbox()
        inbox.expect(login_id)
        loop = asyncio.get_running_loop()

        def on_message(data: Any, origin: str) -> None:
            lingering = self._lingering
            if lingering is None or lingering.login_id != login_id:
                return
            if not inbox.deliver(data, origin, here) or inbox.answer is None:
                return
            self._lingering = None
            lingering.end()
            self.severing_servers.add(server)
            self._on_late_answer(login_id, inbox.answer)

        def expire() -> None:
            if self._lingering is not None and self._lingering.login_id == login_id:
                self.cancel()

        stop = self._popups.listen(login_id, on_message)
        timer = loop.call_later(popup.WAIT_LIMIT_SECONDS, expire)
        self._lingering = _Lingering(login_id, stop, timer)

    async def _wait_for_answer(self, pending: PendingPopup, answer: asyncio.Future[str],
                               watch: popup.PopupWatch) -> str:
        """The callback URL the popup delivers; raises when the wait ends without one."""
        watch.left_home()
        clock = asyncio.get_running_loop().time  # monotonic: elapsed time, not the date
        closed_since: float | None = None
        deadline = clock() + popup.WAIT_LIMIT_SECONDS
        told = ""
        while not answer.done():
            now = clock()
            verdict = watch.observe(pending.window.state())
            news = "detached" if watch.severed else "open" if watch.seen_away else ""
            if news != told:
                told = news
                for listener in list(self._state_listeners):
                    listener(news)
            if verdict == "closed":
                closed_since = now if closed_since is None else closed_since
                # A message sent just before the window closed may still be on its way.
                if now - closed_since >= popup.CLOSE_GRACE_SECONDS:
                    self._end_wait(pending, lingers=watch.closed_early)
                    break
            if now >= deadline:
                self.cancel()
                break
            await asyncio.wait([answer], timeout=popup.POLL_SECONDS)
        return await answer

    def _end_wait(self, pending: PendingPopup, lingers: bool) -> None:
        """End ``pending``'s wait as cancelled; when it ``lingers``, its record stays."""
        if not lingers:
            self.cancel()
            return
        self.pending = None
        pending.lingers = True
        self._inbox.forget()
        pending.window.close()
        if pending.answer is not None and not pending.answer.done():
            pending.answer.set_exception(LoginCancelled())


@dataclass
class _Lingering:
    """A login whose window read closed before it reached Speckle, still listening."""

    login_id: str
    stop_listening: Callable[[], None]
    timer: asyncio.TimerHandle

    def end(self) -> None:
        self.timer.cancel()
        self.stop_listening()
