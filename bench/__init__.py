"""Start-up benchmark of the login pages in headless Chromium against the mock Speckle server.

``python -m bench --runs 5`` (or ``./dev bench``) prints medians with min/max and ratios
measured in the same run; see ``docs/benchmarks.md``. It prints figures and asserts nothing.
"""
