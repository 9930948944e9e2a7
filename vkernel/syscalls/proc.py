"""Process and identity syscalls: ids, exit, limits, thread-area setup."""
from __future__ import annotations

import struct

from vkernel import abi
from vkernel.control import ExitGroup, ExitThread
from vkernel.errors import SyscallError
from vkernel.task import Thread


def sys_getpid(t: Thread) -> int:
    """getpid(2)."""
    return t.process.pid


def sys_getppid(t: Thread) -> int:
    """getppid(2)."""
    return t.process.ppid


def sys_gettid(t: Thread) -> int:
    """gettid(2)."""
    return t.tid


def sys_getuid(t: Thread) -> int:
    """getuid(2)."""
    return t.process.creds.uid


def sys_geteuid(t: Thread) -> int:
    """geteuid(2)."""
    return t.process.creds.euid


def sys_getgid(t: Thread) -> int:
    """getgid(2)."""
    return t.process.creds.gid


def sys_getegid(t: Thread) -> int:
    """getegid(2)."""
    return t.process.creds.egid


def sys_getresuid(t: Thread, ruid: int, euid: int, suid: int) -> int:
    """getresuid(2)."""
    c = t.process.creds
    for ptr, value in ((ruid, c.uid), (euid, c.euid), (suid, c.suid)):
        t.process.mm.write(ptr, struct.pack("<I", value))
    return 0


def sys_getresgid(t: Thread, rgid: int, egid: int, sgid: int) -> int:
    """getresgid(2)."""
    c = t.process.creds
    for ptr, value in ((rgid, c.gid), (egid, c.egid), (sgid, c.sgid)):
        t.process.mm.write(ptr, struct.pack("<I", value))
    return 0


def sys_getgroups(t: Thread, size: int, listp: int) -> int:
    """getgroups(2)."""
    groups = t.process.creds.groups
    if size < 0:
        raise SyscallError(abi.EINVAL)
    if size == 0:
        return len(groups)
    if size < len(groups):
        raise SyscallError(abi.EINVAL)
    t.process.mm.write(listp, struct.pack(f"<{len(groups)}I", *groups))
    return len(groups)


def _set_ids(t: Thread, real: int, effective: int, saved: int, kind: str) -> int:
    """The set*id family for an unprivileged-or-root caller, as Linux permits."""
    c = t.process.creds
    cur = (c.uid, c.euid, c.suid) if kind == "u" else (c.gid, c.egid, c.sgid)
    privileged = c.euid == 0
    new = list(cur)
    for i, value in enumerate((real, effective, saved)):
        if value in (-1, 0xFFFFFFFF):
            continue
        value &= 0xFFFFFFFF          # uid_t and gid_t are unsigned 32-bit
        if not privileged and value not in cur:
            raise SyscallError(abi.EPERM)
        new[i] = value
    if kind == "u":
        c.uid, c.euid, c.suid = new
    else:
        c.gid, c.egid, c.sgid = new
    return 0


def sys_setuid(t: Thread, uid: int) -> int:
    """setuid(2): (uid_t)-1 is no uid (EINVAL), as Linux's make_kuid gives."""
    if uid == -1:
        raise SyscallError(abi.EINVAL)
    if t.process.creds.euid == 0:
        return _set_ids(t, uid, uid, uid, "u")
    return _set_ids(t, -1, uid, -1, "u")


def sys_setgid(t: Thread, gid: int) -> int:
    """setgid(2): (gid_t)-1 is no gid (EINVAL)."""
    if gid == -1:
        raise SyscallError(abi.EINVAL)
    if t.process.creds.euid == 0:
        return _set_ids(t, gid, gid, gid, "g")
    return _set_ids(t, -1, gid, -1, "g")


def sys_setresuid(t: Thread, r: int, e: int, s: int) -> int:
    """setresuid(2)."""
    return _set_ids(t, r, e, s, "u")


def sys_setresgid(t: Thread, r: int, e: int, s: int) -> int:
    """setresgid(2)."""
    return _set_ids(t, r, e, s, "g")


def sys_setreuid(t: Thread, r: int, e: int) -> int:
    """setreuid(2)."""
    return _set_ids(t, r, e, -1, "u")


def sys_setregid(t: Thread, r: int, e: int) -> int:
    """setregid(2)."""
    return _set_ids(t, r, e, -1, "g")


def sys_setgroups(t: Thread, size: int, listp: int) -> int:
    """setgroups(2)."""
    if t.process.creds.euid != 0:
        raise SyscallError(abi.EPERM)
    if size < 0 or size > 65536:
        raise SyscallError(abi.EINVAL)
    t.process.creds.groups = list(struct.unpack(f"<{size}I", t.process.mm.read(listp, 4 * size)))
    return 0


def sys_getpgrp(t: Thread) -> int:
    """getpgrp(2)."""
    return t.process.pgid


def sys_getpgid(t: Thread, pid: int) -> int:
    """getpgid(2)."""
    return _process(t, pid).pgid


def sys_getsid(t: Thread, pid: int) -> int:
    """getsid(2)."""
    return _process(t, pid).sid


def sys_setpgid(t: Thread, pid: int, pgid: int) -> int:
    """setpgid(2): the caller or one of its children, within the caller's session, into
    a new group of its own or an existing group of that session; never a session leader."""
    if pgid < 0:
        raise SyscallError(abi.EINVAL)
    me = t.process
    proc = _process(t, pid)
    if proc is not me and proc.ppid != me.pid:
        raise SyscallError(abi.ESRCH)
    if proc.sid != me.sid or proc.sid == proc.pid:
        raise SyscallError(abi.EPERM)
    pgid = pgid or proc.pid
    if pgid != proc.pid and not any(p.pgid == pgid and p.sid == me.sid and p.exit_code is None
                                    for p in me.kernel.processes.values()):
        raise SyscallError(abi.EPERM)
    proc.pgid = pgid
    return 0


def sys_setsid(t: Thread) -> int:
    """setsid(2)."""
    p = t.process
    if p.pgid == p.pid:
        raise SyscallError(abi.EPERM)
    p.sid = p.pgid = p.pid
    return p.pid


def _process(t: Thread, pid: int):
    if pid == 0:
        return t.process
    proc = t.process.kernel.processes.get(pid)
    if proc is None or pid < 0:
        raise SyscallError(abi.ESRCH)
    return proc


def sys_exit(t: Thread, code: int) -> ExitThread:
    """exit(2): ends the calling thread (the process, when it is the last one)."""
    return ExitThread(code & 0xFF)


def sys_exit_group(t: Thread, code: int) -> ExitGroup:
    """exit_group(2)."""
    return ExitGroup(code & 0xFF)


def sys_set_tid_address(t: Thread, tidptr: int) -> int:
    """set_tid_address(2)."""
    t.clear_child_tid = tidptr
    return t.tid


def sys_set_robust_list(t: Thread, head: int, length: int) -> int:
    """set_robust_list(2): recorded; cleanup on thread death comes with threads."""
    if length != 24:
        raise SyscallError(abi.EINVAL)
    t.robust_list = (head, length)
    return 0


def sys_get_robust_list(t: Thread, pid: int, head_ptr: int, len_ptr: int) -> int:
    """get_robust_list(2)."""
    if pid not in (0, t.tid):
        raise SyscallError(abi.ESRCH)
    t.process.mm.write_u64(head_ptr, t.robust_list[0])
    t.process.mm.write_u64(len_ptr, t.robust_list[1] or 24)
    return 0


def sys_arch_prctl(t: Thread, code: int, addr: int) -> int:
    """arch_prctl(2): FS/GS base."""
    cpu = t.process.cpu
    if code == abi.ARCH_SET_FS:
        if addr >= 1 << 47:
            raise SyscallError(abi.EPERM)
        cpu.set_reg("fs_base", addr)
        return 0
    if code == abi.ARCH_SET_GS:
        if addr >= 1 << 47:
            raise SyscallError(abi.EPERM)
        cpu.set_reg("gs_base", addr)
        return 0
    if code == abi.ARCH_GET_FS:
        t.process.mm.write_u64(addr, cpu.reg("fs_base"))
        return 0
    if code == abi.ARCH_GET_GS:
        t.process.mm.write_u64(addr, cpu.reg("gs_base"))
        return 0
    if code == abi.ARCH_GET_CPUID:
        return 1
    raise SyscallError(abi.EINVAL)


# -- resource limits --------------------------------------------------------------------------

DEFAULT_RLIMITS = {
    0: (abi.RLIM_INFINITY, abi.RLIM_INFINITY), 1: (abi.RLIM_INFINITY, abi.RLIM_INFINITY),
    2: (abi.RLIM_INFINITY, abi.RLIM_INFINITY), 3: (8 << 20, abi.RLIM_INFINITY),
    4: (0, abi.RLIM_INFINITY), 5: (abi.RLIM_INFINITY, abi.RLIM_INFINITY), 6: (4096, 4096),
    7: (1024, 4096), 8: (8 << 20, 8 << 20), 9: (abi.RLIM_INFINITY, abi.RLIM_INFINITY),
    10: (abi.RLIM_INFINITY, abi.RLIM_INFINITY), 11: (4096, 4096), 12: (819200, 819200),
    13: (0, 0), 14: (0, 0), 15: (abi.RLIM_INFINITY, abi.RLIM_INFINITY),
}


def sys_prlimit64(t: Thread, pid: int, resource: int, new: int, old: int) -> int:
    """prlimit64(2)."""
    proc = _process(t, pid)
    if resource not in DEFAULT_RLIMITS:
        raise SyscallError(abi.EINVAL)
    current = proc.rlimits.get(resource, DEFAULT_RLIMITS[resource])
    update = None
    if new:
        soft, hard = struct.unpack("<QQ", t.process.mm.read(new, 16))
        if soft > hard:
            raise SyscallError(abi.EINVAL)
        if hard > current[1] and t.process.creds.euid != 0:
            raise SyscallError(abi.EPERM)
        # nr_open, and the policy's open_files quota: a hard limit even root cannot raise.
        if resource == abi.RLIMIT_NOFILE and hard > min(1 << 20, t.process.kernel.policy.quotas.open_files):
            raise SyscallError(abi.EPERM)
        ceiling = t.process.kernel.quota.rlimit_ceiling(resource)     # the file_size quota
        if ceiling is not None and hard > ceiling:
            raise SyscallError(abi.EPERM)
        update = (soft, hard)
    if old:
        t.process.mm.write(old, struct.pack("<QQ", *current))
    if update is not None:
        proc.rlimits[resource] = update
        if resource == abi.RLIMIT_NOFILE:
            proc.fds.limit = update[0]
    return 0


def sys_getrlimit(t: Thread, resource: int, rlim: int) -> int:
    """getrlimit(2)."""
    return sys_prlimit64(t, 0, resource, 0, rlim)


def sys_setrlimit(t: Thread, resource: int, rlim: int) -> int:
    """setrlimit(2)."""
    return sys_prlimit64(t, 0, resource, rlim, 0)


def sys_getrusage(t: Thread, who: int, usage: int) -> int:
    """getrusage(2): CPU times from the process clock; other fields zero."""
    if who not in (0, -1, 1):
        raise SyscallError(abi.EINVAL)
    ns = t.process.kernel.sources.clock_ns(abi.CLOCK_PROCESS_CPUTIME_ID) if who != -1 else 0
    tv = struct.pack("<qq", ns // 10**9, (ns % 10**9) // 1000)
    t.process.mm.write(usage, tv + bytes(16) + bytes(14 * 8))
    return 0


def sys_times(t: Thread, buf: int) -> int:
    """times(2): clock ticks at 100 Hz."""
    src = t.process.kernel.sources
    ticks = src.clock_ns(abi.CLOCK_PROCESS_CPUTIME_ID) // 10_000_000
    if buf:
        t.process.mm.write(buf, struct.pack("<qqqq", ticks, 0, 0, 0))
    return src.clock_ns(abi.CLOCK_BOOTTIME) // 10_000_000


READ_IMPLIES_EXEC = 0x0400000


def sys_personality(t: Thread, persona: int) -> int:
    """personality(2): READ_IMPLIES_EXEC, which would make readable memory executable,
    is refused (invariant 1) with EPERM and audited."""
    old = t.process.personality
    if persona != 0xFFFFFFFF and persona & READ_IMPLIES_EXEC:
        t.process.kernel.audit.record(t, "personality", "deny", "W^X: READ_IMPLIES_EXEC", {"persona": hex(persona)})
        raise SyscallError(abi.EPERM)
    if persona != 0xFFFFFFFF:
        t.process.personality = persona
    return old
