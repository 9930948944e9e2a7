"""Control results: what a handler returns instead of a number when the thread must not
simply continue (gVisor's "control" beside the return value).  The dispatcher stores
``result`` in RAX when it is set, then stops the emulator; the scheduler loop acts on
the control outside any emulator callback."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vkernel.task import Thread


class Control:
    result: int | None = None


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


class Block(Control):
    """The handler parked the thread with the scheduler; its result comes at wake-up."""


@dataclass
class Spawn(Control):
    """A new thread whose registers start as a copy of the caller's."""
    child: Thread
    result: int | None = None


@dataclass
class Yield(Control):
    result: int | None = 0


class KernelStop(Control):
    """Strict mode: a handler raised; stop so the run loop can report the bug."""


@dataclass
class Exec(Control):
    """execve: replace the caller's image with ``image`` (an exec.ExecImage)."""
    image: object


class SigReturn(Control):
    """rt_sigreturn: registers come back from the signal frame."""
