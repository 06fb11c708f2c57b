"""The error model: one base class, a stable code per class, one wording per class."""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from pyapp import errors
from pyapp.errors import SpeckleError
from pyapp.messages import message_for

CLASSES = [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
           if issubclass(cls, SpeckleError) and cls is not SpeckleError]


# Plausible facts, by field name; every other field keeps its default.
FACTS = {"server_message": "Access code expired", "status": 401, "scope": "x:y",
         "server_url": "https://speckle.example", "reason": "unavailable", "setting": "appId",
         "version": 2, "project_id": "p1", "model_id": "m1"}
REQUIRED_REASONS = {errors.InvalidConfiguration: "missing", errors.SessionDropped: "newer_schema",
                    errors.UnusableResponse: "too_deep", errors.EndpointNotSupported:
                    "no_app_secret", errors.TokenEndpointUnreachable: "request_failed",
                    errors.NotAccessible: "model_not_found",
                    errors.ObjectsMalformed: "not_json"}


def make(cls: type[SpeckleError]) -> SpeckleError:
    """An instance of ``cls`` made from facts alone (no prose)."""
    if cls.__init__ is SpeckleError.__init__:
        return cls()
    names = {f.name for f in dataclasses.fields(cls) if f.init} - {"return_to", "login_settings"}
    facts = {name: FACTS[name] for name in names if name in FACTS}
    if "reason" in names:
        facts["reason"] = REQUIRED_REASONS.get(cls, "unavailable")
    return cls(**facts)


def test_the_old_base_name_still_catches_everything() -> None:
    assert all(issubclass(cls, SpeckleError) for cls in CLASSES)


def test_every_class_has_its_own_stable_code() -> None:
    codes = [cls.code for cls in CLASSES]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", code) for code in codes)
    assert errors.LoginDenied.code == "login_denied"  # published: never renamed


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_class_is_worded_and_useful_to_a_developer(cls: type[SpeckleError]) -> None:
    error = make(cls)
    message = message_for(error)
    assert message.title != "Something went wrong" and message.detail
    assert str(error)  # the developer's text


def test_the_nearest_worded_ancestor_words_a_new_subclass() -> None:
    class Custom(errors.ServerUnavailable):
        code = "custom"

    assert message_for(Custom("request_failed")).title == message_for(
        errors.ServerUnavailable("request_failed")).title
    assert str(Custom("request_failed")) == str(errors.ServerUnavailable("request_failed"))


def test_return_to_is_given_when_the_error_is_made() -> None:
    error = errors.ExchangeRejected("Access code expired", 401, return_to="https://a.example/")
    assert error.return_to == "https://a.example/" and error.status == 401
    assert errors.LoginDenied().return_to is None


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_an_error_made_for_a_login_keeps_every_fact(cls: type[SpeckleError]) -> None:
    from pyapp.config import Settings

    first = make(cls)
    settings = Settings("https://speckle.example", "app", "s3cret")
    again = first.for_login("https://a.example/back", settings)
    assert type(again) is cls and again is not first
    assert (again.return_to, again.login_settings) == ("https://a.example/back", settings)
    assert (first.return_to, first.login_settings) == (None, None)  # left as it was made
    assert str(again) == str(first) and again.code == first.code
    assert "s3cret" not in repr(again) + str(again) + message_for(again, True).technical


def test_a_sites_own_error_made_for_a_login_keeps_its_words() -> None:
    class SiteError(SpeckleError):
        code = "site_error"

    again = SiteError("The site's own words.").for_login("https://a.example/", None)
    assert str(again) == "The site's own words." and again.return_to == "https://a.example/"


def test_no_error_text_holds_a_secret_from_the_exchange() -> None:
    """The facts an error keeps are the server's, never what the page sent it."""
    from pyapp import protocol
    from tests.unit.fakes import json_response

    request = protocol.documented_token_request("https://s.example", "app", "c0de-123",
                                                "verifier-456")
    assert request.body is not None and "verifier-456" in request.body
    for body, status in (({"err": "Bad code"}, 400), ({}, 500), ({"token": "x y"}, 200)):
        with pytest.raises(SpeckleError) as caught:
            protocol.read_token_response(json_response(status, body), "/oauth/token")
        text = str(caught.value) + repr(caught.value) + message_for(caught.value, True).technical
        assert "c0de-123" not in text and "verifier-456" not in text and "x y" not in text


@pytest.mark.parametrize(("error", "text"), [
    (errors.StorageUnavailable(), "This browser is blocking site storage for this page."),
    (errors.StorageUnavailable(full=True), "The browser's storage for this site is full."),
    (errors.SessionExpired(), "The Speckle server refused the session's token: the session "
                              "expired or access was revoked."),
    (errors.SessionExpired(403), "The Speckle server refused the session's token (HTTP 403): "
                                 "the session expired or access was revoked."),
])
def test_storage_and_session_errors_tell_the_developer_what_happened(
        error: SpeckleError, text: str) -> None:
    assert str(error) == text
