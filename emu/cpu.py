"""One Unicorn instance per guest address space, with the fast paths the kernel needs.

Hot paths bypass the Python binding's per-call wrappers:
- syscall arguments come from ``uc_reg_read_batch`` over ctypes into preallocated arrays;
- the syscall hook is a raw ctypes callback registered with ``uc_hook_add``;
- ``uc_emu_start`` is called directly and returns a status instead of raising.

Guest memory always lives in host buffers owned by the caller (``mem_map_ptr``), so
the kernel reads and writes guest memory through memoryviews without going through
Unicorn at all.  Unicorn's page permissions mirror the guest's exactly: the kernel
calls :meth:`CPU.protect` for every guest-visible change.
"""
from __future__ import annotations

import bisect
import ctypes
import enum
import os
import struct
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import unicorn
from unicorn import unicorn_const as ucc
from unicorn import x86_const as x86

PROT_READ = ucc.UC_PROT_READ
PROT_WRITE = ucc.UC_PROT_WRITE
PROT_EXEC = ucc.UC_PROT_EXEC

_lib = ctypes.CDLL(os.path.join(os.path.dirname(unicorn.__file__), "lib", "libunicorn.so.2"))
# The two calls made on every syscall have no argtypes: their arguments are passed as
# prebuilt ctypes objects, which skips per-call argument conversion.
_fast_lib = ctypes.CDLL(_lib._name)
_lib.uc_reg_write_batch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
_lib.uc_reg_read_batch.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
_lib.uc_reg_write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
_lib.uc_reg_read.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
_lib.uc_emu_start.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_size_t]
_lib.uc_emu_stop.argtypes = [ctypes.c_void_p]
_lib.uc_hook_del.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_lib.uc_hook_add.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                             ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int]
_lib.uc_context_save.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_lib.uc_context_restore.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_lib.uc_context_alloc.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_lib.uc_context_free.argtypes = [ctypes.c_void_p]

_SYSCALL_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)
_CODE_CB = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint32, ctypes.c_void_p)


class _TLBEntry(ctypes.Structure):
    _fields_ = [("paddr", ctypes.c_uint64), ("perms", ctypes.c_int)]


_TLB_FILL_CB = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_int,
                                ctypes.POINTER(_TLBEntry), ctypes.c_void_p)
_TLB_ACCESS = {ucc.UC_MEM_READ: PROT_READ, ucc.UC_MEM_WRITE: PROT_WRITE, ucc.UC_MEM_FETCH: PROT_EXEC}
_MEM_FAULT_CB = ctypes.CFUNCTYPE(ctypes.c_bool, ctypes.c_void_p, ctypes.c_int, ctypes.c_uint64, ctypes.c_int,
                                 ctypes.c_int64, ctypes.c_void_p)

# Order of the syscall argument batch: number, the six arguments, then RIP.
_SYSCALL_REGS = (x86.UC_X86_REG_RAX, x86.UC_X86_REG_RDI, x86.UC_X86_REG_RSI, x86.UC_X86_REG_RDX,
                 x86.UC_X86_REG_R10, x86.UC_X86_REG_R8, x86.UC_X86_REG_R9, x86.UC_X86_REG_RIP)

# Linux's user selectors (__USER_CS, __USER_DS) and their 64-bit code and data
# descriptors (base 0, limit 4 GiB, DPL 3, accessed: no write-back to the GDT).
USER_CS, USER_SS = 0x33, 0x2B
_USER_CODE_DESC = bytes((0xFF, 0xFF, 0, 0, 0, 0xFB, 0xAF, 0))
_USER_DATA_DESC = bytes((0xFF, 0xFF, 0, 0, 0, 0xF3, 0xCF, 0))
_SCRATCH_PAGE = 0x1000

GPR_NAMES = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
             "r12", "r13", "r14", "r15", "rip", "rflags", "fs_base", "gs_base")
_GPR_IDS = tuple(getattr(x86, "UC_X86_REG_" + name.upper()) for name in GPR_NAMES)


def _batch(ids: tuple[int, ...]) -> tuple[ctypes.Array, ctypes.Array, ctypes.Array]:
    """Preallocated (ids, values, pointers-to-values) arrays for a register batch."""
    n = len(ids)
    id_arr = (ctypes.c_int * n)(*ids)
    values = (ctypes.c_uint64 * n)()
    base = ctypes.addressof(values)
    ptrs = (ctypes.c_void_p * n)(*(base + 8 * i for i in range(n)))
    return id_arr, values, ptrs


_XMM_IDS = tuple(getattr(x86, f"UC_X86_REG_XMM{i}") for i in range(16))


def _abridged_tag(full_tag: int) -> int:
    """FXSAVE's one-bit-per-register tag from the x87 two-bit tag word (11 = empty)."""
    return sum(1 << i for i in range(8) if (full_tag >> (2 * i)) & 3 != 3)


@dataclass
class Regs:
    """The general-purpose register file of one thread, by name."""
    rax: int = 0
    rbx: int = 0
    rcx: int = 0
    rdx: int = 0
    rsi: int = 0
    rdi: int = 0
    rbp: int = 0
    rsp: int = 0
    r8: int = 0
    r9: int = 0
    r10: int = 0
    r11: int = 0
    r12: int = 0
    r13: int = 0
    r14: int = 0
    r15: int = 0
    rip: int = 0
    rflags: int = 0x202
    fs_base: int = 0
    gs_base: int = 0


# Instructions an uncounted run may take on a CPU that is still counting (see CPU.run)
# before it ends as if preempted, and the CPU stops counting.
STICKY_COUNT = 1_000_000


class StopReason(enum.Enum):
    """Why :meth:`CPU.run` returned."""
    STOPPED = "stopped"    # the syscall hook asked to stop (block, exit, exec, switch)
    FAULT = "fault"        # a CPU exception: see CPU.fault
    QUANTUM = "quantum"    # the instruction count or time slice ran out
    BREAKPOINT = "breakpoint"  # about to execute a debugger breakpoint's address (RIP is it)


@dataclass
class Fault:
    """A CPU exception, translated from Unicorn's error codes and hooks."""
    kind: str              # "read", "write", "fetch", "invalid-insn", "divide", "breakpoint", "interrupt"
    address: int           # faulting data address (memory faults) or RIP
    rip: int
    unmapped: bool = True  # memory faults: no mapping at all (vs. a permission fault)
    vector: int = 0        # interrupt number for "interrupt"


_MEM_FAULTS = {
    ucc.UC_MEM_READ_UNMAPPED: ("read", True), ucc.UC_MEM_WRITE_UNMAPPED: ("write", True),
    ucc.UC_MEM_FETCH_UNMAPPED: ("fetch", True), ucc.UC_MEM_READ_PROT: ("read", False),
    ucc.UC_MEM_WRITE_PROT: ("write", False), ucc.UC_MEM_FETCH_PROT: ("fetch", False),
}


class CPU:
    """An x86-64 guest address space and the CPU that runs its threads.

    ``on_syscall`` is called from inside emulation for each ``syscall`` instruction,
    with the arguments already in :attr:`args` (rax, rdi, rsi, rdx, r10, r8, r9, rip,
    where rip is the address of the ``syscall`` instruction).  It either stores the
    result with :meth:`set_result` and returns False to continue, or returns True:
    the emulator stops and :meth:`run` returns STOPPED with RIP after the instruction.
    Thread switches happen only outside the callback.
    """

    def __init__(self, on_syscall: Callable[[], bool], tcg_buffer_mb: int = 64) -> None:
        self._uc = unicorn.Uc(ucc.UC_ARCH_X86, ucc.UC_MODE_64)
        self._uc.ctl_set_tcg_buffer_size(tcg_buffer_mb * 1024 * 1024)
        self._uch = self._uc._uch
        self._on_syscall = on_syscall
        self._sys_ids, self.args, self._sys_ptrs = _batch(_SYSCALL_REGS)
        self._gpr_ids, self._gpr_vals, self._gpr_ptrs = _batch(_GPR_IDS)
        self._rax = ctypes.c_uint64()
        self._rax_ref = ctypes.byref(self._rax)
        self._reg_write = _fast_lib.uc_reg_write
        self._read_batch = _fast_lib.uc_reg_read_batch
        self._rax_id = ctypes.c_int(x86.UC_X86_REG_RAX)
        self._rip = ctypes.c_uint64()
        self._rip_ref = ctypes.byref(self._rip)
        self._rip_id = ctypes.c_int(x86.UC_X86_REG_RIP)
        self._read_one = _fast_lib.uc_reg_read
        self._eight = ctypes.c_int(8)
        self.fault: Fault | None = None
        # The guest thread whose registers are live in this CPU (kernel bookkeeping).
        self.owner: object | None = None
        self._stop_requested = False
        self._counting = False     # the last run counted instructions (see run)
        # A debugger's software breakpoints: one code hook per address, none without a
        # debugger (guest memory is never patched, so W^X holds and no cost is paid).
        self._breakpoints: dict[int, int] = {}
        self._breakpoint_hit = False
        self._stepping = False
        self._watch: Callable[[int], bool] | None = None
        self._watch_hook: int | None = None
        self._watch_cb = _CODE_CB(self._watch_trampoline)
        self._hook_ref = _SYSCALL_CB(self._syscall_trampoline)
        self._add_hook(ucc.UC_HOOK_INSN, self._hook_ref, extra=x86.UC_X86_INS_SYSCALL)
        # Unicorn 2.1 keeps a store on its slow path (about 40 ns a store) when the
        # page's TLB entry has execute rights (it might hit translated code) or an
        # invalid-access hook covers the page.  Without page tables every entry gets
        # all rights, so: the virtual-TLB mode, with a fill hook giving each page its
        # own rights (an access the page does not allow still gets an entry, its own
        # right added, and Unicorn's region check faults it), and invalid-access hooks
        # over every address but the readable, writable pages, where nothing can fault.
        self._prot_runs: list[tuple[int, int, int]] = []       # (start, end, prot), sorted
        self._starts: list[int] = []                            # of _prot_runs, for bisect
        self._fault_hooks: dict[tuple[int, int], int] = {}     # (first, last byte) -> handle
        self._fault_hooks_stale = True
        self._fault_cb = _MEM_FAULT_CB(self._mem_fault_hook)
        self._uc.ctl_set_tlb_mode(ucc.UC_TLB_VIRTUAL)
        self._tlb_cb = _TLB_FILL_CB(self._tlb_fill)
        self._add_hook(ucc.UC_HOOK_TLB_FILL, self._tlb_cb)
        self._uc.hook_add(ucc.UC_HOOK_INTR, self._intr_hook)
        # The 32-bit syscall gates from 64-bit code: vkernel has none.  Unicorn would run
        # sysenter as a no-op; it is #UD instead, as on AMD CPUs (int $0x80 is an
        # interrupt through an absent gate, #GP: see _intr_hook).
        self._uc.hook_add(ucc.UC_HOOK_INSN, self._sysenter_hook, None, 1, 0, x86.UC_X86_INS_SYSENTER)
        # The FPU state Linux gives a new program (FNINIT control word, SSE exceptions masked).
        self._uc.reg_write(x86.UC_X86_REG_FPCW, 0x37F)
        self._uc.reg_write(x86.UC_X86_REG_MXCSR, 0x1F80)
        self._enter_user_mode()
        self._initial_context = self._uc.context_save()

    def _enter_user_mode(self) -> None:
        """Drop to CPL 3 with Linux's user selectors, so privileged instructions (hlt,
        cli, mov to CRn, rdmsr/wrmsr, lgdt) fault with #GP as in a Linux process (in
        and out stay no-ops: Unicorn checks no I/O permission, and reaches no port).
        Unicorn starts at CPL 0 and only a privilege-changing return loads a CPL: run
        one iretq through a GDT on a scratch page, before any guest page is mapped.
        The page goes away after and the GDT limit becomes 0, so the guest can neither
        read the descriptors nor load another selector (#GP, as for a bad one)."""
        uc = self._uc
        page = _SCRATCH_PAGE
        gdt = bytes(8 * 5) + _USER_DATA_DESC + _USER_CODE_DESC         # selectors 0x2b and 0x33
        stack = page + 0x800
        frame = struct.pack("<5Q", page + 0x100, USER_CS, 0x202, stack, USER_SS)   # rip, cs, rflags, rsp, ss
        uc.mem_map(page, 0x1000)
        try:
            uc.mem_write(page, gdt)
            uc.mem_write(page + 0x80, b"\x48\xcf")                       # iretq
            uc.mem_write(page + 0x100, b"\x90")                           # where the iretq lands
            uc.mem_write(stack - len(frame), frame)
            uc.reg_write(x86.UC_X86_REG_GDTR, (0, page, len(gdt) - 1, 0))
            uc.reg_write(x86.UC_X86_REG_RSP, stack - len(frame))
            uc.emu_start(page + 0x80, page + 0x100)
        finally:
            uc.mem_unmap(page, 0x1000)
        uc.reg_write(x86.UC_X86_REG_GDTR, (0, 0, 0, 0))
        uc.reg_write(x86.UC_X86_REG_RSP, 0)
        uc.reg_write(x86.UC_X86_REG_RIP, 0)
        if uc.reg_read(x86.UC_X86_REG_CS) != USER_CS or uc.reg_read(x86.UC_X86_REG_SS) != USER_SS:
            raise RuntimeError("vkernel: the emulated CPU did not enter user mode")

    # -- memory -------------------------------------------------------------------

    def map(self, address: int, size: int, prot: int, host_address: int) -> None:
        """Map ``size`` bytes of host memory at ``host_address`` into the guest."""
        self._uc.mem_map_ptr(address, size, prot, host_address)
        self._note_prot(address, address + size, prot)

    def unmap(self, address: int, size: int) -> None:
        self._uc.mem_unmap(address, size)
        self._note_prot(address, address + size, None)

    def protect(self, address: int, size: int, prot: int) -> None:
        self._uc.mem_protect(address, size, prot)
        self._note_prot(address, address + size, prot)

    def _note_prot(self, start: int, end: int, prot: int | None) -> None:
        runs = [r for r in self._prot_runs if r[1] <= start or r[0] >= end]
        for lo, hi, p in self._prot_runs:
            if lo < start < hi:
                runs.append((lo, start, p))
            if lo < end < hi:
                runs.append((end, hi, p))
        if prot is not None:
            runs.append((start, end, prot))
        runs.sort()
        self._prot_runs = runs
        self._starts = [r[0] for r in runs]
        self._fault_hooks_stale = True
        # Entries filled with the old rights must go (Unicorn keeps them otherwise).
        self._uc.ctl(ucc.UC_CTL_TLB_FLUSH, ucc.UC_CTL_IO_WRITE)

    def _tlb_fill(self, _uc: int, address: int, access: int, entry: Any, _user: int) -> bool:
        i = bisect.bisect_right(self._starts, address) - 1
        prot = 0
        if i >= 0:
            lo, hi, prot = self._prot_runs[i]
            if address >= hi:
                prot = 0
        entry[0].paddr = address
        entry[0].perms = prot | _TLB_ACCESS.get(access, 0)
        return True

    def _cover_faults(self) -> None:
        """Hook invalid accesses over every address but the readable, writable pages."""
        wanted: list[tuple[int, int]] = []
        cursor = 0
        for lo, hi, prot in self._prot_runs:
            if prot & (PROT_READ | PROT_WRITE) != PROT_READ | PROT_WRITE:
                continue
            if lo > cursor:
                wanted.append((cursor, lo - 1))
            cursor = hi
        wanted.append((cursor, (1 << 64) - 1))
        for bounds in set(self._fault_hooks) - set(wanted):
            _lib.uc_hook_del(self._uch, self._fault_hooks.pop(bounds))
        for first, last in wanted:
            if (first, last) not in self._fault_hooks:
                self._fault_hooks[(first, last)] = self._add_hook(ucc.UC_HOOK_MEM_INVALID, self._fault_cb,
                                                                  first, last)
        self._fault_hooks_stale = False

    def _add_hook(self, kind: int, callback: Any, begin: int = 1, end: int = 0, extra: int = 0) -> int:
        """A hook with a raw ctypes callback (kept alive by the caller); its handle.
        begin > end: every address."""
        handle = ctypes.c_size_t()
        status = _lib.uc_hook_add(self._uch, ctypes.byref(handle), kind, ctypes.cast(callback, ctypes.c_void_p),
                                  None, begin, end, extra)
        if status != ucc.UC_ERR_OK:
            raise unicorn.UcError(status)
        return handle.value

    def regions(self) -> list[tuple[int, int, int]]:
        """Unicorn's own view of the mappings: (begin, end inclusive, prot)."""
        return list(self._uc.mem_regions())

    def read(self, address: int, size: int) -> bytes:
        """Read through Unicorn, ignoring permissions (debuggers, crash reports)."""
        return bytes(self._uc.mem_read(address, size))

    def reset(self) -> None:
        """Back to the state of a new CPU, for another program: every register as at
        power-on (a new program expects zeros, e.g. RDX is _start's rtld_fini), no
        translated blocks, no TLB entries."""
        self._uc.context_restore(self._initial_context)
        self.set_breakpoints(())
        if self._watch is not None:
            self.set_watch(None)
        self._uc.ctl_flush_tb()
        self._uc.ctl(ucc.UC_CTL_TLB_FLUSH, ucc.UC_CTL_IO_WRITE)

    def flush_code(self, address: int, size: int) -> None:
        """Drop translated code for a range whose bytes changed under Unicorn."""
        self._uc.ctl_remove_cache(address, address + size)

    # -- registers ----------------------------------------------------------------

    def set_result(self, value: int) -> None:
        """Store a syscall result in RAX (negative values wrap to two's complement)."""
        self._rax.value = value
        self._reg_write(self._uch, self._rax_id, self._rax_ref)

    def get_regs(self) -> Regs:
        _lib.uc_reg_read_batch(self._uch, self._gpr_ids, self._gpr_ptrs, len(_GPR_IDS))
        return Regs(*self._gpr_vals)

    def set_regs(self, regs: Regs) -> None:
        for i, name in enumerate(GPR_NAMES):
            self._gpr_vals[i] = getattr(regs, name) & 0xFFFFFFFFFFFFFFFF
        _lib.uc_reg_write_batch(self._uch, self._gpr_ids, self._gpr_ptrs, len(_GPR_IDS))

    def reg(self, name: str) -> int:
        return self._uc.reg_read(getattr(x86, "UC_X86_REG_" + name.upper()))

    def rip(self) -> int:
        """RIP, read the fast way (the scheduler asks after every slice)."""
        self._read_one(self._uch, self._rip_id, self._rip_ref)
        return self._rip.value

    def set_reg(self, name: str, value: int) -> None:
        self._uc.reg_write(getattr(x86, "UC_X86_REG_" + name.upper()), value)

    def get_fxsave(self) -> bytes:
        """The SSE/x87 state as a 512-byte FXSAVE image (what a signal frame holds).
        The x87 stack registers are not kept (Unicorn gives them only as pairs)."""
        uc = self._uc
        head = struct.pack("<HHBxHQQII", uc.reg_read(x86.UC_X86_REG_FPCW), uc.reg_read(x86.UC_X86_REG_FPSW),
                           _abridged_tag(uc.reg_read(x86.UC_X86_REG_FPTAG)), 0, 0, 0,
                           uc.reg_read(x86.UC_X86_REG_MXCSR), 0xFFFF)
        xmm = b"".join(uc.reg_read(reg).to_bytes(16, "little") for reg in _XMM_IDS)
        return (head + bytes(128) + xmm).ljust(512, b"\0")

    def set_fxsave(self, image: bytes) -> None:
        uc = self._uc
        fcw, fsw, _tag, _fop, _fip, _fdp, mxcsr, _mask = struct.unpack_from("<HHBxHQQII", image)
        uc.reg_write(x86.UC_X86_REG_FPCW, fcw)
        uc.reg_write(x86.UC_X86_REG_FPSW, fsw)
        uc.reg_write(x86.UC_X86_REG_MXCSR, mxcsr & 0xFFFF)
        for i, reg in enumerate(_XMM_IDS):
            uc.reg_write(reg, int.from_bytes(image[160 + 16 * i:176 + 16 * i], "little"))

    def get_x87(self, index: int) -> bytes:
        """ST(index) as its 10-byte extended-precision image (the binding truncates it)."""
        buf = (ctypes.c_uint8 * 16)()
        _lib.uc_reg_read(self._uch, x86.UC_X86_REG_ST0 + index, buf)
        return bytes(buf[:10])

    def set_x87(self, index: int, image: bytes) -> None:
        buf = (ctypes.c_uint8 * 16)(*image[:10])
        _lib.uc_reg_write(self._uch, x86.UC_X86_REG_ST0 + index, buf)

    # -- thread contexts ------------------------------------------------------------

    def save_context(self, into: unicorn.UcContext | None = None) -> unicorn.UcContext:
        """Every register including FPU/SSE state and FS base (reusing ``into``)."""
        if into is None:
            return self._uc.context_save()
        _fast_lib.uc_context_save(self._uch, into._context)
        return into

    def restore_context(self, context: unicorn.UcContext) -> None:
        _fast_lib.uc_context_restore(self._uch, context._context)

    # -- running --------------------------------------------------------------------

    def run(self, rip: int, count: int = 0, timeout_us: int = 0) -> StopReason:
        """Run from ``rip`` until the syscall hook stops, a fault, or the quantum ends."""
        self.fault = None
        self._stop_requested = False
        sticky = False
        if count and not self._counting:
            # Unicorn drops translated code when it removes its counting hook, but not
            # when it adds it: blocks translated by an uncounted run would never be
            # counted, and a loop in one would never end its quantum.
            self._uc.ctl_flush_tb()
        elif not count and self._counting:
            # Either change of mode retranslates all code (about a millisecond for a
            # libc-sized working set), so a counting CPU stays counting through
            # uncounted runs, with an allowance standing in for "no limit", until
            # one uses it up: its thread computes alone, and dropping the count pays.
            count, sticky = STICKY_COUNT, True
        self._counting = bool(count)
        if self._fault_hooks_stale:
            self._cover_faults()
        status = _lib.uc_emu_start(self._uch, rip, 0, timeout_us, count)
        if sticky and not self._stop_requested and self.fault is None and not self._breakpoint_hit \
                and status == ucc.UC_ERR_OK:
            self._counting = False      # the next uncounted run drops the hook (one flush)
        if self.fault is not None:
            return StopReason.FAULT
        if status != ucc.UC_ERR_OK:
            self.fault = self._fault_from_status(status)
            return StopReason.FAULT
        if self._stop_requested:
            return StopReason.STOPPED
        if self._breakpoint_hit:
            self._breakpoint_hit = False
            return StopReason.BREAKPOINT
        return StopReason.QUANTUM

    @property
    def counting(self) -> bool:
        """The run in progress (or the last one) counts instructions."""
        return self._counting

    def step(self, rip: int) -> StopReason:
        """Run exactly one instruction from ``rip`` (breakpoints there do not stop it)."""
        self._stepping = True
        try:
            return self.run(rip, count=1)
        finally:
            self._stepping = False

    def set_breakpoints(self, addresses: Iterable[int]) -> None:
        """Stop :meth:`run` before the instruction at any of ``addresses`` executes."""
        wanted = set(addresses)
        for address in set(self._breakpoints) - wanted:
            self._uc.hook_del(self._breakpoints.pop(address))
        for address in wanted - set(self._breakpoints):
            self._breakpoints[address] = self._uc.hook_add(ucc.UC_HOOK_CODE, self._breakpoint_hook, None,
                                                           address, address)

    def set_watch(self, watch: Callable[[int], bool] | None) -> None:
        """Call ``watch(address)`` before every instruction, until set to None (a replay
        debugger numbers instructions to name positions: tools/gdbstub.py); True stops
        :meth:`run` before that instruction, as a breakpoint does.  A Python call per
        instruction: only for debugging.  Not to be called from inside ``watch``."""
        if self._watch_hook is not None:
            _lib.uc_hook_del(self._uch, self._watch_hook)
            self._watch_hook = None
        self._watch = watch
        if watch is not None:
            self._watch_hook = self._add_hook(ucc.UC_HOOK_CODE, self._watch_cb)
        # Code already translated has no call to the hook (or still has one).
        self._uc.ctl_flush_tb()

    def _watch_trampoline(self, _uc: int, address: int, _size: int, _user: int) -> None:
        watch = self._watch
        if watch is not None and watch(address):
            self._breakpoint_hit = True
            _lib.uc_emu_stop(self._uch)

    def _breakpoint_hook(self, uc: unicorn.Uc, address: int, size: int, data: object) -> None:
        # A syscall that already asked to stop wins: the breakpoint hits on the next run.
        if not self._stepping and not self._stop_requested:
            self._breakpoint_hit = True
            uc.emu_stop()

    def interrupt(self) -> None:
        """Stop emulation from another host thread (a host signal arrived); run()
        returns QUANTUM.  Safe to call at any time, as Unicorn's own watchdog does."""
        _lib.uc_emu_stop(self._uch)

    def _syscall_trampoline(self, _uc: int, _user: int) -> None:
        self._read_batch(self._uch, self._sys_ids, self._sys_ptrs, self._eight)
        if self._on_syscall():
            self._stop_requested = True
            _lib.uc_emu_stop(self._uch)
        if self._fault_hooks_stale:        # the syscall changed the mappings
            self._cover_faults()

    def _mem_fault_hook(self, _uc: int, access: int, address: int, size: int, value: int, _user: int) -> bool:
        kind, unmapped = _MEM_FAULTS.get(access, ("read", True))
        self.fault = Fault(kind, address, self._uc.reg_read(x86.UC_X86_REG_RIP), unmapped)
        return False

    def _intr_hook(self, uc: unicorn.Uc, intno: int, data: object) -> None:
        rip = uc.reg_read(x86.UC_X86_REG_RIP)
        if intno == 0:
            self.fault = Fault("divide", rip, rip)
        elif intno == 3:
            self.fault = Fault("breakpoint", rip, rip)
        elif intno == 6:
            self.fault = Fault("invalid-insn", rip, rip)
        else:
            # `int n` (cd nn) through an absent gate is a #GP that reports the
            # instruction, not the one after, and the gate in its error code; any
            # other exception (#GP of a privileged instruction) is already at it.
            try:
                software = bytes(uc.mem_read(rip - 2, 2)) == bytes((0xCD, intno))
            except unicorn.UcError:
                software = False
            self.fault = Fault("interrupt", rip - 2, rip - 2, vector=intno) if software else Fault("interrupt", rip, rip)
        uc.emu_stop()

    def _sysenter_hook(self, uc: unicorn.Uc, data: object) -> None:
        rip = uc.reg_read(x86.UC_X86_REG_RIP)      # at the instruction
        self.fault = Fault("invalid-insn", rip, rip)
        uc.emu_stop()

    def _fault_from_status(self, status: int) -> Fault:
        rip = self._uc.reg_read(x86.UC_X86_REG_RIP)
        if status == ucc.UC_ERR_INSN_INVALID:
            return Fault("invalid-insn", rip, rip)
        if status == ucc.UC_ERR_FETCH_PROT:
            # A jump into a readable, writable page, which no fault hook covers: the
            # fetch fails before the block starts, so RIP is the faulting address.
            return Fault("fetch", rip, rip, False)
        return Fault("interrupt", rip, rip, vector=-status)
