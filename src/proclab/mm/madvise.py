"""Advice about the use of a range of memory (mm/madvise.c): madvise."""

from __future__ import annotations

from ..arch.x86_64.pgtable import PAGE_MASK, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .mm_struct import VM_SHARED, MmStruct


def do_madvise(mm: MmStruct, start: int, length: int, advice: int) -> int:
    if start & ~PAGE_MASK:
        return -E.EINVAL
    if advice in (M.MADV_DONTNEED, M.MADV_FREE):
        end = start + page_align(length)
        for vma in mm.overlapping(start, end):
            lo, hi = max(vma.start, start), min(vma.end, end)
            if not vma.flags & VM_SHARED or advice == M.MADV_DONTNEED:
                if mm.zap_range(lo, hi):
                    mm.flush_tlb()
    return 0


def sys_madvise(t: TaskStruct, addr: int, length: int, advice: int) -> int:
    return do_madvise(t.mm, addr, length, advice)
