"""POSIX per-process timers: timer_create, timer_settime, timer_gettime,
timer_getoverrun, timer_delete.  The expiry and re-arming rules live in
:class:`vkernel.signals.PosixTimer`."""
from __future__ import annotations

import struct

from vkernel import abi, signals
from vkernel.errors import SyscallError
from vkernel.signals import PosixTimer
from vkernel.syscalls.common import pack_timespec
from vkernel.task import Thread

# Clocks a timer can run on (Linux's hrtimer-based ones); the alarm clocks need
# CAP_WAKE_ALARM; the others (raw, coarse, CPU-time) have no timers here.
TIMER_CLOCKS = frozenset({abi.CLOCK_REALTIME, abi.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME, abi.CLOCK_TAI})
ALARM_CLOCKS = frozenset({abi.CLOCK_REALTIME_ALARM, abi.CLOCK_BOOTTIME_ALARM})
SIGEVENT_SIZE = 64


def _timer(t: Thread, timer_id: int) -> PosixTimer:
    timer = t.process.posix_timers.get(timer_id)
    if timer is None:
        raise SyscallError(abi.EINVAL)
    return timer


def sys_timer_create(t: Thread, clock_id: int, sevp: int, timer_id_ptr: int) -> int:
    """timer_create(2): SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID (and SIGEV_THREAD, which
    the kernel treats as SIGEV_SIGNAL: the libc runs the thread)."""
    proc = t.process
    if clock_id in ALARM_CLOCKS:
        raise SyscallError(abi.EPERM)
    if clock_id not in TIMER_CLOCKS:
        raise SyscallError(abi.EINVAL if clock_id not in abi.CLOCK_NAMES else abi.EOPNOTSUPP)
    timer_id = proc.next_timer_id
    if sevp:
        value, signo, notify, tid = struct.unpack("<Qiii", proc.mm.read(sevp, 20))
    else:
        value, signo, notify, tid = timer_id, abi.SIGALRM, signals.SIGEV_SIGNAL, 0
    target = None
    if notify == signals.SIGEV_THREAD_ID | signals.SIGEV_SIGNAL:
        target = next((th for th in proc.threads if th.tid == tid), None)
        if target is None:
            raise SyscallError(abi.EINVAL)
    elif notify not in (signals.SIGEV_SIGNAL, signals.SIGEV_NONE, signals.SIGEV_THREAD):
        raise SyscallError(abi.EINVAL)
    if notify != signals.SIGEV_NONE and not 1 <= signo <= 64:
        raise SyscallError(abi.EINVAL)
    proc.mm.write(timer_id_ptr, struct.pack("<i", timer_id))
    proc.next_timer_id += 1
    proc.posix_timers[timer_id] = PosixTimer(proc, timer_id, clock_id, signo, notify, value, target)
    return 0


def _read_itimerspec(t: Thread, address: int) -> tuple[int, int]:
    """(interval, value) in ns; EINVAL for a bad tv_nsec or a negative time."""
    i_sec, i_nsec, v_sec, v_nsec = struct.unpack("<qqqq", t.process.mm.read(address, 32))
    if not (0 <= i_nsec < 10**9 and 0 <= v_nsec < 10**9) or i_sec < 0 or v_sec < 0:
        raise SyscallError(abi.EINVAL)
    return i_sec * 10**9 + i_nsec, v_sec * 10**9 + v_nsec


def _pack_itimerspec(timer: PosixTimer, now: int) -> bytes:
    return pack_timespec(timer.interval_ns) + pack_timespec(timer.remaining(now))


def sys_timer_settime(t: Thread, timer_id: int, flags: int, new: int, old: int) -> int:
    """timer_settime(2): relative or TIMER_ABSTIME on the timer's clock, with an interval."""
    timer = _timer(t, timer_id)
    interval, value = _read_itimerspec(t, new)
    kernel = t.process.kernel
    now = kernel.sched.now()
    if old:
        t.process.mm.write(old, _pack_itimerspec(timer, now))
    if not value:
        timer.arm(0, 0)
        return 0
    if flags & abi.TIMER_ABSTIME:
        # A deadline on the timer's clock, as an offset from now on the monotonic one;
        # one already past fires at once.
        value = max(value - kernel.sources.clock_ns(timer.clock_id), 0)
    timer.arm(now + value, interval)
    return 0


def sys_timer_gettime(t: Thread, timer_id: int, curr: int) -> int:
    """timer_gettime(2)."""
    timer = _timer(t, timer_id)
    t.process.mm.write(curr, _pack_itimerspec(timer, t.process.kernel.sched.now()))
    return 0


def sys_timer_getoverrun(t: Thread, timer_id: int) -> int:
    """timer_getoverrun(2): the overrun count of the last signal delivered."""
    return _timer(t, timer_id).overrun_last


def sys_timer_delete(t: Thread, timer_id: int) -> int:
    """timer_delete(2); a signal it already queued stays pending, as on Linux."""
    _timer(t, timer_id).disarm()
    del t.process.posix_timers[timer_id]
    return 0
