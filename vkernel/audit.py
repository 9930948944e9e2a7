"""The audit log: one JSON record per denied, unimplemented or failed operation.

Every record has a severity, from its action:
  high    a refusal or kill: policy errno/trap/kill-*, W^X, attestation, symlink and
          network denials ("deny"), quota hits ("quota"), kernel bugs
  medium  the guest died of a CPU fault; every thread waits forever
  low     policy "log" (the call ran and was recorded); signals from the host
  info    a syscall vkernel does not implement (ENOSYS)
An alert hook (``vkemu --alert CMD``) receives the records at or above a chosen severity.
"""
from __future__ import annotations

import json
import time
from typing import IO, TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from vkernel.task import Thread

SEVERITIES = ("info", "low", "medium", "high")
SEVERITY = {
    "errno": "high", "trap": "high", "kill-thread": "high", "kill-process": "high", "deny": "high",
    "kernel-bug": "high", "quota": "high", "fault": "medium", "deadlock": "medium", "log": "low", "signal": "low", "enosys": "info",
}


class AuditLog:
    """Keeps records in memory (for tests and the exit summary) and, optionally, writes
    them as JSON lines to a file as they happen and passes them to an alert hook."""

    def __init__(self, container: str = "default", stream: IO[str] | None = None,
                 alert: Callable[[dict], None] | None = None, alert_severity: str = "high") -> None:
        self.container = container
        self.stream = stream
        self.records: list[dict] = []
        self.alert = alert
        self.alert_rank = SEVERITIES.index(alert_severity)

    def record(self, t: Thread | None, syscall: str, action: str, reason: str, args: dict | None = None,
               rule: str | None = None) -> dict:
        severity = SEVERITY.get(action, "low")
        entry = {
            "time": round(time.time(), 6), "container": self.container,
            "pid": t.process.pid if t is not None else 0, "tid": t.tid if t is not None else 0,
            "syscall": syscall, "action": action, "severity": severity, "reason": reason, "args": args or {},
        }
        if rule is not None:
            entry["rule"] = rule
        self.records.append(entry)
        if self.stream is not None:
            self.stream.write(json.dumps(entry) + "\n")
            self.stream.flush()
        if self.alert is not None and SEVERITIES.index(severity) >= self.alert_rank:
            self.alert(entry)
        return entry
