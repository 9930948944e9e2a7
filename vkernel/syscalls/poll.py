"""Polling syscalls: poll, ppoll (the wait itself is vkernel/poll.py)."""
from __future__ import annotations

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.poll import poll
from vkernel.syscalls.common import timespec_ns
from vkernel.task import Thread


def sys_poll(t: Thread, fds: int, nfds: int, timeout_ms: int) -> int | Block:
    """poll(2): a negative timeout waits forever."""
    deadline = None if timeout_ms < 0 else t.process.kernel.sched.now() + timeout_ms * 1_000_000
    return poll(t, fds, nfds, deadline)


def sys_ppoll(t: Thread, fds: int, nfds: int, tsp: int, sigmask: int, sigsetsize: int) -> int | Block:
    """ppoll(2) without a signal mask (with one: ENOSYS until the mask swap is done)."""
    if sigmask:
        raise SyscallError(abi.ENOSYS)
    deadline = None if not tsp else t.process.kernel.sched.now() + timespec_ns(t, tsp)
    return poll(t, fds, nfds, deadline)
