"""Signals compared with native runs: handlers, masks, frames, faults, timers, SIGCHLD,
interrupted syscalls, threads."""
from __future__ import annotations

import pytest

from conftest import program, run_native, run_vkemu

# name: the exit status both runs must end with (128 + the signal that ends them).
PROGRAMS = {
    "signals_basic": 128 + 13,     # dies of SIGPIPE at the end, by design
    "signals_faults": 0,           # SEGV/FPE/ILL/TRAP, gregs, RIP skip, 1,000 recoveries, SSE kept
    "signals_frame": 0,            # frame layout vs the kernel's, NODEFER, RESETHAND, RT queueing
    "signals_restart": 0,          # nanosleep rem/EINTR, pipe read SA_RESTART vs EINTR, signal()
    "signals_timers": 0,           # timer_create/settime/gettime/getoverrun/delete
    "signals_threads": 0,          # pthread_kill, per-thread masks, sigwaitinfo in a thread
    "signals_child": 128 + 6,      # SIGCHLD handler, NOCLDWAIT/SIG_IGN, statuses; abort() at the end
    "signals_cputimers": 0,        # ITIMER_VIRTUAL/ITIMER_PROF firing in a syscall-free loop
    "signals_exec": 0,             # execve clears the altstack, resets handlers, keeps SIG_IGN and the mask
    "signals_protect": 0,          # page rights changed under warm TLB entries: mprotect, munmap, W^X fetch
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_signals_match_native(name: str, variant: str) -> None:
    prog = program(name, variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == PROGRAMS[name], native.stdout.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode
