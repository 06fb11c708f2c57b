"""Each typed error maps to one human message and one next step, in plain words for a
visitor, with the technical detail kept apart for the site owner."""

import re

import pytest

from pyapp import errors
from pyapp.errors import CONFIGURATION_REASONS
from pyapp.messages import message_for
from pyapp.words import ENGLISH

# What a visitor must never have to read: protocol words, paths, statuses.
JARGON = re.compile(r"/oauth|/auth/|token endpoint|HTTP \d|OAuth|dialect|App ID|secret|scope\b"
                    r"|GraphQL|API\b|CORS|verifier|access code from", re.IGNORECASE)

SERVER = "https://speckle.example"

ALL_ERRORS = [
    errors.LoginDenied(),
    errors.MissingAccessCode(),
    errors.MissingTransaction(),
    errors.ExchangeRejected("Access code expired", 401),
    errors.ExchangeRejected("Invalid app secret. Check your app settings.", 401),
    errors.ExchangeRejected(None, 400, endpoint="/oauth/token"),
    errors.EndpointNotSupported(SERVER, "no_app_secret"),
    errors.EndpointNotSupported(SERVER, "documented_chosen"),
    errors.ServerUnavailable("server_error", 502, endpoint="/oauth/token"),
    errors.ServerUnavailable("request_timed_out", endpoint="/graphql"),
    errors.UnusableResponse("too_deep", 200),
    errors.UnusableResponse("too_large", 200, limit_bytes=16384),
    errors.StorageUnavailable(),
    errors.StorageUnavailable(full=True),
    errors.TokenEndpointUnreachable(server_url=SERVER),
    errors.SessionExpired(403),
    errors.SessionDropped("wrong_fields", 0),
    errors.MissingScope("profile:email"),
    errors.InsecureContext(),
    errors.InvalidConfiguration("bad_characters", "appId"),
    errors.InvalidConfiguration("insecure_http", "serverUrl"),
    errors.NotSignedIn(),
    errors.NotAccessible("project_not_found", "p1", server_message="Project not found"),
    errors.NotAccessible("model_not_found", "p1", "m1"),
    errors.NotAccessible("no_access", "p1"),
    errors.GraphQLError("Cannot query field 'emial'"),
    RuntimeError("secret-token-123"),
]


@pytest.mark.parametrize(
    "error,title_part,action",
    [
        (errors.LoginDenied(), "declined", "back"),
        (errors.LoginCancelled(), "Sign-in cancelled", "login"),
        (errors.PopupBlocked(), "window was blocked", "login"),
        (errors.MissingAccessCode(), "Nothing to sign in with", "back"),
        (errors.MissingTransaction(), "can't be finished here", "login"),
        (errors.ExchangeRejected("Access code expired", 401), "didn't accept", "login"),
        (errors.ExchangeRejected(None, 400), "didn't accept", "login"),
        (errors.EndpointNotSupported(SERVER), "isn't available", "back"),
        (errors.ServerUnavailable("request_timed_out"), "Couldn't reach Speckle", "retry"),
        (errors.ServerUnavailable("request_failed"), "Couldn't reach Speckle", "retry"),
        # It answered, with a failure of its own: not the visitor's connection.
        (errors.ServerUnavailable("server_error", 500), "Speckle is having a problem", "retry"),
        (errors.ServerUnavailable("unavailable", 503), "Speckle is having a problem", "retry"),
        (errors.ServerUnavailable("server_error"), "Speckle is having a problem", "retry"),
        (errors.ServerUnavailable("unexpected", 500), "Speckle is having a problem", "retry"),
        (errors.ServerUnavailable("unexpected", 499), "Couldn't reach Speckle", "retry"),
        (errors.UnusableResponse("too_deep"), "can't use", "retry"),
        (errors.StorageUnavailable(), "storage is blocked", "retry"),
        (errors.StorageUnavailable(full=True), "storage is full", "retry"),
        (errors.TokenEndpointUnreachable(server_url=SERVER), "isn't available", "back"),
        (errors.SessionExpired(403), "session has ended", "login"),
        (errors.SessionDropped("newer_schema", 2), "You were signed out", "login"),
        (errors.MissingScope("profile:email"), "can't be shown", "login"),
        (errors.InsecureContext(), "securely", "back"),
        (errors.InvalidConfiguration("not_a_url", "serverUrl", "x"), "isn't available", "back"),
        (errors.NotSignedIn(), "signed out", "login"),
        (errors.NotAccessible("project_not_found", "p1"), "Not found", "back"),
        (errors.NotAccessible("model_not_found", "p1", "m1"), "Not found", "back"),
        # Another account may have access.
        (errors.NotAccessible("no_access", "p1"), "can't open this project", "login"),
        (errors.GraphQLError("bad field"), "couldn't answer", "retry"),
        (RuntimeError("secret-token-123"), "Something went wrong", "retry"),
    ],
)
def test_mapping_for_a_visitor(error: BaseException, title_part: str, action: str) -> None:
    message = message_for(error)
    assert title_part in message.title and message.action == action
    # Only the visitor's own choices are shown calmly; every failure stays an alert.
    assert message.calm is isinstance(error, errors.LoginDenied | errors.LoginCancelled)


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_a_visitor_reads_no_jargon(error: BaseException) -> None:
    message = message_for(error)
    assert not JARGON.search(message.title + " " + message.detail), message


@pytest.mark.parametrize("error", ALL_ERRORS[:-1], ids=lambda e: type(e).__name__)
def test_the_technical_detail_names_what_failed(error: BaseException) -> None:
    assert type(error).__name__ in message_for(error).technical


@pytest.mark.parametrize(
    "error",
    [errors.InvalidConfiguration("not_a_url", "serverUrl", "x"),
     errors.EndpointNotSupported(SERVER), errors.TokenEndpointUnreachable(server_url=SERVER),
     errors.ExchangeRejected("Invalid request: application id does not match.", 401),
     errors.ExchangeRejected("Invalid app secret.", 401)],
    ids=lambda e: type(e).__name__,
)
def test_a_site_set_up_wrongly_says_so_to_visitors_and_in_detail_to_its_owner(
    error: BaseException,
) -> None:
    visitor = message_for(error)
    assert visitor.detail == ENGLISH["setup-detail"] and visitor.action == "back"
    owner = message_for(error, editable=True)
    assert owner.action == "fix" and str(error) in owner.detail


def test_settings_errors_ask_the_person_who_typed_them_to_check() -> None:
    assert message_for(errors.InvalidConfiguration("missing", "appId"), editable=True).title == (
        "Check the settings")


def test_speckles_own_words_reach_the_visitor() -> None:
    message = message_for(errors.ExchangeRejected("Code challenge mismatch.", 401))
    assert "Code challenge mismatch." in message.detail
    assert "HTTP 401" in message.technical


def test_unexpected_errors_do_not_echo_their_text() -> None:
    message = message_for(RuntimeError("secret-token-123"))
    assert "secret-token-123" not in message.detail + message.technical
    assert "RuntimeError" in message.technical


def test_scope_message_names_what_is_missing_and_suggests_reauthorizing() -> None:
    message = message_for(errors.MissingScope("streams:read"))
    assert "your projects" in message.detail and "re-authorize" in message.detail
    assert "streams:read" in message.technical


def test_the_page_never_says_the_same_thing_twice() -> None:
    owner = message_for(errors.InvalidConfiguration("bad_characters", "appId"), True)
    assert owner.extra_detail == ""
    visitor = message_for(errors.ServerUnavailable("server_error", 502))
    assert "HTTP 502" in visitor.extra_detail


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_no_message_says_its_title_twice(error: BaseException) -> None:
    for editable in (False, True):
        message = message_for(error, editable)
        assert message.title.lower() not in message.detail.lower(), message


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
def test_every_message_is_a_title_and_a_sentence(error: BaseException) -> None:
    # What a visitor reads; an editable page shows the error's own text, tested elsewhere.
    message = message_for(error)
    for text in (message.title, message.detail):
        assert isinstance(text, str) and text.strip() and not text[:1].islower()
        assert text != text.upper() and "None" not in text
    assert not message.title.endswith(".") and message.detail.endswith(".")


@pytest.mark.parametrize("error", [e for e in ALL_ERRORS if isinstance(e, (
    errors.EndpointNotSupported, errors.ServerUnavailable, errors.InsecureContext,
    errors.InvalidConfiguration, errors.GraphQLError))], ids=lambda e: type(e).__name__)
def test_errors_that_explain_themselves_keep_their_text_for_the_owner(error: BaseException
                                                                      ) -> None:
    # Visitors may get plain words instead; the site owner always finds pyapp's own text.
    for editable in (False, True):
        message = message_for(error, editable)
        assert str(error) in message.detail + message.technical


def test_unexpected_errors_are_named_by_type_only() -> None:
    message = message_for(KeyError("secret"))
    assert message.technical == "Unexpected error: KeyError."
    assert "secret" not in message.detail + message.technical
    assert "try again" in message_for(errors.ServerUnavailable("request_timed_out")).detail


def test_a_rejection_without_words_asks_to_log_in_again_and_names_the_status_for_the_owner(
) -> None:
    message = message_for(errors.ExchangeRejected(None, 400, endpoint="/oauth/token"))
    assert message.detail == "Please log in again."
    assert message.technical == (
        "ExchangeRejected: the token endpoint /oauth/token answered HTTP 400.")


def test_a_dropped_session_is_told_in_plain_words() -> None:
    message = message_for(errors.SessionDropped("newer_schema", 2))
    assert message.title == "You were signed out" and message.action == "login"
    assert "log in again" in message.detail
    assert "newer release (schema version 2)" in message.technical


@pytest.mark.parametrize("error", [e for e in ALL_ERRORS if isinstance(e, errors.SpeckleError)],
                         ids=lambda e: type(e).__name__)
def test_the_developer_text_is_built_from_the_facts(error: errors.SpeckleError) -> None:
    assert str(error) == str(error) != ""
    assert type(error).__name__ in repr(error)


@pytest.mark.parametrize("reason", sorted(CONFIGURATION_REASONS))
def test_every_configuration_reason_reads_as_a_sentence(reason: str) -> None:
    for setting in ("serverUrl", "appId"):
        text = str(errors.InvalidConfiguration(reason, setting, "x", got="a number",
                                               allowed=("a", "b")))
        assert text[:1].isupper() or text[:1] in "“\"x" or text.startswith(setting), text
        assert text.endswith(".") and "None" not in text, text


def test_a_sites_own_speckle_error_reads_as_given() -> None:
    assert str(errors.SpeckleError("Something of the site's own.")) == (
        "Something of the site's own.")


@pytest.mark.parametrize(("reason", "model_id", "what"), [
    ("project_not_found", None, "project"), ("project_not_found", "m1", "project"),
    ("model_not_found", "m1", "model")])
def test_not_found_says_whether_the_project_or_the_model_is_missing(
        reason: errors.NotAccessibleReason, model_id: str | None, what: str) -> None:
    message = message_for(errors.NotAccessible(reason, "p1", model_id))
    assert message.title == ENGLISH["not-found-title"] and message.action == "back"
    assert message.detail == ENGLISH[f"not-found-{what}"]
