"""Event loops compared with native runs: epoll (LT/ET, ONESHOT, nesting,
close-while-registered, errors), eventfd, timerfd, signalfd, and select/poll with
their sigmask variants over mixed fd kinds."""
from __future__ import annotations

import pytest

from conftest import program, run_native, run_vkemu

PROGRAMS = ["evloop_epoll", "evloop_fds"]


@pytest.mark.parametrize("name", PROGRAMS)
def test_evloop_matches_native(name: str, variant: str) -> None:
    prog = program(name, variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0, native.stdout.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode


def test_idle_waits_on_host_stdin_without_spinning() -> None:
    """A poll on a host pipe (stdin) with every thread blocked: the kernel waits on the
    host fd itself, and wakes when data arrives."""
    import subprocess
    import sys
    import time

    from conftest import REPO

    prog = program("evloop_stdin")
    proc = subprocess.Popen([sys.executable, "-m", "tools.vkemu", "--strict", prog], cwd=str(REPO),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.5)
    cpu_before = _cpu_seconds(proc.pid)
    time.sleep(1.0)
    idle_cpu = _cpu_seconds(proc.pid) - cpu_before
    out, err = proc.communicate(b"hello\n", timeout=60)
    assert out == b"ready 1 read 6\n", err.decode(errors="replace")[-2000:]
    assert idle_cpu < 0.2, f"{idle_cpu:.2f} s of CPU while waiting on stdin"


def _cpu_seconds(pid: int) -> float:
    import os
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
