"""Pipes: a ring of page-sized buffers inside the kernel, read and written through two
file descriptions.

The ring follows Linux's fs/pipe.c closely, because its page granularity is visible to
a guest: a pipe holds ``max_slots`` pages (16 by default: 64 KiB); a write first merges
its sub-page tail (``len % PAGE_SIZE`` bytes) into the last page when that fits, then
fills whole fresh pages.  So 65536 one-byte writes fill a pipe, but 1000-byte writes
stop at 64000 bytes, exactly as on Linux.  A write of at most PIPE_BUF bytes lands in
one page (merged or fresh) and is therefore atomic.  In packet mode (O_DIRECT on the
write end) every page is one packet: never merged into, and a read takes one packet
and discards what does not fit.

Blocking (DESIGN.md, "Processes, threads, scheduling"): a read on an empty pipe that
still has writers parks the thread on ``read_waiters``, and every change that could let
it proceed (data in, last writer gone) wakes it to re-run its read from scratch.  A
blocking write that does not fit cannot simply be re-run, since part of it may already
be in the pipe, so it completes inside the kernel instead: the rest of its bytes are
copied out of guest memory into a :class:`_PendingWrite`, and whenever pages free up
(a read, a larger F_SETPIPE_SZ) the pipe moves pending bytes in, first writer first,
and wakes each writer with its byte count once all of it is in.  Invariants:

- a pending write exists only while its thread is parked on it (its Wait's cancel
  removes it, so a thread that exits or is interrupted leaves nothing behind);
- pending writes exist only while the ring is full, so a new write never overtakes
  them into a free page.

A write to a pipe without readers fails with EPIPE; the write handlers add the SIGPIPE
(fd._raises_sigpipe).  A blocked write that already moved bytes when the last reader
goes returns that count, and its SIGPIPE is not sent yet (signals issue).  Likewise a
signal that interrupts a blocked write must complete it with ``_PendingWrite.count``
when that is not zero: Linux returns the bytes already written rather than EINTR.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vkernel import abi
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.sched import Scheduler, Wait
from vkernel.vfs.file import FileDescription, copy_out
from vkernel.vfs.inode import Filesystem, Inode, InodeNumbers, Stat, encode_dev
from vkernel.waitq import WaitQueue, WouldBlock

if TYPE_CHECKING:
    from vkernel.task import Thread

PAGE = abi.PAGE_SIZE
assert abi.PIPE_BUF <= PAGE, "PIPE_BUF atomicity rests on a small write fitting one page"
DEFAULT_SLOTS = 16                  # PIPE_DEF_BUFFERS: 64 KiB
MAX_UNPRIVILEGED_SIZE = 1 << 20     # /proc/sys/fs/pipe-max-size
# Pipes live on no mounted filesystem; their st_dev is an anonymous device of their own
# (Linux's pipefs is 0:12 or nearby), below the minors the namespace hands out.
PIPEFS_DEV = encode_dev(0, 12)
PIPEFS_MAGIC = 0x50495045


@dataclass(eq=False)
class _Page:
    """One ring slot.  ``data`` grows as writes merge into it; ``start`` is how much of
    it readers consumed (Linux's buf->offset), so ``len(data)`` is where a merge goes."""
    data: bytearray
    packet: bool
    start: int = 0


@dataclass(eq=False)
class _PendingWrite:
    wait: Wait
    data: bytes              # the bytes that did not fit when the write blocked
    packet: bool
    before: int              # bytes of this write that went in before it blocked
    pos: int = 0             # bytes of ``data`` moved into the ring since

    @property
    def count(self) -> int:
        return self.before + self.pos


class Pipe:
    """The object both ends share.  ``readers``/``writers`` count open descriptions
    (not fds: dup and fork share a description), each end's ``close`` drops one."""

    def __init__(self, sched: Scheduler, ino: int, uid: int, gid: int) -> None:
        self.sched = sched
        self.ino = ino
        self.uid = uid
        self.gid = gid
        self.created_ns = sched.sources.clock_ns(abi.CLOCK_REALTIME)
        self.name = b"pipe:[%d]" % ino
        self.pages: deque[_Page] = deque()
        self.max_slots = DEFAULT_SLOTS
        self.nbytes = 0                    # unread bytes in ``pages`` (FIONREAD)
        self.readers = 0                   # open read descriptions
        self.writers = 0                   # open write descriptions
        self.read_waiters = WaitQueue(sched, f"pipe:[{ino}] to have data")
        self.pending: deque[_PendingWrite] = deque()
        # Told of every change poll(2) can see: data in or out, an end closing, a resize.
        self.changed = WaitQueue(sched, f"pipe:[{ino}] to change")

    def open_ends(self, flags: int) -> tuple[PipeReadEnd, PipeWriteEnd]:
        """The two descriptions of a new pipe: O_NONBLOCK on both, O_DIRECT on the write
        end only (as Linux's create_pipe_files)."""
        self.readers += 1
        self.writers += 1
        return (PipeReadEnd(self, abi.O_RDONLY | flags & abi.O_NONBLOCK),
                PipeWriteEnd(self, abi.O_WRONLY | flags & (abi.O_NONBLOCK | abi.O_DIRECT)))

    @property
    def capacity(self) -> int:
        return self.max_slots * PAGE

    # -- reading --
    def read(self, views: list[memoryview], nonblock: bool) -> int:
        if not self.pages:
            if not self.writers:
                return 0
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.read_waiters.park)
        was_full = len(self.pages) >= self.max_slots
        want = min(sum(len(v) for v in views), self.nbytes)
        single = len(views) == 1
        out = views[0] if single else memoryview(bytearray(want))
        got = 0
        while got < want:
            page = self.pages[0]
            n = min(len(page.data) - page.start, want - got)
            out[got:got + n] = page.data[page.start:page.start + n]
            got += n
            # A packet is consumed whole: what did not fit is discarded.
            consumed = len(page.data) - page.start if page.packet else n
            self.nbytes -= consumed
            page.start += consumed
            if page.start == len(page.data):
                self.pages.popleft()
            if page.packet:
                break
        if not single:
            copy_out(out[:got], views, 0)
        self._pump()
        if was_full:
            # As pipe_read: writers (and EPOLLOUT watchers) hear only of a full pipe draining.
            self.changed.wake_all(abi.POLLOUT | abi.POLLWRNORM)
        return got

    # -- writing --
    def write(self, data: list[memoryview] | list[bytes], nonblock: bool, packet: bool) -> int:
        if not self.readers:
            raise SyscallError(abi.EPIPE)
        src = memoryview(data[0] if len(data) == 1 else b"".join(data))
        total = len(src)
        done = 0
        tail = total % PAGE
        if tail and self.pages and not packet:
            last = self.pages[-1]
            if not last.packet and len(last.data) + tail <= PAGE:
                last.data += src[:tail]
                self.nbytes += tail
                done = tail
        done = self._fill(src, done, packet)
        if done:
            self.read_waiters.wake_all()
            self.changed.wake_all(abi.POLLIN | abi.POLLRDNORM)
        if done == total or nonblock and done:
            return done
        if nonblock:
            raise SyscallError(abi.EAGAIN)
        raise WouldBlock(lambda t: self._park_writer(t, bytes(src[done:]), packet, done), done)

    def _fill(self, src: memoryview, pos: int, packet: bool) -> int:
        """Copy ``src[pos:]`` into fresh pages while slots are free; returns the new pos."""
        end = len(src)
        while pos < end and len(self.pages) < self.max_slots:
            chunk = bytearray(src[pos:pos + PAGE])
            self.pages.append(_Page(chunk, packet))
            self.nbytes += len(chunk)
            pos += len(chunk)
        return pos

    def _park_writer(self, t: Thread, data: bytes, packet: bool, before: int) -> Block:
        wait = Wait(t, f"pipe:[{self.ino}] to have room")
        pending = _PendingWrite(wait, data, packet, before)
        wait.cancel = lambda: self._drop(pending)
        wait.partial_result = lambda: pending.count
        self.pending.append(pending)
        self.sched.block(wait)
        return Block()

    def _drop(self, pending: _PendingWrite) -> None:
        if pending in self.pending:
            self.pending.remove(pending)

    def _pump(self) -> None:
        """Move pending writes into free pages, completing them in order."""
        moved = False
        while self.pending and len(self.pages) < self.max_slots:
            pending = self.pending[0]
            pending.pos = self._fill(memoryview(pending.data), pending.pos, pending.packet)
            moved = True
            if pending.pos == len(pending.data):
                self.pending.popleft()
                self._wake(pending.wait, pending.count)
        if moved:
            self.read_waiters.wake_all()
            self.changed.wake_all(abi.POLLIN | abi.POLLRDNORM)

    def _wake(self, wait: Wait, result: int | None) -> None:
        if wait.thread.wait is wait:
            self.sched.wake(wait.thread, result)

    # -- ends going away --
    def close_reader(self) -> None:
        self.readers -= 1
        if self.readers:
            return
        self.changed.wake_all()
        # Blocked writers: what they wrote so far, or (nothing written) a rerun that
        # meets the missing readers and fails with EPIPE, as Linux's pipe_write loop.
        while self.pending:
            pending = self.pending.popleft()
            self._wake(pending.wait, pending.count or None)

    def close_writer(self) -> None:
        self.writers -= 1
        if not self.writers:
            self.read_waiters.wake_all()       # they see end of file once it is drained
            self.changed.wake_all()

    # -- F_SETPIPE_SZ --
    def resize(self, size: int, privileged: bool) -> int:
        """Linux's pipe_set_size: round up to a power of two pages; growing past
        pipe-max-size needs CAP_SYS_RESOURCE; EBUSY below the pages in use."""
        size &= 0xFFFFFFFF
        if size > 1 << 31:
            raise SyscallError(abi.EINVAL)
        size = PAGE if size < PAGE else 1 << (size - 1).bit_length()
        slots = size // PAGE
        if slots > self.max_slots and size > MAX_UNPRIVILEGED_SIZE and not privileged:
            raise SyscallError(abi.EPERM)
        if slots < len(self.pages):
            raise SyscallError(abi.EBUSY)
        self.max_slots = slots
        self._pump()
        self.changed.wake_all()
        return self.capacity

    def stat(self) -> Stat:
        return Stat(PIPEFS_DEV, self.ino, abi.S_IFIFO | 0o600, 1, self.uid, self.gid, 0, blksize=PAGE,
                    atime_ns=self.created_ns, mtime_ns=self.created_ns, ctime_ns=self.created_ns)


class PipeEnd(FileDescription):
    """Either end: not seekable (pread, pwrite, lseek: ESPIPE), no size, no fsync."""

    seekable = False
    pollable = True

    def __init__(self, pipe: Pipe, flags: int) -> None:
        super().__init__(None, flags, pipe.name)
        self.pipe = pipe

    def stat(self) -> Stat:
        return self.pipe.stat()

    def poll_queue(self) -> WaitQueue:
        return self.pipe.changed

    def size(self) -> int:
        return 0

    def readable_bytes(self) -> int:
        return self.pipe.nbytes

    def sync(self) -> None:
        raise SyscallError(abi.EINVAL)


class PipeReadEnd(PipeEnd):
    def read(self, views: list[memoryview]) -> int:
        return self.pipe.read(views, self.nonblocking)

    def poll(self) -> int:
        """Linux's pipe_poll for a reader: data, and hang-up once no writer is left."""
        pipe = self.pipe
        return (abi.POLLIN | abi.POLLRDNORM if pipe.nbytes else 0) | (0 if pipe.writers else abi.POLLHUP)

    def close(self) -> None:
        self.pipe.close_reader()


class PipeWriteEnd(PipeEnd):
    def write(self, data: list[memoryview] | list[bytes]) -> int:
        return self.pipe.write(data, self.nonblocking, bool(self.flags & abi.O_DIRECT))

    def poll(self) -> int:
        """Linux's pipe_poll for a writer: a free page, and an error once no reader is left."""
        pipe = self.pipe
        return ((abi.POLLOUT | abi.POLLWRNORM if len(pipe.pages) < pipe.max_slots else 0)
                | (0 if pipe.readers else abi.POLLERR))

    def close(self) -> None:
        self.pipe.close_writer()


class PipeReadWriteEnd(PipeReadEnd, PipeWriteEnd):
    """A pipe reopened O_RDWR through /proc: one description that is a reader and a writer."""

    def poll(self) -> int:
        return PipeReadEnd.poll(self) | PipeWriteEnd.poll(self)

    def close(self) -> None:
        self.pipe.close_reader()
        self.pipe.close_writer()


class PipeFS(Filesystem):
    name = "pipefs"
    magic = PIPEFS_MAGIC


class PipeInode(Inode):
    """A pipe as /proc/PID/fd/N names it (bash's ``<(...)`` opens /dev/fd/63): opening
    it adds a reader, a writer or both, as Linux's fifo_open on a pipe.  Linux's wait
    for the other end is left out: the pipe is reached through an fd holding one end."""

    def __init__(self, pipe: Pipe, numbers: InodeNumbers) -> None:
        self.pipe = pipe
        self.fs = PipeFS(numbers, PIPEFS_DEV)
        self.ino = pipe.ino

    def stat(self) -> Stat:
        return self.pipe.stat()

    def open(self, flags: int) -> FileDescription:
        keep = flags & (abi.O_ACCMODE | abi.O_NONBLOCK | abi.O_LARGEFILE)
        access = flags & abi.O_ACCMODE
        if access == abi.O_RDONLY:
            self.pipe.readers += 1
            return PipeReadEnd(self.pipe, keep)
        if access == abi.O_WRONLY:
            self.pipe.writers += 1
            return PipeWriteEnd(self.pipe, keep)
        if access == abi.O_RDWR:
            self.pipe.readers += 1
            self.pipe.writers += 1
            return PipeReadWriteEnd(self.pipe, keep)
        raise SyscallError(abi.EINVAL)
