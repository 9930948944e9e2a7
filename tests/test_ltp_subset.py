"""The LTP-style conformance cases: each case, built with each available toolchain
variant, must pass natively and print exactly the same stdout with the same exit status
under vkemu."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# Importable under a bare `pytest` too, not only `python3 -m pytest` from the repo root.
_REPO_ROOT = str(Path(__file__).resolve().parents[1])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)

from ltp_subset import run as ltp
from tools import cbuild

PARAMS = [
    pytest.param(case, variant, id=f"{case}-{variant}")
    for case in ltp.cases()
    for variant in cbuild.available_variants()
]


@pytest.mark.parametrize("case,variant", PARAMS)
def test_ltp_case_matches_native(case: str, variant: str) -> None:
    binary = ltp.build_case(case, variant)

    native = ltp.run_native(binary)
    assert native.returncode == 0, (
        f"{case} [{variant}] fails natively ({native.status()}):\n"
        + "\n".join(ltp.failed_lines(native.stdout))
        + native.stderr
    )

    vkemu = ltp.run_vkemu(binary)
    same, why = ltp.compare(native, vkemu)
    if not same:
        tail = "\n".join(vkemu.stderr.strip().splitlines()[-20:])
        pytest.fail(f"{case} [{variant}] differs under vkemu: {why}\nvkemu stderr (tail):\n{tail}")
