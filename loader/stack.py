"""The initial process stack: argc, argv, envp, auxv and the strings they point at.

Laid out as Linux's ``create_elf_tables`` does, from the top down: the executable
name (AT_EXECFN), the environment and argument strings, the platform string and the
16 AT_RANDOM bytes, then (16-byte aligned) argc, argv[], NULL, envp[], NULL, auxv.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

# auxv keys (include/uapi/linux/auxvec.h, arch/x86/include/uapi/asm/auxvec.h)
AT_NULL = 0
AT_PHDR = 3
AT_PHENT = 4
AT_PHNUM = 5
AT_PAGESZ = 6
AT_BASE = 7
AT_FLAGS = 8
AT_ENTRY = 9
AT_UID = 11
AT_EUID = 12
AT_GID = 13
AT_EGID = 14
AT_PLATFORM = 15
AT_HWCAP = 16
AT_CLKTCK = 17
AT_SECURE = 23
AT_RANDOM = 25
AT_HWCAP2 = 26
AT_EXECFN = 31
AT_SYSINFO_EHDR = 33
AT_MINSIGSTKSZ = 51

# AT_HWCAP as CPUID.1:EDX of Unicorn's default x86-64 model, and what glibc checks.
HWCAP_X86_64 = 0x178BFBFF
PLATFORM = b"x86_64"


@dataclass
class StackImage:
    """Bytes to place so that they end at ``top``, and the resulting stack pointer."""
    data: bytes
    sp: int
    argv_addrs: list[int]
    envp_addrs: list[int]
    execfn_addr: int
    random_addr: int


def build(top: int, argv: list[bytes], envp: list[bytes], execfn: bytes,
          auxv: list[tuple[int, int]], random16: bytes) -> StackImage:
    """Build the initial stack below ``top``.

    ``auxv`` holds the entries that depend on the load (AT_PHDR, AT_ENTRY, ...); the
    ones pointing into the stack itself (AT_RANDOM, AT_EXECFN, AT_PLATFORM) are added
    here.  The result's sp is 16-byte aligned with argc at [sp].
    """
    assert len(random16) == 16
    blob = bytearray()
    cursor = top

    def push(data: bytes) -> int:
        nonlocal cursor
        cursor -= len(data)
        blob[0:0] = data
        return cursor

    push(b"\0" * 8)                               # end marker, as Linux leaves
    execfn_addr = push(execfn + b"\0")
    envp_addrs = [push(s + b"\0") for s in reversed(envp)][::-1]
    argv_addrs = [push(s + b"\0") for s in reversed(argv)][::-1]
    platform_addr = push(PLATFORM + b"\0")
    random_addr = push(random16)
    # Align the strings area down to 16.
    pad = cursor % 16
    push(b"\0" * pad)

    full_auxv = list(auxv) + [(AT_RANDOM, random_addr), (AT_EXECFN, execfn_addr),
                              (AT_PLATFORM, platform_addr), (AT_NULL, 0)]
    words = [len(argv)] + argv_addrs + [0] + envp_addrs + [0]
    for key, value in full_auxv:
        words += [key, value]
    table = struct.pack(f"<{len(words)}Q", *words)
    if (cursor - len(table)) % 16:
        push(b"\0" * 8)
    sp = push(table)
    return StackImage(bytes(blob), sp, argv_addrs, envp_addrs, execfn_addr, random_addr)
