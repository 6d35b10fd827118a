"""Copying an address space for fork (kernel/fork.c dup_mmap and
mm/memory.c copy_page_range).

fork copies the VMAs and the page table, not the memory: every private writable
page loses its write right in *both* page tables and its frame gains a user, so
that the first write by either process faults and copies it (SEMANTICS F6).
Pages of shared mappings keep their rights and stay shared.
"""

from __future__ import annotations

from typing import NamedTuple

from ..arch.x86_64.pgtable import PAGE_SHIFT, _PAGE_WRITE
from .mm_struct import VM_LOCKED_MASK, VM_SHARED, MmStruct, VmArea


class ForkStats(NamedTuple):
    """What copy_page_range did: pages now shared, of which write-protected."""

    pages: int
    write_protected: int


def dup_mmap(old: MmStruct) -> tuple[MmStruct, ForkStats]:
    """A copy of `old` sharing every frame copy-on-write. The caller flushes the
    TLB of `old` (its writable PTEs just became read-only). Locks are not
    inherited: the copies lose VM_LOCKED, the new mm has no def_flags."""
    new = MmStruct(old.phys)
    for field in ("start_code", "end_code", "start_data", "end_data", "start_brk", "brk",
                  "start_stack", "arg_start", "arg_end", "env_start", "env_end",
                  "mmap_base", "exe_file", "stack_limit"):
        setattr(new, field, getattr(old, field))
    new.set_exe(old.exe_inode)
    shared_ranges = []
    for vma in old.vmas():
        copy = VmArea(vma.start, vma.end, vma.flags & ~VM_LOCKED_MASK, vma.file, vma.pgoff, vma.name)
        if copy.file is not None:
            copy.file.get()
        new.insert_vma(copy)
        if vma.flags & VM_SHARED:
            shared_ranges.append((vma.start >> PAGE_SHIFT, vma.end >> PAGE_SHIFT))
    stats = copy_page_range(old, new, shared_ranges)
    return new, stats


def copy_page_range(old: MmStruct, new: MmStruct, shared_ranges: list[tuple[int, int]]) -> ForkStats:
    oldpt = old.pgtable
    newpt = new.pgtable
    refcount = old.phys.refcount
    protected = 0
    for vpn, pte in oldpt.items():
        if pte & _PAGE_WRITE and not _in_ranges(vpn, shared_ranges):
            pte &= ~_PAGE_WRITE
            oldpt[vpn] = pte  # same key: safe while iterating
            protected += 1
        newpt[vpn] = pte
        refcount[pte >> PAGE_SHIFT] += 1
    return ForkStats(len(newpt), protected)


def _in_ranges(vpn: int, ranges: list[tuple[int, int]]) -> bool:
    for lo, hi in ranges:
        if lo <= vpn < hi:
            return True
    return False
