"""Writing a mapping back to its file (mm/msync.c): msync."""

from __future__ import annotations

from ..arch.x86_64.pgtable import PAGE_MASK, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .filemap import filemap_write_and_wait_range
from .mm_struct import VM_LOCKED, VM_SHARED, MmStruct


def do_msync(mm: MmStruct, start: int, length: int, flags: int) -> int:
    """msync(): the flags and the range are checked as mm/msync.c does.
    MS_SYNC writes back the part of each shared file mapping in the range
    (vfs_fsync_range(): the file's dirty pages there, whichever mapping
    dirtied them); MS_ASYNC starts nothing, as since Linux 2.6.19. A hole in
    the range is -ENOMEM (at once for a plain MS_ASYNC, after the rest
    otherwise); MS_INVALIDATE of a locked mapping is -EBUSY."""
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
            pos = vma.start
        if flags & M.MS_INVALIDATE and vma.flags & VM_LOCKED:
            return -E.EBUSY
        stop = min(end, vma.end)
        if flags & M.MS_SYNC and vma.flags & VM_SHARED and vma.file is not None:
            filemap_write_and_wait_range(mm.phys, vma.file, vma.page_offset(pos),
                                         vma.page_offset(stop - 1))
        pos = vma.end
    return -E.ENOMEM if pos < end else unmapped_error


def sys_msync(t: TaskStruct, addr: int, length: int, flags: int) -> int:
    return do_msync(t.mm, addr, length, flags)
