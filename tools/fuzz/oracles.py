"""Consistency checks the fuzzer runs after every call: the invariants the kernel's
modules state in their docstrings, checked from outside.  Each returns a description of
the first violation, or "" when the state is consistent."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vkernel.memory import PAGE, AddressSpace
from vkernel.net.local import LocalSocket
from vkernel.pipe import Pipe, PipeEnd, PipeReadEnd, PipeWriteEnd
from vkernel.sched import State
from vkernel.vfs.file import FileDescription

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.task import Process

PROT_BITS = 7
PROT_WRITE, PROT_EXEC = 2, 4


def check_all(proc: Process, mirror: bool = True) -> str:
    """Every check; ``mirror``: compare with the CPU's own mappings too (costly: the
    driver asks for it when the VMAs changed)."""
    kernel = proc.kernel
    return (check_memory(proc.mm, proc.cpu.regions() if mirror else None) or check_descriptions(kernel)
            or check_page_caches(kernel) or check_waits(kernel))


def _runs(ranges: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """[start, end) ranges with their protection, adjacent equal ones merged."""
    out: list[tuple[int, int, int]] = []
    for start, end, prot in sorted(ranges):
        if out and out[-1][1] == start and out[-1][2] == prot:
            out[-1] = (out[-1][0], end, prot)
        else:
            out.append((start, end, prot))
    return out


def check_memory(mm: AddressSpace, regions: list[tuple[int, int, int]] | None) -> str:
    """memory.py's invariants: sorted, non-overlapping, page-aligned VMAs, mirrored
    exactly in the CPU's mappings and permissions (those past the end of a file mapped
    through its page cache closed); W^X (DESIGN invariant 1)."""
    prev_end = 0
    for vma in mm.vmas:
        if vma.start % PAGE or vma.end % PAGE or vma.start >= vma.end:
            return f"VMA {vma.start:#x}-{vma.end:#x} is empty or not page-aligned"
        if vma.start < prev_end:
            return f"VMA {vma.start:#x}-{vma.end:#x} overlaps the one before (ending {prev_end:#x})"
        prev_end = vma.end
        if vma.prot & ~PROT_BITS:
            return f"VMA {vma.start:#x}-{vma.end:#x} has protection bits {vma.prot:#x}"
        if vma.prot & PROT_EXEC and (vma.prot & PROT_WRITE or not vma.attested or vma.was_writable):
            return (f"W^X: VMA {vma.start:#x}-{vma.end:#x} prot {vma.prot} attested={vma.attested} "
                    f"was_writable={vma.was_writable}")
        if vma.prot & PROT_WRITE and not vma.was_writable:
            return f"VMA {vma.start:#x}-{vma.end:#x} is writable but not marked was_writable"
        if vma.offset < 0 or vma.offset + (vma.end - vma.start) > vma.buffer.size:
            return f"VMA {vma.start:#x}-{vma.end:#x} reaches outside its buffer"
    if mm._starts != [vma.start for vma in mm.vmas]:
        return "the VMA start index differs from the VMA list"
    if regions is None:
        return ""
    ours = _runs(mm.mirrored())
    theirs = _runs([(begin, end + 1, prot) for begin, end, prot in regions])
    if ours != theirs:
        diff = sorted(set(ours) ^ set(theirs))[:3]
        return f"the CPU's mappings differ from the VMAs: {[(hex(a), hex(b), p) for a, b, p in diff]}"
    return ""


def check_descriptions(kernel: Kernel) -> str:
    """fdtable.py's invariant: a description's ``refs`` is the number of fd entries
    (in every table), file-backed VMAs and SCM_RIGHTS messages in flight pointing at
    it; pipe.py's: a pipe's reader and writer counts are its open descriptions, its
    byte count what its pages hold; and check_sockets'."""
    counts: dict[int, int] = {}
    descs: dict[int, FileDescription] = {}
    tables, spaces = {}, {}
    for proc in kernel.processes.values():
        if proc.exit_code is None:
            tables[id(proc.fds)] = proc.fds
            spaces[id(proc.mm)] = proc.mm
    for table in tables.values():
        for entry in table.entries.values():
            desc = entry.description
            descs[id(desc)] = desc
            counts[id(desc)] = counts.get(id(desc), 0) + 1
    for mm in spaces.values():
        for vma in mm.vmas:
            if vma.file is not None:
                descs[id(vma.file)] = vma.file
                counts[id(vma.file)] = counts.get(id(vma.file), 0) + 1
    problem = check_sockets(kernel, descs, counts)
    if problem:
        return problem
    pipes: dict[int, tuple[Pipe, list[PipeEnd]]] = {}
    for key, desc in descs.items():
        if desc.refs != counts[key]:
            return f"{type(desc).__name__} {desc.path!r} has refs={desc.refs} but {counts[key]} references"
        if isinstance(desc, PipeEnd):
            pipes.setdefault(id(desc.pipe), (desc.pipe, []))[1].append(desc)
    for pipe, ends in pipes.values():
        readers = sum(1 for end in ends if isinstance(end, PipeReadEnd))     # an O_RDWR end is both
        writers = sum(1 for end in ends if isinstance(end, PipeWriteEnd))
        if pipe.readers != readers or pipe.writers != writers:
            return (f"{pipe.name!r} counts {pipe.readers} readers and {pipe.writers} writers, "
                    f"but {readers} and {writers} descriptions are open")
        held = sum(len(page.data) - page.start for page in pipe.pages)
        if held != pipe.nbytes or len(pipe.pages) > pipe.max_slots:
            return f"{pipe.name!r} holds {held} bytes in {len(pipe.pages)} pages but counts {pipe.nbytes}"
    return ""


def check_page_caches(kernel: Kernel) -> str:
    """pagecache.py's invariants: the registry holds exactly the caches live VMAs map,
    each counting those VMAs, and a VMA maps its cache at the file offset."""
    counts: dict[int, int] = {}
    spaces = {id(proc.mm): proc.mm for proc in kernel.processes.values() if proc.exit_code is None}
    for mm in spaces.values():
        for vma in mm.vmas:
            if vma.cache is not None:
                counts[id(vma.cache)] = counts.get(id(vma.cache), 0) + 1
                if vma.buffer is not vma.cache.buffer or vma.offset != vma.file_offset:
                    return f"VMA {vma.start:#x}-{vma.end:#x} does not map its page cache at its file offset"
    registry = kernel.numbers.page_caches
    if {id(cache) for cache in registry.values()} != set(counts):
        return f"page caches registered for inodes {sorted(registry)} differ from those VMAs map"
    for ino, cache in registry.items():
        if cache.users != counts[id(cache)]:
            return f"the page cache of inode {ino} counts {cache.users} VMAs, {counts[id(cache)]} map it"
    return ""


def check_waits(kernel: Kernel) -> str:
    """sched.py: a thread is BLOCKED exactly when it has a wait, and the scheduler's
    table of blocked threads lists exactly those waits; futex queues hold only waits
    that are their threads' current ones."""
    for proc in kernel.processes.values():
        for t in proc.threads:
            if (t.state is State.BLOCKED) != (t.wait is not None):
                return f"thread {t.tid} is {t.state.value} with wait {t.wait!r}"
            if t.wait is not None and kernel.sched.blocked.get(t.tid) is not t.wait:
                return f"thread {t.tid}'s wait is not the scheduler's record of it"
    for key, queue in kernel.futexes.queues.items():
        for waiter in queue:
            if waiter.thread.wait is None:
                return f"futex queue {key!r} holds thread {waiter.thread.tid}, which waits for nothing"
    return ""


def check_sockets(kernel: Kernel, descs: dict[int, FileDescription], counts: dict[int, int]) -> str:
    """net/local.py's invariants over every socket reachable from the fd tables (through
    peers, accept backlogs, bound names and descriptions in flight, which are added to
    ``descs``/``counts`` as references): a socket's ``rx_bytes`` is what its queue holds
    unread, its ``wmem`` the unread bytes of its segments in all queues, and it has
    pending sends only while over its send buffer."""
    names = getattr(kernel, "unix_names", None)
    stack: list[LocalSocket] = [d for d in descs.values() if isinstance(d, LocalSocket)]
    if names is not None:
        stack += [s for s in list(names.abstract.values()) + list(names.paths.values()) if isinstance(s, LocalSocket)]
    seen: dict[int, LocalSocket] = {}
    while stack:
        sock = stack.pop()
        if id(sock) in seen:
            continue
        seen[id(sock)] = sock
        descs.setdefault(id(sock), sock)
        counts.setdefault(id(sock), 0)
        for seg in sock.rx:
            if seg.sender is not None:
                stack.append(seg.sender)
            for desc in seg.anc.fds if seg.anc is not None else ():
                descs[id(desc)] = desc
                counts[id(desc)] = counts.get(id(desc), 0) + 1
                if isinstance(desc, LocalSocket):
                    stack.append(desc)
        stack.extend(sock.backlog)
        if sock.peer is not None:
            stack.append(sock.peer)
    charged: dict[int, int] = {}
    for sock in seen.values():
        held = sum(seg.left for seg in sock.rx)
        if held != sock.rx_bytes:
            return f"{sock.path!r} counts rx_bytes={sock.rx_bytes} but its queue holds {held} unread bytes"
        for seg in sock.rx:
            if seg.sender is not None:
                charged[id(seg.sender)] = charged.get(id(seg.sender), 0) + seg.left
    for key, sock in seen.items():
        if sock.wmem != charged.get(key, 0):
            return f"{sock.path!r} has wmem={sock.wmem} but {charged.get(key, 0)} of its bytes are unread in queues"
        if sock.pending and sock.wmem < sock.sndbuf:
            return f"{sock.path!r} has {len(sock.pending)} pending sends with room in its send buffer"
    return ""
