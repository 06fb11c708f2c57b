"""Each fact an error carries shows up in its words, and only when it is there."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from pyapp import errors
from pyapp.messages import is_setup_problem, message_for

SERVER = "https://speckle.example"


def test_which_errors_are_the_sites_settings() -> None:
    assert is_setup_problem(errors.InvalidConfiguration("missing", "appId"))
    assert is_setup_problem(errors.EndpointNotSupported(SERVER))
    assert is_setup_problem(errors.TokenEndpointUnreachable(server_url=SERVER))
    assert is_setup_problem(errors.ExchangeRejected("Invalid app secret", 401))
    assert not is_setup_problem(errors.ExchangeRejected("Access code expired", 401))
    assert not is_setup_problem(errors.ExchangeRejected(None, 400))
    assert not is_setup_problem(errors.ServerUnavailable("request_failed"))
    assert not is_setup_problem(KeyError("x"))


def test_the_editor_is_told_whether_the_settings_are_wrong_or_do_not_match_the_server() -> None:
    assert message_for(errors.InvalidConfiguration("missing", "appId"), True).title == \
        "Check the settings"
    assert message_for(errors.EndpointNotSupported(SERVER), True).title == \
        "The settings don't match this server"


def test_an_insecure_page_asks_the_editor_to_fix_it_and_points_a_visitor_to_the_owner() -> None:
    editor = message_for(errors.InsecureContext(), True)
    visitor = message_for(errors.InsecureContext(), False)
    assert (editor.action, visitor.action) == ("fix", "back")
    assert "console" in visitor.detail and "console" not in editor.detail


def test_a_scope_without_words_of_its_own_is_still_named_in_plain_words() -> None:
    assert "some of your account's details" in message_for(
        errors.MissingScope("something:new")).detail


@pytest.mark.parametrize("said, shown", [
    ("Access code expired", "“Access code expired.”"),
    ("Access code expired.", "“Access code expired.”"),
    ("Too many attempts!", "“Too many attempts!”"),
    ("Is the app registered?", "“Is the app registered?”"),
    ("Try later…", "“Try later…”"),
])
def test_speckles_words_are_quoted_as_one_sentence(said: str, shown: str) -> None:
    detail = message_for(errors.ExchangeRejected(said, 401)).detail
    assert detail == f"Speckle said: {shown} Please log in again."


def test_the_technical_detail_of_a_rejection_names_only_what_is_known() -> None:
    assert message_for(errors.ExchangeRejected(None, 400)).technical == \
        "ExchangeRejected: the token endpoint answered HTTP 400."
    assert message_for(errors.ExchangeRejected("Expired", 401, endpoint="/auth/token")
                       ).technical == \
        "ExchangeRejected: the token endpoint /auth/token answered HTTP 401: Expired"


@pytest.mark.parametrize("error, text", [
    (errors.ServerUnavailable("not_json", 502, endpoint="/oauth/token"),
     "The Speckle server did not answer the sign-in as expected (HTTP 502)."),
    (errors.ServerUnavailable("not_json", 502, endpoint="/graphql"),
     "The Speckle server's GraphQL API did not answer with JSON (HTTP 502)."),
    (errors.ServerUnavailable("server_error", 500, endpoint="/graphql"),
     "The Speckle server's GraphQL API failed (HTTP 500)."),
    (errors.ServerUnavailable("server_error", 500, endpoint="/oauth/token"),
     "The Speckle server failed to complete the sign-in (HTTP 500)."),
    (errors.ServerUnavailable("unavailable", 503), "The Speckle server is unavailable (HTTP 503)."),
    (errors.ServerUnavailable("unavailable"), "The Speckle server is unavailable."),
    (errors.ServerUnavailable("request_failed"), "The request to the Speckle server failed."),
    (errors.ServerUnavailable("request_timed_out", endpoint="/graphql"),
     "The request to the Speckle server (/graphql) timed out."),
    (errors.UnusableResponse("too_large", 200, limit_bytes=65536),
     "The Speckle server's answer is larger than this kind of answer may be (64 KiB)."),
    (errors.UnusableResponse("too_large", 200, limit_bytes=16 * 1024 + 512),
     "The Speckle server's answer is larger than this kind of answer may be (16 KiB)."),
    (errors.UnusableResponse("too_deep", 200),
     "The Speckle server's answer is nested too deeply to read (HTTP 200)."),
    (errors.SessionExpired(), "The Speckle server refused the session's token: the session "
                              "expired or access was revoked."),
    (errors.InvalidConfiguration("not_text", "appId", got="a number"),
     "appId must be text (got a number)."),
    (errors.InvalidConfiguration("not_a_url", "serverUrl"), "The server URL is not a valid URL."),
    (errors.SessionDropped("newer_schema", 2),
     "A stored session was removed because it was written by a newer release (schema "
     "version 2); the person must log in again."),
    (errors.ServerUnavailable("unexpected", 302),
     "The Speckle server did not answer as expected (HTTP 302)."),
    (errors.NotAccessible("project_not_found", "p1"), "The Speckle server has no project “p1”."),
    (errors.NotAccessible("model_not_found", "p1", "m1"), "Project “p1” has no model “m1”."),
    (errors.ObjectNotFound("p1", "o1"), "Project “p1” has no object “o1”."),
    (errors.ObjectsIncomplete("o1", 5, 9),
     "The download of object “o1” was cut short after 5 of 9 objects."),
    (errors.ObjectsMalformed("wrong_id", "o1", 3),
     "The download of object “o1” is malformed (line 3): a line's id is not the id of its "
     "object."),
    (errors.ObjectsTooLarge("bytes", 100, "o1"),
     "The download of object “o1” holds more than 100 bytes, the limit set for it."),
    (errors.NotAccessible("no_access", "p1"),
     "The signed-in user may not read project “p1”: it is not public and they are not one "
     "of its collaborators."),
])
def test_developer_texts_hold_the_facts_that_are_known(error: errors.SpeckleError,
                                                       text: str) -> None:
    assert str(error) == text


@pytest.mark.parametrize(("reason_type", "make"), [
    (errors.ConfigurationReason, lambda r: errors.InvalidConfiguration(r, "serverUrl", "x")),
    (errors.EndpointReason, lambda r: errors.EndpointNotSupported(SERVER, r)),
    (errors.DroppedReason, lambda r: errors.SessionDropped(r, 1)),
    (errors.UnavailableReason, lambda r: errors.UnusableResponse(r, 500)),
    (errors.NotSignedInReason, lambda r: errors.NotSignedIn(r)),
    (errors.NotAccessibleReason, lambda r: errors.NotAccessible(r, "p1", "m1")),
    (errors.MalformedReason, lambda r: errors.ObjectsMalformed(r, "r0", 2)),
    (errors.ObjectLimit, lambda r: errors.ObjectsTooLarge(r, 10, "r0")),
], ids=lambda v: getattr(v, "__name__", ""))
def test_every_typed_reason_has_its_own_words(reason_type: object, make: Any) -> None:
    # mypy checks that every raise names a reason of its type; this, that each has words
    # (and that no two read alike, as they would if one fell back on another's).
    reasons = typing.get_args(reason_type)
    texts = {reason: str(make(reason)) for reason in reasons}
    assert all(texts.values()) and len(set(texts.values())) == len(reasons), texts
