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
