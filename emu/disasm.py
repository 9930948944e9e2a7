"""Instruction disassembly for crash reports and debuggers (capstone)."""
from __future__ import annotations

import capstone

_cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)

# Mnemonic prefixes and registers of extensions the emulated CPU does not have.
_AVX_REGISTERS = ("ymm", "zmm")


def describe(code: bytes, address: int) -> str:
    """'mnemonic operands' of the first instruction in ``code``, or its bytes if invalid."""
    for insn in _cs.disasm(code, address, 1):
        return f"{insn.mnemonic} {insn.op_str}".strip()
    return "(bad) " + code[:8].hex(" ")


def needs_missing_extension(text: str) -> str | None:
    """The extension an instruction needs that Unicorn's CPU model lacks, if any."""
    mnemonic = text.split(" ", 1)[0]
    if any(reg in text for reg in _AVX_REGISTERS) or (mnemonic.startswith("v") and mnemonic not in ("verr", "verw")):
        return "AVX"
    if mnemonic.startswith(("kmov", "kand", "kor")):
        return "AVX-512"
    return None
