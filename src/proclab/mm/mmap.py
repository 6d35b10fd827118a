"""Mapping and unmapping memory (mm/mmap.c; arch/x86/kernel/sys_x86_64.c for
the mmap entry's offset check): mmap, munmap and brk. The do_* functions take
an MmStruct and return an address or a negative errno, as the syscalls do;
the sys_* entry points decode the arguments and check the file behind a
mapping.
"""

from __future__ import annotations

from typing import Any

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SIZE, TASK_SIZE, page_align
from ..fs.devices import ZeroFile
from ..fs.file import O_APPEND, fdget_raw
from ..fs.regfile import RegularFile
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
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


def split_vma_at(mm: MmStruct, addr: int) -> None:
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
    split_vma_at(mm, start)
    split_vma_at(mm, end)
    victims = mm.overlapping(start, end)
    for vma in victims:
        mm.remove_vma(vma)
        if vma.file is not None:
            vma.file.put()
    if mm.zap_range(start, end):
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




def sys_brk(t: TaskStruct, brk: int) -> int:
    return do_brk(t.mm, brk)


def sys_mmap(t: TaskStruct, addr: int, length: int, prot: int, flags: int, fd: int, off: int) -> int:
    if off & ~PAGE_MASK:
        return -E.EINVAL
    if flags & M.MAP_ANONYMOUS:
        return do_mmap(t.mm, addr, length, prot, flags)
    f = fdget_raw(t, fd)
    if f is None:
        return -E.EBADF
    if isinstance(f, ZeroFile):
        # /dev/zero: private is anonymous memory, shared is shared memory
        return do_mmap(t.mm, addr, length, prot, flags | M.MAP_ANONYMOUS)
    if not isinstance(f, RegularFile):
        return -E.ENODEV
    shared = flags & M.MAP_TYPE != M.MAP_PRIVATE
    if not f.readable() or (shared and prot & M.PROT_WRITE and (not f.writable() or f.flags & O_APPEND)):
        return -E.EACCES
    return do_mmap(t.mm, addr, length, prot, flags, f.inode.mapping(), off >> 12, f.name,
                   may_write=f.writable() and not f.flags & O_APPEND)


def sys_munmap(t: TaskStruct, addr: int, length: int) -> int:
    return do_munmap(t.mm, addr, length)
