"""Locking memory (mm/mlock.c): mlock, mlock2, munlock, mlockall, munlockall.

A locked VMA carries VM_LOCKED (and VM_LOCKONFAULT when its pages are locked
as they are touched rather than at once); its pages are faulted in when the
lock is taken. Nothing is ever swapped out here, so a lock only changes the
VMA flags, mm->locked_vm and which pages are present. RLIMIT_MEMLOCK bounds
locked_vm unless the caller has CAP_IPC_LOCK (root).
"""

from __future__ import annotations

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, TASK_SIZE, page_align
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from .fault import mm_populate
from .mm_struct import VM_LOCKED, VM_LOCKED_MASK, VM_LOCKONFAULT, MmStruct, VmArea
from .mmap import VmLimits, can_do_mlock, split_vma_at, vm_limits

# include/uapi/asm-generic/mman-common.h and mman.h
MLOCK_ONFAULT = 0x01
MCL_CURRENT = 1
MCL_FUTURE = 2
MCL_ONFAULT = 4


def mlock_fixup(mm: MmStruct, vma: VmArea, start: int, end: int, newflags: int) -> None:
    """mlock_fixup(): give [start, end) of `vma` the lock bits of `newflags`,
    splitting the VMA at the ends of the range."""
    if newflags == vma.flags:
        return
    split_vma_at(mm, start)
    split_vma_at(mm, end)
    mm.find_vma(start).flags = newflags


def apply_vma_lock_flags(mm: MmStruct, start: int, end: int, flags: int) -> int:
    """apply_vma_lock_flags(): set the lock bits of every VMA in [start, end)
    to `flags`; -ENOMEM at the first hole (VMAs before it keep the change)."""
    if end < start:
        return -E.EINVAL
    if end == start:
        return 0
    if mm.find_vma(start) is None:
        return -E.ENOMEM
    pos = start
    for vma in mm.overlapping(start, end):
        if vma.start > pos:
            return -E.ENOMEM
        pos = min(vma.end, end)
        mlock_fixup(mm, vma, max(vma.start, start), pos, (vma.flags & ~VM_LOCKED_MASK) | flags)
    return -E.ENOMEM if pos < end else 0


def do_mlock(mm: MmStruct, lim: VmLimits, start: int, length: int, flags: int) -> int:
    """do_mlock(): lock [start, start + length) within RLIMIT_MEMLOCK (pages
    already locked in the range are not counted twice), then fault it in."""
    if not can_do_mlock(lim):
        return -E.EPERM
    length = page_align(length + (start & ~PAGE_MASK))
    start &= PAGE_MASK
    locked = (length >> PAGE_SHIFT) + mm.locked_vm()
    lock_limit = lim.memlock >> PAGE_SHIFT
    if locked > lock_limit and not lim.ipc_lock:
        locked -= mm.count_vma_pages_range(start, start + length, VM_LOCKED)
        if locked > lock_limit:
            return -E.ENOMEM
    err = apply_vma_lock_flags(mm, start, start + length, flags)
    if err:
        return err
    err = mm_populate(mm, start, start + length, ignore_errors=False)
    # __mlock_posix_error_return()
    return {-E.EFAULT: -E.ENOMEM, -E.ENOMEM: -E.EAGAIN}.get(err, err)


def do_munlock(mm: MmStruct, start: int, length: int) -> int:
    """munlock(): clear the lock bits of [start, start + length)."""
    length = page_align(length + (start & ~PAGE_MASK))
    start &= PAGE_MASK
    return apply_vma_lock_flags(mm, start, start + length, 0)


def apply_mlockall_flags(mm: MmStruct, flags: int) -> None:
    """apply_mlockall_flags(): MCL_FUTURE sets mm->def_flags, MCL_CURRENT
    locks every VMA; no MCL_CURRENT bit unlocks them all (munlockall)."""
    mm.def_flags &= ~VM_LOCKED_MASK
    onfault = VM_LOCKONFAULT if flags & MCL_ONFAULT else 0
    if flags & MCL_FUTURE:
        mm.def_flags |= VM_LOCKED | onfault
        if not flags & MCL_CURRENT:
            return
    to_add = VM_LOCKED | onfault if flags & MCL_CURRENT else 0
    for vma in list(mm.vmas()):
        mlock_fixup(mm, vma, vma.start, vma.end, (vma.flags & ~VM_LOCKED_MASK) | to_add)


def do_mlockall(mm: MmStruct, lim: VmLimits, flags: int) -> int:
    """mlockall(): MCL_CURRENT needs the whole address space (total_vm) within
    RLIMIT_MEMLOCK; the locked mappings are then faulted in."""
    if not flags or flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) or flags == MCL_ONFAULT:
        return -E.EINVAL
    if not can_do_mlock(lim):
        return -E.EPERM
    if flags & MCL_CURRENT and mm.total_vm() > lim.memlock >> PAGE_SHIFT and not lim.ipc_lock:
        return -E.ENOMEM
    apply_mlockall_flags(mm, flags)
    if flags & MCL_CURRENT:
        mm_populate(mm, 0, TASK_SIZE)
    return 0


def sys_mlock(t: TaskStruct, start: int, length: int) -> int:
    return do_mlock(t.mm, vm_limits(t), start, length, VM_LOCKED)


def sys_mlock2(t: TaskStruct, start: int, length: int, flags: int) -> int:
    if flags & ~MLOCK_ONFAULT:
        return -E.EINVAL
    lock = VM_LOCKED | (VM_LOCKONFAULT if flags & MLOCK_ONFAULT else 0)
    return do_mlock(t.mm, vm_limits(t), start, length, lock)


def sys_munlock(t: TaskStruct, start: int, length: int) -> int:
    return do_munlock(t.mm, start, length)


def sys_mlockall(t: TaskStruct, flags: int) -> int:
    return do_mlockall(t.mm, vm_limits(t), flags)


def sys_munlockall(t: TaskStruct) -> int:
    apply_mlockall_flags(t.mm, 0)
    return 0
