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
    return mm.set_brk(addr) if addr else mm.brk


def sys_mmap(t: Thread, addr: int, length: int, prot: int, flags: int, fd: int, offset: int) -> int:
    """mmap(2): anonymous and private file mappings; MAP_SHARED files are private copies."""
    mm = t.process.mm
    if length == 0 or page_up(length) > TASK_SIZE or offset % PAGE:
        raise SyscallError(abi.EINVAL)
    maptype = flags & abi.MAP_TYPE
    if maptype not in (abi.MAP_SHARED, abi.MAP_PRIVATE, abi.MAP_SHARED_VALIDATE):
        raise SyscallError(abi.EINVAL)
    if prot & ~_PROT_VALID:
        raise SyscallError(abi.EINVAL)
    fixed = flags & (abi.MAP_FIXED | abi.MAP_FIXED_NOREPLACE)
    if fixed and addr % PAGE:
        raise SyscallError(abi.EINVAL)
    length = page_up(length)
    if fixed and addr + length > TASK_SIZE:
        raise SyscallError(abi.ENOMEM)
    desc = None
    if not flags & abi.MAP_ANONYMOUS:
        desc = t.process.fds.get(fd)
        if desc.inode is None or desc.inode.is_dir or desc.flags & abi.O_PATH:
            raise SyscallError(abi.ENODEV if desc.inode is None or desc.inode.is_dir else abi.EBADF)
        if not desc.readable:
            raise SyscallError(abi.EACCES)
        if maptype != abi.MAP_PRIVATE and prot & abi.PROT_WRITE and not desc.writable:
            raise SyscallError(abi.EACCES)
    if flags & abi.MAP_FIXED_NOREPLACE and not flags & abi.MAP_FIXED:
        if not mm.is_free(addr, addr + length):
            raise SyscallError(abi.EEXIST)
        start = addr
    elif flags & abi.MAP_FIXED:
        start = addr
    else:
        start = mm.find_free(length, page_up(addr) if addr else 0)
    attested = desc is not None and desc.inode is not None and desc.inode.immutable
    try:
        if desc is None:
            mm.map(start, length, prot, shared=maptype != abi.MAP_PRIVATE)
        else:
            st = desc.inode.stat()  # type: ignore[union-attr]
            mm.map(start, length, prot, shared=maptype != abi.MAP_PRIVATE, attested=attested, name=desc.path.decode(errors="replace"),
                   file_offset=offset, inode=st.ino, dev=st.dev)
            buf = bytearray(length)
            n = desc.read_at([memoryview(buf)], offset) if desc.seekable else 0
            mm.write(start, bytes(buf[:n]), check=False)
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
    fixed_to = None
    if flags & abi.MREMAP_FIXED:
        if new_addr % PAGE:
            raise SyscallError(abi.EINVAL)
        fixed_to = new_addr
    return t.process.mm.remap(old, old_size, new_size, bool(flags & abi.MREMAP_MAYMOVE), fixed_to)


def sys_madvise(t: Thread, addr: int, length: int, advice: int) -> int:
    """madvise(2): MADV_DONTNEED/MADV_FREE drop private anonymous pages; the rest are hints."""
    if addr % PAGE:
        raise SyscallError(abi.EINVAL)
    if advice in (abi.MADV_DONTNEED, abi.MADV_FREE):
        mm = t.process.mm
        end = addr + page_up(length)
        if any(mm.find(a) is None for a in range(addr, end, PAGE)):
            raise SyscallError(abi.ENOMEM)
        mm.discard(addr, length)
    elif advice not in (0, 1, 2, 3, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25):
        raise SyscallError(abi.EINVAL)
    return 0


def sys_msync(t: Thread, addr: int, length: int, flags: int) -> int:
    """msync(2): private copies have nothing to write back."""
    if addr % PAGE or flags & ~7 or (flags & abi.MS_ASYNC and flags & abi.MS_SYNC):
        raise SyscallError(abi.EINVAL)
    mm = t.process.mm
    for a in range(addr, addr + page_up(length), PAGE):
        if mm.find(a) is None:
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
    """mlock(2): memory is never swapped by us; accepted."""
    return 0
