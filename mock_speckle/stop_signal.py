"""Block the main thread until Ctrl-C (SIGINT) or SIGTERM, safely.

The signal handlers only append to a list. Anything that takes a lock in a handler, or in
code a handler interrupts, can deadlock: Python runs a handler in the main thread between two
bytecodes, possibly while that thread holds the very lock the handler needs. Setting a
``threading.Event`` from the handler, or raising ``KeyboardInterrupt`` out of
``Event.wait``, does exactly that once in a while (the process then never exits).
"""

from __future__ import annotations

import signal
import time
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def wait_for_stop_signal(poll_seconds: float = 0.2) -> int:
    """Return the number of the first stop signal received.

    Handlers are installed explicitly (and the previous ones restored on return): a shell
    starts background jobs with SIGINT ignored, and Python then never raises
    ``KeyboardInterrupt``, so relying on the default would leave a server running when it
    was started from a script.
    """
    received: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        while not received:
            time.sleep(poll_seconds)  # a signal cuts the wait short by at most one poll
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return received[0]
