"""Address-space limits and memory locks without a CPU (issue 15 item 3):
RLIMIT_AS and RLIMIT_DATA in mmap, brk, mremap and mprotect (may_expand_vm),
and mlock/munlock/mlockall with RLIMIT_MEMLOCK."""

from __future__ import annotations

import pytest

from proclab.arch.x86_64.pgtable import PAGE_SIZE
from proclab.mm import mlock as ML
from proclab.mm.memory import dup_mmap
from proclab.mm.mm_struct import VM_LOCKED, VM_LOCKONFAULT, MmStruct
from proclab.mm.mmap import VmLimits, do_brk, do_mmap
from proclab.mm.mprotect import do_mprotect
from proclab.mm.mremap import do_mremap
from proclab.mm.physmem import PhysMem
from proclab.uapi import errno as E
from proclab.uapi import mman as M

RW = M.PROT_READ | M.PROT_WRITE
ANON = M.MAP_PRIVATE | M.MAP_ANONYMOUS
MB = 1 << 20
USER = VmLimits(memlock=2 * PAGE_SIZE, ipc_lock=False)


@pytest.fixture
def mm() -> MmStruct:
    return MmStruct(PhysMem(4 << 20))


def test_rlimit_as_counts_every_mapping_and_fixed_replacement_only_once(mm: MmStruct) -> None:
    lim = VmLimits(as_=4 * MB)
    a = do_mmap(mm, 0, 3 * MB, M.PROT_READ, ANON, lim=lim)
    assert a > 0
    assert do_mmap(mm, 0, 2 * MB, M.PROT_READ, ANON, lim=lim) == -E.ENOMEM
    assert do_mmap(mm, a, 3 * MB, RW, ANON | M.MAP_FIXED, lim=lim) == a
    assert do_mremap(mm, a, 3 * MB, 5 * MB, M.MREMAP_MAYMOVE, 0, lim) == -E.ENOMEM
    assert mm.total_vm() == (3 * MB) // PAGE_SIZE


def test_rlimit_data_limits_private_writable_mappings_brk_and_mprotect(mm: MmStruct) -> None:
    lim = VmLimits(data=MB)
    assert do_mmap(mm, 0, 2 * MB, RW, ANON, lim=lim) == -E.ENOMEM
    assert do_mmap(mm, 0, 2 * MB, RW, M.MAP_SHARED | M.MAP_ANONYMOUS, lim=lim) > 0
    ro = do_mmap(mm, 0, 2 * MB, M.PROT_READ, ANON, lim=lim)
    assert do_mprotect(mm, ro, 2 * MB, RW, lim) == -E.ENOMEM
    mm.start_brk = mm.brk = 0x600000
    assert do_brk(mm, mm.brk + 2 * MB, lim) == 0x600000
    assert do_brk(mm, mm.brk + PAGE_SIZE, lim) == 0x600000 + PAGE_SIZE
    # a zero soft limit falls back to the hard one (the Valgrind workaround)
    assert do_mmap(mm, 0, PAGE_SIZE, RW, ANON, lim=VmLimits(data=0)) > 0
    assert do_mmap(mm, 0, PAGE_SIZE, RW, ANON, lim=VmLimits(data=0, data_max=0)) == -E.ENOMEM


def test_mlock_populates_splits_and_counts_locked_pages_once(mm: MmStruct) -> None:
    a = do_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON)
    assert ML.do_mlock(mm, USER, a, PAGE_SIZE, VM_LOCKED) == 0
    assert (a >> 12) in mm.pgtable and (a >> 12) + 1 not in mm.pgtable
    assert [v.flags & VM_LOCKED for v in mm.vmas()] == [VM_LOCKED, 0]
    assert ML.do_mlock(mm, USER, a, 2 * PAGE_SIZE, VM_LOCKED) == 0
    assert ML.do_mlock(mm, USER, a, 3 * PAGE_SIZE, VM_LOCKED) == -E.ENOMEM
    assert mm.locked_vm() == 2
    assert ML.do_munlock(mm, a, 4 * PAGE_SIZE) == 0 and mm.locked_vm() == 0
    assert ML.do_mlock(mm, USER, a + 4 * PAGE_SIZE, PAGE_SIZE, VM_LOCKED) == -E.ENOMEM
    assert ML.do_mlock(mm, VmLimits(memlock=0, ipc_lock=False), a, PAGE_SIZE, VM_LOCKED) == -E.EPERM


def test_onfault_locks_without_populating(mm: MmStruct) -> None:
    a = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON)
    assert ML.do_mlock(mm, VmLimits(), a, 2 * PAGE_SIZE, VM_LOCKED | VM_LOCKONFAULT) == 0
    assert not mm.pgtable and mm.locked_vm() == 2


def test_mlockall_future_locks_new_mappings_and_fork_drops_the_locks(mm: MmStruct) -> None:
    assert ML.do_mlockall(mm, VmLimits(), 0) == -E.EINVAL
    assert ML.do_mlockall(mm, VmLimits(), ML.MCL_ONFAULT) == -E.EINVAL
    assert ML.do_mlockall(mm, VmLimits(), ML.MCL_FUTURE) == 0
    a = do_mmap(mm, 0, 2 * PAGE_SIZE, RW, ANON)
    assert len(mm.pgtable) == 2 and mm.locked_vm() == 2
    assert do_mmap(mm, 0, 4 * PAGE_SIZE, RW, ANON, lim=USER) == -E.EAGAIN
    child, _ = dup_mmap(mm)
    assert child.locked_vm() == 0 and child.def_flags == 0
    ML.apply_mlockall_flags(mm, 0)
    assert mm.locked_vm() == 0 and mm.def_flags == 0 and mm.find_vma(a) is not None
