"""Docker/OCI seccomp profiles (JSON) as a SyscallPolicy.

Semantics follow runc/containerd on x86-64 with libseccomp:

- ``defaultAction``/``defaultErrnoRet``, ``syscalls[].names`` (or ``name``),
  ``action``, ``errnoRet`` and ``args`` (ANDed ``SCMP_CMP_*`` conditions; for
  ``SCMP_CMP_MASKED_EQ`` ``value`` is the mask and ``valueTwo`` the datum).
- ``SCMP_ACT_KILL`` is ``KILL_THREAD`` (libseccomp's alias); ``SCMP_ACT_TRACE`` and
  ``SCMP_ACT_NOTIFY`` become ``errno ENOSYS``, what Linux answers when no tracer or
  listener is attached.  ``SCMP_ACT_ERRNO`` without ``errnoRet`` is EPERM (Docker's).
- Conditions that select a rule for a kind of host: ``includes``/``excludes`` on
  ``arches`` match "amd64" (this is x86-64); ``minKernel`` is compared with the
  release uname reports (6.1); ``caps`` are evaluated against Docker's default
  capability set (a container started without --cap-add), so e.g. the CAP_SYS_ADMIN
  rules are dropped and CAP_SYS_CHROOT's ``chroot`` rule is kept.
- Top-level ``architectures``/``archMap``, ``flags``, ``listenerPath`` and
  ``listenerMetadata`` select host-kernel features and are ignored.
- Names that are not x86-64 syscalls (other architectures' calls, 32-bit variants) are
  skipped, as libseccomp does when it cannot resolve a name; a rule left with no name
  is dropped.  Rules on the same syscall combine with seccomp's precedence (see
  manifest.py).
"""
from __future__ import annotations

import json
from typing import Any

from vkernel import abi
from vkernel.policy.manifest import (U64, Action, ArgCondition, PolicyError, SyscallPolicy, SyscallRule,
                                     SYSCALL_NUMBERS)

ARCH = "amd64"
SECCOMP_RET_DATA, MAX_ERRNO = 0xFFFF, 4095
KERNEL_VERSION = (6, 1)             # vkernel.syscalls.misc.UTS_RELEASE
# Docker's default capabilities (moby's oci/caps/defaults.go).
DEFAULT_CAPS = frozenset({
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
    "CAP_AUDIT_WRITE",
})
_ACTIONS = {
    "SCMP_ACT_ALLOW": "allow", "SCMP_ACT_LOG": "log", "SCMP_ACT_ERRNO": "errno", "SCMP_ACT_TRAP": "trap",
    "SCMP_ACT_KILL": "kill-thread", "SCMP_ACT_KILL_THREAD": "kill-thread", "SCMP_ACT_KILL_PROCESS": "kill-process",
    "SCMP_ACT_TRACE": "errno", "SCMP_ACT_NOTIFY": "errno",
}
_OPS = {"SCMP_CMP_NE": "ne", "SCMP_CMP_LT": "lt", "SCMP_CMP_LE": "le", "SCMP_CMP_EQ": "eq", "SCMP_CMP_GE": "ge",
        "SCMP_CMP_GT": "gt", "SCMP_CMP_MASKED_EQ": "masked_eq"}


def _action(name: Any, errno_ret: Any, where: str) -> Action:
    kind = _ACTIONS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise PolicyError(f"{where}: unknown action {name!r}")
    if name in ("SCMP_ACT_TRACE", "SCMP_ACT_NOTIFY"):
        return Action("errno", abi.ENOSYS)
    if kind != "errno":
        return Action(kind)
    if errno_ret is None:
        return Action("errno", abi.EPERM)
    if not isinstance(errno_ret, int) or isinstance(errno_ret, bool) or not 0 < errno_ret <= SECCOMP_RET_DATA:
        raise PolicyError(f"{where}.errnoRet: {errno_ret!r} is not an errno number 1..{SECCOMP_RET_DATA}")
    return Action("errno", min(errno_ret, MAX_ERRNO))     # Linux caps SECCOMP_RET_DATA at MAX_ERRNO


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".")[:2] if p.isdigit())


def _applies(spec: Any, where: str, include: bool) -> bool:
    """Whether an ``includes`` (all must hold) or ``excludes`` (any excludes) filter
    selects this container."""
    if spec is None:
        return True
    if not isinstance(spec, dict):
        raise PolicyError(f"{where}: expected an object")
    tests = []
    if spec.get("arches"):
        tests.append(ARCH in spec["arches"])
    if spec.get("caps"):
        caps = set(spec["caps"])
        tests.append(caps <= DEFAULT_CAPS if include else bool(caps & DEFAULT_CAPS))
    if spec.get("minKernel"):
        tests.append(KERNEL_VERSION >= _version(str(spec["minKernel"])))
    return all(tests) if include else not any(tests)


def _condition(raw: Any, where: str) -> ArgCondition:
    if not isinstance(raw, dict) or not isinstance(raw.get("index"), int) or not 0 <= raw["index"] <= 5:
        raise PolicyError(f"{where}: needs an index 0..5")
    op = _OPS.get(raw.get("op"))
    if op is None:
        raise PolicyError(f"{where}.op: unknown comparison {raw.get('op')!r}")
    value, two = raw.get("value", 0), raw.get("valueTwo", 0)
    if not isinstance(value, int) or not isinstance(two, int):
        raise PolicyError(f"{where}: value and valueTwo must be integers")
    if op == "masked_eq":
        return ArgCondition(raw["index"], op, two & U64, value & U64)
    return ArgCondition(raw["index"], op, value & U64)


def convert(doc: Any, source: str) -> tuple[SyscallPolicy, list[str]]:
    """The policy, and the names skipped as not x86-64 syscalls."""
    if not isinstance(doc, dict) or "defaultAction" not in doc:
        raise PolicyError(f"{source}: not a seccomp profile (no defaultAction)")
    default = _action(doc["defaultAction"], doc.get("defaultErrnoRet"), f"{source}: defaultAction")
    rules: list[SyscallRule] = []
    skipped: list[str] = []
    entries = doc.get("syscalls") or []
    if not isinstance(entries, list):
        raise PolicyError(f"{source}: syscalls: expected a list")
    for i, entry in enumerate(entries):
        where = f"{source}: syscalls[{i}]"
        if not isinstance(entry, dict):
            raise PolicyError(f"{where}: expected an object")
        names = entry.get("names") or ([entry["name"]] if entry.get("name") else [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise PolicyError(f"{where}.names: expected a list of strings")
        action = _action(entry.get("action"), entry.get("errnoRet"), f"{where}.action")
        conds = tuple(_condition(a, f"{where}.args[{j}]") for j, a in enumerate(entry.get("args") or []))
        if not _applies(entry.get("includes"), f"{where}.includes", True) or \
                not _applies(entry.get("excludes"), f"{where}.excludes", False):
            continue
        known = tuple(n for n in names if n in SYSCALL_NUMBERS)
        skipped += [n for n in names if n not in SYSCALL_NUMBERS and n not in skipped]
        if known:
            rules.append(SyscallRule(known, action, conds, f"seccomp syscalls[{i}]"))
    return SyscallPolicy(default, rules), skipped


def load_profile(path: str) -> tuple[SyscallPolicy, list[str]]:
    """The profile at ``path`` and the names it lists that are not x86-64 syscalls."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as exc:
        raise PolicyError(f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise PolicyError(f"{path}: not JSON: {exc}") from None
    return convert(doc, path)
