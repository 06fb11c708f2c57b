"""Fixtures shared by the unit tests."""

from collections.abc import Iterator

import pytest

from pyapp import words
from tests.unit.fake_browser import fake_browser  # noqa: F401 - a fixture, used by name


@pytest.fixture(autouse=True)
def english_words() -> Iterator[None]:
    """Every test starts with English active; a page started in a test may choose another."""
    words.use(words.Words())
    yield
    words.use(words.Words())
