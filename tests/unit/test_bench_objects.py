"""The objects benchmark's own logic (bench/objects.py), without a browser: what it reads
from /proc, the session and script it gives the pages, the table it prints, its bundle."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bench import objects as bench
from bench.objects import Results, Sample
from pyapp.stores import SESSION_KEY, SessionStore
from tests.unit.fakes import MemoryStorage

STATUS = """Name:\tchromium
VmPeak:\t 1000000 kB
VmHWM:\t  293120 kB
VmRSS:\t  201000 kB
RssAnon:\t  150000 kB
RssFile:\t   51000 kB
Threads:\t17
"""


def test_status_kb_reads_the_named_fields_in_kb() -> None:
    assert bench.status_kb(STATUS) == {"VmHWM": 293120, "VmRSS": 201000, "RssAnon": 150000}
    assert bench.status_kb(STATUS, ["Threads"]) == {"Threads": 17}


def test_the_session_given_to_the_python_page_is_one_the_client_accepts() -> None:
    storage = MemoryStorage()
    storage.set(SESSION_KEY, bench.session_record("http://127.0.0.1:9", "a" * 42, "b" * 42,
                                                  1_700_000_000.0))
    session = SessionStore(storage, MemoryStorage()).load()
    assert session is not None and session.is_sane()
    assert (session.server_url, session.app_id, session.token) == (
        "http://127.0.0.1:9", bench.APP_ID, "a" * 42)


def test_the_init_script_sets_the_object_everywhere_and_the_session_on_the_site_only() -> None:
    script = bench.init_script({"objectId": "r00t", "token": "t"}, "key", '{"v": 1}',
                               "http://127.0.0.1:8000")
    assert 'window.__bench = {"objectId": "r00t", "token": "t"};' in script
    assert ('if (location.origin === "http://127.0.0.1:8000") '
            'sessionStorage.setItem("key", "{\\"v\\": 1}");') in script


def sample(ms: float, peak_mb: int, objects: int = 1000, **extra: float) -> Sample:
    return Sample(ms=ms, read_ms=extra.get("read_ms", ms), objects=objects,
                  peak_kb=peak_mb * 1024, before_kb=100 * 1024,
                  wasm_bytes=int(extra["wasm_mb"] * 2**20) if "wasm_mb" in extra else None)


def results() -> Results:
    out = Results()
    for ms, peak in ((900, 300), (1000, 310), (5000, 290)):
        out.add("python", sample(ms, peak, read_ms=ms / 2, wasm_mb=64))
    for ms, peak in ((2000, 200), (2100, 150), (1900, 160)):
        out.add("ol2", sample(ms, peak))
    out.add("ol2-memory", sample(400, 100))
    return out


def test_rows_take_medians_and_compare_with_objectloader2() -> None:
    table = {row["case"]: row for row in bench.rows(results())}
    assert list(table) == ["python", "ol2", "ol2-memory"]  # in CASES order, absent ones out
    python = table["python"]
    assert (python["runs"], python["ms"], python["min"], python["max"]) == (3, 1000, 900, 5000)
    assert python["read_ms"] == 500 and python["per_s"] == 1000
    assert python["time_ratio"] == pytest.approx(1000 / 2000)
    assert python["peak_ratio"] == pytest.approx(300 / 160)
    assert python["wasm_mb"] == 64 and table["ol2"]["wasm_mb"] is None
    assert table["ol2"]["time_ratio"] == 1


def test_without_the_reference_there_are_no_ratios() -> None:
    out = Results()
    out.add("python", sample(1000, 300))
    (row,) = bench.rows(out)
    assert row["time_ratio"] is None and row["peak_ratio"] is None
    assert bench.targets(out) == []
    assert "| Python, client.load" in bench.format_table([row])


def test_the_table_has_a_line_per_case_and_the_targets_say_whether_they_are_met() -> None:
    text = bench.format_table(bench.rows(results()))
    lines = text.splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].startswith("| Python, client.load ") and "0.50×" in lines[2]
    assert bench.targets(results()) == [
        "time: 0.50× objectloader2 (IndexedDB)'s (target ≤ 2×): met",
        "peak memory: 1.88× objectloader2 (IndexedDB)'s (target ≤ 2×): met",
        "time: 2.50× objectloader2 (memory)'s (target ≤ 2×): NOT met",
        "peak memory: 3.00× objectloader2 (memory)'s (target ≤ 2×): NOT met",
    ]


def test_a_pyapp_zip_that_is_not_what_pyapp_makes_is_stale(tmp_path: Path) -> None:
    from devtools.pyapp_zip import ZIP_NAME, pyapp_zip_bytes

    shutil.copytree(bench.REPO / "pyapp", tmp_path / "pyapp")
    assert bench.stale_pyapp_zip(tmp_path)  # missing
    (tmp_path / ZIP_NAME).write_bytes(pyapp_zip_bytes(tmp_path, ZIP_NAME))
    assert not bench.stale_pyapp_zip(tmp_path)
    with (tmp_path / "pyapp" / "objects.py").open("a") as module:
        module.write("# changed\n")
    assert bench.stale_pyapp_zip(tmp_path)


def test_every_case_has_a_label_and_a_page() -> None:
    assert set(bench.CASE_LABELS) == set(bench.CASES)
    for name in ("python.html", "ol2.html", "floor.html"):
        page = (bench.PAGES / name).read_text(encoding="utf-8")
        assert "window.__go = go.resolve" in page and "__result" in page
    python = (bench.PAGES / "python.html").read_text(encoding="utf-8")
    assert 'config="./pyscript.toml"' in python and "client.load(" in python


@pytest.mark.skipif(not (bench.REPO / "node_modules/.bin/esbuild").exists()
                    or shutil.which("node") is None, reason="node_modules not installed")
def test_objectloader2_bundles_into_one_module_without_bare_imports(tmp_path: Path) -> None:
    code = bench.bundle_objectloader().decode()
    assert "export {" in code and "ObjectLoader2Factory" in code
    assert "from \"@" not in code and "from '@" not in code
    module = tmp_path / "ol2.mjs"
    module.write_text(code)
    done = subprocess.run(["node", "--input-type=module", "-e",
                           f"import {{ ObjectLoader2Factory }} from {json.dumps(str(module))};"
                           "console.log(typeof ObjectLoader2Factory.createFromUrl)"],
                          capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "function", done.stderr
