"""The documentation: every Python example compiles, the API reference names every public
name of ``pyapp``, and the pages that copy a tool's options or codes keep up with the tool.

The site itself is built by ``./dev test`` with ``mkdocs build --strict`` (broken links and
references fail there).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

import pyapp
from devtools.griffe_pyapp import comment_above, plain_roles
from mock_speckle.__main__ import FAULT_HELP, build_parser

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCS = REPO_ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md")) + [REPO_ROOT / "README.md"]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```",
                   re.MULTILINE | re.DOTALL)
PY_SCRIPT = re.compile(r'<script type="py"[^>]*>\n(?P<body>.*?)</script>', re.DOTALL)


def python_examples() -> list[tuple[str, str]]:
    """Every Python example: ```python blocks, and ``<script type="py">`` in ```html ones."""
    found: list[tuple[str, str]] = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for number, block in enumerate(FENCE.finditer(text), 1):
            body = textwrap.dedent(block["body"])
            where = f"{page.relative_to(REPO_ROOT)} block {number}"
            if block["lang"] in ("python", "py"):
                found.append((where, body))
            elif block["lang"] == "html":
                found += [(f"{where} <script type=py>", textwrap.dedent(script["body"]))
                          for script in PY_SCRIPT.finditer(body)]
    return found


EXAMPLES = python_examples()


def test_there_are_examples_in_the_guide_and_the_widget_page() -> None:
    pages = {where.split(" block")[0] for where, _ in EXAMPLES}
    assert {"docs/authors/index.md", "docs/authors/widget.md"} <= pages


@pytest.mark.parametrize(("where", "code"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_every_python_example_compiles(where: str, code: str) -> None:
    # PyScript runs a page's top level as a coroutine: top-level await is allowed there.
    compile(code, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def test_a_broken_example_would_be_caught() -> None:
    with pytest.raises(SyntaxError):
        compile("speckle = connect(\n", "x", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_the_api_reference_names_every_public_name() -> None:
    reference = (DOCS / "authors" / "reference.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^::: pyapp\.(\w+)$", reference, re.MULTILINE))
    missing = set(pyapp.__all__) - documented
    assert not missing, f"not in docs/authors/reference.md: {sorted(missing)}"


def test_every_error_code_is_on_the_errors_page() -> None:
    page = (DOCS / "authors" / "errors.md").read_text(encoding="utf-8")
    errors = [getattr(pyapp, name) for name in pyapp.__all__]
    codes = {e.code for e in errors if isinstance(e, type) and issubclass(e, pyapp.SpeckleError)}
    codes.discard(pyapp.SpeckleError.code)
    assert codes
    for code in codes:
        assert f"| `{code}` |" in page, code


def test_the_mock_page_lists_every_option_and_fault() -> None:
    page = (DOCS / "developing" / "mock.md").read_text(encoding="utf-8")
    for action in build_parser()._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"`{option}" in page, option
    for fault, words in FAULT_HELP.items():
        assert f"| `{fault}` | {words} |" in page, fault


def test_no_page_is_the_reserved_look_and_words_page_yet_or_links_to_a_missing_image() -> None:
    for page in DOCS.rglob("*.md"):
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / image).is_file(), (page, image)
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (REPO_ROOT / image).is_file(), image


def test_the_readme_is_short_and_points_at_each_audience() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for target in ("docs/visitors.md", "docs/owners/index.md", "docs/authors/index.md"):
        assert f"]({target})" in readme, target
    for link in re.findall(r"\]\((docs/[^)#]+)", readme):
        assert (REPO_ROOT / link).is_file(), link


def test_registering_an_app_is_described_one_way() -> None:
    paths = set()
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        paths.update(re.findall(r"[Aa]vatar → (?:[\w ]+? → )*(?:Authorized Apps|Apps)", text))
    where_apps_are_made = {p.lower() for p in paths if not p.endswith("Authorized Apps")}
    assert where_apps_are_made == {"avatar → settings → profile → developer → apps"}


# -- the Griffe extension that reads pyapp's docstrings for the API reference ---------------


def test_sphinx_roles_become_code() -> None:
    text = ("Raises :class:`~pyapp.errors.LoginDenied`; see :func:`pyapp.messages.message_for` "
            "and :meth:`~pyapp.client.SpeckleClient.login`. Example::")
    assert plain_roles(text) == ("Raises `LoginDenied`; see `pyapp.messages.message_for()` "
                                 "and `login()`. Example:")


def test_hash_colon_comments_become_attribute_docstrings() -> None:
    lines = ["class A:", "    #: first line", "    #: second line", "    x: int = 1",
             "    # not a doc comment", "    y: int = 2"]
    assert comment_above(lines, 4) == "first line second line"
    assert comment_above(lines, 6) is None


# -- ./dev test's documentation build ------------------------------------------------------


def _build_docs_as_dev_test_does(folder: Path) -> subprocess.CompletedProcess[str]:
    """Run ``./dev``'s own ``build_docs`` function, in ``folder``."""
    dev = (REPO_ROOT / "dev").read_text(encoding="utf-8")
    function = re.search(r"^build_docs\(\) \{\n.*?^\}\n", dev, re.MULTILINE | re.DOTALL)
    assert function, "./dev has no build_docs function"
    script = f'set -euo pipefail\nVENV="{REPO_ROOT / ".venv"}"\n{function.group(0)}build_docs\n'
    return subprocess.run(["bash", "-c", script], cwd=folder, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def docs_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the documentation build reads, copied: the pages, mkdocs.yml, pyapp/."""
    folder = tmp_path_factory.mktemp("docs-build")
    shutil.copytree(DOCS, folder / "docs")
    shutil.copytree(REPO_ROOT / "pyapp", folder / "pyapp",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "devtools").mkdir()
    shutil.copy(REPO_ROOT / "devtools" / "griffe_pyapp.py", folder / "devtools")
    shutil.copy(REPO_ROOT / "mkdocs.yml", folder)
    return folder


def test_dev_test_fails_on_a_broken_link(docs_copy: Path) -> None:
    # (The clean build is ./dev test's own step; here: that a broken one fails it.)
    page = docs_copy / "docs" / "visitors.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n[Somewhere](no-such-page.md)\n", encoding="utf-8")
    try:
        broken = _build_docs_as_dev_test_does(docs_copy)
    finally:
        page.write_text(text, encoding="utf-8")
    assert broken.returncode != 0
    assert "no-such-page.md" in broken.stderr


def test_dev_test_fails_on_a_reference_to_a_name_that_does_not_exist(docs_copy: Path) -> None:
    page = docs_copy / "docs" / "authors" / "reference.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\n::: pyapp.NoSuchName\n", encoding="utf-8")
    try:
        broken = _build_docs_as_dev_test_does(docs_copy)
    finally:
        page.write_text(text, encoding="utf-8")
    assert broken.returncode != 0
    assert "pyapp.NoSuchName" in broken.stderr
