"""vkemu fuzz: fuzz the syscall surface in-process (DESIGN.md invariant 3).

Usage:
  vkemu fuzz [--seconds N | --iterations N] [--seed S] [--families F,...] [--jobs J] [--out DIR]
             [--guest [--no-native]]
  vkemu fuzz --repro FILE
  python -m tools.fuzz --atheris [ATHERIS/LIBFUZZER OPTIONS]

Options:
  --seconds N      run for N seconds (default 30)
  --iterations N   run N syscalls in all (instead of --seconds)
  --seed S         the campaign's seed (default 1): the same seed runs the same sequences
  --families F,..  only these handler modules (fs, fd, mm, proc, process, signal, thread,
                   time, misc, pipe, poll, epoll, eventfd, posix_timer, socket, table) or
                   groups (files, memory, processes, signals, threads, sockets, denied)
  --jobs J         J worker processes, each with its own seed derived from S
  --out DIR        where findings are written (default findings/)
  --guest          also run every sequence through a real guest: a static driver program
                   under vkemu (one process per sequence), results compared with the
                   in-process ones, and natively where safe (--driver guest: the same)
  --no-native      with --guest: no differential run on the host kernel
  --repro FILE     re-run a sequence file, printing each call and its outcome
  --atheris        coverage-guided fuzzing with atheris (where it installs)

Findings: a Python exception in a handler, a result that is no errno the call can give,
a broken kernel invariant (fd references, VMAs vs the CPU's mappings, W^X, futex queues,
socket buffers), a host path outside the container's mounts, and with --guest a result
that differs through the guest or natively.  Each is minimised (calls dropped, then
arguments simplified) and written once per (kind, syscall, exception site or message).

Exit status: 0 no finding, 1 findings (written to DIR, or reproduced by --repro), 2 bad
options, an unknown family or driver, a corrupt sequence file, or --atheris without atheris.
"""
from __future__ import annotations

import multiprocessing
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

EXIT_FINDINGS = 1
EXIT_USAGE = 2


class UsageError(Exception):
    pass


@dataclass
class FuzzOptions:
    seconds: float | None = None
    iterations: int | None = None
    seed: str = "1"
    families: list[str] = field(default_factory=list)
    jobs: int = 1
    out: str = "findings"
    repro: str | None = None
    guest: bool = False
    native: bool = True


def parse(argv: list[str]) -> FuzzOptions:
    opts = FuzzOptions()
    i = 0

    def value() -> str:
        nonlocal i
        arg = argv[i]
        if "=" in arg:
            return arg.split("=", 1)[1]
        i += 1
        if i >= len(argv):
            raise UsageError(f"{arg} needs a value")
        return argv[i]

    while i < len(argv):
        arg = argv[i]
        name = arg.split("=", 1)[0]
        try:
            if name == "--seconds":
                opts.seconds = float(value())
                if opts.seconds <= 0:
                    raise ValueError
            elif name == "--iterations":
                opts.iterations = int(value())
                if opts.iterations <= 0:
                    raise ValueError
            elif name == "--seed":
                opts.seed = value()
            elif name == "--families":
                opts.families = [f for f in value().split(",") if f]
            elif name == "--jobs":
                opts.jobs = int(value())
                if opts.jobs < 1:
                    raise ValueError
            elif name == "--out":
                opts.out = value()
            elif name == "--repro":
                opts.repro = value()
            elif name == "--guest":
                opts.guest = True
            elif name == "--driver":
                driver = value()
                if driver not in ("inprocess", "guest"):
                    raise UsageError(f"unknown driver {driver!r} (inprocess, guest)")
                opts.guest = driver == "guest"
            elif name == "--no-native":
                opts.native = False
            elif name in ("-h", "--help"):
                raise UsageError("")
            else:
                raise UsageError(f"unknown option {arg}")
        except ValueError:
            raise UsageError(f"bad value for {name}") from None
        i += 1
    if opts.seconds is not None and opts.iterations is not None:
        raise UsageError("--seconds and --iterations exclude each other")
    if opts.seconds is None and opts.iterations is None:
        opts.seconds = 30.0
    return opts


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--atheris"]:
        from tools.fuzz.atheris_target import main as atheris_main
        return atheris_main(argv[1:])
    try:
        opts = parse(argv)
        if opts.repro is not None:
            return repro(Path(opts.repro))
        from tools.fuzz.gen import UnknownFamily, select_rows
        try:
            rows = select_rows(opts.families)
        except UnknownFamily as exc:
            raise UsageError(str(exc)) from None
        if not rows:
            raise UsageError("no syscall to fuzz in those families")
        return run(opts)
    except UsageError as exc:
        if str(exc):
            print(f"vkemu fuzz: {exc}", file=sys.stderr)
        doc = __doc__.strip().split("\n\n", 1)[1]
        print(doc if not str(exc) else doc.split("\n\n")[0], file=sys.stderr)     # -h: all of it
        return EXIT_USAGE if str(exc) else 0


# -- repro -------------------------------------------------------------------------------

def repro(path: Path) -> int:
    from tools.fuzz.campaign import CorruptSequence, read_sequence
    from tools.fuzz.driver import Harness
    from tools.fuzz.guest import GuestHarness
    from tools.trace import format_line
    from vkernel.control import Control
    from vkernel.syscalls.table import BY_NAME
    try:
        calls, doc = read_sequence(path)
    except CorruptSequence as exc:
        print(f"vkemu fuzz: {exc}", file=sys.stderr)
        return EXIT_USAGE
    expected = (doc.get("finding") or {}).get("signature")
    harness: Harness | GuestHarness = GuestHarness() if doc.get("driver") == "guest" else Harness()
    found = 0
    for outcome in harness.run_sequence(calls):
        result: int | Control = outcome.result if outcome.result is not None else Control()
        line = format_line(harness.thread, BY_NAME[outcome.call.name], outcome.regs, result)
        print(line + (f"  [{outcome.control}]" if outcome.control else ""))
        for finding in outcome.findings:
            found += 1
            same = " (as recorded)" if finding.signature == expected else ""
            print(f"  FINDING {finding.kind}{same}: {finding.message}")
            if finding.traceback:
                print("  " + finding.traceback.rstrip().replace("\n", "\n  "))
    print(f"{len(calls)} calls, {found} finding(s)" + ("" if found or not expected else
                                                          f"; recorded {expected} did not reproduce"))
    return EXIT_FINDINGS if found else 0


# -- campaigns ---------------------------------------------------------------------------

def _harness(opts: FuzzOptions):  # noqa: ANN202 - Harness or GuestHarness
    from tools.fuzz.driver import Harness
    from tools.fuzz.guest import GuestHarness
    return GuestHarness(native=opts.native) if opts.guest else Harness()


def _worker(job: int, seed: str, opts: FuzzOptions, iterations: int | None, reports: multiprocessing.Queue) -> None:
    from tools.fuzz.campaign import Budget, campaign
    from tools.fuzz.gen import select_rows
    campaign(seed, select_rows(opts.families), Budget(opts.seconds, iterations), Path(opts.out), _harness(opts),
             report=lambda stats: reports.put((job, stats)))


def run(opts: FuzzOptions) -> int:
    from tools.fuzz.campaign import Budget, Stats, campaign
    from tools.fuzz.gen import select_rows
    rows = select_rows(opts.families)
    display = Display(len(rows), opts)
    latest: dict[int, Stats] = {}
    started = time.monotonic()
    with display:
        if opts.jobs == 1:
            def report(stats: Stats) -> None:
                latest[0] = stats
                display.update(latest, time.monotonic() - started)
            campaign(opts.seed, rows, Budget(opts.seconds, opts.iterations), Path(opts.out), _harness(opts),
                     report=report)
        else:
            reports: multiprocessing.Queue = multiprocessing.Queue()
            per_job = -(-opts.iterations // opts.jobs) if opts.iterations else None
            workers = [multiprocessing.Process(target=_worker, daemon=True,
                                               args=(j, f"{opts.seed}/{j}", opts, per_job, reports))
                       for j in range(opts.jobs)]
            for worker in workers:
                worker.start()
            while any(w.is_alive() for w in workers) or not reports.empty():
                try:
                    job, stats = reports.get(timeout=0.25)
                    latest[job] = stats
                except queue.Empty:
                    pass
                display.update(latest, time.monotonic() - started)
            for worker in workers:
                worker.join()
    total = Stats()
    for stats in latest.values():
        total.merge(stats)
    print(summary(total, len(rows), time.monotonic() - started))
    for signature, path in sorted(total.findings.items()):
        print(f"  {path}: {signature}")
    return EXIT_FINDINGS if total.findings else 0


def summary(total, implemented: int, elapsed: float) -> str:
    rate = total.executions / elapsed if elapsed > 0 else 0.0
    where = f" through a guest ({total.native} also natively)" if total.native else ""
    return (f"{total.executions} calls{where} in {elapsed:.1f} s ({rate:.0f}/s), {total.sequences} sequences, "
            f"{len(total.outcomes)} distinct (syscall, errno) outcomes, "
            f"{len(total.exercised)}/{implemented} syscalls exercised, {len(total.findings)} finding(s)")


class Display:
    """The live view (rich): executions per second, distinct outcomes, handler
    coverage and findings, refreshed as workers report."""

    def __init__(self, implemented: int, opts: FuzzOptions) -> None:
        from rich.console import Console
        from rich.live import Live
        self.implemented = implemented
        self.opts = opts
        self.console = Console(stderr=True)
        self.live = Live(console=self.console, refresh_per_second=4, transient=True)

    def __enter__(self) -> Display:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)  # type: ignore[arg-type]

    def update(self, latest: dict, elapsed: float) -> None:
        from rich.table import Table
        from tools.fuzz.campaign import Stats
        total = Stats()
        for stats in latest.values():
            total.merge(stats)
        budget = f"{self.opts.seconds:.0f} s" if self.opts.seconds else f"{self.opts.iterations} calls"
        table = Table(title=f"vkemu fuzz  seed {self.opts.seed}  jobs {self.opts.jobs}  budget {budget}",
                      show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column()
        rate = total.executions / elapsed if elapsed > 0 else 0.0
        table.add_row("elapsed", f"{elapsed:.1f} s")
        table.add_row("executions", f"{total.executions}  ({rate:.0f}/s)"
                      + (f"  through a guest, {total.native} natively" if self.opts.guest else ""))
        table.add_row("sequences", str(total.sequences))
        table.add_row("outcomes", f"{len(total.outcomes)} distinct (syscall, errno)")
        errnos = len({errno for _, errno in total.outcomes if errno})
        table.add_row("coverage", f"{len(total.exercised)}/{self.implemented} syscalls, {errnos} errnos seen")
        style = "red" if total.findings else "green"
        table.add_row("findings", f"[{style}]{len(total.findings)}[/{style}]")
        for signature in sorted(total.findings)[:8]:
            table.add_row("", signature)
        self.live.update(table)
