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
  the time limit passes.

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


class PopupNavigator:
    """The login popup's window, from the click to the answer (one pending at a time).

    ``on_cancel`` runs, synchronously, whenever a pending login ends without an answer:
    the client discards the login's one-time record there, before a newer login writes its
    own.
    """

    def __init__(self, popups: Popups, on_cancel: Callable[[], None]) -> None:
        self._popups = popups
        self._on_cancel = on_cancel
        self._inbox = popup.PopupInbox()
        #: The login waiting for its popup's answer, if any.
        self.pending: PendingPopup | None = None
        self._state_listeners: list[Callable[[str], None]] = []

    def on_state(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener("open" | "detached" | "")`` as the pending window is seen (see
        :meth:`pyapp.client.SpeckleClient.on_popup_state`); returns an unsubscribe."""
        self._state_listeners.append(listener)
        return lambda: (self._state_listeners.remove(listener)
                        if listener in self._state_listeners else None)

    def open(self, login_id: str) -> PendingPopup | None:
        """Open the window for ``login_id`` now, during the click (a pending login is
        cancelled first); None when the browser blocked it."""
        self.cancel()
        window = self._popups.open(login_id)
        if window is None:
            return None
        self.pending = PendingPopup(window, login_id)
        return self.pending

    def cancel(self) -> None:
        """End the pending login: its window closes and its :meth:`navigate` raises
        :class:`~pyapp.errors.LoginCancelled`. Does nothing when none is pending."""
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
        the answer's channel shut before this returns or raises."""
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
        try:
            window.navigate(await authorize_url())
            return await self._wait_for_answer(pending, answer)
        finally:
            stop_listening()
            window.close()
            if self.pending is pending:  # ended by an error here, not by cancel()
                self.pending = None
                self._inbox.forget()

    async def _wait_for_answer(self, pending: PendingPopup, answer: asyncio.Future[str]) -> str:
        """The callback URL the popup delivers; raises when the wait ends without one."""
        watch = popup.PopupWatch()
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
                    self.cancel()
                    break
            if now >= deadline:
                self.cancel()
                break
            await asyncio.wait([answer], timeout=popup.POLL_SECONDS)
        return await answer
