"""Shared test setup: the repository root is importable (``pyapp``, ``mock_speckle``,
``devtools``) however pytest is started, and the Hypothesis profile property tests run with."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parent.parent

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# Property tests (Hypothesis): one fixed, repeatable run in CI. ``derandomize`` draws the same
# inputs on every run (a failure reproduces, and nothing flakes), no example database is
# written, and no deadline applies (the machine is shared). HYPOTHESIS_PROFILE=explore
# searches with fresh random inputs and ten times as many.
settings.register_profile("ci", max_examples=200, derandomize=True, database=None,
                          deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
