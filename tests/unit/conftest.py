"""Fixtures shared by the unit tests."""

from tests.unit.fake_browser import fake_browser  # noqa: F401 - a fixture, used by name
