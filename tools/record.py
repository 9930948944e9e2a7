"""Deterministic record and replay (`vkemu record`, `vkemu replay`, `vkemu stats`).

The kernel is deterministic given its inputs (invariant 4): the scheduler switches
threads at counted quanta, pids and tids come from one counter, and everything else
the guest can observe enters through :class:`vkernel.sources.Sources`.  A recording
is that stream of inputs, in the order the kernel asked for them, plus the program
and its launch (argv, environment, cwd, volumes, policy, quantum).  Replay runs the
same kernel with :class:`ReplaySources`, which answers every question from the
stream and never touches the host: no host file, clock, terminal or random source.

Each syscall also leaves a small event (thread, number, result), and every
``CHECK_EVERY``-th one (and each exit) a checksum of guest state: the thread's
registers and, as often as a small share of the run time allows, a digest of its
process's writable memory.  A replay that goes another way is caught at the first
syscall that differs or, when only the computed state does, at the next checksum;
``vkemu stats`` summarises a recording without running it.

File format (all integers little-endian)::

    magic  b"VKREC\\n"
    record*  kind (1 byte) | payload length (u32) | crc32 of payload (u32) | payload
      H  header, JSON: format, vkemu version, program path and sha256, argv, env,
         cwd, volumes, layers (path, kind, sha256 of a tarball), the policy (TOML)
         and its sha256, the policy's mounts, the digests trust vouches for, the
         quantum and the checksum interval
      P  the program image, zlib
      C  a chunk of events: JSON length (u32), blob flag (u8: 1 = zlib), zlib of a
         JSON list of events, then the chunk's blob.  An event is a list whose first
         item says what it is (see ``_Event``); the bytes of data events (random
         bytes, host reads) are not in the JSON but follow each other in the blob,
         their lengths being the events' last items (random data stays uncompressed)
      E  the end, JSON: wait status, syscall and event counts

A file without its E record is truncated; a record whose bytes or checksum do not
add up is corrupt: both are reported with the byte offset.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from vkernel.sources import Key, SourceStop, Sources

MAGIC = b"VKREC\n"
FORMAT_VERSION = 2
# Format 1 (register crc32s at fixed intervals, no memory, layers or mounts) still
# replays: its digests are events like any other.
READABLE_FORMATS = (1, 2)
CHECK_EVERY = 1024            # a state checksum every this many syscalls
MEMORY_SHARE = 0.02           # the run-time share memory digests may cost while recording
SIGNAL_GRACE = 0.3            # seconds a host signal waits for a syscall before a cut
_CHUNK_EVENTS = 8192          # events per compressed chunk
_CHUNK_BYTES = 1 << 20        # ... or fewer once their payload bytes reach this
_RECORD_HEAD = struct.Struct("<cII")
_CHUNK_HEAD = struct.Struct("<IB")
_DATA_EVENTS = ("R", "r")

EXIT_CORRUPT = 2              # truncated, corrupt or incompatible recording
EXIT_DIVERGED = 125           # the replay did not follow the recording


class _Event:
    """The first item of each event."""
    CLOCK = "c"          # clock_id, ns
    RANDOM = "R"         # length (data in the blob)
    WAIT = "w"           # [ready fds]
    CALL = "h"           # kind, key, value
    ERROR = "e"          # kind, key, errno
    READ = "r"           # kind, fd, length (data in the blob)
    WRITE = "W"          # kind, fd, count, crc32 of the bytes written
    POLL = "p"           # fd, revents
    SIGNAL = "S"         # loop point, signal
    STOP = "T"           # the slice stops after this syscall (a host signal is waiting)
    CUT = "X"            # loop point, tid, rip, register digest: a slice a host signal or the
                         # CPU-quota watch cut between instructions
    SYSCALL = "s"        # tid, nr, result (None: blocked or a control result)
    DIGEST = "g"         # syscall index, tid, register digest (format 1)
    CHECKSUM = "G"       # syscall index, tid, [registers], memory digest or None
    EXPIRED = "V"        # loop point, what (Sources.expired), [which]: host CPU time ran out

    NAMES = {"c": "clock read", "R": "random bytes", "w": "host readiness wait", "h": "host call",
             "e": "host call error", "r": "host read", "W": "host write", "p": "host poll",
             "S": "host signal", "T": "stop for a host signal", "X": "cut between instructions", "s": "syscall",
             "g": "register digest", "G": "state checksum", "V": "CPU time expiry"}


class RecordingError(Exception):
    """A recording that cannot be read (exit 2)."""


class MalformedEvent(SourceStop):
    """An event with a valid checksum but the wrong shape (a crafted file): the
    replay stops as for a corrupt recording."""
    exit_status = 2


# The fewest items each kind of event has.
_EVENT_SIZES = {"c": 3, "R": 2, "w": 2, "h": 4, "e": 4, "r": 4, "W": 5, "p": 3, "S": 3, "T": 1, "s": 4,
                "g": 4, "X": 5, "G": 5, "V": 4}


class Divergence(SourceStop):
    """The replay asked for something other than what the recording holds."""

    def __init__(self, index: int, where: str, expected: str, actual: str) -> None:
        super().__init__(f"replay diverged at event {index} ({where}): recorded {expected}; replay has {actual}")
        self.index = index


class ReplayInterrupted(SourceStop):
    """A signal to the replaying vkemu stopped the replay."""

    def __init__(self, sig: int) -> None:
        import signal
        super().__init__(f"replay interrupted by {signal.Signals(sig).name}")
        self.exit_status = 128 + sig


def vkemu_version() -> str:
    try:
        from importlib.metadata import version
        return version("vkernel")
    except Exception:
        return "0.1.0"


# -- values ------------------------------------------------------------------------------
# host_call results as JSON: bytes and os.stat_result get a one-key object.

_STAT_EXTRA = ("st_rdev", "st_blksize", "st_blocks", "st_atime_ns", "st_mtime_ns", "st_ctime_ns")


def encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, os.stat_result):
        return {"st": list(value[:10]) + [getattr(value, name) for name in _STAT_EXTRA]}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    raise TypeError(f"a host call returned {type(value).__name__}, which a recording cannot hold")


def decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if isinstance(value, dict):
        if "b" in value:
            return base64.b64decode(value["b"])
        fields = value["st"]
        return os.stat_result(tuple(fields[:10]), dict(zip(_STAT_EXTRA, fields[10:])))
    return value


# -- the file ----------------------------------------------------------------------------

class Writer:
    """Appends records to a recording file as the run goes."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.file = open(path, "wb")
        self.file.write(MAGIC)
        self.started = False           # the header is written: chunks may follow
        self.events: list[Sequence[Any]] = []     # appended to directly on the syscall path
        self.blob = bytearray()        # the data of the pending data events
        self.written = 0               # events in chunks already written

    def record(self, kind: bytes, *parts: bytes | bytearray) -> None:
        """One record whose payload is ``parts`` joined (written as they are: a chunk's
        blob is never copied into one payload)."""
        self.started = self.started or kind == b"H"
        crc = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        self.file.write(_RECORD_HEAD.pack(kind, sum(map(len, parts)), crc))
        for part in parts:
            self.file.write(part)

    @property
    def count(self) -> int:
        return self.written + len(self.events)

    def add(self, event: Sequence[Any]) -> None:
        self.events.append(event)
        if len(self.events) >= _CHUNK_EVENTS:
            self.flush()

    def add_data(self, event: list[Any], views: Sequence[bytes | memoryview], n: int) -> None:
        """A data event: the first ``n`` bytes of ``views`` go to the blob."""
        left = n
        for view in views:
            if left <= 0:
                break
            chunk = view[:left]
            self.blob += chunk
            left -= len(chunk)
        event.append(n - left)
        self.add(event)
        if len(self.blob) >= _CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.events or not self.started:
            return
        text = zlib.compress(json.dumps(self.events, separators=(",", ":")).encode(), 1)
        blob: bytes | bytearray = self.blob
        packed = 0
        if blob:
            # Compress the blob unless a sample says it will not shrink (random bytes,
            # compressed files): zlib over incompressible data costs time for nothing.
            sample = bytes(memoryview(blob)[:1 << 16])
            if len(zlib.compress(sample, 1)) < 0.9 * len(sample):
                blob, packed = zlib.compress(blob, 1), 1
        self.record(b"C", _CHUNK_HEAD.pack(len(text), packed), text, blob)
        self.written += len(self.events)
        self.events.clear()
        self.blob.clear()

    def close(self, end: dict[str, Any]) -> None:
        self.flush()
        self.record(b"E", json.dumps(end).encode())
        self.file.close()


@dataclass
class Recording:
    """A recording file, checked whole when it is opened (framing and checksums);
    its event chunks are decompressed as the replay reaches them."""
    path: str
    header: dict[str, Any]
    program: bytes
    end: dict[str, Any]
    chunks: list[tuple[int, bytes]] = field(default_factory=list)   # (file offset, zlib payload)

    @classmethod
    def open(cls, path: str) -> Recording:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise RecordingError(f"{path}: {exc.strerror}") from None
        if not data.startswith(MAGIC):
            if MAGIC.startswith(data):
                raise RecordingError(f"{path}: truncated at byte offset {len(data)} (inside the file's magic)")
            raise RecordingError(f"{path}: not a vkemu recording (bad magic at byte offset 0)")
        offset = len(MAGIC)
        header: dict[str, Any] | None = None
        program: bytes | None = None
        chunks: list[tuple[int, bytes]] = []
        end: dict[str, Any] | None = None
        while offset < len(data):
            if end is not None:
                raise RecordingError(f"{path}: corrupt at byte offset {offset}: data after the end record")
            if len(data) - offset < _RECORD_HEAD.size:
                raise RecordingError(f"{path}: truncated at byte offset {len(data)} (a record header starts at "
                                     f"{offset})")
            kind, size, crc = _RECORD_HEAD.unpack_from(data, offset)
            start = offset + _RECORD_HEAD.size
            if kind not in (b"H", b"P", b"C", b"E") or (header is None) != (kind == b"H"):
                raise RecordingError(f"{path}: corrupt at byte offset {offset}: unexpected record kind {kind!r}")
            if start + size > len(data):
                raise RecordingError(f"{path}: truncated at byte offset {len(data)} (the record at {offset} "
                                     f"needs {size} bytes, {len(data) - start} are there)")
            payload = data[start:start + size]
            if zlib.crc32(payload) != crc:
                raise RecordingError(f"{path}: corrupt at byte offset {offset}: checksum mismatch")
            try:
                if kind == b"H":
                    header = json.loads(payload)
                    _check_version(path, header)
                elif kind == b"P":
                    program = zlib.decompress(payload)
                elif kind == b"C":
                    chunks.append((offset, payload))
                else:
                    end = json.loads(payload)
            except (ValueError, zlib.error) as exc:
                raise RecordingError(f"{path}: corrupt at byte offset {offset}: {exc}") from None
            offset = start + size
        if header is None:
            raise RecordingError(f"{path}: truncated at byte offset {len(data)} (no header)")
        if end is None:
            raise RecordingError(f"{path}: truncated at byte offset {len(data)} (no end record: "
                                 "the recording stopped early)")
        if program is None:
            raise RecordingError(f"{path}: corrupt: no program image")
        return cls(path, header, program, end, chunks)

    def events(self) -> Iterator[list[Any]]:
        """The events in order; a data event's last item is its bytes."""
        for offset, payload in self.chunks:
            try:
                size, packed = _CHUNK_HEAD.unpack_from(payload)
                text = payload[_CHUNK_HEAD.size:_CHUNK_HEAD.size + size]
                batch = json.loads(zlib.decompress(text))
                blob = payload[_CHUNK_HEAD.size + size:]
                if packed:
                    blob = zlib.decompress(blob)
            except (ValueError, zlib.error, struct.error) as exc:
                raise RecordingError(f"{self.path}: corrupt at byte offset {offset}: {exc}") from None
            if not isinstance(batch, list) or not all(isinstance(e, list) and e for e in batch):
                raise RecordingError(f"{self.path}: corrupt at byte offset {offset}: malformed events")
            view, at = memoryview(blob), 0
            for event in batch:
                if event[0] in _DATA_EVENTS:
                    n = event[-1]
                    if not isinstance(n, int) or n < 0 or at + n > len(blob):
                        raise RecordingError(f"{self.path}: corrupt at byte offset {offset}: data beyond the blob")
                    event[-1] = view[at:at + n]
                    at += n
            yield from batch


def _check_version(path: str, header: Any) -> None:
    if not isinstance(header, dict) or "format" not in header:
        raise ValueError("the header is not a vkemu recording header")
    if header["format"] not in READABLE_FORMATS:
        raise RecordingError(f"{path}: recorded by vkemu {header.get('vkemu', '?')} in format {header['format']}; "
                             f"this is vkemu {vkemu_version()}, which reads formats "
                             f"{', '.join(map(str, READABLE_FORMATS))}")


# -- recording ---------------------------------------------------------------------------

class RecordingSources(Sources):
    """The live host, with every answer appended to ``writer`` in order.

    A host signal is taken at the guest's next syscall (on_syscall stops the slice
    there, a point replay finds again by counting); only a guest that makes none for
    SIGNAL_GRACE seconds is cut between two instructions, and that point (address and
    register digest) goes into the end record so replay can stop there too."""

    timed_slices = False

    def __init__(self, writer: Writer) -> None:
        super().__init__()
        self._taken = threading.Event()
        self.cut_points: list[list[int]] = []
        self.writer = writer
        self.events = writer.events
        self.syscalls = 0
        # A run of identical syscalls (thread, number, result) is one event with a count.
        self._last: tuple[int, int, int | None] | None = None
        self._repeats = 0
        self._memory_due = 0.0         # perf_counter time before which no memory digest is taken

    def add(self, event: Sequence[Any]) -> None:
        self._end_run()
        self.writer.add(event)

    def _end_run(self) -> None:
        if not self._repeats:
            return
        assert self._last is not None
        tid, nr, result = self._last
        self.events.append(("s", tid, nr, result) if self._repeats == 1 else ("s", tid, nr, result, self._repeats))
        self._last, self._repeats = None, 0

    def _memory_digest(self, t: Any) -> str | None:
        """The memory digest of ``t``'s process, or None while the last one's cost is
        not yet MEMORY_SHARE of the time since (a big heap is hashed less often)."""
        now = time.perf_counter()
        if now < self._memory_due:
            return None
        digest = memory_digest(t.process.mm)
        done = time.perf_counter()
        self._memory_due = done + (done - now) / MEMORY_SHARE
        return digest

    def close(self, end: dict[str, Any]) -> None:
        self._end_run()
        self.writer.close(dict(end, events=self.writer.count, cuts=self.cut_points))

    def clock_ns(self, clock_id: int) -> int:
        ns = super().clock_ns(clock_id)
        self.add([_Event.CLOCK, clock_id, ns])
        return ns

    def random_bytes(self, n: int) -> bytes:
        data = super().random_bytes(n)
        self._end_run()
        self.writer.add_data([_Event.RANDOM], [data], n)
        return data

    def wait_host(self, interest: dict[int, int], timeout: float | None) -> set[int]:
        ready = super().wait_host(interest, timeout)
        self.add([_Event.WAIT, sorted(ready)])
        return ready

    def host_call(self, kind: str, key: Key, fn: Callable[..., Any], *args: Any) -> Any:
        try:
            value = fn(*args)
        except OSError as exc:
            self.add([_Event.ERROR, kind, key, exc.errno])
            raise
        self.add([_Event.CALL, kind, key, encode_value(value)])
        return value

    def host_readinto(self, kind: str, fd: int, fn: Callable[..., int], views: Sequence[memoryview],
                      *args: Any) -> int:
        try:
            n = fn(fd, views, *args)
        except OSError as exc:
            self.add([_Event.ERROR, kind, fd, exc.errno])
            raise
        self._end_run()
        self.writer.add_data([_Event.READ, kind, fd], views, n)
        return n

    def host_write(self, kind: str, fd: int, fn: Callable[..., int], data: Sequence[bytes | memoryview],
                   *args: Any) -> int:
        try:
            n = fn(fd, data, *args)
        except OSError as exc:
            self.add([_Event.ERROR, kind, fd, exc.errno])
            raise
        self.add([_Event.WRITE, kind, fd, n, zlib.crc32(_gather(data, n))])
        return n

    def host_poll(self, fd: int, events: int) -> int:
        revents = super().host_poll(fd, events)
        self.add([_Event.POLL, fd, revents])
        return revents

    def host_signal(self, point: int) -> int:
        sig = super().host_signal(point)
        if sig:
            self.cut_requested = False
            self._taken.set()
            self.add([_Event.SIGNAL, point, sig])
        return sig

    def post_signal(self, sig: int, interrupt: Callable[[], None]) -> None:
        self._taken.clear()
        super().post_signal(sig, lambda: None)
        if not self._taken.wait(SIGNAL_GRACE):
            self.cut_requested = True
            interrupt()

    def interrupt_slice(self, interrupt: Callable[[], None]) -> None:
        self.cut_requested = True          # the point is kept, as a host signal's
        interrupt()

    def expired(self, point: int, what: str, due: list[int]) -> list[int]:
        if due:
            self.add([_Event.EXPIRED, point, what, due])
        return due

    def cut(self, point: int, t: Any) -> None:
        super().cut(point, t)
        regs = t.process.cpu.get_regs()
        cut = [point, t.tid, regs.rip, register_digest(t)]
        self.cut_points.append(cut)
        self.add([_Event.CUT] + cut)

    def on_syscall(self, t: Any, nr: int, regs: Any, result: Any) -> None:
        """Each syscall (KernelConfig.syscall_hook): its event, a register digest now
        and then, and the stop a waiting host signal needs."""
        self.syscalls = count = self.syscalls + 1
        key = (t.tid, nr, result if result.__class__ is int else None)
        if key == self._last:
            self._repeats += 1
        else:
            if self._repeats:
                self._end_run()
                if len(self.events) >= _CHUNK_EVENTS:
                    self.writer.flush()
            self._last, self._repeats = key, 1
        if count % CHECK_EVERY == 0 or nr in _EXIT_NRS:
            self.add((_Event.CHECKSUM, count, t.tid, register_values(t), self._memory_digest(t)))
        if self._signals and not t.attention:
            # Stop here, where replay can stop too, rather than at a random instruction.
            t.attention = True
            self.add([_Event.STOP])


def _gather(views: Sequence[bytes | memoryview], n: int) -> bytes:
    out, left = [], n
    for view in views:
        if left <= 0:
            break
        chunk = bytes(view[:left])
        out.append(chunk)
        left -= len(chunk)
    return b"".join(out)


def register_values(t: Any) -> list[int]:
    """The thread's general registers (live in its CPU during the syscall), in
    _DIGEST_REGS order."""
    regs = t.process.cpu.get_regs()
    return [getattr(regs, name) & (2**64 - 1) for name in _DIGEST_REGS]


def register_digest(t: Any) -> int:
    """crc32 of the thread's general registers (a cut's point, format 1's checksums)."""
    return zlib.crc32(struct.pack("<20Q", *register_values(t)))


def memory_digest(mm: Any) -> str:
    """crc32 over (address, crc32) of every non-zero writable page of an address space.
    Whether the host committed a page (swap, huge pages) is the host's business: a page
    of zeros counts as absent, so the digest depends only on what the guest can read."""
    crc = 0
    for address, view in mm.committed_writable():
        for off in range(0, len(view), _PAGE):
            page = zlib.crc32(view[off:off + _PAGE])
            if page != _ZERO_PAGE_CRC:
                crc = zlib.crc32(_PAGE_KEY.pack(address + off, page), crc)
    return f"{crc:08x}"


_DIGEST_REGS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
                "r12", "r13", "r14", "r15", "rip", "rflags", "fs_base", "gs_base")
_EXIT_NRS = (60, 231)          # exit, exit_group: a checksum as each thread or process ends
_PAGE = 4096
_ZERO_PAGE_CRC = zlib.crc32(bytes(_PAGE))
_PAGE_KEY = struct.Struct("<QI")


# -- replay ------------------------------------------------------------------------------

class ReplaySources(Sources):
    """Answers from a recording; the host is never asked.  The guest's writes to its
    stdout/stderr are compared with the recording (their crc32) and, with ``echo``,
    written to vkemu's own stdout/stderr as rr does."""

    timed_slices = False

    def __init__(self, recording: Recording, echo: bool = True) -> None:
        super().__init__()
        try:
            self.cuts = {int(p): (int(tid), int(rip), int(d)) for p, tid, rip, d in recording.end.get("cuts", [])}
        except (TypeError, ValueError) as exc:
            raise RecordingError(f"{recording.path}: corrupt end record: {exc}") from None
        self._events = recording.events()
        self.path = recording.path
        self._peeked: list[Any] | None = None
        self.index = 0                  # events consumed
        self.syscalls = 0
        self._run: list[Any] = []           # a syscall event with a count, being followed
        self._interrupted = 0
        self._run_left = 0
        self.echo = echo
        self._stdio: dict[int, int] = {}    # recorded host fd -> the stdio fd it duplicated
        self.where: Callable[[], str] = lambda: f"after syscall {self.syscalls}"

    # -- the stream --
    def _peek(self) -> list[Any] | None:
        if self._peeked is None:
            try:
                self._peeked = next(self._events, None)
            except RecordingError as exc:     # a chunk that does not decode
                raise MalformedEvent(str(exc)) from None
        return self._peeked

    def _take(self, kind: str, actual: str) -> list[Any]:
        if self._run_left:
            raise Divergence(self.index, self.where(), f"{describe_event(self._run)} ({self._run_left} more times)",
                             actual)
        event = self._peek()
        if event is None:
            raise Divergence(self.index, self.where(), "nothing more (the recording ends here)", actual)
        if len(event) < _EVENT_SIZES.get(event[0], 1 << 30) or (event[0] == "s" and len(event) > 4
                                                                  and not isinstance(event[4], int)):
            raise MalformedEvent(f"{self.path}: corrupt: event {self.index} is malformed: {event!r}"[:300])
        if event[0] != kind and not (kind in (_Event.CALL, _Event.READ, _Event.WRITE) and event[0] == _Event.ERROR):
            raise Divergence(self.index, self.where(), describe_event(event), actual)
        self._peeked = None
        self.index += 1
        return event

    def _check(self, event: list[Any], same: bool, actual: str) -> None:
        if not same:
            raise Divergence(self.index - 1, self.where(), describe_event(event), actual)

    def remaining(self) -> int:
        """Events the replay did not consume (0 when it followed the recording to the end)."""
        left = (0 if self._peek() is None else 1) + (1 if self._run_left else 0)
        return left + sum(1 for _ in self._events)

    # -- Sources --
    def clock_ns(self, clock_id: int) -> int:
        event = self._take(_Event.CLOCK, f"a clock read (clock {clock_id})")
        self._check(event, event[1] == clock_id, f"a clock read (clock {clock_id})")
        return int(event[2])

    def random_bytes(self, n: int) -> bytes:
        event = self._take(_Event.RANDOM, f"{n} random bytes")
        data = bytes(event[1])
        self._check(event, len(data) == n, f"{n} random bytes")
        return data

    def sleep(self, seconds: float) -> None:
        pass                             # the clock reads after it are recorded

    def wait_host(self, interest: dict[int, int], timeout: float | None) -> set[int]:
        event = self._take(_Event.WAIT, f"a wait on host fds {sorted(interest)}")
        return set(event[1])

    def host_call(self, kind: str, key: Key, fn: Callable[..., Any], *args: Any) -> Any:
        actual = f"host call {kind} {key!r}"
        event = self._take(_Event.CALL, actual)
        self._check(event, event[1] == kind and event[2] == key, actual)
        if event[0] == _Event.ERROR:
            raise OSError(event[3], os.strerror(event[3]))
        value = decode_value(event[3])
        if kind == "stdio":
            self._stdio[value[0]] = int(key)
        return value

    def host_readinto(self, kind: str, fd: int, fn: Callable[..., int], views: Sequence[memoryview],
                      *args: Any) -> int:
        actual = f"host {kind} of fd {fd}"
        event = self._take(_Event.READ, actual)
        if event[0] == _Event.ERROR:
            self._check(event, event[1] == kind and event[2] == fd, actual)
            raise OSError(event[3], os.strerror(event[3]))
        self._check(event, event[1] == kind and event[2] == fd, actual)
        data = event[3]
        self._check(event, len(data) <= sum(len(v) for v in views), f"{actual} into a smaller buffer")
        done = 0
        for view in views:
            chunk = data[done:done + len(view)]
            view[:len(chunk)] = chunk
            done += len(chunk)
            if done >= len(data):
                break
        return len(data)

    def host_write(self, kind: str, fd: int, fn: Callable[..., int], data: Sequence[bytes | memoryview],
                   *args: Any) -> int:
        actual = f"host {kind} of fd {fd}"
        event = self._take(_Event.WRITE, actual)
        self._check(event, event[1] == kind and event[2] == fd, actual)
        if event[0] == _Event.ERROR:
            raise OSError(event[3], os.strerror(event[3]))
        n = event[3]
        written = _gather(data, n)
        self._check(event, len(written) == n and zlib.crc32(written) == event[4],
                    f"{actual} with other bytes: {written[:60]!r}")
        target = self._stdio.get(fd)
        if self.echo and target is not None and target in (1, 2):
            stream = sys.stdout if target == 1 else sys.stderr
            stream.buffer.write(written)
            stream.flush()
        return n

    def host_poll(self, fd: int, events: int) -> int:
        event = self._take(_Event.POLL, f"a poll of host fd {fd}")
        self._check(event, event[1] == fd, f"a poll of host fd {fd}")
        return int(event[2])

    def post_signal(self, sig: int, interrupt: Callable[[], None]) -> None:
        # Not the guest's (the recorded ones come from the recording): Ctrl-C or
        # SIGTERM to a replaying vkemu ends the replay at the loop's next turn.
        self._interrupted = sig
        self.wakeup.set()
        interrupt()

    def at_cut(self, point: int, t: Any) -> bool:
        tid, _, digest = self.cuts[point]
        if t.tid != tid or register_digest(t) != digest:
            return False
        event = self._take(_Event.CUT, f"a cut of tid {t.tid} at point {point}")
        self._check(event, event[1:] == [point, tid, self.cuts[point][1], digest], f"a cut at point {point}")
        return True

    def interrupt_slice(self, interrupt: Callable[[], None]) -> None:
        pass                             # the recorded cuts stop the slices

    def expired(self, point: int, what: str, due: list[int]) -> list[int]:
        event = self._peek()
        if event is None or event[0] != _Event.EXPIRED or event[1:3] != [point, what]:
            return []
        event = self._take(_Event.EXPIRED, f"{what} expiry")
        if not isinstance(event[3], list) or not all(isinstance(w, int) for w in event[3]):
            raise MalformedEvent(f"{self.path}: corrupt: event {self.index - 1} is malformed: {event!r}"[:300])
        return event[3]

    def host_signal(self, point: int) -> int:
        if self._interrupted:
            raise ReplayInterrupted(self._interrupted)
        event = self._peek()
        if event is None or event[0] != _Event.SIGNAL or len(event) < 3 or event[1] != point:
            return 0
        self._take(_Event.SIGNAL, "a host signal")
        return int(event[2])

    def on_syscall(self, t: Any, nr: int, regs: Any, result: Any) -> None:
        """Each syscall (KernelConfig.syscall_hook): it must be the recorded one."""
        if isinstance(t.process.kernel.bug, SourceStop):
            return                       # diverged inside this syscall: that is the report
        try:
            self._follow_syscall(t, nr, result if result.__class__ is int else None)
        except SourceStop as exc:
            # Called inside the CPU's hook, where an exception would be lost: stop the
            # slice and let the scheduler loop raise it.
            t.process.kernel.bug = exc
            t.attention = True

    def _follow_syscall(self, t: Any, nr: int, result: int | None) -> None:
        if not self._run_left:
            event = self._take(_Event.SYSCALL, f"{_syscall_name(nr)} = {result} by tid {t.tid}")
            self._run, self._run_left = event, (event[4] if len(event) > 4 else 1)
        event = self._run
        self._run_left -= 1
        if event[1] != t.tid or event[2] != nr or event[3] != result:
            self._check(event, False, f"{_syscall_name(nr)} = {result} by tid {t.tid}")
        self.syscalls += 1
        if self._run_left:
            return
        stop = self._peek()
        if stop is not None and stop[0] in (_Event.CHECKSUM, _Event.DIGEST):
            self._check_state(t, nr, self._take(stop[0], ""))
            stop = self._peek()
        if stop is not None and stop[0] == _Event.STOP:
            self._take(_Event.STOP, "")
            t.attention = True

    def _check_state(self, t: Any, nr: int, event: list[Any]) -> None:
        """A checksum after this syscall: the same thread, registers and memory."""
        where = f"checksum after syscall #{self.syscalls}, tid {t.tid}, {_syscall_name(nr)}"

        def differs(expected: str, actual: str) -> Divergence:
            return Divergence(self.index - 1, where, expected, actual)
        if event[1] != self.syscalls or event[2] != t.tid:
            raise differs(describe_event(event), f"syscall #{self.syscalls} by tid {t.tid}")
        if event[0] == _Event.DIGEST:
            digest = register_digest(t)
            if event[3] != digest:
                raise differs(describe_event(event), f"registers of tid {t.tid} with digest {digest:#x}")
            return
        recorded, actual = event[3], register_values(t)
        if not isinstance(recorded, list) or len(recorded) != len(actual):
            raise MalformedEvent(f"{self.path}: corrupt: event {self.index - 1} is malformed: {event!r}"[:300])
        differ = [i for i, (a, b) in enumerate(zip(recorded, actual)) if a != b]
        if differ:
            def regs(values: list[int]) -> str:
                return ", ".join(f"{_DIGEST_REGS[i]}={values[i]:#x}" for i in differ[:6])
            raise differs(f"registers {regs(recorded)}", regs(actual))
        if event[4] is not None:
            digest = memory_digest(t.process.mm)
            if digest != event[4]:
                raise differs(f"memory of pid {t.process.pid} with digest {event[4]}", f"memory with digest {digest}")


def _syscall_name(nr: int) -> str:
    from vkernel.syscalls.table import TABLE
    return TABLE[nr].name if 0 <= nr < len(TABLE) else f"syscall_{nr}"


def describe_event(event: list[Any]) -> str:
    kind = event[0]
    try:
        if kind == _Event.SYSCALL:
            return f"{_syscall_name(event[2])} = {event[3]} by tid {event[1]}"
        if kind == _Event.CLOCK:
            return f"a clock read (clock {event[1]})"
        if kind in (_Event.CALL, _Event.ERROR):
            return f"host call {event[1]} {event[2]!r}"
        if kind in (_Event.READ, _Event.WRITE):
            return f"host {event[1]} of fd {event[2]}"
        if kind == _Event.DIGEST:
            return f"registers of tid {event[2]} with digest {event[3]:#x}"
        if kind == _Event.CHECKSUM:
            return f"a state checksum of tid {event[2]} after syscall #{event[1]}"
        if kind == _Event.POLL:
            return f"a poll of host fd {event[1]}"
        if kind == _Event.EXPIRED:
            return f"{event[2]} expiry {event[3]} at loop point {event[1]}"
    except (IndexError, TypeError, ValueError):
        return f"a malformed event {event!r}"[:200]
    return _Event.NAMES.get(kind, f"an unknown event {kind!r}")


# -- sessions (the CLI's side) -------------------------------------------------------------
# tools/vkemu.run drives a session: configure (before the kernel exists), begin (the
# launch, before the first process), finish (the exit), close (always).

class RecordSession:
    """`vkemu record`: the run goes on as usual while its inputs are written."""

    replaying = False

    def __init__(self, path: str) -> None:
        self.writer = Writer(path)
        self.sources = RecordingSources(self.writer)
        self._finished = False

    def configure(self, config: Any) -> None:
        config.syscall_hook = self.sources.on_syscall
        self.quantum = config.quantum

    def begin(self, opts: Any, kernel: Any, data: bytes, exe: bytes, argv: list[bytes], envp: list[bytes],
              cwd: bytes) -> tuple[bytes, list[bytes], list[bytes], bytes]:
        from vkernel.policy import to_toml
        policy = to_toml(kernel.policy, full=True)
        header = {
            "format": FORMAT_VERSION, "vkemu": vkemu_version(), "program": os.fsdecode(exe),
            "sha256": hashlib.sha256(data).hexdigest(),
            "argv": [os.fsdecode(a) for a in argv], "env": [os.fsdecode(e) for e in envp], "cwd": os.fsdecode(cwd),
            "volumes": [list(v) for v in opts.volumes], "root": opts.root, "layers": opts.layers,
            "upper": opts.upper, "seed": opts.seed,
            "policy": policy, "policy_sha256": hashlib.sha256(policy.encode()).hexdigest(),
            "quantum": self.quantum, "check_every": CHECK_EVERY,
            # What the policy TOML leaves out because it names host files: its mounts
            # (answered from the recording like volumes), the digests its trust vouches
            # for, and what each layer is (a tarball's bytes must be there at replay).
            "mounts": [[m.host, m.guest, m.readonly, m.noexec] for m in kernel.policy.mounts],
            "trusted": kernel.trusted.artifacts if kernel.trusted is not None else None,
            "layer_files": [_layer_file(path) for path in opts.layers],
        }
        self.writer.record(b"H", json.dumps(header).encode())
        self.writer.record(b"P", zlib.compress(data, 6))
        return exe, argv, envp, cwd

    def finish(self, wait_status: int | None) -> None:
        if not self._finished:
            self._finished = True
            self.sources.close({"wait_status": wait_status, "syscalls": self.sources.syscalls})

    def close(self) -> None:
        """The run is over: an internal error still leaves a readable file; a program
        that never started (not found, refused) leaves none."""
        if self._finished:
            return
        if not self.writer.started:
            self._finished = True
            self.writer.file.close()
            os.unlink(self.writer.path)
            return
        self.finish(None)


def _layer_file(path: str) -> dict[str, str | None]:
    """A --layer as the header names it: a directory (its files are inputs like any
    host file's) or a tarball, read whole at start, by its sha256."""
    if os.path.isdir(path):
        return {"path": path, "kind": "dir", "sha256": None}
    return {"path": path, "kind": "tar", "sha256": _file_sha256(path)}


def _file_sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _replay_layers(recording: Recording, given: list[str]) -> list[str]:
    """The layer paths a replay mounts: a recorded tarball is the file among ``given``
    (replay --layer) with its sha256, else the recorded path if it still has it;
    anything else is refused, naming the layer."""
    h = recording.header
    if "layer_files" not in h:           # format 1: the paths as they were
        return list(h.get("layers", []))
    by_digest = {}
    for path in given:
        try:
            by_digest.setdefault(_file_sha256(path), path)
        except OSError as exc:
            raise RecordingError(f"--layer {path}: {exc.strerror}") from None
    out = []
    for layer in h["layer_files"]:
        path, kind, digest = layer["path"], layer["kind"], layer["sha256"]
        if kind == "dir":
            out.append(path)
            continue
        if digest in by_digest:
            out.append(by_digest[digest])
            continue
        try:
            found = _file_sha256(path)
        except OSError as exc:
            raise RecordingError(f"{recording.path}: the recording needs layer {path} (a tarball with sha256 "
                                 f"{digest}): {exc.strerror}; give it with --layer FILE") from None
        if found != digest:
            raise RecordingError(f"{recording.path}: layer {path} has changed (sha256 {found}, recorded {digest}); "
                                 "give the recorded one with --layer FILE")
        out.append(path)
    return out


class ReplaySession:
    """`vkemu replay`: the recorded launch, answered from the recording."""

    replaying = True

    def __init__(self, recording: Recording, echo: bool, program: str | None = None,
                 layers: Sequence[str] = ()) -> None:
        self.recording = recording
        self.sources = ReplaySources(recording, echo)
        h = recording.header
        try:
            from vkernel.policy import PolicyError, parse
            from vkernel.policy.manifest import MountSpec
            self.policy = parse(h["policy"], f"{recording.path} (its policy)")
            self.policy.mounts = [MountSpec(str(host), str(guest), bool(ro), bool(noexec))
                                  for host, guest, ro, noexec in h.get("mounts", [])]
            self.trusted = h.get("trusted")
            if self.trusted is not None and not isinstance(self.trusted, dict):
                raise TypeError("trusted is not a table")
            self.layers = _replay_layers(recording, list(layers))
            data = recording.program
            if program is not None:
                with open(program, "rb") as f:
                    data = f.read()
            self.launch = _Launch(data, os.fsencode(h["program"]), [os.fsencode(a) for a in h["argv"]],
                                  [os.fsencode(e) for e in h["env"]], os.fsencode(h["cwd"]))
            self.quantum = int(h["quantum"])
        except (KeyError, TypeError, ValueError, PolicyError) as exc:
            raise RecordingError(f"{recording.path}: corrupt header: {exc}") from None
        except OSError as exc:
            raise RecordingError(f"{program}: {exc.strerror}") from None

    def run_options(self, trace: str | None, trace_json: str | None, strict: bool) -> Any:
        from tools.vkemu import RunOptions
        h = self.recording.header
        try:
            return RunOptions(program=h["program"], args=list(h["argv"][1:]), trace=trace, trace_json=trace_json,
                              volumes=[(v[0], v[1], bool(v[2])) for v in h["volumes"]], strict=strict,
                              root=h.get("root", "/"), layers=self.layers, upper=h.get("upper"),
                              seed=h.get("seed"))
        except (KeyError, TypeError, IndexError) as exc:
            raise RecordingError(f"{self.recording.path}: corrupt header: {exc!r}") from None

    def configure(self, config: Any) -> None:
        config.syscall_hook = self.sources.on_syscall
        config.quantum = self.quantum

    def begin(self, opts: Any, kernel: Any, data: bytes, exe: bytes, argv: list[bytes], envp: list[bytes],
              cwd: bytes) -> tuple[bytes, list[bytes], list[bytes], bytes]:
        sources = self.sources
        if self.trusted is not None:
            from vkernel.policy.trust import TrustedDigests
            kernel.trusted = TrustedDigests.verified(self.trusted)

        def where() -> str:
            proc = kernel.current
            if proc is None or not proc.threads:
                return f"after syscall {sources.syscalls}"
            t = proc.dispatcher.thread
            return f"syscall #{sources.syscalls + 1}, tid {t.tid}, {_syscall_name(proc.dispatcher.regs[0])}"
        sources.where = where
        return self.launch.exe, self.launch.argv, self.launch.envp, self.launch.cwd

    def finish(self, wait_status: int | None) -> None:
        """The run ended: it must have ended as the recording did."""
        recorded = self.recording.end.get("wait_status")
        if wait_status != recorded:
            raise Divergence(self.sources.index, f"at exit, after syscall {self.sources.syscalls}",
                             f"an exit with wait status {recorded}", f"an exit with wait status {wait_status}")
        left = self.sources.remaining()
        if left:
            raise Divergence(self.sources.index, f"at exit, after syscall {self.sources.syscalls}",
                             f"{left} more events", "an exit")
        self.followed = True

    def close(self) -> None:
        pass


@dataclass
class _Launch:
    data: bytes
    exe: bytes
    argv: list[bytes]
    envp: list[bytes]
    cwd: bytes


USAGE = """usage: vkemu record -o FILE [RUN OPTIONS] PROGRAM [ARGS...]
       vkemu replay [--check] [-q|--quiet] [--trace[=FILE]] [--trace-json=FILE] [--strict]
                    [--program PATH] [--layer TAR]... [--gdb HOST:PORT] FILE
       vkemu stats FILE

replay re-runs the recorded program from FILE alone (no host files, clocks, random
source or stdin) and writes its stdout/stderr again, as rr does (-q: do not);
--check compares only and says whether the replay followed the recording;
--program runs another build of the program against the recording; --layer gives
a recorded tarball layer from another place (found by its sha256; directory layers
and mounts need nothing: their files are in the recording);
--gdb serves gdb's remote protocol over the replay, reverse-stepi and
reverse-continue included (see tools/gdbstub.py).
Exit status: the program's own (replay), 0 (--check: identical), 125 when the replay
left the recording (the first differing event is named), 2 for a truncated, corrupt or
incompatible recording or bad options."""


def main(command: str, argv: list[str]) -> int:
    from tools.vkemu import UsageError, parse_run, run
    try:
        if command == "record":
            if len(argv) >= 2 and argv[0] == "-o":
                out, rest = argv[1], argv[2:]
            elif argv and argv[0].startswith("-o") and len(argv[0]) > 2:
                out, rest = argv[0][2:], argv[1:]
            else:
                raise UsageError("record: -o FILE comes first")
            opts = parse_run(rest)
            session = RecordSession(out)
            try:
                return run(opts, session)
            finally:
                session.close()
        if command == "replay":
            return _replay(argv)
        if len(argv) != 1:
            raise UsageError("stats: one recording file")
        try:
            stats(Recording.open(argv[0]))
        except BrokenPipeError:          # `vkemu stats F | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except UsageError as exc:
        print(f"vkemu: {exc}" if str(exc) else USAGE, file=sys.stderr)
        if str(exc):
            print(USAGE, file=sys.stderr)
        return EXIT_CORRUPT if str(exc) else 0
    except RecordingError as exc:
        print(f"vkemu: {exc}", file=sys.stderr)
        return EXIT_CORRUPT
    except OSError as exc:
        print(f"vkemu: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_CORRUPT


def _replay(argv: list[str]) -> int:
    from tools.vkemu import UsageError, run
    check = quiet = strict = False
    trace = trace_json = program = gdb = None
    files: list[str] = []
    layers: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--check":
            check = True
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif arg == "--strict":
            strict = True
        elif arg == "--trace":
            trace = "-"
        elif arg.startswith("--trace="):
            trace = arg.split("=", 1)[1]
        elif arg.startswith("--trace-json="):
            trace_json = arg.split("=", 1)[1]
        elif arg == "--program" and i + 1 < len(argv):
            i += 1
            program = argv[i]
        elif arg.startswith("--program="):
            program = arg.split("=", 1)[1]
        elif arg == "--layer" and i + 1 < len(argv):
            i += 1
            layers.append(argv[i])
        elif arg.startswith("--layer="):
            layers.append(arg.split("=", 1)[1])
        elif arg == "--gdb" and i + 1 < len(argv):
            i += 1
            gdb = argv[i]
        elif arg.startswith("--gdb="):
            gdb = arg.split("=", 1)[1]
        elif arg in ("-h", "--help"):
            raise UsageError("")
        elif arg.startswith("-"):
            raise UsageError(f"replay: unknown option {arg}")
        else:
            files.append(arg)
        i += 1
    if len(files) != 1:
        raise UsageError("replay: one recording file")
    if gdb is not None and (check or trace or trace_json):
        raise UsageError("replay: --gdb goes with neither --check nor --trace")
    recording = Recording.open(files[0])
    if gdb is not None:
        from tools.gdbstub import serve_replay     # reverse execution by re-running passes
        return serve_replay(recording, gdb, echo=not quiet, program=program, strict=strict)
    session = ReplaySession(recording, echo=not (quiet or check), program=program, layers=layers)
    status = run(session.run_options(trace, trace_json, strict), session)
    if not check:
        return status
    if not getattr(session, "followed", False):
        return EXIT_DIVERGED if status == EXIT_DIVERGED else status or EXIT_DIVERGED
    print(f"vkemu: replay check: {files[0]}: followed the recording ({session.sources.syscalls} syscalls, "
          f"{session.sources.index} events, wait status {recording.end.get('wait_status')})", file=sys.stderr)
    return 0


# -- stats -------------------------------------------------------------------------------

def stats(recording: Recording, out: Any = None) -> None:
    """A `strace -c`-like table of the recorded syscalls (counts and errors; a
    recording holds no timings)."""
    out = out or sys.stdout
    calls: dict[int, int] = {}
    errors: dict[int, int] = {}
    threads: set[int] = set()
    kinds: dict[str, int] = {}
    for event in recording.events():
        kinds[event[0]] = kinds.get(event[0], 0) + 1
        if event[0] == _Event.SYSCALL and len(event) >= 4:
            nr, result = event[2], event[3]
            times = event[4] if len(event) > 4 and isinstance(event[4], int) else 1
            threads.add(event[1])
            calls[nr] = calls.get(nr, 0) + times
            if isinstance(result, int) and -4096 < result < 0:
                errors[nr] = errors.get(nr, 0) + times
    total = sum(calls.values()) or 1
    h = recording.header
    out.write(f"recording: {recording.path} (vkemu {h.get('vkemu')}, format {h.get('format')})\n")
    out.write(f"program:   {h.get('program')} sha256 {h.get('sha256')}\n")
    out.write(f"argv:      {' '.join(h.get('argv', []))}\n")
    out.write(f"exit:      wait status {recording.end.get('wait_status')}, {len(threads)} threads/processes\n")
    inputs = {k: v for k, v in kinds.items() if k not in (_Event.SYSCALL, _Event.DIGEST, _Event.CHECKSUM)}
    out.write("inputs:    " + (", ".join(f"{_Event.NAMES.get(k, k)} {v}" for k, v in sorted(inputs.items()))
                               or "none") + "\n\n")
    out.write(f"{'% calls':>8} {'calls':>9} {'errors':>9} syscall\n")
    out.write(f"{'-' * 8} {'-' * 9} {'-' * 9} {'-' * 16}\n")
    for nr, count in sorted(calls.items(), key=lambda kv: (-kv[1], kv[0])):
        err = errors.get(nr, 0)
        out.write(f"{100 * count / total:8.2f} {count:9d} {err or '':>9} {_syscall_name(nr)}\n")
    out.write(f"{'-' * 8} {'-' * 9} {'-' * 9} {'-' * 16}\n")
    out.write(f"{100.0:8.2f} {sum(calls.values()):9d} {sum(errors.values()) or '':>9} total\n")
