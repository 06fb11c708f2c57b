"""A project's models and a model's versions: Speckle's answers read into typed pages."""

from __future__ import annotations

from typing import Any

import pytest

from pyapp.speckle_api import (
    Author,
    Model,
    ModelPage,
    Version,
    VersionPage,
    parse_models,
    parse_versions,
)

SERVER = "http://127.0.0.1:8001"
MODEL = {"id": "m1", "name": "structure/level 01", "displayName": "level 01",
         "description": "Frame", "createdAt": "2026-05-01T10:00:00.000Z",
         "updatedAt": "2026-05-02T10:00:00.000Z", "previewUrl": f"{SERVER}/preview/p1/commits/v1"}
VERSION = {"id": "v1", "message": "Levels", "sourceApplication": "Revit",
           "createdAt": "2026-05-02T10:00:00.000Z", "referencedObject": "0" * 32,
           "authorUser": {"id": "u1", "name": "Ada Lovelace", "avatar": None}}


# --------------------------------------------------------------------------- parsing


def test_a_models_page_reads_every_field() -> None:
    page = parse_models({"project": {"models": {"totalCount": 30, "cursor": "c",
                                                "items": [MODEL]}}})
    assert page == ModelPage(30, "c", [Model(
        "m1", "structure/level 01", "level 01", "Frame", "2026-05-01T10:00:00.000Z",
        "2026-05-02T10:00:00.000Z", f"{SERVER}/preview/p1/commits/v1")])


def test_a_models_missing_fields_are_none_and_its_display_name_comes_from_its_name() -> None:
    page = parse_models({"project": {"models": {"totalCount": 1, "cursor": None, "items": [
        {"id": "m1", "name": "mep/ducts", "description": None, "previewUrl": None},
        {"id": "m2", "name": 5, "displayName": 7, "createdAt": 1},
        {"name": "no id"}, {"id": ""}, "junk"]}}})
    assert page is not None and page.items == [
        Model("m1", "mep/ducts", "ducts", None, None, None, None),
        Model("m2", "", "", None, None, None, None)]
    # The count the server gave stands, even where items were dropped.
    assert page.total_count == 1


def test_a_versions_page_reads_every_field() -> None:
    page = parse_versions({"project": {"model": {"versions": {
        "totalCount": 2, "cursor": "c", "items": [VERSION]}}}})
    assert page == VersionPage(2, "c", [Version(
        "v1", "Levels", Author("u1", "Ada Lovelace", None), "2026-05-02T10:00:00.000Z",
        "Revit", "0" * 32)])


def test_a_withheld_or_deleted_author_is_none() -> None:
    items = [{**VERSION, "authorUser": None}, {**VERSION, "authorUser": {"name": "no id"}},
             {"id": "v2"}]
    page = parse_versions({"project": {"model": {"versions": {"items": items}}}})
    assert page is not None
    assert [v.author for v in page.items] == [None, None, None]
    assert page.items[2] == Version("v2", None, None, None, None, None)
    assert page.total_count == 3  # no count: this page's length


@pytest.mark.parametrize("data", [
    {}, {"project": None}, {"project": {"models": None}}, {"project": {"models": []}}])
def test_an_answer_without_a_models_page_parses_as_none(data: dict[str, Any]) -> None:
    assert parse_models(data) is None


@pytest.mark.parametrize("data", [
    {}, {"project": None}, {"project": {"model": None}}, {"project": {"model": {"versions": 1}}}])
def test_an_answer_without_a_versions_page_parses_as_none(data: dict[str, Any]) -> None:
    assert parse_versions(data) is None


def test_has_more_counts_loaded_items_not_the_cursor() -> None:
    page = ModelPage(30, "c", [Model("m", "m", "m", None, None, None, None)] * 25)
    assert page.has_more(25) and not page.has_more(30)
    assert not VersionPage(30, "c", []).has_more(25)
    assert not VersionPage(30, None, [Version("v", None, None, None, None, None)]).has_more(25)
