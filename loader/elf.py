"""ELF executables as the loader sees them: loadable segments, entry, interpreter.

Parsing is pyelftools'; this module only checks that the file is something vkemu can
run and turns program headers into a load plan.  It maps nothing itself: the kernel's
memory manager places the segments, so W^X and attestation stay in one place.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

PF_X, PF_W, PF_R = 1, 2, 4
PAGE = 4096

# Where ET_DYN programs with an interpreter go: Linux's ELF_ET_DYN_BASE (2/3 of the
# address space) with randomisation off, as under `setarch -R`.
ET_DYN_BASE = 0x555555554000


class NotExecutable(Exception):
    """The file is not an x86-64 ELF program vkemu can run; the message says why."""


@dataclass(frozen=True)
class Segment:
    """One PT_LOAD, relative to the load bias."""
    vaddr: int
    memsz: int
    offset: int
    filesz: int
    flags: int                # PF_R | PF_W | PF_X

    @property
    def prot(self) -> int:
        """PROT_* bits for the segment (same values as PF_* reversed)."""
        return ((4 if self.flags & PF_X else 0) | (2 if self.flags & PF_W else 0)
                | (1 if self.flags & PF_R else 0))


@dataclass
class ElfImage:
    """A parsed executable: what to map, and where it starts."""
    data: bytes
    is_pie: bool
    entry: int                # relative to the load bias for PIE
    phoff: int
    phentsize: int
    phnum: int
    phdr_vaddr: int | None    # PT_PHDR if present
    segments: list[Segment] = field(default_factory=list)
    interpreter: str | None = None
    exec_stack: bool = False
    tls_size: int = 0

    @property
    def span(self) -> tuple[int, int]:
        """Lowest and highest (page-rounded) addresses of the loadable segments."""
        low = min(seg.vaddr for seg in self.segments) & ~(PAGE - 1)
        high = max(seg.vaddr + seg.memsz for seg in self.segments)
        return low, (high + PAGE - 1) & ~(PAGE - 1)

    def phdr_address(self, bias: int) -> int:
        """Where the program headers are in guest memory (AT_PHDR)."""
        if self.phdr_vaddr is not None:
            return bias + self.phdr_vaddr
        for seg in self.segments:
            if seg.offset <= self.phoff < seg.offset + seg.filesz:
                return bias + seg.vaddr + (self.phoff - seg.offset)
        return 0


def parse(data: bytes) -> ElfImage:
    """Parse an executable, or raise NotExecutable with a one-line reason."""
    if not data.startswith(b"\x7fELF"):
        raise NotExecutable("not an ELF file")
    try:
        elf = ELFFile(io.BytesIO(data))
        if elf.elfclass != 64 or elf["e_machine"] != "EM_X86_64":
            raise NotExecutable(f"not an x86-64 program (ELF{elf.elfclass}, {elf['e_machine']})")
        etype = elf["e_type"]
        if etype not in ("ET_EXEC", "ET_DYN"):
            raise NotExecutable(f"not an executable ({etype})")
        image = ElfImage(data=data, is_pie=etype == "ET_DYN", entry=elf["e_entry"],
                         phoff=elf["e_phoff"], phentsize=elf["e_phentsize"],
                         phnum=elf["e_phnum"], phdr_vaddr=None)
        for seg in elf.iter_segments():
            ptype = seg["p_type"]
            if ptype == "PT_LOAD" and seg["p_memsz"]:
                if seg["p_filesz"] > seg["p_memsz"] or seg["p_offset"] + seg["p_filesz"] > len(data):
                    raise NotExecutable("corrupt PT_LOAD segment")
                if (seg["p_vaddr"] - seg["p_offset"]) % PAGE:
                    raise NotExecutable("PT_LOAD segment not page-aligned")
                image.segments.append(Segment(seg["p_vaddr"], seg["p_memsz"], seg["p_offset"],
                                              seg["p_filesz"], seg["p_flags"]))
            elif ptype == "PT_INTERP":
                image.interpreter = seg.get_interp_name()
            elif ptype == "PT_PHDR":
                image.phdr_vaddr = seg["p_vaddr"]
            elif ptype == "PT_GNU_STACK":
                image.exec_stack = bool(seg["p_flags"] & PF_X)
            elif ptype == "PT_TLS":
                image.tls_size = seg["p_memsz"]
    except ELFError as exc:
        raise NotExecutable(f"corrupt ELF file ({exc})") from None
    if not image.segments:
        raise NotExecutable("no loadable segments")
    return image
