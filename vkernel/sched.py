"""The scheduler: a deterministic run queue of threads and one timer queue.

- A thread runs until it blocks, exits, yields or uses up its quantum.  Quanta are
  counted in instructions, and only while another thread is runnable or may be woken
  by a timer or a host fd (counting slows Unicorn down a lot; a lone runnable thread
  with nothing to wait for runs uncounted).
- The run queue is FIFO and every decision depends only on guest actions and timer
  expiry, so the same program with the same inputs interleaves the same way.
- A blocked thread holds a :class:`Wait`; whoever wakes it (a futex wake, a timer)
  calls :meth:`Scheduler.wake` with the syscall's result.  Timers live in one heap on
  the monotonic clock.
- Readiness of host fds (a terminal, a host pipe on stdin) is watched through
  :class:`HostWatch` registrations: looked at with a zero timeout between slices while
  any exists, and, when nothing can run, the kernel waits on those fds and the nearest
  timer together (Sources.wait_host, one poll(2) wait: no spinning).
"""
from __future__ import annotations

import enum
import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from vkernel import abi

if TYPE_CHECKING:
    from vkernel.sources import Sources
    from vkernel.task import Thread

QUANTUM_INSTRUCTIONS = 200_000
# Slices in a row a thread may go on first while others are runnable (see Scheduler.add).
FRONT_STREAK = 64
# A thread that woke another yields at its second syscall after the wake unless it
# blocked first (Dispatcher.on_syscall): wake-up preemption, a little late.
YIELD_AFTER_WAKE = 2


class State(enum.Enum):
    RUNNABLE = "runnable"
    BLOCKED = "blocked"
    EXITED = "exited"


@dataclass(eq=False)
class Timer:
    deadline_ns: int
    callback: Callable[[], None]
    cancelled: bool = False


@dataclass(eq=False)
class HostWatch:
    """Interest in a host fd's readiness: ``notify(0)`` runs each time the host reports
    one of ``events`` (POLL* bits) ready, until the watch is cancelled."""
    fd: int
    events: int
    notify: Callable[[int], object]
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


@dataclass(eq=False)
class RestartBlock:
    """Linux's ERESTART_RESTARTBLOCK: a wait a signal cuts short continues, when no
    handler runs, through restart_syscall(2) with ``resume`` (a sleep with the time that
    remains, not its full length); when a handler runs the syscall fails with EINTR
    after ``on_eintr`` (nanosleep writes the remaining time to ``rem``)."""
    resume: Callable[[Thread], object]
    on_eintr: Callable[[], None] = lambda: None


@dataclass(eq=False)
class Wait:
    """What a blocked thread waits for; ``describe`` is shown in deadlock reports."""
    thread: Thread
    describe: str
    # Undo the registration (e.g. leave the futex queue) when woken by something else.
    cancel: Callable[[], None] = lambda: None
    timer: Timer | None = None
    syscall: str = ""
    nr: int = -1                      # the blocked syscall, to restart it
    # How a signal ends the wait: "sys" restarts unless a handler without SA_RESTART
    # runs (ERESTARTSYS), "nohand" restarts only if no handler runs, "never" gives EINTR.
    restart: str = "sys"
    # With "nohand": restart through restart_syscall(2) with this instead of re-issuing
    # the syscall with its original arguments.
    restart_block: RestartBlock | None = None
    # A wait that already did part of its work (a pipe write that moved some bytes)
    # ends with this result when a signal cuts it short, instead of restart or EINTR.
    partial_result: Callable[[], int | None] = lambda: None
    args: tuple[int, ...] = field(default_factory=tuple)


class Scheduler:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.runq: deque[Thread] = deque()
        self._timers: list[tuple[int, int, Timer]] = []
        self._seq = itertools.count()
        self.blocked: dict[int, Wait] = {}       # tid -> wait, for deadlock reports
        self.wakes = 0                           # blocked threads made runnable so far
        self._host_watches: list[HostWatch] = []

    # -- run queue --
    def add(self, t: Thread, front: bool = False) -> None:
        t.state = State.RUNNABLE
        # Going on first restarts the quantum, so a thread whose every slice ends early
        # (a signal to itself after each syscall) would never let the others run: after
        # FRONT_STREAK slices in a row while others wait, it queues behind them.
        if front and self.runq:
            t.front_streak += 1
            front = t.front_streak <= FRONT_STREAK
        if not front:
            t.front_streak = 0
        if front:
            self.runq.appendleft(t)
        else:
            self.runq.append(t)

    def next_thread(self) -> Thread | None:
        while self.runq:
            t = self.runq.popleft()
            if t.state is State.RUNNABLE:
                return t
        return None

    def others_runnable(self) -> bool:
        return any(t.state is State.RUNNABLE for t in self.runq)

    # -- blocking --
    def block(self, wait: Wait, deadline_ns: int | None = None, timeout_result: int = -abi.ETIMEDOUT) -> None:
        """Park ``wait.thread``; with a deadline it wakes with ``timeout_result`` then."""
        t = wait.thread
        t.state = State.BLOCKED
        t.wait = wait
        self.blocked[t.tid] = wait
        if deadline_ns is not None:
            wait.timer = self.add_timer(deadline_ns, lambda: self._expire(wait, timeout_result))

    def _expire(self, wait: Wait, result: int) -> None:
        if wait.thread.wait is wait:
            wait.cancel()
            self.wake(wait.thread, result)

    def wake(self, t: Thread, result: int | None) -> None:
        """Make a blocked thread runnable; its syscall returns ``result``, or, with None,
        runs again from the start (the object it waited on changed: retry the read)."""
        wait = t.wait
        if wait is None or t.state is not State.BLOCKED:
            return
        if wait.timer is not None:
            wait.timer.cancelled = True
        t.wait = None
        self.blocked.pop(t.tid, None)
        self.wakes += 1
        if result is None:
            t.restart_nr = wait.nr
            t.resumed_policy = wait.restart
            t.restart_block = wait.restart_block
        else:
            t.pending_result = result
            t.resumed = wait
        self.add(t)

    def resume(self, t: Thread) -> None:
        """Make a thread a job-control stop parked runnable again, leaving the result
        or restart of the syscall it was in exactly as it was."""
        if t.wait is None or t.state is not State.BLOCKED:
            return
        t.wait = None
        self.blocked.pop(t.tid, None)
        self.add(t)

    def forget(self, t: Thread) -> None:
        """A thread is gone (exited or killed): drop whatever it waited on."""
        wait = t.wait
        if wait is not None:
            wait.cancel()
            if wait.timer is not None:
                wait.timer.cancelled = True
        t.wait = None
        self.blocked.pop(t.tid, None)
        t.state = State.EXITED

    # -- timers --
    def now(self) -> int:
        return self.sources.clock_ns(abi.CLOCK_MONOTONIC)

    def add_timer(self, deadline_ns: int, callback: Callable[[], None]) -> Timer:
        timer = Timer(deadline_ns, callback)
        heapq.heappush(self._timers, (deadline_ns, next(self._seq), timer))
        return timer

    def has_wakeups(self) -> bool:
        """Whether a timer or a watched host fd may wake a blocked thread."""
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        return bool(self._timers) or any(not w.cancelled for w in self._host_watches)

    def fire_due(self) -> None:
        """Run the timers that are due, and tell host watches whose fds are ready."""
        if self._host_watches:
            self._poll_host(0)
        now = self.now()
        while self._timers and (self._timers[0][2].cancelled or self._timers[0][0] <= now):
            _, _, timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.callback()

    # -- host readiness --
    def watch_host(self, fd: int, events: int, notify: Callable[[int], object]) -> HostWatch:
        watch = HostWatch(fd, events, notify)
        self._host_watches.append(watch)
        return watch

    def _poll_host(self, timeout: float | None) -> None:
        self._host_watches = [w for w in self._host_watches if not w.cancelled]
        interest: dict[int, int] = {}
        for watch in self._host_watches:
            interest[watch.fd] = interest.get(watch.fd, 0) | watch.events
        ready = self.sources.wait_host(interest, timeout)
        if not ready:
            return
        for watch in list(self._host_watches):
            if watch.fd in ready and not watch.cancelled:
                watch.notify(0)

    def idle(self) -> bool:
        """Nothing can run: wait for the nearest timer and the watched host fds
        together, then run what became due.  False if there is nothing to wait for
        (every thread waits forever: a deadlock)."""
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)
        self._host_watches = [w for w in self._host_watches if not w.cancelled]
        if not self._timers and not self._host_watches:
            return False
        timeout = max(self._timers[0][0] - self.now(), 0) / 1e9 if self._timers else None
        if self._host_watches:
            self._poll_host(timeout)
        else:
            self.sources.sleep(timeout or 0.0)
        self.fire_due()
        return True
