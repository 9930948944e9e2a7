"""The symlink policy and the quotas in depth: every [files] symlinks mode against the
same links, links that climb out of their mount and come back, RLIMIT_FSIZE against
native Linux, and the --stats report.  The escape suite proper, one C program per way
out of the container, is tests/security/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import program, read_audit, run_native, run_vkemu

EACCES, ELOOP = 13, 40
SIGXFSZ_STATUS = 128 + 25


def ok(op: str, extra: str = "") -> str:
    return f"{op}: ok" + (f" {extra}" if extra else "")


def err(op: str, errno: int) -> str:
    return f"{op}: -1 errno={errno}"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """tmp/inner, mounted rw at /data."""
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "f").write_text("data-file\n")
    os.symlink("/etc/passwd", inner / "passwd")             # into another mount of the container
    os.symlink("f", inner / "inlink")                       # stays inside the mount
    return tmp_path


def escape(host: Path, ops: list[str], policy: Path | None = None, audit: Path | None = None) -> list[str]:
    args = ["-v", f"{host / 'inner'}:/data:rw"]
    if policy is not None:
        args += ["--policy", str(policy)]
    if audit is not None:
        args += ["--audit", str(audit)]
    res = run_vkemu(args + [program("escape"), *ops])
    lines = res.stdout.decode().splitlines()
    assert res.returncode == 0 and lines[-1] == "done", res.stderr.decode()
    return lines[:-1]


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
