"""Guest processes and threads as typed kernel objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from vkernel.fdtable import FdTable
from vkernel.sched import RestartBlock, State, Wait
from vkernel.signals import FaultFrame, PosixTimer
from vkernel.waitq import WaitQueue

if TYPE_CHECKING:
    from emu import CPU
    from vkernel.control import Control
    from vkernel.kernel import Kernel
    from vkernel.signals import SigInfo
    from vkernel.memory import AddressSpace
    from vkernel.vfs.namespace import Location
    from vkernel.waitq import WaitQueue


@dataclass
class Credentials:
    uid: int = 0
    gid: int = 0
    euid: int = 0
    egid: int = 0
    suid: int = 0
    sgid: int = 0
    groups: list[int] = field(default_factory=list)


@dataclass
class SigAction:
    handler: int = 0          # SIG_DFL
    flags: int = 0
    restorer: int = 0
    mask: int = 0


@dataclass
class Thread:
    tid: int
    process: Process
    rip: int = 0
    sigmask: int = 0
    clear_child_tid: int = 0
    robust_list: tuple[int, int] = (0, 0)
    control: Control | None = None     # set by a handler that must stop the emulator
    front_streak: int = 0              # slices in a row it went on first (Scheduler.add)
    yield_after: int = 0               # syscalls left before it yields to a thread it woke
    # Signals: queued on this thread, the alternate stack (sp, flags, size), the mask
    # sigsuspend replaced, and whether anything may have become deliverable.
    pending: list[SigInfo] = field(default_factory=list)
    # (ss_sp, ss_flags as set, ss_size), as Linux's sas_ss_*: the first thread starts with
    # all zeros, a thread clone(CLONE_VM) makes with SS_DISABLE, a fork child inherits.
    altstack: tuple[int, int, int] = (0, 0, 0)
    saved_sigmask: int | None = None
    attention: bool = False
    interrupted_by: int = 0            # the signal that cut a blocking syscall short
    resumed_policy: str = "sys"        # the restart policy of the wait it left
    restart_block: RestartBlock | None = None   # what restart_syscall(2) continues
    sigwait_set: int = 0               # rt_sigtimedwait: signals that wake it though blocked
    nice: int = 0                      # -20..19, per thread as Linux; inherited by clone and fork
    fault_frame: FaultFrame = field(default_factory=FaultFrame)   # the last CPU exception's record
    state: State = State.RUNNABLE
    wait: Wait | None = None           # while blocked
    resumed: Wait | None = None        # the wait just completed, for the trace
    pending_result: int | None = None  # RAX to store when the thread next runs
    restart_nr: int | None = None      # re-issue this syscall when the thread next runs
    context: object | None = None      # saved CPU state while another thread runs
    # Registers a new thread overrides in the context it copies from its creator.
    start_regs: dict[str, int] = field(default_factory=dict)


@dataclass
class Process:
    kernel: Kernel
    pid: int
    ppid: int
    cpu: CPU
    mm: AddressSpace
    fds: FdTable
    cwd: Location
    exe: Location | None
    exe_path: bytes
    argv: list[bytes]
    envp: list[bytes]
    creds: Credentials
    pgid: int = 0
    sid: int = 0
    umask: int = 0o022
    comm: bytes = b""
    threads: list[Thread] = field(default_factory=list)
    sigactions: dict[int, SigAction] = field(default_factory=dict)
    pending: list[SigInfo] = field(default_factory=list)   # process-directed signals
    alarm: object | None = None        # the ITIMER_REAL timer and its interval
    # Guest CPU time: nanoseconds spent running this process's threads, and the
    # ITIMER_VIRTUAL/ITIMER_PROF deadlines on it, which -> (cpu_ns deadline, interval).
    cpu_ns: int = 0
    cpu_timers: dict[int, tuple[int, int]] = field(default_factory=dict)
    posix_timers: dict[int, PosixTimer] = field(default_factory=dict)   # timer_create's, by id
    next_timer_id: int = 0             # ids count up per process and are not reused
    rlimits: dict[int, tuple[int, int]] = field(default_factory=dict)
    exit_code: int | None = None       # wait status, once the process has exited
    personality: int = 0
    dispatcher: object | None = None
    exit_signal: int = 0               # sent to the parent at exit (SIGCHLD for fork)
    exit_seq: int = 0                  # order of death, so wait4 reaps deterministically
    # wait4/waitid callers parked until a child changes state: each Wait leaves the
    # list when it is woken from there or cancelled, so it never wakes a later wait.
    child_waiters: list[Wait] = field(default_factory=list)
    exit_queue: WaitQueue | None = None   # pidfds watching for its exit (vkernel/pidfd.py)
    # Job control: the signal that stopped the process (0 while it runs), the threads
    # parked by the stop until SIGCONT, and the change its parent's wait has not
    # reported yet (a wait status: stopped, or continued; 0 when there is none).
    stopped_by: int = 0
    stopped_threads: list[Thread] = field(default_factory=list)
    wait_report: int = 0
    # vfork: the parent thread suspended until this child execs or exits, and whether
    # this child still borrows the parent's address space and CPU.
    vfork_parent: Thread | None = None
    borrowed_mm: bool = False
    crash: str | None = None           # the one-line report if it died of a CPU fault
    # Called when a generated /proc file of this process is read.
    extra_proc_files: dict[str, Callable[[], bytes]] = field(default_factory=dict)
    # Told of every signal queued on the process or one of its threads, for its
    # signalfds (Linux's sighand->signalfd_wqh); made with the first signalfd.
    signalfd_waiters: WaitQueue | None = None

    def signalfd_queue(self) -> WaitQueue:
        if self.signalfd_waiters is None:
            self.signalfd_waiters = WaitQueue(self.kernel.sched, f"a signal for a signalfd of {self.pid}")
        return self.signalfd_waiters

    @property
    def main_thread(self) -> Thread:
        return self.threads[0]


def wait_status_exited(code: int) -> int:
    return (code & 0xFF) << 8


def wait_status_stopped(sig: int) -> int:
    return (sig & 0xFF) << 8 | 0x7F


WAIT_STATUS_CONTINUED = 0xFFFF


def wait_status_signaled(sig: int, core: bool = False) -> int:
    return (sig & 0x7F) | (0x80 if core else 0)


def shell_status(wait_status: int) -> int:
    """The exit status a shell reports: the code, or 128+signal."""
    sig = wait_status & 0x7F
    return 128 + sig if sig else (wait_status >> 8) & 0xFF

