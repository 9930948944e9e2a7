"""vkemu: run an x86-64 Linux program inside vkernel.

Usage:
  vkemu [OPTIONS] PROGRAM [ARGS...]     (also: vkemu run [OPTIONS] PROGRAM [ARGS...])
  vkemu syscalls [--markdown]           print the syscall table
  vkemu bench [BENCH OPTIONS]           run the benchmarks
  vkemu fuzz [FUZZ OPTIONS]             fuzz the syscall surface (see tools/fuzz/cli.py)
  vkemu policy check FILE | show | import-seccomp FILE
  vkemu keygen -o KEY | sign --key KEY FILES... -o MANIFEST | verify MANIFEST [FILES...]
                                        (see tools/policy_cli.py)

Options:
  --trace[=FILE]         strace-style line per syscall, to stderr or FILE
  --trace-json=FILE      the same as JSON lines
  -v HOST:GUEST[:ro|rw]  mount a host directory (read-only unless :rw)
  --policy FILE          run under a container manifest (TOML; `vkemu policy show`
                         prints the default one)
  --seccomp FILE         a Docker/OCI seccomp profile (JSON) replaces the policy's
                         syscall rules
  --audit FILE           write audit records (JSON lines) to FILE
  --alert CMD            run CMD (sh -c) with each audit record of at least
                         --alert-severity on stdin, as JSON
  --alert-severity S     info, low, medium or high (default high).  Severities:
                         high = refusals and kills (policy errno/trap/kill, W^X,
                         attestation), kernel bugs; medium = crashes, deadlocks;
                         low = policy "log", host signals; info = ENOSYS
  --strict               a kernel bug (exception in a handler) aborts the run
  -h, --help             this text

Exit status: the program's own; 128+N if it died of signal N; 127 if PROGRAM does not
exist; 126 if it cannot be run (not an x86-64 ELF, or refused by policy); 124 if every
thread waits forever (the waits are listed); 2 for bad options; 70 for an internal
vkernel error.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import IO

EXIT_USAGE = 2
EXIT_NOEXEC = 126
EXIT_NOTFOUND = 127
EXIT_INTERNAL = 70
EXIT_DEADLOCK = 124

SUBCOMMANDS = ("run", "syscalls", "bench", "policy", "keygen", "sign", "verify", "fuzz")


class UsageError(Exception):
    pass


@dataclass
class RunOptions:
    program: str = ""
    args: list[str] = field(default_factory=list)
    trace: str | None = None          # "-" for stderr
    trace_json: str | None = None
    volumes: list[tuple[str, str, bool]] = field(default_factory=list)
    audit: str | None = None
    strict: bool = False
    policy: str | None = None
    seccomp: str | None = None
    alert: str | None = None
    alert_severity: str = "high"


def parse_run(argv: list[str]) -> RunOptions:
    """Options up to the program; everything after the program belongs to it."""
    opts = RunOptions()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            i += 1
            break
        if not arg.startswith("-") or arg == "-":
            break
        if arg in ("-h", "--help"):
            raise UsageError("")
        if arg == "--trace":
            opts.trace = "-"
        elif arg.startswith("--trace="):
            opts.trace = arg.split("=", 1)[1]
        elif arg.startswith("--trace-json="):
            opts.trace_json = arg.split("=", 1)[1]
        elif arg == "-v" or arg.split("=", 1)[0] == "--volume":
            spec, i = _take_value(argv, i, "HOST:GUEST[:ro|rw]")
            opts.volumes.append(parse_volume(spec))
        elif arg == "--strict":
            opts.strict = True
        elif arg.split("=", 1)[0] in _VALUED:
            name = arg.split("=", 1)[0]
            field, metavar = _VALUED[name]
            value, i = _take_value(argv, i, metavar)
            if name == "--alert-severity" and value not in ("info", "low", "medium", "high"):
                raise UsageError(f"--alert-severity: {value!r} is not info, low, medium or high")
            setattr(opts, field, value)
        else:
            raise UsageError(f"unknown option {arg}")
        i += 1
    if i >= len(argv):
        raise UsageError("no program given")
    opts.program = argv[i]
    opts.args = argv[i + 1:]
    return opts


# Options that take one value, as --opt VALUE or --opt=VALUE: (RunOptions field, metavar).
_VALUED = {"--audit": ("audit", "FILE"), "--policy": ("policy", "FILE"), "--seccomp": ("seccomp", "FILE"),
           "--alert": ("alert", "CMD"), "--alert-severity": ("alert_severity", "LEVEL")}


def _take_value(argv: list[str], i: int, metavar: str) -> tuple[str, int]:
    """The value of option ``argv[i]`` (after '=' or as the next word), and the index
    of the last word it used."""
    name, eq, value = argv[i].partition("=")
    if eq:
        return value, i
    if i + 1 >= len(argv):
        raise UsageError(f"{name} needs {metavar}")
    return argv[i + 1], i + 1


def parse_volume(spec: str) -> tuple[str, str, bool]:
    parts = spec.split(":")
    if len(parts) == 2:
        parts.append("ro")
    if len(parts) != 3 or not parts[0] or not parts[1].startswith("/") or parts[2] not in ("ro", "rw"):
        raise UsageError(f"bad volume {spec!r}: expected HOST:GUEST[:ro|rw] with an absolute GUEST")
    if not os.path.isdir(parts[0]):
        raise UsageError(f"bad volume {spec!r}: {parts[0]} is not a directory")
    return os.path.abspath(parts[0]), parts[1], parts[2] == "ro"


def _open_out(target: str | None) -> IO[str] | None:
    if target is None:
        return None
    if target == "-":
        return sys.stderr
    return open(target, "w", encoding="utf-8")


def _describe_args(t, row, args):  # type: ignore[no-untyped-def]
    """Audit records decode arguments like the trace; imported on the first record."""
    from tools.trace import describe_args
    return describe_args(t, row, args)


def run(opts: RunOptions) -> int:
    from loader.elf import NotExecutable
    from vkernel.audit import AuditLog
    from vkernel.abi import ERRNO_MESSAGE
    from vkernel.errors import SyscallError
    from vkernel.memory import WXViolation
    from vkernel.kernel import Kernel, KernelBug, KernelConfig, Volume
    from vkernel.policy import PolicyError, default_policy, load
    from vkernel.policy.seccomp import load_profile
    from vkernel.task import shell_status

    try:   # a bad manifest or profile: refuse to start, never run with half a policy
        policy = load(opts.policy) if opts.policy else default_policy()
        if opts.seccomp:
            policy.syscalls = load_profile(opts.seccomp)[0]
    except PolicyError as exc:
        print(f"vkemu: {exc}", file=sys.stderr)
        return EXIT_USAGE

    try:
        with open(opts.program, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        print(f"vkemu: {opts.program}: No such file or directory", file=sys.stderr)
        return EXIT_NOTFOUND
    except IsADirectoryError:
        print(f"vkemu: {opts.program}: Is a directory", file=sys.stderr)
        return EXIT_NOEXEC
    except PermissionError:
        print(f"vkemu: {opts.program}: Permission denied", file=sys.stderr)
        return EXIT_NOEXEC

    trace_stream = _open_out(opts.trace)
    json_stream = _open_out(opts.trace_json)
    audit_stream = _open_out(opts.audit)
    tracer = None
    if trace_stream is not None or json_stream is not None:
        from tools.trace import Tracer
    if trace_stream is not None:
        tracer = Tracer(trace_stream)
    elif json_stream is not None:
        tracer = Tracer(json_stream, as_json=True)
    alert = None
    if opts.alert:
        from tools.policy_cli import alert_command   # rich and cryptography only when asked for
        alert = alert_command(opts.alert)
    audit = AuditLog(policy.container, audit_stream, alert,
                     opts.alert_severity)
    config = KernelConfig(volumes=[Volume(h, g, ro) for h, g, ro in opts.volumes], strict=opts.strict,
                          tracer=tracer, audit=audit, policy=policy, describe_args=_describe_args)
    try:
        try:
            kernel = Kernel(config)
        except PolicyError as exc:
            print(f"vkemu: {exc}", file=sys.stderr)
            return EXIT_USAGE
        exe = os.fsencode(opts.program)
        argv = [exe] + [os.fsencode(a) for a in opts.args]
        envp = [os.fsencode(f"{k}={v}") for k, v in os.environ.items()]
        try:
            kernel.spawn(data, exe, argv, envp, attested=True, cwd=os.fsencode(os.getcwd()))
        except NotExecutable as exc:
            print(f"vkemu: {opts.program}: cannot run: {exc}", file=sys.stderr)
            return EXIT_NOEXEC
        except WXViolation as exc:
            print(f"vkemu: {opts.program}: refused: {exc.reason} (W^X; see the audit log)", file=sys.stderr)
            return EXIT_NOEXEC
        except SyscallError as exc:
            print(f"vkemu: {opts.program}: cannot run: {ERRNO_MESSAGE.get(exc.errno, exc)}", file=sys.stderr)
            return EXIT_NOEXEC
        with forward_host_signals(kernel):
            result = kernel.run()
    except KernelBug as exc:
        print(f"vkemu: internal error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        for stream in (trace_stream, json_stream, audit_stream):
            if stream is not None and stream is not sys.stderr:
                stream.close()
    if result.deadlock is not None:
        print(f"vkemu: {opts.program}: deadlock: every thread waits forever", file=sys.stderr)
        for line in result.deadlock:
            print(f"vkemu:   {line}", file=sys.stderr)
        return EXIT_DEADLOCK
    if result.crash:
        print(f"vkemu: {opts.program}: {result.crash}", file=sys.stderr)
    return shell_status(result.wait_status)


# Signals a terminal or supervisor sends that the guest should receive instead of vkemu.
FORWARDED_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}


@contextlib.contextmanager
def forward_host_signals(kernel):
    """Block the forwarded signals in every vkemu thread and take them with sigwait in a
    helper thread, which hands them to the kernel (which stops the emulator at once,
    even in the middle of guest code that makes no syscalls)."""
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, FORWARDED_SIGNALS)
    stop = threading.Event()

    def watch() -> None:
        while True:
            sig = signal.sigwait(FORWARDED_SIGNALS)
            if stop.is_set():
                return
            kernel.post_host_signal(sig)

    watcher = threading.Thread(target=watch, name="vkemu-signals", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        # Wake the watcher with one of its own signals; it sees ``stop`` and returns.
        stop.set()
        signal.pthread_kill(watcher.ident, signal.SIGHUP)  # type: ignore[arg-type]
        watcher.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def print_syscalls(markdown: bool) -> int:
    from tools.syscall_docs import render_markdown, render_terminal
    if markdown:
        sys.stdout.write(render_markdown())
    else:
        render_terminal()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "syscalls":
            extra = argv[1:]
            if extra not in ([], ["--markdown"]):
                raise UsageError("usage: vkemu syscalls [--markdown]")
            return print_syscalls(bool(extra))
        if argv and argv[0] == "bench":
            from tools import bench
            return bench.main(argv[1:])
        if argv and argv[0] == "fuzz":
            from tools.fuzz import cli as fuzz_cli
            return fuzz_cli.main(argv[1:])
        if argv and argv[0] in ("policy", "keygen", "sign", "verify"):
            from tools import policy_cli
            return policy_cli.main(argv[0], argv[1:])
        if argv and argv[0] == "run":
            argv = argv[1:]
        return run(parse_run(argv))
    except UsageError as exc:
        if str(exc):
            print(f"vkemu: {exc}", file=sys.stderr)
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return EXIT_USAGE if str(exc) else 0


if __name__ == "__main__":
    sys.exit(main())
