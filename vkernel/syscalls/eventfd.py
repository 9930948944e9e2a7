"""eventfd, timerfd and signalfd syscalls (the objects are vkernel/eventfd.py)."""
from __future__ import annotations

import struct

from vkernel import abi, signals
from vkernel.errors import SyscallError
from vkernel.eventfd import EventFd, SignalFd, TimerFd
from vkernel.syscalls.common import pack_timespec, timespec_ns
from vkernel.task import Thread

_TIMERFD_CLOCKS = (abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME)
_ALARM_CLOCKS = (abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM)


def sys_eventfd2(t: Thread, initval: int, flags: int) -> int:
    """eventfd2(2): EFD_SEMAPHORE, EFD_NONBLOCK, EFD_CLOEXEC."""
    if flags & ~(abi.EFD_SEMAPHORE | abi.EFD_NONBLOCK | abi.EFD_CLOEXEC):
        raise SyscallError(abi.EINVAL)
    efd = EventFd(t.process.kernel.sched, initval, flags)
    return t.process.fds.install(efd, bool(flags & abi.EFD_CLOEXEC))


def sys_eventfd(t: Thread, initval: int) -> int:
    """eventfd(2): eventfd2 with no flags."""
    return sys_eventfd2(t, initval, 0)


def sys_timerfd_create(t: Thread, clock_id: int, flags: int) -> int:
    """timerfd_create(2): the alarm clocks need CAP_WAKE_ALARM (EPERM here)."""
    if flags & ~(abi.TFD_CLOEXEC | abi.TFD_NONBLOCK):
        raise SyscallError(abi.EINVAL)
    if clock_id in _ALARM_CLOCKS:
        raise SyscallError(abi.EPERM)
    if clock_id not in _TIMERFD_CLOCKS:
        raise SyscallError(abi.EINVAL)
    kernel = t.process.kernel
    return t.process.fds.install(TimerFd(kernel.sched, kernel.sources, clock_id, flags), bool(flags & abi.TFD_CLOEXEC))


def _timerfd(t: Thread, fd: int) -> TimerFd:
    desc = t.process.fds.get(fd)
    if not isinstance(desc, TimerFd):
        raise SyscallError(abi.EINVAL)
    return desc


def _pack_itimerspec(value_ns: int, interval_ns: int) -> bytes:
    return pack_timespec(interval_ns) + pack_timespec(value_ns)


def sys_timerfd_settime(t: Thread, fd: int, flags: int, new: int, old: int) -> int:
    """timerfd_settime(2): TFD_TIMER_ABSTIME; TFD_TIMER_CANCEL_ON_SET accepted (the
    clock is never set from inside the container)."""
    t.process.mm.read(new, 32)          # copied in before anything is checked: EFAULT first
    if flags & ~(abi.TFD_TIMER_ABSTIME | abi.TFD_TIMER_CANCEL_ON_SET):
        raise SyscallError(abi.EINVAL)
    interval_ns, value_ns = timespec_ns(t, new), timespec_ns(t, new + 16)
    tfd = _timerfd(t, fd)
    previous = tfd.arm(value_ns, interval_ns, bool(flags & abi.TFD_TIMER_ABSTIME))
    if old:
        t.process.mm.write(old, _pack_itimerspec(*previous))
    return 0


def sys_timerfd_gettime(t: Thread, fd: int, cur: int) -> int:
    """timerfd_gettime(2): the time to the next expiry (relative) and the interval."""
    t.process.mm.write(cur, _pack_itimerspec(*_timerfd(t, fd).remaining()))
    return 0


def sys_signalfd4(t: Thread, fd: int, mask_ptr: int, sizemask: int, flags: int) -> int:
    """signalfd4(2): a new signalfd (fd -1) or a new mask for an existing one;
    SIGKILL and SIGSTOP are never in the mask."""
    if flags & ~(abi.SFD_CLOEXEC | abi.SFD_NONBLOCK) or sizemask != 8:
        raise SyscallError(abi.EINVAL)
    mask = struct.unpack("<Q", t.process.mm.read(mask_ptr, 8))[0] & ~signals.UNBLOCKABLE
    if fd == -1:
        return t.process.fds.install(SignalFd(t.process, mask, flags), bool(flags & abi.SFD_CLOEXEC))
    desc = t.process.fds.get(fd)
    if not isinstance(desc, SignalFd):
        raise SyscallError(abi.EINVAL)
    desc.mask = mask
    desc.changed.wake_all(abi.POLLIN | abi.POLLRDNORM)
    return fd


def sys_signalfd(t: Thread, fd: int, mask_ptr: int, sizemask: int) -> int:
    """signalfd(2): signalfd4 with no flags."""
    return sys_signalfd4(t, fd, mask_ptr, sizemask, 0)
