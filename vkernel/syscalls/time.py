"""Clock and sleep syscalls; every reading comes from the kernel's Sources (invariant 4)."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.sched import RestartBlock, Wait
from vkernel.syscalls.common import pack_timespec, timespec_ns
from vkernel.task import Thread


def _clock(t: Thread, clock_id: int) -> int:
    try:
        return t.process.kernel.sources.clock_ns(clock_id)
    except KeyError:
        raise SyscallError(abi.EINVAL) from None


def sys_clock_gettime(t: Thread, clock_id: int, tp: int) -> int:
    """clock_gettime(2)."""
    t.process.mm.write(tp, pack_timespec(_clock(t, clock_id)))
    return 0


def sys_clock_getres(t: Thread, clock_id: int, res: int) -> int:
    """clock_getres(2)."""
    try:
        ns = t.process.kernel.sources.clock_res_ns(clock_id)
    except KeyError:
        raise SyscallError(abi.EINVAL) from None
    if res:
        t.process.mm.write(res, pack_timespec(ns))
    return 0


def sys_gettimeofday(t: Thread, tv: int, tz: int) -> int:
    """gettimeofday(2)."""
    ns = _clock(t, abi.CLOCK_REALTIME)
    if tv:
        t.process.mm.write(tv, struct.pack("<qq", ns // 10**9, (ns % 10**9) // 1000))
    if tz:
        t.process.mm.write(tz, bytes(8))
    return 0


def sys_time(t: Thread, tloc: int) -> int:
    """time(2)."""
    sec = _clock(t, abi.CLOCK_REALTIME) // 10**9
    if tloc:
        t.process.mm.write_u64(tloc, sec)
    return sec


def sys_nanosleep(t: Thread, req: int, rem: int) -> int | Block:
    """nanosleep(2): the thread parks on the timer queue."""
    return _sleep(t, abi.CLOCK_MONOTONIC, timespec_ns(t, req), absolute=False, rem=rem)


def sys_clock_nanosleep(t: Thread, clock_id: int, flags: int, req: int, rem: int) -> int | Block:
    """clock_nanosleep(2)."""
    if clock_id in (abi.CLOCK_THREAD_CPUTIME_ID,):
        raise SyscallError(abi.EINVAL)
    if flags & ~abi.TIMER_ABSTIME:
        raise SyscallError(abi.EINVAL)
    _clock(t, clock_id)
    return _sleep(t, clock_id, timespec_ns(t, req), absolute=bool(flags & abi.TIMER_ABSTIME), rem=rem)


def _sleep(t: Thread, clock_id: int, ns: int, absolute: bool, rem: int) -> int | Block:
    """A sleep a signal interrupts as Linux's: with a handler, EINTR (and a relative
    sleep's remaining time in ``rem``); without one, an absolute sleep is re-issued as
    it was (ERESTARTNOHAND), a relative one resumes through restart_syscall(2) for the
    time that remains (ERESTART_RESTARTBLOCK)."""
    kernel = t.process.kernel
    if absolute:
        ns -= kernel.sources.clock_ns(clock_id)
    if ns <= 0:
        return 0
    deadline = kernel.sched.now() + ns
    if absolute:
        wait = Wait(t, f"a {ns / 1e9:.3f} s timer", restart="nohand")
    else:
        wait = Wait(t, f"a {ns / 1e9:.3f} s timer", restart="nohand",
                    restart_block=RestartBlock(lambda th: _sleep_until(th, deadline, rem),
                                               lambda: _write_remaining(t, deadline, rem)))
    kernel.sched.block(wait, deadline, timeout_result=0)
    return Block()


def _sleep_until(t: Thread, deadline: int, rem: int) -> int | Block:
    """restart_syscall of a relative sleep: what is left of it (on the monotonic clock)."""
    return _sleep(t, abi.CLOCK_MONOTONIC, deadline - t.process.kernel.sched.now(), absolute=False, rem=rem)


def _write_remaining(t: Thread, deadline: int, rem: int) -> None:
    if rem:
        try:
            t.process.mm.write(rem, pack_timespec(max(deadline - t.process.kernel.sched.now(), 0)))
        except SyscallError:
            pass                     # Linux fails with EFAULT then; EINTR here



def _task(t: Thread, pid: int) -> Thread:
    """The thread a scheduling call names (0: the caller); ESRCH when there is none."""
    if pid == 0:
        return t
    found = t.process.kernel.find_thread(pid) if pid > 0 else None
    if found is None:
        raise SyscallError(abi.ESRCH)
    return found


def sys_sched_getaffinity(t: Thread, pid: int, size: int, mask: int) -> int:
    """sched_getaffinity(2): the container sees one CPU."""
    if size < 8 or size % 8:
        raise SyscallError(abi.EINVAL)
    _task(t, pid)
    t.process.mm.write(mask, b"\x01" + bytes(7))
    return 8


def sys_sched_setaffinity(t: Thread, pid: int, size: int, mask: int) -> int:
    """sched_setaffinity(2): accepted when CPU 0 is in the mask."""
    data = t.process.mm.read(mask, min(size, 128))
    _task(t, pid)
    if not data or not data[0] & 1:
        raise SyscallError(abi.EINVAL)
    return 0


def sys_sched_rr_get_interval(t: Thread, pid: int, tp: int) -> int:
    """sched_rr_get_interval(2): 0 s, as for a thread without round-robin time slices."""
    if pid < 0:
        raise SyscallError(abi.EINVAL)
    _task(t, pid)
    t.process.mm.write(tp, pack_timespec(0))
    return 0


def sys_clock_settime(t: Thread, clock_id: int, tp: int) -> int:
    """clock_settime(2): only CLOCK_REALTIME is settable, and a container lacks
    CAP_SYS_TIME: EPERM once the arguments are valid."""
    if clock_id != abi.CLOCK_REALTIME:
        _clock(t, clock_id)                  # EINVAL for an unknown clock
        raise SyscallError(abi.EINVAL)
    sec, nsec = struct.unpack("<qq", t.process.mm.read(tp, 16))
    if sec < 0 or not 0 <= nsec < 10**9:
        raise SyscallError(abi.EINVAL)
    raise SyscallError(abi.EPERM)


def sys_settimeofday(t: Thread, tv: int, tz: int) -> int:
    """settimeofday(2): EPERM once the arguments are valid (no CAP_SYS_TIME)."""
    if tv:
        sec, usec = struct.unpack("<qq", t.process.mm.read(tv, 16))
        if sec < 0 or not 0 <= usec < 10**6:
            raise SyscallError(abi.EINVAL)
    if tz:
        t.process.mm.read(tz, 8)
    raise SyscallError(abi.EPERM)


def sys_getcpu(t: Thread, cpu: int, node: int, _cache: int) -> int:
    """getcpu(2)."""
    if cpu:
        t.process.mm.write(cpu, bytes(4))
    if node:
        t.process.mm.write(node, bytes(4))
    return 0
