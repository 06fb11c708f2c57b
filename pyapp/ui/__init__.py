"""Page controllers: the only code that touches the DOM. Protocol lives elsewhere.

Every handler ends in something the user can see: a typed error becomes its message, and
anything else (a bug, a browser exception) becomes a generic message *and* a line in the
console from :func:`report`, never an exception nobody hears about.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..messages import Message

_running: set[asyncio.Future[None]] = set()


def report(error: BaseException, where: str) -> None:
    """Log an unexpected ``error`` to the console: its type and where it happened.

    The exception's message and arguments are left out on purpose: they can quote what the
    code was handling (a URL with a code in it, a server's answer, a token).
    """
    import traceback  # only on the unhappy path: it costs start-up time

    import js

    frames = traceback.extract_tb(error.__traceback__)
    trail = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}"
                        for f in reversed(frames[-6:]))
    js.console.error(f"pyapp: unexpected {type(error).__name__} in {where}"
                     + (f" at {trail}" if trail else ""))


class BrowserConsole:
    """The browser console, as :class:`pyapp.login_controller.Console`: what the site owner
    reads. ``where`` names the part of the page (the widget says it is the widget)."""

    def __init__(self, where: str = "") -> None:
        self.where = where

    def unexpected(self, error: BaseException, where: str) -> None:
        report(error, f"{self.where}{where}")

    def handled(self, message: Message) -> None:
        from .dom import report_message

        report_message(message)


def spawn(coro: Coroutine[Any, Any, None]) -> None:
    """Run ``coro`` from a synchronous event handler.

    Handlers stay synchronous so ``preventDefault`` runs before the browser's default action;
    the task is kept referenced until it ends, or it could be collected mid-flight. An
    exception the coroutine did not handle is reported (see :func:`report`), not left for
    asyncio to print with its message.
    """
    task = asyncio.ensure_future(coro)
    _running.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Future[None]) -> None:
    _running.discard(task)
    if not task.cancelled() and task.exception() is not None:
        report(task.exception() or Exception(), "an event handler")
