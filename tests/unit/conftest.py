"""Fixtures shared by the unit tests."""

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from pyapp import words
from tests.unit.fake_browser import fake_browser  # noqa: F401 - a fixture, used by name

#: The longest a unit test may run. The slowest take a few seconds on a busy machine; a
#: test past this waits for something that never comes (a bug, or a mutant under
#: ``./dev mutate``), and fails now instead of hanging the run.
UNIT_TEST_SECONDS = 30


@pytest.fixture(autouse=True)
def english_words() -> Iterator[None]:
    """Every test starts with English active; a page started in a test may choose another."""
    words.use(words.Words())
    yield
    words.use(words.Words())


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    """Fail a test that runs over :data:`UNIT_TEST_SECONDS` (SIGALRM: the main thread)."""

    def over_time(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"the test ran over {UNIT_TEST_SECONDS} s: it waits forever")

    previous = signal.signal(signal.SIGALRM, over_time)
    signal.alarm(UNIT_TEST_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
