"""Threads, futexes and the deterministic scheduler: differential tests (native vs
vkemu), determinism of a traced run, deadlock reports, bad futex/clone arguments."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import program, run_native, run_vkemu
from tools.cbuild import available_cxx_variants

DIFFERENTIAL = [
    "threads_basic",       # 64 x 10,000 increments, TLS, cond-var queue
    "threads_mutex",       # normal/recursive/error-checking/robust/PI mutexes, spinlocks
    "threads_sync",        # cond vars (timed out, signalled), rwlocks, barriers, sem_t, once
    "threads_tls",         # __thread, keys and destructors, join/detach, pthread_exit, 100 threads
    "threads_cancel",      # deferred cancellation at cancellation points, cleanup handlers
    "threads_exit_main",   # pthread_exit from main; the last thread ends the process
    "threads_stress",      # 64 x 10,000 increments; 100,000 items in order
    "threads_badinput",    # futex/clone/clone3 argument errors through raw syscall(2)
    "priority",            # getpriority/setpriority: nice values, clamping, fork, errors
    "threads_spin",        # spinning threads are preempted: by quanta, and by another's timer
    "threads_wake_spin",   # a thread running uncounted wakes another, then spins waiting for it
    "threads_signal_self", # a thread signalling itself in a loop leaves the CPU to a runnable sibling
    "sched_time_errors",   # affinity/rr-interval/clock-setting errors a container gives unprivileged
]


def assert_same_as_native(prog: str) -> None:
    native = run_native([prog])
    emu = run_vkemu([prog])
    assert native.returncode == 0, native.stderr.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode, emu.stderr.decode(errors="replace")[-2000:]


@pytest.mark.parametrize("name", DIFFERENTIAL)
def test_matches_native(name: str, variant: str) -> None:
    assert_same_as_native(program(name, variant))


@pytest.mark.parametrize("variant", available_cxx_variants())
def test_cpp_threads_match_native(variant: str) -> None:
    """std::thread, std::mutex, std::condition_variable, std::async, std::atomic."""
    assert_same_as_native(program("threads_cpp", variant))


def test_cancel_blocked_thread(variant: str) -> None:
    """glibc and musl cancel a thread blocked in pthread_cond_wait by running their
    SIGCANCEL handler in it (tgkill to another thread)."""
    assert_same_as_native(program("threads_cancel_blocked", variant))


def _normalized(trace: str) -> list[str]:
    """Trace lines without host randomness (getrandom) and without clock values (a
    struct timespec/timeval the trace decodes, or what time(2) returns)."""
    lines = []
    for line in trace.splitlines():
        if "getrandom(" in line:
            continue
        line = re.sub(r"tv_(sec|nsec|usec)=\d+", r"tv_\1=T", line)
        line = re.sub(r"^(.*\btime\(.*\)) = \d+$", r"\1 = T", line)
        lines.append(line)
    return lines


def test_traced_runs_are_identical(tmp_path: Path) -> None:
    """The deterministic scheduler: two runs interleave the same way, syscall by syscall."""
    prog = program("threads_sync")
    traces = []
    for i in range(2):
        out = tmp_path / f"trace{i}"
        res = run_vkemu([f"--trace={out}", prog])
        assert res.returncode == 0, res.stderr.decode(errors="replace")
        traces.append(_normalized(out.read_text()))
    assert any(line.startswith("[pid") for line in traces[0])      # several threads ran
    assert any("clock_gettime(" in line for line in traces[0])     # clocks were read
    assert traces[0] == traces[1]


def test_deadlock_is_reported() -> None:
    res = run_vkemu([program("deadlock")], timeout=60)
    assert res.returncode == 124
    err = res.stderr.decode()
    assert "deadlock: every thread waits forever" in err
    waits = [line for line in err.splitlines() if re.search(r"thread \d+: futex waiting for FUTEX_WAIT", line)]
    assert len(waits) == 2, err
    assert res.stdout == b""


def test_setting_the_clock_is_refused_in_the_container() -> None:
    """A container has no CAP_SYS_TIME even as root (natively this would set the host clock)."""
    res = run_vkemu([program("sched_time_errors"), "set"])
    assert res.stdout.decode().splitlines() == ["clock_settime realtime: -1 Operation not permitted",
                                                "settimeofday: -1 Operation not permitted"]
