"""epoll syscalls (the instances themselves are vkernel/epoll.py)."""
from __future__ import annotations

from vkernel import abi
from vkernel.control import Block
from vkernel.epoll import EP_MAX_EVENTS, EPOLL_EVENT, EPOLLEXCLUSIVE_OK_BITS, Epoll
from vkernel.errors import SyscallError
from vkernel.syscalls.common import timespec_ns
from vkernel.syscalls.poll import read_sigmask, restore_sigmask, wait_with_sigmask
from vkernel.task import Thread


def sys_epoll_create1(t: Thread, flags: int) -> int:
    """epoll_create1(2): EPOLL_CLOEXEC is the only flag."""
    if flags & ~abi.EPOLL_CLOEXEC:
        raise SyscallError(abi.EINVAL)
    return t.process.fds.install(Epoll(t.process.kernel.sched), bool(flags & abi.EPOLL_CLOEXEC))


def sys_epoll_create(t: Thread, size: int) -> int:
    """epoll_create(2): the size hint must be positive and is otherwise ignored."""
    if size <= 0:
        raise SyscallError(abi.EINVAL)
    return sys_epoll_create1(t, 0)


def sys_epoll_ctl(t: Thread, epfd: int, op: int, fd: int, event: int) -> int:
    """epoll_ctl(2), with do_epoll_ctl's order of checks."""
    events = data = 0
    if op != abi.EPOLL_CTL_DEL:
        events, data = EPOLL_EVENT.unpack(t.process.mm.read(event, EPOLL_EVENT.size))
    fds = t.process.fds
    ep, target = fds.get(epfd), fds.get(fd)
    if not target.pollable:
        raise SyscallError(abi.EPERM)
    events &= ~abi.EPOLLWAKEUP                  # needs CAP_BLOCK_SUSPEND: dropped, as Linux does
    if target is ep or not isinstance(ep, Epoll):
        raise SyscallError(abi.EINVAL)
    if op != abi.EPOLL_CTL_DEL and events & abi.EPOLLEXCLUSIVE:
        if op == abi.EPOLL_CTL_MOD or isinstance(target, Epoll) or events & ~EPOLLEXCLUSIVE_OK_BITS:
            raise SyscallError(abi.EINVAL)
    if op == abi.EPOLL_CTL_ADD:
        ep.add(fd, target, events, data)
    elif op == abi.EPOLL_CTL_MOD:
        ep.modify(fd, target, events, data)
    elif op == abi.EPOLL_CTL_DEL:
        ep.delete(fd, target)
    else:
        raise SyscallError(abi.EINVAL)
    return 0


def _epoll_wait(t: Thread, epfd: int, events: int, maxevents: int, deadline: int | None,
                mask: int | None) -> int | Block:
    if maxevents <= 0 or maxevents > EP_MAX_EVENTS:
        raise SyscallError(abi.EINVAL)
    if not events:
        raise SyscallError(abi.EFAULT)
    ep = t.process.fds.get(epfd)
    if not isinstance(ep, Epoll):
        raise SyscallError(abi.EINVAL)

    def finish(count: int) -> int:
        restore_sigmask(t, mask)
        return count

    return wait_with_sigmask(t, mask, lambda: ep.wait(t, events, maxevents, deadline, finish))


def _ms_deadline(t: Thread, timeout_ms: int) -> int | None:
    return None if timeout_ms < 0 else t.process.kernel.sched.now() + timeout_ms * 1_000_000


def sys_epoll_wait(t: Thread, epfd: int, events: int, maxevents: int, timeout_ms: int) -> int | Block:
    """epoll_wait(2): a negative timeout waits forever."""
    return _epoll_wait(t, epfd, events, maxevents, _ms_deadline(t, timeout_ms), None)


def sys_epoll_pwait(t: Thread, epfd: int, events: int, maxevents: int, timeout_ms: int, sigmask: int,
                    sigsetsize: int) -> int | Block:
    """epoll_pwait(2): epoll_wait with a signal mask for the wait."""
    mask = read_sigmask(t, sigmask, sigsetsize)
    return _epoll_wait(t, epfd, events, maxevents, _ms_deadline(t, timeout_ms), mask)


def sys_epoll_pwait2(t: Thread, epfd: int, events: int, maxevents: int, timeout: int, sigmask: int,
                     sigsetsize: int) -> int | Block:
    """epoll_pwait2(2): a timespec timeout (NULL: forever)."""
    deadline = t.process.kernel.sched.now() + timespec_ns(t, timeout) if timeout else None
    mask = read_sigmask(t, sigmask, sigsetsize)
    return _epoll_wait(t, epfd, events, maxevents, deadline, mask)
