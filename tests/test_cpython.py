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
