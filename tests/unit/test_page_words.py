"""A page's words (``pyapp.ui.page_words``) on a fake browser: the language chosen from the
site's settings, the page's ``lang`` and the browser's languages; what the console tells the
site owner about unusable replacements; and the page's own texts put into that language."""

from __future__ import annotations

from pyapp import words
from pyapp.words import ENGLISH
from pyapp.words_de import GERMAN
from tests.unit.fake_browser import FakeBrowser

PREFIX = "Speckle sign-in words: "


def test_the_pages_lang_chooses_the_words_and_they_become_active(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import choose_words

    fake_browser.document.documentElement.lang = "de-CH"
    fake_browser.navigator.languages = ["en-GB"]
    chosen = choose_words()
    assert chosen.language == "de" and chosen("login-button") == GERMAN["login-button"]
    assert words.active() is chosen
    assert fake_browser.console == []


def test_without_a_page_lang_the_browsers_first_shipped_language_is_spoken(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import choose_words

    fake_browser.document.documentElement.lang = ""
    fake_browser.navigator.languages = ["fr-FR", "de-AT"]
    assert choose_words().language == "de"


def test_a_browser_that_names_no_languages_reads_english(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import choose_words

    fake_browser.document.documentElement.lang = ""
    fake_browser.navigator.languages = None
    assert choose_words()("logout-button") == ENGLISH["logout-button"]


def test_the_sites_settings_win_over_the_page_and_browser(fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import choose_words

    fake_browser.document.documentElement.lang = "en"
    chosen = choose_words({"language": "en"}, {"data-word-login-button": "Los"}, "de",
                          {"cancel-button": "Halt"})  # the language given in code wins
    assert chosen.language == "de"
    assert (chosen("login-button"), chosen("cancel-button")) == ("Los", "Halt")
    assert chosen("logout-button") == GERMAN["logout-button"]


def test_unusable_word_settings_are_each_said_in_the_console_and_left_out(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import choose_words

    chosen = choose_words({"language": 7}, None, None, {"log-in-button": "typo"})
    assert chosen.language == "en"
    assert fake_browser.console == [
        ("warn", PREFIX + "“language” must be a language tag such as \"de\"."),
        ("warn", PREFIX + "“log-in-button” is not a word key; the keys are listed in "
                          "pyapp.words."),
    ]


def test_reword_puts_the_pages_texts_and_labels_into_the_chosen_words(
        fake_browser: FakeBrowser) -> None:
    from pyapp.ui.page_words import reword

    document = fake_browser.document
    heading = document.add("heading", "h2")
    heading.setAttribute("data-word", "projects-heading")
    heading.textContent = "Projects"
    progress = document.add("progress", "progress")
    progress.setAttribute("data-word-label", "loading-progress")
    other = document.add("other", "p")
    other.textContent = "left alone"
    reword(document, words.Words("de", GERMAN))
    assert heading.textContent == GERMAN["projects-heading"]
    assert progress.getAttribute("aria-label") == GERMAN["loading-progress"]
    assert progress.textContent == "" and "aria-label" not in heading.attributes
    assert other.textContent == "left alone" and other.attributes == {"id": "other"}
