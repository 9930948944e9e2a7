"""The escape suite (issue 7): one small C program per way around the policy.

Each case names the program (tests/security/NAME.c, whose header says what it tries
and what must happen), the policy it runs under (the default, or a small manifest),
and what must come out: the guest's stdout and exit status (128+N: death by signal
N), and the audit records the refusal leaves (action and rule, or action and syscall
where no rule applies).  After every run the driver checks that vkemu stayed healthy
(no kernel bug, the documented exit status, a --stats report that counts the quota
hits) and that the host saw nothing but what the case allows: the host directories
the container mounts are compared file by file before and after.

Natively these programs would reach the host, so the reference for each case is
Linux's rule for a container set up the same way (a bind mount at /data, a read-only
one at /ro, a tmpfs at /tmp, the host root read-only under an in-memory layer).
Containment that is plain Linux semantics (ENOENT past the root, EXDEV between
mounts, EROFS) leaves no audit record: nothing was refused, the path just does not
lead there; every other refusal must be one the case lists.  A case vkernel does not
contain yet carries its finding and runs as a strict xfail.  Each program is built
once (tools/cbuild.py caches it), and the cases are independent, for pytest -n.
"""
from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import read_audit, run_vkemu
from tools.cbuild import build

HERE = Path(__file__).resolve().parent
SIGILL, SIGKILL, SIGSEGV, SIGXCPU, SIGSYS = 4, 9, 11, 24, 31
HOST_MARKER = Path("/etc/vkernel-security-marker")      # path_root_write's file, never on the host


@dataclass(frozen=True)
class Case:
    program: str                             # tests/security/PROGRAM.c
    stdout: str                              # the guest's whole stdout
    status: int = 0                          # vkemu's exit status
    audit: tuple[tuple[str, str], ...] = ()  # (action, rule or syscall): the records that must be
                                             # there (at least as many as listed), and the
                                             # only refusals (severity high) allowed
    policy: str = ""                         # manifest TOML; "" runs under the default policy;
                                             # TRUST: a [trust] that requires attestation and
                                             # lists the program in a signed manifest
    args: tuple[str, ...] = ()               # program arguments; {secret} is the host file's path
    options: tuple[str, ...] = ()            # more vkemu options
    created: tuple[str, ...] = ()            # host paths (below the case's directory) it may add
    stderr: str = ""                         # a line vkemu must print (its report of a fault)
    finding: str = ""                        # not contained yet: why (the case is a strict xfail)
    tag: str = ""                            # tells apart two cases of one program and arguments

    @property
    def id(self) -> str:
        args = [a.strip("/").replace("/", "-") for a in self.args if "{" not in a]
        return "-".join([self.program, *args] + ([self.tag] if self.tag else []))


def err(op: str, number: int) -> str:
    return f"{op}: -1 errno={number}\n"


def files(symlinks: str) -> str:
    return f'[files]\nsymlinks = "{symlinks}"\n'


def rule(names: str, action: str, extra: str = "") -> str:
    return f"[syscalls]\n[[syscalls.rule]]\nnames = [{names}]\naction = \"{action}\"\n{extra}"


def quotas(body: str) -> str:
    return "[quotas]\n" + body


TRUST = "trust"


CASES = [
    # -- paths: nothing outside the container's root, whatever the spelling ----------------------
    Case("path_dotdot_past_root", err("open", errno.ENOENT), args=("{secret}",)),
    Case("path_dotdot_of_mount", err("open", errno.ENOENT)),
    Case("path_chdir_up", "cwd: /\n"),
    Case("path_symlink_relative", err("open", errno.ENOENT)),
    Case("path_symlink_absolute", err("open", errno.ENOENT)),
    Case("path_symlink_planted", "symlink: 0\n" + err("open", errno.ENOENT), args=("{secret}",),
         created=("inner/planted",)),
    Case("path_symlink_other_mount", err("open", errno.EACCES), policy=files("refuse-outside"),
         audit=(("deny", "files.symlinks"),)),
    Case("path_symlink_refused", err("open", errno.ELOOP), policy=files("refuse"),
         audit=(("deny", "files.symlinks"),)),
    Case("path_proc_self_root", err("open", errno.ENOENT), args=("{secret}",)),
    Case("path_proc_root_refused", err("open", errno.EACCES), policy=files("refuse-outside"),
         audit=(("deny", "files.symlinks"),)),
    Case("path_proc_fd_dotdot", err("open", errno.ENOENT)),
    Case("path_openat_mount_dirfd", err("openat", errno.ENOENT), args=("{secret}",)),
    Case("path_openat_scm_dirfd", err("openat", errno.ENOENT)),
    Case("path_too_long", err("open", errno.ENAMETOOLONG)),
    Case("path_name_too_long", err("open", errno.ENAMETOOLONG)),
    Case("path_unusual", err("open", errno.ENOENT)),
    Case("path_host_path", err("open", errno.ENOENT), args=("{secret}",)),
    *(Case("path_hardlink_across", err("link", errno.EXDEV), args=pair)
      for pair in [("/data/f", "/tmp/hl"), ("/etc/passwd", "/data/passwd2"), ("/ro/existing", "/data/hl")]),
    *(Case("path_rename_across", err("rename", errno.EXDEV), args=pair)
      for pair in [("/ro/existing", "/data/x"), ("/data/f", "/tmp/f"), ("/data/f", "/ro/f")]),
    Case("path_ro_mount_write", err("open", errno.EROFS)),
    *(Case("path_ro_mount_modify", err(op, errno.EROFS), args=(op,)) for op in ("create", "unlink", "mkdir")),
    Case("path_root_write", "write: 7\nread: 7 escaped\n"),
    Case("path_open_by_handle", err("open_by_handle_at", errno.ENOSYS), audit=(("enosys", "open_by_handle_at"),)),
    Case("path_mknod_device", err("mknod", errno.EPERM)),
    Case("path_chroot", err("chroot", errno.EPERM), audit=(("deny", "chroot"),)),
    Case("path_mount", err("mount", errno.EPERM), audit=(("deny", "mount"),)),
    Case("fd_host_leak", "open fds past stdio: 0\n"),
    # -- code: nothing runs that is not attested (invariant 1) -----------------------------------
    Case("wx_anon_exec", err("mmap", errno.EACCES), audit=(("deny", "mmap"),)),
    Case("wx_rwx", err("mmap", errno.EACCES), audit=(("deny", "mmap"),)),
    Case("wx_mprotect", err("mprotect", errno.EACCES), audit=(("deny", "mprotect"),)),
    Case("wx_code_made_writable", err("mprotect", errno.EACCES), audit=(("deny", "mprotect"),)),
    Case("wx_fixed_over_code", "mmap: ok\n" + err("mprotect", errno.EACCES), audit=(("deny", "mprotect"),)),
    Case("wx_jump_to_data", "", 128 + SIGSEGV, audit=(("fault", "-"),),
         stderr=r"SIGSEGV: fetch of protected address (0x[0-9a-f]+) at rip \1"),
    Case("wx_mmap_written_file", err("mmap", errno.EACCES), audit=(("deny", "mmap"),)),
    Case("wx_exec_written", err("execve", errno.EACCES), args=("/tmp/prog",), audit=(("deny", "execve"),)),
    Case("wx_exec_written", err("execve", errno.EACCES), args=("/data/prog",), audit=(("deny", "execve"),),
         created=("inner/prog",)),
    Case("wx_mremap_over_code", "mremap: ok\n" + err("mprotect", errno.EACCES), audit=(("deny", "mprotect"),)),
    Case("wx_memfd_exec", err("memfd_create", errno.ENOSYS)),
    Case("wx_personality", err("personality", errno.EPERM), audit=(("deny", "personality"),)),
    Case("wx_shm_exec", err("shmget", errno.ENOSYS), audit=(("enosys", "shmget"),)),
    Case("wx_proc_mem", err("open", errno.ENOENT)),
    Case("wx_self_exe_write", "attempted\n"),
    Case("wx_ptrace", err("ptrace", errno.EPERM), audit=(("errno", "syscalls.rule[0]"),)),
    Case("wx_process_vm_writev", err("process_vm_writev", errno.EPERM), audit=(("errno", "syscalls.rule[0]"),)),
    Case("wx_io_uring", err("io_uring_setup", errno.EPERM), audit=(("errno", "syscalls.rule[0]"),)),
    Case("attest_exec_unlisted", err("execve", errno.EACCES), policy=TRUST,
         audit=(("deny", "attest"), ("deny", "execve"))),
    # A policy of its own still keeps ptrace out: the syscall table refuses it too.
    Case("wx_ptrace", err("ptrace", errno.EPERM), policy=rule('"getppid"', "log"), audit=(("deny", "ptrace"),),
         tag="own-policy"),
    # -- the CPU's other syscall gates --------------------------------------------------------------
    Case("cpu_int80", "", 128 + SIGSEGV, audit=(("fault", "-"),), stderr=r"SIGSEGV: interrupt at rip 0x[0-9a-f]+: int 0x80"),
    Case("cpu_sysenter", "", 128 + SIGILL, audit=(("fault", "-"),),
         stderr=r"SIGILL: invalid-insn at rip 0x[0-9a-f]+: sysenter"),
    Case("cpu_sysenter", "SIGILL: code=2 at sysenter\nsysenter: returned 20\n", args=("handler",)),
    Case("cpu_compat_mode", "", 128 + SIGSEGV, audit=(("fault", "-"),), stderr=r"SIGSEGV: interrupt at rip 0x[0-9a-f]+: retfq"),
    *(Case("cpu_privileged", "", 128 + SIGSEGV, args=(op,), audit=(("fault", "-"),),
           stderr=r"SIGSEGV: interrupt at rip 0x[0-9a-f]+: (hlt|mov cr0, rax|wrmsr)")
      for op in ("hlt", "cr0", "wrmsr")),
    Case("cpu_privileged", "", 128 + SIGSEGV, args=("out",), audit=(("fault", "-"),),
         finding="in and out run as no-ops: Unicorn checks no I/O permission at CPL 3 and its "
                 "in/out hooks cannot stop before the next instructions run"),
    # -- network -------------------------------------------------------------------------------------
    Case("net_connect_off_loopback", err("connect", errno.ENETUNREACH), audit=(("deny", "network.egress"),)),
    Case("net_connect_mapped_v6", err("connect", errno.ENETUNREACH), audit=(("deny", "network.egress"),)),
    Case("net_sendto_off_loopback", err("sendto", errno.ENETUNREACH), audit=(("deny", "network.egress"),)),
    Case("net_bind_outside", err("bind", errno.EADDRNOTAVAIL), args=("192.0.2.1", "8080"),
         audit=(("deny", "network.bind"),)),
    Case("net_bind_outside", err("bind", errno.EACCES), args=("127.0.0.1", "9090"),
         policy='[network]\nbind = ["127.0.0.1:8000"]\n', audit=(("deny", "network.bind"),)),
    Case("net_none", err("socket inet", errno.EAFNOSUPPORT) + "socket unix: 0\n", options=("--net=none",),
         audit=(("deny", "network.backend"),)),
    Case("net_raw_socket", err("socket", errno.EPERM), audit=(("deny", "network.raw"),)),
    # -- seccomp-like rules ----------------------------------------------------------------------------
    Case("seccomp_errno_arg", err("socket inet", errno.EACCES) + "socket unix: 0\n",
         policy=rule('"socket"', "errno", 'errno = "EACCES"\nargs = [{ index = 0, op = "ne", value = 1 }]\n'),
         audit=(("errno", "syscalls.rule[0]"),)),
    Case("seccomp_trap", "sigsys: code=1 syscall=63\n", policy=rule('"uname"', "trap"),
         audit=(("trap", "syscalls.rule[0]"),)),
    Case("seccomp_trap_unhandled", "", 128 + SIGSYS, policy=rule('"uname"', "trap"),
         audit=(("trap", "syscalls.rule[0]"),)),
    Case("seccomp_kill_process", "stdout\n", 128 + SIGSYS,
         policy=rule('"write"', "kill-process", 'args = [{ index = 0, op = "eq", value = 2 }]\n'),
         audit=(("kill-process", "syscalls.rule[0]"),)),
    Case("seccomp_kill_thread", f"joined, close: -1 errno={errno.EBADF}\n",
         policy=rule('"close"', "kill-thread", 'args = [{ index = 0, op = "eq", value = 4242 }]\n'),
         audit=(("kill-thread", "syscalls.rule[0]"),)),
    Case("seccomp_log", "getppid: 1\n", policy=rule('"getppid"', "log"), audit=(("log", "syscalls.rule[0]"),)),
    # -- resource bombs, bounded by small quotas ------------------------------------------------------
    Case("bomb_fork", f"fork: 7 errno={errno.EAGAIN}\nreaped: 7\n", policy=quotas("processes = 8\n"),
         audit=(("quota", "quotas.processes"),)),
    Case("bomb_fork_tree", "bomb: contained\n", policy=quotas("processes = 8\n"),
         audit=(("quota", "quotas.processes"),)),
    Case("bomb_thread", f"pthread_create: 7 errno={errno.EAGAIN}\njoined: 7\n", policy=quotas("threads = 8\n"),
         audit=(("quota", "quotas.threads"),)),
    Case("bomb_memory", f"mmap: 16..31 MiB errno={errno.ENOMEM}\n", policy=quotas('memory = "32M"\n'),
         audit=(("quota", "quotas.memory"),)),
    Case("bomb_brk", f"sbrk: 16..31 MiB errno={errno.ENOMEM}\n", policy=quotas('memory = "32M"\n'),
         audit=(("quota", "quotas.memory"),)),
    Case("bomb_fd", f"open: 61 errno={errno.EMFILE}\n" + err("setrlimit", errno.EPERM),
         policy=quotas("open_files = 64\n"), audit=(("quota", "quotas.open_files"),)),
    Case("bomb_disk", f"write: 3000..4096 KiB errno={errno.ENOSPC}\nafter unlink: 65536\n", args=("/tmp/big",),
         policy=quotas('writable_bytes = "4M"\n'), audit=(("quota", "quotas.writable_bytes"),)),
    Case("bomb_disk", f"write: 3000..4096 KiB errno={errno.ENOSPC}\nafter unlink: 65536\n", args=("/var/big",),
         policy=quotas('writable_bytes = "4M"\n'), audit=(("quota", "quotas.writable_bytes"),)),
    Case("bomb_file_size", f"write: 8192\nwrite: -1 errno={errno.EFBIG}\n", policy=quotas('file_size = "8K"\n'),
         audit=(("quota", "quotas.file_size"),)),
    Case("bomb_cpu", "", 128 + SIGXCPU, policy=quotas("cpu_seconds = 0.5\n"),
         audit=(("quota", "quotas.cpu_seconds"),)),
    Case("bomb_cpu_ignored", "", 128 + SIGKILL, policy=quotas("cpu_seconds = 0.5\n"),
         audit=(("quota", "quotas.cpu_seconds"), ("quota", "quotas.cpu_seconds"))),
]


def _snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every entry below ``root``: a symlink's target, a file's bytes, or a directory."""
    out: dict[str, tuple[str, bytes | str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            rel = str(path.relative_to(root))
            if path.is_symlink():
                out[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                out[rel] = ("dir", "")
            else:
                out[rel] = ("file", path.read_bytes())
    return out


def _trust(tmp_path: Path, exe: Path) -> str:
    """A [trust] section that requires attestation, with a new key and a manifest it
    signed that lists ``exe`` alone."""
    key, signed = tmp_path / "key", tmp_path / "manifest.json"
    for args in (["keygen", "-o", str(key)], ["sign", "--key", str(key), "-o", str(signed), str(exe)]):
        assert run_vkemu(args, strict=False).returncode == 0
    return f'[trust]\nrequired = true\nkeys = ["{key}.pub"]\nmanifests = ["{signed}"]\n'


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """host/inner (mounted rw at /data), host/ro (mounted ro at /ro) and host/secret,
    a file no mount shows (the container's /tmp is its own tmpfs)."""
    root = tmp_path / "host"
    inner, ro = root / "inner", root / "ro"
    inner.mkdir(parents=True)
    ro.mkdir()
    (root / "secret").write_text("SECRET\n")
    (inner / "f").write_text("data-file\n")
    (ro / "existing").write_text("original\n")
    os.symlink("../secret", inner / "up")                  # relative, out of the host dir
    os.symlink(str(root / "secret"), inner / "abs")         # the absolute host path
    os.symlink("/etc/passwd", inner / "passwd")             # into another mount of the container
    os.symlink("f", inner / "inlink")                       # stays inside its mount
    return root


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.finding)]
                                               if c.finding else []) for c in CASES])
def test_escape_is_refused_or_contained(case: Case, host: Path, tmp_path: Path) -> None:
    exe = build(HERE / f"{case.program}.c", "gcc-static")
    audit = tmp_path / "audit.jsonl"
    options = ["-v", f"{host / 'inner'}:/data:rw", "-v", f"{host / 'ro'}:/ro:ro", "--audit", str(audit), "--stats"]
    if case.policy:
        manifest = tmp_path / "policy.toml"
        manifest.write_text(_trust(tmp_path, exe) if case.policy == TRUST else case.policy)
        options += ["--policy", str(manifest)]
    args = [a.format(secret=host / "secret") for a in case.args]
    before, program_bytes = _snapshot(host), exe.read_bytes()

    res = run_vkemu(options + list(case.options) + [str(exe), *args], timeout=60)

    stderr = res.stderr.decode(errors="replace")
    assert (res.stdout.decode(), res.returncode) == (case.stdout, case.status), stderr
    assert re.search(case.stderr, stderr), stderr
    records = read_audit(audit)
    assert not [r for r in records if r["action"] == "kernel-bug"], records
    def matches(r: dict, action: str, key: str) -> bool:
        return r["action"] == action and key in (r.get("rule"), r["syscall"])
    for action, key in set(case.audit):
        found = sum(matches(r, action, key) for r in records)
        assert found >= case.audit.count((action, key)), f"no ({action}, {key}) record in {records}"
    unexpected = [r for r in records if r["severity"] == "high" and not any(matches(r, *p) for p in case.audit)]
    assert not unexpected, "refusals the case does not expect"
    # --stats counts every quota hit the audit log has (the CPU signals are not refusals).
    stats = dict(line.split(None, 2)[1:] for line in stderr.splitlines() if line.startswith("vkemu: quota_hits "))
    hits = [r for r in records if r["action"] == "quota" and r["rule"] != "quotas.cpu_seconds"]
    assert stats == {"quota_hits": str(len(hits))}, stderr
    # The host: only what the case may add, nothing changed or removed.
    after = _snapshot(host)
    assert set(after) - set(before) == set(case.created)
    assert {k: after[k] for k in before} == before
    assert exe.read_bytes() == program_bytes
    assert not HOST_MARKER.exists()
