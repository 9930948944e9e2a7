"""vkemu's policy and attestation subcommands.

  vkemu policy check FILE            validate a manifest and print what it allows
  vkemu policy show                  print the default policy (TOML)
  vkemu policy import-seccomp FILE   a Docker/OCI seccomp profile as manifest TOML
  vkemu keygen -o KEY                Ed25519 key pair: KEY (private PEM) and KEY.pub
  vkemu sign --key KEY FILES... -o MANIFEST
                                     a signed manifest of the files' sha256 digests
  vkemu verify MANIFEST [FILES...] [--key PUB]...
                                     check the signature (and that it is by PUB), and
                                     that each FILE's digest is listed
Exit status: 0 when all is well, 1 when a verification fails, 2 for bad input.
"""
from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Callable

from rich.console import Console
from rich.table import Table

from loader import attest
from vkernel.policy import DEFAULT_POLICY_TOML, Policy, PolicyError, load, to_toml
from vkernel.policy.enforce import compile_table
from vkernel.policy.seccomp import load_profile
from vkernel.syscalls.table import TABLE

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ALERT_TIMEOUT = 10.0     # one run of the --alert command
ALERT_QUEUE = 256        # records waiting for it; more are dropped
ALERT_DRAIN = 5.0        # at exit


class CliError(Exception):
    """Bad arguments or unusable input: printed as one line, exit 2."""


def _fmt_size(n: int | None) -> str:
    if n is None:
        return "unlimited"
    for unit, scale in (("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n % scale == 0:
            return f"{n // scale}{unit}"
    return str(n)


def render_policy(policy: Policy, console: Console) -> None:
    """What a validated policy allows, as rich tables."""
    table = compile_table(policy.syscalls, len(TABLE))
    plain = sum(1 for d in table if not d.conditional and d.action.kind == "allow")
    conditional = sum(1 for d in table if d.conditional)
    console.print(f"[bold]{policy.source}[/]: container [bold]{policy.container}[/], "
                  f"{plain} of {len(table)} syscalls allowed outright, {conditional} decided by arguments, "
                  f"default action: [bold]{policy.syscalls.default}[/]")
    rules = Table(title="syscall rules (the most restrictive matching rule wins)")
    for col in ("rule", "syscalls", "when", "action"):
        rules.add_column(col)
    for rule in policy.syscalls.rules:
        names = ", ".join(rule.names[:12]) + (f", … ({len(rule.names)} in all)" if len(rule.names) > 12 else "")
        rules.add_row(rule.label, names, " and ".join(str(c) for c in rule.args) or "always", str(rule.action))
    rules.add_row("default_action", "any other", "always", str(policy.syscalls.default))
    console.print(rules)
    other = Table(title="files, network, quotas, trust", show_header=False)
    other.add_column("what")
    other.add_column("value")
    for m in policy.mounts:
        other.add_row(f"mount {m.guest}", f"{m.host} ({'ro' if m.readonly else 'rw'}{', noexec' if m.noexec else ''})")
    other.add_row("symlinks", {"follow": "follow (inside the container's root)",
                               "refuse-outside": "refuse-outside (EACCES for a link to another mount)",
                               "refuse": "refuse (ELOOP for links in the container's files; "
                                         "/proc and /dev links as refuse-outside)"}[policy.symlinks])
    net = policy.network
    if net.backend == "none":
        other.add_row("network", "backend none: AF_UNIX only (inet sockets: EAFNOSUPPORT)")
    else:
        other.add_row("network", f"backend {net.backend}; egress {', '.join(map(str, net.egress)) or 'none'} "
                                 f"(else ENETUNREACH); bind {', '.join(map(str, net.bind)) or 'none'} (else EADDRNOTAVAIL, or EACCES for the port)")
    q = policy.quotas
    other.add_row("quotas", f"processes {q.processes}, threads {q.threads}, open files {q.open_files}, "
                            f"memory {_fmt_size(q.memory)}, file size {_fmt_size(q.file_size)}, "
                            f"writable layers {_fmt_size(q.writable_bytes)}, CPU "
                            f"{f'{q.cpu_seconds:g} s' if q.cpu_seconds is not None else 'unlimited'}")
    trust = policy.trust
    keys = [k.path + (f" (not after {k.not_after.isoformat()})" if k.not_after else "") for k in trust.keys]
    other.add_row("trust", ("required" if trust.required else "not required")
                  + f"; keys: {', '.join(keys) or 'none'}; revoked: {', '.join(trust.revoked) or 'none'}; "
                  + f"manifests: {', '.join(trust.manifests) or 'none'}")
    console.print(other)


def _policy(argv: list[str]) -> int:
    if argv == ["show"]:
        sys.stdout.write(DEFAULT_POLICY_TOML)
        return EXIT_OK
    if len(argv) == 2 and argv[0] == "check":
        policy = load(argv[1])
        if policy.trust.required:
            from vkernel.policy.trust import TrustedDigests
            TrustedDigests(policy.trust)          # keys and manifests must verify too
        render_policy(policy, Console())
        return EXIT_OK
    if len(argv) == 2 and argv[0] == "import-seccomp":
        syscalls, skipped = load_profile(argv[1])
        header = [f"Converted from the seccomp profile {argv[1]} by `vkemu policy import-seccomp`.",
                  "Conditions for other architectures and for capabilities beyond Docker's default set were",
                  "evaluated for x86-64 and dropped (see vkernel/policy/seccomp.py)."]
        if skipped:
            header += ["Names that are not x86-64 syscalls, skipped:", " ".join(skipped)]
        sys.stdout.write(to_toml(Policy(syscalls=syscalls), header))
        return EXIT_OK
    raise CliError("usage: vkemu policy check FILE | show | import-seccomp FILE")


def _take(argv: list[str], flag: str) -> tuple[list[str], list[str]]:
    """Remove every ``flag VALUE`` from argv: (values, the rest)."""
    values, rest, i = [], [], 0
    while i < len(argv):
        if argv[i] == flag:
            if i + 1 >= len(argv):
                raise CliError(f"{flag} needs a value")
            values.append(argv[i + 1])
            i += 2
        else:
            rest.append(argv[i])
            i += 1
    return values, rest


def _keygen(argv: list[str]) -> int:
    out, rest = _take(argv, "-o")
    if len(out) != 1 or rest:
        raise CliError("usage: vkemu keygen -o KEY")
    print(f"key {attest.keygen(out[0])}: private key {out[0]}, public key {out[0]}.pub")
    return EXIT_OK


def _sign(argv: list[str]) -> int:
    key, rest = _take(argv, "--key")
    out, files = _take(rest, "-o")
    if len(key) != 1 or len(out) != 1 or not files:
        raise CliError("usage: vkemu sign --key KEY FILES... -o MANIFEST")
    try:
        doc = attest.sign(attest.load_private_key(key[0]), files)
    except OSError as exc:
        raise CliError(f"{exc.filename}: {exc.strerror}") from None
    with open(out[0], "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"signed {len(files)} file(s) with key {doc['signer']}: {out[0]}")
    return EXIT_OK


def _verify(argv: list[str]) -> int:
    keys, rest = _take(argv, "--key")
    if not rest:
        raise CliError("usage: vkemu verify MANIFEST [FILES...] [--key PUB]...")
    trusted = [attest.load_public_key(k) for k in keys] if keys else None
    try:
        manifest = attest.load_manifest(rest[0], trusted)
    except attest.AttestationError as exc:
        print(f"vkemu: verify: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{rest[0]}: good signature by key {manifest.signer} ({manifest.time}), "
          f"{len(manifest.artifacts)} artifact(s)")
    status = EXIT_OK
    for path in rest[1:]:
        try:
            digest = attest.sha256_file(path)
        except OSError as exc:
            raise CliError(f"{path}: {exc.strerror}") from None
        if digest in manifest.artifacts:
            print(f"{path}: OK ({manifest.artifacts[digest]})")
        else:
            print(f"{path}: FAILED: sha256 {digest} is not in the manifest")
            status = EXIT_FAILED
    return status


COMMANDS: dict[str, Callable[[list[str]], int]] = {"policy": _policy, "keygen": _keygen, "sign": _sign,
                                                   "verify": _verify}


def main(command: str, argv: list[str]) -> int:
    try:
        return COMMANDS[command](argv)
    except (CliError, PolicyError, attest.AttestationError) as exc:
        print(f"vkemu: {exc}", file=sys.stderr)
        return EXIT_USAGE


class AlertCommand:
    """``--alert CMD``: CMD runs (sh -c) once per record, the record as one JSON line on
    its stdin, in order, on a worker thread.  The kernel only queues a record, so a slow
    or stuck command never holds the guest: a run is killed after ALERT_TIMEOUT, and
    when ALERT_QUEUE records wait, newer ones are dropped (counted).  The first failure
    (cannot start, non-zero exit, timeout) is reported on stderr, later ones are not.
    At exit, close() gives the queue ALERT_DRAIN seconds to empty."""

    def __init__(self, cmd: str) -> None:
        self.cmd = cmd
        self.queue: queue.Queue[dict | None] = queue.Queue(ALERT_QUEUE)
        self.dropped = 0
        self.failed = False
        self.worker = threading.Thread(target=self._work, name="vkemu-alert", daemon=True)
        self.worker.start()

    def __call__(self, record: dict) -> None:
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1

    def _work(self) -> None:
        while (record := self.queue.get()) is not None:
            try:
                done = subprocess.run(self.cmd, shell=True, input=json.dumps(record) + "\n", text=True,
                                      timeout=ALERT_TIMEOUT, check=False, stdout=subprocess.DEVNULL)
                problem = f"exit status {done.returncode}" if done.returncode else None
            except subprocess.TimeoutExpired:
                problem = f"still running after {ALERT_TIMEOUT:g} s (killed)"
            except OSError as exc:
                problem = exc.strerror or str(exc)
            if problem is not None and not self.failed:
                self.failed = True
                print(f"vkemu: --alert {self.cmd!r} failed: {problem} (further failures are not reported)",
                      file=sys.stderr)

    def close(self) -> None:
        """Deliver what is queued, waiting ALERT_DRAIN seconds at most."""
        try:
            self.queue.put(None, timeout=ALERT_DRAIN)
        except queue.Full:
            pass
        self.worker.join(ALERT_DRAIN)
        lost = self.dropped + (self.queue.qsize() if self.worker.is_alive() else 0)
        if lost:
            print(f"vkemu: --alert {self.cmd!r}: {lost} record(s) not delivered", file=sys.stderr)
