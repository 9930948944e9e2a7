"""A fuzz campaign: generate sequences, run them, minimise what the oracles catch, and
write each distinct finding as a sequence file that ``vkemu fuzz --repro`` re-runs."""
from __future__ import annotations

import hashlib
import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tools.fuzz.driver import Finding, Harness, Outcome
from tools.fuzz.gen import Call, Generator
from tools.fuzz.guest import GuestHarness
from vkernel.syscalls.table import Row

FORMAT = "vkemu-fuzz-sequence"
VERSION = 1
SEQUENCE_LENGTH = 64          # calls per sequence (and per fresh kernel)
GUEST_MINIMISE_RUNS = 80      # through-guest runs one finding's minimisation may take
GUEST_MINIMISE_SECONDS = 60.0 # ... and how long
REPORT_INTERVAL = 0.25        # seconds between progress reports


@dataclass
class Stats:
    """What a campaign (or one of its workers) has done so far."""
    executions: int = 0
    native: int = 0               # calls also run on the host kernel (through-guest campaigns)
    sequences: int = 0
    seconds: float = 0.0
    exercised: set[str] = field(default_factory=set)              # syscalls called
    outcomes: set[tuple[str, int]] = field(default_factory=set)   # (syscall, errno or 0)
    findings: dict[str, str] = field(default_factory=dict)        # signature -> file written

    def merge(self, other: Stats) -> None:
        self.executions += other.executions
        self.native += other.native
        self.sequences += other.sequences
        self.seconds = max(self.seconds, other.seconds)
        self.exercised |= other.exercised
        self.outcomes |= other.outcomes
        self.findings.update(other.findings)


@dataclass
class Budget:
    seconds: float | None = None
    iterations: int | None = None

    def spent(self, stats: Stats) -> bool:
        if self.iterations is not None and stats.executions >= self.iterations:
            return True
        return self.seconds is not None and stats.seconds >= self.seconds


def sequence_rng(seed: int | str, index: int) -> random.Random:
    """Each sequence's own generator: any one of them can be regenerated alone."""
    return random.Random(f"vkemu-fuzz:{seed}:{index}")


def run_generated(harness: Harness, gen: Generator, length: int) -> tuple[list[Call], list[Outcome]]:
    """One generated sequence on a fresh kernel, stopping at the first finding."""
    harness.reset()
    calls: list[Call] = []
    outcomes: list[Outcome] = []
    pending = gen.prologue()
    while len(calls) < length:
        call = pending.pop(0) if pending else gen.call(harness.fd_kinds())
        calls.append(call)
        outcome = harness.run(call)
        outcomes.append(outcome)
        if outcome.findings or not outcome.continues:
            break
    return calls, outcomes


class _Tries:
    """How many more runs minimisation may spend, and until when (through-guest runs
    are slow, and one that hangs costs its whole timeout)."""

    def __init__(self, harness: Harness, signature: str, limit: int | None) -> None:
        self.harness, self.signature, self.left = harness, signature, limit
        self.deadline = time.monotonic() + GUEST_MINIMISE_SECONDS if limit is not None else None

    def __call__(self, calls: list[Call]) -> bool:
        if self.left is not None:
            if self.left <= 0 or self.deadline is not None and time.monotonic() > self.deadline:
                return False
            self.left -= 1
        return any(f.signature == self.signature for o in self.harness.run_sequence(calls) for f in o.findings)


def minimise(harness: Harness, calls: list[Call], signature: str, limit: int | None = None) -> list[Call]:
    """Delta debugging (Zeller's ddmin) down to a 1-minimal list of calls that still
    produces a finding with ``signature`` (at most ``limit`` runs), then each remaining
    call's arguments made simpler where the finding stays (shrink_arguments)."""
    reproduces = _Tries(harness, signature, limit)
    items = list(calls)
    n = 2
    while len(items) >= 2:
        chunk = -(-len(items) // n)
        parts = [items[i:i + chunk] for i in range(0, len(items), chunk)]
        for i, part in enumerate(parts):
            if reproduces(part):
                items, n = part, 2
                break
            rest = [c for j, p in enumerate(parts) if j != i for c in p]
            if n > 2 and reproduces(rest):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(2 * n, len(items))
    i = 0
    while len(items) > 1 and i < len(items):
        rest = items[:i] + items[i + 1:]
        if reproduces(rest):
            items = rest
        else:
            i += 1
    return shrink_arguments(items, reproduces)


def _simpler(arg: dict) -> list[dict]:
    """Simpler forms of one argument, simplest first."""
    out: list[dict] = []
    if "int" in arg:
        value = int(arg["int"])
        out += [{"int": v} for v in (0, 1, value >> 32, value & 0xFFFFFFFF, value >> 1) if v < value]
    elif "data" in arg:
        data = bytes.fromhex(str(arg["data"]))
        for size in (0, 8, 16, len(data) // 2):
            if size < len(data):
                out.append({**arg, "data": data[:size].hex()})
        zeros = bytes(len(data))
        if data != zeros:
            out.append({**arg, "data": zeros.hex()})
    elif "path" in arg:
        path = str(arg["path"])
        for shorter in ("/", "/tmp/f0", path[:len(path) // 2]):
            if len(shorter) < len(path):
                out.append({**arg, "path": shorter})
    if "off" in arg and arg["off"]:
        out.append({**arg, "off": 0})
    if "pick" in arg and arg["pick"]:
        out.append({**arg, "pick": 0})
    return out


def shrink_arguments(calls: list[Call], reproduces: Callable[[list[Call]], bool]) -> list[Call]:
    """Each argument of each call, replaced by the simplest form that keeps the finding."""
    calls = [Call(c.name, list(c.args)) for c in calls]
    for call in calls:
        for index in range(len(call.args)):
            for candidate in _simpler(call.args[index]):
                before = call.args[index]
                call.args[index] = candidate
                if reproduces(calls):
                    break
                call.args[index] = before
    return calls


def finding_name(finding: Finding) -> str:
    digest = hashlib.sha256(finding.signature.encode()).hexdigest()[:10]
    return f"{finding.kind}-{re.sub(r'[^A-Za-z0-9_]+', '_', finding.syscall)}-{digest}"


DRIVERS = ("inprocess", "guest")


def write_sequence(path: Path, calls: list[Call], finding: Finding | None, seed: int | str, index: int,
                   driver: str = "inprocess") -> None:
    doc = {"format": FORMAT, "version": VERSION, "driver": driver, "seed": seed, "sequence": index,
           "finding": finding.to_json() if finding is not None else None,
           "calls": [call.to_json() for call in calls]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n")
    tmp.replace(path)


class CorruptSequence(ValueError):
    """A sequence file that is not one this harness wrote."""


def read_sequence(path: Path) -> tuple[list[Call], dict]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptSequence(f"{path}: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise CorruptSequence(f"{path}: not a {FORMAT} file (version {VERSION})")
    if doc.get("driver", "inprocess") not in DRIVERS:
        raise CorruptSequence(f"{path}: unknown driver {doc.get('driver')!r} (known: {', '.join(DRIVERS)})")
    calls_raw = doc.get("calls")
    if not isinstance(calls_raw, list):
        raise CorruptSequence(f"{path}: no list of calls")
    try:
        calls = [Call.from_json(c) for c in calls_raw]
        for call in calls:
            _validate_args(call)
    except ValueError as exc:
        raise CorruptSequence(f"{path}: {exc}") from None
    return calls, doc


def _validate_args(call: Call) -> None:
    for arg in call.args:
        if not isinstance(arg, dict) or not ({"int", "fd", "path", "ptr"} & arg.keys()):
            raise ValueError(f"{call.name}: bad argument {arg!r}")
        if "int" in arg and not isinstance(arg["int"], int):
            raise ValueError(f"{call.name}: bad integer {arg['int']!r}")
        if "data" in arg:
            bytes.fromhex(str(arg["data"]))


def campaign(seed: int | str, rows: list[Row], budget: Budget, out: Path, harness: Harness | GuestHarness | None = None,
             report: Callable[[Stats], None] | None = None, length: int = SEQUENCE_LENGTH) -> Stats:
    """Run sequences until ``budget`` is spent; every new finding is minimised and
    written to ``out``.  ``report`` gets the stats every REPORT_INTERVAL seconds.  With
    a GuestHarness each sequence also runs through a real guest (and natively where
    safe); the budget then counts the calls the guest ran."""
    harness = harness or Harness()
    guest = isinstance(harness, GuestHarness)
    stats = Stats()
    start = last_report = time.monotonic()
    index = 0
    selected = {row.name for row in rows}
    while not budget.spent(stats):
        gen = Generator(sequence_rng(seed, index), rows)
        calls, outcomes = run_generated(harness, gen, length)      # type: ignore[arg-type]
        if guest:
            before, native = harness.guest_calls, harness.native_calls   # type: ignore[union-attr]
            outcomes = harness.run_sequence(calls)
            stats.executions += harness.guest_calls - before             # type: ignore[union-attr]
            stats.native += harness.native_calls - native                # type: ignore[union-attr]
        else:
            stats.executions += len(outcomes)
        stats.sequences += 1
        for outcome in outcomes:
            if outcome.call.name in selected:       # (creators may come from other families)
                stats.exercised.add(outcome.call.name)
            stats.outcomes.add((outcome.call.name, outcome.errno))
            for finding in outcome.findings:
                if finding.signature not in stats.findings:
                    small = minimise(harness, calls, finding.signature,   # type: ignore[arg-type]
                                     GUEST_MINIMISE_RUNS if guest else None)
                    path = out / f"{finding_name(finding)}.json"
                    write_sequence(path, small, finding, seed, index, "guest" if guest else "inprocess")
                    stats.findings[finding.signature] = str(path)
        index += 1
        now = time.monotonic()
        stats.seconds = now - start
        if report is not None and now - last_report >= REPORT_INTERVAL:
            report(stats)
            last_report = now
    if report is not None:
        report(stats)
    return stats
