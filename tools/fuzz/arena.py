"""The fixed guest memory the harness maps into every fuzzed process, so that pointer
arguments can name regions of each kind (see tools/fuzz/gen.py) and stay the same
addresses from one run of a sequence to the next."""
from __future__ import annotations

from vkernel.memory import PAGE, TASK_SIZE

ARENA = 0x20000000
SLOT_SIZE = 3 * PAGE              # room for a 4096-byte path at any small offset
SLOTS = 6                         # one per syscall argument
SLOT_BASE = ARENA
OUT_BASE = ARENA + 0x20000        # writable, shared by all arguments
OUT_SIZE = 4 * PAGE
RO_BASE = ARENA + 0x30000         # read-only page
NONE_BASE = ARENA + 0x40000       # PROT_NONE page
CROSS = ARENA + 0x51000           # a writable page below, a PROT_NONE page from here
CROSS_RO = ARENA + 0x61000        # a writable page below, a read-only page from here
UNMAPPED = ARENA + 0x70000        # never mapped
# The through-guest driver's own region (its stack and plan, tools/fuzz/guest_driver.c)
# and its report fd: never named by a generated argument.
PRIV = 0x2F000000
PRIV_SIZE = 16 << 20
REPORT_FD = 1000
RO_CONTENT = b"/etc/passwd\0" * 300    # what the read-only page holds (a path a call may name)

# Addresses outside the arena, by name: an offset is added to each.
FIXED = {"null": 0, "kernel": 0xFFFF800000000000, "low": PAGE, "top": TASK_SIZE - 16}


def slot(index: int) -> int:
    return SLOT_BASE + index * SLOT_SIZE
