"""pidfds (pidfd_open(2)): a file naming a process.  It becomes readable when the
process exits (zombie or reaped), and pidfd_send_signal(2) signals the process it
names, never a later one that reuses the pid."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.anonfile import AnonFile
from vkernel.errors import SyscallError
from vkernel.waitq import WaitQueue

if TYPE_CHECKING:
    from vkernel.task import Process

PIDFD_NONBLOCK = abi.O_NONBLOCK
# pidfd_send_signal's flags: whom the signal goes to (at most one).
PIDFD_SIGNAL_THREAD = 1 << 0
PIDFD_SIGNAL_THREAD_GROUP = 1 << 1
PIDFD_SIGNAL_PROCESS_GROUP = 1 << 2
PIDFD_SIGNAL_FLAGS = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP


class PidFd(AnonFile):
    def __init__(self, proc: Process, flags: int) -> None:
        super().__init__(b"[pidfd]", flags)
        self.process = proc

    def poll_queue(self) -> WaitQueue:
        proc = self.process
        if proc.exit_queue is None:
            proc.exit_queue = WaitQueue(proc.kernel.sched, f"process {proc.pid} to exit")
        return proc.exit_queue

    def poll(self) -> int:
        return abi.POLLIN | abi.POLLRDNORM if self.process.exit_code is not None else 0

    def read(self, views: list[memoryview]) -> int:
        raise SyscallError(abi.EINVAL)

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        raise SyscallError(abi.EINVAL)
