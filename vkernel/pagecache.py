"""Page caches: the one copy of a file's mapped pages that every MAP_SHARED mapping of
the file (in any process of the container) and read(2)/write(2) on it agree on.

A cache exists while at least one shared mapping of the file does.  It lives in the
kernel-wide registry ``InodeNumbers.page_caches`` under the number of the inode that
stores the bytes (a MemInode, or a HostInode: not an overlay's inode, whose copy-up
changes where the bytes are), so two descriptions of one file, opened separately or
inherited, meet the same cache.

Invariants:
- The host buffer is reserved once (address space only, committed lazily) and never
  moves, so a VMA maps it at ``buffer offset == file offset`` for as long as it lives.
- ``loaded`` lists the page runs whose bytes in the buffer are the file's truth: stores
  through a mapping land there first, and msync/munmap/exit copy them to the storage.
  Elsewhere the buffer is zero.
- Writes are written through: write(2) changes the storage and the loaded pages alike,
  so the two differ only by stores made through mappings, which read(2) lays over what
  the storage returns.  Bytes past the end of the file are zero in loaded pages, as in
  Linux's page cache after a truncate.
- ``size`` follows the file's size through every change the kernel makes (write,
  truncate, O_TRUNC); when the number of pages it covers changes, every address space
  mapping the cache hears of it (pages wholly past the end of the file fault with
  SIGBUS, vkernel/memory.py).
"""
from __future__ import annotations

import bisect
import mmap
from typing import TYPE_CHECKING

from vkernel import abi

if TYPE_CHECKING:
    from vkernel.memory import AddressSpace, Buffer

PAGE = abi.PAGE_SIZE
# Bounds of the file bytes one cache can hold (virtual: only touched pages cost memory).
# A shared mapping reaching past its cache's falls back to a private copy written back
# on msync/munmap.
RESERVE_MIN = 1 << 32
RESERVE_MAX = 1 << 40


class PageCache:
    """The shared pages of one file."""

    def __init__(self, buffer: Buffer, registry: dict[int, PageCache], key: int, size: int) -> None:
        self.buffer = buffer
        self.size = size                           # the file's size
        self.loaded: list[tuple[int, int]] = []    # sorted, disjoint, page-aligned [lo, hi)
        # The address spaces mapping it, each with its number of VMAs here.
        self._spaces: dict[int, tuple[AddressSpace, int]] = {}
        self._registry = registry
        self._key = key

    # -- lifetime (driven by the VMAs that map it) --
    def hold(self, space: AddressSpace, count: int = 1) -> None:
        held = self._spaces.get(id(space), (space, 0))[1]
        self._spaces[id(space)] = (space, held + count)

    def release(self, space: AddressSpace) -> None:
        """One VMA of ``space`` fewer; the cache leaves the registry with the last (every
        writable VMA has written its pages back by then)."""
        held = self._spaces[id(space)][1] - 1
        if held:
            self._spaces[id(space)] = (space, held)
        else:
            del self._spaces[id(space)]
        self.forget_if_unused()

    @property
    def users(self) -> int:
        """The VMAs mapping it, in all address spaces."""
        return sum(held for _, held in self._spaces.values())

    def forget_if_unused(self) -> None:
        if not self._spaces and self._registry.get(self._key) is self:
            del self._registry[self._key]

    def _set_size(self, size: int) -> None:
        pages_before = (self.size + PAGE - 1) // PAGE
        self.size = size
        if (size + PAGE - 1) // PAGE != pages_before:
            for space, _ in list(self._spaces.values()):
                space.end_of_file_moved(self)

    # -- pages --
    def _gaps(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The parts of [lo, hi) not loaded yet."""
        gaps, pos = [], lo
        for a, b in self._overlapping(lo, hi):
            if a > pos:
                gaps.append((pos, a))
            pos = max(pos, b)
        if pos < hi:
            gaps.append((pos, hi))
        return gaps

    def _overlapping(self, lo: int, hi: int) -> list[tuple[int, int]]:
        i = max(bisect.bisect_right(self.loaded, (lo, lo)) - 1, 0)
        out = []
        while i < len(self.loaded) and self.loaded[i][0] < hi:
            a, b = self.loaded[i]
            if b > lo:
                out.append((max(a, lo), min(b, hi)))
            i += 1
        return out

    def load(self, lo: int, hi: int, pread) -> None:
        """Make the pages of [lo, hi) (page-aligned) present: what is not loaded yet is
        read from the storage through ``pread(views, offset)``; loaded pages keep their
        bytes, stores included."""
        view = memoryview(self.buffer.mem)
        for a, b in self._gaps(lo, hi):
            pread([view[a:b]], a)
        merged = sorted(self.loaded + [(lo, hi)])
        self.loaded = []
        for a, b in merged:
            if self.loaded and a <= self.loaded[-1][1]:
                self.loaded[-1] = (self.loaded[-1][0], max(self.loaded[-1][1], b))
            else:
                self.loaded.append((a, b))

    def read_over(self, views: list[memoryview], offset: int, count: int) -> None:
        """``views`` hold ``count`` bytes the storage returned from ``offset``: lay the
        loaded pages over them."""
        for a, b in self._overlapping(offset, offset + count):
            _scatter(views, a - offset, self.buffer.mem[a:b])

    def write_through(self, data: bytes, offset: int) -> None:
        """``data`` was written to the storage at ``offset``: loaded pages take it too
        (and a hole it leaves past the old end reads as zeros, as in the storage)."""
        if offset > self.size:
            self._zero(self.size, offset)
        for a, b in self._overlapping(offset, offset + len(data)):
            self.buffer.mem[a:b] = data[a - offset:b - offset]
        if offset + len(data) > self.size:
            self._set_size(offset + len(data))

    def resized(self, old_size: int, new_size: int) -> None:
        """The file's size changed (truncate, O_TRUNC): the loaded bytes between the two
        sizes read as zeros, as the file's own bytes there now do.  A shrink drops the
        old last page whole, stores past the old end included (truncate_pagecache)."""
        if new_size < old_size:
            self._zero(new_size, (old_size + PAGE - 1) & ~(PAGE - 1))
        else:
            self._zero(old_size, new_size)
        self._set_size(new_size)

    def _zero(self, lo: int, hi: int) -> None:
        """Loaded bytes of [lo, hi) become zeros (whole pages are given back to the host)."""
        for a, b in self._overlapping(lo, hi):
            whole_lo = min((a + PAGE - 1) & ~(PAGE - 1), b)
            whole_hi = max(b & ~(PAGE - 1), whole_lo)
            self.buffer.mem[a:whole_lo] = bytes(whole_lo - a)
            if whole_hi > whole_lo:
                self.buffer.mem.madvise(mmap.MADV_DONTNEED, whole_lo, whole_hi - whole_lo)
            self.buffer.mem[whole_hi:b] = bytes(b - whole_hi)


def _scatter(views: list[memoryview], pos: int, data: bytes) -> None:
    """Copy ``data`` into the concatenation of ``views`` from byte ``pos``."""
    for view in views:
        if pos >= len(view):
            pos -= len(view)
            continue
        n = min(len(view) - pos, len(data))
        view[pos:pos + n] = data[:n]
        data = data[n:]
        pos = 0
        if not data:
            return
