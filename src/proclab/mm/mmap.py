"""Mapping and unmapping memory (mm/mmap.c, mm/mprotect.c, mm/mremap.c,
mm/madvise.c, mm/msync.c). Every function takes an MmStruct and returns an
address or a negative errno, as the syscalls do; the syscall layer only
decodes arguments.
"""

from __future__ import annotations

from typing import Any

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE, _PAGE_WRITE, page_align
from ..uapi import errno as E
from ..uapi import mman as M
from .fault import vma_pte_perms
from .filemap import SharedAnon
from .mm_struct import (
    VM_EXEC,
    VM_GROWSDOWN,
    VM_MAYEXEC,
    VM_MAYREAD,
    VM_MAYWRITE,
    VM_READ,
    VM_SHARED,
    VM_WRITE,
    MmStruct,
    VmArea,
)

MMAP_MIN_ADDR = 0x10000  # vm.mmap_min_addr


def prot_to_vm(prot: int) -> int:
    flags = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
    if prot & M.PROT_READ:
        flags |= VM_READ
    if prot & M.PROT_WRITE:
        flags |= VM_WRITE | VM_READ  # x86: write implies read
    if prot & M.PROT_EXEC:
        flags |= VM_EXEC | VM_READ
    return flags


def get_unmapped_area(mm: MmStruct, length: int, hint: int = 0) -> int:
    """Top-down search below mmap_base (arch_get_unmapped_area_topdown).
    A free, aligned hint is taken as is."""
    if length > TASK_SIZE:
        return -E.ENOMEM
    if hint:
        hint = page_align(hint)
        if hint >= MMAP_MIN_ADDR and hint + length <= TASK_SIZE and mm.range_is_free(hint, hint + length):
            return hint
    high = mm.mmap_base
    for vma in reversed(list(mm.vmas())):
        if vma.start >= high:
            continue
        if vma.end <= high - length:
            break
        high = vma.start
    addr = high - length
    return addr if addr >= MMAP_MIN_ADDR else -E.ENOMEM


def do_mmap(
    mm: MmStruct,
    addr: int,
    length: int,
    prot: int,
    flags: int,
    backing: Any = None,
    pgoff: int = 0,
    name: str = "",
    may_write: bool = True,
) -> int:
    """mmap(): anonymous when `backing` is None, else the file's address space.
    `may_write` is False for a shared mapping of a file opened read-only:
    mprotect may then never make it writable (VM_MAYWRITE)."""
    if length == 0:
        return -E.EINVAL
    length = page_align(length)
    if length == 0 or length > TASK_SIZE:
        return -E.ENOMEM
    maptype = flags & M.MAP_TYPE
    if maptype not in (M.MAP_SHARED, M.MAP_PRIVATE, M.MAP_SHARED_VALIDATE):
        return -E.EINVAL
    vm_flags = prot_to_vm(prot)
    if maptype != M.MAP_PRIVATE:
        vm_flags |= VM_SHARED
        if not may_write:
            vm_flags &= ~VM_MAYWRITE
    if flags & M.MAP_GROWSDOWN:
        vm_flags |= VM_GROWSDOWN
    if flags & (M.MAP_FIXED | M.MAP_FIXED_NOREPLACE):
        if addr & ~PAGE_MASK:
            return -E.EINVAL
        if addr + length > TASK_SIZE or addr < MMAP_MIN_ADDR:
            return -E.ENOMEM if addr + length > TASK_SIZE else -E.EPERM
        if mm.overlapping(addr, addr + length):
            if flags & M.MAP_FIXED_NOREPLACE:
                return -E.EEXIST
            do_munmap(mm, addr, length)
    else:
        addr = get_unmapped_area(mm, length, addr)
        if addr < 0:
            return addr
    if backing is None and vm_flags & VM_SHARED:
        backing = SharedAnon(mm.phys)  # the new VMA holds its first reference
    elif backing is not None:
        backing.get()
    mm.insert_vma(VmArea(addr, addr + length, vm_flags, backing, pgoff if backing else 0, name))
    return addr


def _split_at(mm: MmStruct, addr: int) -> None:
    """Make `addr` a VMA boundary (split_vma)."""
    vma = mm.find_vma(addr)
    if vma is not None and vma.start < addr:
        tail = vma.split(addr)
        if tail.file is not None:
            tail.file.get()
        mm.insert_vma(tail)


def do_munmap(mm: MmStruct, start: int, length: int) -> int:
    if start & ~PAGE_MASK or length == 0 or start + length > TASK_SIZE:
        return -E.EINVAL
    end = start + page_align(length)
    _split_at(mm, start)
    _split_at(mm, end)
    victims = mm.overlapping(start, end)
    for vma in victims:
        mm.remove_vma(vma)
        if vma.file is not None:
            vma.file.put()
    if mm.zap_range(start, end):
        mm.flush_tlb()
    return 0


def do_mprotect(mm: MmStruct, start: int, length: int, prot: int) -> int:
    if start & ~PAGE_MASK:
        return -E.EINVAL
    if prot & ~(M.PROT_READ | M.PROT_WRITE | M.PROT_EXEC | M.PROT_GROWSDOWN):
        return -E.EINVAL
    end = start + page_align(length)
    if end == start:
        return 0
    new_rights = prot_to_vm(prot) & (VM_READ | VM_WRITE | VM_EXEC)
    # The whole range must be mapped, and allow the new rights (VM_MAY*).
    pos = start
    for vma in mm.overlapping(start, end):
        if vma.start > pos:
            return -E.ENOMEM
        if new_rights & VM_WRITE and not vma.flags & VM_MAYWRITE:
            return -E.EACCES
        pos = vma.end
    if pos < end:
        return -E.ENOMEM
    _split_at(mm, start)
    _split_at(mm, end)
    pt = mm.pgtable
    for vma in mm.overlapping(start, end):
        vma.flags = (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | new_rights
        for vpn in range(vma.start >> PAGE_SHIFT, vma.end >> PAGE_SHIFT):
            pte = pt.get(vpn)
            if pte is not None:
                perms = vma_pte_perms(vma, bool(pte & _PAGE_WRITE)) if new_rights else 0
                pt[vpn] = (pte & PAGE_MASK) | perms
    mm.flush_tlb()
    return 0


def do_brk(mm: MmStruct, newbrk: int) -> int:
    """brk(): returns the new program break, or the old one when it cannot move."""
    if newbrk < mm.start_brk:
        return mm.brk
    old_end = page_align(mm.brk)
    new_end = page_align(newbrk)
    if new_end < old_end:
        do_munmap(mm, new_end, old_end - new_end)
    elif new_end > old_end:
        # keep a page of gap to the next mapping (check_brk_limits)
        if mm.overlapping(old_end, new_end + PAGE_SIZE):
            return mm.brk
        heap = mm.find_vma(old_end - 1) if old_end > mm.start_brk else None
        if heap is not None and heap.name == "[heap]":
            heap.end = new_end
        else:
            rw = prot_to_vm(M.PROT_READ | M.PROT_WRITE)
            mm.insert_vma(VmArea(old_end, new_end, rw, name="[heap]"))
    mm.brk = newbrk
    return newbrk


def do_mremap(mm: MmStruct, old_addr: int, old_len: int, new_len: int, flags: int, new_addr: int) -> int:
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
    if flags & M.MREMAP_FIXED:
        return _move_vma(mm, vma, old_addr, old_len, new_len, new_addr)
    if new_len <= old_len:
        if new_len < old_len:
            do_munmap(mm, old_addr + new_len, old_len - new_len)
        return old_addr
    grow_end = old_addr + new_len
    if old_addr + old_len == vma.end and mm.range_is_free(vma.end, grow_end):
        vma.end = grow_end
        return old_addr
    if not flags & M.MREMAP_MAYMOVE:
        return -E.ENOMEM
    return _move_vma(mm, vma, old_addr, old_len, new_len, 0)


def _move_vma(mm: MmStruct, vma: VmArea, old_addr: int, old_len: int, new_len: int, fixed: int) -> int:
    """move_vma(): a new VMA elsewhere takes over the pages of the old range."""
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
    mm.insert_vma(VmArea(new_addr, new_addr + new_len, vma.flags, vma.file, pgoff, vma.name))
    pt = mm.pgtable
    delta = (new_addr - old_addr) >> PAGE_SHIFT
    first = old_addr >> PAGE_SHIFT
    for vpn in [v for v in range(first, first + (moved >> PAGE_SHIFT)) if v in pt]:
        pt[vpn + delta] = pt.pop(vpn)
    do_munmap(mm, old_addr, old_len)
    mm.flush_tlb()
    return new_addr


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
