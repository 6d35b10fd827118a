"""Writing a mapping back to its file (mm/msync.c): msync."""

from __future__ import annotations

from ..arch.x86_64.pgtable import PAGE_MASK, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .mm_struct import MmStruct


def do_msync(mm: MmStruct, start: int, length: int, flags: int) -> int:
    """msync(): the flags and the range are checked as mm/msync.c does. There
    is nothing to write back: a MAP_SHARED mapping uses the file's own page
    frames (the writable layer's files live in memory) and host files are
    never written, so vfs_fsync_range() has no work. A hole in the range is
    -ENOMEM (at once for a plain MS_ASYNC, after the rest otherwise)."""
    if flags & ~(M.MS_ASYNC | M.MS_INVALIDATE | M.MS_SYNC) or start & ~PAGE_MASK:
        return -E.EINVAL
    if flags & M.MS_ASYNC and flags & M.MS_SYNC:
        return -E.EINVAL
    end = start + page_align(length)
    unmapped_error = 0
    pos = start
    for vma in mm.overlapping(start, end):
        if vma.start > pos:
            if flags == M.MS_ASYNC:
                return -E.ENOMEM
            unmapped_error = -E.ENOMEM
        pos = vma.end
    return -E.ENOMEM if pos < end else unmapped_error


def sys_msync(t: TaskStruct, addr: int, length: int, flags: int) -> int:
    return do_msync(t.mm, addr, length, flags)
