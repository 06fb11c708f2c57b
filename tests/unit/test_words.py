"""The word tables: German complete and faithful to English's placeholders, the language
choice, and a site's replacements checked before use (the copies in the pages and
``loading.js``: ``test_word_copies.py``)."""

from __future__ import annotations

import pytest

from pyapp import words
from pyapp.errors import (
    ExchangeRejected,
    LoginDenied,
    MissingScope,
    ServerUnavailable,
)
from pyapp.messages import message_for
from pyapp.words import (
    ENGLISH,
    build_words,
    check_overrides,
    choose,
    choose_language,
    placeholders,
    site_word_settings,
)
from pyapp.words_de import GERMAN
from tests.unit.test_messages import ALL_ERRORS


def test_german_has_every_key_and_the_same_placeholders() -> None:
    assert set(GERMAN) == set(ENGLISH)
    for key, text in ENGLISH.items():
        assert placeholders(GERMAN[key]) == placeholders(text), key
        assert GERMAN[key] != text, key


@pytest.mark.parametrize(
    ("setting", "page", "browser", "want"),
    [
        (None, "en", ["de-DE"], "en"),     # the page says what it is written in
        (None, "de-CH", [], "de"),
        (None, "", ["fr-FR", "de"], "de"),  # the first shipped of the browser's languages
        (None, "fr", ["ja"], "en"),
        ("de", "en", [], "de"),            # the site's setting wins
        ("fr", "de", [], "fr"),            # a language of the site's own (its words)
        ("  ", "de", [], "de"),
        (" DE_at ", "en", [], "de"),       # a tag as people write it, read as its language
        (None, "de_AT", [], "de"),
    ],
)
def test_the_language_choice(setting, page, browser, want) -> None:
    assert choose_language(setting, page, browser) == want


def test_a_sites_replacements_are_checked_key_by_key() -> None:
    accepted, problems = check_overrides({
        "login-button": "Sign in",
        "log-in-button": "typo",
        "project-count": "{shown}/{total}",
        "more-loaded": "{added} more",       # a placeholder missing
        "load-more": "More {please}",        # one too many
        "cancel-button": 3,
        "back-link": "Back {",               # a brace that is no placeholder
    })
    assert accepted == {"login-button": "Sign in", "project-count": "{shown}/{total}"}
    assert problems == [
        "“log-in-button” is not a word key; the keys are listed in pyapp.words.",
        "The text for “more-loaded” must hold {added}, {shown}, {total} and nothing else in "
        "braces.",
        "The text for “load-more” must hold no {…} fields and nothing else in braces.",
        "The text for “cancel-button” must be a string.",
        "The text for “back-link” must hold no {…} fields and nothing else in braces.",
    ]


def test_a_brace_a_sites_text_escapes_shows_as_one_with_or_without_values() -> None:
    words, problems = build_words("en", {"load-more": "More {{projects}}",
                                         "more-loaded": "{added} more {{new}}, {shown} of {total}"})
    assert problems == []
    assert words("load-more") == "More {projects}"
    assert words("more-loaded", added=2, shown=5, total=9) == "2 more {new}, 5 of 9"


def test_a_language_of_the_sites_own_falls_back_to_english_key_by_key() -> None:
    french, problems = build_words("fr", {"login-button": "Se connecter avec Speckle"})
    assert problems == []
    assert french("login-button") == "Se connecter avec Speckle"
    assert french("logout-button") == "Log out"
    assert french("project-count", shown=2, total=5) == "(2 of 5)"


def test_a_table_that_leaves_keys_out_reads_them_in_english() -> None:
    partial = words.Words("fr", {"login-button": "Se connecter"})
    assert partial("login-button") == "Se connecter"
    assert partial("logout-button") == "Log out"
    assert partial("project-count", shown=1, total=3) == "(1 of 3)"


def test_site_settings_layer_config_then_attributes_then_code() -> None:
    config = {"language": "en", "words": {"login-button": "A", "logout-button": "B"}}
    attributes = {"data-language": "de", "data-word-login-button": "C", "data-config": "x"}
    language, merged, problems = site_word_settings(config, attributes, None,
                                                    {"logout-button": "D"})
    assert (language, merged, problems) == ("de", {"login-button": "C", "logout-button": "D"},
                                            [])
    language, merged, problems = site_word_settings({"words": ["no"], "language": 7})
    assert (language, merged) == (None, {})
    assert problems == ["“words” must be an object of word keys and texts.",
                        "“language” must be a language tag such as \"de\"."]
    assert site_word_settings() == (None, {}, [])


def test_messages_speak_the_chosen_language_and_the_console_stays_english() -> None:
    choose("de")
    denied = message_for(LoginDenied())
    assert denied.title == "Sie haben den Zugriff abgelehnt" and denied.calm
    assert denied.technical.startswith("LoginDenied: The user declined")
    scope = message_for(MissingScope("profile:email"))
    assert "Ihre E-Mail-Adresse" in scope.detail
    said = message_for(ExchangeRejected("Invalid code", 400))
    assert said.detail == "Speckle meldet: „Invalid code.“ Bitte melden Sie sich erneut an."
    assert message_for(ServerUnavailable("server_error", status=502)).title == \
        "Speckle hat ein Problem"


@pytest.mark.parametrize("error", ALL_ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("editable", [False, True])
def test_every_message_is_worded_in_german_when_german_is_chosen(error, editable) -> None:
    # A visitor of a pinned site reads nothing English; the settings' own checks, shown when
    # the person on the page typed the settings, are the site owner's (English, as in the
    # console).
    choose("de")
    message = message_for(error, editable)
    if editable and message.action == "fix":
        return
    english = message_for(error, editable, words.Words())
    assert message.title != english.title
    assert message.detail != english.detail
    assert message.title in GERMAN.values()
