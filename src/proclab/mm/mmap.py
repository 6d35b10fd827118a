"""Mapping and unmapping memory (mm/mmap.c; arch/x86/kernel/sys_x86_64.c for
the mmap entry's offset check): mmap, munmap and brk. The do_* functions take
an MmStruct and return an address or a negative errno, as the syscalls do;
the sys_* entry points decode the arguments and check the file behind a
mapping.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE, page_align
from ..fs.devices import ZeroFile
from ..fs.file import O_APPEND, fdget_raw
from ..fs.regfile import RegularFile
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from ..uapi.resource import RLIM_INFINITY, RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK
from .fault import mm_populate
from .filemap import SharedAnon
from .mm_struct import (
    VM_EXEC,
    VM_GROWSDOWN,
    VM_LOCKED,
    VM_MAYEXEC,
    VM_MAYREAD,
    VM_MAYWRITE,
    VM_READ,
    VM_SHARED,
    VM_WRITE,
    MmStruct,
    VmArea,
    is_data_mapping,
)

MMAP_MIN_ADDR = 0x10000  # vm.mmap_min_addr


class VmLimits(NamedTuple):
    """What bounds the caller's address space, in bytes: rlimit(RLIMIT_AS),
    rlimit(RLIMIT_DATA) and its hard limit, rlimit(RLIMIT_MEMLOCK), and
    capable(CAP_IPC_LOCK) (root), which lifts the memlock limit."""

    as_: int = RLIM_INFINITY
    data: int = RLIM_INFINITY
    data_max: int = RLIM_INFINITY
    memlock: int = RLIM_INFINITY
    ipc_lock: bool = True


UNLIMITED = VmLimits()  # the kernel's own mappings (exec, shmat)


def vm_limits(t: TaskStruct) -> VmLimits:
    """The limits of task `t` (rlimit(), capable(CAP_IPC_LOCK))."""
    rlim = t.signal.rlim
    return VmLimits(rlim[RLIMIT_AS][0], rlim[RLIMIT_DATA][0], rlim[RLIMIT_DATA][1],
                    rlim[RLIMIT_MEMLOCK][0], t.cred.euid == 0)


def may_expand_vm(mm: MmStruct, lim: VmLimits, flags: int, npages: int) -> bool:
    """may_expand_vm(): `npages` more pages of a VMA with `flags` keep total_vm
    within RLIMIT_AS and, for a data mapping, data_vm within RLIMIT_DATA (a
    zero soft limit is taken as the hard one, Valgrind's workaround; the limit
    is enforced, as without ignore_rlimit_data)."""
    if mm.total_vm() + npages > lim.as_ >> PAGE_SHIFT:
        return False
    if is_data_mapping(flags) and mm.data_vm() + npages > lim.data >> PAGE_SHIFT:
        return lim.data == 0 and mm.data_vm() + npages <= lim.data_max >> PAGE_SHIFT
    return True


def mlock_future_ok(mm: MmStruct, lim: VmLimits, flags: int, length: int) -> bool:
    """mlock_future_ok(): a locked VMA of `length` more bytes keeps locked_vm
    within RLIMIT_MEMLOCK, unless the caller has CAP_IPC_LOCK."""
    if not flags & VM_LOCKED or lim.ipc_lock:
        return True
    return mm.locked_vm() + (length >> PAGE_SHIFT) <= lim.memlock >> PAGE_SHIFT


def can_do_mlock(lim: VmLimits) -> bool:
    """can_do_mlock(): a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK."""
    return lim.memlock != 0 or lim.ipc_lock


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
    lim: VmLimits = UNLIMITED,
) -> int:
    """do_mmap() and mmap_region(): anonymous when `backing` is None, else the
    file's address space. `may_write` is False for a shared mapping of a file
    opened read-only: mprotect may then never make it writable (VM_MAYWRITE).
    The mapping must fit the caller's limits `lim` (EPERM, EAGAIN, ENOMEM);
    a locked one (MAP_LOCKED, mlockall(MCL_FUTURE)) is populated."""
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
    vm_flags |= mm.def_flags
    if flags & M.MAP_LOCKED:
        if not can_do_mlock(lim):
            return -E.EPERM
        vm_flags |= VM_LOCKED
    if not mlock_future_ok(mm, lim, vm_flags, length):
        return -E.EAGAIN
    if flags & (M.MAP_FIXED | M.MAP_FIXED_NOREPLACE):
        if addr & ~PAGE_MASK:
            return -E.EINVAL
        if addr + length > TASK_SIZE or addr < MMAP_MIN_ADDR:
            return -E.ENOMEM if addr + length > TASK_SIZE else -E.EPERM
        replaced = mm.count_vma_pages_range(addr, addr + length)
        if replaced and flags & M.MAP_FIXED_NOREPLACE:
            return -E.EEXIST
        if not may_expand_vm(mm, lim, vm_flags, (length >> PAGE_SHIFT) - replaced):
            return -E.ENOMEM
        if replaced:
            do_munmap(mm, addr, length)
    else:
        addr = get_unmapped_area(mm, length, addr)
        if addr < 0:
            return addr
        if not may_expand_vm(mm, lim, vm_flags, length >> PAGE_SHIFT):
            return -E.ENOMEM
    if backing is None and vm_flags & VM_SHARED:
        backing = SharedAnon(mm.phys)  # the new VMA holds its first reference
    elif backing is not None:
        backing.get()
    mm.insert_vma(VmArea(addr, addr + length, vm_flags, backing, pgoff if backing else 0, name))
    if vm_flags & VM_LOCKED:
        mm_populate(mm, addr, addr + length)
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


def do_brk(mm: MmStruct, newbrk: int, lim: VmLimits = UNLIMITED) -> int:
    """brk() and do_brk_flags(): returns the new program break, or the old one
    when it cannot move: the heap and the data segment would exceed
    RLIMIT_DATA (check_data_rlimit), the heap would not fit the limits
    (may_expand_vm, mlock_future_ok) or it would meet the next mapping."""
    if newbrk < mm.start_brk:
        return mm.brk
    if (newbrk - mm.start_brk) + (mm.end_data - mm.start_data) > lim.data:
        return mm.brk
    old_end = page_align(mm.brk)
    new_end = page_align(newbrk)
    if new_end < old_end:
        do_munmap(mm, new_end, old_end - new_end)
    elif new_end > old_end:
        # keep a page of gap to the next mapping (check_brk_limits)
        rw = prot_to_vm(M.PROT_READ | M.PROT_WRITE) | mm.def_flags
        if (mm.overlapping(old_end, new_end + PAGE_SIZE)
                or not may_expand_vm(mm, lim, rw, (new_end - old_end) >> PAGE_SHIFT)
                or not mlock_future_ok(mm, lim, rw, new_end - old_end)):
            return mm.brk
        heap = mm.find_vma(old_end - 1) if old_end > mm.start_brk else None
        if heap is not None and heap.name == "[heap]" and heap.flags == rw:
            heap.end = new_end
        else:
            mm.insert_vma(VmArea(old_end, new_end, rw, name="[heap]"))
        if rw & VM_LOCKED:
            mm_populate(mm, old_end, new_end)
    mm.brk = newbrk
    return newbrk


def sys_brk(t: TaskStruct, brk: int) -> int:
    return do_brk(t.mm, brk, vm_limits(t))


def sys_mmap(t: TaskStruct, addr: int, length: int, prot: int, flags: int, fd: int, off: int) -> int:
    if off & ~PAGE_MASK:
        return -E.EINVAL
    if flags & M.MAP_ANONYMOUS:
        return do_mmap(t.mm, addr, length, prot, flags, lim=vm_limits(t))
    f = fdget_raw(t, fd)
    if f is None:
        return -E.EBADF
    if isinstance(f, ZeroFile):
        # /dev/zero: private is anonymous memory, shared is shared memory
        return do_mmap(t.mm, addr, length, prot, flags | M.MAP_ANONYMOUS, lim=vm_limits(t))
    if not isinstance(f, RegularFile):
        return -E.ENODEV
    shared = flags & M.MAP_TYPE != M.MAP_PRIVATE
    if not f.readable() or (shared and prot & M.PROT_WRITE and (not f.writable() or f.flags & O_APPEND)):
        return -E.EACCES
    return do_mmap(t.mm, addr, length, prot, flags, f.inode.mapping(), off >> 12, f.name,
                   may_write=f.writable() and not f.flags & O_APPEND, lim=vm_limits(t))


def sys_munmap(t: TaskStruct, addr: int, length: int) -> int:
    return do_munmap(t.mm, addr, length)
