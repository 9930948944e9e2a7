"""The audit log: one JSON record per denied, unimplemented or failed operation."""
from __future__ import annotations

import json
import time
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from vkernel.task import Thread


class AuditLog:
    """Keeps records in memory (for tests and the exit summary) and, optionally, writes
    them as JSON lines to a file as they happen."""

    def __init__(self, container: str = "default", stream: IO[str] | None = None) -> None:
        self.container = container
        self.stream = stream
        self.records: list[dict] = []

    def record(self, t: Thread | None, syscall: str, action: str, reason: str, args: dict | None = None) -> dict:
        entry = {
            "time": round(time.time(), 6), "container": self.container,
            "pid": t.process.pid if t is not None else 0, "tid": t.tid if t is not None else 0,
            "syscall": syscall, "action": action, "reason": reason, "args": args or {},
        }
        self.records.append(entry)
        if self.stream is not None:
            self.stream.write(json.dumps(entry) + "\n")
            self.stream.flush()
        return entry
