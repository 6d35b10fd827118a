"""Changing the rights of a mapping (mm/mprotect.c, mm/vma.c vma_modify): mprotect."""

from __future__ import annotations

from typing import Optional

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, _PAGE_WRITE, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from .fault import vma_pte_perms
from .mm_struct import VM_EXEC, VM_MAYWRITE, VM_READ, VM_WRITE, MmStruct, VmArea
from .mmap import UNLIMITED, VmLimits, WarnOnce, is_mergeable_vma, may_expand_vm, prot_to_vm, vm_limits


def split_vma(mm: MmStruct, vma: VmArea, addr: int) -> int:
    """split_vma(): __split_vma behind the map_count check (one VMA more
    must stay within vm.max_map_count)."""
    if mm.map_count >= mm.sysctl.max_map_count:
        return -E.ENOMEM
    mm.split_vma(vma, addr)
    return 0


def vma_modify_flags(mm: MmStruct, vma: VmArea, start: int, end: int, newflags: int) -> tuple[int, VmArea]:
    """vma_modify_flags(): give [start, end) of `vma` the flags `newflags`.
    As vma_merge_existing_range, the range first joins a neighbour it touches
    that already has those flags (and follows on in the same backing); only
    otherwise is `vma` split at the ends of the range, each split checked
    against vm.max_map_count (a failed second split keeps the first, as in
    Linux). Returns (0 or -errno, the VMA now covering `start`)."""
    prev = mm.vma_before(vma.start)
    nxt = mm.find_vma_above(vma.end)
    can_prev = (start == vma.start and prev is not None and prev.end == start
                and is_mergeable_vma(prev, newflags, vma.vm_file, vma.name)
                and (vma.file is None or prev.page_offset(start) == vma.pgoff))
    can_next = (end == vma.end and nxt is not None and nxt.start == end
                and is_mergeable_vma(nxt, newflags, vma.vm_file, vma.name)
                and (vma.file is None or vma.page_offset(end) == nxt.pgoff))
    if not can_prev and not can_next:
        if vma.start < start:
            err = split_vma(mm, vma, start)
            if err:
                return err, vma
            vma = mm.find_vma(start)  # type: ignore[assignment]
        if end < vma.end:
            err = split_vma(mm, vma, end)
            if err:
                return err, vma
        mm.vma_set_flags(vma, newflags)
        return 0, vma
    # A merge: the VMA count does not grow, so the cut made on the way needs no check.
    if end < vma.end:
        mm.split_vma(vma, end)
    elif vma.start < start:
        vma = mm.split_vma(vma, start)
    mm.vma_set_flags(vma, newflags)
    if can_prev:
        assert prev is not None
        _absorb(mm, prev, vma)
        vma = prev
    if can_next:
        assert nxt is not None
        _absorb(mm, vma, nxt)
    return 0, vma


def _absorb(mm: MmStruct, lower: VmArea, upper: VmArea) -> None:
    """`lower` takes over the range of its neighbour `upper`, which goes."""
    end = upper.end
    mm.remove_vma(upper)
    if upper.file is not None:
        upper.file.put()
    mm.vma_set_end(lower, end)


def do_mprotect(mm: MmStruct, start: int, length: int, prot: int, lim: VmLimits = UNLIMITED) -> int:
    """mprotect(): the whole range must be mapped and allow the new rights;
    a mapping made writable may become data and must then fit RLIMIT_DATA
    (mprotect_fixup's may_expand_vm check), else ENOMEM. Each VMA of the
    range is changed in turn by vma_modify_flags, which merges and splits;
    the PTEs present in the range get the new rights."""
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
    err = 0
    changed = False
    pos = start
    while pos < end:
        found: Optional[VmArea] = mm.find_vma(pos)
        assert found is not None
        vma = found
        piece_end = min(vma.end, end)
        newflags = (vma.flags & ~(VM_READ | VM_WRITE | VM_EXEC)) | new_rights
        if newflags != vma.flags:
            err, vma = vma_modify_flags(mm, vma, pos, piece_end, newflags)
            if err:
                break
            _change_pte_range(mm, vma, pos, piece_end, bool(new_rights))
            changed = True
        pos = piece_end
    if changed:
        mm.flush_tlb()
    return err


def _change_pte_range(mm: MmStruct, vma: VmArea, start: int, end: int, accessible: bool) -> None:
    """change_pte_range(): the present PTEs of [start, end) take `vma`'s
    rights, keeping a COW page read-only (none at all for PROT_NONE)."""
    pt = mm.pgtable
    for vpn in mm.present_vpns(start, end):
        pte = pt[vpn]
        perms = vma_pte_perms(vma, bool(pte & _PAGE_WRITE)) if accessible else 0
        pt[vpn] = (pte & PAGE_MASK) | perms


def sys_mprotect(t: TaskStruct, addr: int, length: int, prot: int, warn_once: Optional[WarnOnce] = None) -> int:
    return do_mprotect(t.mm, addr, length, prot, vm_limits(t, warn_once))
