"""Through-guest fuzzing: the same sequences, executed by a real static program
(tools/fuzz/guest_driver.c) under vkemu, and natively where that is safe.

A sequence is first *planned* in-process, on a harness whose process is the driver's
(same ELF, same arena, its private region and report fd): each call's registers and
argument bytes are resolved there, and the plan stops before the first call after which
the driver could not go on (it would block, take a signal, lose its code, its private
region or its report fd).  The plan then runs under vkemu, one process per sequence;
each result must equal the in-process one (the whole path through Unicorn, the syscall
hook and the scheduler against the dispatcher alone), and the guest must exit 0.

The differential oracle against the host kernel runs the longest prefix of the plan
whose calls are all native-safe and none of which the policy refused or audited (W^X,
quotas and unimplemented calls answer for the container, not as Linux would) (NATIVE below: memory, pipes, AF_UNIX socketpairs,
eventfd, polling, and files by relative names inside a throwaway directory), and
compares errnos, and values where they do not depend on the layout or the clock.
"""
from __future__ import annotations

import struct
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.fuzz import arena
from tools.fuzz.driver import Finding, Harness, Outcome
from tools.fuzz.gen import MASK64, Call
from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import PAGE, TASK_SIZE
from vkernel.signals import next_signal
from vkernel.syscalls.table import BY_NAME

MAGIC = b"VKFZPLN1"
RECORD = struct.Struct("<Qq")
GUEST_TIMEOUT = 10.0              # a sequence normally runs in under 2 s
NATIVE_TIMEOUT = 10.0

# Results that are clocks, ids of the run or addresses the layout chooses: compared as
# success or errno only.
VALUE_VARIES = frozenset({"time", "times", "getpid", "getppid", "gettid", "getpgrp", "getsid", "getpgid",
                          "sysinfo", "getcpu", "mmap", "mremap", "brk", "shmat", "clock_gettime",
                          "gettimeofday", "getrusage", "clock_getres", "uname"})

# Native-safe calls (the host runs them as root, in a temporary directory): their
# effects stay inside the process and that directory.  Paths must be relative with no
# '..'; pointers must not depend on the layout; sizes that would make the host allocate
# much are refused in native_safe().
NATIVE = frozenset({
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "close", "dup", "dup2", "dup3", "pipe", "pipe2", "lseek", "fcntl",
    "mmap", "munmap", "mprotect", "mremap", "msync", "mincore", "madvise", "mlock", "munlock", "mlock2", "brk",
    "eventfd", "eventfd2", "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "timerfd_create", "timerfd_settime",
    "timerfd_gettime", "signalfd", "signalfd4",
    "socket", "socketpair", "sendto", "recvfrom", "sendmsg", "recvmsg", "recvmmsg", "shutdown", "getsockopt",
    "setsockopt", "getsockname", "getpeername", "listen", "accept", "accept4", "epoll_pwait",
    "open", "openat", "creat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat",
    "renameat2", "fstat", "newfstatat", "fsync", "fdatasync", "ftruncate", "fchmod", "access", "faccessat",
    "sched_yield",
})
# Calls that change nothing a later call could see: left out of the native run (their
# results there would be the host's own ids and clocks) rather than ending it.
NATIVE_SKIPPED = frozenset({"getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getpgrp",
                            "getsid", "getpgid", "getresuid", "getresgid", "getgroups", "time", "times",
                            "sysinfo", "uname", "getcpu", "getrusage", "getcwd", "getpriority", "getrlimit",
                            "sched_getaffinity", "gettimeofday", "clock_gettime", "clock_getres"})
NATIVE_MAX_BYTES = 16 << 20
ELF_END = 0x1000000                       # the static driver's image lies below (at 0x400000)
# fcntl commands with no effect outside the process (F_SETOWN/F_SETSIG would aim SIGIO
# at any host pid): dup, fd and status flags, locks, pipe sizes.
NATIVE_FCNTL = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 36, 37, 38, 1030, 1031, 1032})
RLIMIT_CPU = 0
NATIVE_MAX_ADVICE = 100                   # MADV_HWPOISON and above touch the host's pages


def _same_natively(address: int) -> bool:
    """Whether ``address`` is in memory laid out the same on the host: the driver's
    static (non-PIE) image or the arena, not the stack, heap or mmap area that the host
    randomises."""
    return address < ELF_END or arena.ARENA <= address < arena.UNMAPPED + PAGE


def arena_setup() -> list[tuple[tuple[int, ...], list[tuple[int, bytes]]]]:
    """The calls that give the guest driver the arena Harness.reset maps in-process
    (their results are not compared, only required to succeed)."""
    mmap, mprotect = 9, 10
    anon = abi.MAP_PRIVATE | abi.MAP_ANONYMOUS | abi.MAP_FIXED
    rw = abi.PROT_READ | abi.PROT_WRITE
    regions = [(arena.SLOT_BASE, arena.SLOTS * arena.SLOT_SIZE, rw), (arena.OUT_BASE, arena.OUT_SIZE, rw),
               (arena.RO_BASE, PAGE, rw), (arena.NONE_BASE, PAGE, abi.PROT_NONE), (arena.CROSS - PAGE, PAGE, rw),
               (arena.CROSS, PAGE, abi.PROT_NONE), (arena.CROSS_RO - PAGE, PAGE, rw), (arena.CROSS_RO, PAGE, rw)]
    steps: list[tuple[tuple[int, ...], list[tuple[int, bytes]]]] = [
        ((mmap, start, size, prot, anon, MASK64, 0), []) for start, size, prot in regions]
    steps.append(((mprotect, arena.RO_BASE, PAGE, abi.PROT_READ, 0, 0, 0), [(arena.RO_BASE, arena.RO_CONTENT)]))
    steps.append(((mprotect, arena.CROSS_RO, PAGE, abi.PROT_READ, 0, 0, 0), []))
    return steps


def encode_plan(steps: list[tuple[tuple[int, ...], list[tuple[int, bytes]]]]) -> bytes:
    out = [MAGIC, struct.pack("<I", len(steps))]
    for regs, pokes in steps:
        out.append(struct.pack("<7Q", *(r & MASK64 for r in regs[:7])))
        out.append(struct.pack("<I", len(pokes)))
        for address, data in pokes:
            out.append(struct.pack("<QI", address, len(data)) + data)
    return b"".join(out)


def decode_report(raw: bytes) -> list[int]:
    results = []
    for i in range(len(raw) // RECORD.size):
        index, result = RECORD.unpack_from(raw, i * RECORD.size)
        if index != i:
            break
        results.append(result)
    return results


class GuestHarness:
    """Sequences through a real guest (``vkemu``) and, where safe, the host kernel.
    ``run_sequence`` answers like :meth:`Harness.run_sequence`, with the guest's and the
    host's disagreements as findings on the call where they showed."""

    def __init__(self, native: bool = True) -> None:
        self.inproc = Harness(guest=True)
        self.driver = Path(self.inproc.exe.decode())
        self.native = native
        self._dir = tempfile.TemporaryDirectory(prefix="vkemu-fuzz-guest-")
        self.vkemu_args = self.inproc.sandbox.vkemu_args(Path(self._dir.name) / "policy.toml")
        self.guest_calls = 0
        self.native_calls = 0

    # The generator's view (tools/fuzz/campaign.py) is the in-process harness's.
    def reset(self) -> None:
        self.inproc.reset()

    def run(self, call: Call) -> Outcome:
        return self.inproc.run(call)

    def fd_kinds(self) -> set[str]:
        return self.inproc.fd_kinds()

    @property
    def thread(self):  # noqa: ANN201 - what tools.trace.format_line takes
        return self.inproc.thread

    # -- planning --------------------------------------------------------------------
    def plan(self, calls: list[Call]) -> tuple[list[Outcome], list[list[tuple[int, bytes]]], list[bool], str]:
        """In-process outcomes of the plan's calls, their argument bytes, whether each
        is native-safe, and why the plan stopped where it did ("" at the end)."""
        h = self.inproc
        h.reset()
        proc = h.proc
        keep = self._driver_state()
        cpu_limit = proc.rlimits.get(RLIMIT_CPU)
        outcomes: list[Outcome] = []
        pokes: list[list[tuple[int, bytes]]] = []
        safe: list[bool] = []
        for call in calls:
            outcome = h.run(call)
            why = ""
            if outcome.findings:
                why = "an in-process finding"
            elif outcome.control not in (None, "Yield"):
                why = f"the call would {outcome.control.lower()}"
            elif self._driver_state() != keep or proc.fds.entries.get(arena.REPORT_FD) is None \
                    or proc.fds.entries[arena.REPORT_FD].description is not h.report_desc:
                why = "the call takes away the driver's code, region or report fd"
            elif call.name in ("madvise", "process_madvise") and self._touches_driver(outcome.regs[1], outcome.regs[2]):
                why = "madvise over the driver"
            elif any(next_signal(t) for t in proc.threads) or proc.alarm is not None or proc.cpu_timers \
                    or any(timer.expiry_ns for timer in proc.posix_timers.values()) \
                    or proc.rlimits.get(RLIMIT_CPU) != cpu_limit:
                why = "a signal would reach the driver"
            if why:
                if outcome.findings:
                    outcomes.append(outcome)        # reported, never run through the guest
                return outcomes, pokes, safe, f"{call.name}: {why}"
            outcomes.append(outcome)
            pokes.append(list(h.pokes))
            safe.append(self.native_safe(call, outcome.regs))
        return outcomes, pokes, safe, ""

    def _driver_state(self) -> list[tuple[int, int, int]]:
        """The mappings the driver lives on: its code and its private region."""
        lo, hi = arena.PRIV, arena.PRIV + arena.PRIV_SIZE
        return [(v.start, v.end, v.prot) for v in self.inproc.proc.mm.vmas
                if v.prot & abi.PROT_EXEC or v.end > lo and v.start < hi]

    def _touches_driver(self, start: int, length: int) -> bool:
        end = start + length
        return any(s < end and start < e for s, e, _ in self._driver_state())

    def _scratch_path(self, address: int) -> bool:
        """Whether the path at ``address`` stays inside the native run's directory:
        relative, with no '..' (the native run has no symlinks to follow)."""
        try:
            path = self.inproc.proc.mm.read_cstring(address, 4096)
        except SyscallError:
            return _same_natively(address) or address >= TASK_SIZE      # EFAULT there too
        return not path.startswith(b"/") and b".." not in path.split(b"/")

    def native_safe(self, call: Call, regs: tuple[int, ...]) -> bool:
        if call.name not in NATIVE:
            return False
        a = regs[1:]
        for index, arg in enumerate(call.args[:6]):
            if arg.get("ptr") == "top" or arg.get("ptr") == "vma" and not _same_natively(a[index]):
                return False
        for index, spec in enumerate(BY_NAME[call.name].args[:6]):
            # The string the host kernel would read, whatever made the pointer (a path
            # argument may point at any bytes, the read-only page holds "/etc/passwd").
            if spec.kind == "path" and not self._scratch_path(a[index]):
                return False
        if call.name in ("socket", "socketpair") and a[0] != abi.AF_UNIX:
            return False
        if call.name == "sendto" and a[4] != 0:
            return False
        if call.name == "sendmsg":
            try:
                if int.from_bytes(self.inproc.proc.mm.read(a[1], 8), "little") != 0:
                    return False            # msg_name: only connected peers, never a host name
            except SyscallError:
                return _same_natively(a[1])  # EFAULT there too
        if call.name in ("mmap", "mlock", "mlock2") and a[1] > NATIVE_MAX_BYTES \
                or call.name == "mremap" and a[2] > NATIVE_MAX_BYTES:
            return False
        if call.name == "madvise" and a[2] >= NATIVE_MAX_ADVICE:
            return False
        if call.name == "fcntl" and a[1] not in NATIVE_FCNTL:
            return False
        return True

    # -- running ---------------------------------------------------------------------
    def run_sequence(self, calls: list[Call]) -> list[Outcome]:
        everything, pokes, safe, _ = self.plan(calls)
        outcomes = everything[:len(pokes)]
        if not outcomes:
            return everything
        setup = arena_setup()
        plan = encode_plan(setup + [(o.regs, p) for o, p in zip(outcomes, pokes)])
        self.guest_calls += len(outcomes)
        self.inproc.sandbox.reset_rw()
        self._compare("guest", outcomes, *self._run_guest(plan), skip=len(setup))
        if self.native:
            chosen = []
            for index, outcome in enumerate(outcomes):
                if outcome.audited:
                    break           # the policy's answer (W^X, quotas...), not Linux's
                if not safe[index]:
                    if outcome.call.name in NATIVE_SKIPPED:
                        continue
                    break
                chosen.append(index)
            if chosen:
                native_plan = encode_plan(setup + [(outcomes[i].regs, pokes[i]) for i in chosen])
                self.native_calls += len(chosen)
                self._compare("native", [outcomes[i] for i in chosen], *self._run_native(native_plan),
                              skip=len(setup))
        return everything

    def _run_guest(self, plan: bytes) -> tuple[list[int], str]:
        cmd = [sys.executable, "-m", "tools.vkemu", *self.vkemu_args, str(self.driver), "/tmp"]
        return self._run(cmd, plan, GUEST_TIMEOUT, cwd=None)

    def _run_native(self, plan: bytes) -> tuple[list[int], str]:
        with tempfile.TemporaryDirectory(prefix="vkemu-fuzz-native-") as scratch:
            return self._run([str(self.driver), scratch], plan, NATIVE_TIMEOUT, cwd=scratch)

    @staticmethod
    def _run(cmd: list[str], plan: bytes, timeout: float, cwd: str | None) -> tuple[list[int], str]:
        """The reported results, and what went wrong with the run ("" if nothing)."""
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        try:
            proc = subprocess.run(cmd, input=plan, capture_output=True, timeout=timeout, cwd=cwd, env=env)
        except subprocess.TimeoutExpired as exc:
            return decode_report(exc.stdout or b""), f"did not finish in {timeout:.0f} s"
        results = decode_report(proc.stdout)
        if proc.returncode != 0:
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return results, f"exit status {proc.returncode} {tail[0]}".strip()
        return results, ""

    def _compare(self, where: str, outcomes: list[Outcome], results: list[int], failure: str, skip: int) -> None:
        setup, results = results[:skip], results[skip:]
        bad = [r for r in setup if -4096 < r < 0]
        if len(setup) < skip or bad:
            outcomes[0].findings.append(Finding(where, outcomes[0].call.name,
                                                f"{where}: the driver's setup failed ({failure or bad})"))
            return
        for outcome, got in zip(outcomes, results):
            expected = outcome.result if outcome.result is not None else 0
            expected = expected - (1 << 64) if expected > (1 << 63) else expected
            problem = compare(outcome.call.name, expected, got)
            if problem:
                outcome.findings.append(Finding(where, outcome.call.name, f"{where}: {problem}"))
                return
        if len(results) < len(outcomes):
            at = outcomes[len(results)]
            outcome_name = at.call.name
            at.findings.append(Finding(where, outcome_name, f"{where} run stopped at this call: {failure or 'no report'}"))
        elif failure:
            outcomes[-1].findings.append(Finding(where, outcomes[-1].call.name, f"{where} run: {failure}"))


def compare(name: str, expected: int, got: int) -> str:
    """'' when ``got`` (the guest's or the host's result) agrees with ``expected`` (the
    in-process one)."""
    def text(value: int) -> str:
        return abi.ERRNO_NAME.get(-value, str(value)) if -4096 < value < 0 else str(value)
    if (-4096 < expected < 0) != (-4096 < got < 0):
        return f"in-process {text(expected)}, here {text(got)}"
    if -4096 < expected < 0 or name not in VALUE_VARIES:
        if expected != got:
            return f"in-process {text(expected)}, here {text(got)}"
    return ""


