"""Waiting for Ctrl-C or SIGTERM: the wait ends on either, and leaves the handlers as found."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

import pytest

from mock_speckle.stop_signal import wait_for_stop_signal


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_wait_ends_on_a_stop_signal_and_restores_the_handlers(stop: signal.Signals) -> None:
    def earlier(_signum: int, _frame: FrameType | None) -> None:
        raise AssertionError("the wait's own handler must take the signal")

    before = signal.signal(stop, earlier)
    try:
        # The signal is sent once the wait has installed its handler: until then the
        # handler in place is ``earlier``, so the timer keeps checking.
        def send_when_waiting() -> None:
            if signal.getsignal(stop) is earlier:
                threading.Timer(0.01, send_when_waiting).start()
            else:
                os.kill(os.getpid(), stop)

        send_when_waiting()
        assert wait_for_stop_signal(poll_seconds=0.01) == stop
        assert signal.getsignal(stop) is earlier
    finally:
        signal.signal(stop, before)
