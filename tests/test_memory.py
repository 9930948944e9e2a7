"""AddressSpace unit tests over a fake backend that checks the mirror invariant."""
from __future__ import annotations

import pytest

from vkernel import abi
from vkernel.errors import SyscallError
from vkernel.memory import PAGE, AddressSpace, WXViolation

RW = abi.PROT_READ | abi.PROT_WRITE
RX = abi.PROT_READ | abi.PROT_EXEC


class FakeCPU:
    """Records page permissions the way Unicorn would see them."""

    def __init__(self) -> None:
        self.pages: dict[int, int] = {}

    def map(self, address: int, size: int, prot: int, host_address: int) -> None:
        for page in range(address, address + size, PAGE):
            assert page not in self.pages, "mapped twice"
            self.pages[page] = prot

    def unmap(self, address: int, size: int) -> None:
        for page in range(address, address + size, PAGE):
            del self.pages[page]

    def protect(self, address: int, size: int, prot: int) -> None:
        for page in range(address, address + size, PAGE):
            assert page in self.pages
            self.pages[page] = prot


def mirror_holds(mm: AddressSpace, cpu: FakeCPU) -> bool:
    expected = {page: vma.prot for vma in mm.vmas for page in range(vma.start, vma.end, PAGE)}
    return expected == cpu.pages


@pytest.fixture
def space() -> tuple[AddressSpace, FakeCPU]:
    cpu = FakeCPU()
    return AddressSpace(cpu), cpu


def test_partial_unmap_and_protect_split_and_merge(space) -> None:
    mm, cpu = space
    base = 0x10000000
    mm.map(base, 8 * PAGE, RW)
    mm.write(base + 5 * PAGE, b"keep")
    mm.unmap(base + 2 * PAGE, PAGE)
    mm.protect(base + 4 * PAGE, 2 * PAGE, abi.PROT_READ)
    assert [(v.start - base) // PAGE for v in mm.vmas] == [0, 3, 4, 6]
    assert mirror_holds(mm, cpu)
    assert mm.read(base + 5 * PAGE, 4) == b"keep"
    mm.protect(base + 4 * PAGE, 2 * PAGE, RW)
    assert [(v.start - base) // PAGE for v in mm.vmas] == [0, 3]   # merged back
    assert mirror_holds(mm, cpu)


def test_kernel_access_honours_guest_permissions(space) -> None:
    mm, _ = space
    mm.map(0x20000000, PAGE, abi.PROT_READ)
    with pytest.raises(SyscallError) as exc:
        mm.write(0x20000000, b"x")
    assert exc.value.errno == abi.EFAULT
    with pytest.raises(SyscallError):
        mm.read(0x20000000 + PAGE - 2, 4)          # runs off the end of the mapping
    mm.protect(0x20000000, PAGE, abi.PROT_NONE)
    with pytest.raises(SyscallError):
        mm.read(0x20000000, 1)


def test_reads_across_adjacent_mappings(space) -> None:
    mm, _ = space
    mm.map(0x30000000, PAGE, RW)
    mm.map(0x30000000 + PAGE, PAGE, RW)
    mm.write(0x30000000 + PAGE - 2, b"abcd")
    assert mm.read(0x30000000 + PAGE - 2, 4) == b"abcd"
    assert mm.read_cstring(0x30000000 + PAGE - 2) == b"abcd"


def test_wx_rules(space) -> None:
    mm, cpu = space
    with pytest.raises(WXViolation):
        mm.map(0x40000000, PAGE, RX)                    # anonymous: not attested
    with pytest.raises(WXViolation):
        mm.map(0x40000000, PAGE, RW | abi.PROT_EXEC, attested=True)
    code = mm.map(0x40000000, PAGE, RX, attested=True)  # attested file code: fine
    assert code.prot == RX
    mm.protect(0x40000000, PAGE, abi.PROT_READ)
    mm.protect(0x40000000, PAGE, RX)                    # never writable: may return to X
    mm.protect(0x40000000, PAGE, RW)
    with pytest.raises(WXViolation):
        mm.protect(0x40000000, PAGE, RX)                # once writable, never executable
    assert cpu.pages[0x40000000] == RW                  # a refused request changes nothing


def test_protect_unmapped_hole_is_enomem_and_changes_nothing(space) -> None:
    mm, cpu = space
    mm.map(0x50000000, PAGE, RW)
    mm.map(0x50000000 + 2 * PAGE, PAGE, RW)
    with pytest.raises(SyscallError) as exc:
        mm.protect(0x50000000, 3 * PAGE, abi.PROT_READ)
    assert exc.value.errno == abi.ENOMEM
    assert set(cpu.pages.values()) == {RW}


def test_brk_grows_shrinks_and_zeroes(space) -> None:
    mm, cpu = space
    mm.brk_start = mm.brk = 0x600123
    assert mm.set_brk(0x600123 + 3 * PAGE) == 0x600123 + 3 * PAGE
    mm.write(0x601000, b"data")
    assert mm.set_brk(0x600123) == 0x600123
    assert mm.set_brk(0x600123 + 3 * PAGE) == 0x600123 + 3 * PAGE
    assert mm.read(0x601000, 4) == b"\0\0\0\0"
    assert len([v for v in mm.vmas if v.name == "[heap]"]) == 1
    assert mm.set_brk(0x100) == mm.brk                  # below the start: unchanged
    assert mirror_holds(mm, cpu)


def test_mremap_moves_and_keeps_contents(space) -> None:
    mm, cpu = space
    mm.map(0x70000000, PAGE, RW)
    mm.map(0x70000000 + PAGE, PAGE, abi.PROT_READ)     # blocks growth in place
    mm.write(0x70000000, b"moved")
    new = mm.remap(0x70000000, PAGE, 4 * PAGE, may_move=True, fixed_to=None)
    assert new != 0x70000000 and mm.read(new, 5) == b"moved"
    assert mm.find(0x70000000) is None
    assert mm.remap(new, 4 * PAGE, PAGE, may_move=False, fixed_to=None) == new   # shrink in place
    assert mm.find(new + PAGE) is None
    mm.map(new + PAGE, PAGE, RW)
    with pytest.raises(SyscallError) as exc:                # cannot grow, may not move
        mm.remap(new, PAGE, 2 * PAGE, may_move=False, fixed_to=None)
    assert exc.value.errno == abi.ENOMEM
    assert mirror_holds(mm, cpu)
