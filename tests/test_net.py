"""AF_INET/AF_INET6 sockets over the host backend: C programs compared with native
runs (TCP, UDP, threads blocked on sockets, an epoll server with 200 clients, bad
input, getaddrinfo), and vkemu talking to the host: a guest client and a host
server, busybox httpd serving a host client, busybox nc both ways; the network
policy refusing what is off loopback; host fd exhaustion; random arguments; replay."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, program, read_audit, run_native, run_vkemu

BUSYBOX = "/bin/busybox"


def _compare(prog: str, args: list[str] | None = None) -> str:
    native, emu = run_native([prog] + (args or [])), run_vkemu([prog] + (args or []))
    assert native.returncode == 0, native.stdout.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode
    return emu.stdout.decode()


@pytest.mark.parametrize("name", ["net_tcp", "net_udp", "net_threads", "net_badinput"])
def test_net_matches_native(name: str, variant: str) -> None:
    out = _compare(program(name, variant))
    assert "FAIL" not in out


@pytest.mark.parametrize("mode", ["lt", "et"])
def test_epoll_echo_server_200_clients(mode: str, variant: str) -> None:
    out = _compare(program("net_epoll", variant), [mode, "200", "4"])
    assert "200 connections accepted, 200 closed, 900000 bytes echoed" in out
    assert "clients ok: 4 of 4" in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vkemu(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tools.vkemu", "--strict"] + args, cwd=str(REPO),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


class HostServer:
    """A one-connection server on the host: reads to EOF, answers in upper case."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(60)
        conn, _ = self.sock.accept()
        with conn:
            while chunk := conn.recv(4096):
                self.received += chunk
            conn.sendall(self.received.upper())
        self.sock.close()


@pytest.mark.parametrize("mode", ["blocking", "nb"])
def test_guest_client_to_host_server(mode: str) -> None:
    server = HostServer()
    out = run_vkemu([program("net_client"), str(server.port), mode])
    server.thread.join(10)
    assert server.received == b"hello from the guest\n"
    assert out.stdout == b"HELLO FROM THE GUEST\n[eof 0]\n", out.stderr.decode(errors="replace")[-2000:]
    assert out.returncode == 0


def test_busybox_httpd_serves_a_host_client(tmp_path: Path) -> None:
    data = bytes((i * 7 + i // 253) & 0xFF for i in range(300_000))
    (tmp_path / "blob.bin").write_bytes(data)
    (tmp_path / "index.html").write_text("<p>hello</p>\n")
    port = _free_port()
    proc = _vkemu(["-v", f"{tmp_path}:/srv", BUSYBOX, "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", "/srv"])
    try:
        _wait_listening(port, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/blob.bin", timeout=30) as resp:
            body = resp.read()
        assert body == data
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=30) as resp:
            assert resp.read() == b"<p>hello</p>\n"
    finally:
        proc.kill()
        proc.communicate(timeout=30)


def test_busybox_nc_guest_to_host() -> None:
    server = HostServer()
    out = run_vkemu([BUSYBOX, "nc", "127.0.0.1", str(server.port)], input=b"ping from nc\n")
    server.thread.join(10)
    assert server.received == b"ping from nc\n"
    assert out.stdout == b"PING FROM NC\n", out.stderr.decode(errors="replace")[-2000:]


def test_busybox_nc_host_to_guest() -> None:
    port = _free_port()
    proc = _vkemu([BUSYBOX, "nc", "-l", "-p", str(port)], stdin=subprocess.PIPE)
    try:
        assert proc.stdin is not None
        end = time.monotonic() + 30
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < end and proc.poll() is None
                time.sleep(0.1)
        with conn:
            conn.sendall(b"from the host\n")
            proc.stdin.write(b"from the guest\n")
            proc.stdin.close()
            conn.settimeout(30)
            got = b""
            while not got.endswith(b"\n"):
                chunk = conn.recv(100)
                if not chunk:
                    break
                got += chunk
        assert got == b"from the guest\n"
        proc.wait(timeout=30)
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.read() == b"from the host\n", proc.stderr.read().decode(errors="replace")[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def test_policy_refuses_destinations_off_loopback(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    out = run_vkemu(["--audit", str(audit), program("net_policy")])
    lines = out.stdout.decode().splitlines()
    # A bind to an address off the rules: EADDRNOTAVAIL, what a network namespace
    # with only loopback answers (vkernel/policy/net.py).
    assert lines[3] == "bind 192.0.2.1: Cannot assign requested address"
    lines[3] = "bind 192.0.2.1: refused"
    assert lines == [
        "connect 192.0.2.1:80: Network is unreachable",
        "connect 127.0.0.1:1: Connection refused",
        "sendto 192.0.2.1:80: Network is unreachable",
        "bind 192.0.2.1: refused",
        "connect [2001:db8::1]:80: Network is unreachable",
        "connect [::ffff:192.0.2.1]:80: Network is unreachable",
        "socket SOCK_RAW: Operation not permitted",
    ], out.stderr.decode(errors="replace")[-2000:]
    records = [r for r in read_audit(audit) if r["action"] == "deny"]
    assert [(r["syscall"], r.get("rule")) for r in records] == [
        ("connect", "network.egress"), ("sendto", "network.egress"), ("bind", "network.bind"),
        ("connect", "network.egress"), ("connect", "network.egress"), ("socket", "network.raw")]
    assert records[0]["args"]["address"] == "192.0.2.1" and records[0]["args"]["port"] == 80
    assert all(r["severity"] == "high" for r in records)


def test_getaddrinfo_resolves_localhost(variant: str) -> None:
    out = _compare(program("net_resolve", variant))
    assert "localhost -> 127.0.0.1" in out


def test_net_none_refuses_inet_sockets(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    out = run_vkemu(["--audit", str(audit), "--net=none", program("net_policy")])
    assert out.stdout.decode().splitlines()[0] == "connect 192.0.2.1:80: Bad file descriptor"
    assert out.stdout.decode().splitlines()[-1] == "socket SOCK_RAW: Address family not supported by protocol"
    records = [r for r in read_audit(audit) if r["action"] == "deny"]
    assert records and all(r["syscall"] == "socket" and r["rule"] == "network.backend" for r in records)


def test_host_fd_exhaustion_is_enfile_and_harmless() -> None:
    """With vkemu's own RLIMIT_NOFILE low, a guest opening sockets gets ENFILE before
    the host runs out, and vkemu (and the guest's networking) goes on working."""
    import resource

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    proc = subprocess.run([sys.executable, "-m", "tools.vkemu", "--strict", program("net_flood")], cwd=str(REPO),
                          capture_output=True, timeout=120, preexec_fn=low_limit)
    assert proc.stdout == b"refused after 50 or more: ENFILE\nafter the flood: ok\n", proc.stderr.decode()[-2000:]
    assert proc.returncode == 0


def test_sockaddr_layout_is_linux() -> None:
    from vkernel import abi
    from vkernel.net.inet import Address, _decode_in, _decode_in6, encode_sockaddr

    v4 = encode_sockaddr(abi.AF_INET, ("127.0.0.1", 8080))
    assert v4 == b"\x02\x00\x1f\x90\x7f\x00\x00\x01" + bytes(8)
    assert _decode_in(v4) == Address(abi.AF_INET, "127.0.0.1", 8080)
    v6 = encode_sockaddr(abi.AF_INET6, ("fe80::1%lo", 443, 0x12345, 7))
    assert len(v6) == 28 and v6[:8] == b"\x0a\x00\x01\xbb\x00\x01\x23\x45" and v6[24:] == b"\x07\x00\x00\x00"
    assert _decode_in6(v6) == Address(abi.AF_INET6, "fe80::1", 443, 0x12345, 7)
    assert _decode_in6(v6[:24]).scope_id == 0           # RFC 2133's shorter sockaddr_in6


def test_host_wait_ignores_closed_fds_without_spinning() -> None:
    import os

    from vkernel import abi
    from vkernel.sources import Sources

    sources = Sources()
    r, w = os.pipe()
    gone_r, gone_w = os.pipe()
    os.close(gone_r)
    os.close(gone_w)
    start = time.monotonic()
    assert sources.wait_host({r: abi.POLLIN, gone_r: abi.POLLIN}, 0.2) == set()
    assert time.monotonic() - start >= 0.15
    os.write(w, b"x")
    assert sources.wait_host({r: abi.POLLIN, gone_r: abi.POLLIN}, None) == {r}
    os.close(r)
    os.close(w)


@pytest.mark.parametrize("seed", ["1", "2"])
def test_random_socket_calls_never_crash_the_kernel(seed: str) -> None:
    """Random arguments to every socket call on live inet sockets: --strict stops the
    run on any exception escaping a handler."""
    out = run_vkemu([program("net_fuzz"), "5000", seed])
    assert out.stdout == b"done: 5000 calls answered\n", out.stderr.decode(errors="replace")[-2000:]
    assert out.returncode == 0


def test_network_program_replays_from_its_recording(tmp_path: Path) -> None:
    """Host sockets go through the kernel's Sources (invariant 4): a recorded run of
    a UDP program replays with the same output without touching the host network."""
    rec = tmp_path / "udp.rec"
    recorded = run_vkemu(["record", "-o", str(rec), program("net_udp")], strict=False)
    assert recorded.returncode == 0, recorded.stderr.decode(errors="replace")[-2000:]
    replayed = run_vkemu(["replay", str(rec)], strict=False)
    assert replayed.returncode == 0, replayed.stderr.decode(errors="replace")[-2000:]
    assert replayed.stdout == recorded.stdout
    assert b"reply 7 CHARLIE from server: yes" in replayed.stdout


def test_wildcard_bind_is_narrowed_to_loopback_unless_net_host() -> None:
    prog = program("net_wildcard")
    assert run_vkemu([prog]).stdout == b"ipv4 wildcard bound to 127.0.0.1\nipv6 wildcard bound to ::1\n"
    assert run_vkemu(["--net=host", prog]).stdout == run_native([prog]).stdout == (
        b"ipv4 wildcard bound to 0.0.0.0\nipv6 wildcard bound to ::\n")
