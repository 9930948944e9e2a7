"""Signals compared with native runs: handlers, masks, frames, faults, timers, SIGCHLD."""
from __future__ import annotations

from conftest import program, run_native, run_vkemu


def test_signals_match_native(variant: str) -> None:
    prog = program("signals_basic", variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 128 + 13          # dies of SIGPIPE at the end, by design
    assert emu.stdout.decode() == native.stdout.decode()
    assert emu.returncode == native.returncode
