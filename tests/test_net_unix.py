"""AF_UNIX sockets compared with native runs: stream, datagram and seqpacket between
processes, SCM_RIGHTS and SCM_CREDENTIALS, options and bad input."""
from __future__ import annotations

import pytest

from conftest import program, run_native, run_vkemu

PROGRAMS = ["net_unix_stream", "net_unix_dgram", "net_unix_scm", "net_unix_errors", "net_unix_server"]


@pytest.mark.parametrize("name", PROGRAMS)
def test_unix_sockets_match_native(name: str, variant: str) -> None:
    prog = program(name, variant)
    native, emu = run_native([prog]), run_vkemu([prog])
    assert native.returncode == 0, native.stdout.decode(errors="replace")
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
    assert emu.returncode == native.returncode


def test_socket_trace_decodes_addresses() -> None:
    """--trace shows socket calls as strace does: families, types, sockaddrs, flags."""
    prog = program("net_unix_dgram")
    emu = run_vkemu(["--trace", prog])
    err = emu.stderr.decode(errors="replace")
    assert "socketpair(AF_UNIX, SOCK_DGRAM, 0," in err
    assert 'bind(3, {sa_family=AF_UNIX, sun_path="/tmp/vk-dgram-' in err
    assert "recv" in err and "MSG_TRUNC" in err


@pytest.mark.parametrize("where", ["rw", "ro"])
def test_bind_to_a_path_in_a_host_mount(where: str, tmp_path) -> None:
    """A socket bound in a read-write host mount is a socket file there (EROFS in a
    read-only one), as natively in the same directory."""
    prog = program("net_unix_bindpath")
    mount = tmp_path / "m"
    mount.mkdir()
    if where == "ro":
        native_out = "bind: Read-only file system\n"
    else:
        native = run_native([prog, str(mount / "s")])
        assert native.returncode == 0
        native_out = native.stdout.decode()
    emu = run_vkemu(["-v", f"{mount}:/mnt:{where}", prog, "/mnt/s"])
    assert emu.stdout.decode() == native_out, emu.stderr.decode(errors="replace")[-2000:]
    assert not (mount / "s").exists()


@pytest.mark.parametrize("path", ["/tmp/s", "/run/s", "s"])
def test_bind_to_a_path_in_the_container(path: str, tmp_path) -> None:
    """tmpfs, the root overlay's writable layer and the working directory."""
    prog = program("net_unix_bindpath")
    native = run_native([prog, str(tmp_path / "s")])
    emu = run_vkemu([prog, path])
    assert emu.stdout.decode() == native.stdout.decode(), emu.stderr.decode(errors="replace")[-2000:]
