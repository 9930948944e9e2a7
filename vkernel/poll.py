"""The readiness core: how every waiter (poll, select, epoll) learns that kernel
objects became ready, and poll(2)/select(2)'s wait.

Invariants:
- Readiness is always computed from the descriptions themselves (``FileDescription.poll``),
  never remembered: a watcher told of a change looks again, and wakes its thread only
  when some requested event (or POLLERR/POLLHUP/POLLNVAL, which are always reported)
  is really there.
- :func:`subscribe` is the one way to hear of changes: on the description's wait queue
  (in-kernel objects announce every change, with a key of the events it concerns), or,
  for readiness that lives on the host (``host_readiness``), as a scheduler host watch
  (the idle loop waits on those fds with one poll(2)).  Objects that never change
  readiness (regular files, most devices) have neither and are always ready.
- While its thread is parked, a :class:`ReadyWait` holds one subscription per distinct
  description and nothing else; the Wait's cancel (woken, timed out, interrupted,
  thread gone) cancels every one.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Protocol

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.sched import RestartBlock, Scheduler, Wait
from vkernel.waitq import Watcher

if TYPE_CHECKING:
    from vkernel.task import Thread
    from vkernel.vfs.file import FileDescription
    from vkernel.waitq import WaitQueue

POLLFD = struct.Struct("<ihh")          # struct pollfd: fd, events, revents
ALWAYS_REPORTED = abi.POLLERR | abi.POLLHUP | abi.POLLNVAL
# select(2)'s sets as Linux's fs/select.c maps poll bits onto them.
POLLIN_SET = abi.POLLRDNORM | abi.POLLRDBAND | abi.POLLIN | abi.POLLHUP | abi.POLLERR
POLLOUT_SET = abi.POLLWRBAND | abi.POLLWRNORM | abi.POLLOUT | abi.POLLERR
POLLEX_SET = abi.POLLPRI


class Subscription(Protocol):
    def cancel(self) -> None: ...


@dataclass(eq=False)
class QueueSubscription:
    queue: WaitQueue
    watcher: Watcher

    def cancel(self) -> None:
        self.queue.unwatch(self.watcher)


def subscribe(sched: Scheduler, desc: FileDescription, events: int, notify: Callable[[int], bool],
              exclusive: bool = False) -> Subscription | None:
    """Have ``notify(key)`` called whenever ``desc``'s readiness may have changed (key:
    the POLL* events concerned, 0 for any); None when it never changes."""
    queue = desc.poll_queue()
    if queue is not None:
        watcher = Watcher(notify, exclusive)
        queue.watch(watcher)
        return QueueSubscription(queue, watcher)
    fd = desc.fileno() if desc.host_readiness else None
    if fd is not None:
        return sched.watch_host(fd, events | ALWAYS_REPORTED, notify)
    return None


@dataclass(eq=False)
class ReadyWait:
    """A thread parked until ``check`` (which writes its results to guest memory and
    returns how many are ready) finds something, or until the deadline (None: none).
    ``finish`` turns the final count into the syscall's result (restoring a swapped
    signal mask, writing the remaining time back)."""
    t: Thread
    targets: list[tuple[FileDescription, int]]
    check: Callable[[], int]
    deadline_ns: int | None
    finish: Callable[[int], int]
    wait: Wait | None = None
    subscriptions: list[Subscription] = field(default_factory=list)

    def block(self, describe: str, restart_block: RestartBlock) -> Block:
        sched = self.t.process.kernel.sched
        self.wait = Wait(self.t, describe, cancel=self._unsubscribe, restart="nohand", restart_block=restart_block)
        wanted: dict[FileDescription, int] = {}
        for desc, events in self.targets:
            wanted[desc] = wanted.get(desc, 0) | events
        for desc, events in wanted.items():
            sub = subscribe(sched, desc, events, self._changed)
            if sub is not None:
                self.subscriptions.append(sub)
        sched.block(self.wait)
        if self.deadline_ns is not None:
            self.wait.timer = sched.add_timer(self.deadline_ns, self._timed_out)
        return Block()

    def _parked(self) -> bool:
        return self.wait is not None and self.t.wait is self.wait

    def _changed(self, key: int) -> bool:
        if not self._parked():
            return False
        ready = self.check()
        if not ready:
            return False
        self._end(ready)
        return True

    def _timed_out(self) -> None:
        if self._parked():
            self._end(self.check())

    def _end(self, ready: int) -> None:
        self._unsubscribe()
        self.t.process.kernel.sched.wake(self.t, self.finish(ready))

    def _unsubscribe(self) -> None:
        for sub in self.subscriptions:
            sub.cancel()
        self.subscriptions.clear()


def wait_ready(t: Thread, targets: list[tuple[FileDescription, int]], check: Callable[[], int],
               deadline_ns: int | None, finish: Callable[[int], int], describe: str,
               restart_block: RestartBlock) -> int | Block:
    """The count ``check`` finds now, 0 at the deadline, or a Block until either."""
    ready = check()
    if ready or (deadline_ns is not None and deadline_ns <= t.process.kernel.sched.now()):
        return finish(ready)
    return ReadyWait(t, targets, check, deadline_ns, finish).block(describe, restart_block)


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


def _short(value: int) -> int:
    """A 16-bit events field as struct pollfd's signed short."""
    return value - 0x10000 if value & 0x8000 else value


def read_pollfds(t: Thread, address: int, nfds: int) -> list[PollEntry]:
    """The pollfd array from guest memory; EINVAL past RLIMIT_NOFILE, as Linux."""
    if nfds > t.process.fds.limit:
        raise SyscallError(abi.EINVAL)
    data = t.process.mm.read(address, POLLFD.size * nfds) if nfds else b""
    fds = t.process.fds
    entries = []
    for fd, events, _ in POLLFD.iter_unpack(data):
        entry = fds.entries.get(fd) if fd >= 0 else None
        entries.append(PollEntry(fd, events & 0xFFFF, entry.description if entry is not None else None))
    return entries


def poll(t: Thread, address: int, nfds: int, deadline_ns: int | None, finish: Callable[[int], int],
         restart_block: RestartBlock) -> int | Block:
    """poll's body: the count of ready fds now, 0 at the deadline, or a Block."""
    entries = read_pollfds(t, address, nfds)

    def check() -> int:
        revents = [entry.revents() for entry in entries]
        if entries:
            t.process.mm.write(address, b"".join(
                POLLFD.pack(e.fd, _short(e.events), _short(r)) for e, r in zip(entries, revents)))
        return sum(1 for r in revents if r)

    targets = [(e.desc, e.events) for e in entries if e.desc is not None and e.fd >= 0]
    return wait_ready(t, targets, check, deadline_ns, finish, f"{nfds} fds to become ready (poll)", restart_block)


def select(t: Thread, nfds: int, sets: tuple[int, int, int], deadline_ns: int | None,
           finish: Callable[[int], int], restart_block: RestartBlock) -> int | Block:
    """select's body over the three fd_set bitmaps at ``sets`` (0: absent), as Linux's
    do_select: EBADF for a set bit naming no open fd; the result sets replace the
    given ones (cleared on timeout); the count is of bits set, not of fds."""
    if nfds < 0:
        raise SyscallError(abi.EINVAL)
    fds = t.process.fds
    nfds = min(nfds, fds.limit)
    nbytes = (nfds + 63) // 64 * 8
    mm = t.process.mm
    limit = (1 << nfds) - 1
    wanted = [int.from_bytes(mm.read(ptr, nbytes), "little") & limit if ptr and nbytes else 0 for ptr in sets]
    everything = wanted[0] | wanted[1] | wanted[2]
    descs: dict[int, FileDescription] = {}
    while everything:
        low = everything & -everything
        fd = low.bit_length() - 1
        everything ^= low
        entry = fds.entries.get(fd)
        if entry is None:
            raise SyscallError(abi.EBADF)
        descs[fd] = entry.description
    masks = (POLLIN_SET, POLLOUT_SET, POLLEX_SET)

    def check() -> int:
        results = [0, 0, 0]
        for fd, desc in descs.items():
            bit = 1 << fd
            ready = desc.poll()
            for i in range(3):
                if wanted[i] & bit and ready & masks[i]:
                    results[i] |= bit
        count = sum(bin(r).count("1") for r in results)
        if count:
            _write_sets(t, sets, results, nbytes)
        return count

    def finish_select(count: int) -> int:
        if not count:
            _write_sets(t, sets, [0, 0, 0], nbytes)
        return finish(count)

    targets = []
    for fd, desc in descs.items():
        bit = 1 << fd
        events = (POLLIN_SET if wanted[0] & bit else 0) | (POLLOUT_SET if wanted[1] & bit else 0) | (
            POLLEX_SET if wanted[2] & bit else 0)
        targets.append((desc, events))
    return wait_ready(t, targets, check, deadline_ns, finish_select, f"{len(descs)} fds to become ready (select)",
                      restart_block)


def _write_sets(t: Thread, sets: tuple[int, int, int], results: list[int], nbytes: int) -> None:
    for ptr, value in zip(sets, results):
        if ptr and nbytes:
            t.process.mm.write(ptr, value.to_bytes(nbytes, "little"))
