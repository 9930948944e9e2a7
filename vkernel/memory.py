"""A guest address space: VMAs over host buffers, mirrored into the CPU backend.

Invariants:
- The VMA list is sorted, non-overlapping and page-aligned; it is the truth.  Every
  change is mirrored into the CPU (map/unmap/protect) in the same call, so Unicorn's
  permissions always equal the guest's, but for one case: the pages of a shared file
  mapping wholly past the end of the file are PROT_NONE in Unicorn (``_mirror``), so
  an access faults and becomes SIGBUS, as Linux gives; they open when the file grows.
- W^X (DESIGN invariant 1): a VMA is executable only if ``attested`` (its bytes came
  from an immutable, attested file) and it has never been writable.  ``was_writable``
  is sticky through splits and never cleared.
- Guest memory accessed by the kernel goes through the VMA list, never through
  Unicorn, and honours the guest's permissions: EFAULT otherwise, and for the pages
  past the end of a file mapped through its page cache.
- A file-backed VMA holds one reference (``refs``) on its file description while it
  is mapped, so the mapping outlives the fd.  A shared mapping of a regular file maps
  the file's page cache (vkernel/pagecache.py) at the file offset, and holds one
  reference on it: every shared mapping of the file, in every process, and read(2) and
  write(2) see the same bytes.  Its pages reach the storage (within the file's size) on
  msync, on unmap and at exit, when the mapping was ever writable.  Other shared file
  mappings (a device, or an offset past the cache's reservation) are private copies
  written back the same way, through the page cache.
"""
from __future__ import annotations

import bisect
import ctypes
import mmap
import struct
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator, Protocol

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.fdtable import release
from vkernel.pagecache import RESERVE_MAX, RESERVE_MIN, PageCache

if TYPE_CHECKING:
    from vkernel.vfs.file import FileDescription

PAGE = abi.PAGE_SIZE
PAGE_MASK = ~(PAGE - 1)

# Top of the mmap area (below the stack, as Linux places mmap_base) and the stack.
STACK_TOP = 0x7FFFFFFFF000
STACK_SIZE = 8 << 20
MMAP_TOP = 0x7FFFF7FFF000
MMAP_BOTTOM = 0x10000
TASK_SIZE = 0x7FFFFFFFF000
HEAP_RESERVE = 1 << 32          # host reservation backing brk; lazily committed


def page_up(value: int) -> int:
    return (value + PAGE - 1) & PAGE_MASK


def page_down(value: int) -> int:
    return value & PAGE_MASK


# The host's MAP_NORESERVE (the mmap module names it only from Python 3.12).
_HOST_MAP_NORESERVE = getattr(mmap, "MAP_NORESERVE", 0x4000)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def _resident_runs(buffer: Buffer, lo: int, hi: int) -> list[tuple[int, int]]:
    """Page runs of [lo, hi) that the host has ever committed: the others read as zero
    in the copy anyway, so fork copies only these (a mostly untouched 8 MiB stack costs
    a few pages, not 8 MiB)."""
    pages = (hi - lo) // PAGE
    vec = ctypes.create_string_buffer(pages)
    if _libc.mincore(buffer.address + lo, hi - lo, vec) != 0:
        return [(lo, hi)]
    runs: list[tuple[int, int]] = []
    raw = vec.raw
    i = 0
    while i < pages:
        if raw[i] & 1:
            j = i
            while j < pages and raw[j] & 1:
                j += 1
            runs.append((lo + i * PAGE, lo + j * PAGE))
            i = j
        else:
            i += 1
    return runs


class Backend(Protocol):
    """The part of emu.CPU the memory manager drives."""

    def map(self, address: int, size: int, prot: int, host_address: int) -> None: ...
    def unmap(self, address: int, size: int) -> None: ...
    def protect(self, address: int, size: int, prot: int) -> None: ...


class Buffer:
    """Host memory backing one or more VMAs (anonymous, lazily committed; a
    ``reserve`` is address space only, never counted against the host's commit limit)."""

    __slots__ = ("mem", "address", "size")

    def __init__(self, size: int, reserve: bool = False) -> None:
        self.size = size
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | (_HOST_MAP_NORESERVE if reserve else 0)
        self.mem = mmap.mmap(-1, size, flags=flags)
        self.address = ctypes.addressof(ctypes.c_char.from_buffer(self.mem))


@dataclass
class VMA:
    """A run of pages with one protection and one backing."""
    start: int
    end: int
    prot: int
    buffer: Buffer
    offset: int                    # of ``start`` within buffer
    shared: bool = False
    attested: bool = False         # bytes come from an attested, immutable file
    was_writable: bool = False     # sticky: W^X forbids exec once set
    name: str = ""                 # file path, "[heap]", "[stack]" or "" for anonymous
    file_offset: int = 0
    inode: int = 0
    dev: int = 0
    file: FileDescription | None = None   # the mapped file; one reference per VMA
    may_write: bool = True         # VM_MAYWRITE: False for a shared map of a read-only fd
    cache: PageCache | None = None        # the file's page cache mapped here; one reference per VMA

    def slice(self, start: int, end: int) -> VMA:
        delta = start - self.start
        return replace(self, start=start, end=end, offset=self.offset + delta,
                       file_offset=self.file_offset + (delta if self.inode or self.file is not None else 0))

    def mergeable_with(self, nxt: VMA) -> bool:
        return (self.end == nxt.start and self.buffer is nxt.buffer
                and self.offset + (self.end - self.start) == nxt.offset
                and self.file is nxt.file
                and (self.prot, self.shared, self.attested, self.was_writable, self.name, self.may_write)
                == (nxt.prot, nxt.shared, nxt.attested, nxt.was_writable, nxt.name, nxt.may_write))


class WXViolation(SyscallError):
    """A request that would make non-attested or once-writable memory executable."""

    def __init__(self, reason: str) -> None:
        super().__init__(abi.EACCES)
        self.reason = reason


class AddressSpace:
    """The VMAs of one guest process and the kernel's access to their bytes."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.vmas: list[VMA] = []
        self._starts: list[int] = []
        self.brk_start = 0
        self.brk = 0
        self._heap: Buffer | None = None
        self.mmap_top = MMAP_TOP       # where top-down placement starts (exec may randomise it)
        self.mapped = 0                # bytes in all VMAs: the [quotas] memory charge

    # -- lookup -----------------------------------------------------------------------

    def find(self, address: int) -> VMA | None:
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0:
            vma = self.vmas[i]
            if address < vma.end:
                return vma
        return None

    def _overlapping(self, start: int, end: int) -> list[VMA]:
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        out = []
        while i < len(self.vmas) and self.vmas[i].start < end:
            if self.vmas[i].end > start:
                out.append(self.vmas[i])
            i += 1
        return out

    def mapped_in(self, start: int, end: int) -> int:
        """Bytes of [start, end) that are mapped."""
        return sum(min(v.end, end) - max(v.start, start) for v in self._overlapping(start, end))

    def is_free(self, start: int, end: int) -> bool:
        return not self._overlapping(start, end)

    def fully_mapped(self, start: int, length: int) -> bool:
        """Whether every page of [start, start+length) is mapped."""
        end = start + page_up(length)
        return self.mapped_in(start, end) == end - start

    def find_free(self, size: int, hint: int = 0) -> int:
        """A free page-aligned range of ``size`` bytes: at ``hint`` if free, else top-down."""
        if hint and hint >= MMAP_BOTTOM and hint + size <= TASK_SIZE and self.is_free(hint, hint + size):
            return hint
        top = self.mmap_top
        for vma in reversed(self.vmas):
            if vma.start >= top:
                continue
            if vma.end <= top - size:
                return top - size
            top = min(top, vma.start)
        if top - size >= MMAP_BOTTOM:
            return top - size
        raise SyscallError(abi.ENOMEM)

    # -- changes (each mirrored into the backend) ----------------------------------------

    def _insert(self, vma: VMA) -> None:
        i = bisect.bisect_left(self._starts, vma.start)
        self.vmas.insert(i, vma)
        self._starts.insert(i, vma.start)
        self.mapped += vma.end - vma.start
        if vma.file is not None:
            vma.file.refs += 1
        if vma.cache is not None:
            vma.cache.hold(self)

    def _remove(self, vma: VMA) -> None:
        i = bisect.bisect_left(self._starts, vma.start)
        del self.vmas[i]
        del self._starts[i]
        self.mapped -= vma.end - vma.start
        if vma.file is not None:
            release(vma.file)
        if vma.cache is not None:
            vma.cache.release(self)

    def _replace(self, vma: VMA, pieces: list[VMA]) -> None:
        """Split ``vma`` into ``pieces`` in place (each piece holds its own file reference)."""
        i = bisect.bisect_left(self._starts, vma.start)
        self.vmas[i:i + 1] = pieces
        self._starts[i:i + 1] = [piece.start for piece in pieces]
        if vma.file is not None:
            vma.file.refs += len(pieces) - 1
        if vma.cache is not None:
            vma.cache.hold(self, len(pieces) - 1)

    def _split_range(self, start: int, end: int) -> list[VMA]:
        """Split VMAs at start and end; return those now fully inside [start, end)."""
        inside = []
        for vma in self._overlapping(start, end):
            pieces = []
            if vma.start < start:
                pieces.append(vma.slice(vma.start, start))
            mid = vma.slice(max(vma.start, start), min(vma.end, end))
            pieces.append(mid)
            if vma.end > end:
                pieces.append(vma.slice(end, vma.end))
            if len(pieces) > 1:
                self._replace(vma, pieces)
            inside.append(mid if len(pieces) > 1 else vma)
        return inside

    def _merge_around(self, start: int, end: int) -> None:
        i = max(bisect.bisect_right(self._starts, start) - 2, 0)
        while i < len(self.vmas) - 1 and self.vmas[i].start <= end:
            a, b = self.vmas[i], self.vmas[i + 1]
            if a.mergeable_with(b):
                self._remove(b)
                a.end = b.end
                self.mapped += b.end - b.start      # b's pages stay mapped, now in a
            else:
                i += 1

    @staticmethod
    def check_exec(prot: int, attested: bool, was_writable: bool) -> None:
        """Invariant 1, the only place it is decided."""
        if not prot & abi.PROT_EXEC:
            return
        if prot & abi.PROT_WRITE:
            raise WXViolation("writable and executable at once")
        if not attested:
            raise WXViolation("executable memory that is not attested code")
        if was_writable:
            raise WXViolation("executable memory that was writable before")

    def map(self, start: int, length: int, prot: int, *, buffer: Buffer | None = None, offset: int = 0,
            shared: bool = False, attested: bool = False, name: str = "", file_offset: int = 0,
            inode: int = 0, dev: int = 0, file: FileDescription | None = None,
            may_write: bool = True) -> VMA:
        """Map [start, start+length) fresh, replacing whatever was there (MAP_FIXED).

        With ``file``, the pages start as the file's bytes from ``file_offset`` (zeros
        past its end) and the VMA holds a reference on the description; shared, they
        are the file's page cache."""
        length = page_up(length)
        self.check_exec(prot, attested, False)
        self.unmap(start, length)
        cache = self._page_cache(file, file_offset + length) if shared and file is not None else None
        if cache is not None:
            buffer, offset = cache.buffer, file_offset
            try:
                cache.load(file_offset, file_offset + length, file.pread)  # type: ignore[union-attr]
            except SyscallError:
                cache.forget_if_unused()
                raise
        elif buffer is None:
            buffer = Buffer(length)
        vma = VMA(start, start + length, prot & 7, buffer, offset, shared, attested,
                  bool(prot & abi.PROT_WRITE), name, file_offset, inode, dev, file, may_write, cache)
        if file is not None and cache is None:
            self._load(vma, start, start + length)
        self.backend.map(start, length, prot & 7, buffer.address + offset)
        if self._reach(vma) < vma.end:
            self._mirror(vma)
        self._insert(vma)
        self._merge_around(start, start + length)
        return vma

    @staticmethod
    def _page_cache(file: FileDescription, end: int) -> PageCache | None:
        """The page cache of ``file`` (made now if no mapping has it yet), when the file
        can have one that reaches file offset ``end``.  Its reservation is sized once,
        from the first mapping (a few times what it needs, within [RESERVE_MIN,
        RESERVE_MAX]); a mapping reaching past it is a private copy."""
        inode = file.cache_inode
        if inode is None:
            return None
        registry = inode.fs.numbers.page_caches
        cache = registry.get(inode.ino)
        if cache is not None:
            return cache if end <= cache.buffer.size else None
        reserve = min(max(RESERVE_MIN, 1 << (4 * end - 1).bit_length()), RESERVE_MAX)
        if end > reserve:
            return None
        try:
            buffer = Buffer(reserve, reserve=True)
        except OSError:
            return None         # the host's address space is spent: a private copy still works
        cache = registry[inode.ino] = PageCache(buffer, registry, inode.ino, file.size())
        return cache

    @staticmethod
    def _reach(vma: VMA) -> int:
        """Where the pages the guest may touch end: for a page cache mapping, before
        those wholly past the end of the file (SIGBUS, or EFAULT for the kernel)."""
        if vma.cache is None:
            return vma.end
        return min(max(vma.start + page_up(vma.cache.size) - vma.file_offset, vma.start), vma.end)

    def _backend_runs(self, vma: VMA) -> list[tuple[int, int, int]]:
        """(start, end, prot) of the VMA as the backend holds it."""
        eof = self._reach(vma)
        runs = [(vma.start, eof, vma.prot)] if eof > vma.start else []
        return runs + [(eof, vma.end, abi.PROT_NONE)] if vma.end > eof else runs

    def _mirror(self, vma: VMA) -> None:
        """Set the VMA's protection in the backend."""
        for start, end, prot in self._backend_runs(vma):
            self.backend.protect(start, end - start, prot)

    def mirrored(self) -> list[tuple[int, int, int]]:
        """(start, end, prot) of every mapped run as the backend should hold it."""
        return [run for vma in self.vmas for run in self._backend_runs(vma)]

    def end_of_file_moved(self, cache: PageCache) -> None:
        """The file behind ``cache`` now ends on another page: open or close the pages
        past its end in every VMA mapping it."""
        for vma in self.vmas:
            if vma.cache is cache:
                self._mirror(vma)

    def past_end_of_file(self, address: int, need: int) -> bool:
        """Whether an access needing ``need`` (PROT_*) at ``address`` faulted only because
        the page lies wholly past the end of the file a shared mapping maps: SIGBUS."""
        vma = self.find(address)
        return vma is not None and vma.prot & need == need and address >= self._reach(vma)

    def unmap(self, start: int, length: int) -> None:
        end = start + page_up(length)
        for vma in self._split_range(start, end):
            try:
                self._write_back(vma, vma.start, vma.end)
            except SyscallError:
                pass  # as Linux, munmap does not report write-back errors
            self.backend.unmap(vma.start, vma.end - vma.start)
            self._remove(vma)

    def fork(self, backend: Backend) -> AddressSpace:
        """A copy for a forked child: private pages copied, shared pages the same buffer.

        Copies are eager (memcpy of each private VMA into a fresh buffer at the same
        offset); fork of a large address space costs its resident size."""
        child = AddressSpace(backend)
        child.brk_start, child.brk, child.mmap_top = self.brk_start, self.brk, self.mmap_top
        copies: dict[int, Buffer] = {}
        for vma in self.vmas:
            buffer = vma.buffer
            if not vma.shared:
                buffer = copies.get(id(vma.buffer)) or copies.setdefault(id(vma.buffer), Buffer(vma.buffer.size))
                lo, hi = vma.offset, vma.offset + (vma.end - vma.start)
                for start, stop in _resident_runs(vma.buffer, lo, hi):
                    buffer.mem[start:stop] = vma.buffer.mem[start:stop]
            copy = replace(vma, buffer=buffer)
            backend.map(copy.start, copy.end - copy.start, copy.prot, buffer.address + copy.offset)
            if child._reach(copy) < copy.end:
                child._mirror(copy)
            child._insert(copy)
        if self._heap is not None:
            child._heap = copies.get(id(self._heap))
        return child

    def release_all(self) -> None:
        """Tear the address space down at exit: shared file pages reach their files and
        every file reference is dropped."""
        for vma in list(self.vmas):
            self.unmap(vma.start, vma.end - vma.start)

    @staticmethod
    def _load(vma: VMA, lo: int, hi: int) -> None:
        """Fill [lo, hi) of a file-backed VMA that is not the file's page cache, whose
        pages read as zero, with the file's bytes as its page cache has them (what lies
        past the file's end stays zero)."""
        assert vma.file is not None
        if vma.file.seekable:
            off = vma.offset + lo - vma.start
            vma.file.pread_cached([memoryview(vma.buffer.mem)[off:off + hi - lo]], vma.file_offset + lo - vma.start)

    @staticmethod
    def _write_back(vma: VMA, lo: int, hi: int) -> None:
        """Copy [lo, hi) of a shared file mapping that was ever writable back to its file;
        bytes past the file's end are not written (the file never grows).  The page
        cache's pages go to the storage under it; a private copy goes through the page
        cache, which other mappings of the file may hold."""
        if not (vma.shared and vma.was_writable and vma.file is not None):
            return
        pos = vma.file_offset + lo - vma.start
        n = min(hi - lo, vma.file.size() - pos)
        if n > 0:
            off = vma.offset + lo - vma.start
            write = vma.file.pwrite if vma.cache is not None else vma.file.pwrite_cached
            write([memoryview(vma.buffer.mem)[off:off + n]], pos)

    def sync(self, start: int, length: int) -> None:
        """msync(2): write the shared file pages in the range back to their files."""
        end = start + page_up(length)
        for vma in self._overlapping(start, end):
            self._write_back(vma, max(vma.start, start), min(vma.end, end))

    def protect(self, start: int, length: int, prot: int) -> None:
        """mprotect(2): ENOMEM if any page in the range is unmapped."""
        end = start + page_up(length)
        if not self.fully_mapped(start, end - start):
            raise SyscallError(abi.ENOMEM)
        # Check every piece first so a refused request changes nothing.
        for vma in self._overlapping(start, end):
            if prot & abi.PROT_WRITE and not vma.may_write:
                raise SyscallError(abi.EACCES)
            self.check_exec(prot, vma.attested, vma.was_writable)
        for vma in self._split_range(start, end):
            vma.prot = prot & 7
            vma.was_writable = vma.was_writable or bool(prot & abi.PROT_WRITE)
            self._mirror(vma)
        self._merge_around(start, end)

    def _check_one_mapping(self, start: int, end: int) -> None:
        """EFAULT unless one mapping holds all of [start, end), as mremap requires.

        Linux would have merged what we keep as adjacent VMAs of one mapping (a grown
        tail has its own buffer), so a run of them with the same attributes counts as
        one."""
        prev = self.find(start)
        if prev is None:
            raise SyscallError(abi.EFAULT)
        while prev.end < end:
            nxt = self.find(prev.end)
            if (nxt is None or nxt.file is not prev.file
                    or (nxt.prot, nxt.shared, nxt.name, nxt.was_writable, nxt.may_write)
                    != (prev.prot, prev.shared, prev.name, prev.was_writable, prev.may_write)
                    or (nxt.file is not None and nxt.file_offset != prev.file_offset + prev.end - prev.start)):
                raise SyscallError(abi.EFAULT)
            prev = nxt

    def remap(self, old: int, old_size: int, new_size: int, may_move: bool, fixed_to: int | None) -> int:
        """mremap(2): grow, shrink or move; a file mapping stays backed by its file."""
        old_size, new_size = page_up(old_size), page_up(new_size)
        vma = self.find(old)
        if vma is None or vma.name == "[heap]":
            raise SyscallError(abi.EFAULT)
        if fixed_to is not None and (fixed_to % PAGE or fixed_to > TASK_SIZE - new_size
                                     or (old + old_size > fixed_to and fixed_to + new_size > old)):
            raise SyscallError(abi.EINVAL)  # mremap_to: unaligned, too high, or overlapping
        if fixed_to is None and new_size <= old_size:
            # Shrinking only unmaps the tail, whatever the VMAs there are.
            self.unmap(old + new_size, old_size - new_size)
            return old
        self._check_one_mapping(old, old + min(old_size, new_size))
        if fixed_to is None and self.is_free(old + old_size, old + new_size):
            self._grow_in_place(old, old_size, new_size)
            return old
        if not may_move:
            raise SyscallError(abi.ENOMEM)
        dest = fixed_to if fixed_to is not None else self.find_free(new_size)
        data = self.read(old, min(old_size, new_size), check=False)
        # Map the destination before unmapping the source, so the file reference
        # carries over even when the source held the last one.
        moved = self.map(dest, new_size, abi.PROT_READ | abi.PROT_WRITE, shared=vma.shared, name=vma.name,
                         file=vma.file, file_offset=vma.file_offset + old - vma.start, inode=vma.inode,
                         dev=vma.dev, may_write=vma.may_write)
        moved.was_writable = vma.was_writable
        moved.attested = vma.attested
        self.write(dest, data, check=False)
        if vma.prot != moved.prot:
            moved.prot = vma.prot
            self._mirror(moved)
        self.unmap(old, old_size)
        return dest

    def _grow_in_place(self, old: int, old_size: int, new_size: int) -> None:
        last = self.find(old + old_size - 1)
        assert last is not None
        tail = self.map(old + old_size, new_size - old_size, last.prot & ~abi.PROT_EXEC,
                        shared=last.shared, name=last.name, file=last.file,
                        file_offset=last.file_offset + old + old_size - last.start,
                        inode=last.inode, dev=last.dev, may_write=last.may_write)
        tail.was_writable = last.was_writable

    def set_brk(self, new: int) -> int:
        """brk(2): grow or shrink the heap; returns the (possibly unchanged) break."""
        if new < self.brk_start:
            return self.brk
        old_top, new_top = page_up(self.brk), page_up(new)
        if new_top > old_top:
            if new_top - self.brk_start > HEAP_RESERVE or not self.is_free(old_top, new_top):
                return self.brk
            if self._heap is None:
                self._heap = Buffer(HEAP_RESERVE)
            self.map(old_top, new_top - old_top, abi.PROT_READ | abi.PROT_WRITE, buffer=self._heap,
                     offset=old_top - page_up(self.brk_start), name="[heap]")
        elif new_top < old_top:
            self.unmap(new_top, old_top - new_top)
            assert self._heap is not None
            self._heap.mem.madvise(mmap.MADV_DONTNEED, new_top - page_up(self.brk_start), old_top - new_top)
        self.brk = new
        return new

    def discard(self, start: int, length: int) -> None:
        """MADV_DONTNEED: private pages read again as zeros (anonymous) or as the file's
        bytes (file-backed); shared pages keep their data."""
        end = start + page_up(length)
        for vma in self._overlapping(start, end):
            if vma.shared:
                continue
            lo, hi = max(vma.start, start), min(vma.end, end)
            vma.buffer.mem.madvise(mmap.MADV_DONTNEED, vma.offset + lo - vma.start, hi - lo)
            if vma.file is not None:
                self._load(vma, lo, hi)

    # -- guest memory access for the kernel ------------------------------------------

    def _spans(self, address: int, size: int, need: int, check: bool):
        """Yield (vma, offset-in-buffer, length) covering [address, address+size)."""
        end = address + size
        if address < 0 or end > TASK_SIZE:
            raise SyscallError(abi.EFAULT)
        while address < end:
            vma = self.find(address)
            if vma is None or (check and ((vma.prot & need) != need or address >= self._reach(vma))):
                raise SyscallError(abi.EFAULT)
            n = min(end, self._reach(vma) if check else vma.end) - address
            yield vma, vma.offset + address - vma.start, n
            address += n

    def read(self, address: int, size: int, check: bool = True) -> bytes:
        if size == 0:
            return b""
        vma = self.find(address)
        if (vma is not None and vma.cache is None and address + size <= vma.end
                and (not check or vma.prot & abi.PROT_READ)):
            off = vma.offset + address - vma.start
            return vma.buffer.mem[off:off + size]
        return b"".join(v.buffer.mem[off:off + n] for v, off, n in self._spans(address, size, abi.PROT_READ, check))

    def write(self, address: int, data: bytes | bytearray | memoryview, check: bool = True) -> None:
        size = len(data)
        if size == 0:
            return
        vma = self.find(address)
        if (vma is not None and vma.cache is None and address + size <= vma.end
                and (not check or vma.prot & abi.PROT_WRITE)):
            off = vma.offset + address - vma.start
            vma.buffer.mem[off:off + size] = data
            return
        spans = list(self._spans(address, size, abi.PROT_WRITE, check))
        pos = 0
        for v, off, n in spans:
            v.buffer.mem[off:off + n] = data[pos:pos + n]
            pos += n

    def views(self, address: int, size: int, writable: bool) -> list[memoryview]:
        """Memoryviews over guest memory, for I/O straight into or out of it."""
        need = abi.PROT_WRITE if writable else abi.PROT_READ
        return [memoryview(v.buffer.mem)[off:off + n] for v, off, n in self._spans(address, size, need, True)]

    def accessible(self, address: int, size: int, writable: bool) -> int:
        """How many of the ``size`` bytes from ``address`` the guest may access before
        the first fault: where Linux's copy_to_user/copy_from_user stops."""
        need = abi.PROT_WRITE if writable else abi.PROT_READ
        done = 0
        while done < size:
            vma = self.find(address + done)
            if vma is None or vma.prot & need != need or address + done >= self._reach(vma):
                break
            done = min(size, self._reach(vma) - address)
        return done

    def committed_writable(self) -> Iterator[tuple[int, memoryview]]:
        """(guest address, bytes) of each run of writable pages the host has committed,
        in address order (the rest read as zero): the guest state a recording's
        checksums cover (tools/record.py)."""
        for vma in self.vmas:
            if vma.prot & abi.PROT_WRITE:
                mem = memoryview(vma.buffer.mem)
                for lo, hi in _resident_runs(vma.buffer, vma.offset, vma.offset + vma.end - vma.start):
                    yield vma.start + lo - vma.offset, mem[lo:hi]

    def check_access(self, address: int, size: int, writable: bool) -> None:
        """EFAULT unless the whole range is accessible."""
        for _ in self._spans(address, size, abi.PROT_WRITE if writable else abi.PROT_READ, True):
            pass

    def read_cstring(self, address: int, limit: int = 4096) -> bytes:
        """A NUL-terminated string; ENAMETOOLONG past ``limit`` bytes."""
        out = bytearray()
        while True:
            vma = self.find(address)
            if vma is None or not vma.prot & abi.PROT_READ or address >= self._reach(vma):
                raise SyscallError(abi.EFAULT)
            off = vma.offset + address - vma.start
            stop = min(self._reach(vma) - address, limit + 1 - len(out))
            chunk = vma.buffer.mem[off:off + stop]
            nul = chunk.find(b"\0")
            if nul >= 0:
                out += chunk[:nul]
                return bytes(out)
            out += chunk
            if len(out) > limit:
                raise SyscallError(abi.ENAMETOOLONG)
            address += len(chunk)

    def read_u64(self, address: int) -> int:
        return struct.unpack("<Q", self.read(address, 8))[0]

    def write_u64(self, address: int, value: int) -> None:
        self.write(address, struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))

    def read_i32(self, address: int) -> int:
        return struct.unpack("<i", self.read(address, 4))[0]

    def write_i32(self, address: int, value: int) -> None:
        self.write(address, struct.pack("<i", value))

    def read_pointer_array(self, address: int, limit: int = 1 << 17) -> list[int]:
        """A NULL-terminated array of pointers (argv, envp)."""
        out = []
        while True:
            value = self.read_u64(address + 8 * len(out))
            if value == 0:
                return out
            out.append(value)
            if len(out) > limit:
                raise SyscallError(abi.E2BIG)

    # -- /proc/PID/maps ----------------------------------------------------------------

    def maps_text(self) -> str:
        lines = []
        for vma in self.vmas:
            perms = "".join(c if vma.prot & bit else "-" for c, bit in
                            (("r", abi.PROT_READ), ("w", abi.PROT_WRITE), ("x", abi.PROT_EXEC)))
            perms += "s" if vma.shared else "p"
            dev = f"{vma.dev >> 8:02x}:{vma.dev & 0xff:02x}"
            head = f"{vma.start:08x}-{vma.end:08x} {perms} {vma.file_offset:08x} {dev} {vma.inode}"
            lines.append(f"{head:<72} {vma.name}".rstrip() if vma.name else head)
        return "\n".join(lines) + "\n"
