"""epoll instances, after Linux's fs/eventpoll.c.

- An item is keyed by (fd, open file description), as Linux's (file, fd): it lives as
  long as the description, not the fd.  Closing one fd of a dup'd description leaves
  the item reporting with its old fd number and data; the item goes away only when
  the description's last reference closes (its release hook), or with EPOLL_CTL_DEL
  through an fd that still names the same (fd, description) pair.
- Every item is subscribed to its target through the readiness core
  (vkernel/poll.subscribe).  A change whose key concerns the item's events puts it on
  the ready list, in arrival order (ep_poll_callback); readiness itself is computed
  only when the list is harvested, and an item found not ready then simply leaves it.
- Harvesting (ep_send_events) reports at most maxevents items: an EPOLLONESHOT item
  is disabled (its events cut to the private bits) until EPOLL_CTL_MOD re-arms it, an
  EPOLLET item leaves the list until its target announces a new change, a level
  triggered one goes back to the tail.  Items not reached stay at the head.
- A host-backed target (a terminal) has no change announcements, only a host watch,
  which would fire over and over while the fd stays ready: its watch is held only
  while the item is off the ready list (so EPOLLET on a host fd behaves level-like
  until the program drains it).
- epoll_wait callers park FIFO; a new ready item wakes the first whose harvest finds
  events (Linux's exclusive wait).  An epoll is itself pollable (EPOLLIN while an item
  on its list is ready), which is nesting; EPOLL_CTL_ADD refuses cycles and chains
  deeper than EP_MAX_NESTS with ELOOP.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.anonfile import AnonFile
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.poll import Subscription, subscribe
from vkernel.sched import HostWatch, Scheduler, Wait
from vkernel.waitq import WaitQueue

if TYPE_CHECKING:
    from vkernel.task import Thread
    from vkernel.vfs.file import FileDescription

EPOLL_EVENT = struct.Struct("<IQ")        # struct epoll_event, packed on x86-64: 12 bytes
EP_PRIVATE_BITS = abi.EPOLLWAKEUP | abi.EPOLLONESHOT | abi.EPOLLET | abi.EPOLLEXCLUSIVE
EPOLLEXCLUSIVE_OK_BITS = (abi.EPOLLIN | abi.EPOLLOUT | abi.EPOLLERR | abi.EPOLLHUP | abi.EPOLLWAKEUP
                          | abi.EPOLLET | abi.EPOLLEXCLUSIVE)
EP_MAX_NESTS = 4
EP_MAX_EVENTS = 0x7FFFFFFF // EPOLL_EVENT.size


@dataclass(eq=False)
class EpollItem:
    epoll: Epoll
    fd: int
    desc: FileDescription
    events: int
    data: int
    subscription: Subscription | None = None

    def revents(self) -> int:
        return self.desc.poll() & self.events & ~EP_PRIVATE_BITS

    def subscribe(self) -> None:
        if self.subscription is None:
            self.subscription = subscribe(self.epoll.sched, self.desc, self.events & ~EP_PRIVATE_BITS, self._changed,
                                          exclusive=bool(self.events & abi.EPOLLEXCLUSIVE))

    def unsubscribe(self) -> None:
        if self.subscription is not None:
            self.subscription.cancel()
            self.subscription = None

    def _changed(self, key: int) -> bool:
        """ep_poll_callback: True when an exclusive item woke a waiter."""
        if not self.events & ~EP_PRIVATE_BITS:
            return False                       # a ONESHOT item that fired: disabled
        if key and not key & self.events:
            return False
        if isinstance(self.subscription, HostWatch):
            self.unsubscribe()                 # re-armed when the item leaves the list
        return self.epoll.make_ready(self)

    def target_closed(self) -> None:
        """The target description's last reference closed."""
        self.epoll.remove(self)


@dataclass(eq=False)
class EpollWait:
    """An epoll_wait caller parked until a harvest finds events or its deadline."""
    t: Thread
    address: int
    maxevents: int
    finish: Callable[[int], int]
    wait: Wait | None = None


class Epoll(AnonFile):
    def __init__(self, sched: Scheduler) -> None:
        super().__init__(b"[eventpoll]", 0)
        self.sched = sched
        self.items: dict[tuple[int, FileDescription], EpollItem] = {}
        self.ready: dict[EpollItem, None] = {}          # the ready list, in order
        self.waiters: list[EpollWait] = []
        self.changed = WaitQueue(sched, "epoll to have ready items")   # its own pollers
        self.parents: list[EpollItem] = []              # items of other epolls watching this one

    # -- readiness of the epoll itself --
    def poll_queue(self) -> WaitQueue:
        return self.changed

    def poll(self) -> int:
        """ep_eventpoll_poll: readable while an item on the list is really ready; the
        ones that are not leave the list."""
        for item in list(self.ready):
            if item.revents():
                return abi.POLLIN | abi.POLLRDNORM
            self._unready(item)
        return 0

    # -- epoll_ctl --
    def add(self, fd: int, desc: FileDescription, events: int, data: int) -> None:
        key = (fd, desc)
        if key in self.items:
            raise SyscallError(abi.EEXIST)
        if isinstance(desc, Epoll):
            self._loop_check(desc)
        item = EpollItem(self, fd, desc, events | abi.EPOLLERR | abi.EPOLLHUP, data)
        self.items[key] = item
        desc.release_hooks.append(item.target_closed)
        if isinstance(desc, Epoll):
            desc.parents.append(item)
        item.subscribe()
        if item.revents():
            self.make_ready(item)

    def modify(self, fd: int, desc: FileDescription, events: int, data: int) -> None:
        item = self.find(fd, desc)
        if item.events & abi.EPOLLEXCLUSIVE:
            raise SyscallError(abi.EINVAL)
        item.events, item.data = events | abi.EPOLLERR | abi.EPOLLHUP, data
        if item not in self.ready:
            item.unsubscribe()                  # a host watch's interest follows the events
            item.subscribe()
        if item.revents():
            self.make_ready(item)

    def delete(self, fd: int, desc: FileDescription) -> None:
        self.remove(self.find(fd, desc))

    def find(self, fd: int, desc: FileDescription) -> EpollItem:
        item = self.items.get((fd, desc))
        if item is None:
            raise SyscallError(abi.ENOENT)
        return item

    def remove(self, item: EpollItem) -> None:
        if self.items.get((item.fd, item.desc)) is not item:
            return
        del self.items[(item.fd, item.desc)]
        item.unsubscribe()
        self.ready.pop(item, None)
        if item.target_closed in item.desc.release_hooks:
            item.desc.release_hooks.remove(item.target_closed)
        if isinstance(item.desc, Epoll) and item in item.desc.parents:
            item.desc.parents.remove(item)

    def _loop_check(self, target: Epoll) -> None:
        """ep_loop_check: ELOOP if ``target`` reaches this epoll, or if the chain
        through it would nest deeper than EP_MAX_NESTS."""
        def down(ep: Epoll, seen: frozenset[int]) -> int:
            depth = 0
            for item in ep.items.values():
                child = item.desc
                if isinstance(child, Epoll):
                    if child is self or id(child) in seen:
                        return EP_MAX_NESTS + 1
                    depth = max(depth, down(child, seen | {id(child)}) + 1)
                    if depth > EP_MAX_NESTS:
                        break
            return depth

        def up(ep: Epoll, seen: frozenset[int]) -> int:
            return max((up(p.epoll, seen | {id(p.epoll)}) + 1 for p in ep.parents if id(p.epoll) not in seen),
                       default=0)

        depth = down(target, frozenset({id(target)}))
        if depth > EP_MAX_NESTS or depth + 1 + up(self, frozenset({id(self)})) > EP_MAX_NESTS:
            raise SyscallError(abi.ELOOP)

    # -- the ready list --
    def make_ready(self, item: EpollItem) -> bool:
        """An item's target changed: queue it, wake a waiter and this epoll's own
        pollers.  True if a waiter was parked (EPOLLEXCLUSIVE's wake-up accounting)."""
        self.ready.setdefault(item, None)
        had_waiters = bool(self.waiters)
        for waiter in list(self.waiters):
            if self._try_harvest(waiter):
                break
        self.changed.wake_all(abi.POLLIN)
        return had_waiters

    def _unready(self, item: EpollItem) -> None:
        self.ready.pop(item, None)
        if item.subscription is None and (item.fd, item.desc) in self.items:
            item.subscribe()

    def harvest(self, t: Thread, address: int, maxevents: int) -> int:
        """ep_send_events: write up to ``maxevents`` ready items; EFAULT (and nothing
        changed) when the array cannot take them."""
        picked: list[tuple[EpollItem, int]] = []
        gone: list[EpollItem] = []
        scanned = 0
        for item in self.ready:
            if len(picked) >= maxevents:
                break
            scanned += 1
            revents = item.revents()
            if revents:
                picked.append((item, revents))
            else:
                gone.append(item)
        if picked:
            t.process.mm.write(address, b"".join(EPOLL_EVENT.pack(rev, item.data) for item, rev in picked))
        rest = list(self.ready)[scanned:]
        self.ready = dict.fromkeys(rest)
        for item in gone:
            self._unready(item)
        for item, _ in picked:
            if item.events & abi.EPOLLONESHOT:
                item.events &= EP_PRIVATE_BITS
                self._unready(item)
            elif item.events & abi.EPOLLET:
                self._unready(item)
            else:
                self.ready.setdefault(item, None)
        return len(picked)

    # -- epoll_wait --
    def wait(self, t: Thread, address: int, maxevents: int, deadline_ns: int | None,
             finish: Callable[[int], int]) -> int | Block:
        """The events ready now, 0 at the deadline, or a Block until either; a signal
        ends the wait with EINTR whatever SA_RESTART says, as Linux."""
        count = self.harvest(t, address, maxevents)
        if count or (deadline_ns is not None and deadline_ns <= self.sched.now()):
            return finish(count)
        waiter = EpollWait(t, address, maxevents, finish)
        waiter.wait = Wait(t, f"epoll fd to have events ({len(self.items)} watched)", restart="never",
                           cancel=lambda: self._drop_waiter(waiter))
        self.waiters.append(waiter)
        self.sched.block(waiter.wait)
        if deadline_ns is not None:
            waiter.wait.timer = self.sched.add_timer(deadline_ns, lambda: self._timed_out(waiter))
        return Block()

    def _try_harvest(self, waiter: EpollWait) -> bool:
        if waiter.wait is None or waiter.t.wait is not waiter.wait:
            self._drop_waiter(waiter)
            return False
        try:
            count = self.harvest(waiter.t, waiter.address, waiter.maxevents)
        except SyscallError as exc:
            count = -exc.errno
        if not count:
            return False
        self._drop_waiter(waiter)
        self.sched.wake(waiter.t, waiter.finish(count) if count > 0 else count)
        return True

    def _timed_out(self, waiter: EpollWait) -> None:
        if waiter.wait is not None and waiter.t.wait is waiter.wait:
            self._drop_waiter(waiter)
            self.sched.wake(waiter.t, waiter.finish(0))

    def _drop_waiter(self, waiter: EpollWait) -> None:
        if waiter in self.waiters:
            self.waiters.remove(waiter)

    def close(self) -> None:
        """The last reference: every item goes (items of other epolls watching this
        one go through this description's release hooks, like any target's)."""
        for item in list(self.items.values()):
            self.remove(item)
