"""Control results: what a handler returns instead of a number when the thread must not
simply continue (gVisor's "control" beside the return value)."""
from __future__ import annotations

from dataclasses import dataclass


class Control:
    """Base: the dispatcher stops the emulator and the scheduler acts on it."""


@dataclass
class ExitThread(Control):
    code: int


@dataclass
class ExitGroup(Control):
    code: int


@dataclass
class Killed(Control):
    """The process dies of a signal's default action."""
    signal: int
    reason: str = ""


class KernelStop(Control):
    """Strict mode: a handler raised; stop so the run loop can report the bug."""
