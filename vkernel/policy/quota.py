"""[quotas]: the container's resource limits, enforced in the kernel (cgroup-like).

  processes, threads   clone/fork fail with EAGAIN (vkernel/syscalls/process.py, thread.py)
  open_files           RLIMIT_NOFILE's hard limit: EMFILE (vkernel/fdtable.py)
  memory               bytes mapped by all the container's address spaces together:
                       mmap, mremap and fork fail with ENOMEM, brk keeps the old break
  file_size            RLIMIT_FSIZE's hard limit: a write that starts at or past it fails
                       with EFBIG and raises SIGXFSZ, one that crosses it is cut short;
                       truncate/fallocate past it: EFBIG and SIGXFSZ (as Linux)
  writable_bytes       bytes held by the in-memory writable layers (the overlay's upper
                       layer and tmpfs mounts): a write that grows them past it, ENOSPC
  cpu_seconds          guest CPU time of the whole container: at the limit the running
                       process gets SIGXCPU; one CPU second later every process is killed
                       (SIGKILL), as RLIMIT_CPU's soft and hard limits do

Every refusal (and the CPU signals) is audited with action "quota" and the quota's key.
"""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from vkernel import abi, signals
from vkernel.errors import SyscallError
from vkernel.policy.manifest import Quotas

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Process, Thread
    from vkernel.vfs.file import FileDescription
    from vkernel.vfs.namespace import Namespace

RLIMIT_FSIZE = 1
RLIM_INFINITY = (1 << 64) - 1
NS = 1_000_000_000
CPU_GRACE_NS = NS                   # SIGXCPU at the limit, SIGKILL one CPU second later
WATCH_MIN_S = 0.01
WATCH_MAX_S = 1.0


def current_call(kernel: Kernel) -> tuple[Thread | None, str]:
    """The thread whose syscall is running and the syscall's name, for audit records
    written below the handlers (path resolution, file systems); (None, "-") outside one."""
    proc = kernel.current
    if proc is None or not proc.threads or proc.dispatcher is None:
        return None, "-"
    from vkernel.syscalls.table import TABLE
    nr = proc.dispatcher.regs[0]
    return proc.dispatcher.thread, (TABLE[nr].name if 0 <= nr < len(TABLE) else f"syscall_{nr}")


class WritableSpace:
    """The bytes the in-memory writable layers hold, shared by every such MemFS."""

    def __init__(self, meter: QuotaMeter, limit: int) -> None:
        self.meter = meter
        self.limit = limit
        self.used = 0
        self.peak = 0

    def charge(self, delta: int, force: bool = False) -> None:
        """Account ``delta`` bytes (negative: freed); ENOSPC if growth would pass the
        limit, unless ``force`` (the bytes are already there: they count, and the
        next growth fails)."""
        if delta > 0 and self.used + delta > self.limit and not force:
            self.meter.deny("writable_bytes", abi.ENOSPC,
                            f"writable layers would hold {self.used + delta} bytes, more than {self.limit}",
                            {"used": self.used, "grow": delta, "limit": self.limit})
        self.used = max(self.used + delta, 0)
        self.peak = max(self.peak, self.used)


class QuotaMeter:
    """The quotas of one kernel: the checks the syscall paths call, and the CPU watch."""

    def __init__(self, kernel: Kernel, quotas: Quotas) -> None:
        self.kernel = kernel
        self.quotas = quotas
        self.space = WritableSpace(self, quotas.writable_bytes) if quotas.writable_bytes is not None else None
        # CPU: guest nanoseconds of every process, live or gone; the next threshold
        # (the limit, then the limit plus the grace) and the watchdog that makes a slice
        # that never stops (a loop without syscalls) end near it.
        self.cpu_ns = 0
        self.cpu_next = int(quotas.cpu_seconds * NS) if quotas.cpu_seconds is not None else None
        self._watch: threading.Thread | None = None
        # Set once the budget may run out within WATCH_MAX_S: where slices must be
        # repeatable (Sources.timed_slices false) they are then bounded by the quantum,
        # as the watch cannot stop them at a point a replay finds again.
        self.cpu_bounded = False
        self.hits = 0
        # Peaks for --stats, as seen when a process, thread or mapping is asked for.
        self.peak_processes = self.peak_threads = 1      # the first process and its thread
        self.peak_memory = 0

    # -- audit ---------------------------------------------------------------------------------

    def record(self, key: str, reason: str, args: dict, t: Thread | None = None) -> None:
        """An audit record; with ``t``, one not caused by a syscall (the CPU limit)."""
        current, syscall = current_call(self.kernel) if t is None else (t, "-")
        self.kernel.audit.record(current, syscall, "quota", f"quota {key}: {reason}", args, rule=f"quotas.{key}")

    def deny(self, key: str, errno: int, reason: str, args: dict) -> None:
        """Audit a refusal by quota ``key`` and raise its errno."""
        self.hits += 1
        self.record(key, reason, args)
        raise SyscallError(errno)

    # -- wiring ------------------------------------------------------------------------------------

    def attach(self, ns: Namespace) -> None:
        """Charge every in-memory writable layer of the namespace to the writable_bytes quota."""
        from vkernel.vfs.memfs import MemFS
        from vkernel.vfs.overlay import OverlayFS
        if self.space is None:
            return
        for mount in ns.mounts.values():
            fs = mount.fs.upper if isinstance(mount.fs, OverlayFS) else mount.fs
            if isinstance(fs, MemFS) and not fs.readonly:
                fs.space = self.space

    def initial_rlimits(self, proc: Process) -> None:
        """The first process's RLIMIT_FSIZE: the file_size quota, soft and hard."""
        if self.quotas.file_size is not None:
            proc.rlimits[RLIMIT_FSIZE] = (self.quotas.file_size, self.quotas.file_size)

    def rlimit_ceiling(self, resource: int) -> int | None:
        """The hard limit no process may raise ``resource`` above (EPERM), or None."""
        return self.quotas.file_size if resource == RLIMIT_FSIZE else None

    # -- processes and threads ------------------------------------------------------------------

    def check_processes(self) -> None:
        live = sum(1 for p in self.kernel.processes.values() if p.exit_code is None)
        self.peak_processes = max(self.peak_processes, live + 1)
        if live >= self.quotas.processes:
            self.deny("processes", abi.EAGAIN, f"{live} processes, the limit", {"limit": self.quotas.processes})

    def check_threads(self) -> None:
        count = self.kernel.thread_count()
        self.peak_threads = max(self.peak_threads, count + 1)
        if count >= self.quotas.threads:
            self.deny("threads", abi.EAGAIN, f"{count} threads, the limit", {"limit": self.quotas.threads})

    def check_open_files(self, limit: int) -> None:
        """An fd table is full at ``limit``: a quota hit (EMFILE, audited) when that is the
        quota itself; below it, the process's own soft limit, plain EMFILE."""
        if limit >= self.quotas.open_files:
            self.deny("open_files", abi.EMFILE, f"{limit} open files, the limit", {"limit": limit})

    # -- memory ------------------------------------------------------------------------------------

    def memory_used(self) -> int:
        """Bytes mapped by the container's live address spaces (a vfork child shares its
        parent's, counted once)."""
        seen: set[int] = set()
        total = 0
        for p in self.kernel.processes.values():
            if p.exit_code is None and id(p.mm) not in seen:
                seen.add(id(p.mm))
                total += p.mm.mapped
        return total

    def check_memory(self, grow: int, syscall_args: dict | None = None) -> None:
        """ENOMEM (audited) if mapping ``grow`` more bytes would pass the memory quota."""
        limit = self.quotas.memory
        if grow <= 0:
            return
        used = self.memory_used()
        if limit is not None and used + grow > limit:
            self.deny("memory", abi.ENOMEM, f"{used} bytes mapped, {grow} more would pass {limit}",
                      {"used": used, "grow": grow, "limit": limit, **(syscall_args or {})})
        self.peak_memory = max(self.peak_memory, used + grow)

    # -- file size (RLIMIT_FSIZE) ----------------------------------------------------------------

    def _fsize(self, t: Thread, desc: FileDescription) -> int | None:
        inode = desc.inode
        if inode is None or inode.mode & abi.S_IFMT != abi.S_IFREG:
            return None
        soft = t.process.rlimits.get(RLIMIT_FSIZE, (RLIM_INFINITY, RLIM_INFINITY))[0]
        return None if soft == RLIM_INFINITY else soft

    def _efbig(self, t: Thread, limit: int, offset: int) -> None:
        """Linux's send_sig(SIGXFSZ) and EFBIG; audited when the limit is the quota's."""
        signals.send_to_thread(self.kernel, t, signals.SigInfo(abi.SIGXFSZ, signals.SI_USER))
        if self.quotas.file_size is not None and limit >= self.quotas.file_size:
            self.deny("file_size", abi.EFBIG, f"a file would grow past {limit} bytes",
                      {"offset": offset, "limit": limit})
        raise SyscallError(abi.EFBIG)

    def clip_write(self, t: Thread, desc: FileDescription, length: int, offset: int | None) -> int:
        """How many of ``length`` bytes a write at ``offset`` (None: the description's
        own offset, or its end under O_APPEND) may write to a regular file."""
        limit = self._fsize(t, desc)
        if limit is None:
            return length
        if offset is None or desc.flags & abi.O_APPEND:
            offset = desc.size() if desc.flags & abi.O_APPEND else desc.offset
        if offset >= limit:
            self._efbig(t, limit, offset)
        return min(length, limit - offset)

    def check_size(self, t: Thread, desc: FileDescription | None, size: int, current: int) -> None:
        """truncate/ftruncate/fallocate of a regular file from ``current`` to ``size``
        bytes: growing past the limit is EFBIG and SIGXFSZ (Linux's inode_newsize_ok)."""
        soft = t.process.rlimits.get(RLIMIT_FSIZE, (RLIM_INFINITY, RLIM_INFINITY))[0]
        if size <= current or (desc is not None and self._fsize(t, desc) is None):
            return
        if soft != RLIM_INFINITY and size > soft:
            self._efbig(t, soft, size)

    # -- CPU time -------------------------------------------------------------------------------

    def after_slice(self, proc: Process, ns: int) -> None:
        """A slice of ``proc`` used ``ns`` of guest CPU: past the limit SIGXCPU, past the
        grace SIGKILL for the whole container.  Host CPU time decides when: an input
        (Sources.expired), so a replay acts where the recording did."""
        if self.cpu_next is None:
            return
        self.cpu_ns += ns
        sources, point = self.kernel.sources, self.kernel.point
        if not self.cpu_bounded:
            near = [1] if self.cpu_next - self.cpu_ns <= WATCH_MAX_S * NS else []
            self.cpu_bounded = bool(sources.expired(point, "cpu_quota_near", near))
        crossed = [1] if self.cpu_ns >= self.cpu_next else []
        if not sources.expired(point, "cpu_quota", crossed):
            return
        limit = int(self.quotas.cpu_seconds * NS)       # type: ignore[operator]
        seconds = round(self.cpu_ns / NS, 3)
        if self.cpu_next == limit:
            self.cpu_next = limit + CPU_GRACE_NS
            self.record("cpu_seconds", f"{seconds} s of CPU: SIGXCPU to pid {proc.pid}",
                        {"cpu_seconds": seconds, "signal": "SIGXCPU"}, proc.threads[0] if proc.threads else None)
            signals.send_to_process(self.kernel, proc, signals.SigInfo(abi.SIGXCPU, signals.SI_KERNEL))
            return
        self.cpu_next = None
        self.record("cpu_seconds", f"{seconds} s of CPU: every process killed",
                    {"cpu_seconds": seconds, "signal": "SIGKILL"}, proc.threads[0] if proc.threads else None)
        for p in list(self.kernel.processes.values()):
            if p.exit_code is None:
                self.kernel.kill_process(p, abi.SIGKILL)

    def start_watch(self, init: Process) -> None:
        """For Kernel.run: a host thread that stops the running CPU when the CPU budget
        may have run out, so a guest loop that makes no syscalls still reaches the check
        after its slice.  CPU time never runs ahead of wall time, so sleeping for what is
        left is enough; it wakes at least every WATCH_MAX_S to see if the run is over."""
        if self.cpu_next is None or self._watch is not None:
            return
        sources = self.kernel.sources

        def watch() -> None:
            while init.exit_code is None:
                target = self.cpu_next
                if target is None:
                    return
                left = (target - self.cpu_ns) / NS
                time.sleep(min(max(left, WATCH_MIN_S), WATCH_MAX_S))
                proc = self.kernel.current
                if left <= WATCH_MAX_S and proc is not None and init.exit_code is None \
                        and (sources.timed_slices or not self.cpu_bounded):
                    sources.interrupt_slice(proc.cpu.interrupt)
                    time.sleep(WATCH_MIN_S)     # let the stopped slice be charged
        self._watch = threading.Thread(target=watch, name="vkernel-cpu-quota", daemon=True)
        self._watch.start()

    # -- the exit report (vkemu --stats) -------------------------------------------------------

    def usage(self) -> dict[str, str]:
        """Use against each quota, for ``vkemu --stats``: peaks, except where noted."""
        q = self.quotas

        def limit(value: float | None, unit: str = "") -> str:
            return "unlimited" if value is None else f"{value:g}{unit}" if isinstance(value, float) else f"{value}{unit}"
        return {
            "processes": f"{self.peak_processes} at once (limit {q.processes})",
            "threads": f"{self.peak_threads} at once (limit {q.threads}), {self.kernel.threads_created} created",
            "memory": f"{self.peak_memory} bytes mapped at most (limit {limit(q.memory)})",
            "writable_bytes": (f"{self.space.peak} bytes at most, {self.space.used} at exit (limit {self.space.limit})"
                               if self.space is not None else "not counted (unlimited)"),
            "cpu_seconds": f"{self.cpu_ns / NS:.3f} s (limit {limit(q.cpu_seconds, ' s')})",
            "quota_hits": str(self.hits),
        }
