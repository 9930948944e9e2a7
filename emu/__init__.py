"""The CPU backend: the only package that knows Unicorn.

Everything else talks to a guest address space through :class:`emu.cpu.CPU`:
map/unmap/protect over host buffers, registers as small structs, run-until-stop.
"""
from emu.cpu import CPU, Fault, Regs, StopReason, PROT_READ, PROT_WRITE, PROT_EXEC

__all__ = ["CPU", "Fault", "Regs", "StopReason", "PROT_READ", "PROT_WRITE", "PROT_EXEC"]
