"""vkemu's own behaviour: exit codes, messages, crash reports, subcommands."""
from __future__ import annotations

import signal
import struct
import subprocess
import sys
from pathlib import Path

from conftest import REPO, program, run_native, run_vkemu


def test_runs_program_with_arguments_and_exit_status(variant: str) -> None:
    prog = program("hello_args", variant)
    native = run_native([prog, "one", "two words"])
    emu = run_vkemu([prog, "one", "two words"])
    assert (emu.stdout, emu.returncode) == (native.stdout, native.returncode)
    assert b"argc=3" in emu.stdout


def test_run_subcommand_is_the_same(tmp_path: Path) -> None:
    prog = program("hello_args")
    assert run_vkemu(["run", prog, "x"]).stdout == run_vkemu([prog, "x"]).stdout


def test_missing_program_exits_127() -> None:
    res = run_vkemu(["/no/such/prog"])
    assert res.returncode == 127
    assert res.stderr.strip() == b"vkemu: /no/such/prog: No such file or directory"


def test_garbage_exits_126(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x00\x01garbage")
    res = run_vkemu([str(junk)])
    assert res.returncode == 126
    assert res.stderr.count(b"\n") == 1 and b"not an ELF file" in res.stderr


def test_arm_elf_exits_126(tmp_path: Path) -> None:
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHI", 2, 183, 1) + bytes(48)
    arm = tmp_path / "arm"
    arm.write_bytes(header)
    res = run_vkemu([str(arm)])
    assert res.returncode == 126
    assert b"not an x86-64 program" in res.stderr


def test_script_without_interpreter_support_exits_126(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    res = run_vkemu([str(script)])
    assert res.returncode == 126


def test_bad_options_print_usage_and_exit_2() -> None:
    res = run_vkemu(["--bogus", "x"], strict=False)
    assert res.returncode == 2
    assert b"unknown option --bogus" in res.stderr and b"Usage" in res.stderr
    assert run_vkemu(["-v", "nocolon", "x"], strict=False).returncode == 2
    assert run_vkemu([], strict=False).returncode == 2


def test_null_dereference_reports_fault_and_exits_139() -> None:
    res = run_vkemu([program("crash"), "null"])
    assert res.returncode == 139
    line = res.stderr.decode()
    assert "SIGSEGV" in line and "address 0x0" in line and "rip 0x" in line and "mov" in line


def test_jump_into_data_faults_before_executing() -> None:
    res = run_vkemu([program("crash"), "data"])
    assert res.returncode == 139
    assert b"fetch of protected address" in res.stderr


def test_avx_instruction_names_the_missing_extension() -> None:
    res = run_vkemu([program("crash"), "avx"])
    assert res.returncode == 132
    assert b"vxorps" in res.stderr and b"lacks AVX" in res.stderr


def test_syscalls_subcommand_lists_every_number() -> None:
    res = run_vkemu(["syscalls", "--markdown"], strict=False)
    assert res.returncode == 0
    text = res.stdout.decode()
    assert "| 0 | read | full |" in text
    assert "| 435 | clone3 |" in text and "| 246 | kexec_load | denied |" in text
    from vkernel.syscalls.table import SYSCALL_NAMES
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(SYSCALL_NAMES)


def test_docs_syscall_table_is_generated_from_the_table() -> None:
    from tools.syscall_docs import render_markdown
    docs = Path(__file__).resolve().parent.parent / "docs" / "syscalls.md"
    assert docs.read_text() == render_markdown(), "regenerate: vkemu syscalls --markdown > docs/syscalls.md"


def _start_vkemu(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tools.vkemu", "--strict", *args], cwd=str(REPO),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def test_ctrl_c_stops_a_guest_that_never_makes_a_syscall() -> None:
    proc = _start_vkemu([program("spin")])
    assert proc.stdout.readline() == b"spinning\n"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 128 + signal.SIGINT


def test_sigterm_ends_a_sleeping_guest() -> None:
    # The line comes once the guest runs (vkemu's handlers are in place by then).
    proc = _start_vkemu(["/bin/busybox", "sh", "-c", "echo ready; exec /bin/busybox sleep 30"])
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
