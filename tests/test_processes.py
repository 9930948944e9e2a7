"""Processes: fork, exec, wait, compared with native runs."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, program, run_native, run_vkemu


def test_fork_wait_exec(variant: str) -> None:
    prog = program("proc_fork", variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0
    assert (emu.stdout, emu.returncode) == (native.stdout, native.returncode)


def test_pidfds(variant: str) -> None:
    """pidfd_open, pidfd_send_signal (flags, siginfo), poll and waitid(P_PIDFD)."""
    prog = program("pidfd", variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0
    assert (emu.stdout.decode(), emu.returncode) == (native.stdout.decode(), native.returncode)


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    (tmp_path / "garbage").write_bytes(b"\x00\x01\x02 not a program\n")
    (tmp_path / "garbage").chmod(0o755)
    script = tmp_path / "script.sh"
    script.write_text('#!/bin/busybox sh\necho "script args: $0 $1 $2" | /bin/busybox sed "s|.*/||"\nexit 5\n')
    script.chmod(0o755)
    for i in range(1, 3):
        loop = tmp_path / f"loop{i}"
        loop.write_text(f"#!{tmp_path}/loop{3 - i}\n")
        loop.chmod(0o755)
    return tmp_path


def test_exec_rules_and_scripts(variant: str, scripts: Path) -> None:
    prog = program("proc_exec", variant)
    native = run_native([prog, str(scripts)])
    emu = run_vkemu(["-v", f"{scripts}:{scripts}:ro", prog, str(scripts)])
    assert native.returncode == 0, native.stdout
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode


def test_proc_tree(variant: str) -> None:
    """50 processes in a fork tree, a fan-out and a chain, all talking through pipes."""
    prog = program("proc_tree", variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0, native.stderr
    assert b"sum 1275 (expect 1275)" in native.stdout
    assert (emu.stdout, emu.stderr, emu.returncode) == (native.stdout, native.stderr, native.returncode)


def _run_on_pty(args: list[str]) -> bytes:
    """Run ``args`` as a new session whose stdin/stdout is a pseudo-terminal."""
    import os
    import pty
    pid, master = pty.fork()
    if pid == 0:
        os.execvpe(args[0], args, {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.replace(b"\r\n", b"\n")


def test_foreground_group_on_a_terminal() -> None:
    import sys
    prog = program("tty_pgrp")
    native = _run_on_pty([prog])
    emu = _run_on_pty([sys.executable, "-m", "tools.vkemu", "--strict", prog])
    assert b"isatty 1" in native
    assert emu == native
