"""``examples/model/`` in the browser tests: where it is, and the mock's project whose
``main`` model's newest version holds the building (``mock_speckle/fixtures.py``)."""

from __future__ import annotations

from playwright.sync_api import Page

from devtools.static_server import StaticServer
from mock_speckle import MockSpeckle
from mock_speckle.fixtures import ADA_ID, BIG_PROJECT_NAME
from mock_speckle.models import Project
from tests.e2e.app_page import AppPage

MODEL_PAGE = "examples/model/index.html"


def big_project(mock: MockSpeckle) -> Project:
    return next(p for p in mock.users[ADA_ID].projects if p.name == BIG_PROJECT_NAME)


def link_to_building(mock: MockSpeckle) -> str:
    """The model page with the building's version chosen in its address."""
    project = big_project(mock)
    model = project.models[0]
    return f"{MODEL_PAGE}?project={project.id}&model={model.id}&version={model.versions[0].id}"


def sign_in(page: Page, site: StaticServer, path: str = MODEL_PAGE) -> AppPage:
    """Open the model page at ``path`` and log in through the popup."""
    example = AppPage(page, site.url).open(path)
    example.authorize_in(example.open_popup())
    return example
