"""Polling syscalls: poll, ppoll, select, pselect6 (the waits themselves are
vkernel/poll.py).

The ``p`` variants swap the signal mask for the wait as sigsuspend does: the caller's
mask is kept in ``t.saved_sigmask`` and comes back when the call returns, or, when a
signal interrupts it, once the handler's frame has recorded it (kernel._deliver_signals,
signals.build_frame).  Linux writes the time that remains back to a select, pselect6 or
ppoll timeout on every return, EINTR included; poll's timeout is a plain value.
"""
from __future__ import annotations

import struct
from typing import Callable

from vkernel import abi, signals
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.poll import poll, select
from vkernel.sched import RestartBlock
from vkernel.syscalls.common import TIME64_MAX, pack_timespec, read_timespec, timespec_ns
from vkernel.task import Thread

SIGSET_SIZE = 8


def swap_sigmask(t: Thread, mask: int | None) -> None:
    """Install ``mask`` for the length of a wait (None: keep the current one)."""
    if mask is None:
        return
    if t.saved_sigmask is None:
        t.saved_sigmask = t.sigmask
    t.sigmask = mask & ~signals.UNBLOCKABLE
    if signals.next_signal(t):
        t.attention = True


def restore_sigmask(t: Thread, mask: int | None) -> None:
    """The wait ended without a signal to deliver: the caller's mask is back."""
    if mask is not None and t.saved_sigmask is not None:
        t.sigmask, t.saved_sigmask = t.saved_sigmask, None


def wait_with_sigmask(t: Thread, mask: int | None, wait: Callable[[], int | Block]) -> int | Block:
    """Run ``wait`` under ``mask`` (ppoll, pselect6, epoll_pwait): the caller's mask comes
    back if it fails, and a pending signal the new mask lets through cuts it short."""
    swap_sigmask(t, mask)
    try:
        result = wait()
    except SyscallError:
        restore_sigmask(t, mask)
        raise
    sig = signals.next_signal(t) if mask is not None and isinstance(result, Block) else 0
    if sig:
        t.process.kernel.interrupt(t, sig)
    return result


def read_sigmask(t: Thread, address: int, size: int) -> int | None:
    """A ``const sigset_t *`` with its size: None for NULL, EINVAL for a size not 8."""
    if not address:
        return None
    if size != SIGSET_SIZE:
        raise SyscallError(abi.EINVAL)
    return t.process.mm.read_u64(address)


def _remaining(t: Thread, deadline: int | None) -> int:
    return max(deadline - t.process.kernel.sched.now(), 0) if deadline is not None else 0


def _timed_call(t: Thread, deadline: int | None, mask: int | None, write_back: Callable[[int], None] | None,
                body: Callable[[Thread, Callable[[int], int], RestartBlock], int | Block]) -> int | Block:
    """Run ``body`` with the mask swapped; the result (now or when woken) restores the
    mask and writes the remaining time back; a signal handler cutting it short gets
    EINTR with the time written back; without a handler it resumes with the same
    deadline (ERESTARTNOHAND, here through restart_syscall)."""
    def finish(count: int) -> int:
        restore_sigmask(t, mask)
        if write_back is not None:
            write_back(_remaining(t, deadline))
        return count

    def on_eintr() -> None:
        if write_back is not None:
            write_back(_remaining(t, deadline))

    def attempt(th: Thread) -> int | Block:
        return wait_with_sigmask(th, mask, lambda: body(th, finish, block))

    block = RestartBlock(attempt, on_eintr)
    return attempt(t)


def _writer(t: Thread, address: int, pack: Callable[[int], bytes]) -> Callable[[int], None] | None:
    """Writes the remaining time to ``address`` (a failure is ignored, as Linux's
    poll_select_finish)."""
    if not address:
        return None

    def write(ns: int) -> None:
        try:
            t.process.mm.write(address, pack(ns))
        except SyscallError:
            pass
    return write



def _pack_timeval(ns: int) -> bytes:
    """The time left, saturated as Linux's timespec64_add_safe saturates a deadline."""
    sec = min(ns // 1_000_000_000, TIME64_MAX)
    return struct.pack("<qq", sec, ns % 1_000_000_000 // 1000)


def sys_poll(t: Thread, fds: int, nfds: int, timeout_ms: int) -> int | Block:
    """poll(2): a negative timeout waits forever."""
    deadline = None if timeout_ms < 0 else t.process.kernel.sched.now() + timeout_ms * 1_000_000
    return _timed_call(t, deadline, None, None, lambda th, finish, rb: poll(th, fds, nfds, deadline, finish, rb))


def sys_ppoll(t: Thread, fds: int, nfds: int, tsp: int, sigmask: int, sigsetsize: int) -> int | Block:
    """ppoll(2): a timespec timeout (NULL: forever) and a signal mask for the wait."""
    deadline = None if not tsp else t.process.kernel.sched.now() + timespec_ns(t, tsp)
    mask = read_sigmask(t, sigmask, sigsetsize)
    return _timed_call(t, deadline, mask, _writer(t, tsp, pack_timespec),
                       lambda th, finish, rb: poll(th, fds, nfds, deadline, finish, rb))


def sys_select(t: Thread, nfds: int, readfds: int, writefds: int, exceptfds: int, timeout: int) -> int | Block:
    """select(2): a timeval timeout (NULL: forever), microseconds past a second carried
    over as Linux does; negative fields EINVAL."""
    deadline = None
    if timeout:
        sec, usec = struct.unpack("<qq", t.process.mm.read(timeout, 16))
        if sec < 0 or usec < 0:
            raise SyscallError(abi.EINVAL)
        deadline = t.process.kernel.sched.now() + sec * 1_000_000_000 + usec * 1000
    sets = (readfds, writefds, exceptfds)
    return _timed_call(t, deadline, None, _writer(t, timeout, _pack_timeval),
                       lambda th, finish, rb: select(th, nfds, sets, deadline, finish, rb))


def sys_pselect6(t: Thread, nfds: int, readfds: int, writefds: int, exceptfds: int, tsp: int,
                 sig: int) -> int | Block:
    """pselect6(2): a timespec timeout and, at ``sig``, {const sigset_t *ss; size_t len}."""
    deadline = None
    if tsp:
        sec, nsec = read_timespec(t, tsp)
        if sec < 0 or not 0 <= nsec < 1_000_000_000:
            raise SyscallError(abi.EINVAL)
        deadline = t.process.kernel.sched.now() + sec * 1_000_000_000 + nsec
    mask = None
    if sig:
        ss, size = struct.unpack("<QQ", t.process.mm.read(sig, 16))
        mask = read_sigmask(t, ss, size)
    sets = (readfds, writefds, exceptfds)
    return _timed_call(t, deadline, mask, _writer(t, tsp, pack_timespec),
                       lambda th, finish, rb: select(th, nfds, sets, deadline, finish, rb))
