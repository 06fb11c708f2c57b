"""Waiting in a page for a condition that only an async function can check.

``page.wait_for_function`` tests the value its predicate returns as it is. An ``async``
predicate returns a Promise, which is truthy: the wait ends at the first poll with whatever
that Promise resolves to, true or not. Conditions read from Cache Storage are async, so
they are polled here instead, each check awaited by ``page.evaluate``.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page

POLL_MS = 100


def wait_for_async(page: Page, predicate: str, arg: Any = None, timeout_ms: float = 30_000
                   ) -> None:
    """Wait until the async JavaScript function ``predicate(arg)`` resolves truthy."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(predicate, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms / 1000:g} s: {predicate}")
        page.wait_for_timeout(POLL_MS)
