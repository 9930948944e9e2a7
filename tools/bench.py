"""``vkemu bench``: time vkemu side by side with native execution and qemu-user.

Small static C programs (``tools/bench_programs/``) are each run under every runner
in one invocation, ``--repeat`` times, and the median is reported:

- ``syscall``: a ``getppid()`` loop; ns per round trip.
- ``cpu``: a register-only integer mixing loop; seconds.
- ``read``: a file read in 64 KiB chunks; MB/s (10^6 bytes per second).
- ``pingpong``: two threads handing a token through a mutex and a condvar; µs/handoff.
- ``spawn``: pthread_create + pthread_join in a loop; µs per thread.
- ``cpu+blocked``: the cpu loop while another thread is blocked; must match ``cpu``.
- ``forkexec``: fork + exec of ``/bin/busybox true`` + wait; ms per process.
- ``shloop``: ``busybox sh`` counting to 2,000 in a while loop; seconds.
- ``pipeline``: ``busybox cat FILE | busybox wc -c`` over 64 MiB; MB/s.  (qemu-user
  runs the exec'd children natively, so its column measures less emulation.)
- ``startup``: a static hello world; seconds for the whole process.
- ``tcp1``, ``tcp64``: epoll echo round trips per second over loopback TCP with one
  and with 64 connections (a forked epoll server; the client sends on every
  connection, then waits for every echo).
- ``unixpair``: a one-byte ping-pong between two processes over an AF_UNIX
  socketpair; µs per round trip (target: within 10× of qemu-user).
- ``py-startup``: Debian's dynamically linked ``python3 -c pass``; seconds for the
  whole process (ld.so, libraries, the interpreter's start-up).
- ``py-dict``: ``python3 -c`` doing 200,000 dict operations (a get and a set per
  iteration); seconds beyond start-up.
- ``sqlite-insert``: Debian's ``sqlite3`` inserting 100,000 rows into an in-memory
  database in one transaction; seconds beyond start-up.

The first three time the program twice, with its work and without it (zero iterations,
an empty file), and divide the difference of the medians by the work done, so process
start-up, which differs wildly between runners, drops out.  ``startup`` is the whole
process's wall time, including the spawn from Python.

Every run's output is checked (the iteration count, the file's length and checksum,
the cpu loop's result against the native run's) so a broken runner shows up as an
``error`` cell rather than as a fast number.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tools.cbuild import BuildError, build

REPO_ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = Path(__file__).resolve().parent / "bench_programs"
READ_CHUNK = 64 * 1024  # must match CHUNK in bench_programs/read.c

NATIVE, QEMU, VKEMU = "native", "qemu-user", "vkemu"
RECORD = "vkemu record"       # --record: the same runs under `vkemu record` (tools/record.py)


@dataclass(frozen=True)
class Sizes:
    """How much work each workload does, and how often each measurement is repeated."""

    syscall_calls: int
    cpu_rounds: int
    read_bytes: int
    repeat: int
    handoffs: int
    spawns: int
    forks: int
    shell_iterations: int
    pipe_bytes: int
    tcp_round_trips: int
    unix_round_trips: int
    dict_ops: int
    sqlite_rows: int


FULL = Sizes(syscall_calls=1_000_000, cpu_rounds=200_000_000, read_bytes=256 << 20, repeat=5,
             handoffs=100_000, spawns=2_000, forks=200, shell_iterations=2_000, pipe_bytes=64 << 20,
             tcp_round_trips=10_240, unix_round_trips=20_000, dict_ops=200_000, sqlite_rows=100_000)
QUICK = Sizes(syscall_calls=100_000, cpu_rounds=20_000_000, read_bytes=128 << 20, repeat=3,
              handoffs=10_000, spawns=200, forks=20, shell_iterations=500, pipe_bytes=16 << 20,
              tcp_round_trips=2_048, unix_round_trips=4_000, dict_ops=50_000, sqlite_rows=20_000)


class RunError(Exception):
    """A runner failed a measurement; the message is a one-line reason."""


@dataclass(frozen=True)
class Runner:
    """A way to execute a static x86-64 binary on this host."""

    name: str
    prefix: tuple[str, ...]

    def command(self, binary: Path, args: list[str]) -> list[str]:
        """The command line that runs ``binary`` with ``args``."""
        return [*self.prefix, str(binary), *args]


@dataclass(frozen=True)
class Run:
    """One program invocation and the stdout it must produce (None: native's)."""

    args: list[str]
    expected: str | None


@dataclass(frozen=True)
class Target:
    """A goal for vkemu's figure, or for its ratio to another runner's."""

    label: str
    limit: float
    at_most: bool
    relative_to: str | None = None

    def check(self, figures: dict[str, float]) -> bool | None:
        """Whether vkemu meets the goal; None when the figures needed are missing."""
        value = figures.get(VKEMU)
        if value is not None and self.relative_to is not None:
            base = figures.get(self.relative_to)
            value = value / base if base else None
        if value is None:
            return None
        return value <= self.limit if self.at_most else value >= self.limit


@dataclass(frozen=True)
class Workload:
    """A benchmark program, how to run it, and how wall time becomes its figure.

    With a ``baseline``, the figure comes from the difference between the medians of
    ``measured`` and ``baseline``; without one, from the median of ``measured``.
    """

    name: str
    source: str
    unit: str
    measured: Run
    baseline: Run | None
    figure: Callable[[float], float]
    target: Target
    digits: int


@dataclass
class Cell:
    """One workload under one runner: its figure, or why there is none."""

    figure: float | None = None
    error: str | None = None
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)


SHELL_LOOP = 'i=0; while [ $i -lt {n} ]; do i=$((i+1)); done; echo $i'
PIPELINE = "/bin/busybox cat {path} | /bin/busybox wc -c"
PYTHON3 = "/usr/bin/python3"
# Two dict operations per iteration; prints the key count and the sum of the values.
PY_DICT = "d = {{}}\nfor i in range({n}): d[i & 4095] = d.get(i & 4095, 0) + i\nprint(len(d), sum(d.values()))"
SQLITE_INSERT = ("create table t(a integer primary key, b text); begin; "
                 "insert into t(b) select printf('row %d', value) from generate_series(1, {n}); "
                 "commit; select count(*) from t;")


def make_workloads(sizes: Sizes, read_file: Path, empty_file: Path, pipe_file: Path | None = None
                   ) -> list[Workload]:
    """The workloads at ``sizes``, reading ``read_file`` (see ``write_read_file``)."""
    chunks = sizes.read_bytes // READ_CHUNK
    return [
        Workload(
            name="syscall",
            source="syscall.c",
            unit="ns/call",
            measured=Run([str(sizes.syscall_calls)], f"{sizes.syscall_calls}\n"),
            baseline=Run(["0"], "0\n"),
            figure=lambda seconds: seconds / sizes.syscall_calls * 1e9,
            target=Target("≤ 3 µs", 3000.0, at_most=True),
            digits=0,
        ),
        Workload(
            name="cpu",
            source="cpu.c",
            unit="s",
            measured=Run([str(sizes.cpu_rounds)], None),
            baseline=Run(["0"], None),
            figure=lambda seconds: seconds,
            target=Target("≤ 1.5× qemu", 1.5, at_most=True, relative_to=QEMU),
            digits=3,
        ),
        Workload(
            name="read",
            source="read.c",
            unit="MB/s",
            measured=Run([str(read_file)], f"{sizes.read_bytes} {chunks * (chunks - 1) // 2}\n"),
            baseline=Run([str(empty_file)], "0 0\n"),
            figure=lambda seconds: sizes.read_bytes / seconds / 1e6,
            target=Target("≥ 1 GB/s", 1000.0, at_most=False),
            digits=0,
        ),
        Workload(
            name="pingpong",
            source="pingpong.c",
            unit="µs/handoff",
            measured=Run([str(sizes.handoffs)], f"{2 * sizes.handoffs}\n"),
            baseline=Run(["0"], "0\n"),
            figure=lambda seconds: seconds / (2 * sizes.handoffs) * 1e6,
            target=Target("≤ 10 µs", 10.0, at_most=True),
            digits=2,
        ),
        Workload(
            name="spawn",
            source="spawn.c",
            unit="µs/thread",
            measured=Run([str(sizes.spawns)], f"{sizes.spawns}\n"),
            baseline=Run(["0"], "0\n"),
            figure=lambda seconds: seconds / sizes.spawns * 1e6,
            target=Target("report", float("inf"), at_most=True),
            digits=1,
        ),
        Workload(
            name="cpu+blocked",
            source="cpu_blocked.c",
            unit="s",
            measured=Run([str(sizes.cpu_rounds)], None),
            baseline=Run(["0"], None),
            figure=lambda seconds: seconds,
            target=Target("≤ 1.5× qemu", 1.5, at_most=True, relative_to=QEMU),
            digits=3,
        ),
        Workload(
            name="forkexec",
            source="forkexec.c",
            unit="ms/proc",
            measured=Run([str(sizes.forks)], f"{sizes.forks}\n"),
            baseline=Run(["0"], "0\n"),
            figure=lambda seconds: seconds / sizes.forks * 1e3,
            target=Target("≤ 20 ms", 20.0, at_most=True),
            digits=2,
        ),
        Workload(
            name="shloop",
            source="/bin/busybox",
            unit="s",
            measured=Run(["sh", "-c", SHELL_LOOP.format(n=sizes.shell_iterations)], f"{sizes.shell_iterations}\n"),
            baseline=Run(["sh", "-c", SHELL_LOOP.format(n=0)], "0\n"),
            figure=lambda seconds: seconds,
            target=Target("report", float("inf"), at_most=True),
            digits=3,
        ),
        Workload(
            name="pipeline",
            source="/bin/busybox",
            unit="MB/s",
            measured=Run(["sh", "-c", PIPELINE.format(path=pipe_file or read_file)], f"{sizes.pipe_bytes}\n"),
            baseline=Run(["sh", "-c", PIPELINE.format(path=empty_file)], "0\n"),
            figure=lambda seconds: sizes.pipe_bytes / seconds / 1e6,
            target=Target("report", 0.0, at_most=False),
            digits=1,
        ),
        Workload(
            name="startup",
            source="hello.c",
            unit="s",
            measured=Run([], "hello, world\n"),
            baseline=None,
            figure=lambda seconds: seconds,
            target=Target("≤ 0.3 s", 0.3, at_most=True),
            digits=4,
        ),
        *(_tcp_workload(sizes, conns) for conns in (1, 64)),
        _unixpair_workload(sizes),
        Workload(
            name="py-startup",
            source=PYTHON3,
            unit="s",
            measured=Run(["-c", "pass"], ""),
            baseline=None,
            figure=lambda seconds: seconds,
            target=Target("report", float("inf"), at_most=True),
            digits=3,
        ),
        Workload(
            name="py-dict",
            source=PYTHON3,
            unit="s",
            measured=Run(["-c", PY_DICT.format(n=sizes.dict_ops // 2)], _dict_result(sizes.dict_ops // 2)),
            baseline=Run(["-c", PY_DICT.format(n=0)], "0 0\n"),
            figure=lambda seconds: seconds,
            target=Target("report", float("inf"), at_most=True),
            digits=3,
        ),
        Workload(
            name="sqlite-insert",
            source="/usr/bin/sqlite3",
            unit="s",
            measured=Run([":memory:", SQLITE_INSERT.format(n=sizes.sqlite_rows)], f"{sizes.sqlite_rows}\n"),
            baseline=Run([":memory:", SQLITE_INSERT.format(n=0)], "0\n"),
            figure=lambda seconds: seconds,
            target=Target("report", float("inf"), at_most=True),
            digits=3,
        ),
    ]


def _dict_result(n: int) -> str:
    """What PY_DICT prints after ``n`` iterations."""
    return f"{min(n, 4096)} {n * (n - 1) // 2}\n"


def _unixpair_workload(sizes: Sizes) -> Workload:
    trips = sizes.unix_round_trips
    return Workload(
        name="unixpair",
        source="unixpair.c",
        unit="µs/round trip",
        measured=Run([str(trips)], f"{trips}\n"),
        baseline=Run(["0"], "0\n"),
        figure=lambda seconds: seconds / trips * 1e6,
        target=Target("≤ 10× qemu", 10.0, at_most=True, relative_to=QEMU),
        digits=2,
    )


def _tcp_workload(sizes: Sizes, conns: int) -> Workload:
    rounds = sizes.tcp_round_trips // conns
    trips = rounds * conns
    return Workload(
        name=f"tcp{conns}",
        source="tcpecho.c",
        unit="round trips/s",
        measured=Run([str(conns), str(rounds)], f"{trips}\n"),
        baseline=Run([str(conns), "0"], "0\n"),
        figure=lambda seconds: trips / seconds,
        target=Target("≥ 0.1× qemu", 0.1, at_most=False, relative_to=QEMU),
        digits=0,
    )


def write_read_file(path: Path, size: int) -> None:
    """Write ``size`` bytes of 64 KiB chunks, each starting with its index (u64 LE)."""
    filler = bytes(READ_CHUNK - 8)
    with path.open("wb") as out:
        for index in range(size // READ_CHUNK):
            out.write(index.to_bytes(8, "little") + filler)


def available_runners(console: Console) -> list[Runner]:
    """native, qemu-user when installed, and vkemu."""
    runners = [Runner(NATIVE, ())]
    qemu = shutil.which("qemu-x86_64")
    if qemu:
        runners.append(Runner(QEMU, (qemu,)))
    else:
        console.print("qemu-user: not installed")
    runners.append(Runner(VKEMU, (sys.executable, "-m", "tools.vkemu")))
    return runners


def timed_run(cmd: list[str], timeout: float) -> tuple[float, str]:
    """Run ``cmd`` from the repository root; return its wall time and stdout."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RunError(f"timed out after {timeout:g} s") from None
    except OSError as exc:
        raise RunError(f"cannot start: {exc}") from None
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        status = f"exit status {proc.returncode}"
        if proc.returncode < 0:
            try:
                status = f"killed by {signal.Signals(-proc.returncode).name}"
            except ValueError:
                status = f"killed by signal {-proc.returncode}"
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise RunError(f"{status}: {lines[-1]}" if lines else status)
    return elapsed, proc.stdout.decode(errors="replace")


def check_output(got: str, expected: str | None) -> None:
    """Raise RunError unless ``got`` is the expected stdout."""
    if expected is None:
        raise RunError("no native output to check against")
    if got != expected:
        raise RunError(f"wrong output {got.strip()[:40]!r}, expected {expected.strip()!r}")


class Bench:
    """Runs every workload under every runner and collects the cells."""

    def __init__(self, runners: list[Runner], repeat: int, timeout: float, console: Console):
        self.runners = runners
        self.repeat = repeat
        self.timeout = timeout
        self.console = console

    def measure(self, workload: Workload) -> dict[str, Cell]:
        """Cells of ``workload`` for each runner; native runs first and sets the
        reference output for runs whose expected output is not known in advance."""
        try:
            # An absolute path names an installed program (busybox) instead of a source.
            binary = Path(workload.source) if workload.source.startswith("/") else build(
                PROGRAMS / workload.source, "gcc-static")
        except BuildError as exc:
            reason = f"build failed: {str(exc).splitlines()[0]}"
            return {runner.name: Cell(error=reason) for runner in self.runners}
        cells: dict[str, Cell] = {}
        reference: dict[str, str] = {}  # "measured"/"baseline" -> native stdout
        for runner in self.runners:
            cell = Cell()
            try:
                self._sample(workload, runner, binary, cell, reference)
                cell.figure = self._figure(workload, cell)
            except RunError as exc:
                cell.error = str(exc)
            cells[runner.name] = cell
        return cells

    def _sample(self, workload: Workload, runner: Runner, binary: Path, cell: Cell,
                reference: dict[str, str]) -> None:
        """Time the workload's runs ``repeat`` times, interleaving baseline and measured
        runs so that drift in the host's speed affects both alike."""
        runs = [("measured", workload.measured, cell.samples)]
        if workload.baseline is not None:
            runs.insert(0, ("baseline", workload.baseline, cell.baseline_samples))
        for attempt in range(1, self.repeat + 1):
            with self.console.status(f"{workload.name} under {runner.name}: "
                                     f"run {attempt}/{self.repeat}"):
                for role, run, samples in runs:
                    elapsed, out = timed_run(runner.command(binary, run.args), self.timeout)
                    expected = run.expected
                    if expected is None:
                        if runner.name == NATIVE:
                            reference.setdefault(role, out)
                        expected = reference.get(role)
                    check_output(out, expected)
                    samples.append(elapsed)

    @staticmethod
    def _figure(workload: Workload, cell: Cell) -> float:
        """The workload's figure from the cell's median wall times."""
        seconds = statistics.median(cell.samples)
        if cell.baseline_samples:
            seconds -= statistics.median(cell.baseline_samples)
            if seconds <= 0:
                raise RunError("work took no measurable time beyond start-up")
        return workload.figure(seconds)


def figures(cells: dict[str, Cell]) -> dict[str, float]:
    """The figures of the runners that produced one."""
    return {name: cell.figure for name, cell in cells.items() if cell.figure is not None}


def ratio(cells: dict[str, Cell], other: str, runner: str = VKEMU) -> float | None:
    """``runner``'s figure (vkemu's) divided by ``other``'s, when both exist."""
    mine, theirs = cells.get(runner), cells.get(other)
    if mine is None or theirs is None or mine.figure is None or not theirs.figure:
        return None
    return mine.figure / theirs.figure


def render(console: Console, runners: list[Runner], workloads: list[Workload],
           results: dict[str, dict[str, Cell]], repeat: int) -> None:
    """Print the results table, then the reasons behind its error cells."""
    names = [runner.name for runner in runners]
    others = [name for name in (NATIVE, QEMU) if name in names]
    table = Table(title=f"vkernel benchmarks (median of {repeat})")
    table.add_column("workload")
    table.add_column("unit")
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("target")
    for name in others:
        table.add_column(f"vkemu/{name.split('-')[0]}", justify="right")
    if RECORD in names:
        table.add_column("record/vkemu", justify="right")

    notes: list[str] = []
    for workload in workloads:
        cells = results[workload.name]
        row: list[Text | str] = [workload.name, workload.unit]
        for name in names:
            cell = cells[name]
            if cell.error is not None:
                notes.append(f"[{len(notes) + 1}] {workload.name} under {name}: {cell.error}")
                row.append(Text(f"error [{len(notes)}]", style="red"))
            else:
                row.append(f"{cell.figure:,.{workload.digits}f}")
        verdict = workload.target.check(figures(cells))
        mark = {True: ("✓", "green"), False: ("✗ miss", "red"), None: ("?", "yellow")}[verdict]
        row.append(Text(f"{workload.target.label} {mark[0]}", style=mark[1]))
        for name in others:
            value = ratio(cells, name)
            row.append("–" if value is None else f"{value:.2f}×")
        if RECORD in names:
            value = ratio(cells, VKEMU, RECORD)
            row.append("–" if value is None else f"{value:.2f}×")
        table.add_row(*row)

    console.print(table)
    console.print("Ratios divide vkemu's figure by the other runner's: for MB/s higher is "
                  "better, for the rest lower is better.")
    for note in notes:
        console.print(Text(note))


def to_json(sizes: Sizes, runners: list[Runner], workloads: list[Workload],
            results: dict[str, dict[str, Cell]]) -> dict:
    """The medians, ratios, target verdicts and raw wall times, as JSON-ready data."""
    names = [runner.name for runner in runners]
    return {
        "sizes": vars(sizes),
        "runners": names,
        "workloads": {
            workload.name: {
                "unit": workload.unit,
                "results": {
                    name: {
                        "figure": cell.figure,
                        "error": cell.error,
                        "wall_seconds": cell.samples,
                        "baseline_wall_seconds": cell.baseline_samples,
                    }
                    for name, cell in results[workload.name].items()
                },
                "ratios": {
                    **{f"vkemu/{other}": ratio(results[workload.name], other)
                       for other in names if other not in (VKEMU, RECORD)},
                    **({"record/vkemu": ratio(results[workload.name], VKEMU, RECORD)} if RECORD in names else {}),
                },
                "target": {
                    "label": workload.target.label,
                    "met": workload.target.check(figures(results[workload.name])),
                },
            }
            for workload in workloads
        },
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of ``vkemu bench``."""
    parser = argparse.ArgumentParser(
        prog="vkemu bench",
        description="Compare vkemu with native execution and qemu-user.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="smaller workloads and 3 repeats (under a minute)")
    parser.add_argument("--repeat", type=int, metavar="R",
                        help="runs per measurement; the median is reported (default 5, 3 with --quick)")
    parser.add_argument("--only", action="append", metavar="WORKLOAD",
                        choices=["syscall", "cpu", "read", "pingpong", "spawn", "cpu+blocked", "forkexec", "shloop", "pipeline",
                                 "startup", "tcp1", "tcp64", "unixpair", "py-startup", "py-dict", "sqlite-insert"],
                        help="run only this workload (may be given more than once)")
    parser.add_argument("--record", action="store_true",
                        help="also run every workload under `vkemu record` (recording overhead)")
    parser.add_argument("--json", metavar="FILE",
                        help="also write the results as JSON to FILE ('-' for stdout)")
    parser.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                        help="give up on a single run after this long (default 300)")
    args = parser.parse_args(argv)
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 if every cell has a figure, 1 if any failed."""
    args = parse_args(argv)
    base = QUICK if args.quick else FULL
    sizes = dataclasses.replace(base, repeat=args.repeat or base.repeat)
    # With JSON on stdout, the human-readable table goes to stderr.
    console = Console(stderr=args.json == "-")
    if not console.is_terminal:
        console.width = max(console.width, 120)  # keep the table unwrapped in logs
    runners = available_runners(console)

    # Not under /tmp: inside the container /tmp is a fresh tmpfs, while /var/tmp is the
    # host's, seen read-only through the overlay.
    with tempfile.TemporaryDirectory(prefix="vkernel-bench-", dir="/var/tmp") as tmp:
        read_file, empty_file, pipe_file = Path(tmp) / "data", Path(tmp) / "empty", Path(tmp) / "pipe"
        empty_file.touch()
        if args.record:
            runners.append(Runner(RECORD, (sys.executable, "-m", "tools.vkemu", "record", "-o",
                                           str(Path(tmp) / "bench.vkr"))))
        workloads = [w for w in make_workloads(sizes, read_file, empty_file, pipe_file)
                     if not args.only or w.name in args.only]
        if any(w.name == "read" for w in workloads):
            write_read_file(read_file, sizes.read_bytes)
        if any(w.name == "pipeline" for w in workloads):
            write_read_file(pipe_file, sizes.pipe_bytes)
        bench = Bench(runners, sizes.repeat, args.timeout, console)
        results = {workload.name: bench.measure(workload) for workload in workloads}

    render(console, runners, workloads, results, sizes.repeat)
    if args.json:
        text = json.dumps(to_json(sizes, runners, workloads, results), indent=2, ensure_ascii=False)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")
    failed = any(cell.error for cells in results.values() for cell in cells.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
