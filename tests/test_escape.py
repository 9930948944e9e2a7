"""The escape suite: C programs that try to get out of the container (paths, symlinks,
mounts, code, resources).  Each attempt must fail with the errno Linux gives in a
container set up the same way (a bind mount at /data, a read-only one at /ro, a tmpfs
at /tmp), leave the host untouched, and (for the policy's refusals) leave an audit
record.  Natively these programs would reach the host, so the reference here is
Linux's rule for each case, written next to it."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import program, read_audit, run_native, run_vkemu

ENOENT, EACCES, EPERM, EXDEV, EROFS, ELOOP, ENAMETOOLONG = 2, 13, 1, 18, 30, 40, 36
ENOMEM, ENOSPC, EAGAIN, EMFILE = 12, 28, 11, 24
SIGXFSZ_STATUS, SIGKILL_STATUS = 128 + 25, 128 + 9


def ok(op: str, extra: str = "") -> str:
    return f"{op}: ok" + (f" {extra}" if extra else "")


def err(op: str, errno: int) -> str:
    return f"{op}: -1 errno={errno}"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """tmp/inner (mounted rw at /data), tmp/ro (mounted ro at /ro), tmp/secret (a host
    file no mount shows: /tmp is the container's own tmpfs)."""
    inner, ro = tmp_path / "inner", tmp_path / "ro"
    inner.mkdir()
    ro.mkdir()
    (tmp_path / "secret").write_text("SECRET\n")
    (inner / "f").write_text("data-file\n")
    (ro / "existing").write_text("original\n")
    os.symlink("../secret", inner / "up")                  # relative, out of the host dir
    os.symlink(str(tmp_path / "secret"), inner / "abs")     # absolute host path
    os.symlink("/etc/passwd", inner / "passwd")             # into another mount of the container
    os.symlink("f", inner / "inlink")                       # stays inside the mount
    return tmp_path


def escape(host: Path, ops: list[str], policy: Path | None = None, audit: Path | None = None) -> list[str]:
    args = ["-v", f"{host / 'inner'}:/data:rw", "-v", f"{host / 'ro'}:/ro:ro"]
    if policy is not None:
        args += ["--policy", str(policy)]
    if audit is not None:
        args += ["--audit", str(audit)]
    res = run_vkemu(args + [program("escape"), *ops])
    lines = res.stdout.decode().splitlines()
    assert res.returncode == 0 and lines[-1] == "done", res.stderr.decode()
    return lines[:-1]


def test_paths_cannot_leave_the_mounts(host: Path) -> None:
    secret = str(host / "secret")
    rel = secret.lstrip("/")
    lines = escape(host, [
        "read=/data/f",                         # the mount works
        "read=/data/../secret",                 # '..' of a mount's root is its mount point's parent
        "read=/data/up",                        # a host-relative link resolves in the container
        "read=/data/abs",                       # a host-absolute link too (/tmp is the container's)
        f"read={secret}",
        "read=/proc/self/root/../secret",       # /proc/self/root is the container's root
        f"read=/proc/self/root{secret}",
        "dirfd=/data:../secret",                # openat from a directory fd of a mount
        f"dirfd=/data:../../../../../../../{rel}",
        "scmdir=/data:../secret",               # ... passed from another process (SCM_RIGHTS)
        "scmdir=/data:f",
        f"manydots={secret}",                   # 500 '..' stop at the root
        "dotdot=/data", "dotdot=/",
        "chdirup=/data",
        "longpath",
    ])
    assert lines == [
        ok("read", "data-file"),
        err("read", ENOENT), err("read", ENOENT), err("read", ENOENT), err("read", ENOENT),
        err("read", ENOENT), err("read", ENOENT),
        err("dirfd", ENOENT), err("dirfd", ENOENT),
        err("scmdir", ENOENT), ok("scmdir", "data-file"),
        err("manydots", ENOENT),
        ok("dotdot", "root"), ok("dotdot", "root"),
        ok("chdirup", "/"),
        err("longpath", ENAMETOOLONG),
    ]


def test_writes_stay_in_the_container(host: Path) -> None:
    marker = Path("/etc/vkernel-escape-test")
    assert not marker.exists()
    lines = escape(host, [
        "create=/ro/new", "append=/ro/existing", "unlink=/ro/existing", "mkdir=/ro/d",
        "rename=/data/f:/tmp/f", "rename=/data/f:/ro/f", "rename=/ro/existing:/data/x",
        "link=/etc/passwd:/data/passwd2", "link=/ro/existing:/data/hl", "link=/data/f:/tmp/hl",
        f"create={marker}", f"read={marker}",   # the host root takes writes in the overlay only
    ])
    # Linux checks the mounts before write access: rename and link across mounts are
    # EXDEV even when one side is read-only.
    assert lines == [
        err("create", EROFS), err("append", EROFS), err("unlink", EROFS), err("mkdir", EROFS),
        err("rename", EXDEV), err("rename", EXDEV), err("rename", EXDEV),
        err("link", EXDEV), err("link", EXDEV), err("link", EXDEV),
        ok("create"), ok("read", "escaped"),
    ]
    assert not marker.exists()
    assert (host / "ro" / "existing").read_text() == "original\n"
    assert sorted(os.listdir(host / "ro")) == ["existing"]
    assert sorted(os.listdir(host / "inner")) == ["abs", "f", "inlink", "passwd", "up"]
    assert (host / "secret").read_text() == "SECRET\n"


SYMLINK_CASES = ["read=/data/passwd", "read=/data/inlink", "read=/proc/self/root/etc/hostname", "read=/data/f"]
LINKS = ["/data/passwd", "/data/inlink", "/proc/1/root", None]      # the link each case follows


@pytest.mark.parametrize("policy,expected", [
    ("follow", ["ok", "ok", "ok", "ok"]),
    # A link to another mount, or /proc's magic link to the root: EACCES.
    ("refuse-outside", [EACCES, "ok", EACCES, "ok"]),
    # Every link in the container's files: ELOOP, as O_NOFOLLOW and RESOLVE_NO_SYMLINKS;
    # the kernel's /proc links are held to refuse-outside (/proc/self works, its root not).
    ("refuse", [ELOOP, ELOOP, EACCES, "ok"]),
])
def test_symlink_policy(host: Path, tmp_path: Path, policy: str, expected: list) -> None:
    manifest = tmp_path / "c.toml"
    manifest.write_text(f'[files]\nsymlinks = "{policy}"\n')
    audit = tmp_path / "audit.jsonl"
    lines = escape(host, SYMLINK_CASES, manifest, audit)
    for line, want in zip(lines, expected, strict=True):
        if want == "ok":
            assert line.startswith("read: ok"), line
        else:
            assert line == err("read", want)
    denied = [r for r in read_audit(audit) if r.get("rule") == "files.symlinks"]
    assert [r["args"]["path"] for r in denied] == [link for link, w in zip(LINKS, expected) if w != "ok"]
    assert all(r["syscall"] == "openat" and r["action"] == "deny" for r in denied)


def test_symlink_refuse_outside_checks_the_landing_place(host: Path, tmp_path: Path) -> None:
    """A relative link that climbs out of its mount and comes back into it is fine; one
    that leaves the mount through '..' is refused, whatever its text looks like."""
    os.symlink("../data/f", host / "inner" / "roundtrip")
    os.symlink("../etc/hostname", host / "inner" / "climb")
    os.symlink("climb", host / "inner" / "chain")
    os.symlink("loop2", host / "inner" / "loop1")
    os.symlink("loop1", host / "inner" / "loop2")
    os.symlink("f", host / "inner" / "c40")
    for i in range(39, -1, -1):                  # c0 -> c1 -> ... -> c40 -> f: 41 links
        os.symlink(f"c{i + 1}", host / "inner" / f"c{i}")
    manifest = tmp_path / "c.toml"
    manifest.write_text('[files]\nsymlinks = "refuse-outside"\n')
    lines = escape(host, ["read=/data/roundtrip", "read=/data/climb", "read=/data/chain",
                          "create=/data/climb", "read=/data/loop1", "create=/data/loop1",
                          "read=/data/c1", "read=/data/c0"], manifest)
    assert lines == [ok("read", "data-file"), err("read", EACCES), err("read", EACCES), err("create", EACCES),
                     err("read", ELOOP), err("create", ELOOP),
                     ok("read", "data-file"), err("read", ELOOP)]        # 40 links at most, as Linux


def test_code_from_the_container_never_runs(host: Path, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    lines = escape(host, ["mmapx=/tmp/code", "execw=/tmp/prog", "execw=/data/prog", "anonx", "wx", "mprotx",
                          "memfd", "ptrace", "vmwrite", "personality", "iouring", "shmexec", "procmem"],
                   audit=audit)
    assert lines[:6] == [err("mmapx", EACCES), err("execw", EACCES), err("execw", EACCES),
                         err("anonx", EACCES), err("wx", EACCES), err("mprotx", EACCES)]
    # memfd_create is not offered (ENOSYS); were it, exec of a memfd is refused.
    assert lines[6] in ("memfd: create -1 errno=38", "memfd: exec -1 errno=13")
    assert lines[7:10] == [err("ptrace", EPERM), err("vmwrite", EPERM), err("personality", EPERM)]
    assert lines[10] == err("iouring", EPERM)
    # No System V shared memory (ENOSYS); were there, SHM_EXEC would be refused.
    assert lines[11] in ("shmexec: create -1 errno=38", "shmexec: attach -1 errno=13")
    # No /proc/PID/mem; were there, writes into code would be refused.
    assert lines[12] in ("procmem: open -1 errno=2", "procmem: write -1 errno=13")
    records = read_audit(audit)
    assert {r["syscall"] for r in records if r["action"] in ("deny", "errno")} >= {
        "mmap", "execve", "mprotect", "ptrace", "process_vm_writev", "personality"}
    # The rw mount took the write (it is the host's directory), and still nothing ran from it.
    assert (host / "inner" / "prog").read_bytes() == Path("/bin/true").read_bytes()


def test_int80_from_64_bit_code_is_contained(tmp_path: Path) -> None:
    """vkernel offers no 32-bit syscall gate: int 0x80 faults (SIGSEGV), as on a Linux
    booted with ia32_emulation=0, and the fault is audited."""
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--audit", str(audit), program("escape"), "int80"])
    assert res.returncode == 128 + 11 and res.stdout == b""
    assert [r["action"] for r in read_audit(audit)] == ["fault"]


# -- resource bombs ----------------------------------------------------------------------------

def _quota_run(tmp_path: Path, quotas: str, ops: list[str], timeout: float = 120):
    manifest = tmp_path / "q.toml"
    manifest.write_text("[quotas]\n" + quotas)
    audit = tmp_path / "audit.jsonl"
    res = run_vkemu(["--policy", str(manifest), "--audit", str(audit), program("quota"), *ops], timeout=timeout)
    return res, [r for r in read_audit(audit) if r["action"] == "quota"]


def test_memory_bomb_gets_enomem(tmp_path: Path) -> None:
    res, records = _quota_run(tmp_path, 'memory = "64M"\n', ["memory", "mmap"])
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    malloced = int(lines[0].split()[1])
    mapped, errno = lines[1].split()[1], lines[1].split("errno=")[1]
    assert 30 <= malloced < 64 and int(mapped) < 64 and int(errno) == ENOMEM, lines
    assert records and records[0]["rule"] == "quotas.memory" and records[0]["severity"] == "high"


def test_disk_fill_gets_enospc_and_space_comes_back(tmp_path: Path) -> None:
    res, records = _quota_run(tmp_path, 'writable_bytes = "4M"\n', ["fill=/tmp/big", "fill=/var/big"])
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode().splitlines()[:4] == [f"fill: 4096 KiB errno={ENOSPC}", "fill again: 65536",
                                                    f"fill: 4032 KiB errno={ENOSPC}", "fill again: 65536"]
    assert [r["rule"] for r in records] == ["quotas.writable_bytes"] * 2


def test_file_size_limit_matches_linux(tmp_path: Path) -> None:
    """RLIMIT_FSIZE set by the program: the same as native Linux, short writes, EFBIG
    with SIGXFSZ, and death by SIGXFSZ when it is not handled."""
    exe = program("quota")
    native = run_native([exe, f"fsize={tmp_path / 'native.txt'}"])
    res = run_vkemu([exe, "fsize=/tmp/f.txt"])
    assert (res.returncode, res.stdout) == (native.returncode, native.stdout)
    assert native.returncode == SIGXFSZ_STATUS


def test_file_size_quota_is_the_hard_limit(tmp_path: Path) -> None:
    manifest = tmp_path / "q.toml"
    manifest.write_text('[quotas]\nfile_size = "8K"\n')
    audit = tmp_path / "audit.jsonl"
    script = "ulimit -f; ulimit -f 100; echo $?; head -c 20000 /dev/zero > /tmp/x; echo $?; wc -c < /tmp/x"
    res = run_vkemu(["--policy", str(manifest), "--audit", str(audit), "/bin/busybox", "sh", "-c", script])
    lines = res.stdout.decode().splitlines()
    assert lines[0] == "16"                      # 512-byte blocks
    assert lines[1] == "1"                       # raising the hard limit: EPERM
    assert lines[2] == str(SIGXFSZ_STATUS) and lines[3].strip() == "8192"
    assert [r["rule"] for r in read_audit(audit) if r["action"] == "quota"] == ["quotas.file_size"]


def test_cpu_spin_gets_sigxcpu_then_sigkill(tmp_path: Path) -> None:
    res, records = _quota_run(tmp_path, "cpu_seconds = 0.5\n", ["spin"], timeout=60)
    # SIGXCPU's default action kills (with a core), as RLIMIT_CPU's soft limit does.
    assert res.returncode == 128 + 24, res.stderr
    assert records[0]["args"]["signal"] == "SIGXCPU"


def test_cpu_spin_ignoring_sigxcpu_is_killed(tmp_path: Path) -> None:
    manifest = tmp_path / "q.toml"
    manifest.write_text("[quotas]\ncpu_seconds = 0.5\n")
    audit = tmp_path / "audit.jsonl"
    spin = "trap '' XCPU; while :; do :; done"
    res = run_vkemu(["--policy", str(manifest), "--audit", str(audit), "/bin/busybox", "sh", "-c", spin],
                    timeout=60)
    assert res.returncode == SIGKILL_STATUS
    signals = [r["args"]["signal"] for r in read_audit(audit) if r["action"] == "quota"]
    assert signals == ["SIGXCPU", "SIGKILL"]


def test_fork_bomb_and_fd_bomb_are_contained(tmp_path: Path) -> None:
    res, records = _quota_run(tmp_path, "processes = 8\nopen_files = 64\n", ["fds", "forks", "fds"])
    assert res.returncode == 0, res.stderr
    # 3 fds are stdio; 7 children with the parent make 8 processes.
    assert res.stdout.decode().splitlines() == [f"fds: 61 errno={EMFILE}", f"forks: 7 errno={EAGAIN}", "reaped: 7",
                                                f"fds: 0 errno={EMFILE}", "done"]
    assert [r["rule"] for r in records] == ["quotas.processes"]


def test_stats_report_use_against_the_quotas(tmp_path: Path) -> None:
    manifest = tmp_path / "q.toml"
    manifest.write_text('[quotas]\nmemory = "64M"\nwritable_bytes = "1M"\n')
    res = run_vkemu(["--stats", "--policy", str(manifest), program("quota"), "fill=/tmp/f"])
    report = dict(line.split(None, 2)[1:] for line in res.stderr.decode().splitlines() if line.startswith("vkemu: "))
    assert report["writable_bytes"] == "1048576 bytes at most, 65536 at exit (limit 1048576)"
    assert report["memory"].endswith("(limit 67108864)") and report["quota_hits"] == "1"
    assert report["processes"] == "1 at once (limit 1024)"


def test_copy_up_past_the_writable_quota_keeps_the_file_whole(tmp_path: Path) -> None:
    """Opening a lower-layer file for writing copies it up whole, even past the quota
    (a half copy would shadow the file with a truncated one); growing it then fails."""
    manifest = tmp_path / "q.toml"
    manifest.write_text('[quotas]\nwritable_bytes = "4K"\n')
    size = os.path.getsize("/bin/busybox")
    script = "echo x >> /bin/busybox; echo $?; wc -c < /bin/busybox"
    res = run_vkemu(["--policy", str(manifest), "/bin/busybox", "sh", "-c", script])
    assert res.stdout.decode().split() == ["1", str(size)]
    assert b"No space left on device" in res.stderr
