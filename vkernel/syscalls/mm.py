"""Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise, msync, mincore."""
from __future__ import annotations

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import PAGE, TASK_SIZE, WXViolation, page_up
from vkernel.task import Thread

_PROT_VALID = abi.PROT_READ | abi.PROT_WRITE | abi.PROT_EXEC | abi.PROT_GROWSDOWN | abi.PROT_GROWSUP


def _audit_wx(t: Thread, exc: WXViolation, syscall: str, addr: int, length: int, prot: int) -> None:
    t.process.kernel.audit.record(t, syscall, "deny", f"W^X: {exc.reason}",
                                  {"addr": hex(addr), "length": length, "prot": prot})


def sys_brk(t: Thread, addr: int) -> int:
    """brk(2): returns the new break, or the old one when the request fails."""
    mm = t.process.mm
    if not addr:
        return mm.brk
    try:
        t.process.kernel.quota.check_memory(page_up(addr) - page_up(mm.brk), {"brk": hex(addr)})
    except SyscallError:
        return mm.brk
    return mm.set_brk(addr)


def sys_mmap(t: Thread, addr: int, length: int, prot: int, flags: int, fd: int, offset: int) -> int:
    """mmap(2), checked in Linux's order (sys_mmap, ksys_mmap_pgoff, do_mmap)."""
    mm = t.process.mm
    if offset % PAGE:
        raise SyscallError(abi.EINVAL)
    desc = None
    if not flags & abi.MAP_ANONYMOUS:
        desc = t.process.fds.get(fd)
        if desc.flags & abi.O_PATH:
            raise SyscallError(abi.EBADF)
    if length == 0 or prot & ~_PROT_VALID:
        raise SyscallError(abi.EINVAL)
    length = page_up(length)
    if length > TASK_SIZE:
        raise SyscallError(abi.ENOMEM)
    if flags & (abi.MAP_FIXED | abi.MAP_FIXED_NOREPLACE):
        if addr > TASK_SIZE - length:
            raise SyscallError(abi.ENOMEM)
        if addr % PAGE:
            raise SyscallError(abi.EINVAL)
        start = addr
    else:
        start = mm.find_free(length, page_up(addr) if addr else 0)
    if flags & abi.MAP_FIXED_NOREPLACE and not mm.is_free(start, start + length):
        raise SyscallError(abi.EEXIST)
    t.process.kernel.quota.check_memory(length - mm.mapped_in(start, start + length), {"length": length})
    maptype = flags & abi.MAP_TYPE
    shared = maptype in (abi.MAP_SHARED, abi.MAP_SHARED_VALIDATE)
    if desc is None:
        if maptype not in (abi.MAP_SHARED, abi.MAP_PRIVATE):
            raise SyscallError(abi.EINVAL)
        may_write = True
    else:
        if not shared and maptype != abi.MAP_PRIVATE:
            raise SyscallError(abi.EINVAL)
        if shared and prot & abi.PROT_WRITE and not desc.writable:
            raise SyscallError(abi.EACCES)
        # VM_MAYWRITE: a shared map of a read-only fd can never become writable.
        may_write = desc.writable or not shared
        if not desc.readable:
            raise SyscallError(abi.EACCES)
        if desc.inode is None or desc.inode.is_dir:
            raise SyscallError(abi.ENODEV)
    try:
        if desc is None:
            mm.map(start, length, prot, shared=shared)
        else:
            assert desc.inode is not None
            st = desc.stat()            # the open file's: its name may be gone
            name = desc.path.decode(errors="replace")
            attested = t.process.kernel.attest(t, desc.inode, name, executable=bool(prot & abi.PROT_EXEC))
            mm.map(start, length, prot, shared=shared, attested=attested, name=name, file_offset=offset,
                   inode=st.ino, dev=st.dev, file=desc, may_write=may_write)
    except WXViolation as exc:
        _audit_wx(t, exc, "mmap", start, length, prot)
        raise
    return start


def sys_munmap(t: Thread, addr: int, length: int) -> int:
    """munmap(2)."""
    if addr % PAGE or length == 0 or addr + page_up(length) > TASK_SIZE:
        raise SyscallError(abi.EINVAL)
    t.process.mm.unmap(addr, length)
    return 0


def sys_mprotect(t: Thread, addr: int, length: int, prot: int) -> int:
    """mprotect(2), enforcing W^X (invariant 1)."""
    if addr % PAGE or prot & ~_PROT_VALID:
        raise SyscallError(abi.EINVAL)
    if length == 0:
        return 0
    if addr + page_up(length) > TASK_SIZE:
        raise SyscallError(abi.ENOMEM)
    try:
        t.process.mm.protect(addr, length, prot & 7)
    except WXViolation as exc:
        _audit_wx(t, exc, "mprotect", addr, length, prot)
        raise
    return 0


def sys_mremap(t: Thread, old: int, old_size: int, new_size: int, flags: int, new_addr: int) -> int:
    """mremap(2): grow, shrink and move with MREMAP_MAYMOVE / MREMAP_FIXED."""
    if old % PAGE or flags & ~(abi.MREMAP_MAYMOVE | abi.MREMAP_FIXED | abi.MREMAP_DONTUNMAP):
        raise SyscallError(abi.EINVAL)
    if flags & abi.MREMAP_FIXED and not flags & abi.MREMAP_MAYMOVE:
        raise SyscallError(abi.EINVAL)
    if flags & abi.MREMAP_DONTUNMAP:
        raise SyscallError(abi.EINVAL)
    if new_size == 0 or old_size == 0:
        raise SyscallError(abi.EINVAL)
    fixed_to = new_addr if flags & abi.MREMAP_FIXED else None
    if fixed_to is not None and fixed_to % PAGE:
        raise SyscallError(abi.EINVAL)      # before the old range is looked at (mremap_to)
    mm = t.process.mm
    replaced = mm.mapped_in(fixed_to, fixed_to + page_up(new_size)) if fixed_to is not None else 0
    t.process.kernel.quota.check_memory(page_up(new_size) - page_up(old_size) - replaced, {"new_size": new_size})
    return mm.remap(old, old_size, new_size, bool(flags & abi.MREMAP_MAYMOVE), fixed_to)


def sys_madvise(t: Thread, addr: int, length: int, advice: int) -> int:
    """madvise(2): MADV_DONTNEED/MADV_FREE drop private pages; the rest are hints.

    As Linux, the advice applies to the mapped parts of the range and a hole in it
    is reported afterwards as ENOMEM."""
    if advice not in (0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25):
        raise SyscallError(abi.EINVAL)
    if addr % PAGE:
        raise SyscallError(abi.EINVAL)
    if length == 0:
        return 0
    mm = t.process.mm
    if advice in (abi.MADV_DONTNEED, abi.MADV_FREE):
        mm.discard(addr, length)
    if not mm.fully_mapped(addr, length):
        raise SyscallError(abi.ENOMEM)
    return 0


def sys_msync(t: Thread, addr: int, length: int, flags: int) -> int:
    """msync(2): shared file mappings in the range are written back to their files."""
    if addr % PAGE or flags & ~7 or (flags & abi.MS_ASYNC and flags & abi.MS_SYNC):
        raise SyscallError(abi.EINVAL)
    mm = t.process.mm
    mm.sync(addr, length)
    if not mm.fully_mapped(addr, length):
        raise SyscallError(abi.ENOMEM)
    return 0


def sys_mincore(t: Thread, addr: int, length: int, vec: int) -> int:
    """mincore(2): every mapped page is resident."""
    if addr % PAGE:
        raise SyscallError(abi.EINVAL)
    mm = t.process.mm
    pages = page_up(length) // PAGE
    for i in range(pages):
        if mm.find(addr + i * PAGE) is None:
            raise SyscallError(abi.ENOMEM)
    mm.write(vec, b"\x01" * pages)
    return 0


def sys_mlock(t: Thread, addr: int, length: int) -> int:
    """mlock(2) and munlock(2): memory is never swapped by us, so only the range is
    checked: every page of it mapped, or ENOMEM."""
    start = addr - addr % PAGE
    length = page_up(length + addr % PAGE)
    if length and not t.process.mm.fully_mapped(start, length):
        raise SyscallError(abi.ENOMEM)
    return 0
