"""``python -m tools.compat pytests``: CPython's own regression tests, natively and under vkemu.

Debian's ``libpython3.11-testsuite`` puts CPython's tests in /usr/lib/python3.11/test;
``python3 -m test -v MODULE`` runs one module.  Each module runs twice, natively and as
``vkemu /usr/bin/python3 -m test -v MODULE``, with the same environment, each with a
time limit (Unicorn makes the second run one to two orders of magnitude slower), at
most ``--jobs`` runs at a time.  The pass, fail, error and skip counts of both, and the
tests that fail only under vkemu, go to a Markdown report (``docs/compat.md``).

Counts come from unittest's closing lines (``Ran N tests``, ``OK (skipped=S)``,
``FAILED (failures=F, errors=E, skipped=S)``); a run cut short by its time limit is
counted from the ``... ok`` lines it printed and marked ``timeout``.
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"
TESTSUITE = Path("/usr/lib/python3.11/test")
DEFAULT_MODULES = ["test_json", "test_math", "test_struct", "test_re", "test_os", "test_threading",
                   "test_subprocess", "test_select", "test_socket", "test_signal", "test_mmap",
                   "test_fcntl", "test_posix", "test_time"]
# The same for both runs; vkemu passes it to the guest unchanged.
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}

# Why tests fail under vkemu and not natively, where known: a substring of the test id
# -> the reason (a design decision, or a feature not implemented yet).
KNOWN = {
    "test_memfd_create": "memfd_create is refused (ENOSYS): W^X forbids fileless code; data-only memfds are not offered",
    "test_mmap.MmapTests.test_access_parameter": "W^X: a PROT_EXEC mapping of a file the container wrote is EACCES",
    "test_fcntl_64_bit": "F_NOTIFY (dnotify) is not implemented: EINVAL, as a kernel built without it",
    "UDPLITE": "UDP-Lite sockets (IPPROTO_UDPLITE) are refused with EPROTONOSUPPORT",
    "RFC3542": "IPv6 ancillary data (IPV6_RECVPKTINFO, hop limit, traffic class) is not passed on host sockets yet",
    "testInterfaceNameIndex": "network interface names need AF_NETLINK or SIOCGIFINDEX: not implemented",
    "scopeid_symbolic": "network interface names need AF_NETLINK or SIOCGIFINDEX: not implemented",
    "test_pthread_getcpuclockid": "per-thread CPU-time clocks (pthread_getcpuclockid ids) are EINVAL",
    "test_stress_modifying_handlers": "one CPU, a deterministic schedule: not yet analysed; most likely the "
                                      "raising thread only runs while the main thread has SIG_IGN installed",
}
# Tests left out of both runs (regrtest's -i) because they hang under vkemu, and why.
IGNORED: dict[str, dict[str, str]] = {}


_RAN = re.compile(r"^Ran (\d+) tests? in", re.M)
_VERDICT = re.compile(r"^(OK|FAILED)(?: \((.*)\))?\s*$", re.M)
_OUTCOME = re.compile(r" \.\.\. (ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b")
_PROBLEM = re.compile(r"^(FAIL|ERROR): (\S+) \(([^)]*)\)", re.M)
_SEPARATOR = re.compile(r"^(=|-){20,}$", re.M)


@dataclass
class Outcome:
    """One run of one module."""
    status: str = "not run"          # ok, failed, skipped, timeout, crashed
    ran: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    expected_failures: int = 0
    seconds: float = 0.0
    problems: dict[str, str] = field(default_factory=dict)   # test id -> last line of its report
    # vkemu's audit records of the run: "kernel-bug read", "enosys rseq" ... -> count
    audit: Counter[str] = field(default_factory=Counter)

    @property
    def passed(self) -> int:
        return max(0, self.ran - self.failures - self.errors - self.skipped - self.expected_failures)

    def cell(self) -> str:
        counts = f"{self.passed} / {self.failures + self.errors} / {self.skipped}"
        return f"{counts} ({self.status}, {self.seconds:.0f} s)"


def parse(output: str, timed_out: bool, returncode: int) -> Outcome:
    """The counts of one ``python3 -m test -v`` run from its output."""
    out = Outcome()
    ran = _RAN.findall(output)
    verdicts = _VERDICT.findall(output)
    if ran and verdicts and not timed_out:
        out.ran = sum(int(n) for n in ran)
        for _, detail in verdicts:
            for item in filter(None, (part.strip() for part in detail.split(","))):
                key, _, value = item.partition("=")
                if key == "failures":
                    out.failures += int(value)
                elif key == "errors":
                    out.errors += int(value)
                elif key == "skipped":
                    out.skipped += int(value)
                elif key == "expected failures":
                    out.expected_failures += int(value)
    else:
        for kind in _OUTCOME.findall(output):
            out.ran += 1
            if kind == "FAIL":
                out.failures += 1
            elif kind == "ERROR":
                out.errors += 1
            elif kind == "skipped":
                out.skipped += 1
            elif kind == "expected failure":
                out.expected_failures += 1
    for match in _PROBLEM.finditer(output):
        rest = output[match.end():]
        stop = [m.start() for m in _SEPARATOR.finditer(rest)]
        body = rest[stop[0]:stop[1]] if len(stop) >= 2 else rest[:2000]
        lines = [line for line in body.splitlines() if line.strip() and not _SEPARATOR.match(line)]
        out.problems[match.group(3) or match.group(2)] = lines[-1].strip()[:160] if lines else ""
    if timed_out:
        out.status = "timeout"
    elif re.search(r"^\S+ skipped", output, re.M) and not ran:
        out.status = "skipped"
    elif returncode == 0 or (verdicts and all(v == "OK" for v, _ in verdicts)):
        out.status = "ok"
    elif verdicts:
        out.status = "failed"
    else:
        out.status = f"crashed (exit {returncode})"
    return out


def command(module: str, audit: Path | None, extra: list[str]) -> list[str]:
    """The native run, or with ``audit`` the vkemu run writing its audit records there."""
    ignored = [arg for pattern in IGNORED.get(module, {}) for arg in ("-i", pattern)]
    test = [PYTHON, "-m", "test", "-v", module] + ignored + extra
    if audit is None:
        return test
    return [sys.executable, "-m", "tools.vkemu", "--audit", str(audit)] + test


def audit_summary(path: Path) -> Counter[str]:
    """Kernel bugs and unimplemented calls in an audit log, by action and syscall."""
    counts: Counter[str] = Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["action"] in ("kernel-bug", "enosys"):
                counts[f"{record['action']} {record['syscall']}"] += 1
    return counts


def run_one(module: str, under_vkemu: bool, timeout: float, extra: list[str], log_dir: Path | None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="vkcompat") as scratch:
        audit = Path(scratch) / "audit.jsonl" if under_vkemu else None
        outcome = _run(module, audit, timeout, extra, log_dir)
        if audit is not None:
            outcome.audit = audit_summary(audit)
    return outcome


def _run(module: str, audit: Path | None, timeout: float, extra: list[str], log_dir: Path | None) -> Outcome:
    cmd = command(module, audit, extra)
    env = dict(ENV, PYTHONPATH=str(REPO_ROOT)) if audit is not None else dict(ENV)
    start = time.monotonic()
    timed_out = False
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          cwd="/", env=env, start_new_session=True) as proc:
        try:
            raw, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.kill()
            raw, _ = proc.communicate()
    output = raw.decode(errors="replace")
    if log_dir is not None:
        (log_dir / f"{module}.{'vkemu' if audit is not None else 'native'}.log").write_text(output)
    outcome = parse(output, timed_out, proc.returncode)
    outcome.seconds = time.monotonic() - start
    return outcome


def render(results: dict[str, tuple[Outcome, Outcome]], timeout: float) -> str:
    lines = [
        "# CPython's regression tests under vkemu",
        "",
        "Generated by `python -m tools.compat pytests` (Debian's `libpython3.11-testsuite`): each module",
        f"runs as `python3 -m test -v MODULE`, natively and under vkemu, each run limited to {timeout:.0f} s.",
        "Cells are passed / failed (failures + errors) / skipped tests, the run's status and its",
        "wall time. A `timeout` run is counted from the tests it finished.",
        "",
        *(f"Left out of both runs of {module}: `{pattern}` ({why})." for module, patterns in IGNORED.items()
          if module in results for pattern, why in patterns.items()),
        "",
        "| module | native | vkemu |",
        "| --- | --- | --- |",
    ]
    for module, (native, emu) in results.items():
        lines.append(f"| {module} | {native.cell()} | {emu.cell()} |")
    only = [(module, test, why) for module, (native, emu) in results.items()
            for test, why in emu.problems.items() if test not in native.problems]
    if only:
        # Tests failing for a known reason are one row per module and reason.
        known: dict[tuple[str, str], list[str]] = {}
        lines += ["", "## Failing under vkemu only", "", "| module | test | last line of its report | known reason |",
                  "| --- | --- | --- | --- |"]
        for module, test, why in only:
            reason = known_reason(test)
            if reason:
                known.setdefault((module, reason), []).append(test)
            else:
                lines.append(f"| {module} | `{test}` | {_cell(why)} |  |")
        for (module, reason), tests in known.items():
            name = f"`{tests[0]}`" + (f" and {len(tests) - 1} more" if len(tests) > 1 else "")
            lines.append(f"| {module} | {name} | {_cell(results[module][1].problems[tests[0]])} | {reason} |")
    audits = [(module, what, n) for module, (_, emu) in results.items() for what, n in sorted(emu.audit.items())]
    if audits:
        lines += ["", "## Kernel bugs and unimplemented syscalls met (vkemu's audit log)", "",
                  "| module | action and syscall | times |", "| --- | --- | --- |"]
        lines += [f"| {module} | {what} | {n} |" for module, what, n in audits]
    return "\n".join(lines) + "\n"


def known_reason(test: str) -> str:
    return next((why for key, why in KNOWN.items() if key in test), "")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def pytests(args: argparse.Namespace) -> int:
    if not TESTSUITE.is_dir():
        print(f"compat: {TESTSUITE} is missing: apt-get install libpython3.11-testsuite", file=sys.stderr)
        return 2
    modules = args.modules or DEFAULT_MODULES
    log_dir = Path(args.logs) if args.logs else None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
    extra = ["-m", args.match] if args.match else []
    # Runs start with the dispositions a terminal gives (a shell's background job would
    # pass SIGINT ignored on, and test_signal and test_threading count on it).
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    jobs = [(m, emu) for m in modules for emu in (False, True)]
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {job: pool.submit(run_one, job[0], job[1], args.timeout, extra, log_dir) for job in jobs}
        results: dict[str, tuple[Outcome, Outcome]] = {}
        for module in modules:
            native, emu = futures[(module, False)].result(), futures[(module, True)].result()
            results[module] = (native, emu)
            print(f"{module}: native {native.cell()}; vkemu {emu.cell()}", flush=True)
    report = render(results, args.timeout)
    if args.output == "-":
        sys.stdout.write(report)
    else:
        Path(args.output).write_text(report)
        print(f"compat: wrote {args.output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.compat", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pytests", help="CPython's regression tests, natively and under vkemu")
    p.add_argument("modules", nargs="*", help=f"test modules (default: {' '.join(DEFAULT_MODULES)})")
    p.add_argument("--timeout", type=float, default=600, help="seconds per run (default 600)")
    p.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2)")
    p.add_argument("--match", help="only tests matching this pattern (regrtest's -m)")
    p.add_argument("--logs", help="keep each run's output in this directory")
    p.add_argument("-o", "--output", default=str(REPO_ROOT / "docs" / "compat.md"),
                   help="the Markdown report (default docs/compat.md; - for stdout)")
    args = parser.parse_args(argv)
    return pytests(args)


if __name__ == "__main__":
    sys.exit(main())
