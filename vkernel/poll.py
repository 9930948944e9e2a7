"""poll(2)'s wait: a thread watching several descriptions until one is ready.

Invariants:
- Readiness is always computed from the descriptions themselves (``FileDescription.poll``),
  never remembered: a watcher told of a change looks again, and wakes its thread only
  when some requested event (or POLLERR/POLLHUP/POLLNVAL, which are always reported)
  is really there.
- While its thread is parked, a :class:`PollWait` is registered as a watcher on the
  wait queue of every description that has one, and on nothing else; the Wait's
  cancel (woken, timed out, interrupted, thread gone) removes every registration.
- Descriptions whose readiness lives on the host (``host_readiness``) announce nothing,
  so a parked poller over one looks again every ``HOST_RECHECK_NS``.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.sched import RestartBlock, Timer, Wait

if TYPE_CHECKING:
    from vkernel.task import Thread
    from vkernel.vfs.file import FileDescription
    from vkernel.waitq import WaitQueue

POLLFD = struct.Struct("<ihh")          # struct pollfd: fd, events, revents
ALWAYS_REPORTED = abi.POLLERR | abi.POLLHUP | abi.POLLNVAL
HOST_RECHECK_NS = 10_000_000


@dataclass
class PollEntry:
    fd: int
    events: int
    desc: FileDescription | None       # None: a negative fd (ignored) or a closed one (POLLNVAL)

    def revents(self) -> int:
        if self.fd < 0:
            return 0
        if self.desc is None:
            return abi.POLLNVAL
        return self.desc.poll() & (self.events | ALWAYS_REPORTED)


@dataclass(eq=False)
class PollWait:
    """One poll(2) call: its entries, where their revents go in guest memory, and its
    deadline (None: no timeout).  ``check`` writes the revents and says how many fds
    are ready; ``block`` parks the thread until that is nonzero or the deadline."""
    t: Thread
    address: int
    entries: list[PollEntry]
    deadline_ns: int | None
    wait: Wait | None = None
    queues: list[WaitQueue] = field(default_factory=list)
    recheck: Timer | None = None

    @classmethod
    def read(cls, t: Thread, address: int, nfds: int, deadline_ns: int | None) -> PollWait:
        """The pollfd array from guest memory; EINVAL past RLIMIT_NOFILE, as Linux."""
        if nfds > t.process.fds.limit:
            raise SyscallError(abi.EINVAL)
        data = t.process.mm.read(address, POLLFD.size * nfds) if nfds else b""
        fds = t.process.fds
        entries = []
        for fd, events, _ in POLLFD.iter_unpack(data):
            entry = fds.entries.get(fd) if fd >= 0 else None
            desc = entry.description if entry is not None else None
            entries.append(PollEntry(fd, events & 0xFFFF, desc))
        return cls(t, address, entries, deadline_ns)

    def check(self) -> int:
        revents = [entry.revents() for entry in self.entries]
        if self.entries:
            self.t.process.mm.write(self.address, b"".join(
                POLLFD.pack(e.fd, _short(e.events), _short(r)) for e, r in zip(self.entries, revents)))
        return sum(1 for r in revents if r)

    def block(self) -> Block:
        t = self.t
        sched = t.process.kernel.sched
        self.wait = Wait(t, f"{len(self.entries)} fds to become ready (poll)", cancel=self._unregister,
                         restart="nohand",
                         restart_block=RestartBlock(lambda th: poll(th, self.address, len(self.entries),
                                                                    self.deadline_ns)))
        for entry in self.entries:
            queue = entry.desc.poll_queue() if entry.desc is not None else None
            if queue is not None and queue not in self.queues:
                queue.watchers.append(self._changed)
                self.queues.append(queue)
        if any(e.desc is not None and e.desc.host_readiness for e in self.entries):
            self._arm_recheck()
        sched.block(self.wait, self.deadline_ns, timeout_result=0)
        return Block()

    def _arm_recheck(self) -> None:
        sched = self.t.process.kernel.sched
        self.recheck = sched.add_timer(sched.now() + HOST_RECHECK_NS, self._rechecked)

    def _rechecked(self) -> None:
        self._changed()
        if self.wait is not None and self.t.wait is self.wait:
            self._arm_recheck()

    def _changed(self) -> None:
        if self.wait is None or self.t.wait is not self.wait:
            return
        ready = self.check()
        if ready:
            self._unregister()
            self.t.process.kernel.sched.wake(self.t, ready)

    def _unregister(self) -> None:
        for queue in self.queues:
            if self._changed in queue.watchers:
                queue.watchers.remove(self._changed)
        self.queues.clear()
        if self.recheck is not None:
            self.recheck.cancelled = True
            self.recheck = None


def _short(value: int) -> int:
    """A 16-bit events field as struct pollfd's signed short."""
    return value - 0x10000 if value & 0x8000 else value


def poll(t: Thread, address: int, nfds: int, deadline_ns: int | None) -> int | Block:
    """poll's body: the count of ready fds now, 0 at the deadline, or a Block."""
    pw = PollWait.read(t, address, nfds, deadline_ns)
    ready = pw.check()
    if ready or (deadline_ns is not None and deadline_ns <= t.process.kernel.sched.now()):
        return ready
    return pw.block()
