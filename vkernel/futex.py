"""The futex table: wait queues keyed by the memory a futex word lives in.

Keys follow Linux: a private futex, or any futex in private memory, is keyed by
(address space, address); a futex in shared memory by (backing buffer, offset), so two
processes mapping the same buffer meet on the same queue.  Queues are FIFO, so wake
order is deterministic.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Hashable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.sched import Scheduler, Wait

if TYPE_CHECKING:
    from vkernel.task import Thread

FUTEX_WAITERS = 0x80000000
FUTEX_OWNER_DIED = 0x40000000
FUTEX_TID_MASK = 0x3FFFFFFF
BITSET_MATCH_ANY = 0xFFFFFFFF


@dataclass(eq=False)
class Waiter:
    thread: Thread
    key: Hashable
    bitset: int
    pi: bool = False


class FutexTable:
    def __init__(self, sched: Scheduler) -> None:
        self.sched = sched
        self.queues: dict[Hashable, deque[Waiter]] = {}

    def key(self, t: Thread, uaddr: int, private: bool) -> Hashable:
        """EINVAL for a misaligned word, EFAULT if it is not mapped readable."""
        if uaddr % 4:
            raise SyscallError(abi.EINVAL)
        mm = t.process.mm
        vma = mm.find(uaddr)
        if vma is None or not vma.prot & abi.PROT_READ:
            raise SyscallError(abi.EFAULT)
        if private or not vma.shared:
            return ("mm", id(mm), uaddr)
        return ("buf", id(vma.buffer), vma.offset + uaddr - vma.start)

    def enqueue(self, t: Thread, key: Hashable, bitset: int, describe: str, deadline_ns: int | None,
                pi: bool = False) -> None:
        waiter = Waiter(t, key, bitset, pi)
        self.queues.setdefault(key, deque()).append(waiter)
        self.sched.block(Wait(t, describe, cancel=lambda: self._remove(waiter)), deadline_ns)

    def _remove(self, waiter: Waiter) -> None:
        queue = self.queues.get(waiter.key)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self.queues[waiter.key]

    def wake(self, key: Hashable, count: int, bitset: int = BITSET_MATCH_ANY, result: int = 0) -> int:
        """Wake up to ``count`` waiters whose bitset intersects ``bitset``."""
        queue = self.queues.get(key)
        woken = 0
        if not queue:
            return 0
        for waiter in list(queue):
            if woken >= count:
                break
            if waiter.bitset & bitset and not waiter.pi:
                queue.remove(waiter)
                self.sched.wake(waiter.thread, result)
                woken += 1
        if not queue:
            self.queues.pop(key, None)
        return woken

    def requeue(self, key: Hashable, key2: Hashable, wake: int, move: int) -> int:
        """Wake up to ``wake`` waiters on key, move up to ``move`` more onto key2."""
        woken = self.wake(key, wake)
        queue = self.queues.get(key)
        moved = 0
        while queue and moved < move:
            waiter = queue.popleft()
            waiter.key = key2
            self.queues.setdefault(key2, deque()).append(waiter)
            moved += 1
        if queue is not None and not queue:
            self.queues.pop(key, None)
        return woken + moved

    def first_pi_waiter(self, key: Hashable) -> tuple[Waiter | None, int]:
        """The next PI waiter on ``key`` and how many waiters remain after it."""
        queue = self.queues.get(key)
        if not queue:
            return None, 0
        pi = [w for w in queue if w.pi]
        return (pi[0], len(pi) - 1) if pi else (None, 0)

    def hand_over(self, waiter: Waiter) -> None:
        self._remove(waiter)
        self.sched.wake(waiter.thread, 0)

    def waiters(self, key: Hashable) -> int:
        return len(self.queues.get(key, ()))
