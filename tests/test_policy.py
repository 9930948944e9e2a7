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
