"""Wait queues for kernel objects whose operations can block (pipes, later sockets).

A description whose operation cannot proceed raises :class:`WouldBlock`; a handler that
can block catches it and returns ``exc.park(t)``, which parks the thread on the object's
queue and returns :class:`Block`.  Descriptions that never block never raise it, so the
handlers' hot path costs nothing extra (a ``try`` is free in CPython 3.11).  Anywhere
that does not catch it, it is the EAGAIN a nonblocking caller would get: a handler that
cannot park degrades to the nonblocking answer, never to a kernel bug.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.sched import Scheduler, Wait

if TYPE_CHECKING:
    from vkernel.task import Thread


class WouldBlock(SyscallError):
    """The operation must wait.  ``done`` bytes were transferred before it had to (a
    caller that cannot park returns those, or EAGAIN when there are none)."""

    __slots__ = ("park", "done")

    def __init__(self, park: Callable[[Thread], Block], done: int = 0) -> None:
        super().__init__(abi.EAGAIN)
        self.park = park
        self.done = done


class WaitQueue:
    """A FIFO of threads parked until an object's state changes.

    Invariant: every Wait in the queue is its thread's current wait; a Wait leaves the
    queue when it is woken from here or cancelled (the thread exited, or a timer or
    signal woke it), so a stale entry can never wake a thread parked elsewhere.
    """

    def __init__(self, sched: Scheduler, describe: str) -> None:
        self.sched = sched
        self.describe = describe
        self.waits: list[Wait] = []
        # Pollers watching the object (vkernel/poll.py): told of every change, they
        # decide themselves whether to wake.  A watcher removes itself.
        self.watchers: list[Watcher] = []

    def park(self, t: Thread) -> Block:
        """Park ``t``; it restarts its syscall when :meth:`wake_all` runs."""
        wait = Wait(t, self.describe)
        wait.cancel = lambda: self.remove(wait)
        self.waits.append(wait)
        self.sched.block(wait)
        return Block()

    def remove(self, wait: Wait) -> None:
        if wait in self.waits:
            self.waits.remove(wait)

    def wake_all(self, key: int = 0) -> None:
        """The object changed: every parked thread runs its syscall again, and the
        watchers hear of it with ``key``, the POLL* events the change concerns (0: any,
        as Linux's wake-up keys).  Exclusive watchers (EPOLLEXCLUSIVE) come after the
        others and only the first one that wakes a waiter is told, as Linux's
        ``__wake_up_common`` with one exclusive wake-up."""
        if self.waits:
            waits, self.waits = self.waits, []
            for wait in waits:
                self.sched.wake(wait.thread, None)
        if not self.watchers:
            return
        for watcher in list(self.watchers):
            if watcher.notify(key) and watcher.exclusive:
                break

    def watch(self, watcher: Watcher) -> None:
        """Add a watcher: exclusive ones go last, as ``add_wait_queue_exclusive``."""
        if watcher.exclusive:
            self.watchers.append(watcher)
        else:
            first_exclusive = next((i for i, w in enumerate(self.watchers) if w.exclusive), len(self.watchers))
            self.watchers.insert(first_exclusive, watcher)

    def unwatch(self, watcher: Watcher) -> None:
        if watcher in self.watchers:
            self.watchers.remove(watcher)


@dataclass(eq=False)
class Watcher:
    """A poller's registration on a wait queue.  ``notify(key)`` returns True when it
    woke a waiting thread (that ends an exclusive wake-up)."""
    notify: Callable[[int], bool]
    exclusive: bool = False
