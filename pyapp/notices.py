"""Notes for the site's developer: things pyapp did on its own that they should know about
(a config key it does not know, a stored record it could not use and removed).

They go to the browser's console as warnings once ``pyapp.browser`` is imported, and to
Python's ``logging`` (logger ``pyapp``) elsewhere. Never pass a secret to :func:`notice`.
"""

from __future__ import annotations

from collections.abc import Callable

_sink: Callable[[str], None] | None = None


def use_sink(sink: Callable[[str], None] | None) -> None:
    """Send notices to ``sink`` (``console.warn`` in a page); None restores ``logging``."""
    global _sink
    _sink = sink


def notice(text: str) -> None:
    """Tell the developer ``text`` (prefixed ``pyapp:``)."""
    if _sink is not None:
        _sink(f"pyapp: {text}")
        return
    import logging  # only when there is something to say: it costs start-up time

    logging.getLogger("pyapp").warning("pyapp: %s", text)
