"""Signals: generation, pending queues, and delivery through Linux-exact x86-64 frames.

Invariants:
- A signal is queued on a thread (tkill, faults) or on its process (kill, timers,
  SIGCHLD).  Standard signals (< SIGRTMIN) are pending at most once; real-time ones queue.
- A signal whose action is "ignore" is discarded when generated, unless blocked.
- Delivery happens only in the scheduler loop: after a syscall that left a deliverable
  signal, and before a thread runs.  ``attention`` is the one flag the syscall hot path
  reads; anything that may make a signal deliverable sets it.
- The frame is the kernel's ``rt_sigframe``: pretcode (SA_RESTORER), ``ucontext``
  (sigcontext, FXSAVE state, saved mask, altstack) and ``siginfo``, with the stack
  aligned as ``get_sigframe`` does, so libc's ucontext readers see the right values.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emu import Regs
from vkernel import abi
from vkernel.errors import SyscallError

if TYPE_CHECKING:
    from emu.cpu import Fault
    from vkernel.kernel import Kernel
    from vkernel.memory import AddressSpace
    from vkernel.sched import Timer
    from vkernel.task import Process, Thread

SIG_DFL, SIG_IGN = 0, 1
SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO = 0x1, 0x2, 0x4
SA_RESTORER, SA_ONSTACK, SA_RESTART = 0x04000000, 0x08000000, 0x10000000
SA_NODEFER, SA_RESETHAND = 0x40000000, 0x80000000
SS_ONSTACK, SS_DISABLE, SS_AUTODISARM = 1, 2, 1 << 31
MINSIGSTKSZ = 2048
SIGRTMIN = 32
SI_USER, SI_KERNEL, SI_QUEUE, SI_TIMER, SI_TKILL = 0, 0x80, -1, -2, -6
SEGV_MAPERR, SEGV_ACCERR = abi.SEGV_MAPERR, abi.SEGV_ACCERR
CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED = 1, 2, 3, 5, 6
UNBLOCKABLE = (1 << (abi.SIGKILL - 1)) | (1 << (19 - 1))
STOP_SIGNALS = frozenset({19, 20, 21, 22})
CONT = 18

REDZONE = 128
FXSAVE_SIZE = 512
# The fpstate area: FXSAVE image + XSAVE header (x87 and SSE only), then FP_XSTATE_MAGIC2.
XSTATE_SIZE = FXSAVE_SIZE + 64
XSTATE_FRAME_SIZE = XSTATE_SIZE + 4
FP_XSTATE_MAGIC1, FP_XSTATE_MAGIC2 = 0x46505853, 0x46505845
XFEATURES_FP_SSE = 0x3
UCONTEXT_SIZE = 304          # uc_flags, uc_link, uc_stack, sigcontext, uc_sigmask
SIGINFO_SIZE = 128
FRAME_SIZE = 8 + UCONTEXT_SIZE + SIGINFO_SIZE
UC_FP_XSTATE, UC_SIGCONTEXT_SS, UC_STRICT_RESTORE_SS = 0x1, 0x2, 0x4
USER_CS, USER_SS = 0x33, 0x2B
# EFLAGS bits a signal return may change (Linux's FIX_EFLAGS).
FIX_EFLAGS = 0x40DD5
_SIGCONTEXT_REGS = ("r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx",
                    "rdx", "rax", "rcx", "rsp", "rip")


def bit(sig: int) -> int:
    return 1 << (sig - 1)


@dataclass
class SigInfo:
    signo: int
    code: int = SI_USER
    errno: int = 0
    pid: int = 0
    uid: int = 0
    status: int = 0           # SIGCHLD
    addr: int = 0             # faults
    value: int = 0            # sigqueue / timers
    timer_id: int = 0
    overrun: int = 0
    raw: bytes | None = None  # rt_sigqueueinfo: the caller's own bytes
    timer: PosixTimer | None = None   # SI_TIMER: the timer, and the arming that sent it
    timer_generation: int = 0

    def pack(self) -> bytes:
        if self.raw is not None:
            return self.raw[:SIGINFO_SIZE].ljust(SIGINFO_SIZE, b"\0")
        head = struct.pack("<iii4x", self.signo, self.errno, self.code)
        if self.signo in (abi.SIGSEGV, abi.SIGBUS, abi.SIGILL, abi.SIGFPE, abi.SIGTRAP) and self.code > 0:
            body = struct.pack("<Q", self.addr)
        elif self.code == SI_TIMER:
            body = struct.pack("<iiQ", self.timer_id, self.overrun, self.value)
        elif self.signo == abi.SIGCHLD and self.code > 0:
            body = struct.pack("<IIiqq", self.pid, self.uid, self.status, 0, 0)
        else:
            body = struct.pack("<IIQ", self.pid, self.uid, self.value)
        return (head + body).ljust(SIGINFO_SIZE, b"\0")


# -- POSIX timers -------------------------------------------------------------------------

SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID = 0, 1, 2, 4


@dataclass(eq=False)
class PosixTimer:
    """A timer_create(2) timer, with Linux's rules:

    - an expiry queues one SI_TIMER signal; a periodic timer is re-armed only when that
      signal is dequeued (delivered or taken by sigwaitinfo), and the periods that went
      by meanwhile become its si_overrun and timer_getoverrun's answer;
    - an expiry whose signal is ignored re-arms at once (nothing will be dequeued);
    - timer_settime starts a new generation: a signal still pending from an older one is
      delivered but re-arms nothing;
    - SIGEV_NONE timers never signal: their state is computed when read.
    Times are on the scheduler's monotonic clock; ``expiry_ns`` 0 means disarmed."""
    proc: Process
    timer_id: int
    clock_id: int
    signo: int
    notify: int
    value: int
    thread: Thread | None = None        # SIGEV_THREAD_ID's target
    expiry_ns: int = 0
    interval_ns: int = 0
    overrun_last: int = 0
    generation: int = 0
    _event: Timer | None = None

    def arm(self, expiry_ns: int, interval_ns: int) -> None:
        """timer_settime: (re)arm at a monotonic deadline, or disarm with 0."""
        self.disarm()
        self.expiry_ns, self.interval_ns = expiry_ns, interval_ns if expiry_ns else 0
        if expiry_ns and self.notify != SIGEV_NONE:
            self._event = self.proc.kernel.sched.add_timer(expiry_ns, self._expire)

    def disarm(self) -> None:
        if self._event is not None:
            self._event.cancelled = True
            self._event = None
        self.generation += 1
        self.expiry_ns = self.interval_ns = 0

    def remaining(self, now: int) -> int:
        """timer_gettime's it_value: time to the next expiry (0 when disarmed)."""
        if not self.expiry_ns:
            return 0
        if self.expiry_ns > now:
            return self.expiry_ns - now
        if not self.interval_ns:
            return 0
        return self.interval_ns - (now - self.expiry_ns) % self.interval_ns

    def _expire(self) -> None:
        self._event = None
        kernel = self.proc.kernel
        if self.proc.exit_code is not None:
            return
        info = SigInfo(self.signo, SI_TIMER, timer_id=self.timer_id, value=self.value, timer=self,
                       timer_generation=self.generation)
        if not self.interval_ns:
            self.expiry_ns = 0
        target = self.thread if self.thread is not None and self.thread in self.proc.threads else None
        sent = send_to_thread(kernel, target, info) if target else send_to_process(kernel, self.proc, info)
        if not sent and self.interval_ns:
            self._forward(kernel.sched.now())

    def _forward(self, now: int) -> int:
        """Move a periodic expiry past ``now`` and schedule it; returns the periods skipped."""
        overrun = max(0, (now - self.expiry_ns) // self.interval_ns)
        self.expiry_ns += (overrun + 1) * self.interval_ns
        self._event = self.proc.kernel.sched.add_timer(self.expiry_ns, self._expire)
        return overrun

    def dequeued(self, info: SigInfo) -> int:
        """Its signal left the queue: re-arm a periodic timer; returns si_overrun."""
        if info.timer_generation != self.generation or not self.interval_ns or self.proc.exit_code is not None:
            return 0
        self.overrun_last = min(self._forward(self.proc.kernel.sched.now()), DELAYTIMER_MAX)
        return self.overrun_last


DELAYTIMER_MAX = 0x7FFFFFFF


# -- dispositions ------------------------------------------------------------------------

def default_ignores(sig: int) -> bool:
    """SIGCONT's default action (continue) happens when it is generated, so delivering it
    does nothing more; stop signals are not ignored: their default stops the process."""
    return sig in abi.IGNORED_BY_DEFAULT or sig == CONT


def ignored(proc: Process, sig: int) -> bool:
    action = proc.sigactions.get(sig)
    handler = action.handler if action is not None else SIG_DFL
    return handler == SIG_IGN or (handler == SIG_DFL and default_ignores(sig))


# -- generation -----------------------------------------------------------------------------

def send_to_process(kernel: Kernel, proc: Process, info: SigInfo) -> bool:
    """kill(2)'s delivery: queue on the process, wake a thread that can take it.
    False when nothing was queued (ignored, already pending, or the process is gone)."""
    sig = info.signo
    if proc.exit_code is not None or not proc.threads:
        return False
    if sig == abi.SIGKILL:
        kernel.kill_process(proc, sig)
        return True
    job_control(kernel, proc, sig)
    if ignored(proc, sig) and not all(t.sigmask & bit(sig) for t in proc.threads):
        return False
    if sig < SIGRTMIN and any(p.signo == sig for p in proc.pending):
        return False
    proc.pending.append(info)
    _tell_signalfds(proc)
    for t in proc.threads:
        t.attention = True
    waiter = next((t for t in proc.threads if t.sigwait_set & bit(sig)), None)
    if waiter is not None:
        kernel.interrupt(waiter, 0)
        return True
    target = next((t for t in proc.threads if not t.sigmask & bit(sig)), None)
    if target is not None:
        kernel.interrupt(target, sig)
    return True


def send_to_thread(kernel: Kernel, t: Thread, info: SigInfo) -> bool:
    """tkill(2), faults, SIGPIPE: queue on one thread.  False when nothing was queued."""
    sig = info.signo
    proc = t.process
    if proc.exit_code is not None:
        return False
    if sig == abi.SIGKILL:
        kernel.kill_process(proc, sig)
        return True
    job_control(kernel, proc, sig)
    if ignored(proc, sig) and not t.sigmask & bit(sig):
        return False
    if sig < SIGRTMIN and any(p.signo == sig for p in t.pending):
        return False
    t.pending.append(info)
    _tell_signalfds(proc)
    t.attention = True
    if t.sigwait_set & bit(sig):
        kernel.interrupt(t, 0)
    elif not t.sigmask & bit(sig):
        kernel.interrupt(t, sig)
    return True


def _tell_signalfds(proc: Process) -> None:
    if proc.signalfd_waiters is not None:
        proc.signalfd_waiters.wake_all(abi.POLLIN | abi.POLLRDNORM)


def job_control(kernel: Kernel, proc: Process, sig: int) -> None:
    """What generating a stop signal or SIGCONT does at once, whatever the disposition
    (Linux's prepare_signal): SIGCONT discards pending stop signals and continues a
    stopped process; a stop signal discards a pending SIGCONT."""
    if sig == CONT:
        discard = STOP_SIGNALS
    elif sig in STOP_SIGNALS:
        discard = frozenset({CONT})
    else:
        return
    for queue in [proc.pending] + [t.pending for t in proc.threads]:
        queue[:] = [info for info in queue if info.signo not in discard]
    if sig == CONT:
        kernel.continue_process(proc, report=True)


def pending_mask(t: Thread) -> int:
    mask = 0
    for info in t.pending:
        mask |= bit(info.signo)
    for info in t.process.pending:
        mask |= bit(info.signo)
    return mask


def next_signal(t: Thread, blocked: int | None = None) -> int:
    """The lowest-numbered pending signal ``t`` does not block (0 if none)."""
    deliverable = pending_mask(t) & ~(t.sigmask if blocked is None else blocked)
    return (deliverable & -deliverable).bit_length() if deliverable else 0


def dequeue(t: Thread, sig: int) -> SigInfo:
    """Take the first queued ``sig`` (thread queue first); a POSIX timer's signal re-arms
    its timer now and learns its overrun count, as Linux's posixtimer_rearm."""
    for queue in (t.pending, t.process.pending):
        for i, info in enumerate(queue):
            if info.signo == sig:
                info = queue.pop(i)
                if info.timer is not None:
                    info.overrun = info.timer.dequeued(info)
                return info
    raise KeyError(sig)


def handler_restarts(t: Thread, sig: int) -> bool:
    """Whether a syscall interrupted by ``sig`` restarts (no handler, or SA_RESTART)."""
    action = t.process.sigactions.get(sig)
    if action is None or action.handler in (SIG_DFL, SIG_IGN):
        return True
    return bool(action.flags & SA_RESTART)


# -- delivery ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FaultFrame:
    """What the CPU exception leaves in sigcontext: trapno, err and cr2."""
    trapno: int = 0
    err: int = 0
    cr2: int = 0


FAULT_SIGNALS = {"read": abi.SIGSEGV, "write": abi.SIGSEGV, "fetch": abi.SIGSEGV, "invalid-insn": abi.SIGILL,
                 "divide": abi.SIGFPE, "breakpoint": abi.SIGTRAP, "interrupt": abi.SIGSEGV}


def fault_signal(fault: Fault, mm: AddressSpace, last: FaultFrame) -> tuple[SigInfo, FaultFrame]:
    """The signal a CPU exception raises, and the thread's new trapno/err/cr2 record, as
    Linux's x86 trap handlers build them (cr2 changes only with a page fault: ``last``'s
    is kept otherwise).

    Page faults: SEGV_MAPERR when no VMA covers the address, SEGV_ACCERR when one does;
    err has PF_PROT only when the page is present, and a PROT_NONE page never is.  An
    access the VMA allows to a page past the end of a shared-mapped file is SIGBUS
    BUS_ADRERR (Linux's VM_FAULT_SIGBUS), with the same trap record.
    #DE/#UD report the instruction's address; int3 (a trap: RIP is already past it) and
    #GP are SI_KERNEL with no address."""
    sig = FAULT_SIGNALS[fault.kind]
    if fault.kind in ("read", "write", "fetch"):
        vma = mm.find(fault.address)
        err = abi.PF_USER | (abi.PF_WRITE if fault.kind == "write" else 0) | (
            abi.PF_INSTR if fault.kind == "fetch" else 0)
        if vma is not None and vma.prot & 7:
            err |= abi.PF_PROT
        code = SEGV_MAPERR if vma is None else SEGV_ACCERR
        need = {"read": abi.PROT_READ, "write": abi.PROT_WRITE, "fetch": abi.PROT_EXEC}[fault.kind]
        if mm.past_end_of_file(fault.address, need):
            sig, code, err = abi.SIGBUS, abi.BUS_ADRERR, err & ~abi.PF_PROT
        return SigInfo(sig, code, addr=fault.address), FaultFrame(abi.TRAP_PF, err, fault.address)
    if fault.kind == "divide":
        return SigInfo(sig, abi.FPE_INTDIV, addr=fault.rip), FaultFrame(abi.TRAP_DE, 0, last.cr2)
    if fault.kind == "invalid-insn":
        return SigInfo(sig, abi.ILL_ILLOPN, addr=fault.rip), FaultFrame(abi.TRAP_UD, 0, last.cr2)
    if fault.kind == "breakpoint":
        return SigInfo(sig, SI_KERNEL), FaultFrame(abi.TRAP_BP, 0, last.cr2)
    # A software interrupt through a gate user mode may not use: #GP with the gate's selector.
    err = fault.vector * 8 + 2 if 0 < fault.vector < 256 else 0
    return SigInfo(sig, SI_KERNEL), FaultFrame(abi.TRAP_GP, err, last.cr2)


def on_altstack(t: Thread, sp: int) -> bool:
    """Linux's on_sig_stack: never with SS_AUTODISARM (the stack is disarmed while used)."""
    base, flags, size = t.altstack
    return not flags & SS_AUTODISARM and sp > base and sp - base <= size


def altstack_state(t: Thread, sp: int) -> int:
    """sigaltstack's reported state at ``sp`` (Linux's sas_ss_flags): SS_DISABLE with no
    stack, SS_ONSTACK on it, else 0."""
    if not t.altstack[2]:
        return SS_DISABLE
    return SS_ONSTACK if on_altstack(t, sp) else 0


def set_altstack(t: Thread, sp: int, ss_sp: int, ss_flags: int, ss_size: int) -> None:
    """do_sigaltstack: EPERM while running on the current stack, EINVAL for a bad mode,
    ENOMEM below MINSIGSTKSZ.  The flags are kept as given (a legacy SS_ONSTACK too)."""
    if on_altstack(t, sp):
        raise SyscallError(abi.EPERM)
    mode = ss_flags & ~SS_AUTODISARM
    if mode not in (0, SS_ONSTACK, SS_DISABLE):
        raise SyscallError(abi.EINVAL)
    if mode == SS_DISABLE:
        ss_sp = ss_size = 0
    elif ss_size < MINSIGSTKSZ:
        raise SyscallError(abi.ENOMEM)
    t.altstack = (ss_sp, ss_flags & 0xFFFFFFFF, ss_size)


def build_frame(t: Thread, info: SigInfo, regs: Regs, fxsave: bytes) -> Regs:
    """Write the rt_sigframe for ``info`` and return the registers the handler starts with.

    sigcontext's trapno, err and cr2 are the thread's last exception's, for any signal
    (stale after a kill, as Linux's thread.trap_nr/error_code/cr2).  Raises SyscallError
    (EFAULT) when the stack cannot take the frame: the caller then kills the process
    with SIGSEGV, as Linux's force_sigsegv does."""
    proc = t.process
    action = proc.sigactions[info.signo]
    mm = proc.mm
    ss_sp, ss_flags, ss_size = t.altstack
    onstack = on_altstack(t, regs.rsp)
    sp = regs.rsp - REDZONE
    if action.flags & SA_ONSTACK and altstack_state(t, sp) == 0:
        sp = ss_sp + ss_size
    fp_addr = (sp - XSTATE_FRAME_SIZE) & ~63
    frame = ((fp_addr - FRAME_SIZE + 8) & ~15) - 8        # align_sigframe: (RSP + 8) % 16 == 0
    if onstack and not on_altstack(t, frame):
        raise SyscallError(abi.EFAULT)                     # would overflow the alternate stack
    trapno, err, cr2 = t.fault_frame.trapno, t.fault_frame.err, t.fault_frame.cr2
    greg_values = [getattr(regs, name) for name in _SIGCONTEXT_REGS]
    # The mask to restore: sigsuspend's saved mask when it is the interrupted call.
    old_mask = t.saved_sigmask if t.saved_sigmask is not None else t.sigmask
    t.saved_sigmask = None
    sigcontext = struct.pack("<17QQHHHHQQQQQ64x", *greg_values, regs.rflags, USER_CS, 0, 0, USER_SS,
                             err, trapno, old_mask & 0xFFFFFFFF, cr2, fp_addr)
    ucontext = struct.pack("<QQQI4xQ", UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, 0, ss_sp, ss_flags,
                           ss_size) + sigcontext + struct.pack("<Q", old_mask)
    assert len(ucontext) == UCONTEXT_SIZE
    mm.write(fp_addr, xstate_image(fxsave))
    mm.write(frame, struct.pack("<Q", action.restorer) + ucontext + info.pack())
    new = Regs(**{name: getattr(regs, name) for name in Regs.__dataclass_fields__})
    new.rsp, new.rip = frame, action.handler
    new.rdi, new.rsi, new.rdx, new.rax = info.signo, frame + 8 + UCONTEXT_SIZE, frame + 8, 0
    new.rflags &= ~(0x400 | 0x100)           # DF and TF clear in the handler
    t.sigmask = old_mask | action.mask
    if not action.flags & SA_NODEFER:
        t.sigmask |= bit(info.signo)
    t.sigmask &= ~UNBLOCKABLE
    if action.flags & SA_RESETHAND:
        action.handler, action.flags = SIG_DFL, action.flags & ~SA_SIGINFO
    if ss_flags & SS_AUTODISARM:
        t.altstack = (0, SS_DISABLE, 0)
    return new


def xstate_image(fxsave: bytes) -> bytes:
    """The fpstate Linux writes with XSAVE: the FXSAVE image whose software-reserved
    bytes describe the extended frame (FP_XSTATE_MAGIC1, its size, x87|SSE), the XSAVE
    header, and FP_XSTATE_MAGIC2 after it; a libc checking the magics finds them."""
    sw_bytes = struct.pack("<IIQI28x", FP_XSTATE_MAGIC1, XSTATE_FRAME_SIZE, XFEATURES_FP_SSE, XSTATE_SIZE)
    header = struct.pack("<Q56x", XFEATURES_FP_SSE)
    return fxsave[:464] + sw_bytes + header + struct.pack("<I", FP_XSTATE_MAGIC2)


def restore_frame(t: Thread, regs: Regs) -> tuple[Regs, bytes | None]:
    """rt_sigreturn: registers, mask and altstack from the ucontext at RSP.

    Returns the registers to resume with and the FXSAVE image to load (None when the
    frame has no FPU state).  EFAULT if the frame is not readable."""
    mm = t.process.mm
    uc = regs.rsp
    _flags, _link, ss_sp, ss_flags, ss_size = struct.unpack("<QQQI4xQ", mm.read(uc, 40))
    values = struct.unpack("<17QQHHHHQQQQQ", mm.read(uc + 40, 192))
    mask = mm.read_u64(uc + 40 + 256)
    new = Regs(**{name: getattr(regs, name) for name in Regs.__dataclass_fields__})
    for name, value in zip(_SIGCONTEXT_REGS, values[:17]):
        setattr(new, name, value)
    new.rflags = (regs.rflags & ~FIX_EFLAGS) | (values[17] & FIX_EFLAGS)
    fp_addr = values[-1]
    fxsave = mm.read(fp_addr, FXSAVE_SIZE) if fp_addr else None
    t.sigmask = mask & ~UNBLOCKABLE
    try:
        set_altstack(t, new.rsp, ss_sp, ss_flags, ss_size)
    except SyscallError as exc:
        if exc.errno == abi.EFAULT:
            raise
        # Linux's restore_altstack squashes the other errors (e.g. EPERM from a nested
        # handler that returns onto the alternate stack).
    return new, fxsave
