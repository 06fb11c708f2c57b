"""Page controllers: the only code that touches the DOM. Protocol lives elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

_running: set[asyncio.Future[None]] = set()


def spawn(coro: Coroutine[Any, Any, None]) -> None:
    """Run ``coro`` from a synchronous event handler.

    Handlers stay synchronous so ``preventDefault`` runs before the browser's default action;
    the task is kept referenced until it ends, or it could be collected mid-flight.
    """
    task = asyncio.ensure_future(coro)
    _running.add(task)
    task.add_done_callback(_running.discard)
