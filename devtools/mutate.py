"""Mutation testing of ``pyapp/`` with mutmut (``./dev mutate``).

mutmut copies ``pyapp/`` into ``mutants/``, puts many small bugs into it (one at a time) and
runs the CPython unit tests against each; a mutant the tests do not notice *survives*. Its
configuration (which files, which tests) is ``[tool.mutmut]`` in ``pyproject.toml``.

This script runs mutmut from scratch, then reports what survived. mutmut numbers its mutants
per function, so a number shifts whenever the code above it changes; a survivor is therefore
named by its file, its function and the mutated source line (whitespace collapsed), which
stays the same across edits elsewhere. Survivors that are equivalent to the original (or
harmless) are listed with the reason in :data:`ACCEPTED_FILE`, one per line::

    pyapp/client.py :: SpeckleClient.on_change :: <the mutated line> :: why it may survive

They are reported apart from the open survivors, which make the exit status 1. The score
counts every mutant: accepted ones are not killed either, and a mutant the tests hang on
(mutmut's timeout) is. The last line printed is ``mutation score: K of N killed (P%)``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
ACCEPTED_FILE = ROOT / "devtools" / "mutmut_accepted.txt"
SEPARATOR = " :: "
# mutmut's exit codes for a mutant: 1 and 3 mean a test failed, 37 that the type checker
# rejected it; a timeout means the tests hung on it (mutmut allows 15 times their usual
# time), which fails a test run as surely. All of these count as killed; anything else is a
# mutant the tests let through.
KILLED_CODES = {1, 3, 37}
TIMEOUT_CODES = {36, 24, -24, 152, 255}
STATUS_BY_CODE = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not run"}


@dataclass(frozen=True)
class Mutant:
    key: str          # mutmut's name, e.g. pyapp.client.xǁSpeckleClientǁquery__mutmut_7
    path: str         # pyapp/client.py
    function: str     # SpeckleClient.query
    status: str
    diff: str         # unified diff of the function, as `mutmut show` prints it (not killed)

    @property
    def changed(self) -> str:
        """The mutated line(s), whitespace collapsed: with path and function, the identity."""
        added = [line[1:] for line in self.diff.splitlines()
                 if line.startswith("+") and not line.startswith("+++")]
        return " / ".join(" ".join(line.split()) for line in added) or "(line removed)"

    @property
    def identity(self) -> str:
        return SEPARATOR.join((self.path, self.function, self.changed))


def function_name(key: str) -> str:
    """``SpeckleClient.query`` from ``pyapp.client.xǁSpeckleClientǁquery__mutmut_7``."""
    name = re.sub(r"__mutmut_\d+$", "", key.rsplit(".", 1)[1])
    if name.startswith("xǁ"):
        return ".".join(name[2:].split("ǁ"))
    return name[2:]  # "x_" + function name


def run_mutmut(children: int, log: Path, only: str | None = None) -> float:
    """A fresh mutmut run (earlier results are dropped: tests may have changed since);
    ``only`` names one module (``pyapp.pkce``) whose mutants alone are tested."""
    shutil.rmtree(MUTANTS, ignore_errors=True)
    mutmut = Path(sys.executable).parent / "mutmut"
    started = time.monotonic()
    # nice: the machine's cores are shared; the output (a progress spinner) goes to the log.
    with open(os.devnull) as stdin, log.open("w") as out:
        selection = [f"{only}.*"] if only else []
        rc = subprocess.call(["nice", "-n", "10", str(mutmut), "run", "--max-children",
                              str(children), *selection], cwd=ROOT, stdin=stdin, stdout=out,
                             stderr=subprocess.STDOUT)
    if rc != 0:
        sys.stdout.write(log.read_text(errors="replace")[-4000:])
        raise SystemExit(f"mutmut run failed (exit {rc}); its output is in {log}")
    return time.monotonic() - started


def collect() -> list[Mutant]:
    """Every mutant of the last run, with its status (and a diff for those not killed)."""
    os.chdir(ROOT)  # mutmut reads mutants/ relative to the working directory
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    mutants = []
    for meta in sorted((MUTANTS / "pyapp").rglob("*.py.meta")):
        path = meta.relative_to(MUTANTS).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for key, code in codes.items():
            killed = code in KILLED_CODES or code in TIMEOUT_CODES
            status = ("timeout" if code in TIMEOUT_CODES else "killed") if killed else \
                STATUS_BY_CODE.get(code, f"exit {code}")
            diff = "" if killed else get_diff_for_mutant(key, path=path)
            mutants.append(Mutant(key, path, function_name(key), status, diff))
    return mutants


def load_accepted(path: Path = ACCEPTED_FILE) -> dict[str, str]:
    """identity -> reason, from the accepted-survivors file (``#`` lines are comments)."""
    accepted: dict[str, str] = {}
    if not path.exists():
        return accepted
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        identity, _, reason = line.rpartition(SEPARATOR)
        if identity.count(SEPARATOR) < 2 or not reason.strip():
            raise SystemExit(f"{path.name}:{number}: expected "
                             f"'file :: function :: mutated line :: reason'")
        accepted[identity] = reason.strip()
    return accepted


def report(mutants: list[Mutant], accepted: dict[str, str], elapsed: float | None) -> int:
    not_killed = [m for m in mutants if m.status not in ("killed", "timeout")]
    excused = [m for m in not_killed if m.identity in accepted]
    open_ = [m for m in not_killed if m.identity not in accepted]
    for m in open_:
        print(f"\n== {m.status}: {m.path} {m.function}  ({m.key})")
        print(m.diff)
    if excused:
        print(f"\naccepted survivors ({len(excused)}, reasons in {ACCEPTED_FILE.name}):")
        for m in excused:
            print(f"  {m.path} {m.function}: {m.changed}")
    unused = sorted(set(accepted) - {m.identity for m in excused})
    if unused:
        print(f"\n{len(unused)} accepted line(s) no longer match a surviving mutant "
              f"(the code changed, or a test now kills it): remove them")
        for identity in unused:
            print(f"  {identity}")
    by_status: dict[str, int] = {}
    for m in open_:
        by_status[m.status] = by_status.get(m.status, 0) + 1
    total = len(mutants)
    killed = len(mutants) - len(not_killed)
    timeouts = sum(m.status == "timeout" for m in mutants)
    counts = [f"{killed} killed ({timeouts} by a timeout)", f"{len(excused)} accepted survivors"]
    counts += [f"{n} {status} (open)" for status, n in sorted(by_status.items())]
    print(f"\n{total} mutants: " + ", ".join(counts)
          + (f"; mutmut ran {elapsed:.0f} s" if elapsed is not None else ""))
    percent = 100.0 * killed / total if total else 100.0
    print(f"mutation score: {killed} of {total} killed ({percent:.1f}%)")
    return 1 if open_ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev mutate", description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=2,
                        help="mutants tested at once (default 2: the machine's cores are shared)")
    parser.add_argument("--report-only", action="store_true",
                        help="report the last run in mutants/ again without running mutmut")
    parser.add_argument("--only", metavar="MODULE",
                        help="test the mutants of one module only, e.g. pyapp.pkce (a quick "
                             "check that the tool works; ./dev test runs one)")
    args = parser.parse_args(argv)
    log = ROOT / "mutmut-run.log"
    elapsed = None
    if not args.report_only:
        elapsed = run_mutmut(args.children, log, args.only)
    elif not MUTANTS.exists():
        raise SystemExit("no mutants/ yet: run ./dev mutate first")
    mutants, accepted = collect(), load_accepted()
    if args.only:
        mutants = [m for m in mutants if m.key.startswith(args.only + ".")]
        if not mutants:
            raise SystemExit(f"no mutants of {args.only}: is it a module of pyapp?")
        path = args.only.replace(".", "/") + ".py"
        accepted = {key: why for key, why in accepted.items() if key.startswith(path + " ")}
    return report(mutants, accepted, elapsed)


if __name__ == "__main__":
    sys.exit(main())
