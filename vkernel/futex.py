"""The futex table: wait queues keyed by the memory a futex word lives in.

Keys follow Linux: a private futex, or any futex in private memory, is keyed by
(address space, address); a futex in shared memory by (backing buffer, offset), so two
processes mapping the same buffer meet on the same queue.  Queues are FIFO, so wake
order is deterministic.
"""
from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Hashable

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import TASK_SIZE
from vkernel.sched import Scheduler, Wait

if TYPE_CHECKING:
    from vkernel.memory import AddressSpace
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
        # Linux's pi_state: who owns a PI futex that has waiters, and where its word is.
        # The owner's exit hands the futex on even if user space already rewrote the word.
        # Invariant: an entry exists exactly while its key has a PI waiter.
        self.pi_owners: dict[Hashable, tuple[int, int]] = {}

    def key(self, t: Thread, uaddr: int, private: bool) -> Hashable:
        """EINVAL for a misaligned word.  As in Linux's get_futex_key, a private key is
        the address alone (no memory access: FUTEX_WAKE_PRIVATE on an unmapped word
        finds no waiter and returns 0); a shared one needs the word mapped readable
        (EFAULT otherwise) and is private too when the mapping is."""
        if uaddr % 4:
            raise SyscallError(abi.EINVAL)
        if not 0 <= uaddr <= TASK_SIZE - 4:
            raise SyscallError(abi.EFAULT)
        mm = t.process.mm
        if private:
            return ("mm", id(mm), uaddr)
        vma = mm.find(uaddr)
        if vma is None or not vma.prot & abi.PROT_READ:
            raise SyscallError(abi.EFAULT)
        if not vma.shared:
            return ("mm", id(mm), uaddr)
        return ("buf", id(vma.buffer), vma.offset + uaddr - vma.start)

    def enqueue(self, t: Thread, key: Hashable, bitset: int, describe: str, deadline_ns: int | None,
                pi_owner: int = 0, uaddr: int = 0) -> None:
        """Park ``t`` on ``key``; a nonzero ``pi_owner`` makes it a FUTEX_LOCK_PI waiter
        on the word at ``uaddr`` that thread owns."""
        pi = bool(pi_owner)
        if pi and self.first_pi_waiter(key)[0] is None:
            self.pi_owners[key] = (pi_owner, uaddr)
        waiter = Waiter(t, key, bitset, pi)
        self.queues.setdefault(key, deque()).append(waiter)
        self.sched.block(Wait(t, describe, cancel=lambda: self._remove(waiter)), deadline_ns)

    def _remove(self, waiter: Waiter) -> None:
        queue = self.queues.get(waiter.key)
        if queue is not None and waiter in queue:
            queue.remove(waiter)
            if not queue:
                del self.queues[waiter.key]
        if waiter.pi and self.first_pi_waiter(waiter.key)[0] is None:
            self.pi_owners.pop(waiter.key, None)

    def wake(self, key: Hashable, count: int, bitset: int = BITSET_MATCH_ANY, result: int = 0) -> int:
        """Wake up to ``count`` waiters whose bitset intersects ``bitset``; as in Linux a
        count below 1 still wakes one.  EINVAL on a futex with FUTEX_LOCK_PI waiters."""
        queue = self.queues.get(key)
        woken = 0
        if not queue:
            return 0
        for waiter in list(queue):
            if waiter.pi:
                raise SyscallError(abi.EINVAL)
            if waiter.bitset & bitset:
                queue.remove(waiter)
                self.sched.wake(waiter.thread, result)
                woken += 1
                if woken >= count:
                    break
        if not queue:
            self.queues.pop(key, None)
        return woken

    def requeue(self, key: Hashable, key2: Hashable, wake: int, move: int) -> int:
        """Wake up to ``wake`` waiters on key, move up to ``move`` more onto key2;
        EINVAL if FUTEX_LOCK_PI waiters wait on key."""
        queue = self.queues.get(key)
        if queue and any(w.pi for w in queue):
            raise SyscallError(abi.EINVAL)
        woken = self.wake(key, wake) if wake > 0 else 0
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

    def hand_over_pi(self, key: Hashable, mm: AddressSpace, uaddr: int, flags: int = 0) -> bool:
        """Give a PI futex straight to its first waiter, as the kernel's rt_mutex handoff
        does: the word becomes the waiter's tid, FUTEX_WAITERS while others still wait,
        plus ``flags`` (FUTEX_OWNER_DIED).  False when no PI waiter waits on it."""
        waiter, remaining = self.first_pi_waiter(key)
        if waiter is None:
            return False
        mm.write(uaddr, struct.pack("<I", waiter.thread.tid | (FUTEX_WAITERS if remaining else 0) | flags))
        self.pi_owners[key] = (waiter.thread.tid, uaddr)
        self._remove(waiter)
        self.sched.wake(waiter.thread, 0)
        return True

    def pi_owned_by(self, t: Thread) -> list[tuple[Hashable, int]]:
        """(key, word address) of the PI futexes with waiters that ``t`` owns."""
        return [(key, uaddr) for key, (tid, uaddr) in self.pi_owners.items() if tid == t.tid]

    def waiters(self, key: Hashable) -> int:
        return len(self.queues.get(key, ()))
