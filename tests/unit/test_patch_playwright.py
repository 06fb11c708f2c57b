"""tools/patch_playwright.py: one exact edit of Playwright's driver, or a loud refusal."""

import sys
from pathlib import Path

import pytest

from tools.patch_playwright import MARKER, ORIGINAL, TOLERATED, core_bundle, is_patched, patch

HANDLER = f"before\n{ORIGINAL}\n  callback.error.type = \"closed\";\nafter\n"


def test_patch_tolerates_only_the_one_unknown_command() -> None:
    patched = patch(HANDLER)
    assert is_patched(patched) and patched.count(MARKER) == 1
    assert f'callback.error.method === "{TOLERATED}"' in patched
    assert 'object.error === "unknown command"' in patched
    assert ORIGINAL.splitlines()[1] in patched  # every other error still handled as before
    assert patched.startswith("before\n") and patched.endswith("after\n")


def test_patching_twice_changes_nothing() -> None:
    once = patch(HANDLER)
    assert patch(once) == once


@pytest.mark.parametrize("text", ["no handler here", HANDLER + HANDLER])
def test_an_unexpected_driver_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not where this patch expects it"):
        patch(text)


def test_the_installed_driver_is_the_one_the_patch_was_written_for() -> None:
    # ./dev setup patches .venv; an unpatched driver must at least hold the original once.
    text = core_bundle(Path(sys.prefix)).read_text(encoding="utf-8")
    assert is_patched(text) or text.count(ORIGINAL) == 1
