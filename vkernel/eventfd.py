"""eventfd, timerfd and signalfd objects: counters that are read as u64 records, and
are pollable through their own wait queue (the readiness core's announcements).

Invariants:
- Each object's ``changed`` queue hears of every change of its readiness, keyed with
  the POLL* events concerned (POLLIN for a count or a signal that appeared, POLLOUT
  for room in an eventfd); blocked reads and writes park there and re-run.
- A timerfd counts expirations lazily as Linux's does: the scheduler timer only marks
  the first expiry (and wakes waiters); a periodic timer is moved past "now" when the
  count is read (read, gettime, settime), adding the periods that went by.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from vkernel import abi, signals
from vkernel.anonfile import AnonFile
from vkernel.errors import SyscallError
from vkernel.sched import Scheduler, Timer
from vkernel.vfs.file import copy_out
from vkernel.waitq import WaitQueue, WouldBlock

if TYPE_CHECKING:
    from vkernel.signals import SigInfo
    from vkernel.sources import Sources
    from vkernel.task import Process

U64 = struct.Struct("<Q")
ULLONG_MAX = (1 << 64) - 1


def _total(views: list[memoryview] | list[bytes]) -> int:
    return sum(len(v) for v in views)


class EventFd(AnonFile):
    """eventfd(2): a u64 counter; EFD_SEMAPHORE reads take 1 at a time."""

    min_io = U64.size

    def __init__(self, sched: Scheduler, initval: int, flags: int) -> None:
        super().__init__(b"[eventfd]", flags)
        self.count = initval
        self.semaphore = bool(flags & abi.EFD_SEMAPHORE)
        self.changed = WaitQueue(sched, "eventfd to change")

    def poll_queue(self) -> WaitQueue:
        return self.changed

    def poll(self) -> int:
        # Linux reports bare POLLIN/POLLOUT here, never POLLRDNORM/POLLWRNORM.
        return ((abi.POLLIN if self.count else 0)
                | (abi.POLLERR if self.count == ULLONG_MAX else 0)
                | (abi.POLLOUT if self.count < ULLONG_MAX - 1 else 0))

    def read(self, views: list[memoryview]) -> int:
        if _total(views) < U64.size:
            raise SyscallError(abi.EINVAL)
        if not self.count:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.changed.park)
        value = 1 if self.semaphore else self.count
        self.count -= value
        copy_out(U64.pack(value), views, 0)
        self.changed.wake_all(abi.POLLOUT | abi.POLLWRNORM)
        return U64.size

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        if _total(data) != U64.size:        # exactly 8 bytes in current Linux (6.18 here), not "at least"
            raise SyscallError(abi.EINVAL)
        value = U64.unpack(b"".join(bytes(chunk) for chunk in data)[:U64.size])[0]
        if value == ULLONG_MAX:
            raise SyscallError(abi.EINVAL)
        if ULLONG_MAX - self.count <= value:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.changed.park)
        self.count += value
        if value:
            self.changed.wake_all(abi.POLLIN | abi.POLLRDNORM)
        return U64.size


class TimerFd(AnonFile):
    """timerfd_create(2).  Deadlines live on the scheduler's monotonic clock; an
    absolute CLOCK_REALTIME time is converted when the timer is set (a later change of
    the host's clock does not move it)."""

    min_io = U64.size

    def __init__(self, sched: Scheduler, sources: Sources, clock_id: int, flags: int) -> None:
        super().__init__(b"[timerfd]", flags)
        self.sched = sched
        self.sources = sources
        self.clock_id = clock_id
        self.changed = WaitQueue(sched, "timerfd to expire")
        self.expiry_ns = 0             # monotonic; 0: disarmed
        self.interval_ns = 0
        self.ticks = 0
        self.expired = False           # the first expiry was counted, the period not yet forwarded
        self._event: Timer | None = None

    def poll_queue(self) -> WaitQueue:
        return self.changed

    def poll(self) -> int:
        self._catch_up()
        return abi.POLLIN if self.ticks else 0

    def _catch_up(self) -> None:
        """Count an expiry whose scheduler timer has not run yet (it may be due while
        the guest runs)."""
        if self.expiry_ns and not self.expired and self.expiry_ns <= self.sched.now():
            self._expire()

    def _expire(self) -> None:
        if self._event is not None:
            self._event.cancelled = True
            self._event = None
        if not self.expiry_ns or self.expired:
            return
        self.ticks += 1
        self.expired = True
        if not self.interval_ns:
            self.expiry_ns = 0
        self.changed.wake_all(abi.POLLIN | abi.POLLRDNORM)

    def _forward(self) -> None:
        """A periodic timer that expired moves past now; the periods skipped are ticks."""
        if self.expired and self.interval_ns:
            now = self.sched.now()
            periods = (now - self.expiry_ns) // self.interval_ns + 1 if now >= self.expiry_ns else 0
            self.ticks += max(periods - 1, 0)
            self.expiry_ns += max(periods, 1) * self.interval_ns
            self.expired = False
            self._schedule()

    def _schedule(self) -> None:
        if self.expiry_ns:
            self._event = self.sched.add_timer(self.expiry_ns, self._expire)

    def remaining(self) -> tuple[int, int]:
        """timerfd_gettime: (time to the next expiry, interval)."""
        self._catch_up()
        self._forward()
        if not self.expiry_ns or self.expired:
            return 0, self.interval_ns
        return max(self.expiry_ns - self.sched.now(), 1), self.interval_ns

    def arm(self, value_ns: int, interval_ns: int, absolute: bool) -> tuple[int, int]:
        """timerfd_settime: returns the old setting; the count starts again from 0."""
        old = self.remaining()
        if self._event is not None:
            self._event.cancelled = True
            self._event = None
        self.ticks, self.expired = 0, False
        self.interval_ns = interval_ns
        if not value_ns:
            # Disarmed; Linux's gettime still returns the interval that was set.
            self.expiry_ns = 0
            return old
        now = self.sched.now()
        if absolute:
            clock_now = self.sources.clock_ns(self.clock_id)
            self.expiry_ns = now + (value_ns - clock_now)
        else:
            self.expiry_ns = now + value_ns
        self.expiry_ns = max(self.expiry_ns, 1)
        self._schedule()
        self._catch_up()
        return old

    def read(self, views: list[memoryview]) -> int:
        if _total(views) < U64.size:
            raise SyscallError(abi.EINVAL)
        self._catch_up()
        if not self.ticks:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.changed.park)
        self._forward()
        ticks, self.ticks = self.ticks, 0
        copy_out(U64.pack(ticks), views, 0)
        return U64.size

    def close(self) -> None:
        if self._event is not None:
            self._event.cancelled = True
            self._event = None


SIGNALFD_SIGINFO = struct.Struct("<IiiIIiIIIIiiQQQQHHiQI")     # then padding to 128 bytes
SIGNALFD_SIGINFO_SIZE = 128


def pack_signalfd_siginfo(info: SigInfo) -> bytes:
    """struct signalfd_siginfo, as Linux's signalfd_copyinfo fills it from a siginfo."""
    pid, uid, value, status, addr = info.pid, info.uid, info.value, 0, 0
    tid = overrun = 0
    if info.raw is not None:
        pid, uid, value = struct.unpack_from("<IIQ", info.raw.ljust(32, b"\0"), 16)
    elif info.code == signals.SI_TIMER:
        tid, overrun = info.timer_id, info.overrun
    elif info.signo == abi.SIGCHLD and info.code > 0:
        status = info.status
    elif info.signo in (abi.SIGSEGV, abi.SIGBUS, abi.SIGILL, abi.SIGFPE, abi.SIGTRAP) and info.code > 0:
        addr, pid, uid = info.addr, 0, 0
    record = SIGNALFD_SIGINFO.pack(info.signo, info.errno, info.code, pid, uid, 0, tid, 0, overrun, 0, status,
                                   ((value & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000, value, 0, 0, addr, 0, 0, 0, 0, 0)
    return record.ljust(SIGNALFD_SIGINFO_SIZE, b"\0")


class SignalFd(AnonFile):
    """signalfd(2): reads dequeue pending signals of ``mask`` as signalfd_siginfo
    records.  Bound to the process that created it (Linux reads the caller's own
    queues: the same until a fork hands the fd to a child)."""

    min_io = SIGNALFD_SIGINFO_SIZE

    def __init__(self, proc: Process, mask: int, flags: int) -> None:
        super().__init__(b"[signalfd]", flags)
        self.proc = proc
        self.mask = mask
        self.changed = proc.signalfd_queue()

    def poll_queue(self) -> WaitQueue:
        return self.changed

    def _pending(self) -> int:
        mask = 0
        for info in self.proc.pending:
            mask |= signals.bit(info.signo)
        for th in self.proc.threads:
            for info in th.pending:
                mask |= signals.bit(info.signo)
        return mask & self.mask

    def poll(self) -> int:
        return abi.POLLIN if self._pending() else 0

    def read(self, views: list[memoryview]) -> int:
        room = _total(views) // SIGNALFD_SIGINFO_SIZE
        if not room:
            raise SyscallError(abi.EINVAL)
        records = []
        while len(records) < room:
            pending = self._pending()
            if not pending:
                break
            sig = (pending & -pending).bit_length()
            holder = next((th for th in self.proc.threads if any(i.signo == sig for i in th.pending)),
                          self.proc.threads[0] if self.proc.threads else None)
            if holder is None:
                break
            records.append(pack_signalfd_siginfo(signals.dequeue(holder, sig)))
        if not records:
            if self.nonblocking:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.changed.park)
        return copy_out(b"".join(records), views, 0)
