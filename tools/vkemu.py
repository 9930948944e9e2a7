"""vkemu: run an x86-64 Linux program inside vkernel.

Usage:
  vkemu [OPTIONS] PROGRAM [ARGS...]     (also: vkemu run [OPTIONS] PROGRAM [ARGS...])
  vkemu syscalls [--markdown]           print the syscall table
  vkemu record -o FILE [OPTIONS] PROGRAM [ARGS...]
                                        run PROGRAM and record the run into FILE
  vkemu replay [--check] [-q] [--trace[=FILE]] [--program PATH] [--gdb HOST:PORT] FILE
                                        re-run a recording, offline (see tools/record.py);
                                        --gdb: debug it with gdb, backwards too
  vkemu stats FILE                      syscall counts of a recording, like strace -c
  vkemu bench [BENCH OPTIONS]           run the benchmarks
  vkemu fuzz [FUZZ OPTIONS]             fuzz the syscall surface (see tools/fuzz/cli.py)
  vkemu policy check FILE | show | import-seccomp FILE
  vkemu keygen -o KEY | sign --key KEY FILES... -o MANIFEST | verify MANIFEST [FILES...]
                                        (see tools/policy_cli.py)

Options:
  --trace[=FILE]         strace-style line per syscall, to stderr or FILE
  --trace-json=FILE      the same as JSON lines
  -v HOST:GUEST[:ro|rw]  mount a host directory (read-only unless :rw)
  --root DIR             DIR is the container's root filesystem (read-only) instead
                         of the host's /; PROGRAM itself is still read from the host
  --layer DIR|TAR        a read-only image layer over the root (a directory or a tar
                         file, plain or compressed; OCI whiteouts .wh.NAME and
                         .wh..wh..opq honoured); repeatable, the last one on top
  --upper DIR            keep the writable layer in host directory DIR (it survives
                         the run; deletions are recorded as .wh.NAME files)
  --seed N               randomise the PIE, mmap (ld.so), stack and brk bases from
                         seed N (the same N, the same layout); default: no
                         randomisation, as `setarch -R`
  --policy FILE          run under a container manifest (TOML; `vkemu policy show`
                         prints the default one)
  --seccomp FILE         a Docker/OCI seccomp profile (JSON) replaces the policy's
                         syscall rules
  --net MODE             the container's network, over the policy's [network]:
                         loopback (the default: host sockets, loopback only),
                         host (host sockets, any destination), vnet (an in-kernel
                         loopback network: no host socket, deterministic), none
                         (AF_UNIX only)
  --audit FILE           write audit records (JSON lines) to FILE
  --alert CMD            run CMD (sh -c) with each audit record of at least
                         --alert-severity on stdin, as JSON
  --alert-severity S     info, low, medium or high (default high).  Severities:
                         high = refusals and kills (policy errno/trap/kill, W^X,
                         attestation), kernel bugs; medium = crashes, deadlocks;
                         low = policy "log", host signals; info = ENOSYS
  --stats                at exit, the container's resource use against its quotas,
                         on stderr
  --strict               a kernel bug (exception in a handler) aborts the run
  --gdb HOST:PORT        serve the GDB remote protocol there and wait for gdb
                         (`target remote HOST:PORT`) before the first instruction;
                         port 0 picks a free port (printed on stderr)
  -h, --help             this text

Exit status: the program's own; 128+N if it died of signal N; 127 if PROGRAM does not
exist; 126 if it cannot be run (not an x86-64 ELF, or refused by policy); 124 if every
thread waits forever (the waits are listed); 2 for bad options (and for an unusable
--layer, such as a tarball past the policy's layer_bytes, and for a truncated, corrupt
or incompatible recording); 125 when a replay leaves its recording; 70 for an
internal vkernel error.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from typing import IO, Any

EXIT_USAGE = 2
EXIT_NOEXEC = 126
EXIT_NOTFOUND = 127
EXIT_INTERNAL = 70
EXIT_DEADLOCK = 124
EXIT_DIVERGED = 125

SUBCOMMANDS = ("run", "syscalls", "bench", "policy", "keygen", "sign", "verify", "fuzz", "record", "replay", "stats",
               "tui")


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
    stats: bool = False
    gdb: str | None = None            # HOST:PORT
    root: str = "/"
    layers: list[str] = field(default_factory=list)
    upper: str | None = None
    seed: int | None = None
    net: str | None = None            # loopback, host, vnet or none


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
        elif arg == "--stats":
            opts.stats = True
        elif arg.split("=", 1)[0] in ("--root", "--upper"):
            name = arg.split("=", 1)[0]
            value, i = _take_value(argv, i, "DIR")
            if not os.path.isdir(value):
                raise UsageError(f"{name}: {value} is not a directory")
            setattr(opts, name[2:], os.path.abspath(value))
        elif arg.split("=", 1)[0] == "--layer":
            value, i = _take_value(argv, i, "DIR|TAR")
            if not os.path.exists(value):
                raise UsageError(f"--layer: {value}: No such file or directory")
            opts.layers.append(os.path.abspath(value))
        elif arg.split("=", 1)[0] == "--seed":
            value, i = _take_value(argv, i, "N")
            try:
                opts.seed = int(value, 0)
            except ValueError:
                raise UsageError(f"--seed: {value!r} is not an integer") from None
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
           "--alert": ("alert", "CMD"), "--alert-severity": ("alert_severity", "LEVEL"),
           "--gdb": ("gdb", "HOST:PORT"), "--net": ("net", "MODE")}


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


def _apply_net(policy: Any, mode: str) -> None:
    """--net: the network backend and rules, replacing the policy's [network]."""
    import ipaddress

    from vkernel.policy.manifest import NetRule, NetworkPolicy
    everywhere = [NetRule(ipaddress.ip_network("0.0.0.0/0"), (0, 65535)),
                  NetRule(ipaddress.ip_network("::/0"), (0, 65535))]
    modes = {"loopback": lambda: NetworkPolicy("host"), "vnet": lambda: NetworkPolicy("vnet"),
             "none": lambda: NetworkPolicy("none", [], []),
             "host": lambda: NetworkPolicy("host", list(everywhere), list(everywhere))}
    if mode not in modes:
        raise UsageError(f"bad --net {mode!r}: expected loopback, host, vnet or none")
    policy.network = modes[mode]()


def _describe_args(t, row, args):  # type: ignore[no-untyped-def]
    """Audit records decode arguments like the trace; imported on the first record."""
    from tools.trace import describe_args
    return describe_args(t, row, args)


def run(opts: RunOptions, session: Any = None) -> int:
    """Run the program; ``session`` (tools/record.py) records the run or replays one."""
    from loader.elf import NotExecutable
    from vkernel.audit import AuditLog
    from vkernel.abi import ERRNO_MESSAGE
    from vkernel.errors import SyscallError
    from vkernel.memory import WXViolation
    from vkernel.kernel import Kernel, KernelBug, KernelConfig, Volume
    from vkernel.policy import PolicyError, default_policy, load
    from vkernel.policy.seccomp import load_profile
    from vkernel.task import shell_status
    from vkernel.vfs.layers import LayerError

    try:   # a bad manifest or profile: refuse to start, never run with half a policy
        policy = load(opts.policy) if opts.policy else default_policy()
        if opts.seccomp:
            policy.syscalls = load_profile(opts.seccomp)[0]
        if opts.net is not None:
            _apply_net(policy, opts.net)
    except PolicyError as exc:
        print(f"vkemu: {exc}", file=sys.stderr)
        return EXIT_USAGE

    try:
        if session is not None and session.replaying:
            policy, data = session.policy, session.launch.data
        else:
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
        from tools.policy_cli import AlertCommand   # rich and cryptography only when asked for
        alert = AlertCommand(opts.alert)
    audit = AuditLog(policy.container, audit_stream, alert,
                     opts.alert_severity)
    config = KernelConfig(volumes=[Volume(h, g, ro) for h, g, ro in opts.volumes], strict=opts.strict,
                          host_root=opts.root, layers=opts.layers, upper=opts.upper, aslr_seed=opts.seed,
                          warn=lambda message: print(f"vkemu: warning: {message}", file=sys.stderr),
                          tracer=tracer, audit=audit, policy=policy, describe_args=_describe_args)
    if session is not None:
        session.configure(config)
    from vkernel.sources import SourceStop
    try:
        try:
            kernel = Kernel(config, session.sources if session is not None else None)
        except (PolicyError, LayerError) as exc:
            print(f"vkemu: {exc}", file=sys.stderr)
            return EXIT_USAGE
        exe = os.fsencode(opts.program)
        argv = [exe] + [os.fsencode(a) for a in opts.args]
        envp = [os.fsencode(f"{k}={v}") for k, v in os.environ.items()]
        cwd = os.fsencode(os.getcwd())
        if session is not None:
            exe, argv, envp, cwd = session.begin(opts, kernel, data, exe, argv, envp, cwd)
        try:
            kernel.spawn(data, exe, argv, envp, attested=True, cwd=cwd)
        except NotExecutable as exc:
            print(f"vkemu: {opts.program}: cannot run: {exc}", file=sys.stderr)
            return EXIT_NOEXEC
        except WXViolation as exc:
            print(f"vkemu: {opts.program}: refused: {exc.reason} (W^X; see the audit log)", file=sys.stderr)
            return EXIT_NOEXEC
        except SyscallError as exc:
            print(f"vkemu: {opts.program}: cannot run: {ERRNO_MESSAGE.get(exc.errno, exc)}", file=sys.stderr)
            return EXIT_NOEXEC
        debugger = None
        if opts.gdb is not None:
            debugger = _wait_for_gdb(kernel, opts.gdb)
            if debugger is None:
                return EXIT_USAGE
        with forward_host_signals(kernel):
            result = kernel.run()
        if opts.stats:
            for what, value in kernel.quota.usage().items():
                print(f"vkemu: {what:<15} {value}", file=sys.stderr)
        if debugger is not None:
            debugger.exited(result.wait_status)
        if session is not None:
            session.finish(result.wait_status)
    except KernelBug as exc:
        print(f"vkemu: internal error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except SourceStop as exc:          # a replay that left its recording, or was interrupted
        print(f"vkemu: {exc}", file=sys.stderr)
        return getattr(exc, "exit_status", EXIT_DIVERGED)
    finally:
        if session is not None:
            session.close()
        for stream in (trace_stream, json_stream, audit_stream):
            if stream is not None and stream is not sys.stderr:
                stream.close()
        if alert is not None:
            alert.close()
    if result.deadlock is not None:
        print(f"vkemu: {opts.program}: deadlock: every thread waits forever", file=sys.stderr)
        for line in result.deadlock:
            print(f"vkemu:   {line}", file=sys.stderr)
        return EXIT_DEADLOCK
    if result.crash:
        print(f"vkemu: {opts.program}: {result.crash}", file=sys.stderr)
    return shell_status(result.wait_status)


def _wait_for_gdb(kernel, spec: str):  # type: ignore[no-untyped-def]
    """Listen on HOST:PORT and block until gdb connects (None: cannot listen there)."""
    from tools import gdbstub
    try:
        server = gdbstub.listen(spec)
    except (ValueError, OSError) as exc:
        print(f"vkemu: --gdb {spec}: {exc}", file=sys.stderr)
        return None
    host, port = server.getsockname()[:2]
    print(f"vkemu: waiting for gdb on {host}:{port}", file=sys.stderr, flush=True)
    return gdbstub.attach(kernel, server)


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
        if argv and argv[0] == "tui":
            from tools import tui
            return tui.main(argv[1:])
        if argv and argv[0] in ("record", "replay", "stats"):
            from tools import record
            return record.main(argv[0], argv[1:])
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
