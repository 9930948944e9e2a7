"""The kernel: the container's namespace, its processes, the syscall choke point, and
the loop that runs guest threads.

Every guest syscall enters through :meth:`Dispatcher.on_syscall`, called from the CPU's
syscall hook.  That is the single choke point: tracing and auditing hook in there, and
cost nothing when switched off (the traced variant is chosen once, at start).  Threads
are switched only in :meth:`Kernel.run`, outside emulator callbacks.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import random
import struct
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

from emu import CPU, StopReason
from loader.elf import NotExecutable
from vkernel import abi
from vkernel.audit import AuditLog
from vkernel.control import Block, Control, Exec, ExitGroup, ExitThread, KernelStop, Killed, SigReturn, Spawn, Yield
from vkernel.errors import SyscallError
from vkernel.exec import ExecImage, load_program
from vkernel.fdtable import DEFAULT_NOFILE, FdTable
from vkernel.futex import FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS, FutexTable
from vkernel.memory import AddressSpace, WXViolation
from vkernel.net.unix import UnixNames
from vkernel.net.vnet import VnetNames
from vkernel.policy import Policy, default_policy
from vkernel.policy.enforce import Enforcer
from vkernel.policy.net import NetPolicy
from vkernel.policy.paths import symlink_guard
from vkernel.policy.quota import QuotaMeter
from vkernel.policy.trust import TrustedDigests
from vkernel.pty import Devpts
from vkernel.sched import QUANTUM_INSTRUCTIONS, YIELD_AFTER_WAKE, Scheduler, State, Wait
from vkernel.sources import Sources, SourceStop
from vkernel.syscalls.spec import make_invoker
from vkernel.syscalls.table import TABLE, Row
from vkernel.task import (WAIT_STATUS_CONTINUED, Credentials, Process, Thread, wait_status_exited,
                          wait_status_signaled, wait_status_stopped)
from vkernel.vfs.devfs import make_devfs
from vkernel.vfs.file import HostFileDescription
from vkernel.vfs.hostfs import HostFS
from vkernel.vfs.inode import Inode, InodeNumbers, encode_dev
from vkernel.vfs.layers import LayerError, LowerLayer, TarLimits, load_tar
from vkernel.vfs.memfs import MemFS
from vkernel.vfs.namespace import Location, Mount, Namespace
from vkernel.vfs.overlay import HostUpper, OverlayFS
from vkernel.vfs.procfs import ProcFS
from vkernel import procview, signals


class KernelBug(Exception):
    """A Python exception escaped a syscall handler (invariant 3)."""


@dataclass
class Volume:
    """``-v HOST:GUEST[:ro|rw]``."""
    host: str
    guest: str
    readonly: bool = True
    noexec: bool = False


@dataclass
class KernelConfig:
    volumes: list[Volume] = field(default_factory=list)
    host_root: str = "/"
    # strict: an exception escaping a handler stops the run (tests); otherwise EIO + audit.
    strict: bool = False
    hostname: bytes = b"vkernel"
    tracer: Callable[[Thread, Row, tuple[int, ...], int | Control], None] | None = None
    audit: AuditLog | None = None
    policy: Policy = field(default_factory=default_policy)
    # Decodes a syscall's arguments for audit records (tools.trace.describe_args).
    describe_args: Callable[[Thread, Row, tuple[int, ...]], list[str]] | None = None
    # Read-only layers over host_root, bottom first (directories or tarballs, OCI
    # whiteouts honoured), and the host directory of the writable layer (None: memory).
    layers: list[str] = field(default_factory=list)
    upper: str | None = None
    # Address-space layout: None places programs as Linux does with randomisation off;
    # a seed randomises the PIE, mmap (ld.so), stack and brk bases, the same per seed.
    aslr_seed: int | None = None
    # Shown to the user: layer entries refused (also audited).
    warn: Callable[[str], None] | None = None
    # Instructions a thread runs before another runnable one gets the CPU: with the
    # inputs from Sources, all that decides the interleaving (a recording stores it).
    quantum: int = QUANTUM_INSTRUCTIONS
    # Record/replay (tools/record.py): each syscall's thread, number and result, with
    # no argument decoding (cheaper than a tracer).
    syscall_hook: Callable[[Thread, int, Sequence[int], int | Control], None] | None = None


class Debugger(Protocol):
    """A debugger attached to the scheduler loop (tools/gdbstub.py).  All-stop: while
    one of these calls runs, no guest thread does; it may read and change any thread's
    registers and memory, and kill or leave the container."""

    def before_slice(self, t: Thread | None) -> None:
        """Each turn of the loop, before ``t`` runs (None: nothing can run now)."""

    def single_step(self, t: Thread) -> bool:
        """``t`` is about to run (registers live, signals delivered): True runs it for
        one instruction only."""

    def after_slice(self, t: Thread) -> None:
        """``t``'s slice ended (a single step completes here)."""

    def stop(self, t: Thread, signo: int) -> bool:
        """``t`` stopped at a breakpoint (SIGTRAP) or is about to take signal ``signo``
        (a fault's or a queued one): True lets the signal through, False discards it."""


@dataclass
class ExitResult:
    wait_status: int
    crash: str | None = None      # one-line report when the guest died of a CPU fault
    deadlock: list[str] | None = None   # what each thread waited on, when all waited forever


class Kernel:
    def __init__(self, config: KernelConfig | None = None, sources: Sources | None = None) -> None:
        self.config = config or KernelConfig()
        self.sources = sources or Sources()
        self.policy = self.config.policy
        self.audit = self.config.audit or AuditLog(self.policy.container)
        # Under [trust] required: the digests signed manifests vouch for (else None).
        self.trusted = TrustedDigests(self.policy.trust) if self.policy.trust.required else None
        self.hostname = self.config.hostname
        self.numbers = InodeNumbers(lambda: self.sources.clock_ns(abi.CLOCK_REALTIME))
        self.unix_names = UnixNames()        # bound AF_UNIX names of the container
        self.vnet_names = VnetNames()        # ports of the in-kernel network (--net=vnet)
        self.processes: dict[int, Process] = {}
        self.current: Process | None = None
        self._next_pid = 1
        self.bug: BaseException | None = None
        self.ns = self._build_namespace()
        # Draws the PIE and mmap bases of each exec (vkernel/exec.py); None: fixed layout.
        self.layout_rng = random.Random(self.config.aslr_seed) if self.config.aslr_seed is not None else None
        self.quota = QuotaMeter(self, self.policy.quotas)
        self.quota.attach(self.ns)
        self.ns.symlink_guard = symlink_guard(self, self.policy.symlinks)
        self.net_policy = NetPolicy(self.policy.network)     # for the socket layer
        self.sched = Scheduler(self.sources)
        self.futexes = FutexTable(self.sched)
        self.threads_created = 0
        self._exit_seq = 0
        self._cpu_pool: list[tuple[CPU, Dispatcher]] = []
        self._init_process: Process | None = None
        self.tty_pgrp = 0                       # TIOCSPGRP's foreground group, 0 until set
        # Programs exec'd before, by (device, inode, size, mtime): bytes and parsed ELF.
        self.exec_cache: dict[tuple[int, int, int, int], tuple[bytes, object]] = {}
        # One invoker per syscall number, shared by every process's dispatcher, with the
        # syscall policy folded in (allowed rows keep their plain invoker).
        self.enforcer = Enforcer(self, self.policy.syscalls, TABLE)
        self.invokers = self.enforcer.wrap([self._unimplemented_invoker(row) if row.handler is None
                                            else self._refusing_invoker(row) if row.status == "denied"
                                            else _plain_invoker(row.nr) for row in TABLE])
        self.debugger: Debugger | None = None   # --gdb: consulted only while set

    # -- the container's filesystem ------------------------------------------------------

    def _build_namespace(self) -> Namespace:
        devs = iter(range(1, 1 << 20))

        def dev() -> int:
            return encode_dev(0, next(devs) + 30)

        volumes = self.config.volumes + [Volume(m.host, m.guest, m.readonly, m.noexec) for m in self.policy.mounts]
        ns = Namespace(Mount(b"/", *self._root_overlay(dev, [b"/dev", b"/proc", b"/tmp"]
                                                         + [os.fsencode(v.guest) for v in volumes])))
        self.devpts = Devpts(self)
        ns.mount(Mount(b"/dev", make_devfs(self.numbers, dev(), self.sources, self.devpts), "devtmpfs", ["rw"]))
        ns.mount(Mount(b"/proc", ProcFS(self.numbers, dev(), procview.KernelProcView(self)), "proc", ["rw"]))
        ns.mount(Mount(b"/tmp", MemFS(self.numbers, dev()), "tmpfs", ["rw"]))
        for vol in volumes:
            fs = HostFS(self.numbers, dev(), vol.host, readonly=vol.readonly, noexec=vol.noexec,
                        sources=self.sources)
            ns.mount(Mount(os.fsencode(vol.guest), fs, vol.host, ["ro" if vol.readonly else "rw"]))
        return ns

    def _root_overlay(self, dev: Callable[[], int], mountpoints: list[bytes]) -> tuple[OverlayFS, str, list[str]]:
        """The root filesystem as docker stacks it: the ``--layer``s (the last given on
        top) over the container root, under the writable layer; and, at the bottom, an
        in-memory layer holding the mount points, so none is ever written to a
        host-backed upper layer.  Returns (filesystem, source, mount options); raises
        LayerError when a layer cannot be used."""
        cfg = self.config

        def host_dir(path: str, readonly: bool) -> HostFS:
            try:
                return HostFS(self.numbers, dev(), path, readonly=readonly, sources=self.sources)
            except OSError as exc:
                raise LayerError(f"{path}: {exc.strerror}") from None

        lowers = []
        for index, path in reversed(list(enumerate(cfg.layers))):
            # Asked through the Sources: a replay knows a directory layer, whose files
            # it answers from the recording, without the directory (and a tarball
            # layer by its place, wherever --layer found it).
            if self.sources.host_call("layer", index, os.path.isdir, path):
                root = host_dir(path, readonly=True).root()
            else:
                root = load_tar(self.numbers, dev(), path, self._layer_warning,
                                TarLimits.for_quota(self.policy.quotas.layer_bytes)).root()
            lowers.append(LowerLayer(root, path, marked=True))
        lowers.append(LowerLayer(host_dir(cfg.host_root, readonly=True).root(), cfg.host_root, marked=False))
        init = MemFS(self.numbers, dev(), root_mode=0o755)
        for path in mountpoints:
            node = init.root()
            for name in (c for c in path.split(b"/") if c):
                try:
                    node = node.lookup(name)
                except SyscallError:
                    node = node.mkdir(name, 0o755, 0, 0)
        lowers.append(LowerLayer(init.root(), "mountpoints", marked=False))
        options = ["rw", "lowerdir=" + ":".join(layer.source for layer in lowers[:-1])]
        upper = None
        if cfg.upper is not None:
            upper = HostUpper(host_dir(cfg.upper, readonly=False))
            options.append(f"upperdir={cfg.upper}")
        return OverlayFS(self.numbers, dev(), lowers, upper), "overlay", options

    def _layer_warning(self, message: str) -> None:
        """A layer entry refused (hostile or unsupported): audited, and shown by vkemu."""
        self.audit.record(None, "-", "layer", message)
        if self.config.warn is not None:
            self.config.warn(message)

    def guest_location(self, host_path: str) -> Location | None:
        """Where a host path appears in the container, if it does."""
        try:
            return self.ns.resolve(self.ns.root, os.fsencode(os.path.abspath(host_path)))
        except SyscallError:
            return None

    # -- processes -------------------------------------------------------------------------

    def spawn(self, data: bytes, exe_path: bytes, argv: list[bytes], envp: list[bytes],
              attested: bool, cwd: bytes | None = None) -> Process:
        """The container's first process, running ``data`` (an ELF image)."""
        pid = self._allocate_id()
        cpu, dispatcher = self._new_cpu()
        mm = AddressSpace(cpu)
        cwd_loc = self.ns.root
        if cwd is not None:
            try:
                loc = self.ns.resolve(self.ns.root, cwd)
                if loc.inode.is_dir:
                    cwd_loc = loc
            except SyscallError:
                pass
        uid, gid = self.sources.host_call("ids", "", _host_ids)
        proc = Process(kernel=self, pid=pid, ppid=0, cpu=cpu, mm=mm, fds=FdTable(), cwd=cwd_loc,
                       exe=self.guest_location(os.fsdecode(exe_path)),
                       exe_path=os.fsencode(os.path.abspath(exe_path)), argv=argv,
                       envp=envp, creds=Credentials(uid, gid, uid, gid, uid, gid, []), pgid=pid, sid=pid,
                       comm=os.path.basename(exe_path)[:15])
        thread = Thread(tid=pid, process=proc)
        proc.threads.append(thread)
        proc.dispatcher = dispatcher
        dispatcher.process = proc
        dispatcher.thread = thread
        self.threads_created += 1
        nofile = self.policy.quotas.open_files     # the quota is RLIMIT_NOFILE's hard limit
        proc.rlimits[abi.RLIMIT_NOFILE] = (min(DEFAULT_NOFILE, nofile), nofile)
        proc.fds.limit = proc.rlimits[abi.RLIMIT_NOFILE][0]
        proc.fds.on_full = self.quota.check_open_files
        self.quota.initial_rlimits(proc)
        self._attach_stdio(proc)
        if attested and not self.attest(thread, None, os.fsdecode(exe_path), data):
            raise WXViolation(f"{os.fsdecode(exe_path)} is not listed in a manifest signed by a trusted key")
        entry, sp = load_program(proc, data, argv, envp, exe_path, attested, self.sources.random_bytes(16))
        thread.rip = entry
        cpu.set_reg("rsp", sp)
        cpu.owner = thread
        self.processes[pid] = proc
        self.current = proc
        self._init_process = proc
        self.sched.add(thread)
        return proc

    def _new_cpu(self) -> tuple[CPU, Dispatcher]:
        """A CPU with no mappings: from the pool of exited processes' CPUs, or new (a
        Unicorn instance costs milliseconds to create)."""
        if self._cpu_pool:
            return self._cpu_pool.pop()
        dispatcher = Dispatcher(self)
        cpu = CPU(dispatcher.on_syscall)
        dispatcher.attach(cpu)
        return cpu, dispatcher

    def _recycle_cpu(self, cpu: CPU, dispatcher: Dispatcher) -> None:
        """Keep an emptied CPU for the next fork or exec (translated code dropped)."""
        if len(self._cpu_pool) < CPU_POOL_SIZE and not cpu.regions():
            cpu.reset()
            cpu.owner = None
            self._cpu_pool.append((cpu, dispatcher))

    def _unimplemented_invoker(self, row: Row) -> Callable[[Thread, object], int]:
        return lambda t, regs: self.unimplemented(t, row)

    def _refusing_invoker(self, row: Row) -> Callable[[Thread, object], int]:
        """A call the syscall table denies whatever the policy says (ptrace, mount,
        chroot...): each refusal is audited as the policy's are.  ENOSYS is not audited:
        libc probes such calls and falls back (rseq at every start)."""
        invoke = _plain_invoker(row.nr)

        def refuse(t: Thread, regs: object) -> int:
            try:
                return invoke(t, regs)  # type: ignore[return-value]
            except SyscallError as exc:
                if exc.errno != abi.ENOSYS:
                    self.audit.record(t, row.name, "deny", f"denied by the syscall table: {row.note}",
                                      {"errno": abi.ERRNO_NAME.get(exc.errno, exc.errno)})
                raise
        return refuse

    def fork_process(self, t: Thread, flags: int, exit_signal: int) -> Process:
        """A child process of ``t``'s: a copy of its address space (or, with CLONE_VM, the
        same one, borrowed until exec or exit), its fds (shared with CLONE_FILES), cwd,
        credentials and dispositions.  The caller's registers are copied at the stop."""
        parent = t.process
        pid = self._allocate_id()
        if flags & 0x100:                                 # CLONE_VM: posix_spawn, vfork
            cpu, mm, dispatcher = parent.cpu, parent.mm, parent.dispatcher
        else:
            cpu, dispatcher = self._new_cpu()
            mm = parent.mm.fork(cpu)
        if flags & 0x400:                                 # CLONE_FILES
            fds = parent.fds.share()
        else:
            fds = parent.fds.copy()
        child = Process(kernel=self, pid=pid, ppid=parent.pid, cpu=cpu, mm=mm, fds=fds, cwd=parent.cwd,
                        exe=parent.exe, exe_path=parent.exe_path, argv=list(parent.argv), envp=list(parent.envp),
                        creds=dataclasses.replace(parent.creds, groups=list(parent.creds.groups)),
                        pgid=parent.pgid, sid=parent.sid, umask=parent.umask, comm=parent.comm,
                        sigactions={k: dataclasses.replace(v) for k, v in parent.sigactions.items()},
                        rlimits=dict(parent.rlimits), personality=parent.personality)
        child.dispatcher = dispatcher
        child.exit_signal = exit_signal
        child.borrowed_mm = bool(flags & 0x100)
        thread = Thread(tid=pid, process=child, sigmask=t.sigmask, altstack=t.altstack, nice=t.nice)
        thread.start_regs = {"rax": 0}
        child.threads.append(thread)
        self.threads_created += 1
        self.processes[pid] = child
        if flags & 0x4000:                                # CLONE_VFORK
            child.vfork_parent = t
        return child

    def reap(self, child: Process) -> None:
        """wait4 collected a zombie: it disappears from the process table."""
        self.processes.pop(child.pid, None)

    def _allocate_id(self) -> int:
        """pids and tids share one sequence, as in Linux; deterministic from 1."""
        value = self._next_pid
        self._next_pid += 1
        return value

    def new_thread(self, proc: Process) -> Thread:
        thread = Thread(tid=self._allocate_id(), process=proc, altstack=(0, signals.SS_DISABLE, 0))
        proc.threads.append(thread)
        self.threads_created += 1
        return thread

    def thread_count(self) -> int:
        return sum(len(p.threads) for p in self.processes.values())

    def find_thread(self, tid: int) -> Thread | None:
        for proc in self.processes.values():
            for t in proc.threads:
                if t.tid == tid:
                    return t
        return None

    def thread_alive(self, tid: int) -> bool:
        t = self.find_thread(tid)
        return t is not None and t.state is not State.EXITED

    def _attach_stdio(self, proc: Process) -> None:
        for fd in (0, 1, 2):
            try:
                dup, host_flags = self.sources.host_call("stdio", fd, _dup_stdio, fd)
            except OSError:
                continue
            flags = {os.O_RDONLY: abi.O_RDONLY, os.O_WRONLY: abi.O_WRONLY}.get(host_flags & os.O_ACCMODE, abi.O_RDWR)
            if host_flags & os.O_APPEND:
                flags |= abi.O_APPEND
            proc.fds.place(fd, HostFileDescription(None, flags, dup, b"pipe:[%d]" % fd, positional=False,
                                                   sched=self.sched, sources=self.sources))

    # -- running ------------------------------------------------------------------------------

    def run(self) -> ExitResult:
        """The scheduler loop: run threads until the first process exits."""
        init = self.current
        assert init is not None
        self.quota.start_watch(init)
        self.point = 0                 # turns of this loop: where host signals are taken
        while init.exit_code is None:
            self.point = point = self.point + 1
            sig = self.sources.host_signal(point)
            if sig:
                self._deliver_host_signal(init, sig)
                continue
            self.sched.fire_due()
            t = self.sched.next_thread()
            if self.debugger is not None:
                self.debugger.before_slice(t)
            if t is None:
                if self.sched.idle():
                    continue
                return self._deadlock(init)
            self._run_slice(t)
            if self.debugger is not None:
                self.debugger.after_slice(t)
        return ExitResult(init.exit_code, init.crash)

    def post_host_signal(self, sig: int) -> None:
        """Called from the host-signal thread: the Sources stop the running CPU when
        they see fit (live: at once), deliver in the loop."""
        self.sources.post_signal(sig, self._interrupt_current)

    def _interrupt_current(self) -> None:
        if self.current is not None:
            self.current.cpu.interrupt()

    def foreground_pgrp(self) -> int:
        """The terminal's foreground process group: set by TIOCSPGRP (a job-control
        shell), else the first process's group while any of it lives."""
        if self.tty_pgrp and any(p.pgid == self.tty_pgrp and p.exit_code is None for p in self.processes.values()):
            return self.tty_pgrp
        return self._init_process.pgid if self._init_process is not None else 1

    def _deliver_host_signal(self, init: Process, sig: int) -> None:
        """SIGINT/SIGTERM/... from outside go to the foreground process group, as a
        terminal sends Ctrl-C to its whole foreground group (SI_KERNEL): a shell and
        the command it runs in the foreground both receive it."""
        self.audit.record(init.threads[0] if init.threads else None, "-", "signal",
                          f"host signal {abi.SIGNAL_NAMES.get(sig, sig)}", {"signal": sig})
        pgrp = self.foreground_pgrp()
        group = [p for p in self.processes.values() if p.pgid == pgrp and p.exit_code is None]
        for proc in group or [init]:
            signals.send_to_process(self, proc, signals.SigInfo(sig, signals.SI_KERNEL))

    # -- signals ------------------------------------------------------------------------------

    def interrupt(self, t: Thread, sig: int) -> None:
        """A signal ``t`` does not block arrived (or, with 0, one it waits for in
        sigtimedwait): cut its blocking syscall short.  Whether the syscall restarts or
        fails with EINTR is decided when it next runs."""
        if t.state is not State.BLOCKED or t.wait is None or t.process.stopped_by:
            return                         # (a stopped process takes signals once continued)
        if sig and signals.ignored(t.process, sig):
            return
        wait = t.wait
        partial = wait.partial_result()
        wait.cancel()
        if partial:
            self.sched.wake(t, partial)
            return
        t.interrupted_by = sig
        self.sched.wake(t, None)

    def kill_process(self, proc: Process, sig: int) -> None:
        """A fatal signal: every thread is woken so the process dies at its next step."""
        proc.pending.append(signals.SigInfo(sig, signals.SI_KERNEL))
        self.continue_process(proc, report=False)
        for t in proc.threads:
            t.attention = True
            if t.state is State.BLOCKED and t.wait is not None:
                t.wait.cancel()
                self.sched.wake(t, None)

    # -- job control --------------------------------------------------------------------------
    # Invariant: while ``proc.stopped_by`` is set, none of its threads runs guest code:
    # each one that is picked to run parks in ``proc.stopped_threads`` first (blocked
    # threads stay in their syscalls and park when woken), and only continue_process
    # (SIGCONT, SIGKILL) lets them go, with their syscall state untouched.

    def _stop(self, t: Thread, sig: int) -> bool:
        """A stop signal's default action, taken by ``t``: True when the process stops
        (``t`` is parked), False when Linux discards it (SIGTSTP, SIGTTIN or SIGTTOU
        in an orphaned process group)."""
        proc = t.process
        if sig != abi.SIGSTOP and self.pgrp_orphaned(proc.pgid):
            return False
        if not proc.stopped_by:
            proc.stopped_by = sig
            self._notify_parent(proc, wait_status_stopped(sig), signals.CLD_STOPPED, sig)
        self._park_stopped(t)
        return True

    def _park_stopped(self, t: Thread) -> None:
        t.process.stopped_threads.append(t)
        name = abi.SIGNAL_NAMES.get(t.process.stopped_by, str(t.process.stopped_by))
        self.sched.block(Wait(t, f"SIGCONT (stopped by {name})"))

    def continue_process(self, proc: Process, report: bool) -> None:
        """SIGCONT (report: the parent hears of it) or SIGKILL: a stopped process runs."""
        if not proc.stopped_by:
            return
        proc.stopped_by = 0
        threads, proc.stopped_threads = proc.stopped_threads, []
        for t in threads:
            self.sched.resume(t)
        proc.wait_report = 0
        if report:
            self._notify_parent(proc, WAIT_STATUS_CONTINUED, signals.CLD_CONTINUED, abi.SIGCONT)
        # Signals that came while it was stopped now interrupt what its threads wait in.
        for t in proc.threads:
            sig = signals.next_signal(t)
            if sig:
                self.interrupt(t, sig)

    def _notify_parent(self, proc: Process, status: int, code: int, sig: int) -> None:
        """A stop or continue: the parent's wait sees ``status`` once, and SIGCHLD comes
        unless the parent set SA_NOCLDSTOP."""
        proc.wait_report = status
        parent = self.processes.get(proc.ppid)
        if parent is None or parent.exit_code is not None:
            return
        waits, parent.child_waiters = parent.child_waiters, []
        for wait in waits:
            if wait.thread.wait is wait:
                self.sched.wake(wait.thread, None)
        action = parent.sigactions.get(abi.SIGCHLD)
        if action is None or not action.flags & signals.SA_NOCLDSTOP:
            signals.send_to_process(self, parent, signals.SigInfo(abi.SIGCHLD, code, pid=proc.pid,
                                                                  uid=proc.creds.uid, status=sig))

    def pgrp_orphaned(self, pgid: int) -> bool:
        """POSIX: no member has a parent in another group of the same session."""
        for p in self.processes.values():
            if p.pgid == pgid and p.exit_code is None:
                parent = self.processes.get(p.ppid)
                if parent is not None and parent.pgid != pgid and parent.sid == p.sid:
                    return False
        return True

    def _restart_or_eintr(self, t: Thread, nr: int) -> None:
        """A woken syscall: run it again, or, when a signal handler will interrupt it
        (ERESTARTSYS semantics), return EINTR."""
        cpu = t.process.cpu
        sig = t.interrupted_by
        t.interrupted_by = 0
        policy = t.resumed_policy
        if sig:
            handler = t.process.sigactions.get(sig)
            runs_handler = handler is not None and handler.handler not in (signals.SIG_DFL, signals.SIG_IGN)
            if policy == "never" or (runs_handler and (policy == "nohand" or not signals.handler_restarts(t, sig))):
                if t.restart_block is not None:
                    t.restart_block.on_eintr()
                    t.restart_block = None
                cpu.set_result(-abi.EINTR)
                return
        # Back onto the syscall instruction: the same call again, or restart_syscall(2).
        cpu.set_result(nr if t.restart_block is None else NR_RESTART_SYSCALL)
        t.rip -= SYSCALL_INSN_LEN

    def _deliver_signals(self, t: Thread) -> bool:
        """Deliver everything ``t`` can take now, as Linux's exit_to_user_mode_loop:
        default actions, and a handler frame for each signal the mask (as each handler
        changes it) lets through, stacked so the last one set up runs first.
        Returns False if the process died."""
        t.attention = False
        proc = t.process
        while True:
            sig = signals.next_signal(t)
            if sig == 0:
                # A mask swapped for a wait (ppoll, pselect6, epoll_pwait, sigsuspend)
                # that no handler frame took over goes back now (Linux's
                # restore_saved_sigmask); a restarted call swaps it again.
                if t.saved_sigmask is not None and t.state is not State.BLOCKED:
                    t.sigmask, t.saved_sigmask = t.saved_sigmask, None
                return True
            info = signals.dequeue(t, sig)
            if self.debugger is not None and sig != abi.SIGKILL and not self.debugger.stop(t, sig):
                continue
            action = proc.sigactions.get(sig)
            handler = action.handler if action is not None else signals.SIG_DFL
            if handler == signals.SIG_IGN and sig != abi.SIGKILL:
                continue
            if handler == signals.SIG_DFL or sig == abi.SIGKILL:
                if signals.default_ignores(sig) and sig != abi.SIGKILL:
                    continue
                if sig in signals.STOP_SIGNALS:
                    if self._stop(t, sig):
                        return False
                    continue
                self._exit_process(proc, wait_status_signaled(sig, sig in abi.CORE_SIGNALS))
                return False
            if not self._run_handler(t, info):
                return False

    def _run_handler(self, t: Thread, info: signals.SigInfo) -> bool:
        cpu = t.process.cpu
        cpu.set_reg("rip", t.rip)
        try:
            regs = signals.build_frame(t, info, cpu.get_regs(), cpu.get_fxsave())
        except SyscallError:
            # No room for the frame: Linux's force_sigsegv.
            self._exit_process(t.process, wait_status_signaled(abi.SIGSEGV, True))
            return False
        cpu.set_regs(regs)
        t.rip = regs.rip
        self._trace_signal(t, info)
        return True

    def _sigreturn(self, t: Thread) -> None:
        cpu = t.process.cpu
        regs = cpu.get_regs()
        try:
            new, fxsave = signals.restore_frame(t, regs)
        except SyscallError:
            self._exit_process(t.process, wait_status_signaled(abi.SIGSEGV, True))
            return
        cpu.set_regs(new)
        if fxsave is not None:
            cpu.set_fxsave(fxsave)
        t.rip = new.rip
        t.attention = True                     # the mask changed: maybe deliverable now
        self.sched.add(t, front=True)

    def _trace_signal(self, t: Thread, info: signals.SigInfo) -> None:
        tracer = self.config.tracer
        if tracer is not None and hasattr(tracer, "signal"):
            tracer.signal(t, info)

    def _switch_to(self, t: Thread) -> bool:
        """Make ``t``'s registers live in its process's CPU (saving the previous owner's)
        and deliver its signals; False if that killed or stopped the process."""
        proc = t.process
        if proc.stopped_by:
            self._park_stopped(t)
            return False
        cpu = proc.cpu
        owner = cpu.owner
        if owner is not t:
            if owner is not None and owner.state is not State.EXITED:
                owner.context = cpu.save_context(owner.context)  # type: ignore[arg-type]
            cpu.restore_context(t.context)  # type: ignore[arg-type]
            cpu.owner = t
            for name, value in t.start_regs.items():
                cpu.set_reg(name, value)
            t.start_regs = {}
        if t.pending_result is not None:
            cpu.set_result(t.pending_result)
            self._trace_resumed(t)
            t.pending_result = None
        elif t.restart_nr is not None:
            # Back onto the syscall instruction with its number in RAX (or EINTR).
            self._restart_or_eintr(t, t.restart_nr)
            t.restart_nr = None
        proc.dispatcher.thread = t
        self.current = proc
        if t.attention:
            return self._deliver_signals(t)
        return True

    def _run_slice(self, t: Thread) -> None:
        proc = t.process
        if not self._switch_to(t):
            return
        step = self.debugger is not None and self.debugger.single_step(t)
        count = self.config.quantum if self.sched.others_runnable() else 0
        # An armed CPU-time timer bounds the slice: Unicorn's timeout, in wall time, or
        # the quantum when the slices must be repeatable (recording, replay), as it does
        # a CPU budget about to run out (live, the quota's watch stops the CPU).
        timeout_us = 0
        if not self.sources.timed_slices and (proc.cpu_timers or self.quota.cpu_bounded):
            count = count or self.config.quantum
        elif proc.cpu_timers:
            due = min(deadline for deadline, _ in proc.cpu_timers.values()) - proc.cpu_ns
            timeout_us = max(due // 1000, 1)
        if not count and self.sched.has_wakeups():
            # Timers of other threads (and watched host fds) bound a lone thread's slice,
            # by instructions: repeatable, so a recording stores no cut.  Unicorn's
            # timeout (the host clock) would run at full speed, but stopping a vfork
            # child with it corrupted the guest (CPython's posix_spawn tests).
            count = self.config.quantum
        started = time.perf_counter_ns()
        if self.sources.cuts and self.point in self.sources.cuts:
            reason = self._run_to_cut(t, count)
        else:
            reason = proc.cpu.step(t.rip) if step else proc.cpu.run(t.rip, count=count, timeout_us=timeout_us)
        if reason is StopReason.QUANTUM and self.sources.cut_requested:
            self.sources.cut(self.point, t)
        used = time.perf_counter_ns() - started
        proc.cpu_ns += used
        self.quota.after_slice(proc, used)
        if proc.cpu_timers:
            self._fire_cpu_timers(proc)
        if self.bug is not None:
            if isinstance(self.bug, SourceStop):
                raise self.bug
            raise KernelBug(f"exception in a syscall handler: {self.bug!r}") from self.bug
        if reason is StopReason.FAULT:
            if self.debugger is not None and not self._debug_fault(t):
                return
            self._fault(t)
            return
        t.rip = proc.cpu.rip()
        if reason is StopReason.BREAKPOINT:
            self.sched.add(t, front=True)
            if self.debugger is not None:
                self.debugger.stop(t, abi.SIGTRAP)
            return
        control = t.control
        t.control = None
        if control is None:
            # Quantum used up; or a syscall stopped the slice (a signal to deliver, or
            # a thread it woke while this one ran uncounted): then it goes on first.
            self.sched.add(t, front=t.attention or reason is StopReason.STOPPED)
        elif isinstance(control, Yield):
            self.sched.add(t)
        elif isinstance(control, SigReturn):
            self._sigreturn(t)
        elif isinstance(control, Block):
            pass                               # the handler registered the wait
        elif isinstance(control, Spawn):
            child = control.child
            child.context = proc.cpu.save_context()
            child.rip = t.rip
            if child.process.vfork_parent is t:
                # vfork: the parent sleeps until the child execs or exits; the child
                # runs first, on the borrowed address space.
                self.sched.block(Wait(t, f"vfork child {child.tid} to exec or exit"))
                self.sched.add(child, front=True)
            else:
                self.sched.add(t, front=True)      # the creator keeps the CPU
                self.sched.add(child)
        elif isinstance(control, Exec):
            self._exec(t, control.image)  # type: ignore[arg-type]
        elif isinstance(control, ExitThread):
            self._exit_thread(t, control.code)
        elif isinstance(control, ExitGroup):
            self._exit_process(proc, wait_status_exited(control.code))
        elif isinstance(control, Killed):
            self._exit_process(proc, wait_status_signaled(control.signal, control.signal in abi.CORE_SIGNALS))

    def _run_to_cut(self, t: Thread, count: int) -> StopReason:
        """Replay of a slice a host signal cut short between two instructions: run to
        the recorded address, stopping there until the registers are the recorded ones
        (exact unless only memory changed between the visits: later digests check)."""
        cpu = t.process.cpu
        address = self.sources.cuts[self.point][1]
        cpu.set_breakpoints([address])
        try:
            reason = cpu.run(t.rip, count=count)
            # (A signal to vkemu sets wakeup: the loop's next turn takes it.)
            while reason is StopReason.BREAKPOINT and not self.sources.wakeup.is_set():
                if self.sources.at_cut(self.point, t):
                    return StopReason.QUANTUM
                reason = cpu.step(address)
                if reason is StopReason.QUANTUM:
                    reason = cpu.run(cpu.reg("rip"), count=count)
            return reason
        finally:
            cpu.set_breakpoints([])

    def _fire_cpu_timers(self, proc: Process) -> None:
        """ITIMER_VIRTUAL/ITIMER_PROF expiry: SIGVTALRM/SIGPROF, re-armed by interval.
        Host CPU time decides which expired: an input (Sources.expired)."""
        due = [which for which, (deadline, _) in proc.cpu_timers.items() if proc.cpu_ns >= deadline]
        for which in self.sources.expired(self.point, "itimer", due):
            if which not in proc.cpu_timers:
                continue
            deadline, interval = proc.cpu_timers[which]
            if interval:
                proc.cpu_timers[which] = (max(deadline + interval, proc.cpu_ns + 1), interval)
            else:
                del proc.cpu_timers[which]
            sig = abi.SIGVTALRM if which == 1 else abi.SIGPROF
            signals.send_to_process(self, proc, signals.SigInfo(sig, signals.SI_KERNEL))

    def _exit_thread(self, t: Thread, code: int) -> None:
        """exit(2) of one thread: robust futexes, clear_child_tid, and the last one ends the process."""
        proc = t.process
        self._release_robust_futexes(t)
        # Then, as Linux's exit_pi_state_list, every PI futex it owns (by the kernel's
        # record, whatever the word now says) passes to its first waiter, keeping the
        # OWNER_DIED mark the robust list (or the libc, as musl does) put in the word.
        for key, word_addr in self.futexes.pi_owned_by(t):
            try:
                died = proc.mm.read_i32(word_addr) & FUTEX_OWNER_DIED
            except SyscallError:
                continue
            self.futexes.hand_over_pi(key, proc.mm, word_addr, died)
        if t.clear_child_tid:
            try:
                proc.mm.write_i32(t.clear_child_tid, 0)
                self.futexes.wake(self.futexes.key(t, t.clear_child_tid, private=False), 1)
            except SyscallError:
                pass
        self.sched.forget(t)
        proc.threads.remove(t)
        if proc.cpu.owner is t:
            proc.cpu.owner = None
        if not proc.threads:
            self._exit_process(proc, wait_status_exited(code))

    def _release_robust_futexes(self, t: Thread) -> None:
        """Mark every robust futex the dying thread holds OWNER_DIED and wake a waiter."""
        head, _ = t.robust_list
        if not head:
            return
        mm = t.process.mm
        try:
            first, offset, pending = mm.read_u64(head), mm.read_u64(head + 8), mm.read_u64(head + 16)
        except SyscallError:
            return
        offset = offset - (1 << 64) if offset & (1 << 63) else offset
        entries, entry = [], first
        while entry != head and len(entries) < 2048:
            entries.append(entry)
            try:
                entry = mm.read_u64(entry)
            except SyscallError:
                break
        if pending:
            entries.append(pending)
        for entry in entries:
            word_addr = (entry & ~1) + offset
            try:
                word = mm.read_i32(word_addr) & 0xFFFFFFFF
                if word & FUTEX_TID_MASK != t.tid:
                    continue
                mm.write(word_addr, struct.pack("<I", (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED))
                if word & FUTEX_WAITERS:
                    self.futexes.wake(self.futexes.key(t, word_addr, private=False), 1)
                    self.futexes.wake(self.futexes.key(t, word_addr, private=True), 1)
            except SyscallError:
                continue

    def _exit_process(self, proc: Process, status: int, crash: str | None = None) -> None:
        """The process becomes a zombie: threads gone, memory and fds released, children
        handed to pid 1, the parent's wait4 woken."""
        if proc.exit_code is not None:
            return
        if status & 0x80 and not proc.rlimits.get(abi.RLIMIT_CORE, (0, 0))[0]:
            # WCOREDUMP only when a core would be written: RLIMIT_CORE > 0 (0 by default).
            status &= ~0x80
        for thread in list(proc.threads):
            self.sched.forget(thread)
            if proc.cpu.owner is thread:
                proc.cpu.owner = None
        proc.threads.clear()
        proc.crash = crash
        self._exit_seq += 1
        proc.exit_seq = self._exit_seq
        self._end_vfork(proc, proc.pid)
        self.devpts.leader_exits(proc)
        self._exit(proc, status, crash)
        if proc.exit_queue is not None:
            proc.exit_queue.wake_all(abi.POLLIN | abi.POLLRDNORM)
        for child in self.processes.values():
            if child.ppid == proc.pid:
                child.ppid = 1
        parent = self.processes.get(proc.ppid)
        if parent is None or parent.exit_code is not None:
            self.reap(proc)                # nobody left to wait for it
            return
        # Every parked wait4 runs again (it parks anew if this child is not its).
        waits, parent.child_waiters = parent.child_waiters, []
        for wait in waits:
            if wait.thread.wait is wait:
                self.sched.wake(wait.thread, None)
        action = parent.sigactions.get(abi.SIGCHLD)
        if action is not None and (action.handler == signals.SIG_IGN or action.flags & signals.SA_NOCLDWAIT):
            self.reap(proc)                # SIGCHLD ignored: children are never zombies
        if proc.exit_signal:
            if status & 0x7F:
                code, value = (signals.CLD_DUMPED if status & 0x80 else signals.CLD_KILLED), status & 0x7F
            else:
                code, value = signals.CLD_EXITED, (status >> 8) & 0xFF
            signals.send_to_process(self, parent, signals.SigInfo(proc.exit_signal, code, pid=proc.pid,
                                                                  uid=proc.creds.uid, status=value))

    def _end_vfork(self, child: Process, result: int) -> None:
        """The vfork child execs or exits: its parent runs again."""
        parent_thread = child.vfork_parent
        if parent_thread is not None:
            child.vfork_parent = None
            self.sched.wake(parent_thread, result)

    def _exec(self, t: Thread, image: ExecImage) -> None:
        """Replace ``t``'s process image; before the point of no return a failure is
        the caller's error, after it the process has the new program."""
        proc = t.process
        old_cpu, old_mm, old_dispatcher, borrowed = proc.cpu, proc.mm, proc.dispatcher, proc.borrowed_mm
        cpu, dispatcher = self._new_cpu()
        proc.cpu, proc.mm, proc.dispatcher = cpu, AddressSpace(cpu), dispatcher
        try:
            entry, sp = load_program(proc, image.data, image.argv, image.envp, image.path, image.attested,
                                     self.sources.random_bytes(16), image.elf)
        except (SyscallError, NotExecutable) as exc:
            proc.cpu, proc.mm, proc.dispatcher = old_cpu, old_mm, old_dispatcher
            t.pending_result = -(exc.errno if isinstance(exc, SyscallError) else abi.ENOEXEC)
            self.sched.add(t, front=True)
            return
        # -- point of no return --
        for other in [th for th in proc.threads if th is not t]:
            self.sched.forget(other)
            proc.threads.remove(other)
        if borrowed:
            proc.borrowed_mm = False
            if old_cpu.owner is t:
                old_cpu.owner = None
        else:
            old_mm.release_all()
            self._recycle_cpu(old_cpu, old_dispatcher)  # type: ignore[arg-type]
        if proc.fds.users > 1:             # CLONE_FILES: exec unshares the table
            proc.fds.release()
            proc.fds = proc.fds.copy()
        proc.fds.close_cloexec()
        for timer in proc.posix_timers.values():     # exec deletes POSIX timers
            timer.disarm()
        proc.posix_timers.clear()
        for action in proc.sigactions.values():
            if action.handler != 1:
                action.handler, action.flags, action.restorer, action.mask = 0, 0, 0, 0
        proc.exe, proc.exe_path = image.location, image.location.path
        proc.argv, proc.envp = image.argv, image.envp
        proc.comm = os.path.basename(image.path)[:15]
        t.context, t.start_regs, t.clear_child_tid = None, {}, 0
        t.robust_list = (0, 0)
        t.altstack = (0, signals.SS_DISABLE, 0)       # exec clears the alternate signal stack
        cpu.owner = t
        cpu.set_reg("rsp", sp)
        t.rip = entry
        dispatcher.thread = t
        self._end_vfork(proc, proc.pid)
        self.sched.add(t, front=True)

    def _deadlock(self, init: Process) -> ExitResult:
        lines = []
        for tid, wait in sorted(self.sched.blocked.items()):
            lines.append(f"thread {tid}: {wait.syscall or 'blocked'} waiting for {wait.describe}")
        self.audit.record(init.main_thread if init.threads else None, "-", "deadlock",
                          "every thread waits forever", {"waits": lines})
        for proc in list(self.processes.values()):
            if proc.exit_code is None:
                self._exit_process(proc, wait_status_signaled(abi.SIGKILL))
        return ExitResult(init.exit_code or 0, None, lines)

    def _trace_resumed(self, t: Thread) -> None:
        wait = t.resumed
        t.resumed = None
        tracer = self.config.tracer
        if tracer is not None and wait is not None and hasattr(tracer, "resumed"):
            tracer.resumed(t, wait.syscall, t.pending_result)

    def _exit(self, proc: Process, status: int, crash: str | None = None) -> ExitResult:
        if proc.exit_code is not None:
            return ExitResult(proc.exit_code, crash)
        proc.exit_code = status
        if not proc.borrowed_mm:
            proc.mm.release_all()
            if proc is not self._init_process:
                self._recycle_cpu(proc.cpu, proc.dispatcher)  # type: ignore[arg-type]
        proc.fds.release()
        return ExitResult(status, crash)

    def _fault(self, t: Thread) -> None:
        """A CPU exception: the signal's handler runs if one is installed and the signal
        is not blocked; otherwise the process dies of it (Linux's force_sig_fault)."""
        proc = t.process
        fault = proc.cpu.fault
        assert fault is not None
        info, trap = signals.fault_signal(fault, proc.mm, t.fault_frame)
        action = proc.sigactions.get(info.signo)
        if action is None or action.handler in (signals.SIG_DFL, signals.SIG_IGN) or t.sigmask & signals.bit(info.signo):
            self._crash(proc)
            return
        # Faults report the faulting instruction; int3 is a trap (Unicorn's RIP is past it).
        t.rip = fault.rip
        t.fault_frame = trap
        if self._run_handler(t, info):
            self.sched.add(t, front=True)

    def _debug_fault(self, t: Thread) -> bool:
        """The debugger sees a fault before the process does (as under ptrace): True
        delivers it; False discards it and the instruction runs again."""
        fault = t.process.cpu.fault
        assert fault is not None and self.debugger is not None
        t.rip = fault.rip
        if self.debugger.stop(t, signals.FAULT_SIGNALS[fault.kind]):
            return True
        if t.process.exit_code is None:
            self.sched.add(t, front=True)
        return False

    def _crash(self, proc: Process) -> None:
        fault = proc.cpu.fault
        assert fault is not None
        sig = signals.FAULT_SIGNALS[fault.kind]
        try:
            from emu.disasm import describe  # capstone, only for crash reports
            insn = describe(proc.cpu.read(fault.rip, 16), fault.rip)
        except Exception:
            insn = "(unreadable)"
        from emu.disasm import needs_missing_extension
        missing = needs_missing_extension(insn) if fault.kind == "invalid-insn" else None
        if missing:
            report = (f"illegal instruction at rip {fault.rip:#x}: {insn}: the emulated CPU lacks {missing} "
                      "(build for x86-64-v2 or older)")
        elif fault.kind in ("read", "write", "fetch"):
            what = "unmapped" if fault.unmapped else "protected"
            report = (f"{abi.SIGNAL_NAMES[sig]}: {fault.kind} of {what} address {fault.address:#x} "
                      f"at rip {fault.rip:#x}: {insn}")
        else:
            report = f"{abi.SIGNAL_NAMES[sig]}: {fault.kind} at rip {fault.rip:#x}: {insn}"
        self.audit.record(proc.cpu.owner, "-", "fault", report)
        self._exit_process(proc, wait_status_signaled(sig, True), report)

    # -- attestation (invariant 1) -----------------------------------------------------------------

    def attest(self, t: Thread | None, inode: Inode | None, name: str, data: bytes | None = None,
               executable: bool = True) -> bool:
        """The one gate for code: may bytes of this file become executable?  The loader,
        execve and mmap all ask here.  The file must be immutable storage (a read-only
        layer or mount, not noexec); ``inode`` None is the program the user named on the
        host.  Under [trust] required its sha256 (``data``'s, or read from the inode; cached
        by dev, inode, size and mtime) must also be in a manifest signed by a trusted key;
        then only ``executable`` requests are checked and the others are refused, so a
        later mprotect(PROT_EXEC) of such a mapping fails too.  A refusal by trust is
        audited here; W^X refusals are audited where the mapping fails."""
        if inode is not None and not inode.immutable:
            return False
        if self.trusted is None:
            return True
        if not executable:
            return False
        digest = self.trusted.digest(inode, data)
        if self.trusted.vouches(digest):
            return True
        self.audit.record(t, "attest", "deny", f"{name}: sha256 {digest} is in no manifest signed by a trusted key",
                          {"path": name, "sha256": digest})
        return False

    # -- the choke point's slow paths -------------------------------------------------------------

    def unimplemented(self, t: Thread, row: Row) -> int:
        self.audit.record(t, row.name, "enosys", "syscall not implemented", {"nr": row.nr})
        return -abi.ENOSYS

    def handler_crashed(self, t: Thread, row: Row, exc: BaseException) -> int | Control:
        if isinstance(exc, SourceStop):     # a replay diverged: stop, not the guest's EIO
            self.bug = exc
            return KernelStop()
        self.audit.record(t, row.name, "kernel-bug", "exception in handler",
                          {"traceback": "".join(traceback.format_exception(exc))})
        if self.config.strict:
            self.bug = exc
            return KernelStop()
        return -abi.EIO


_NR_TABLE = len(TABLE)


def _host_ids() -> tuple[int, int]:
    """The host user the container's first process runs as (uid, gid)."""
    return os.getuid(), os.getgid()


def _dup_stdio(fd: int) -> tuple[int, int]:
    """A private duplicate of host stdio fd ``fd`` and the host's status flags."""
    import fcntl
    host_flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    dup = os.dup(fd)
    os.set_inheritable(dup, False)
    return dup, host_flags

CPU_POOL_SIZE = 4
SYSCALL_INSN_LEN = 2   # 0f 05
NR_RESTART_SYSCALL = 219
_ENOSYS_ROW = Row(-1, "unknown", (), None, "missing")


@functools.cache
def _plain_invoker(nr: int) -> Callable[[Thread, Sequence[int]], object]:
    """The table is fixed for the life of the program: one invoker per row, shared by
    every kernel (building them all took milliseconds per Kernel)."""
    row = TABLE[nr]
    assert row.handler is not None
    return make_invoker(row.handler, row.converters)


class Dispatcher:
    """Per-process syscall entry: decode, run the handler, store the result."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.process: Process
        self.thread: Thread
        self.invokers = kernel.invokers
        self.tracer = kernel.config.tracer
        self.hook = kernel.config.syscall_hook
        # Chosen once: the hot path pays one check whatever observes syscalls.
        self.observe = self._observe if self.tracer is not None else self.hook

    def attach(self, cpu: CPU) -> None:
        self.regs = cpu.args
        self.set_result = cpu.set_result
        self.cpu = cpu
        self.sched = self.kernel.sched

    def dispatch(self, t: Thread, regs: Sequence[int]) -> int | Control:
        """Run syscall ``regs[0]`` (arguments in ``regs[1:7]``) for ``t``: the handler's
        result, ``-errno`` for a SyscallError, and for any other exception what
        handler_crashed decides (invariant 3).  The CPU hook and the fuzz harness
        (tools/fuzz) both enter here; storing the result is the caller's business."""
        nr = regs[0]
        try:
            if nr < _NR_TABLE:
                return self.invokers[nr](t, regs)  # type: ignore[return-value]
            return self.kernel.enforcer.beyond_table(t, Row(nr, f"syscall_{nr}", (), None, "missing"), regs)
        except SyscallError as exc:
            return -exc.errno
        except Exception as exc:  # invariant 3: a kernel bug, never a crash
            return self.kernel.handler_crashed(t, TABLE[nr], exc)

    def on_syscall(self) -> bool:
        """Called from the CPU hook; True stops the emulator for the scheduler."""
        regs = self.regs
        nr = regs[0]
        t = self.thread
        sched = self.sched
        wakes = sched.wakes
        result = self.dispatch(t, regs)
        if self.observe is not None:
            self.observe(t, nr, regs, result)
        if result.__class__ is int:
            self.set_result(result)
            if sched.wakes != wakes:
                # A thread running without a count that wakes another must become
                # preemptible now, or a loop waiting for the woken one would never end:
                # stop, and go on counted (the scheduler puts it back first).
                t.yield_after = YIELD_AFTER_WAKE
                return t.attention or (not self.cpu.counting and sched.others_runnable())
            if t.yield_after:
                # Wake-up preemption, a few syscalls late: a waker that goes on without
                # blocking yields to the woken thread while what it let go around its
                # syscalls (a lock, CPython's GIL) may still be free.  Quanta alone
                # nearly always end while the waker holds it again.
                t.yield_after -= 1
                if not t.yield_after and sched.others_runnable():
                    t.control = Yield()
                    return True
            return t.attention
        t.yield_after = 0                  # it blocks, yields or leaves: the CPU is free
        if result.result is not None:  # type: ignore[union-attr]
            self.set_result(result.result)  # type: ignore[union-attr]
        if t.wait is not None:
            t.wait.syscall = TABLE[nr].name
            t.wait.nr = nr
        t.control = result  # type: ignore[assignment]
        return True

    def _observe(self, t: Thread, nr: int, regs: Sequence[int], result: int | Control) -> None:
        if self.hook is not None:
            self.hook(t, nr, regs, result)
        if self.tracer is not None:
            self.tracer(t, TABLE[nr] if nr < _NR_TABLE else _ENOSYS_ROW, tuple(regs), result)
