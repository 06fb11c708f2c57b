"""Every word a visitor reads, by key: the shipped languages, the choice among them, and a
site's own replacements.

A table maps a key (``"login-button"``) to a text; ``{name}`` marks a value filled in when
the text is used (``"{shown} of {total}"``). :data:`ENGLISH` is complete by definition;
every other language must hold exactly its keys and placeholders (a unit test checks), and
a key a site's own language leaves out reads in English.

The language is the first of these that names a shipped one: the site's setting
(``"language"`` in ``config.json``, ``data-language``, or Python), the page's
``<html lang>``, the browser's preferred languages; English otherwise. A site replaces
single texts, key by key, with ``"words"`` in ``config.json``, ``data-word-<key>``
attributes or :func:`choose`'s ``overrides``; a replacement with an unknown key or other
placeholders than the original's is refused and reported, so a typo never blanks a button.

What the console says (for the site owner) stays English: see :mod:`pyapp.messages`.
Plain Python, unit-tested under CPython; the German table loads only when it is chosen.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The English table: every key a page may show.
ENGLISH: dict[str, str] = {
    # The login control
    "login-button": "Log in with Speckle",
    "logout-button": "Log out",
    "cancel-button": "Cancel",
    "stay-signed-in": "Stay signed in on this device",
    "popup-wait": "Continue in the Speckle window to sign in.",
    "popup-detached": ("The Speckle window no longer reports to this page, so closing it "
                       "won't end the wait: finish signing in there, or cancel."),
    "signed-in-name": "Signed in",
    "signed-out-notice": "You are signed out.",
    "back-link": "Back to where you were",
    "checking-session": "Checking your session…",
    # The signed-in view
    "server-name": "on {server}",
    "projects-heading": "Projects",
    "project-count": "({shown} of {total})",
    "project-updated": "updated {date}",
    "role-owner": "owner",
    "role-contributor": "contributor",
    "role-reviewer": "reviewer",
    "visibility-public": "public",
    "visibility-private": "private",
    "visibility-unlisted": "unlisted",
    "visibility-workspace": "workspace",
    "load-more": "Load more",
    "more-loaded": "{added} more projects loaded, {shown} of {total} shown.",
    # The redirect page
    "completing": "Signing you in…",
    "returning": "Signed in. Taking you back…",
    "action-back": "Back to the app",
    "action-login": "Log in again",
    "action-retry": "Try again",
    "action-fix": "Back to the settings",
    # Loading the page (loading.js holds these too, for the time before Python runs)
    "loading-download": "Downloading Python…",
    "loading-bytes": "Downloading Python: {loaded} MB",
    "loading-bytes-of": "Downloading Python: {loaded} of {total} MB",
    "loading-start": "Starting Python…",
    "loading-app": "Starting the app…",
    "loading-progress": "Loading progress",
    "load-failed-title": "Couldn't load Python",
    "load-failed-page-title": "This page couldn't load",
    "load-failed-callback-title": "Couldn't finish signing you in",
    "load-crashed-title": "The app failed to start",
    "load-framed-title": "Open this page in its own tab",
    "load-missing": ("A file this page needs is missing from the site, so reloading won't "
                     "help; the site owner can fix it."),
    "load-network": "A file this page needs didn't arrive. Check your connection and reload "
                    "the page.",
    "load-stalled": "Loading stopped making progress. Check your connection and reload the "
                    "page.",
    "load-unsupported": ("This browser can't run this page. Try a current version of Chrome, "
                         "Firefox, Safari or Edge."),
    "load-crashed": ("Reload the page; if it happens again, the site owner can find details "
                     "in the browser console."),
    "load-framed": ("For your security, signing in works only on the site's own page, not "
                    "inside another site."),
    "reload-button": "Reload",
    "open-in-tab": "Open in a new tab",
    # Messages (pyapp.messages): a title and a detail each
    "setup-title": "Sign-in isn't available",
    "setup-detail": ("This site's Speckle sign-in isn't set up correctly; the site owner can "
                     "find details in the browser console."),
    "declined-title": "You declined access",
    "declined-detail": ("You're not signed in, and nothing from your Speckle account was "
                        "shared. You can log in again whenever you like."),
    "cancelled-title": "Sign-in cancelled",
    "cancelled-detail": ("The sign-in ended before Speckle answered (its window was closed or "
                         "the sign-in was cancelled), so you are not signed in. You can log "
                         "in again whenever you like."),
    "blocked-title": "The sign-in window was blocked",
    "blocked-detail": ("Your browser blocked the window Speckle's sign-in opens in. Allow "
                       "pop-ups for this site and log in again."),
    "no-code-title": "Nothing to sign in with",
    "no-code-detail": ("This page is where Speckle sends you after you log in, but it was "
                       "opened without an access code. Start from the Log in button."),
    "no-record-title": "This sign-in can't be finished here",
    "no-record-detail": ("The login was started in another tab or window, or too long ago, so "
                         "this tab has no record of it. Please log in again."),
    "rejected-title": "Speckle didn't accept the sign-in",
    "rejected-detail": "Please log in again.",
    "rejected-said": "Speckle said: “{said}” Please log in again.",
    "unusable-title": "Speckle sent an answer this page can't use",
    "unusable-detail": ("Nothing from it was kept. Try again; if it keeps happening, the site "
                        "owner can find details in the browser console."),
    "server-failed-title": "Speckle is having a problem",
    "server-failed-detail": "Speckle answered, but couldn't do this just now. Try again in a "
                            "moment.",
    "unreachable-title": "Couldn't reach Speckle",
    "unreachable-detail": "Speckle didn't answer. Check your internet connection, then try "
                          "again.",
    "expired-title": "Your session has ended",
    "expired-detail": "Your Speckle session expired or access was revoked. Please log in "
                      "again.",
    "dropped-title": "You were signed out",
    "dropped-detail": ("Your saved sign-in can't be used any more, so it was removed. Please "
                       "log in again."),
    "scope-title": "Some details can't be shown",
    "scope-detail": ("This site wasn't allowed to see {what}. Log in again to re-authorize "
                     "it, or ask the site owner to ask for that permission."),
    "scope-profile:read": "your name and picture",
    "scope-profile:email": "your e-mail address",
    "scope-streams:read": "your projects",
    "scope-streams:write": "changes to your projects",
    "scope-other": "some of your account's details",
    "storage-full-title": "The browser's storage is full",
    "storage-full-detail": ("The browser's storage for this site is full, and signing in "
                            "needs a little of it. Nothing was saved. Free some space (clear "
                            "this site's data), then try again."),
    "storage-blocked-title": "Site storage is blocked",
    "storage-blocked-detail": ("This browser is blocking site storage, which signing in needs. "
                               "Allow this site to store data (cookies and site data in the "
                               "browser's settings), then try again."),
    "insecure-title": "This page can't sign you in securely",
    "insecure-detail": ("This page isn't served over a secure (https) connection, so it can't "
                        "sign you in safely."),
    "insecure-owner": "The site owner can find details in the browser console.",
    "signed-out-title": "You are signed out",
    "signed-out-detail": "Log in to continue.",
    "not-found-title": "Not found",
    "not-found-project": "This project doesn't exist, or it was deleted.",
    "not-found-model": "This model isn't in the project, or it was deleted.",
    "no-access-title": "You can't open this project",
    "no-access-detail": ("Your Speckle account doesn't have access to this project. Ask its "
                         "owner to invite you, or log in with another account."),
    "not-found-object": "This model's data isn't in the project, or it was deleted.",
    "objects-incomplete-title": "The model didn't finish loading",
    "objects-incomplete-detail": ("The connection to Speckle ended before all of the model "
                                  "arrived, so none of it is shown. Try again."),
    "objects-malformed-title": "Speckle sent model data this page can't read",
    "objects-malformed-detail": ("Nothing from it was kept. Try again; if it keeps happening, "
                                 "the site owner can find details in the browser console."),
    "objects-too-large-title": "This model is too large for this page",
    "objects-too-large-detail": ("The model holds more data than this page is set up to load, "
                                 "so it was not loaded. Open it in Speckle instead."),
    "graphql-title": "Speckle couldn't answer",
    "graphql-detail": "Something went wrong while loading your data from Speckle. Try again.",
    "unexpected-title": "Something went wrong",
    "unexpected-detail": "Please try again.",
}

SHIPPED = ("en", "de")
_FORMATTER = string.Formatter()


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of ``text``."""
    return frozenset(name for _, name, _, _ in _FORMATTER.parse(text) if name)


def shipped_table(language: str) -> dict[str, str]:
    """The table of a shipped language (imported only when asked for)."""
    if language == "de":
        from .words_de import GERMAN

        return GERMAN
    return ENGLISH


def _primary(tag: str) -> str:
    return tag.strip().replace("_", "-").split("-")[0].lower()


def choose_language(
    setting: str | None = None,
    page_lang: str | None = None,
    browser_languages: Iterable[str] = (),
) -> str:
    """The language to speak: the site's ``setting`` whatever it names (a language of the
    site's own reads its ``words``, English where they leave a key out), else the first of
    the page's ``lang`` and the browser's languages whose primary subtag (``de`` of
    ``de-CH``) is shipped, else English."""
    if setting and setting.strip():
        return _primary(setting)
    for tag in (page_lang, *browser_languages):
        if tag and _primary(tag) in SHIPPED:
            return _primary(tag)
    return "en"


@dataclass(frozen=True)
class Words:
    """A language's table with a site's replacements: ``words("load-more")``, or with
    values, ``words("project-count", shown=3, total=9)``."""

    language: str = "en"
    table: Mapping[str, str] = field(default_factory=lambda: ENGLISH)

    def __call__(self, key: str, **values: object) -> str:
        text = self.table.get(key)
        if text is None:
            text = ENGLISH[key]  # a site's own language may leave keys out
        # Formatted even without values: a brace a site's text escapes ({{) shows as one,
        # whichever key it is in (a lone brace never gets in: see check_overrides).
        return text.format(**values)


def _same_placeholders(text: str, original: str) -> bool:
    """Whether ``text`` holds the ``{placeholders}`` of ``original`` and no other braces."""
    try:
        return placeholders(text) == placeholders(original)
    except ValueError:  # a brace that is no placeholder
        return False


def check_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The replacements that can be used, and what is wrong with the others (for the
    console). A replacement must name a known key, be text, and keep the original's
    ``{placeholders}``."""
    accepted: dict[str, str] = {}
    problems: list[str] = []
    for key, text in overrides.items():
        if key not in ENGLISH:
            problems.append(f"“{key}” is not a word key; the keys are listed in pyapp.words.")
        elif not isinstance(text, str):
            problems.append(f"The text for “{key}” must be a string.")
        elif not _same_placeholders(text, ENGLISH[key]):
            want = ", ".join(sorted(f"{{{p}}}" for p in placeholders(ENGLISH[key])))
            problems.append(f"The text for “{key}” must hold {want or 'no {…} fields'}"
                            " and nothing else in braces.")
        else:
            accepted[key] = text
    return accepted, problems


def build_words(language: str, overrides: Mapping[str, Any] | None = None,
                ) -> tuple[Words, list[str]]:
    """The words of ``language`` with ``overrides`` applied, and the problems found in the
    overrides."""
    accepted, problems = check_overrides(overrides or {})
    return Words(language, {**shipped_table(language), **accepted}), problems


WORD_ATTRIBUTE_PREFIX = "data-word-"


def overrides_from_attributes(attributes: Mapping[str, str]) -> dict[str, str]:
    """``data-word-<key>`` attributes as replacements (``data-word-login-button``)."""
    return {name.removeprefix(WORD_ATTRIBUTE_PREFIX): value
            for name, value in attributes.items() if name.startswith(WORD_ATTRIBUTE_PREFIX)}


_active = Words()


def active() -> Words:
    """The words pages and messages use now."""
    return _active


def use(words: Words) -> Words:
    """Make ``words`` the active ones (what :func:`active` returns); returns them."""
    global _active
    _active = words
    return words


def choose(
    language: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    page_lang: str | None = None,
    browser_languages: Iterable[str] = (),
) -> tuple[Words, list[str]]:
    """Pick the language (see :func:`choose_language`), apply ``overrides`` and make the
    result active; returns it with the problems found in the overrides."""
    chosen = choose_language(language, page_lang, browser_languages)
    words, problems = build_words(chosen, overrides)
    return use(words), problems


#: A site's word settings in ``config.json``: the language, and single texts replaced.
LANGUAGE_KEY = "language"
WORDS_KEY = "words"
LANGUAGE_ATTRIBUTE = "data-language"


def site_word_settings(
    config: Mapping[str, Any] | None = None,
    attributes: Mapping[str, str] | None = None,
    language: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[str | None, dict[str, Any], list[str]]:
    """A site's language and replacements, layered as settings are: ``config`` (its
    ``"language"`` and ``"words"``), an element's ``data-language`` and ``data-word-*``
    ``attributes``, then the values given in code; with what is unusable about them."""
    config = config or {}
    attributes = attributes or {}
    problems: list[str] = []
    from_config = config.get(WORDS_KEY) or {}
    if not isinstance(from_config, Mapping):
        problems.append(f"“{WORDS_KEY}” must be an object of word keys and texts.")
        from_config = {}
    chosen = language or attributes.get(LANGUAGE_ATTRIBUTE) or config.get(LANGUAGE_KEY) or None
    if chosen is not None and not isinstance(chosen, str):
        problems.append(f"“{LANGUAGE_KEY}” must be a language tag such as \"de\".")
        chosen = None
    merged = {**from_config, **overrides_from_attributes(attributes), **(overrides or {})}
    return chosen, merged, problems
