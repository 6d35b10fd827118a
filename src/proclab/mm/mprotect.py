"""Changing the rights of a mapping (mm/mprotect.c): mprotect."""

from __future__ import annotations

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, _PAGE_WRITE, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .fault import vma_pte_perms
from .mm_struct import VM_EXEC, VM_MAYWRITE, VM_READ, VM_WRITE, MmStruct
from .mmap import UNLIMITED, VmLimits, may_expand_vm, prot_to_vm, split_vma_at, vm_limits


def do_mprotect(mm: MmStruct, start: int, length: int, prot: int, lim: VmLimits = UNLIMITED) -> int:
    """mprotect(): the whole range must be mapped and allow the new rights;
    a mapping made writable may become data and must then fit RLIMIT_DATA
    (mprotect_fixup's may_expand_vm check), else ENOMEM."""
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
        newflags = (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | new_rights
        npages = (min(vma.end, end) - max(vma.start, start)) >> PAGE_SHIFT
        if (new_rights & VM_WRITE and not may_expand_vm(mm, lim, newflags, npages)
                and may_expand_vm(mm, lim, vma.flags, npages)):
            return -E.ENOMEM
        pos = vma.end
    if pos < end:
        return -E.ENOMEM
    split_vma_at(mm, start)
    split_vma_at(mm, end)
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


def sys_mprotect(t: TaskStruct, addr: int, length: int, prot: int) -> int:
    return do_mprotect(t.mm, addr, length, prot, vm_limits(t))
