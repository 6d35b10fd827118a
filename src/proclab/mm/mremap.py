"""Resizing and moving a mapping (mm/mremap.c): mremap."""

from __future__ import annotations

from typing import Optional

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .fault import mm_populate
from .mm_struct import VM_LOCKED, MmStruct, VmArea
from .mmap import (UNLIMITED, VmLimits, WarnOnce, do_munmap, get_unmapped_area, may_expand_vm, mlock_future_ok,
                   vm_limits)


def do_mremap(mm: MmStruct, old_addr: int, old_len: int, new_len: int, flags: int, new_addr: int,
              lim: VmLimits = UNLIMITED) -> int:
    """mremap(): shrink, grow in place or move. Growing must fit the limits
    (vma_to_resize: may_expand_vm, mlock_future_ok); the new part of a locked
    mapping is populated."""
    if old_addr & ~PAGE_MASK or flags & ~(M.MREMAP_MAYMOVE | M.MREMAP_FIXED):
        return -E.EINVAL
    if flags & M.MREMAP_FIXED and not flags & M.MREMAP_MAYMOVE:
        return -E.EINVAL
    old_len, new_len = page_align(old_len), page_align(new_len)
    if new_len == 0:
        return -E.EINVAL
    vma = mm.find_vma(old_addr)
    if vma is None or old_addr + old_len > vma.end:
        return -E.EFAULT
    if new_len > old_len:
        if not mlock_future_ok(mm, lim, vma.flags, new_len - old_len):
            return -E.EAGAIN
        if not may_expand_vm(mm, lim, vma.flags, (new_len - old_len) >> PAGE_SHIFT):
            return -E.ENOMEM
    if flags & M.MREMAP_FIXED:
        return _move_vma(mm, vma, old_addr, old_len, new_len, new_addr)
    if new_len <= old_len:
        if new_len < old_len:
            do_munmap(mm, old_addr + new_len, old_len - new_len)
        return old_addr
    grow_end = old_addr + new_len
    if old_addr + old_len == vma.end and mm.range_is_free(vma.end, grow_end):
        mm.vma_set_end(vma, grow_end)
        if vma.flags & VM_LOCKED:
            mm_populate(mm, old_addr + old_len, grow_end)
        return old_addr
    if not flags & M.MREMAP_MAYMOVE:
        return -E.ENOMEM
    return _move_vma(mm, vma, old_addr, old_len, new_len, 0)


def _move_vma(mm: MmStruct, vma: VmArea, old_addr: int, old_len: int, new_len: int, fixed: int) -> int:
    """move_vma(): a new VMA elsewhere takes over the pages of the old range.
    Unmapping the old range may split one VMA into three: map_count must
    leave room for that (ENOMEM within 3 of vm.max_map_count)."""
    if mm.map_count >= mm.sysctl.max_map_count - 3:
        return -E.ENOMEM
    if fixed:
        if fixed & ~PAGE_MASK:
            return -E.EINVAL
        if fixed < old_addr + old_len and old_addr < fixed + new_len:
            return -E.EINVAL
        do_munmap(mm, fixed, new_len)
        new_addr = fixed
    else:
        new_addr = get_unmapped_area(mm, new_len)
        if new_addr < 0:
            return new_addr
    moved = min(old_len, new_len)
    pgoff = vma.page_offset(old_addr) if vma.file is not None else 0
    if vma.file is not None:
        vma.file.get()
    mm.insert_vma(VmArea(new_addr, new_addr + new_len, vma.flags, vma.file, pgoff, vma.name, vma.vm_file))
    pt = mm.pgtable
    delta = (new_addr - old_addr) >> PAGE_SHIFT
    for vpn in sorted(mm.present_vpns(old_addr, old_addr + moved)):
        pt[vpn + delta] = pt.pop(vpn)
    do_munmap(mm, old_addr, old_len)
    mm.flush_tlb()
    if vma.flags & VM_LOCKED and new_len > old_len:
        mm_populate(mm, new_addr + old_len, new_addr + new_len)
    return new_addr


def sys_mremap(t: TaskStruct, addr: int, old_len: int, new_len: int, flags: int, new_addr: int,
               warn_once: Optional[WarnOnce] = None) -> int:
    return do_mremap(t.mm, addr, old_len, new_len, flags, new_addr, vm_limits(t, warn_once))
