"""Let the pinned Playwright drive Debian's Firefox ESR over WebDriver BiDi.

Playwright starts Firefox (``channel="moz-firefox"``) with its own WebDriver BiDi remote
agent, so no driver is downloaded. But every new browser context and page sends
``emulation.setMediaFeaturesOverride`` (the ``prefers-color-scheme`` emulation), which Firefox
ESR 153 answers with ``unknown command``; Playwright treats that as fatal and no page can be
opened. The tests never emulate a colour scheme, so that one answer is harmless.

This script edits the Playwright driver installed in ``.venv`` (``coreBundle.js``, shipped
inside the pip wheel) so that ``unknown command`` *for that command only* resolves as an
empty success; every other error, and that command's other errors, stay errors. It runs on
every ``./dev setup``:

* already patched (the marker is present): nothing to do;
* the original text found exactly once: patched;
* otherwise (a different Playwright version): it stops with an error naming the file, so a
  Playwright upgrade cannot silently drop or misplace the patch.

``--check`` only reports whether the patch is in place (exit 1 if not). Standard library only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKER = "/* speckle-login: BiDi unknown command tolerated */"
TOLERATED = "emulation.setMediaFeaturesOverride"

ORIGINAL = """          if (object.type === "error") {
            if (object.error === "no such frame")"""

PATCHED = f"""          if (object.type === "error" && object.error === "unknown command"
              && callback.error.method === "{TOLERATED}") {{
            {MARKER}
            callback.resolve({{}});
          }} else if (object.type === "error") {{
            if (object.error === "no such frame")"""


def core_bundle(venv: Path) -> Path:
    """The driver's bundle inside ``venv`` (one Python version's site-packages)."""
    found = sorted(venv.glob("lib/python3*/site-packages/playwright/driver/package/lib/"
                             "coreBundle.js"))
    if len(found) != 1:
        raise SystemExit(f"patch_playwright: expected one Playwright driver in {venv}, "
                         f"found {len(found)}")
    return found[0]


def is_patched(text: str) -> bool:
    return MARKER in text


def patch(text: str) -> str:
    """``text`` with the tolerance added; raises ``ValueError`` if the code is not the one
    this patch was written for."""
    if is_patched(text):
        return text
    if text.count(ORIGINAL) != 1:
        raise ValueError("the BiDi response handler is not where this patch expects it")
    return text.replace(ORIGINAL, PATCHED, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=REPO / ".venv")
    parser.add_argument("--check", action="store_true", help="only report, change nothing")
    args = parser.parse_args(argv)
    bundle = core_bundle(args.venv)
    text = bundle.read_text(encoding="utf-8")
    if args.check:
        ok = is_patched(text)
        print(f"{bundle}: {'patched' if ok else 'NOT patched: run ./dev setup'}")
        return 0 if ok else 1
    if is_patched(text):
        return 0
    try:
        bundle.write_text(patch(text), encoding="utf-8")
    except ValueError as error:
        print(f"patch_playwright: {bundle}: {error}. The patch was written for the "
              "Playwright pinned in requirements-dev.txt; update tools/patch_playwright.py "
              "along with Playwright.", file=sys.stderr)
        return 1
    print(f"Playwright driver patched for Firefox ESR ({TOLERATED} tolerated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
