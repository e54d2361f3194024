"""The summary of a scripts/test run, built from an explicit list of suites.

    python3 tests/summary.py test-output/results

Prints one line per suite (name, passed, failed, skipped), then "N passed, N failed" alone on the last
line (CI reads that line). Exits 1 if anything failed. A suite fails as a whole (counted as one
failure) when its result file is missing, unreadable, has no summary, or reports that nothing ran:
scripts/test empties the results folder first, so every file read here was written by this run.
tests/summary_check.py checks these rules on doctored results folders (scripts/test runs it).
"""
import json
import os
import re
import sys


def gtest(text):
    """GoogleTest --gtest_output=json: every test's own record (disabled tests are NOTRUN)."""
    j = json.loads(text)
    passed = failed = skipped = 0
    for suite in j["testsuites"]:
        for t in suite["testsuite"]:
            if t.get("failures"):
                failed += 1
            elif t.get("status") == "NOTRUN" or t.get("result") in ("SKIPPED", "SUPPRESSED"):
                skipped += 1
            else:
                passed += 1
    # gtest's own totals must agree with the records
    if passed + failed + skipped != j["tests"] or (failed > 0) != (j["failures"] + j.get("errors", 0) > 0):
        raise ValueError(f"records ({passed} passed, {failed} failed, {skipped} skipped) disagree with the totals")
    return passed, failed, skipped


def tap(text):
    """node --test --test-reporter=tap: the closing counts. cancelled tests fail, todo ones are skipped."""
    counts = {}
    for key in ("tests", "pass", "fail", "cancelled", "skipped", "todo"):
        m = re.findall(rf"^# {key} (\d+)$", text, re.M)
        if not m:
            raise ValueError(f'no "# {key}" line (the run did not finish)')
        counts[key] = int(m[-1])
    passed, failed = counts["pass"], counts["fail"] + counts["cancelled"]
    skipped = counts["skipped"] + counts["todo"]
    if passed + failed + skipped != counts["tests"]:
        raise ValueError(f"pass + fail + cancelled + skipped + todo != tests ({counts})")
    return passed, failed, skipped


def summary_line(tag):
    """A script that ends with "<tag>: N passed, N failed" (scripts/dev/fuzz, scripts/dev/sanitize ...)."""
    def parse(text):
        m = re.findall(rf"^{tag}: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$", text, re.M)
        if not m:
            raise ValueError(f'no "{tag}: N passed, N failed" line (the script did not finish)')
        return int(m[-1][0]), int(m[-1][1]), int(m[-1][2] or 0)
    return parse


# name, result file (in the results folder), parser. The order is the order scripts/test runs them.
SUITES = [
    ("native unit", "native_unit.json", gtest),
    ("WASM unit", "wasm_unit.json", gtest),
    ("WASM unit, FMA build", "wasm_unit_fma.json", gtest),
    ("e2e", "e2e.tap", tap),
    ("fuzz", "fuzz.log", summary_line("fuzz")),
    ("fuzz crash replay", "replay.log", summary_line("replay")),
    ("sanitizer", "sanitize.log", summary_line("sanitize")),
    ("model and docs", "model.log", summary_line("model")),
    ("summary check", "summary_check.log", summary_line("summary-check")),
]


def summarise(results, suites=SUITES):
    """[(name, passed, failed, skipped, problem)] for each suite; problem is '' or why it failed whole."""
    rows = []
    for name, file, parse in suites:
        path = os.path.join(results, file)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                passed, failed, skipped = parse(f.read())
            problem = "" if passed + failed else "nothing ran"
        except FileNotFoundError:
            passed = failed = skipped = 0
            problem = f"no result file {file}"
        except (ValueError, KeyError, TypeError) as e:  # json.JSONDecodeError is a ValueError
            passed = failed = skipped = 0
            problem = f"{file}: {e}"
        if problem:
            failed += 1
        rows.append((name, passed, failed, skipped, problem))
    return rows


def main(results):
    rows = summarise(results)
    for name, passed, failed, skipped, problem in rows:
        print(f"  {name:<18} passed {passed:<5} failed {failed:<4} skipped {skipped:<4} {problem}".rstrip())
    passed, failed = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
