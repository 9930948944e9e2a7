"""Pseudo-terminals: /dev/ptmx pairs and their /dev/pts/N slaves (Linux's
drivers/tty/pty.c, the tty ioctls and devpts, as x86-64 sees them).

A pair is one :class:`Pty`.  What the master writes goes through the slave's line
discipline (vkernel/ldisc.py: input editing, echo, signal characters) into what the
slave reads; what the slave writes goes through output processing (OPOST) into
``Pty.output``, which the master reads raw.  The termios, window size, session and foreground group are
the slave's, and either end's ioctls act on them, as Linux's pty ioctls reach the slave
through the master.

Invariants:
- Every change an end's ``poll`` can see is announced on that end's wait queue; blocked
  reads and writes park there and run again when woken (vkernel/waitq.py).
- A write waits while ``Pty.output`` (or the discipline's held input) holds
  ``BUFFER_BYTES`` or more; one that finds room takes all its bytes if it may block
  (Linux's writer would wait until they fit: the return is the same, only sooner) and
  what fits if it may not.  So neither direction grows past the buffer by more than
  one write, and a blocking write is never short.
- The controlling terminal belongs to a session (``Pty.session``), and every process of
  that session sees it, except those that gave it up with TIOCNOTTY; a session whose
  leader has exited has none.  (Linux keeps it per process; the difference shows only
  for processes that were already in the session when the leader acquired it.)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from vkernel import abi, signals
from vkernel.control import Block
from vkernel.errors import SyscallError
from vkernel.ldisc import TERMIOS, TERMIOS2, LineDiscipline, Termios
from vkernel.sched import Wait
from vkernel.vfs.devfs import DeviceInode
from vkernel.vfs.file import FileDescription, copy_out
from vkernel.vfs.inode import encode_dev
from vkernel.waitq import WaitQueue, WouldBlock

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Process, Thread
    from vkernel.vfs.memfs import MemFS, MemInode

BUFFER_BYTES = 1 << 16          # each direction, as the tty flip buffers' limit
PTY_MAX = 4096                  # /proc/sys/kernel/pty/max
PTS_MAJOR = 136                 # UNIX98_PTY_SLAVE_MAJOR
# The container's first session (its first process, pid 1, leads it) stands for the
# session vkemu was started in, whose real leader is the host's shell: none of its
# processes counts as a session leader here, so none takes a pty as its controlling
# terminal, as the program run natively would not.
OUTER_SESSION = 1
WINSIZE_BYTES = 8
_SETS = frozenset({abi.TCSETS, abi.TCSETSW, abi.TCSETSF, abi.TCSETS2, abi.TCSETSW2, abi.TCSETSF2})
# The ioctls that change the terminal, which a background process may not do freely.
_CHANGES = _SETS | {abi.TCFLSH, abi.TCXONC, abi.TCSBRK, abi.TCSBRKP, abi.TIOCSPGRP}
HUNG_UP_POLL = (abi.POLLIN | abi.POLLOUT | abi.POLLERR | abi.POLLHUP | abi.POLLRDNORM | abi.POLLWRNORM)


def _leads_session(proc: Process) -> bool:
    return proc.pid == proc.sid != OUTER_SESSION


class Pty:
    """One master/slave pair."""

    def __init__(self, devpts: Devpts, index: int, inode: DeviceInode) -> None:
        self.devpts = devpts
        self.kernel = devpts.kernel
        self.index = index
        self.inode = inode                   # /dev/pts/N
        self.termios = Termios()
        self.winsize = bytes(WINSIZE_BYTES)
        self.locked = True                   # TIOCSPTLCK: slave opens fail with EIO
        self.exclusive = False               # TIOCEXCL
        self.packet = False                  # TIOCPKT
        self.masters = 1                     # open master descriptions
        self.slaves = 0                      # open slave descriptions
        self.slave_closed = False            # every slave closed since one was open: master reads EIO
        self.hung_up = False                 # the master is gone: slave reads 0, writes EIO
        self.session = 0                     # the session whose controlling terminal this is
        self.pgrp = 0                        # its foreground process group
        self.detached: set[int] = set()      # pids that gave it up (TIOCNOTTY)
        self.output = bytearray()            # slave to master, processed
        sched = self.kernel.sched
        self.ldisc = LineDiscipline(self.termios, self._emit, self._signal_foreground, sched.now)
        self.slave_queue = WaitQueue(sched, f"/dev/pts/{index} to change")
        self.master_queue = WaitQueue(sched, f"pty master {index} to change")

    @property
    def name(self) -> bytes:
        return b"/dev/pts/%d" % self.index

    def _emit(self, data: bytes) -> None:
        if data and not self.hung_up:
            self.output += data
            self.master_queue.wake_all(abi.POLLIN | abi.POLLRDNORM)

    def _members(self, pgrp: int) -> list[Process]:
        return [p for p in self.kernel.processes.values() if p.pgid == pgrp and p.exit_code is None]

    def _signal_foreground(self, sig: int) -> None:
        if self.pgrp:
            for proc in self._members(self.pgrp):
                signals.send_to_process(self.kernel, proc, signals.SigInfo(sig, signals.SI_KERNEL))

    def controls(self, proc: Process) -> bool:
        """Whether this is ``proc``'s controlling terminal."""
        if not self.session or proc.sid != self.session or proc.pid in self.detached:
            return False
        leader = self.kernel.processes.get(self.session)
        if leader is None or leader.exit_code is not None:
            self.session = self.pgrp = 0         # the leader's exit disassociated it
            return False
        return True

    def leader_exits(self, leader: Process) -> None:
        pgrp, self.session, self.pgrp = self.pgrp, 0, 0
        for member in self._members(pgrp):
            if member is not leader:
                signals.send_to_process(self.kernel, member, signals.SigInfo(abi.SIGHUP, signals.SI_KERNEL))

    # -- opening and closing --
    def open_slave(self, inode: MemInode, flags: int, proc: Process | None) -> PtySlave:
        if self.hung_up or self.locked:
            raise SyscallError(abi.EIO)
        if self.exclusive and (proc is None or proc.creds.euid != 0):
            raise SyscallError(abi.EBUSY)
        self.slaves += 1
        self.slave_closed = False
        desc = PtySlave(self, inode, flags)
        desc.path = self.name
        if proc is not None and not flags & abi.O_NOCTTY and _leads_session(proc) and not self.session \
                and self.devpts.controlling(proc) is None:
            self._acquire(proc)
        self.master_queue.wake_all()
        return desc

    def close_slave(self) -> None:
        self.slaves -= 1
        if not self.slaves:
            self.slave_closed = True
            self.master_queue.wake_all()
            self.devpts.release(self)

    def close_master(self) -> None:
        """Hang up the slave: its readers see end of file, its writers EIO, and the
        session leader it controls gets SIGHUP and SIGCONT (tty_vhangup)."""
        self.masters -= 1
        if self.masters:
            return
        self.hung_up = True
        if self.session:
            leader = self.kernel.processes.get(self.session)
            if leader is not None and leader.exit_code is None:
                for sig in (abi.SIGHUP, abi.SIGCONT):
                    signals.send_to_process(self.kernel, leader, signals.SigInfo(sig, signals.SI_KERNEL))
        self.session = self.pgrp = 0
        self.output.clear()
        # Who waits in a read or write now fails with EIO (n_tty's TTY_OTHER_CLOSED);
        # later calls see the hung-up file: reads 0, writes EIO.
        waits, self.slave_queue.waits = self.slave_queue.waits, []
        for wait in waits:
            if wait.thread.wait is wait:
                self.kernel.sched.wake(wait.thread, -abi.EIO)
        self.slave_queue.wake_all()
        self.devpts.release(self)

    def _acquire(self, proc: Process) -> None:
        self.session, self.pgrp = proc.sid, proc.pgid
        self.detached.discard(proc.pid)

    # -- data --
    def master_write(self, data: bytes, nonblock: bool) -> int:
        room = BUFFER_BYTES - self.ldisc.held()
        if room <= 0:
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.master_queue.park)
        n = len(data) if not nonblock else min(room, len(data))
        self.ldisc.receive(data[:n])
        self.slave_queue.wake_all(abi.POLLIN | abi.POLLRDNORM)
        return n

    def master_read(self, views: list[memoryview], nonblock: bool) -> int:
        if not any(len(v) for v in views):
            return 0
        if not self.output:
            if self.slave_closed:
                raise SyscallError(abi.EIO)
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.master_queue.park)
        # TIOCPKT: a status byte first; only TIOCPKT_DATA (0) is produced here.
        head = b"\0" if self.packet else b""
        n = max(min(sum(len(v) for v in views) - len(head), len(self.output)), 0)
        data = head + self.output[:n]
        copy_out(data, views, 0)
        del self.output[:n]
        self.slave_queue.wake_all(abi.POLLOUT | abi.POLLWRNORM)
        return len(data)

    def slave_write(self, data: bytes, nonblock: bool) -> int:
        if self.hung_up:
            raise SyscallError(abi.EIO)
        room = BUFFER_BYTES - len(self.output)
        if room <= 0 or self.ldisc.stopped:
            if nonblock:
                raise SyscallError(abi.EAGAIN)
            raise WouldBlock(self.slave_queue.park)
        n = len(data) if not nonblock else min(room, len(data))
        self._emit(self.ldisc.process_output(data[:n]))
        return n

    def slave_read(self, views: list[memoryview], nonblock: bool) -> int:
        if self.hung_up or not any(len(v) for v in views):
            return 0
        ldisc = self.ldisc
        if ldisc.canonical:
            n = ldisc.read_canonical(views)
            if n is None:
                if nonblock:
                    raise SyscallError(abi.EAGAIN)
                raise WouldBlock(self.slave_queue.park)
        else:
            n = self._read_noncanonical(views, nonblock)
        self.master_queue.wake_all(abi.POLLOUT | abi.POLLWRNORM)
        return n

    def _read_noncanonical(self, views: list[memoryview], nonblock: bool) -> int:
        """VMIN/VTIME (termios(3)): MIN bytes, or the bytes a TIME timer leaves, which
        with MIN runs between bytes and without MIN from the read's start."""
        ldisc = self.ldisc
        cc = self.termios.cc
        vmin, vtime = cc[abi.VMIN], cc[abi.VTIME] * 100_000_000
        have = len(ldisc.edit)
        need = min(vmin, sum(len(v) for v in views))
        now = self.kernel.sched.now()
        if have >= max(need, 1) or (not vmin and not vtime) or (have and nonblock):
            ldisc.interbyte_deadline = None
            return ldisc.read_raw(views)
        if nonblock:
            raise SyscallError(abi.EAGAIN)
        if not vmin:
            deadline = now + vtime
            raise WouldBlock(lambda t: self._park_slave(t, deadline, 0))
        if have and vtime:
            if ldisc.interbyte_deadline is None:
                ldisc.interbyte_deadline = now + vtime
            if now >= ldisc.interbyte_deadline:
                ldisc.interbyte_deadline = None
                return ldisc.read_raw(views)
            deadline = ldisc.interbyte_deadline
            raise WouldBlock(lambda t: self._park_slave(t, deadline, None))
        raise WouldBlock(self.slave_queue.park)

    def _park_slave(self, t: Thread, deadline: int, result: int | None) -> Block:
        """Park a slave reader until the input changes or ``deadline``: then the read
        returns ``result``, or runs again (None)."""
        sched = self.kernel.sched
        queue = self.slave_queue
        wait = Wait(t, queue.describe)
        wait.cancel = lambda: queue.remove(wait)
        queue.waits.append(wait)
        sched.block(wait)

        def expire() -> None:
            if t.wait is wait:
                wait.cancel()
                sched.wake(t, result)
        wait.timer = sched.add_timer(deadline, expire)
        return Block()

    # -- readiness --
    def master_poll(self) -> int:
        mask = abi.POLLIN | abi.POLLRDNORM if self.output else 0
        if self.slave_closed:
            mask |= abi.POLLHUP
        if self.ldisc.held() < BUFFER_BYTES:
            mask |= abi.POLLOUT | abi.POLLWRNORM
        return mask

    def slave_poll(self) -> int:
        if self.hung_up:
            return HUNG_UP_POLL
        mask = abi.POLLIN | abi.POLLRDNORM if self.ldisc.poll_ready() else 0
        if not self.ldisc.stopped and len(self.output) < BUFFER_BYTES:
            mask |= abi.POLLOUT | abi.POLLWRNORM
        return mask

    # -- ioctl --
    def ioctl(self, t: Thread, desc: PtyEnd, request: int, arg: int) -> int:
        """The terminal ioctls of either end (tty_ioctl, tty_mode_ioctl, n_tty_ioctl
        and, on the master, pty_unix98_ioctl)."""
        master = isinstance(desc, PtyMaster)
        if not master and self.hung_up:
            raise SyscallError(abi.ENOTTY if request == abi.TIOCSPGRP else abi.EIO)
        mm = t.process.mm
        if request in _CHANGES:
            self._check_change(t, request)
        if request in (abi.TCGETS, abi.TCGETS2):
            mm.write(arg, self.termios.pack(speeds=request == abi.TCGETS2))
        elif request in _SETS:
            size = TERMIOS2.size if request in (abi.TCSETS2, abi.TCSETSW2, abi.TCSETSF2) else TERMIOS.size
            new = Termios.unpack(bytes(mm.read(arg, size)), self.termios)
            if request in (abi.TCSETSF, abi.TCSETSF2):
                self.ldisc.flush()
            self.ldisc.set_termios(new)
            self.slave_queue.wake_all()
            self.master_queue.wake_all()
        elif request == abi.TIOCGWINSZ:
            mm.write(arg, self.winsize)
        elif request == abi.TIOCSWINSZ:
            size = bytes(mm.read(arg, WINSIZE_BYTES))
            if size != self.winsize:
                self.winsize = size
                self._signal_foreground(abi.SIGWINCH)
        elif request == abi.FIONREAD:
            mm.write_i32(arg, len(self.output) if master else self.ldisc.readable())
        elif request == abi.TIOCOUTQ:
            mm.write_i32(arg, 0)
        elif request == abi.TCFLSH:
            self._flush(master, arg)
        elif request == abi.TCXONC:
            if arg not in range(4):
                raise SyscallError(abi.EINVAL)
        elif request in (abi.TCSBRK, abi.TCSBRKP):
            pass                         # nothing waits to drain, no line to break
        elif request == abi.TIOCSTI:
            # As if typed (dev.tty.legacy_tiocsti on): into the caller's controlling
            # terminal, or anywhere for root.  The master's input is what it reads.
            if not (self.controls(t.process) and not master) and t.process.creds.euid != 0:
                raise SyscallError(abi.EPERM)
            typed = bytes(mm.read(arg, 1))
            if master:
                self._emit(typed)
            else:
                self.ldisc.receive(typed)
                self.slave_queue.wake_all(abi.POLLIN | abi.POLLRDNORM)
        elif request in (abi.TIOCEXCL, abi.TIOCNXCL):
            self.exclusive = request == abi.TIOCEXCL
        elif request in (abi.TIOCSCTTY, abi.TIOCNOTTY, abi.TIOCGPGRP, abi.TIOCSPGRP, abi.TIOCGSID):
            return self._session_ioctl(t, desc, master, request, arg)
        elif master:
            return self._master_ioctl(t, request, arg)
        else:
            raise SyscallError(abi.ENOTTY)
        return 0

    def job_control(self, proc: Process, blocked: int, sig: int) -> None:
        """__tty_check_change: a process of a background group that reads its
        controlling terminal (SIGTTIN), or changes it or writes to it under TOSTOP
        (SIGTTOU), stops its group with ``sig`` and runs the call again once it
        continues (ERESTARTSYS).  Ignoring or blocking (``blocked``, a signal mask) the
        signal lets it through, except a read (EIO); so does nothing in an orphaned
        group, which gets EIO."""
        if not self.pgrp or proc.pgid == self.pgrp or not self.controls(proc):
            return
        action = proc.sigactions.get(sig)
        if (action is not None and action.handler == signals.SIG_IGN) or blocked & signals.bit(sig):
            if sig == abi.SIGTTIN:
                raise SyscallError(abi.EIO)
            return
        if self.kernel.pgrp_orphaned(proc.pgid):
            raise SyscallError(abi.EIO)
        for member in self._members(proc.pgid):
            signals.send_to_process(self.kernel, member, signals.SigInfo(sig, signals.SI_KERNEL))
        raise WouldBlock(lambda t: self._stopped_by(t, sig))

    def _stopped_by(self, t: Thread, sig: int) -> Block:
        """Park ``t`` just long enough for its syscall to be known, then let ``sig``
        cut it short: the stop (or a handler) happens, and the call restarts as
        ERESTARTSYS says."""
        sched = self.kernel.sched
        wait = Wait(t, f"{abi.SIGNAL_NAMES[sig]} to stop it")
        sched.block(wait)

        def deliver() -> None:
            if t.wait is wait:
                self.kernel.interrupt(t, sig)
            if t.wait is wait:           # nothing to interrupt it any more: just run again
                sched.wake(t, None)
        wait.timer = sched.add_timer(sched.now(), deliver)
        return Block()

    def _check_change(self, t: Thread, request: int) -> None:
        try:
            self.job_control(t.process, t.sigmask, abi.SIGTTOU)
        except SyscallError as exc:
            if request == abi.TIOCSPGRP and not isinstance(exc, WouldBlock):
                raise SyscallError(abi.ENOTTY) from None     # tiocspgrp's EIO
            raise

    def _flush(self, master: bool, queue: int) -> None:
        """TCFLSH: the master's input is the slave's output; an output flush finds
        nothing that the other side's discipline has not taken already."""
        if queue not in (abi.TCIFLUSH, abi.TCOFLUSH, abi.TCIOFLUSH):
            raise SyscallError(abi.EINVAL)
        if queue != abi.TCOFLUSH:
            if master:
                self.output.clear()
                self.slave_queue.wake_all(abi.POLLOUT | abi.POLLWRNORM)
            else:
                self.ldisc.flush()
                self.master_queue.wake_all(abi.POLLOUT | abi.POLLWRNORM)

    def _session_ioctl(self, t: Thread, desc: PtyEnd, master: bool, request: int, arg: int) -> int:
        """The controlling terminal and its foreground group: TIOCSCTTY, TIOCNOTTY,
        TIOCGPGRP, TIOCSPGRP, TIOCGSID."""
        proc = t.process
        mm = proc.mm
        root = proc.creds.euid == 0
        controlling = self.controls(proc)
        if request == abi.TIOCSCTTY:
            leader = _leads_session(proc)
            if leader and controlling:
                return 0
            if not leader or self.devpts.controlling(proc) is not None:
                raise SyscallError(abi.EPERM)
            if self.session and self.session != proc.sid:
                leader_proc = self.kernel.processes.get(self.session)
                if leader_proc is not None and leader_proc.exit_code is None and not (arg == 1 and root):
                    raise SyscallError(abi.EPERM)
            if not desc.readable and not root:
                raise SyscallError(abi.EPERM)
            self._acquire(proc)
            return 0
        if request == abi.TIOCNOTTY:
            # The master is nobody's controlling terminal: only the slave gives it up.
            if master or not controlling:
                raise SyscallError(abi.ENOTTY)
            if _leads_session(proc):
                pgrp = self.pgrp
                self.session = self.pgrp = 0
                for member in self._members(pgrp):
                    for sig in (abi.SIGHUP, abi.SIGCONT):
                        signals.send_to_process(self.kernel, member, signals.SigInfo(sig, signals.SI_KERNEL))
            else:
                self.detached.add(proc.pid)
            return 0
        if request == abi.TIOCGPGRP:
            if not master and not controlling:
                raise SyscallError(abi.ENOTTY)
            mm.write_i32(arg, self.pgrp)
            return 0
        if request == abi.TIOCGSID:
            if (not master and not controlling) or not self.session:
                raise SyscallError(abi.ENOTTY)
            mm.write_i32(arg, self.session)
            return 0
        # TIOCSPGRP
        if not controlling:
            raise SyscallError(abi.ENOTTY)
        pgrp = mm.read_i32(arg)
        if pgrp < 0:
            raise SyscallError(abi.EINVAL)
        members = self._members(pgrp)
        if not members:
            raise SyscallError(abi.ESRCH)
        if any(p.sid != proc.sid for p in members):
            raise SyscallError(abi.EPERM)
        self.pgrp = pgrp
        return 0

    def _master_ioctl(self, t: Thread, request: int, arg: int) -> int:
        mm = t.process.mm
        if request == abi.TIOCGPTN:
            mm.write_i32(arg, self.index)
        elif request == abi.TIOCSPTLCK:
            self.locked = mm.read_i32(arg) != 0
        elif request == abi.TIOCGPTLCK:
            mm.write_i32(arg, int(self.locked))
        elif request == abi.TIOCPKT:
            self.packet = mm.read_i32(arg) != 0
        elif request == abi.TIOCGPKT:
            mm.write_i32(arg, int(self.packet))
        elif request == abi.TIOCSIG:
            if arg not in (abi.SIGINT, abi.SIGQUIT, abi.SIGTSTP):
                raise SyscallError(abi.EINVAL)
            self._signal_foreground(arg)
        elif request == abi.TIOCGPTPEER:
            flags = arg & 0xFFFFFFFF
            desc = self.open_slave(self.inode, flags, t.process)
            try:
                return t.process.fds.install(desc, cloexec=bool(flags & abi.O_CLOEXEC))
            except SyscallError:
                desc.close()
                raise
        else:
            raise SyscallError(abi.ENOTTY)
        return 0


class PtyEnd(FileDescription):
    """Either end of a pair: a terminal, not seekable, ready as its poll says."""

    seekable = False
    pollable = True

    def __init__(self, pty: Pty, inode: MemInode, flags: int) -> None:
        super().__init__(inode, flags)
        self.pty = pty

    def size(self) -> int:
        return 0

    def is_tty(self) -> bool:
        return True

    def tty_ioctl(self, t: Thread, request: int, arg: int) -> int:
        return self.pty.ioctl(t, self, request, arg)

    @staticmethod
    def _joined(data: list[memoryview] | list[bytes]) -> bytes:
        return bytes(data[0]) if len(data) == 1 else b"".join(data)


class PtyMaster(PtyEnd):
    def read(self, views: list[memoryview]) -> int:
        return self.pty.master_read(views, self.nonblocking)

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        return self.pty.master_write(self._joined(data), self.nonblocking)

    def readable_bytes(self) -> int:
        return len(self.pty.output)

    def poll(self) -> int:
        return self.pty.master_poll()

    def poll_queue(self) -> WaitQueue:
        return self.pty.master_queue

    def close(self) -> None:
        self.pty.close_master()


class PtySlave(PtyEnd):
    def read(self, views: list[memoryview]) -> int:
        self._background_check(abi.SIGTTIN)
        return self.pty.slave_read(views, self.nonblocking)

    def write(self, data: list[memoryview] | list[bytes]) -> int:
        if self.pty.termios.lflag & abi.TOSTOP:
            self._background_check(abi.SIGTTOU)
        return self.pty.slave_write(self._joined(data), self.nonblocking)

    def _background_check(self, sig: int) -> None:
        """Reads and writes get no thread: the caller is the kernel's current process,
        and a signal counts as blocked when all its threads block it."""
        proc = self.pty.kernel.current
        if proc is not None and not self.pty.hung_up:
            blocked = -1
            for t in proc.threads:
                blocked &= t.sigmask
            self.pty.job_control(proc, blocked, sig)

    def readable_bytes(self) -> int:
        return self.pty.ldisc.readable()

    def poll(self) -> int:
        return self.pty.slave_poll()

    def poll_queue(self) -> WaitQueue:
        return self.pty.slave_queue

    def close(self) -> None:
        self.pty.close_slave()


class Devpts:
    """The container's pairs by index and the /dev/pts directory listing their slaves.
    Opens reach it through device inodes, which get no caller: the caller is the
    kernel's current process, the one whose syscall is running."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.ptys: dict[int, Pty] = {}
        self.fs: MemFS | None = None
        self.directory: MemInode | None = None

    def attach(self, fs: MemFS, directory: MemInode) -> None:
        self.fs, self.directory = fs, directory

    def open_master(self, inode: DeviceInode, flags: int) -> FileDescription:
        """Open /dev/ptmx: a new pair, its slave locked until TIOCSPTLCK."""
        assert self.fs is not None and self.directory is not None
        if flags & abi.O_PATH:
            return FileDescription(inode, flags)          # names the node, opens no pair
        index = next((i for i in range(PTY_MAX) if i not in self.ptys), None)
        if index is None:
            raise SyscallError(abi.ENOSPC)
        slave_inode = DeviceInode(self.fs, encode_dev(PTS_MAJOR, index),
                                  lambda ino, flags: self._open_slave(pty, ino, flags))
        proc = self.kernel.current
        slave_inode.mode_bits = abi.S_IFCHR | 0o620
        if proc is not None:
            slave_inode.uid, slave_inode.gid = proc.creds.euid, proc.creds.egid
        pty = Pty(self, index, slave_inode)
        self.ptys[index] = pty
        self.directory.children[b"%d" % index] = slave_inode
        return PtyMaster(pty, inode, flags)

    def _open_slave(self, pty: Pty, inode: DeviceInode, flags: int) -> FileDescription:
        if flags & abi.O_PATH:
            return FileDescription(inode, flags)
        return pty.open_slave(inode, flags, self.kernel.current)

    def open_controlling(self, inode: MemInode, flags: int) -> FileDescription | None:
        """/dev/tty for a process whose controlling terminal is a pty; None otherwise."""
        proc = self.kernel.current
        pty = self.controlling(proc) if proc is not None else None
        if pty is None:
            return None
        if flags & abi.O_PATH:
            return FileDescription(inode, flags)
        desc = pty.open_slave(inode, flags | abi.O_NOCTTY, proc)
        desc.path = b"/dev/tty"
        return desc

    def controlling(self, proc: Process) -> Pty | None:
        return next((p for p in self.ptys.values() if p.controls(proc)), None)

    def leader_exits(self, proc: Process) -> None:
        """A session leader's exit frees its pty (disassociate_ctty on exit): the
        foreground group gets SIGHUP (no SIGCONT, as Linux does for a pty)."""
        if not _leads_session(proc):
            return
        pty = self.controlling(proc)
        if pty is not None:
            pty.leader_exits(proc)

    def release(self, pty: Pty) -> None:
        """The master closed: the slave's name goes; once no end is open the index is free."""
        if self.directory is not None and not pty.masters:
            name = b"%d" % pty.index
            if self.directory.children.get(name) is pty.inode:
                del self.directory.children[name]
        if not pty.masters and not pty.slaves:
            self.ptys.pop(pty.index, None)
