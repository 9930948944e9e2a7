"""Invariant 3 and invariant 1 through a real guest: errnos as Linux, audit records."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import program, read_audit, run_native, run_vkemu


@pytest.mark.parametrize("variant", ["gcc-static", "gcc-static-pie"])
def test_bad_input_gets_linux_errnos(variant: str) -> None:
    prog = program("badinput", variant)
    native = run_native([prog])
    emu = run_vkemu([prog])
    assert native.returncode == 0
    assert emu.stdout.decode() == native.stdout.decode()
    assert (emu.returncode, emu.stdout) == (native.returncode, native.stdout)


def test_unknown_syscall_is_audited(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--audit", str(audit), program("badinput")])
    assert res.returncode == 0
    enosys = [r for r in read_audit(audit) if r["action"] == "enosys"]
    assert [r["syscall"] for r in enosys] == ["syscall_1000"]
    assert enosys[0]["pid"] == 1 and enosys[0]["args"] == {"nr": 1000}


def test_wx_refused_and_audited(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--audit", str(audit), program("wx")])
    assert res.returncode == 0
    assert res.stdout.decode().splitlines() == [
        "anonymous PROT_EXEC          Permission denied",
        "anonymous W+X                Permission denied",
        "W then X (mprotect)          Permission denied",
        "W then R (mprotect)          allowed",
        "once W, now X                Permission denied",
    ]
    denials = [r for r in read_audit(audit) if r["action"] == "deny"]
    assert [r["syscall"] for r in denials] == ["mmap", "mmap", "mprotect", "mprotect"]
    assert all(r["reason"].startswith("W^X") for r in denials)


def test_wx_native_reference_allows_everything() -> None:
    """The same program natively: proves the refusals above come from vkernel."""
    out = run_native([program("wx")]).stdout.decode()
    assert out.count("allowed") == 5


def test_exec_of_a_file_the_container_wrote_is_refused(tmp_path: Path) -> None:
    """Invariant 1: code only from immutable files; /tmp is the container's own tmpfs."""
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--audit", str(audit), program("exec_written")])
    assert res.stdout == b"execv of a written file: Permission denied\n"
    denials = [r for r in read_audit(audit) if r["action"] == "deny"]
    assert denials and denials[0]["syscall"] == "execve" and "W^X" in denials[0]["reason"]
