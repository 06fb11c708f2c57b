"""The words of this page: chosen from the site's setting, the page's ``lang`` and the
browser's languages (:mod:`pyapp.words`), the site's replacements checked and reported in
the console, and the page's own HTML texts (``data-word="<key>"``) put into that language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import js

from ..words import Words, choose, site_word_settings


def choose_words(
    config: Mapping[str, Any] | None = None,
    attributes: Mapping[str, str] | None = None,
    language: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Words:
    """Make this page's words active (see :func:`pyapp.words.site_word_settings` for where
    the site's settings come from). What cannot be used is said in the console, for the
    site owner, and left out."""
    chosen, merged, problems = site_word_settings(config, attributes, language, overrides)
    words, more = choose(chosen, merged, page_lang=str(js.document.documentElement.lang),
                         browser_languages=[str(tag) for tag in js.navigator.languages or []])
    for problem in problems + more:
        js.console.warn(f"Speckle sign-in words: {problem}")
    return words


def reword(root: Any, words: Words) -> None:
    """Give every ``[data-word]`` element under ``root`` its text in ``words``, and every
    ``[data-word-label]`` its ``aria-label``."""
    for node in root.querySelectorAll("[data-word]"):
        node.textContent = words(str(node.getAttribute("data-word")))
    for node in root.querySelectorAll("[data-word-label]"):
        node.setAttribute("aria-label", words(str(node.getAttribute("data-word-label"))))
