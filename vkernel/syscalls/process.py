"""Process syscalls: fork, vfork, clone for processes, execve, wait4, waitid, kill."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.control import Block, Exec, Spawn
from vkernel.errors import SyscallError
from vkernel.exec import MAX_ARG_STRLEN, prepare_exec
from vkernel.pidfd import PIDFD_NONBLOCK, PidFd
from vkernel.sched import Wait
from vkernel.syscalls.common import read_path, start_location
from vkernel.task import WAIT_STATUS_CONTINUED, Process, Thread

WNOHANG, WUNTRACED, WCONTINUED, WEXITED, WNOWAIT = 1, 2, 8, 4, 0x01000000
WSTOPPED = WUNTRACED
__WNOTHREAD, __WALL, __WCLONE = 0x20000000, 0x40000000, 0x80000000
P_ALL, P_PID, P_PGID, P_PIDFD = 0, 1, 2, 3
CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED = 1, 2, 3, 5, 6

def clone_process(t: Thread, flags: int, stack: int, parent_tid: int, child_tid: int, tls: int,
                  exit_signal: int, pidfd_at: int = 0) -> Spawn:
    """A new process (fork, vfork, or posix_spawn's CLONE_VM|CLONE_VFORK); with
    CLONE_PIDFD the parent gets a pidfd for it, stored at ``pidfd_at``."""
    kernel = t.process.kernel
    kernel.quota.check_processes()
    if not flags & 0x100:                     # a copy of the address space (not CLONE_VM)
        kernel.quota.check_memory(t.process.mm.mapped)
    child = kernel.fork_process(t, flags, exit_signal)
    thread = child.main_thread
    if stack:
        thread.start_regs["rsp"] = stack
    if flags & 0x80000:                       # CLONE_SETTLS
        thread.start_regs["fs_base"] = tls
    if flags & 0x200000:                      # CLONE_CHILD_CLEARTID
        thread.clear_child_tid = child_tid
    if flags & 0x100000:                      # CLONE_PARENT_SETTID
        t.process.mm.write_i32(parent_tid, child.pid)
    if flags & 0x1000000:                     # CLONE_CHILD_SETTID: in the child's memory
        child.mm.write_i32(child_tid, child.pid)
    if flags & 0x1000:                        # CLONE_PIDFD, after the fork: the parent's alone
        t.process.mm.write_i32(pidfd_at, t.process.fds.install(PidFd(child, 0), cloexec=True))
    return Spawn(thread, child.pid)


def sys_fork(t: Thread) -> Spawn:
    """fork(2)."""
    return clone_process(t, 0, 0, 0, 0, 0, abi.SIGCHLD)


def sys_vfork(t: Thread) -> Spawn:
    """vfork(2): the child shares the address space; the parent waits for exec or exit."""
    return clone_process(t, 0x4000 | 0x100, 0, 0, 0, 0, abi.SIGCHLD)


# -- execve --------------------------------------------------------------------------------

def _string_array(t: Thread, address: int) -> list[bytes]:
    if address == 0:
        return []
    mm = t.process.mm
    out = []
    for pointer in mm.read_pointer_array(address):
        try:
            out.append(mm.read_cstring(pointer, MAX_ARG_STRLEN))
        except SyscallError as exc:
            raise SyscallError(abi.E2BIG if exc.errno == abi.ENAMETOOLONG else exc.errno) from None
    return out


def sys_execve(t: Thread, path: int, argv: int, envp: int) -> Exec:
    """execve(2)."""
    return sys_execveat(t, abi.AT_FDCWD, path, argv, envp, 0)


def sys_execveat(t: Thread, dirfd: int, path: int, argv: int, envp: int, flags: int) -> Exec:
    """execveat(2)."""
    if flags & ~(abi.AT_EMPTY_PATH | abi.AT_SYMLINK_NOFOLLOW):
        raise SyscallError(abi.EINVAL)
    name = read_path(t, path)
    args, env = _string_array(t, argv), _string_array(t, envp)
    if not name and flags & abi.AT_EMPTY_PATH:
        desc = t.process.fds.get(dirfd)
        if desc.location is None:
            raise SyscallError(abi.EBADF)
        return Exec(prepare_exec(t, desc.location.parent or desc.location, desc.location.path, args, env,
                                 location=desc.location))
    start = start_location(t, dirfd, name)
    return Exec(prepare_exec(t, start, name, args, env, nofollow=bool(flags & abi.AT_SYMLINK_NOFOLLOW)))


# -- wait ----------------------------------------------------------------------------------

def _matches(t: Thread, child: Process, idtype: int, ident: int) -> bool:
    if idtype == P_ALL:
        return True
    if idtype == P_PID:
        return child.pid == ident
    return child.pgid == (ident or t.process.pgid)


def _children(t: Thread, idtype: int, ident: int) -> list[Process]:
    me = t.process.pid
    return [p for p in t.process.kernel.processes.values() if p.ppid == me and _matches(t, p, idtype, ident)]


def _reportable(child: Process, options: int) -> bool:
    """Whether ``child`` has a stop (WSTOPPED) or continue (WCONTINUED) to report."""
    if child.exit_code is not None or not child.wait_report:
        return False
    return bool(options & (WCONTINUED if child.wait_report == WAIT_STATUS_CONTINUED else WSTOPPED))


def _wait_for(t: Thread, idtype: int, ident: int, options: int) -> Process | int | Block:
    """The child with something to report (WEXITED: a zombie, the first to die; then
    a stop or continue the options ask for), 0 for WNOHANG with none, or a Block."""
    children = _children(t, idtype, ident)
    if not children:
        raise SyscallError(abi.ECHILD)
    zombies = [p for p in children if p.exit_code is not None] if options & WEXITED else []
    if zombies:
        return min(zombies, key=lambda p: p.exit_seq)
    changed = [p for p in children if _reportable(p, options)]
    if changed:
        return min(changed, key=lambda p: p.pid)
    if options & WNOHANG:
        return 0
    kernel = t.process.kernel
    proc = t.process
    wait = Wait(t, f"a child of process {proc.pid} to change state",
                cancel=lambda: proc.child_waiters.remove(wait) if wait in proc.child_waiters else None)
    proc.child_waiters.append(wait)
    kernel.sched.block(wait)
    return Block()


def sys_pidfd_open(t: Thread, pid: int, flags: int) -> int:
    """pidfd_open(2): a close-on-exec fd naming the process ``pid`` leads (a zombie
    too); EINVAL for another thread's id, ESRCH once it is reaped."""
    if flags & ~PIDFD_NONBLOCK or pid <= 0:
        raise SyscallError(abi.EINVAL)
    kernel = t.process.kernel
    proc = kernel.processes.get(pid)
    if proc is None:
        if any(th.tid == pid for p in kernel.processes.values() for th in p.threads):
            raise SyscallError(abi.EINVAL)
        raise SyscallError(abi.ESRCH)
    return t.process.fds.install(PidFd(proc, flags), cloexec=True)


def sys_wait4(t: Thread, pid: int, status: int, options: int, rusage: int) -> int | Block:
    """wait4(2): exits, and with WUNTRACED/WCONTINUED stops and continues."""
    if options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE):
        raise SyscallError(abi.EINVAL)
    if pid == -(1 << 31):
        raise SyscallError(abi.ESRCH)
    if pid < -1:
        idtype, ident = P_PGID, -pid
    elif pid == -1:
        idtype, ident = P_ALL, 0
    elif pid == 0:
        idtype, ident = P_PGID, 0
    else:
        idtype, ident = P_PID, pid
    found = _wait_for(t, idtype, ident, options | WEXITED)
    if not isinstance(found, Process):
        return found
    value = found.exit_code if found.exit_code is not None else found.wait_report
    if status:
        t.process.mm.write_i32(status, value)
    if rusage:
        t.process.mm.write(rusage, bytes(144))
    if found.exit_code is None:
        found.wait_report = 0              # a stop or continue is reported once
    else:
        t.process.kernel.reap(found)
    return found.pid


def sys_waitid(t: Thread, idtype: int, ident: int, infop: int, options: int, rusage: int) -> int | Block:
    """waitid(2): P_ALL, P_PID, P_PGID, P_PIDFD; WEXITED, WSTOPPED, WCONTINUED, WNOWAIT, WNOHANG."""
    if options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE):
        raise SyscallError(abi.EINVAL)
    if not options & (WEXITED | WSTOPPED | WCONTINUED):
        raise SyscallError(abi.EINVAL)
    # A pidfd names its process; a non-blocking one makes the wait WNOHANG, and EAGAIN
    # when nothing is ready unless the caller asked for WNOHANG itself.
    nonblocking_pidfd = False
    if idtype == P_PIDFD:
        desc = t.process.fds.get(ident)
        if not isinstance(desc, PidFd):
            raise SyscallError(abi.EBADF)
        nonblocking_pidfd = desc.nonblocking and not options & WNOHANG
        options |= WNOHANG if desc.nonblocking else 0
        idtype, ident = P_PID, desc.process.pid
    if idtype not in (P_ALL, P_PID, P_PGID) or (idtype == P_PID and ident <= 0) or (idtype == P_PGID and ident < 0):
        raise SyscallError(abi.EINVAL)
    found = _wait_for(t, idtype, ident, options)
    if found == 0 and nonblocking_pidfd:
        raise SyscallError(abi.EAGAIN)
    if not isinstance(found, Process):
        if found == 0 and infop:
            t.process.mm.write(infop, bytes(128))
        return found
    status = found.exit_code if found.exit_code is not None else found.wait_report
    if status == WAIT_STATUS_CONTINUED:
        code, value = CLD_CONTINUED, abi.SIGCONT
    elif status & 0xFF == 0x7F:
        code, value = CLD_STOPPED, status >> 8
    elif status & 0x7F:
        code, value = (CLD_DUMPED if status & 0x80 else CLD_KILLED), status & 0x7F
    else:
        code, value = CLD_EXITED, (status >> 8) & 0xFF
    if infop:
        info = struct.pack("<iii4xiIi", abi.SIGCHLD, 0, code, found.pid, found.creds.uid, value)
        t.process.mm.write(infop, info.ljust(128, b"\0"))
    if rusage:
        t.process.mm.write(rusage, bytes(144))
    if options & WNOWAIT:
        return 0
    if found.exit_code is None:
        found.wait_report = 0
    else:
        t.process.kernel.reap(found)
    return 0
