"""``./dev mutate``'s bookkeeping: how a survivor is named, and the accepted-survivors file."""

from __future__ import annotations

from pathlib import Path

import pytest

from devtools.mutate import ACCEPTED_FILE, Mutant, function_name, load_accepted, report

DIFF = """--- pyapp/client.py
+++ pyapp/client.py
@@ -1,3 +1,3 @@
 def notify(self) -> None:
-    session = self.session
+    session   =  None
     for listener in list(self._listeners):"""


def test_survivors_are_named_by_file_function_and_mutated_line_not_number() -> None:
    assert function_name("pyapp.client.xǁSpeckleClientǁnotify__mutmut_3") == "SpeckleClient.notify"
    assert function_name("pyapp.flow.x_complete_login__mutmut_12") == "complete_login"
    a = Mutant("pyapp.client.xǁSpeckleClientǁnotify__mutmut_3", "pyapp/client.py",
               "SpeckleClient.notify", "survived", DIFF)
    b = Mutant("pyapp.client.xǁSpeckleClientǁnotify__mutmut_9", "pyapp/client.py",
               "SpeckleClient.notify", "survived", DIFF.replace("-1,3 +1,3", "-7,3 +7,3"))
    assert a.identity == b.identity == "pyapp/client.py :: SpeckleClient.notify :: session = None"


def test_accepted_survivors_leave_the_open_list(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    accepted = tmp_path / "accepted.txt"
    accepted.write_text("# comment\n\npyapp/client.py :: SpeckleClient.notify :: "
                        "session = None :: why not\n", encoding="utf-8")
    mutants = [Mutant("k1", "pyapp/client.py", "SpeckleClient.notify", "survived", DIFF),
               Mutant("k2", "pyapp/client.py", "SpeckleClient.notify", "killed", ""),
               Mutant("k3", "pyapp/x.py", "f", "no tests", DIFF.replace("None", "1"))]
    assert report(mutants, load_accepted(accepted), None) == 1  # k3 is open
    out = capsys.readouterr().out
    assert "== no tests: pyapp/x.py f  (k3)" in out and "k1" not in out.split("accepted")[0]
    assert out.splitlines()[-1] == "mutation score: 1 of 3 killed (33.3%)"
    assert report(mutants[:2], load_accepted(accepted), None) == 0


def test_a_malformed_accepted_line_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "accepted.txt"
    bad.write_text("pyapp/client.py :: no reason\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="accepted.txt:1"):
        load_accepted(bad)


def test_the_committed_accepted_file_reads() -> None:
    assert all(reason for reason in load_accepted(ACCEPTED_FILE).values())


def test_every_unit_test_of_code_outside_pyapp_is_left_out_of_mutation_runs() -> None:
    # mutants/ holds a copy of pyapp/ only: a test module importing anything else fails to
    # collect there, and mutmut then fails before testing a single mutant.
    import re
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    ignored = {arg.removeprefix("--ignore=")
               for arg in config["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
               if arg.startswith("--ignore=")}
    # ... and so does one that reads the repository's own files (pages, scripts, config).
    outside = re.compile(r"^\s*(from|import) (devtools|mock_speckle|tools|bench)\b"
                         r"|parents\[2\]", re.M)
    needing = {f"tests/unit/{p.name}" for p in (root / "tests" / "unit").glob("test_*.py")
               if outside.search(p.read_text(encoding="utf-8"))}
    assert needing and needing <= ignored, sorted(needing - ignored)
