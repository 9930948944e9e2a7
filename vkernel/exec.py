"""Placing a program image into a fresh address space: segments, brk, stack, auxv.

The loader (``loader/``) parses; this module maps through the memory manager, so W^X
and attestation are decided in one place: a segment is executable only if the file it
comes from is attested.
"""
from __future__ import annotations

from dataclasses import dataclass

from loader import elf, stack
from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import MMAP_TOP, STACK_SIZE, STACK_TOP, WXViolation, page_down, page_up
from vkernel.syscalls.fs import check_permission
from vkernel.task import Process, Thread
from vkernel.vfs.file import read_all
from vkernel.vfs.namespace import Location

MAX_ARG_STRLEN = 131072          # one argument or environment string
MAX_ARG_TOTAL = STACK_SIZE // 4  # all of them together (Linux: a quarter of the stack limit)
MAX_INTERP_DEPTH = 4             # nested #! interpreters (BINPRM_MAX_RECURSION)
BINPRM_BUF_SIZE = 256            # how much of a #! line Linux reads
# Linux's randomisation on x86-64, page-granular: arch_mmap_rnd's mmap_rnd_bits (28)
# above ELF_ET_DYN_BASE and below the mmap base, 22 bits (16 GiB) below the stack top
# (the mmap base keeps the stack, its guard gap and that range clear), and up to 32 MiB
# above the end of the program for the brk (arch_randomize_brk).
MMAP_RND_BITS = 28
STACK_RND_BITS = 22
MMAP_GAP = STACK_SIZE + (1 << 20) + (1 << (STACK_RND_BITS + 12))
BRK_RND_RANGE = 32 << 20


@dataclass
class ExecImage:
    """Everything execve checked before the point of no return."""
    data: bytes
    location: Location
    path: bytes                  # AT_EXECFN: the path as the caller gave it
    argv: list[bytes]
    envp: list[bytes]
    attested: bool
    elf: elf.ElfImage


def prepare_exec(t: Thread, start: Location, path: bytes, argv: list[bytes], envp: list[bytes],
                 location: Location | None = None, nofollow: bool = False, depth: int = 0) -> ExecImage:
    """Resolve, read and check a program for execve, following #! lines as Linux does."""
    if sum(len(a) + 1 for a in argv + envp) > MAX_ARG_TOTAL:
        raise SyscallError(abi.E2BIG)
    if depth > MAX_INTERP_DEPTH:
        raise SyscallError(abi.ELOOP)
    kernel = t.process.kernel
    loc = location or kernel.ns.resolve(start, path, follow=not nofollow)
    if loc.inode.is_symlink:
        raise SyscallError(abi.ELOOP)
    if loc.inode.mode & abi.S_IFMT != abi.S_IFREG:
        raise SyscallError(abi.EACCES)
    check_permission(t, loc.inode, abi.X_OK)
    st = loc.inode.stat()
    key = (st.dev, st.ino, st.size, st.mtime_ns)
    cached = kernel.exec_cache.get(key)
    data = cached[0] if cached is not None else read_all(loc.inode)
    if data.startswith(b"#!"):
        line = data[2:BINPRM_BUF_SIZE].split(b"\n", 1)[0].strip(b" \t")
        if not line:
            raise SyscallError(abi.ENOEXEC)
        interp, _, arg = line.replace(b"\t", b" ").partition(b" ")
        arg = arg.strip(b" ")
        new_argv = [interp] + ([arg] if arg else []) + [path] + argv[1:]
        return prepare_exec(t, kernel.ns.root if interp.startswith(b"/") else start, interp, new_argv, envp,
                            depth=depth + 1)
    try:
        image = cached[1] if cached is not None else elf.parse(data)
    except elf.NotExecutable:
        raise SyscallError(abi.ENOEXEC) from None
    if loc.inode.immutable:
        kernel.exec_cache[key] = (data, image)  # type: ignore[assignment]
    attested = kernel.attest(t, loc.inode, loc.path.decode(errors="replace"), data)
    return ExecImage(data, loc, path, argv or [path], envp, attested, image)  # type: ignore[arg-type]


def _map_image(proc: Process, image: elf.ElfImage, data: bytes, bias: int, attested: bool, name: str) -> None:
    """Place every PT_LOAD of ``image`` at ``bias``: executable only if attested (W^X)."""
    mm = proc.mm
    low, high = image.span
    if bias + low < 0x10000 or bias + high > STACK_TOP - STACK_SIZE:
        raise elf.NotExecutable("segments outside the user address space")
    try:
        for seg in image.segments:
            start = page_down(bias + seg.vaddr)
            end = page_up(bias + seg.vaddr + seg.memsz)
            file_start = seg.offset - (bias + seg.vaddr - start)
            mm.map(start, end - start, seg.prot, attested=attested and not seg.prot & abi.PROT_WRITE,
                   name=name, file_offset=file_start)
            mm.write(start, data[file_start:seg.offset + seg.filesz], check=False)
    except WXViolation as exc:
        proc.kernel.audit.record(proc.threads[0] if proc.threads else None, "execve", "deny",
                                 f"W^X: {exc.reason}", {"path": name})
        raise


def _interpreter(proc: Process, path: str) -> tuple[elf.ElfImage, bytes, bool, str]:
    """PT_INTERP, resolved in the container from its root: (image, bytes, attested, path).
    ENOENT if it is missing, as Linux's execve; ELIBBAD if it is not a loadable ld.so."""
    kernel = proc.kernel
    loc = kernel.ns.resolve(kernel.ns.root, path.encode())
    if loc.inode.mode & abi.S_IFMT != abi.S_IFREG:
        raise SyscallError(abi.EACCES)
    st = loc.inode.stat()
    key = (st.dev, st.ino, st.size, st.mtime_ns)
    cached = kernel.exec_cache.get(key)
    data = cached[0] if cached is not None else read_all(loc.inode)
    try:
        image = cached[1] if cached is not None else elf.parse(data)
    except elf.NotExecutable:
        raise SyscallError(abi.ELIBBAD) from None
    if not image.is_pie or image.interpreter is not None:   # type: ignore[union-attr]
        raise SyscallError(abi.ELIBBAD)
    if loc.inode.immutable:
        kernel.exec_cache[key] = (data, image)
    name = loc.path.decode(errors="replace")
    attested = kernel.attest(proc.threads[0] if proc.threads else None, loc.inode, name, data)
    return image, data, attested, name  # type: ignore[return-value]


@dataclass(frozen=True)
class Layout:
    """Where a new image's pieces go."""
    pie_base: int          # load bias of a PIE program that has an interpreter
    mmap_top: int          # where top-down placement starts (a static PIE, ld.so, mmap)
    stack_top: int
    brk_offset: int        # bytes (whole pages) between the end of the program and its brk
    randomised: bool


def _layout(proc: Process) -> Layout:
    """Linux's layout with randomisation off (as under ``setarch -R``), or one drawn
    from the kernel's seeded generator: the same seed, the same layouts."""
    rng = proc.kernel.layout_rng
    if rng is None:
        return Layout(elf.ET_DYN_BASE, MMAP_TOP, STACK_TOP, 0, False)
    pie = elf.ET_DYN_BASE + (rng.getrandbits(MMAP_RND_BITS) << 12)
    mmap_top = STACK_TOP - MMAP_GAP - (rng.getrandbits(MMAP_RND_BITS) << 12)
    stack_top = STACK_TOP - (rng.getrandbits(STACK_RND_BITS) << 12)
    return Layout(pie, mmap_top, stack_top, rng.randrange(BRK_RND_RANGE >> 12) << 12, True)


def load_program(proc: Process, data: bytes, argv: list[bytes], envp: list[bytes], execfn: bytes,
                 attested: bool, random16: bytes, parsed: elf.ElfImage | None = None) -> tuple[int, int]:
    """Map ``data`` (and its PT_INTERP) into ``proc`` and build its stack; returns
    (entry, stack pointer).

    Raises elf.NotExecutable for files vkemu cannot run, SyscallError(ENOENT) for a
    missing interpreter and SyscallError(EACCES) when the image would need executable
    memory that is not attested.
    """
    image = parsed or elf.parse(data)
    mm = proc.mm
    layout = _layout(proc)
    mm.mmap_top = layout.mmap_top
    low, high = image.span
    brk = high
    if not image.is_pie:
        bias = 0
    elif image.interpreter is not None:
        bias = layout.pie_base
        brk += bias
    else:
        # A static PIE goes where mmap puts it (Linux loads it with load_bias 0), and
        # under randomisation its brk moves to ELF_ET_DYN_BASE.
        bias = mm.find_free(high - low) - low
        brk = elf.ET_DYN_BASE if layout.randomised else bias + high
    _map_image(proc, image, data, bias, attested, execfn.decode(errors="replace"))
    mm.brk_start = mm.brk = brk + layout.brk_offset
    entry, interp_base = bias + image.entry, 0
    if image.interpreter is not None:
        interp, interp_data, interp_attested, interp_path = _interpreter(proc, image.interpreter)
        low, high = interp.span
        interp_base = mm.find_free(high - low) - low
        _map_image(proc, interp, interp_data, interp_base, interp_attested, interp_path)
        entry = interp_base + interp.entry
    mm.map(layout.stack_top - STACK_SIZE, STACK_SIZE, abi.PROT_READ | abi.PROT_WRITE, name="[stack]")
    c = proc.creds
    auxv = [
        (stack.AT_MINSIGSTKSZ, 2048), (stack.AT_HWCAP, stack.HWCAP_X86_64), (stack.AT_PAGESZ, abi.PAGE_SIZE),
        (stack.AT_CLKTCK, 100), (stack.AT_PHDR, image.phdr_address(bias)), (stack.AT_PHENT, image.phentsize),
        (stack.AT_PHNUM, image.phnum), (stack.AT_BASE, interp_base), (stack.AT_FLAGS, 0),
        (stack.AT_ENTRY, bias + image.entry), (stack.AT_UID, c.uid), (stack.AT_EUID, c.euid),
        (stack.AT_GID, c.gid), (stack.AT_EGID, c.egid), (stack.AT_SECURE, 0), (stack.AT_HWCAP2, 0),
    ]
    img = stack.build(layout.stack_top, argv, envp, execfn, auxv, random16)
    if len(img.data) > STACK_SIZE // 4:
        raise SyscallError(abi.E2BIG)
    mm.write(img.sp, img.data, check=False)
    return entry, img.sp
