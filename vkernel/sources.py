"""Every source of nondeterminism the guest can observe, behind one interface (invariant 4).

Clocks, random bytes and host I/O readiness enter the kernel only through a
:class:`Sources` object; record/replay substitutes its own implementation.
"""
from __future__ import annotations

import os
import selectors
import threading
import time

from vkernel import abi

_HOST_CLOCKS = {
    abi.CLOCK_REALTIME: time.CLOCK_REALTIME, abi.CLOCK_MONOTONIC: time.CLOCK_MONOTONIC,
    abi.CLOCK_PROCESS_CPUTIME_ID: time.CLOCK_PROCESS_CPUTIME_ID,
    abi.CLOCK_THREAD_CPUTIME_ID: time.CLOCK_THREAD_CPUTIME_ID,
    abi.CLOCK_MONOTONIC_RAW: time.CLOCK_MONOTONIC_RAW, abi.CLOCK_REALTIME_COARSE: time.CLOCK_REALTIME,
    abi.CLOCK_MONOTONIC_COARSE: time.CLOCK_MONOTONIC, abi.CLOCK_BOOTTIME: time.CLOCK_BOOTTIME,
    abi.CLOCK_REALTIME_ALARM: time.CLOCK_REALTIME, abi.CLOCK_BOOTTIME_ALARM: time.CLOCK_BOOTTIME,
    abi.CLOCK_TAI: time.CLOCK_TAI,
}


class Sources:
    """The live host: real clocks and the host's random generator."""

    def clock_ns(self, clock_id: int) -> int:
        """Nanoseconds on a guest clock; KeyError for an unknown clock id."""
        return time.clock_gettime_ns(_HOST_CLOCKS[clock_id])

    def clock_res_ns(self, clock_id: int) -> int:
        _HOST_CLOCKS[clock_id]
        return 1 if clock_id not in (abi.CLOCK_REALTIME_COARSE, abi.CLOCK_MONOTONIC_COARSE) else 4_000_000

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)

    def __init__(self) -> None:
        # Set from another host thread to cut an idle sleep short (a host signal came);
        # the byte written to the wake pipe cuts a host-fd wait short the same way.
        self.wakeup = threading.Event()
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.wakeup.wait(seconds)

    def wait_host(self, interest: dict[int, int], timeout: float | None) -> set[int]:
        """Host readiness (invariant 4): which of the host fds in ``interest`` (fd ->
        POLL* events wanted) are ready, waiting up to ``timeout`` seconds (None:
        until one is, or a host signal arrives).  A hang-up or error counts as ready."""
        if self.wakeup.is_set():
            timeout = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self._wake_r, selectors.EVENT_READ)
            for fd, events in interest.items():
                mask = (selectors.EVENT_READ if events & ~(abi.POLLOUT | abi.POLLWRNORM | abi.POLLWRBAND) else 0) | (
                    selectors.EVENT_WRITE if events & (abi.POLLOUT | abi.POLLWRNORM | abi.POLLWRBAND) else 0)
                try:
                    selector.register(fd, mask or selectors.EVENT_READ)
                except (OSError, ValueError):
                    continue                 # closed under us: its watcher looks again and sees it
            ready = {key.fd for key, _ in selector.select(timeout)}
        if self._wake_r in ready:
            ready.discard(self._wake_r)
            try:
                while os.read(self._wake_r, 64):
                    pass
            except BlockingIOError:
                pass
        return ready

    def signal_arrived(self) -> None:
        self.wakeup.set()
        try:
            os.write(self._wake_w, b"\0")
        except BlockingIOError:
            pass                             # already awake
