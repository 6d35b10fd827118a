"""Memory management without a CPU: demand paging, copy-on-write, unmapping,
protections, the heap and the placement of mappings (SEMANTICS F6, M1, E3)."""

from __future__ import annotations

import pytest

from proclab.arch.x86_64.pgtable import ACCESS_FETCH, ACCESS_READ, ACCESS_WRITE, PAGE_SIZE, _PAGE_WRITE
from proclab.mm import fault as F
from proclab.mm.memory import dup_mmap
from proclab.mm.mm_struct import MMAP_BASE, MmStruct
from proclab.mm.mmap import do_brk, do_mmap, do_munmap
from proclab.mm.mprotect import do_mprotect
from proclab.mm.mremap import do_mremap
from proclab.mm.physmem import PhysMem
from proclab.uapi import errno as E
from proclab.uapi import mman as M

RW = M.PROT_READ | M.PROT_WRITE
ANON = M.MAP_PRIVATE | M.MAP_ANONYMOUS


@pytest.fixture
def mm() -> MmStruct:
    return MmStruct(PhysMem(4 << 20))


def test_first_read_maps_the_zero_page_then_a_write_gets_a_frame(mm: MmStruct) -> None:
    addr = do_mmap(mm, 0, PAGE_SIZE, RW, ANON)
    kind, pte = F.handle_mm_fault(mm, addr, ACCESS_READ)
    assert kind == F.FAULT_MINOR and pte >> 12 == mm.phys.zero_pfn and not pte & _PAGE_WRITE
    kind, pte = F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert kind == F.FAULT_MINOR and pte >> 12 != mm.phys.zero_pfn and pte & _PAGE_WRITE


def test_fork_shares_frames_and_the_first_write_copies(mm: MmStruct) -> None:
    phys = mm.phys
    addr = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON)
    for page in (addr, addr + PAGE_SIZE):
        F.handle_mm_fault(mm, page, ACCESS_WRITE)
    frame = mm.pgtable[addr >> 12] >> 12
    phys.write(frame, 0, b"parent")
    child, stats = dup_mmap(mm)
    assert stats.pages == 2 and stats.write_protected == 2
    assert child.pgtable == mm.pgtable and phys.refcount[frame] == 2
    # the child writes: it gets a copy, the parent keeps the original
    kind, pte = F.handle_mm_fault(child, addr, ACCESS_WRITE)
    assert kind == F.FAULT_COW_COPY
    assert phys.read(pte >> 12, 0, 6) == b"parent" and pte >> 12 != frame
    phys.write(pte >> 12, 0, b"child!")
    assert phys.read(frame, 0, 6) == b"parent"
    # the parent is now the frame's only user: writing just restores the right
    kind, pte = F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert kind == F.FAULT_COW_REUSE and pte >> 12 == frame


def test_shared_anonymous_memory_stays_shared_across_fork(mm: MmStruct) -> None:
    addr = do_mmap(mm, 0, PAGE_SIZE, RW, M.MAP_SHARED | M.MAP_ANONYMOUS)
    child, _ = dup_mmap(mm)
    _, p1 = F.handle_mm_fault(child, addr, ACCESS_WRITE)   # touched first after fork
    _, p2 = F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert p1 >> 12 == p2 >> 12


def test_segv_kinds(mm: MmStruct) -> None:
    ro = do_mmap(mm, 0, PAGE_SIZE, M.PROT_READ, ANON)
    assert F.handle_mm_fault(mm, 0x1000, ACCESS_READ)[0] == F.FAULT_SEGV_MAPERR
    assert F.handle_mm_fault(mm, ro, ACCESS_WRITE)[0] == F.FAULT_SEGV_ACCERR
    assert F.handle_mm_fault(mm, ro, ACCESS_FETCH)[0] == F.FAULT_SEGV_ACCERR


def test_munmap_frees_the_frames(mm: MmStruct) -> None:
    phys = mm.phys
    before = phys.used_frames()
    addr = do_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON)
    for i in range(4):
        F.handle_mm_fault(mm, addr + i * PAGE_SIZE, ACCESS_WRITE)
    assert phys.used_frames() == before + 4
    assert do_munmap(mm, addr + PAGE_SIZE, 2 * PAGE_SIZE) == 0
    assert phys.used_frames() == before + 2
    assert [(v.start, v.end) for v in mm.vmas()] == [(addr, addr + PAGE_SIZE), (addr + 3 * PAGE_SIZE, addr + 4 * PAGE_SIZE)]
    assert F.handle_mm_fault(mm, addr + PAGE_SIZE, ACCESS_READ)[0] == F.FAULT_SEGV_MAPERR
    mm.release()
    assert phys.used_frames() == before


def test_mprotect_takes_away_and_gives_back(mm: MmStruct) -> None:
    addr = do_mmap(mm, 0, PAGE_SIZE, RW, ANON)
    F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    assert do_mprotect(mm, addr, PAGE_SIZE, M.PROT_READ) == 0
    assert not mm.pgtable[addr >> 12] & _PAGE_WRITE
    assert F.handle_mm_fault(mm, addr, ACCESS_WRITE)[0] == F.FAULT_SEGV_ACCERR
    assert do_mprotect(mm, addr, PAGE_SIZE, RW) == 0
    assert F.handle_mm_fault(mm, addr, ACCESS_WRITE)[0] == F.FAULT_COW_REUSE
    assert do_mprotect(mm, addr + PAGE_SIZE, PAGE_SIZE, RW) == -E.ENOMEM


def test_mappings_go_top_down_below_mmap_base(mm: MmStruct) -> None:
    a = do_mmap(mm, 0, PAGE_SIZE, RW, ANON)
    b = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON)
    assert a == MMAP_BASE - PAGE_SIZE and b == a - 2 * PAGE_SIZE
    do_munmap(mm, a, PAGE_SIZE)
    assert do_mmap(mm, 0, PAGE_SIZE, RW, ANON) == a   # the hole is reused


def test_brk_grows_and_shrinks_the_heap(mm: MmStruct) -> None:
    mm.start_brk = mm.brk = 0x600000
    assert do_brk(mm, 0) == 0x600000
    assert do_brk(mm, 0x600000 + 3 * PAGE_SIZE + 5) == 0x600000 + 3 * PAGE_SIZE + 5
    heap = mm.find_vma(0x600000)
    assert heap is not None and heap.name == "[heap]" and heap.end == 0x600000 + 4 * PAGE_SIZE
    F.handle_mm_fault(mm, 0x600000 + 3 * PAGE_SIZE, ACCESS_WRITE)
    assert do_brk(mm, 0x600000 + PAGE_SIZE) == 0x600000 + PAGE_SIZE
    assert (0x600000 + 3 * PAGE_SIZE) >> 12 not in mm.pgtable


def test_mremap_moves_pages(mm: MmStruct) -> None:
    addr = do_mmap(mm, 0, PAGE_SIZE, RW, ANON)
    do_mmap(mm, addr - PAGE_SIZE, PAGE_SIZE, RW, ANON | M.MAP_FIXED)  # below: no room to grow down
    do_mmap(mm, addr + PAGE_SIZE, PAGE_SIZE, RW, ANON | M.MAP_FIXED)  # above: no room to grow up
    _, pte = F.handle_mm_fault(mm, addr, ACCESS_WRITE)
    mm.phys.write(pte >> 12, 0, b"moved")
    assert do_mremap(mm, addr, PAGE_SIZE, 2 * PAGE_SIZE, 0, 0) == -E.ENOMEM
    new = do_mremap(mm, addr, PAGE_SIZE, 2 * PAGE_SIZE, M.MREMAP_MAYMOVE, 0)
    assert new > 0 and new != addr
    assert mm.phys.read(mm.pgtable[new >> 12] >> 12, 0, 5) == b"moved"
    assert mm.find_vma(addr) is None
