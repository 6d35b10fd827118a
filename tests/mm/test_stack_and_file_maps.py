"""Issue 15: stack growth within RLIMIT_STACK, RLIMIT_AS and the guard gap
(expand_stack, acct_stack_growth); the times and writeback of a file's shared
mappings (page_mkwrite, msync); the RLIMIT_DATA warning."""

from __future__ import annotations

import re

import pytest

from conftest import program, run_sim
from proclab.arch.x86_64.pgtable import ACCESS_READ, ACCESS_WRITE, PAGE_SIZE, STACK_TOP, _PAGE_WRITE
from proclab.fs.inode import SuperBlock
from proclab.fs.memfs import MemFile
from proclab.kernel.kernel import KernelConfig
from proclab.mm import fault as F
from proclab.mm.mm_struct import VM_GROWSDOWN, VM_READ, VM_WRITE, MmStruct, VmArea
from proclab.mm.mmap import STACK_GUARD_GAP, VmLimits, do_mmap, expand_stack
from proclab.mm.msync import do_msync
from proclab.mm.physmem import PhysMem
from proclab.uapi import mman as M
from proclab.uapi.resource import RLIM_INFINITY, RLIMIT_STACK

KB = 1 << 10
STACK = VM_READ | VM_WRITE | VM_GROWSDOWN


@pytest.fixture
def mm() -> MmStruct:
    mm = MmStruct(PhysMem(4 << 20))
    mm.insert_vma(VmArea(STACK_TOP - 128 * KB, STACK_TOP, STACK, name="[stack]"))
    return mm


def test_the_stack_grows_to_the_faulting_page_within_rlimit_stack(mm: MmStruct) -> None:
    lim = VmLimits(stack=256 * KB)
    addr = STACK_TOP - 200 * KB - 5
    vma = expand_stack(mm, addr, lim)
    assert vma is not None and vma.start == addr & ~(PAGE_SIZE - 1)
    assert mm.total_vm() == (200 * KB + PAGE_SIZE) // PAGE_SIZE
    assert expand_stack(mm, STACK_TOP - 256 * KB, lim) is not None  # exactly the limit
    assert expand_stack(mm, STACK_TOP - 256 * KB - 1, lim) is None
    assert F.handle_mm_fault(mm, STACK_TOP - 256 * KB - 1, ACCESS_WRITE)[0] == F.FAULT_SEGV_MAPERR


def test_stack_growth_counts_against_rlimit_as(mm: MmStruct) -> None:
    lim = VmLimits(as_=160 * KB)
    assert expand_stack(mm, STACK_TOP - 160 * KB, lim) is not None
    assert expand_stack(mm, STACK_TOP - 160 * KB - 1, lim) is None


def test_the_guard_gap_keeps_the_stack_from_accessible_mappings_only(mm: MmStruct) -> None:
    lim = VmLimits()
    below = STACK_TOP - 128 * KB - STACK_GUARD_GAP - 64 * KB
    assert do_mmap(mm, below, PAGE_SIZE, M.PROT_READ, M.MAP_PRIVATE | M.MAP_ANONYMOUS | M.MAP_FIXED) == below
    floor = below + PAGE_SIZE + STACK_GUARD_GAP
    assert expand_stack(mm, floor, lim) is not None
    assert expand_stack(mm, floor - 1, lim) is None
    # The same mapping with no access right keeps no gap.
    do_mmap(mm, below, PAGE_SIZE, M.PROT_NONE, M.MAP_PRIVATE | M.MAP_ANONYMOUS | M.MAP_FIXED)
    assert expand_stack(mm, below + PAGE_SIZE, lim) is not None
    assert F.handle_mm_fault(mm, below + PAGE_SIZE - 1, ACCESS_READ)[0] == F.FAULT_SEGV_ACCERR


def test_only_a_growsdown_vma_grows(mm: MmStruct) -> None:
    heap = do_mmap(mm, 0, PAGE_SIZE, M.PROT_READ | M.PROT_WRITE, M.MAP_PRIVATE | M.MAP_ANONYMOUS)
    assert expand_stack(mm, heap - 1, VmLimits()) is None


class Clock:
    def __init__(self) -> None:
        self.ns = 1_000_000_000_000

    def __call__(self) -> int:
        self.ns += 1000
        return self.ns


def mapped_file(size: int) -> tuple[MmStruct, MemFile, int]:
    phys = PhysMem(4 << 20)
    f = MemFile(SuperBlock(Clock()), phys, 0o644)
    f.write(0, b"d" * size)
    mm = MmStruct(phys)
    addr = do_mmap(mm, 0, 2 * PAGE_SIZE, M.PROT_READ | M.PROT_WRITE, M.MAP_SHARED, f.mapping())
    return mm, f, addr


def test_a_store_through_a_shared_mapping_stamps_the_file_once_per_writeback() -> None:
    mm, f, addr = mapped_file(PAGE_SIZE + 100)
    stamp = f.mtime
    _, pte = F.handle_mm_fault(mm, addr, ACCESS_READ)
    assert not pte & _PAGE_WRITE and f.mtime == stamp       # read: clean, write-protected
    _, pte = F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert pte & _PAGE_WRITE and f.mtime > stamp and f.ctime == f.mtime
    assert f.dirty == {0}
    stamp = f.mtime
    assert do_msync(mm, addr, 2 * PAGE_SIZE, M.MS_SYNC) == 0
    assert f.dirty == set() and not mm.pgtable[addr >> 12] & _PAGE_WRITE and f.mtime == stamp
    F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert f.mtime > stamp


def test_writeback_zeroes_the_last_page_past_the_end_of_the_file() -> None:
    mm, f, addr = mapped_file(PAGE_SIZE + 100)
    _, pte = F.handle_mm_fault(mm, addr + PAGE_SIZE + 200, ACCESS_WRITE)
    mm.phys.write(pte >> 12, 200, b"G")
    assert f.size == PAGE_SIZE + 100 and f.read(PAGE_SIZE, PAGE_SIZE) == b"d" * 100
    assert do_msync(mm, addr, PAGE_SIZE, M.MS_SYNC) == 0     # page 0 only: not written
    assert mm.phys.read(pte >> 12, 200, 1) == b"G"
    assert do_msync(mm, addr, 2 * PAGE_SIZE, M.MS_SYNC) == 0
    assert mm.phys.read(pte >> 12, 100, PAGE_SIZE - 100) == bytes(PAGE_SIZE - 100)
    assert mm.phys.read(pte >> 12, 0, 100) == b"d" * 100


def test_rlimit_data_refusal_warns_once_as_linux() -> None:
    sim = run_sim(program("rlimit_data"))
    lines = [m for m in sim.kernel.log if m.startswith("mmap: ")]
    assert len(lines) == 1
    assert re.fullmatch(r"mmap: \S+ \(\d+\): VmData \d+ exceed data ulimit \d+\. "
                        r"Update limits or use boot option ignore_rlimit_data\.", lines[0])


def test_an_inherited_rlimit_stack_bounds_the_first_program() -> None:
    def run(stack: int) -> tuple[int, int]:
        config = KernelConfig(memory=256 << 20, rlimits={RLIMIT_STACK: (stack, RLIM_INFINITY)})
        sim = run_sim(program("rlimit_stack"), ("recurse",), config=config)
        return sim.status, sim.kernel.phys.allocations

    small, big = run(256 * KB), run(8 << 20)
    assert small[0] == big[0] == 128 + 11
    assert big[1] - small[1] > (7 << 20) // PAGE_SIZE       # the 8 MiB stack got its pages
