"""The syscall policy at the dispatcher's choke point.

The decision table is folded into the dispatcher's invoker list at start: a syscall
the policy allows unconditionally keeps its plain handler invoker, so it costs exactly
what it cost without a policy (one list lookup).  Only rows with another action, or
with argument conditions, get a wrapper that decides at call time.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from vkernel import abi, signals
from vkernel.control import Control, ExitThread, Killed
from vkernel.policy.manifest import PRECEDENCE, SYSCALL_NUMBERS, Action, SyscallPolicy, SyscallRule

if TYPE_CHECKING:
    from vkernel.kernel import Kernel
    from vkernel.syscalls.table import Row
    from vkernel.task import Thread

Invoker = Callable[["Thread", Any], "int | Control"]

SYS_SECCOMP = 1                  # SIGSYS si_code
AUDIT_ARCH_X86_64 = 0xC000003E   # SIGSYS si_arch
SYSCALL_INSN_LEN = 2


@dataclass(frozen=True)
class Decision:
    """One syscall's row: the action when no conditional rule outranks it, and the
    conditional rules that might, strongest first.  ``floor`` is the precedence a
    conditional rule must exceed: that of the strongest unconditional rule, or -1 when
    the action is the default (any matching rule then beats it)."""
    action: Action
    label: str                               # the rule it came from, or "default_action"
    floor: int
    conditional: tuple[SyscallRule, ...]

    def decide(self, regs: Any) -> tuple[Action, str]:
        for rule in self.conditional:
            if PRECEDENCE[rule.action.kind] <= self.floor:
                break
            if rule.matches(regs):
                return rule.action, rule.label
        return self.action, self.label


def compile_table(policy: SyscallPolicy, size: int) -> list[Decision]:
    """A Decision per syscall number below ``size``."""
    by_nr: dict[int, list[SyscallRule]] = {}
    for rule in policy.rules:
        for name in rule.names:
            by_nr.setdefault(SYSCALL_NUMBERS[name], []).append(rule)
    table = [Decision(policy.default, "default_action", -1, ())] * size
    for nr, rules in by_nr.items():
        conditional = tuple(sorted((r for r in rules if r.args), key=lambda r: -PRECEDENCE[r.action.kind]))
        plain = [r for r in rules if not r.args]
        if plain:
            strongest = max(plain, key=lambda r: PRECEDENCE[r.action.kind])
            table[nr] = Decision(strongest.action, strongest.label, PRECEDENCE[strongest.action.kind], conditional)
        else:
            table[nr] = Decision(policy.default, "default_action", -1, conditional)
    return table


class Enforcer:
    """Applies seccomp actions and writes the audit record of every non-allow decision."""

    def __init__(self, kernel: Kernel, policy: SyscallPolicy, rows: list[Row]) -> None:
        self.kernel = kernel
        self.rows = rows
        self.table = compile_table(policy, len(rows))
        self.default = policy.default

    def wrap(self, invokers: list[Invoker]) -> list[Invoker]:
        """The dispatcher's invoker list with the policy folded in."""
        out = []
        for row, decision, invoke in zip(self.rows, self.table, invokers):
            if decision.action.kind == "allow" and not decision.conditional:
                out.append(invoke)
            else:
                out.append(self._guarded(row, decision, invoke))
        return out

    def _guarded(self, row: Row, decision: Decision, invoke: Invoker) -> Invoker:
        def guarded(t: Thread, regs: Any) -> int | Control:
            action, label = decision.decide(regs)
            return self.apply(t, row, regs, action, label, invoke)
        return guarded

    def beyond_table(self, t: Thread, row: Row, regs: Any) -> int | Control:
        """A number no x86-64 syscall has: the default action, as seccomp's filter gives it."""
        return self.apply(t, row, regs, self.default, "default_action",
                          lambda t, regs: self.kernel.unimplemented(t, row))

    def apply(self, t: Thread, row: Row, regs: Any, action: Action, label: str, invoke: Invoker) -> int | Control:
        kind = action.kind
        if kind == "allow":
            return invoke(t, regs)
        self._audit(t, row, regs, action, label)
        if kind == "log":
            return invoke(t, regs)
        if kind == "errno":
            return -action.errno
        if kind == "trap":
            self._sigsys(t, regs[0], action.errno)
            return regs[0]          # the handler sees the original registers: RAX = nr
        if kind == "kill-thread" and len(t.process.threads) > 1:
            return ExitThread(0)    # Linux: do_exit(SIGSYS) of this thread only
        # kill-process, or kill-thread of the last thread: the process dies of SIGSYS.
        return Killed(abi.SIGSYS, f"seccomp {kind} ({label})")

    def _sigsys(self, t: Thread, nr: int, data: int) -> None:
        """SECCOMP_RET_TRAP: a forced SIGSYS (SYS_SECCOMP, si_call_addr, si_syscall,
        si_arch); if it is blocked or ignored, the default action applies instead."""
        proc = t.process
        call_addr = proc.cpu.reg("rip") + SYSCALL_INSN_LEN
        action = proc.sigactions.get(abi.SIGSYS)
        if t.sigmask & signals.bit(abi.SIGSYS) or (action is not None and action.handler == signals.SIG_IGN):
            t.sigmask &= ~signals.bit(abi.SIGSYS)
            if action is not None:
                action.handler = signals.SIG_DFL
        raw = struct.pack("<iii4xQiI", abi.SIGSYS, data, SYS_SECCOMP, call_addr, nr, AUDIT_ARCH_X86_64)
        signals.send_to_thread(self.kernel, t, signals.SigInfo(abi.SIGSYS, SYS_SECCOMP, errno=data, raw=raw))

    def _audit(self, t: Thread, row: Row, regs: Any, action: Action, label: str) -> None:
        args = tuple(regs)
        describe = self.kernel.config.describe_args
        decoded = describe(t, row, args) if describe is not None else [hex(a) for a in args[1:]]
        self.kernel.audit.record(t, row.name, action.kind, f"policy {label}: {action}",
                                 {"nr": args[0], "args": decoded}, rule=label)
