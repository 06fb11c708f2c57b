"""The shipped modules are smaller but the same program, with every statement on its line."""

from __future__ import annotations

import dataclasses
import itertools
import sys
import textwrap
import traceback
from pathlib import Path
from types import ModuleType

import pytest

from devtools.py_strip import same_program, strip_python

ROOT = Path(__file__).resolve().parents[2]
_COUNTER = itertools.count()

SAMPLE = textwrap.dedent('''\
    """Module docstring,
    on two lines."""

    from __future__ import annotations

    from dataclasses import dataclass

    GREETING = """keep   this
        text exactly   """  # a comment after a multi-line string
    HASH = "# not a comment"
    LABEL = f"""{HASH!r}
        # inside an f-string, {GREETING[:4]:>{6}}
    """  # tokenised in parts since Python 3.12


    @dataclass(frozen=True)
    class Point:
        """Fields are read from the annotations: they must stay."""

        x: int  # comment
        y: int = 0

        def moved(self, dx: int, *args: int, scale: float = 1.0, **kw: str) -> Point:
            """One line."""
            # a comment alone on its line
            return Point(
                x=self.x + dx,   # trailing comment inside brackets
                y=int(self.y * scale),
            )


    class Empty(Exception):
        """Only a docstring: the body must not end up empty."""


    def labelled(name: str = "“quoted”", width: int = 3) -> str: return name.ljust(width)


    def inline(): "shares its row with code, so it stays"


    def total(values: list[int]) -> int:
        return sum(values) + \\
            len(values)


    def fails(
        reason: str,
    ) -> None:
        raise RuntimeError(reason)
    ''')


def load(source: str) -> ModuleType:
    name = f"stripped_sample_{next(_COUNTER)}"
    module = sys.modules[name] = ModuleType(name)  # dataclasses look the module up
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


def test_the_sample_shrinks_and_keeps_its_lines() -> None:
    stripped = strip_python(SAMPLE)
    assert len(stripped) < len(SAMPLE) * 0.7
    assert stripped.count("\n") == SAMPLE.count("\n")
    assert "docstring" not in stripped and "comment" not in stripped.replace("not a comment", "")
    assert 'GREETING = """keep   this\n    text exactly   """\n' in stripped
    assert '"shares its row with code, so it stays"' in stripped
    assert "\n def moved(self, dx, *args, scale = 1.0, **kw):\n" in stripped
    assert " x: int\n" in stripped and " y: int = 0\n" in stripped


def test_the_stripped_sample_behaves_the_same() -> None:
    original, stripped = load(SAMPLE), load(strip_python(SAMPLE))
    for module in (original, stripped):
        point = module.Point(1, 2).moved(2, scale=2.0)
        assert (point.x, point.y) == (3, 4)
        assert [f.name for f in dataclasses.fields(module.Point)] == ["x", "y"]
        assert module.labelled("a") == "a  " and module.labelled() == "“quoted”"
        assert module.total([1, 2]) == 5
        assert module.GREETING == "keep   this\n    text exactly   "
        assert module.HASH == "# not a comment"
        assert module.LABEL == "'# not a comment'\n    # inside an f-string,   keep\n"
        assert issubclass(module.Empty, Exception)
    assert stripped.inline.__doc__ == "shares its row with code, so it stays"


def test_a_traceback_names_the_same_line() -> None:
    def failing_line(module: ModuleType) -> int:
        with pytest.raises(RuntimeError) as caught:
            module.fails("boom")
        return traceback.extract_tb(caught.value.__traceback__)[-1].lineno or 0

    assert failing_line(load(strip_python(SAMPLE))) == failing_line(load(SAMPLE))
    raise_row = SAMPLE.splitlines().index("    raise RuntimeError(reason)") + 1
    assert failing_line(load(SAMPLE)) == raise_row


def test_same_program_notices_a_moved_or_changed_statement() -> None:
    stripped = strip_python(SAMPLE)
    assert same_program(SAMPLE, stripped)
    assert not same_program(SAMPLE, "\n" + stripped)
    assert not same_program(SAMPLE, stripped.replace("dx", "dy"))


@pytest.mark.parametrize("path", sorted((ROOT / "pyapp").rglob("*.py")),
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_pyapp_module_strips_to_the_same_program(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    stripped = strip_python(source)  # raises if it is not the same program
    assert stripped.count("\n") == source.count("\n")
    assert len(stripped) <= len(source)
    compile(stripped, path.name, "exec")
