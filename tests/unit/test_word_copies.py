"""The words the pages hold before Python runs: ``loading.js``'s copy of the table equals
``pyapp.words``, and every ``data-word`` in the HTML pages names a key. (They read the
repository's files, so mutation runs, whose copy holds pyapp/ alone, leave them out.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pyapp import words
from pyapp.words import ENGLISH
from pyapp.words_de import GERMAN

REPO = Path(__file__).resolve().parents[2]


def loading_js_tables() -> dict[str, dict[str, str]]:
    source = (REPO / "loading.js").read_text(encoding="utf-8")
    found = re.search(r"/\* words \*/(.*?)/\* end words \*/", source, re.S)
    assert found, "loading.js has no /* words */ table"
    tables: dict[str, dict[str, str]] = json.loads(found.group(1))
    return tables


def test_loading_js_holds_the_same_words_as_pyapp() -> None:
    tables = loading_js_tables()
    assert set(tables) == set(words.SHIPPED)
    assert set(tables["en"]) == set(tables["de"])
    for key in tables["en"]:
        assert tables["en"][key] == ENGLISH[key], key
        assert tables["de"][key] == GERMAN[key], key


def test_every_word_the_html_pages_name_exists() -> None:
    names = set()
    for page in ("index.html", "callback.html", "examples/embed/callback.html"):
        html = (REPO / page).read_text(encoding="utf-8")
        names |= set(re.findall(r'data-word(?:-label)?="([^"]+)"', html))
        names |= set(re.findall(r'data-error-word="([^"]+)"', html))
    assert names and names <= set(ENGLISH)
    assert names <= set(loading_js_tables()["en"])  # worded before Python runs, too
