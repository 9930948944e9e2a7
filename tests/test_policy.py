"""The security policy: manifest validation, syscall rules at the choke point, Docker
seccomp profiles, quotas, attestation (keygen/sign/verify and trust.required), alerts."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import program, read_audit, run_native, run_vkemu
from vkernel.policy import PolicyError, default_policy, parse
from vkernel.policy.manifest import line_of
from vkernel.policy.seccomp import load_profile

SECCOMP = Path("/work/shared/data/seccomp")
DOCKER = SECCOMP / "docker-default.json"
EACCES, EPERM = 13, 1
SIGSYS_STATUS = 128 + 31


def cli(args: list[str]):
    """A vkemu subcommand (no --strict: that is a run option)."""
    return run_vkemu(args, strict=False)


def write(tmp_path: Path, text: str, name: str = "container.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- manifest validation ------------------------------------------------------------------------

BAD = [
    ('[container]\nname = "x"\n[syscalls]\ndefault_action = "deny"\n', 4, "syscalls.default_action", "not one of"),
    ('[syscalls]\n\n[[syscalls.rule]]\nnames = ["mkdir"]\naction = "allow"\n\n[[syscalls.rule]]\n'
     'names = ["mkdir", "frobnicate"]\naction = "errno"\n', 8, "syscalls.rule[1].names[1]", "unknown x86-64 syscall"),
    ('[[syscalls.rule]]\nnames = ["socket"]\naction = "allow"\nargs = [{ index = 0, op = "almost", value = 1 }]\n',
     4, "syscalls.rule[0].args[0].op", "not one of"),
    ('[[syscalls.rule]]\nnames = ["socket"]\naction = "errno"\nerrno = "ENOTANERRNO"\n', 4,
     "syscalls.rule[0].errno", "not an errno"),
    ('[quotas]\nprocesses = 10\nthreads = "many"\n', 3, "quotas.threads", "expected int"),
    ('[quotas]\nmemory = "lots"\n', 2, "quotas.memory", "not a size"),
    ('[network]\nbackend = "host"\negress = ["10.0.0.0/8:443", "300.1.1.1:80"]\n', 3, "network.egress[1]", "300.1.1.1"),
    ('[files]\nsymlinks = "sometimes"\n', 2, "files.symlinks", "not one of"),
    ('[container]\nname = "a"\ncolour = "red"\n', 3, "container.colour", "unknown key"),
    ('[[mounts]]\nhost = "/nonexistent-dir"\nguest = "/data"\n', 2, "mounts[0].host", "not a directory"),
    ('[trust]\nrequired = true\n', 2, "trust.required", "no keys"),
    ('[syscalls\n', 1, "", "not valid TOML"),
]


@pytest.mark.parametrize("text,line,key,why", BAD, ids=[b[2] or "toml" for b in BAD])
def test_manifest_errors_name_key_and_line(text: str, line: int, key: str, why: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse(text, "c.toml")
    message = str(err.value)
    assert message.startswith(f"c.toml:{line}: {key}"), message
    assert why in message


def test_line_of_finds_nth_array_table() -> None:
    text = '[[syscalls.rule]]\nnames = ["a"]\n\n[[syscalls.rule]]\nnames = ["b"]\naction = "log"\n'
    assert line_of(text, ("syscalls", "rule", 1, "action")) == 6
    assert line_of(text, ("syscalls", "rule", 0, "names")) == 2


def test_default_policy_parses_and_denies_code_paths() -> None:
    policy = default_policy()
    assert policy.syscalls.default.kind == "allow"
    denied = {n for r in policy.syscalls.rules for n in r.names}
    assert {"ptrace", "process_vm_writev", "io_uring_setup"} <= denied


def test_bad_manifest_refuses_to_start(tmp_path: Path) -> None:
    path = write(tmp_path, '[syscalls]\ndefault_action = "allow"\nbogus = 1\n')
    res = run_vkemu(["--policy", str(path), program("hello_args")])
    assert res.returncode == 2
    assert f"{path}:3: syscalls.bogus: unknown key".encode() in res.stderr


# -- syscall rules at the choke point -------------------------------------------------------------

RULES = """
[container]
name = "probe"

[syscalls]
default_action = "allow"

[[syscalls.rule]]
names = ["mkdir"]
action = "errno"
errno = "EPERM"

[[syscalls.rule]]
# socket only for AF_UNIX (1): any other domain is refused
names = ["socket"]
action = "errno"
errno = "EACCES"
args = [{ index = 0, op = "ne", value = 1 }]

[[syscalls.rule]]
names = ["getppid"]
action = "trap"
"""


def test_rules_deny_allow_by_argument_and_trap(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--policy", str(write(tmp_path, RULES)), "--audit", str(audit),
                     program("policy_probe"), "mkdir", "unix", "inet", "trap"])
    lines = res.stdout.decode().splitlines()
    assert res.returncode == 0, res.stderr
    assert lines[0] == f"mkdir: -1 errno={EPERM}"
    assert lines[1] != f"unix: -1 errno={EACCES}"        # AF_UNIX reaches the socket handler
    assert lines[2] == f"inet: -1 errno={EACCES}"
    # SECCOMP_RET_TRAP: SIGSYS with SYS_SECCOMP, si_syscall, AUDIT_ARCH_X86_64; RAX keeps the number.
    assert lines[3] == "SIGSYS sig=31 code=1 syscall=110 arch=0xc000003e errno=0"
    assert lines[4:] == ["trap: returned 110", "done"]
    records = [r for r in read_audit(audit) if "rule" in r]       # (not the ENOSYS of an unimplemented call)
    assert [(r["syscall"], r["action"], r["rule"]) for r in records] == [
        ("mkdir", "errno", "syscalls.rule[0]"), ("socket", "errno", "syscalls.rule[1]"),
        ("getppid", "trap", "syscalls.rule[2]")]
    first = records[0]
    assert first["container"] == "probe" and first["pid"] == 1 and first["tid"] == 1
    assert first["severity"] == "high" and first["args"]["args"] == ['"/tmp/policy_dir"', "0755"]


@pytest.mark.parametrize("action", ["trap", "kill-process", "kill-thread"])
def test_fatal_actions_end_with_sigsys(tmp_path: Path, action: str) -> None:
    text = f'[[syscalls.rule]]\nnames = ["socket"]\naction = "{action}"\n'
    res = run_vkemu(["--policy", str(write(tmp_path, text)), program("policy_probe"), "mkdir", "inet"])
    assert res.returncode == SIGSYS_STATUS
    assert res.stdout.decode().splitlines() == ["mkdir: ok"]


def test_log_action_runs_the_call_and_audits(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    text = '[[syscalls.rule]]\nnames = ["mkdir"]\naction = "log"\n'
    res = run_vkemu(["--policy", str(write(tmp_path, text)), "--audit", str(audit), program("policy_probe"), "mkdir"])
    assert res.stdout.decode().splitlines() == ["mkdir: ok", "done"]
    assert [(r["action"], r["severity"]) for r in read_audit(audit)] == [("log", "low")]


def test_alert_command_gets_high_severity_records(tmp_path: Path) -> None:
    alerts = tmp_path / "alerts"
    text = '[[syscalls.rule]]\nnames = ["mkdir"]\naction = "errno"\n'
    res = run_vkemu(["--policy", str(write(tmp_path, text)), "--alert", f"cat >> {alerts}",
                     program("policy_probe"), "mkdir"])
    assert res.returncode == 0
    record = json.loads(alerts.read_text())
    assert record["syscall"] == "mkdir" and record["action"] == "errno"


# -- Docker seccomp profiles ----------------------------------------------------------------------

def test_docker_profile_imports() -> None:
    policy, skipped = load_profile(str(DOCKER))
    assert policy.default.kind == "errno" and policy.default.errno == EPERM
    names = {n for r in policy.rules for n in r.names}
    assert {"read", "mmap", "arch_prctl", "chroot"} <= names      # amd64 and default-cap rules kept
    assert "fcntl64" in skipped                                      # not an x86-64 name
    assert not names & {"s390_pci_mmio_read", "mount", "bpf"}          # other arches, CAP_SYS_ADMIN: dropped
    clone3 = [r for r in policy.rules if r.names == ("clone3",)]
    assert clone3 and clone3[0].action.errno == 38                 # glibc then falls back to clone


def test_docker_profile_runs_a_program_and_round_trips(tmp_path: Path) -> None:
    exe = program("policy_probe")
    direct = run_vkemu(["--seccomp", str(DOCKER), exe, "mkdir", "unix"])
    assert direct.returncode == 0, direct.stderr
    lines = direct.stdout.decode().splitlines()
    assert lines[0] == "mkdir: ok" and lines[1] != f"unix: -1 errno={EPERM}" and lines[2] == "done"
    converted = cli(["policy", "import-seccomp", str(DOCKER)])
    assert converted.returncode == 0
    toml = write(tmp_path, converted.stdout.decode())
    assert parse(toml.read_text()).syscalls.rules
    res = run_vkemu(["--policy", str(toml), "/bin/busybox", "sh", "-c", "echo hi | cat"])
    assert (res.returncode, res.stdout) == (0, b"hi\n")


def test_example_profile_masked_eq_and_errno() -> None:
    policy, _ = load_profile(str(SECCOMP / "example.json"))
    clone = next(r for r in policy.rules if r.names == ("clone",))
    assert clone.args[0].mask == 2114060288 and clone.args[0].value == 0
    assert next(r for r in policy.rules if r.names == ("syslog",)).action.errno == 4095   # capped at MAX_ERRNO


def test_noexec_mount_refuses_exec(tmp_path: Path) -> None:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "busybox").write_bytes(Path("/bin/busybox").read_bytes())
    (bindir / "busybox").chmod(0o755)
    path = write(tmp_path, f'[[mounts]]\nhost = "{bindir}"\nguest = "/nx"\nnoexec = true\n')
    res = run_vkemu(["--policy", str(path), "/bin/busybox", "sh", "-c", "/nx/busybox true; echo $?"])
    assert res.stdout == b"126\n" and b"Permission denied" in res.stderr


# -- quotas ----------------------------------------------------------------------------------------

def test_quotas_limit_processes_and_open_files(tmp_path: Path) -> None:
    path = write(tmp_path, "[quotas]\nprocesses = 1\nopen_files = 64\n")
    res = run_vkemu(["--policy", str(path), "/bin/busybox", "sh", "-c", "ulimit -Hn; ulimit -n 100; echo $?; /bin/true; echo $?"])
    assert res.stdout.decode().splitlines() == ["64", "1"]         # the quota is a hard limit
    assert b"Operation not permitted" in res.stderr
    assert b"can't fork: Resource temporarily unavailable" in res.stderr


# -- attestation -----------------------------------------------------------------------------------

def test_keygen_sign_verify_round_trip(tmp_path: Path) -> None:
    key = tmp_path / "k"
    artifact = tmp_path / "blob"
    artifact.write_bytes(b"attested bytes")
    assert cli(["keygen", "-o", str(key)]).returncode == 0
    assert (key.stat().st_mode & 0o777) == 0o600 and Path(f"{key}.pub").exists()
    manifest = tmp_path / "m.json"
    assert cli(["sign", "--key", str(key), str(artifact), "-o", str(manifest)]).returncode == 0
    ok = cli(["verify", str(manifest), str(artifact), "--key", f"{key}.pub"])
    assert ok.returncode == 0 and b"OK" in ok.stdout
    artifact.write_bytes(b"attested bytez")                       # tampered artifact
    assert cli(["verify", str(manifest), str(artifact)]).returncode == 1
    doc = json.loads(manifest.read_text())
    doc["artifacts"][0]["sha256"] = "0" * 64                      # tampered manifest
    manifest.write_text(json.dumps(doc))
    bad = cli(["verify", str(manifest)])
    assert bad.returncode == 1 and b"bad signature" in bad.stderr
    other = tmp_path / "other"
    cli(["keygen", "-o", str(other)])
    cli(["sign", "--key", str(key), str(artifact), "-o", str(manifest)])
    wrong = cli(["verify", str(manifest), "--key", f"{other}.pub"])
    assert wrong.returncode == 1 and b"not trusted" in wrong.stderr


def _trust_policy(tmp_path: Path, files: list[str]) -> Path:
    key = tmp_path / "k"
    if not key.exists():
        assert cli(["keygen", "-o", str(key)]).returncode == 0
    manifest = tmp_path / "m.json"
    assert cli(["sign", "--key", str(key), *files, "-o", str(manifest)]).returncode == 0
    return write(tmp_path, f'[trust]\nrequired = true\nkeys = ["{key}.pub"]\nmanifests = ["{manifest}"]\n')


def test_strict_trust_refuses_unsigned_and_runs_signed(tmp_path: Path) -> None:
    exe = program("hello_args")
    policy = _trust_policy(tmp_path, [program("policy_probe")])
    refused = run_vkemu(["--policy", str(policy), exe])
    assert refused.returncode == 126
    assert len(refused.stderr.decode().strip().splitlines()) == 1
    assert b"not listed in a manifest signed by a trusted key" in refused.stderr
    policy = _trust_policy(tmp_path, [exe])
    signed = run_vkemu(["--policy", str(policy), exe, "x"])
    assert (signed.returncode, signed.stdout) == (run_native([exe, "x"]).returncode, run_native([exe, "x"]).stdout)


def test_unsigned_shared_library_is_refused(tmp_path: Path) -> None:
    ld = os.path.realpath("/lib64/ld-linux-x86-64.so.2")
    libc = os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6")
    audit = tmp_path / "audit.jsonl"
    policy = _trust_policy(tmp_path, ["/bin/true", ld])
    res = run_vkemu(["--policy", str(policy), "--audit", str(audit), "/bin/true"])
    assert res.returncode != 0
    denied = [r for r in read_audit(audit) if r["syscall"] == "attest"]
    assert denied and "libc.so.6" in denied[0]["args"]["path"]
    policy = _trust_policy(tmp_path, ["/bin/true", ld, libc])
    assert run_vkemu(["--policy", str(policy), "/bin/true"]).returncode == 0


# -- new manifest keys ------------------------------------------------------------------------------

BAD_NEW = [
    ('[network]\nbackend = "none"\negress = ["10.0.0.0/8:443"]\n', 2, "network.backend", "must be empty"),
    ('[network]\nbind = ["127.0.0.1:99999"]\n', 2, "network.bind[0]", "ports outside"),
    ('[quotas]\ncpu_seconds = "lots"\n', 2, "quotas.cpu_seconds", "positive number"),
    ('[trust]\nkeys = [{ path = "k.pub", not_after = "soon" }]\n', 2, "trust.keys[0].not_after", "not a date"),
    ('[trust]\nkeys = [{ not_after = 2020-01-01 }]\n', 2, "trust.keys[0]", "needs a path"),
    ('[trust]\nrevoked = ["nothex"]\n', 2, "trust.revoked[0]", "neither a key id"),
]


@pytest.mark.parametrize("text,line,key,why", BAD_NEW, ids=[b[2] for b in BAD_NEW])
def test_new_keys_errors_name_key_and_line(text: str, line: int, key: str, why: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse(text, "c.toml")
    message = str(err.value)
    assert message.startswith(f"c.toml:{line}: {key}"), message
    assert why in message


def test_left_out_sections_take_the_defaults() -> None:
    policy = parse('[container]\nname = "x"\n[quotas]\nmemory = "1G"\nfile_size = "unlimited"\n')
    default = default_policy()
    assert [str(r) for r in policy.network.egress] == [str(r) for r in default.network.egress] == \
        ["127.0.0.0/8:*", "[::1/128]:*"]
    q = policy.quotas
    assert (q.memory, q.file_size, q.writable_bytes, q.cpu_seconds) == (1 << 30, None, 4 << 30, 86400.0)
    assert parse("[quotas]\ncpu_seconds = \"unlimited\"\n").quotas.cpu_seconds is None
    trust = parse('[trust]\nkeys = ["a.pub", { path = "b.pub", not_after = 2027-01-02 }]\n'
                  'revoked = ["00112233AABBCCDD"]\n', "/etc/c.toml").trust
    assert [k.path for k in trust.keys] == ["/etc/a.pub", "/etc/b.pub"]
    assert trust.keys[1].not_after.isoformat() == "2027-01-02T23:59:59.999999+00:00"
    assert trust.revoked == ["00112233aabbccdd"]


def test_policy_check_describes_the_new_keys(tmp_path: Path) -> None:
    path = write(tmp_path, '[files]\nsymlinks = "refuse-outside"\n[network]\nbackend = "none"\negress = []\n'
                           'bind = []\n[quotas]\nmemory = "64M"\ncpu_seconds = 2.5\n')
    res = cli(["policy", "check", str(path)])
    out = " ".join(res.stdout.decode().split())
    assert res.returncode == 0, res.stderr
    assert "refuse-outside (EACCES" in out and "AF_UNIX only" in out
    assert "memory 64M" in out and "CPU 2.5 s" in out
    shown = cli(["policy", "show"]).stdout.decode()
    assert "revoked = []" in shown and "ENETUNREACH" in shown and "SIGXCPU" in shown


# -- network decisions (vkernel/policy/net.py) -----------------------------------------------------

def _net(text: str = ""):
    from vkernel.policy.net import NetPolicy
    return NetPolicy(parse(text).network)


def test_default_network_is_loopback_only() -> None:
    from vkernel.policy.net import AF_INET, AF_INET6, AF_UNIX
    net = _net()
    ENETUNREACH = 101
    assert net.check_socket(AF_INET) == 0 and net.check_socket(AF_UNIX) == 0
    assert net.check_connect(AF_INET, "127.0.0.1", 80) == 0
    assert net.check_connect(AF_INET, "127.8.9.10", 1) == 0
    assert net.check_connect(AF_INET6, "::1", 443) == 0
    assert net.check_connect(AF_INET, "0.0.0.0", 80) == 0            # reaches the local host
    assert net.check_connect(AF_INET, "10.0.0.1", 80) == ENETUNREACH
    assert net.check_connect(AF_INET6, "2001:db8::1", 80) == ENETUNREACH
    assert net.check_connect(AF_INET6, "::ffff:8.8.8.8", 53) == ENETUNREACH   # v4-mapped: the v4 rule decides
    assert net.check_connect(AF_INET6, "::ffff:127.0.0.1", 53) == 0
    assert net.check_connect(AF_UNIX, "", 0) == 0
    assert net.check_bind(AF_INET, "127.0.0.1", 8080) == 0
    assert net.check_bind(AF_INET, "0.0.0.0", 8080) == 0
    assert net.bind_host(AF_INET, "0.0.0.0") == "127.0.0.1" and net.bind_host(AF_INET6, "::") == "::1"
    assert net.check_bind(AF_INET, "192.0.2.7", 8080) == 99          # EADDRNOTAVAIL: no such address here
    assert net.check_connect(AF_INET, "not-an-address", 80) == 22


def test_network_rules_ports_and_backend_none() -> None:
    from vkernel.policy.net import AF_INET, AF_INET6, AF_UNIX
    net = _net('[network]\negress = ["10.0.0.0/8:443", "192.0.2.1:8000-8010", "[2001:db8::/32]:*"]\n'
               'bind = ["0.0.0.0/0:8080"]\n')
    assert net.check_connect(AF_INET, "10.1.2.3", 443) == 0
    assert net.check_connect(AF_INET, "10.1.2.3", 80) == 101
    assert net.check_connect(AF_INET, "192.0.2.1", 8005) == 0 and net.check_connect(AF_INET, "192.0.2.1", 8011) == 101
    assert net.check_connect(AF_INET6, "2001:db8:1::5", 22) == 0
    assert net.check_connect(AF_INET, "127.0.0.1", 80) == 101       # egress given: loopback is not implied
    assert net.check_bind(AF_INET, "0.0.0.0", 8080) == 0 and net.bind_host(AF_INET, "0.0.0.0") == "0.0.0.0"
    assert net.check_bind(AF_INET, "0.0.0.0", 9090) == EACCES
    assert net.check_bind(AF_INET, "203.0.113.9", 0) == 0            # port 0: the address decides
    none = _net('[network]\nbackend = "none"\negress = []\nbind = []\n')
    EAFNOSUPPORT = 97
    assert none.check_socket(AF_UNIX) == 0
    assert none.check_socket(AF_INET) == EAFNOSUPPORT and none.check_socket(AF_INET6) == EAFNOSUPPORT
    assert none.check_connect(AF_INET, "127.0.0.1", 80) == EAFNOSUPPORT


def test_network_refusals_are_audited() -> None:
    from vkernel.audit import AuditLog
    from vkernel.policy.net import AF_INET, AF_INET6, audit_refusal
    log = AuditLog("c")
    assert audit_refusal(log, None, "connect", "connect", 101, AF_INET, "10.0.0.1", 80) == -101
    assert audit_refusal(log, None, "bind", "bind", EACCES, AF_INET6, "2001:db8::1", 22) == -EACCES
    assert [(r["rule"], r["severity"], r["reason"]) for r in log.records] == [
        ("network.egress", "high", "network policy: connect 10.0.0.1:80: ENETUNREACH"),
        ("network.bind", "high", "network policy: bind [2001:db8::1]:22: EACCES")]


# -- key expiry and revocation ---------------------------------------------------------------------

def _signed(tmp_path: Path, name: str = "k") -> tuple[Path, Path]:
    key = tmp_path / name
    assert cli(["keygen", "-o", str(key)]).returncode == 0
    manifest = tmp_path / f"{name}.json"
    assert cli(["sign", "--key", str(key), program("hello_args"), "-o", str(manifest)]).returncode == 0
    return key, manifest


def test_expired_key_refuses_manifests_signed_after_expiry(tmp_path: Path) -> None:
    key, manifest = _signed(tmp_path)
    exe = program("hello_args")
    expired = write(tmp_path, f'[trust]\nrequired = true\nmanifests = ["{manifest}"]\n'
                              f'keys = [{{ path = "{key}.pub", not_after = 2020-01-01T00:00:00Z }}]\n')
    res = run_vkemu(["--policy", str(expired), exe])
    assert res.returncode == 2
    message = res.stderr.decode()
    assert str(manifest) in message and "after the key expired (not_after 2020-01-01T00:00:00+00:00)" in message
    valid = write(tmp_path, f'[trust]\nrequired = true\nmanifests = ["{manifest}"]\n'
                            f'keys = [{{ path = "{key}.pub", not_after = 2999-01-01 }}]\n')
    assert run_vkemu(["--policy", str(valid), exe, "x"]).returncode == run_native([exe, "x"]).returncode


def test_revoked_key_is_refused_by_id_or_file(tmp_path: Path) -> None:
    key, manifest = _signed(tmp_path)
    key_id = json.loads(manifest.read_text())["signer"]
    for revoked in (key_id.upper(), f"{key}.pub"):
        policy = write(tmp_path, f'[trust]\nrequired = true\nkeys = ["{key}.pub"]\nmanifests = ["{manifest}"]\n'
                                 f'revoked = ["{revoked}"]\n')
        res = run_vkemu(["--policy", str(policy), program("hello_args")])
        assert res.returncode == 2
        assert f"signed by key {key_id}, which is revoked (trust.revoked)" in res.stderr.decode()
        check = cli(["policy", "check", str(policy)])
        assert check.returncode == 2 and b"revoked" in check.stderr


# -- --alert -------------------------------------------------------------------------------------------

def test_alert_command_failure_is_reported_once_and_never_blocks(tmp_path: Path) -> None:
    text = '[[syscalls.rule]]\nnames = ["mkdir"]\naction = "errno"\n'
    res = run_vkemu(["--policy", str(write(tmp_path, text)), "--alert", "cat >/dev/null; exit 3",
                     "--alert-severity", "info", program("policy_probe"), "mkdir", "mkdir", "mkdir"])
    assert res.stdout.decode().splitlines() == ["mkdir: -1 errno=1"] * 3 + ["done"]
    assert res.stderr.decode().count("--alert") == 1 and b"failed: exit status 3" in res.stderr


def test_alert_queue_does_not_wait_for_a_slow_command(tmp_path: Path) -> None:
    from tools.policy_cli import AlertCommand
    import time
    marker = tmp_path / "seen"
    alert = AlertCommand(f"sleep 0.5; cat >> {marker}")
    started = time.monotonic()
    for i in range(3):
        alert({"n": i})
    assert time.monotonic() - started < 0.1                      # the kernel only queues
    alert.close()
    assert [json.loads(line)["n"] for line in marker.read_text().splitlines()] == [0, 1, 2]
