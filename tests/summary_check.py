"""Checks tests/summary.py on doctored results folders: deleting any one suite's output, a TAP run cut
before its counts, cancelled tests, a truncated gtest file, a script that ran nothing -- each must make
the summary report a failure. scripts/test runs it (before the summary, which lists it as a suite).

    python3 tests/summary_check.py [RESULTS]   also: remove each file of a real run's RESULTS (a copy)

Ends with "summary-check: N passed, N failed".
"""
import contextlib
import io
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import summary  # noqa: E402


def gtest_json(results):
    """A --gtest_output=json file; results: list of 'ok' | 'fail' | 'skip' | 'disabled'."""
    records = []
    for i, r in enumerate(results):
        t = {"name": f"T{i}", "status": "NOTRUN" if r == "disabled" else "RUN",
             "result": "SKIPPED" if r == "skip" else "COMPLETED"}
        if r == "fail":
            t["failures"] = [{"failure": "x.cpp:1\nExpected equality", "type": ""}]
        records.append(t)
    return json.dumps({"tests": len(results), "failures": results.count("fail"), "disabled": results.count("disabled"),
                       "errors": 0, "testsuites": [{"name": "S", "tests": len(results), "testsuite": records}]}, indent=2)


def tap_text(tests=3, passed=3, fail=0, cancelled=0, skipped=0, todo=0):
    body = "".join(f"ok {i + 1} - test {i + 1}\n" for i in range(passed))
    return (f"TAP version 13\n{body}1..{tests}\n# tests {tests}\n# suites 0\n# pass {passed}\n# fail {fail}\n"
            f"# cancelled {cancelled}\n# skipped {skipped}\n# todo {todo}\n# duration_ms 1234.5\n")


GREEN = {
    "native_unit.json": gtest_json(["ok", "ok", "skip"]),
    "wasm_unit.json": gtest_json(["ok", "ok", "disabled"]),
    "wasm_unit_fma.json": gtest_json(["ok", "ok"]),
    "e2e.tap": tap_text(),
    "fuzz.log": "== fuzz: building\nfuzz_svg  execs 100 ok\nfuzz: 6 passed, 0 failed\n",
    "replay.log": "replay tests/fuzz/crashes/a.bin: ok\nreplay: 4 passed, 0 failed\n",
    "sanitize.log": "asan/ubsan/lsan: exit 0\nsanitize: 3 passed, 0 failed\n",
    "model.log": "ok   probes find the planted heads\nmodel: 3 passed, 0 failed\n",
    "summary_check.log": "summary-check: 9 passed, 0 failed\n",
}

checks = []


def check(name):
    def register(f):
        checks.append((name, f))
        return f
    return register


def folder(files):
    d = tempfile.mkdtemp(prefix="attnlab-summary-")
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    return d


def run(files):
    """(rows, printed lines, exit code) of the summariser on a folder holding `files`."""
    d = folder(files)
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = summary.main(d)
        return summary.summarise(d), out.getvalue().splitlines(), code
    finally:
        shutil.rmtree(d)


def row(rows, name):
    return next(r for r in rows if r[0] == name)


@check("every suite of the list has a green fixture (the list and this check agree)")
def _():
    assert sorted(f for _, f, _ in summary.SUITES) == sorted(GREEN), "update GREEN for the new suite"


@check("all suites green: 0 failed, the total alone on the last line, exit 0")
def _():
    rows, lines, code = run(GREEN)
    assert code == 0, lines
    assert lines[-1] == "34 passed, 0 failed", lines[-1]
    assert len(lines) == len(summary.SUITES) + 1
    assert row(rows, "native unit")[1:4] == (2, 0, 1) and row(rows, "WASM unit")[1:4] == (2, 0, 1)
    for (name, *_), line in zip(summary.SUITES, lines):
        assert name in line and not re.search(r"\d+ passed, \d+ failed", line), line


@check("deleting any one suite's result file fails that suite and the total")
def _():
    for _, file, _ in summary.SUITES:
        files = dict(GREEN)
        del files[file]
        rows, lines, code = run(files)
        bad = [r for r in rows if r[2]]
        assert code == 1 and len(bad) == 1 and file in bad[0][4], (file, lines)
        assert re.fullmatch(r"\d+ passed, [1-9]\d* failed", lines[-1]), lines[-1]


@check("a TAP run cut before its counts (no '# fail') fails")
def _():
    rows, lines, _ = run({**GREEN, "e2e.tap": tap_text().split("# fail")[0]})
    assert row(rows, "e2e")[2] == 1 and "# fail" in row(rows, "e2e")[4], lines


@check("cancelled tests count as failures, todo tests as skipped")
def _():
    rows, _, code = run({**GREEN, "e2e.tap": tap_text(tests=5, passed=2, cancelled=1, skipped=1, todo=1)})
    assert row(rows, "e2e")[1:4] == (2, 1, 2) and code == 1, row(rows, "e2e")


@check("TAP counts that do not add up fail")
def _():
    rows, _, _ = run({**GREEN, "e2e.tap": tap_text(tests=4, passed=3)})
    assert row(rows, "e2e")[2] == 1, row(rows, "e2e")


@check("a failed GoogleTest test is counted; a truncated or empty JSON file fails the suite")
def _():
    rows, _, code = run({**GREEN, "native_unit.json": gtest_json(["ok", "fail", "fail"])})
    assert row(rows, "native unit")[1:4] == (1, 2, 0) and code == 1
    for broken in (GREEN["wasm_unit.json"][:200], "", gtest_json([])):
        rows, _, _ = run({**GREEN, "wasm_unit.json": broken})
        assert row(rows, "WASM unit")[2] == 1, (broken, row(rows, "WASM unit"))


@check("a script that never printed its summary, or ran nothing, fails")
def _():
    for file, text in (("fuzz.log", "== fuzz: building\nfuzz: build failed\n"), ("fuzz.log", "fuzz: 0 passed, 0 failed\n"),
                       ("sanitize.log", "== sanitize: running build/asan/unit_tests\n"), ("replay.log", "")):
        rows, _, code = run({**GREEN, file: text})
        assert code == 1 and sum(r[2] for r in rows) == 1, (file, text)


@check("the last summary line of a log counts (a script's progress lines do not)")
def _():
    rows, _, _ = run({**GREEN, "sanitize.log": "sanitize: 9 passed, 0 failed\nsanitize: 8 passed, 1 failed\n"})
    assert row(rows, "sanitizer")[1:3] == (8, 1)


def real_run(results):
    """Each result file of a real run, removed from a copy of its folder, fails the summary."""
    for _, file, _ in summary.SUITES:
        if not os.path.exists(os.path.join(results, file)):
            continue
        d = tempfile.mkdtemp(prefix="attnlab-summary-real-")
        try:
            shutil.copytree(results, d, dirs_exist_ok=True)
            os.remove(os.path.join(d, file))
            rows = summary.summarise(d)
            assert sum(r[2] for r in rows) >= 1 and file in "".join(r[4] for r in rows), file
        finally:
            shutil.rmtree(d)


def main(argv):
    if len(argv) > 1:
        checks.append((f"removing each result file of {argv[1]} fails the summary", lambda: real_run(argv[1])))
    passed = failed = 0
    for name, f in checks:
        try:
            f()
            print(f"ok      {name}")
            passed += 1
        except Exception as e:  # an assertion, or a check that broke
            print(f"FAILED  {name}: {e}")
            failed += 1
    print(f"summary-check: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
