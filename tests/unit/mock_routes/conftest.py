"""Fixtures of the mock server's route tests: one server per test module, reset before
each test with the demo app registered, and a token of every scope the app has."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_speckle import App, MockSpeckle
from tests.unit.mock_routes.over_http import ALL_SCOPES, APP_ID, REDIRECT, token_for


@pytest.fixture(scope="module")
def server() -> Iterator[MockSpeckle]:
    mock = MockSpeckle().start()
    yield mock
    mock.stop()


@pytest.fixture
def mock(server: MockSpeckle) -> MockSpeckle:
    server.reset()
    server.register_app(App(id=APP_ID, secret="demo-secret", name="Speckle Login Demo",
                            redirect_url=REDIRECT, scopes=list(ALL_SCOPES)))
    return server


@pytest.fixture
def token(mock: MockSpeckle) -> str:
    return token_for(mock, ALL_SCOPES)
