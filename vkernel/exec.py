"""Placing a program image into a fresh address space: segments, brk, stack, auxv.

The loader (``loader/``) parses; this module maps through the memory manager, so W^X
and attestation are decided in one place: a segment is executable only if the file it
comes from is attested.
"""
from __future__ import annotations

from loader import elf, stack
from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import STACK_SIZE, STACK_TOP, WXViolation, page_down, page_up
from vkernel.task import Process


def load_program(proc: Process, data: bytes, argv: list[bytes], envp: list[bytes], execfn: bytes,
                 attested: bool, random16: bytes) -> tuple[int, int]:
    """Map ``data`` into ``proc`` and build its stack; returns (entry, stack pointer).

    Raises elf.NotExecutable for files vkemu cannot run and SyscallError(EACCES) when
    the image would need executable memory that is not attested.
    """
    image = elf.parse(data)
    if image.interpreter is not None:
        raise elf.NotExecutable(f"dynamically linked (interpreter {image.interpreter}); "
                                "only static programs run for now")
    mm = proc.mm
    bias = elf.ET_DYN_BASE if image.is_pie else 0
    low, high = image.span
    if bias + low < 0x10000 or bias + high > STACK_TOP - STACK_SIZE:
        raise elf.NotExecutable("segments outside the user address space")
    try:
        for seg in image.segments:
            start = page_down(bias + seg.vaddr)
            end = page_up(bias + seg.vaddr + seg.memsz)
            file_start = seg.offset - (bias + seg.vaddr - start)
            mm.map(start, end - start, seg.prot, attested=attested and not seg.prot & abi.PROT_WRITE,
                   name=execfn.decode(errors="replace"), file_offset=file_start)
            mm.write(start, data[file_start:seg.offset + seg.filesz], check=False)
    except WXViolation as exc:
        proc.kernel.audit.record(proc.main_thread, "execve", "deny", f"W^X: {exc.reason}",
                                 {"path": execfn.decode(errors="replace")})
        raise
    mm.brk_start = mm.brk = bias + high
    mm.map(STACK_TOP - STACK_SIZE, STACK_SIZE, abi.PROT_READ | abi.PROT_WRITE, name="[stack]")
    c = proc.creds
    auxv = [
        (stack.AT_SYSINFO_EHDR, 0), (stack.AT_MINSIGSTKSZ, 2048),
        (stack.AT_HWCAP, stack.HWCAP_X86_64), (stack.AT_PAGESZ, abi.PAGE_SIZE), (stack.AT_CLKTCK, 100),
        (stack.AT_PHDR, image.phdr_address(bias)), (stack.AT_PHENT, image.phentsize),
        (stack.AT_PHNUM, image.phnum), (stack.AT_BASE, 0), (stack.AT_FLAGS, 0),
        (stack.AT_ENTRY, bias + image.entry), (stack.AT_UID, c.uid), (stack.AT_EUID, c.euid),
        (stack.AT_GID, c.gid), (stack.AT_EGID, c.egid), (stack.AT_SECURE, 0), (stack.AT_HWCAP2, 0),
    ]
    auxv = [entry for entry in auxv if entry[0] != stack.AT_SYSINFO_EHDR]
    img = stack.build(STACK_TOP, argv, envp, execfn, auxv, random16)
    if len(img.data) > STACK_SIZE // 4:
        raise SyscallError(abi.E2BIG)
    mm.write(img.sp, img.data, check=False)
    return bias + image.entry, img.sp
