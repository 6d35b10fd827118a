"""Which pages of a range are resident (mm/mincore.c): mincore.

The vector goes to user memory, so the entry point is a method of `Mincore`,
which the kernel constructs with its user-access routines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, TASK_SIZE, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from .mm_struct import MmStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..arch.x86_64.uaccess import UserAccess


def do_mincore(mm: MmStruct, start: int, length: int) -> bytes | int:
    """mincore(): a byte per page of [start, start + length), 1 where the page
    is in this mm's page table; -ENOMEM if part of the range is not mapped."""
    if start & ~PAGE_MASK:
        return -E.EINVAL
    end = start + page_align(length)
    if end > TASK_SIZE or end < start:
        return -E.ENOMEM
    pos = start
    for vma in mm.overlapping(start, end):
        if vma.start > pos:
            return -E.ENOMEM
        pos = vma.end
    if pos < end:
        return -E.ENOMEM
    pt = mm.pgtable
    return bytes(1 if vpn in pt else 0 for vpn in range(start >> PAGE_SHIFT, end >> PAGE_SHIFT))


class Mincore:
    def __init__(self, uaccess: UserAccess) -> None:
        self.uaccess = uaccess

    def sys_mincore(self, t: TaskStruct, addr: int, length: int, vec: int) -> int:
        got = do_mincore(t.mm, addr, length)
        if isinstance(got, int):
            return got
        return 0 if self.uaccess.copy_to_user(t, vec, got) else -E.EFAULT
