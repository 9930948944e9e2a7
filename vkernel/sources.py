"""Every source of nondeterminism the guest can observe, behind one interface (invariant 4).

Clocks, random bytes, host I/O (data, results and readiness of host fds), signals
from outside and the scheduling quantum enter the kernel only through a
:class:`Sources` object.  This class is the live host; tools/record.py subclasses it
to record each answer in order (RecordingSources) or to give the recorded answers
back without touching the host (ReplaySources).

The host I/O methods are the contract for every host-backed kernel object (host
files, stdio, the terminal, and sockets as they come): an object never calls the host
itself, it hands the call to ``host_call``/``host_readinto``/``host_write``/
``host_poll`` with a short ``kind`` and a ``key`` naming what it acts on.  Live, the
function just runs; under replay it never runs, so whatever a host fd number stands
for must only ever reach the host through these methods.
"""
from __future__ import annotations

import os
import select
import threading
import time
from collections import deque
from typing import Any, Callable, Sequence, TypeVar

from vkernel import abi

T = TypeVar("T")

_HOST_CLOCKS = {
    abi.CLOCK_REALTIME: time.CLOCK_REALTIME, abi.CLOCK_MONOTONIC: time.CLOCK_MONOTONIC,
    abi.CLOCK_PROCESS_CPUTIME_ID: time.CLOCK_PROCESS_CPUTIME_ID,
    abi.CLOCK_THREAD_CPUTIME_ID: time.CLOCK_THREAD_CPUTIME_ID,
    abi.CLOCK_MONOTONIC_RAW: time.CLOCK_MONOTONIC_RAW, abi.CLOCK_REALTIME_COARSE: time.CLOCK_REALTIME,
    abi.CLOCK_MONOTONIC_COARSE: time.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME: time.CLOCK_BOOTTIME,
    abi.CLOCK_REALTIME_ALARM: time.CLOCK_REALTIME, abi.CLOCK_BOOTTIME_ALARM: time.CLOCK_BOOTTIME,
    abi.CLOCK_TAI: time.CLOCK_TAI,
}

# The POLL* events a host-fd wait can ask for (the host's values are Linux's).
_WAITABLE = (abi.POLLIN | abi.POLLPRI | abi.POLLOUT | abi.POLLRDNORM | abi.POLLRDBAND | abi.POLLWRNORM
             | abi.POLLWRBAND | abi.POLLRDHUP)

# A key names the object a host operation acts on (a host fd, a path below a mount):
# replay checks it, so a guest that acts on something else is caught at once.
Key = int | str


class SourceStop(Exception):
    """The inputs cannot go on as the guest asks (a replay diverged from its
    recording): the run stops, this is not a kernel bug for the guest to see as EIO."""


class Sources:
    """The live host: real clocks, the host's random generator, host fds as they are."""

    # Slices a host signal cut between two instructions, by scheduler-loop point:
    # (tid, rip, register digest).  Only a replay has any (Kernel._run_to_cut).
    cuts: dict[int, tuple[int, int, int]] = {}
    # Whether host timing may end a slice: Unicorn's timeout for an armed CPU-time
    # timer, the CPU-quota watch's interrupt (full speed).  False: the instruction
    # quantum bounds such slices (repeatable: recording and replay, which take only the
    # expiry decisions from the host, see ``expired``).
    timed_slices = True

    def __init__(self) -> None:
        # Set from another host thread to cut an idle sleep short (a host signal came);
        # the byte written to the wake pipe cuts a host-fd wait short the same way.
        self.wakeup = threading.Event()
        self._wake: tuple[int, int] | None = None
        self._signals: deque[int] = deque()     # filled by the host-signal thread
        # Set (by the host-signal thread) when it stops the CPU between instructions.
        self.cut_requested = False

    # -- time and randomness --
    def clock_ns(self, clock_id: int) -> int:
        """Nanoseconds on a guest clock; KeyError for an unknown clock id."""
        return time.clock_gettime_ns(_HOST_CLOCKS[clock_id])

    def clock_res_ns(self, clock_id: int) -> int:
        _HOST_CLOCKS[clock_id]
        return 1 if clock_id not in (abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE) else 4_000_000

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.wakeup.wait(seconds)

    # -- host I/O --
    def host_call(self, kind: str, key: Key, fn: Callable[..., T], *args: Any) -> T:
        """A host operation whose result the guest can observe: ``fn(*args)``'s value,
        or the OSError it raises.  Values are None, bool, int, str, bytes, os.stat_result
        and lists/tuples of those (a recording must be able to store them)."""
        return fn(*args)

    def host_readinto(self, kind: str, fd: int, fn: Callable[..., int], views: Sequence[memoryview],
                      *args: Any) -> int:
        """Data from the host: ``fn(fd, views, *args)`` fills ``views`` (guest memory)
        and returns the byte count, or raises OSError."""
        return fn(fd, views, *args)

    def host_write(self, kind: str, fd: int, fn: Callable[..., int], data: Sequence[bytes | memoryview],
                   *args: Any) -> int:
        """Data leaving for the host: ``fn(fd, data, *args)``'s count, or OSError.  A
        replay does not repeat it (it compares the bytes), except its terminal output."""
        return fn(fd, data, *args)

    def host_poll(self, fd: int, events: int) -> int:
        """The POLL* events of host fd ``fd`` ready now (the host's values are Linux's);
        POLLNVAL when the fd cannot be polled."""
        poller = select.poll()
        try:
            poller.register(fd, events)
            ready = poller.poll(0)
        except (OSError, ValueError):
            return abi.POLLNVAL
        return ready[0][1] if ready else 0

    def wait_host(self, interest: dict[int, int], timeout: float | None) -> set[int]:
        """Host readiness: which of the host fds in ``interest`` (fd -> POLL* events
        wanted) are ready, waiting up to ``timeout`` seconds (None: until one is, or a
        host signal arrives).  A hang-up or error counts as ready."""
        if self.wakeup.is_set():
            timeout = 0
        wake_r = self._wake_pipe()[0]
        # poll(2), not an epoll set: built afresh each call (the fds change from one
        # call to the next), it costs a tenth of epoll_create + epoll_ctl per fd.
        poller = select.poll()
        poller.register(wake_r, select.POLLIN)
        for fd, events in interest.items():
            poller.register(fd, events & _WAITABLE or select.POLLIN)
        ms = None if timeout is None else timeout * 1000
        while True:
            results = poller.poll(ms)
            # An fd closed under us (POLLNVAL) is left out: its watcher looks again
            # and sees it; waiting goes on for the others.
            closed = [fd for fd, revents in results if revents & select.POLLNVAL]
            ready = {fd for fd, revents in results if not revents & select.POLLNVAL}
            if ready or not closed:
                break
            for fd in closed:
                poller.unregister(fd)
        if wake_r in ready:
            ready.discard(wake_r)
            try:
                while os.read(wake_r, 64):
                    pass
            except BlockingIOError:
                pass
        return ready

    # -- signals from outside --
    def post_signal(self, sig: int, interrupt: Callable[[], None]) -> None:
        """Called from the host-signal thread: ``sig`` came from a terminal or
        supervisor.  ``interrupt`` stops the guest between two instructions: live, at
        once, so even a loop without syscalls sees the signal."""
        self._signals.append(sig)
        self.wakeup.set()
        try:
            os.write(self._wake_pipe()[1], b"\0")
        except BlockingIOError:
            pass                             # already awake
        interrupt()

    def cut(self, point: int, t: Any) -> None:
        """The slice at scheduler-loop ``point`` stopped between two instructions
        because ``post_signal`` interrupted it (cut_requested)."""
        self.cut_requested = False

    def interrupt_slice(self, interrupt: Callable[[], None]) -> None:
        """Called from a host thread (the CPU-quota watch) to stop the running slice
        between two instructions with ``interrupt``: live, at once."""
        interrupt()

    def expired(self, point: int, what: str, due: list[int]) -> list[int]:
        """Deadlines on guest CPU time (measured on the host) that passed by the end of
        the slice at loop ``point``: ``what`` names the clock ("itimer": ``due`` holds
        ITIMER_* numbers; "cpu_quota", "cpu_quota_near": [1]).  Returns the ones to act
        on: live, all."""
        return due

    def at_cut(self, point: int, t: Any) -> bool:
        """Replay: ``t`` stands at the address of the cut recorded at ``point``; True
        when its registers are the recorded ones."""
        return False

    def host_signal(self, point: int) -> int:
        """The next signal from outside to deliver now, at the scheduler loop's
        ``point`` (its count of slices run), or 0."""
        if not self._signals:
            return 0
        self.wakeup.clear()
        return self._signals.popleft()

    def _wake_pipe(self) -> tuple[int, int]:
        if self._wake is None:
            self._wake = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        return self._wake
