"""MAP_SHARED file mappings are coherent as Linux's page cache: every shared mapping of a
file, in any process, and read/write on it see the same bytes (vkernel/pagecache.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import program, run_native, run_vkemu
from test_memory import FakeCPU
from vkernel import abi, memory
from vkernel.errors import SyscallError
from vkernel.memory import PAGE, AddressSpace
from vkernel.vfs.inode import InodeNumbers
from vkernel.vfs.memfs import MemFS, MemInode

RW = abi.PROT_READ | abi.PROT_WRITE


def _native(variant: str, tmp_path: Path):
    native_dir = tmp_path / "native"
    native_dir.mkdir()
    res = run_native([program("mmap_shared", variant), str(native_dir)])
    assert res.returncode == 0, res.stdout.decode()
    assert not list(native_dir.iterdir())        # the program removes its file
    return res


@pytest.mark.parametrize("where", ["/tmp", "/var/tmp", "/dev/shm"])
def test_in_memory_file_matches_linux(variant: str, where: str, tmp_path: Path) -> None:
    """The file in memory: a tmpfs (/tmp, /dev/shm) or the default root overlay's upper layer."""
    native = _native(variant, tmp_path)
    res = run_vkemu([program("mmap_shared", variant), where])
    assert res.stdout == native.stdout
    assert res.returncode == 0, res.stderr.decode()


def test_host_file_matches_linux(variant: str, tmp_path: Path) -> None:
    """The file on a read-write host mount: msync and munmap reach the host file."""
    native = _native(variant, tmp_path)
    vol = tmp_path / "vol"
    vol.mkdir()
    res = run_vkemu(["-v", f"{vol}:/data:rw", program("mmap_shared", variant), "/data", "kept"])
    assert res.stdout == native.stdout
    assert res.returncode == 0, res.stderr.decode()
    assert [p.name for p in vol.iterdir()] == ["kept"]
    assert (vol / "kept").read_bytes() == b"stored through a map".ljust(PAGE, b"\0")


# -- the page cache under two address spaces (a fake backend, no CPU) --------------------

@pytest.fixture
def memfile() -> MemInode:
    fs = MemFS(InodeNumbers(), 1)
    node = fs.root().create(b"f", 0o644, 0, 0)
    assert isinstance(node, MemInode)
    return node


def test_two_address_spaces_share_one_cache(memfile: MemInode) -> None:
    writer, reader = memfile.open(abi.O_RDWR), memfile.open(abi.O_RDONLY)
    writer.write([b"x" * 10])
    cpu1, cpu2 = FakeCPU(), FakeCPU()
    mm1, mm2 = AddressSpace(cpu1), AddressSpace(cpu2)
    mm1.map(0x10000000, 2 * PAGE, RW, shared=True, file=writer)
    mm2.map(0x20000000, 2 * PAGE, abi.PROT_READ, shared=True, file=reader, may_write=False)
    mm1.write(0x10000000 + 3, b"STORE")
    assert mm2.read(0x20000000, 10) == b"xxxSTORExx"
    buf = bytearray(10)
    view = memoryview(buf)
    assert reader.read_at([view[:4], view[4:]], 0) == 10       # read(2) sees the store
    assert bytes(buf) == b"xxxSTORExx"
    assert bytes(memfile.data[3:8]) == b"xxxxx"                 # not written back yet
    writer.write_at([b"W"], 0)
    assert mm1.read(0x10000000, 1) == mm2.read(0x20000000, 1) == b"W"
    # The second page is past the end of the file: closed in both backends, until it grows.
    assert cpu1.pages[0x10000000 + PAGE] == cpu2.pages[0x20000000 + PAGE] == abi.PROT_NONE
    assert mm1.past_end_of_file(0x10000000 + PAGE, abi.PROT_WRITE)
    with pytest.raises(SyscallError) as exc:
        mm2.read(0x20000000 + PAGE - 4, 8)                      # the kernel's access: EFAULT
    assert exc.value.errno == abi.EFAULT
    assert mm2.accessible(0x20000000 + PAGE - 4, 8, writable=False) == 4
    writer.truncate(PAGE + 1)
    assert cpu1.pages[0x10000000 + PAGE] == RW and cpu2.pages[0x20000000 + PAGE] == abi.PROT_READ
    assert mm2.read(0x20000000 + PAGE - 4, 8) == bytes(8)
    mm1.unmap(0x10000000, 2 * PAGE)
    assert bytes(memfile.data[:8]) == b"WxxSTORE"               # the writable map wrote back
    assert memfile.fs.numbers.page_caches                        # mm2 still maps it
    mm2.unmap(0x20000000, 2 * PAGE)
    assert not memfile.fs.numbers.page_caches                    # gone with the last mapping


def test_fork_and_splits_keep_the_cache_count(memfile: MemInode) -> None:
    desc = memfile.open(abi.O_RDWR)
    desc.truncate(4 * PAGE)
    mm = AddressSpace(FakeCPU())
    mm.map(0x10000000, 4 * PAGE, RW, shared=True, file=desc)
    mm.protect(0x10000000 + PAGE, PAGE, abi.PROT_READ)          # three VMAs now
    child = mm.fork(FakeCPU())
    child.write(0x10000000 + 3 * PAGE, b"child")
    assert mm.read(0x10000000 + 3 * PAGE, 5) == b"child"
    mm.release_all()
    assert memfile.fs.numbers.page_caches
    child.release_all()
    assert not memfile.fs.numbers.page_caches
    assert bytes(memfile.data[3 * PAGE:3 * PAGE + 5]) == b"child"


def test_a_failed_load_leaves_no_cache(memfile: MemInode) -> None:
    desc = memfile.open(abi.O_RDWR)

    def broken(views, offset):
        raise SyscallError(abi.EIO)
    desc.pread = broken  # type: ignore[method-assign]
    mm = AddressSpace(FakeCPU())
    with pytest.raises(SyscallError):
        mm.map(0x10000000, PAGE, RW, shared=True, file=desc)
    assert not memfile.fs.numbers.page_caches


def test_a_map_past_the_reservation_is_a_copy_kept_coherent_at_sync(memfile: MemInode, monkeypatch) -> None:
    """A shared map reaching past its cache's reservation is a private copy: it starts
    from the cache's bytes and msync writes through the cache."""
    monkeypatch.setattr(memory, "RESERVE_MIN", 4 * PAGE)
    desc = memfile.open(abi.O_RDWR)
    desc.truncate(10 * PAGE)
    mm = AddressSpace(FakeCPU())
    mm.map(0x10000000, 2 * PAGE, RW, shared=True, file=desc)     # reserves 8 pages
    mm.write(0x10000000, b"cached")
    copy = mm.map(0x20000000, 10 * PAGE, RW, shared=True, file=desc)
    assert copy.cache is None and mm.read(0x20000000, 6) == b"cached"
    mm.write(0x20000000 + PAGE, b"copied")
    assert mm.read(0x10000000 + PAGE, 6) == bytes(6)             # not coherent until msync
    mm.sync(0x20000000, 10 * PAGE)
    assert mm.read(0x10000000 + PAGE, 6) == b"copied"


def test_a_private_map_starts_from_the_shared_stores(memfile: MemInode) -> None:
    desc = memfile.open(abi.O_RDWR)
    desc.truncate(PAGE)
    mm = AddressSpace(FakeCPU())
    mm.map(0x10000000, PAGE, RW, shared=True, file=desc)
    mm.write(0x10000000, b"shared")
    mm.map(0x20000000, PAGE, RW, file=desc)
    assert mm.read(0x20000000, 6) == b"shared"
    mm.write(0x20000000, b"privat")
    assert mm.read(0x10000000, 6) == b"shared"
