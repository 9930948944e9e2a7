"""A bounded slice of CPython's own regression tests (Debian's libpython3.11-testsuite)
under vkemu, with the same counts as natively.  The full module list runs with
``python -m tools.compat pytests`` (minutes per module under Unicorn; docs/compat.md)."""
from __future__ import annotations

import pytest

from conftest import run_native, run_vkemu
from tools.compat import PYTHON, TESTSUITE, parse

# test_struct whole, and test_json without its slow parts (test_tool starts a python3
# per test, test_recursion and test_unicode loop long under emulation): about 110 tests.
SLICE = ["test_struct", "test_json"]
MATCH = ["test.test_struct.*", "test.test_json.test_decode.*", "test.test_json.test_fail.*",
         "test.test_json.test_pass*", "test.test_json.test_dump.*", "test.test_json.test_float.*",
         "test.test_json.test_separators.*", "test.test_json.test_indent.*"]


def test_regrtest_slice_matches_native() -> None:
    if not TESTSUITE.is_dir():
        pytest.skip("libpython3.11-testsuite is not installed")
    args = [PYTHON, "-m", "test", "-v", *SLICE] + [arg for pattern in MATCH for arg in ("-m", pattern)]
    native = parse(run_native(args, timeout=120).stdout.decode(errors="replace"), False, 0)
    res = run_vkemu(args, timeout=600)
    emu = parse(res.stdout.decode(errors="replace"), False, res.returncode)
    assert native.status == "ok" and native.ran >= 100, native
    assert emu.status == "ok", (emu, res.stderr.decode(errors="replace")[-2000:])
    assert (emu.ran, emu.passed, emu.skipped) == (native.ran, native.passed, native.skipped)


def test_compat_counts_from_regrtest_output() -> None:
    """tools.compat reads unittest's closing lines, or the per-test lines of a run cut short."""
    done = ("test_a (test.test_x.T.test_a) ... ok\ntest_b (test.test_x.T.test_b) ... FAIL\n"
            "test_c (test.test_x.T.test_c) ... skipped 'no'\n"
            "======================================================================\n"
            "FAIL: test_b (test.test_x.T.test_b)\n"
            "----------------------------------------------------------------------\n"
            "Traceback (most recent call last):\nAssertionError: 1 != 2\n\n"
            "----------------------------------------------------------------------\n"
            "Ran 3 tests in 0.1s\n\nFAILED (failures=1, skipped=1)\n")
    out = parse(done, False, 2)
    assert (out.status, out.ran, out.passed, out.failures, out.skipped) == ("failed", 3, 1, 1, 1)
    assert out.problems == {"test.test_x.T.test_b": "AssertionError: 1 != 2"}
    cut = parse(done.split("=====")[0], True, -9)
    assert (cut.status, cut.ran, cut.passed, cut.failures, cut.skipped) == ("timeout", 3, 1, 1, 1)
