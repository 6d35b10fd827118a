"""Copying an address space for fork (kernel/fork.c dup_mmap and
mm/memory.c copy_page_range).

fork copies the VMAs and the page table, not the memory: every private writable
page loses its write right in *both* page tables and its frame gains a user, so
that the first write by either process faults and copies it (SEMANTICS F6).
Pages of shared mappings keep their rights and stay shared.

The work is proportional to the VMAs and to the pages present, never to the
size of the mappings: the VMA tree is copied block by block (its gap index is
rebuilt only if the child looks for free space), the page table is copied as a
whole by the dict, and only the writable PTEs are visited again.
"""

from __future__ import annotations

from typing import NamedTuple

from ..arch.x86_64.pgtable import PAGE_SHIFT, _PAGE_WRITE
from .mm_struct import VM_LOCKED_MASK, VM_SHARED, MmStruct


class ForkStats(NamedTuple):
    """What copy_page_range did: pages now shared, of which write-protected."""

    pages: int
    write_protected: int


def dup_mmap(old: MmStruct) -> tuple[MmStruct, ForkStats]:
    """A copy of `old` sharing every frame copy-on-write. The caller flushes the
    TLB of `old` (its writable PTEs just became read-only). Locks are not
    inherited: the copies lose VM_LOCKED, the new mm has no def_flags."""
    new = MmStruct(old.phys, old.sysctl)
    new.start_code, new.end_code = old.start_code, old.end_code
    new.start_data, new.end_data = old.start_data, old.end_data
    new.start_brk, new.brk, new.start_stack = old.start_brk, old.brk, old.start_stack
    new.arg_start, new.arg_end = old.arg_start, old.arg_end
    new.env_start, new.env_end = old.env_start, old.env_end
    new.mmap_base, new.exe_file, new.stack_limit = old.mmap_base, old.exe_file, old.stack_limit
    new.set_exe(old.exe_inode)
    new.mm_mt = old.mm_mt.copy(~VM_LOCKED_MASK)
    new.total_pages, new.data_pages = old.total_pages, old.data_pages
    shared_ranges: list[tuple[int, int]] = []
    for vma in new.mm_mt:
        if vma.file is not None:  # vm_area_dup's vma open, and the link in i_mmap
            vma.file.get()
            vma.file.i_mmap[vma] = new
            if vma.flags & VM_SHARED:
                shared_ranges.append((vma.start >> PAGE_SHIFT, vma.end >> PAGE_SHIFT))
    stats = copy_page_range(old, new, shared_ranges)
    return new, stats


def copy_page_range(old: MmStruct, new: MmStruct, shared_ranges: list[tuple[int, int]]) -> ForkStats:
    """Share every present page with `new`: one more user per frame, and the
    writable PTEs of private mappings write-protected in `old` before the
    table is copied (so in both)."""
    oldpt = old.pgtable
    refcount = old.phys.refcount
    for pte in oldpt.values():
        refcount[pte >> PAGE_SHIFT] += 1
    cow = [vpn for vpn, pte in oldpt.items() if pte & _PAGE_WRITE]
    if shared_ranges and cow:
        cow = [vpn for vpn in cow if not _in_ranges(vpn, shared_ranges)]
    for vpn in cow:
        oldpt[vpn] &= ~_PAGE_WRITE  # same key: the table's order is kept
    new.pgtable = oldpt.copy()
    return ForkStats(len(oldpt), len(cow))


def _in_ranges(vpn: int, ranges: list[tuple[int, int]]) -> bool:
    for lo, hi in ranges:
        if lo <= vpn < hi:
            return True
    return False
