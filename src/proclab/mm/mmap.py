"""Mapping and unmapping memory (mm/mmap.c; arch/x86/kernel/sys_x86_64.c for
the mmap entry's offset check; mm/vma.c for merging and splitting): mmap,
munmap and brk. The do_* functions take an MmStruct and return an address or
a negative errno, as the syscalls do; the sys_* entry points decode the
arguments and check the file behind a mapping.

A new mapping is merged into a compatible neighbour (vma_merge_new_range), so
that map_count -- bounded by vm.max_map_count, ENOMEM beyond it -- counts the
VMAs Linux would count.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Optional

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE, page_align
from ..fs.devices import ZeroFile
from ..fs.file import O_APPEND, O_NOATIME, fdget_raw
from ..fs.pseudo import SeqFile
from ..fs.regfile import RegularFile
from ..kernel.task import TaskStruct
from ..uapi import errno as E
from ..uapi import mman as M
from ..uapi.resource import RLIM_INFINITY, RLIMIT_AS, RLIMIT_DATA, RLIMIT_MEMLOCK, RLIMIT_STACK
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
STACK_GUARD_GAP = 256 << PAGE_SHIFT  # stack_guard_gap: 1 MiB

WarnOnce = Callable[[object, str], None]  # Kernel.warn_once: pr_warn_once()


class VmLimits(NamedTuple):
    """What bounds the caller's address space, in bytes: rlimit(RLIMIT_AS),
    rlimit(RLIMIT_DATA) and its hard limit, rlimit(RLIMIT_MEMLOCK),
    capable(CAP_IPC_LOCK) (root), which lifts the memlock limit, and
    rlimit(RLIMIT_STACK). `comm`, `pid` and `warn_once` are current's, for
    the warning a refused data mapping prints (none when `warn_once` is None)."""

    as_: int = RLIM_INFINITY
    data: int = RLIM_INFINITY
    data_max: int = RLIM_INFINITY
    memlock: int = RLIM_INFINITY
    ipc_lock: bool = True
    stack: int = RLIM_INFINITY
    comm: str = ""
    pid: int = 0
    warn_once: Optional[WarnOnce] = None


UNLIMITED = VmLimits()  # the kernel's own mappings (scripted programs' scratch)


def vm_limits(t: TaskStruct, warn_once: Optional[WarnOnce] = None) -> VmLimits:
    """The limits of task `t` (rlimit(), capable(CAP_IPC_LOCK))."""
    rlim = t.signal.rlim
    return VmLimits(rlim[RLIMIT_AS][0], rlim[RLIMIT_DATA][0], rlim[RLIMIT_DATA][1],
                    rlim[RLIMIT_MEMLOCK][0], t.cred.euid == 0, rlim[RLIMIT_STACK][0],
                    t.comm, t.pid, warn_once)


def may_expand_vm(mm: MmStruct, lim: VmLimits, flags: int, npages: int) -> bool:
    """may_expand_vm(): `npages` more pages of a VMA with `flags` keep total_vm
    within RLIMIT_AS and, for a data mapping, data_vm within RLIMIT_DATA (a
    zero soft limit is taken as the hard one, Valgrind's workaround; the limit
    is enforced, as without ignore_rlimit_data, after Linux's one warning per
    boot, pr_warn_once(), with mm/mmap.c's "mmap: " prefix)."""
    if mm.total_vm() + npages > lim.as_ >> PAGE_SHIFT:
        return False
    if is_data_mapping(flags) and mm.data_vm() + npages > lim.data >> PAGE_SHIFT:
        if lim.data == 0 and mm.data_vm() + npages <= lim.data_max >> PAGE_SHIFT:
            return True
        if lim.warn_once is not None:
            lim.warn_once("rlimit_data", f"mmap: {lim.comm} ({lim.pid}): VmData "
                          f"{(mm.data_vm() + npages) << PAGE_SHIFT} exceed data ulimit {lim.data}. "
                          "Update limits or use boot option ignore_rlimit_data.")
        return False
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
    """Top-down search below mmap_base (arch_get_unmapped_area_topdown): the
    highest free range that fits, found in the gap index in O(log n).
    A free, aligned hint is taken as is."""
    if length > TASK_SIZE:
        return -E.ENOMEM
    if hint:
        hint = page_align(hint)
        if hint >= MMAP_MIN_ADDR and hint + length <= TASK_SIZE and mm.range_is_free(hint, hint + length):
            return hint
    addr = mm.unmapped_area_topdown(length, mm.mmap_base)
    return addr if addr >= MMAP_MIN_ADDR else -E.ENOMEM


def is_mergeable_vma(vma: VmArea, flags: int, vm_file: Any, name: str) -> bool:
    """is_mergeable_vma(): same flags, same open file, same name. Linux also
    asks for compatible anon_vmas, which are not modelled: two neighbours
    that were both written to before they met may merge here."""
    return vma.flags == flags and vma.vm_file is vm_file and vma.name == name


def vma_merge_new_range(mm: MmStruct, start: int, end: int, flags: int, vm_file: Any, pgoff: int,
                        name: str) -> Optional[VmArea]:
    """vma_merge_new_range(): extend the VMA just below [start, end) or the
    one just above it (or join both) to cover the range when they are
    compatible and, for a file, its pages follow on; None when neither is."""
    prev = mm.vma_before(start)
    nxt = mm.find_vma_above(start)
    pages = (end - start) >> PAGE_SHIFT
    can_prev = (prev is not None and prev.end == start and is_mergeable_vma(prev, flags, vm_file, name)
                and (vm_file is None or prev.page_offset(start) == pgoff))
    can_next = (nxt is not None and nxt.start == end and is_mergeable_vma(nxt, flags, vm_file, name)
                and (vm_file is None or nxt.pgoff == pgoff + pages))
    if can_prev and can_next:
        assert prev is not None and nxt is not None
        last = nxt.end
        mm.remove_vma(nxt)
        if nxt.file is not None:
            nxt.file.put()
        mm.vma_set_end(prev, last)
        return prev
    if can_prev:
        assert prev is not None
        mm.vma_set_end(prev, end)
        return prev
    if can_next:
        assert nxt is not None
        mm.vma_set_start(nxt, start)
        return nxt
    return None


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
    vm_file: Any = None,
) -> int:
    """do_mmap() and mmap_region(): anonymous when `backing` is None, else the
    file's address space, mapped through the open file `vm_file` (None: the
    kernel's own mapping of `backing`). `may_write` is False for a shared
    mapping of a file opened read-only: mprotect may then never make it
    writable (VM_MAYWRITE).
    The mapping must fit the caller's limits `lim` (EPERM, EAGAIN, ENOMEM);
    a locked one (MAP_LOCKED, mlockall(MCL_FUTURE)) is populated."""
    if length == 0:
        return -E.EINVAL
    length = page_align(length)
    if length == 0 or length > TASK_SIZE:
        return -E.ENOMEM
    if mm.map_count > mm.sysctl.max_map_count:  # too many mappings
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
            err = do_munmap(mm, addr, length)
            if err:
                return err
    else:
        addr = get_unmapped_area(mm, length, addr)
        if addr < 0:
            return addr
        if not may_expand_vm(mm, lim, vm_flags, length >> PAGE_SHIFT):
            return -E.ENOMEM
    if backing is None and vm_flags & VM_SHARED:
        # a new shared-memory object: the new VMA holds its first reference
        mm.insert_vma(VmArea(addr, addr + length, vm_flags, SharedAnon(mm.phys), 0, name))
    elif vma_merge_new_range(mm, addr, addr + length, vm_flags,
                                 vm_file if vm_file is not None else backing, pgoff, name) is None:
        if backing is not None:
            backing.get()
        mm.insert_vma(VmArea(addr, addr + length, vm_flags, backing, pgoff if backing else 0, name, vm_file))
    if vm_flags & VM_LOCKED:
        mm_populate(mm, addr, addr + length)
    return addr


def split_vma_at(mm: MmStruct, addr: int) -> None:
    """Make `addr` a VMA boundary (__split_vma; no map_count check)."""
    vma = mm.find_vma(addr)
    if vma is not None and vma.start < addr:
        mm.split_vma(vma, addr)


def do_munmap(mm: MmStruct, start: int, length: int) -> int:
    """do_vmi_munmap(): unmap [start, start + length). Cutting a hole inside
    one VMA makes one more, which needs map_count below vm.max_map_count
    (the other splits only let it go above for a moment)."""
    if start & ~PAGE_MASK or length == 0 or start + length > TASK_SIZE:
        return -E.EINVAL
    end = start + page_align(length)
    vma = mm.find_vma_above(start)
    if vma is None or vma.start >= end:
        return 0
    if vma.start < start:
        if end < vma.end and mm.map_count >= mm.sysctl.max_map_count:
            return -E.ENOMEM
        mm.split_vma(vma, start)
    split_vma_at(mm, end)
    for victim in mm.overlapping(start, end):
        mm.remove_vma(victim)
        if victim.file is not None:
            victim.file.put()
    if mm.zap_range(start, end):
        mm.flush_tlb()
    return 0


def acct_stack_growth(mm: MmStruct, vma: VmArea, lim: VmLimits, size: int, grow: int) -> bool:
    """acct_stack_growth(): may stack `vma` become `size` bytes, `grow` pages
    more? Within RLIMIT_AS (may_expand_vm), RLIMIT_STACK as it is now (not as
    it was at exec), and RLIMIT_MEMLOCK for a locked stack."""
    return (may_expand_vm(mm, lim, vma.flags, grow) and size <= lim.stack
            and mlock_future_ok(mm, lim, vma.flags, grow << PAGE_SHIFT))


def expand_stack(mm: MmStruct, addr: int, lim: VmLimits) -> Optional[VmArea]:
    """expand_stack() and expand_downwards(), as the fault path calls them
    (lock_mm_and_find_vma()) for an `addr` no VMA contains: the next VMA up,
    if VM_GROWSDOWN, grows down to the page of `addr`. Not below
    mmap_min_addr, not within stack_guard_gap of the VMA below unless that
    one is a stack too or allows no access at all (PROT_NONE), and within
    acct_stack_growth(). The grown VMA, or None: the fault is SEGV_MAPERR."""
    vma = mm.find_vma_above(addr)
    if vma is None or not vma.flags & VM_GROWSDOWN or addr >= vma.start:
        return None
    address = addr & PAGE_MASK
    if address < MMAP_MIN_ADDR:
        return None
    prev = mm.vma_before(vma.start)
    if (prev is not None and not prev.flags & VM_GROWSDOWN and prev.flags & (VM_READ | VM_WRITE | VM_EXEC)
            and address - prev.end < STACK_GUARD_GAP):
        return None
    if not acct_stack_growth(mm, vma, lim, vma.end - address, (vma.start - address) >> PAGE_SHIFT):
        return None
    mm.vma_set_start(vma, address)
    return vma


def do_brk(mm: MmStruct, newbrk: int, lim: VmLimits = UNLIMITED) -> int:
    """brk() and do_brk_flags(): returns the new program break, or the old one
    when it cannot move: the heap and the data segment would exceed
    RLIMIT_DATA (check_data_rlimit), the heap would not fit the limits
    (may_expand_vm, mlock_future_ok), map_count is above vm.max_map_count
    or it would meet the next mapping."""
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
                or mm.map_count > mm.sysctl.max_map_count
                or not mlock_future_ok(mm, lim, rw, new_end - old_end)):
            return mm.brk
        heap = mm.find_vma(old_end - 1) if old_end > mm.start_brk else None
        if heap is not None and heap.name == "[heap]" and heap.flags == rw:
            mm.vma_set_end(heap, new_end)
        else:
            mm.insert_vma(VmArea(old_end, new_end, rw, name="[heap]"))
        if rw & VM_LOCKED:
            mm_populate(mm, old_end, new_end)
    mm.brk = newbrk
    return newbrk


def sys_brk(t: TaskStruct, brk: int, warn_once: Optional[WarnOnce] = None) -> int:
    return do_brk(t.mm, brk, vm_limits(t, warn_once))


def sys_mmap(t: TaskStruct, addr: int, length: int, prot: int, flags: int, fd: int, off: int,
             warn_once: Optional[WarnOnce] = None) -> int:
    """mmap(): `warn_once` is the kernel's, for may_expand_vm()'s warning. A
    file mapped counts as an access to it (file_accessed(), which the
    filesystems' mmap methods call): its atime moves as relatime says."""
    if off & ~PAGE_MASK:
        return -E.EINVAL
    lim = vm_limits(t, warn_once)
    if flags & M.MAP_ANONYMOUS:
        return do_mmap(t.mm, addr, length, prot, flags, lim=lim)
    f = fdget_raw(t, fd)
    if f is None:
        return -E.EBADF
    if isinstance(f, ZeroFile):
        # /dev/zero: private is anonymous memory, shared is shared memory
        return do_mmap(t.mm, addr, length, prot, flags | M.MAP_ANONYMOUS, lim=lim)
    if not isinstance(f, RegularFile) or isinstance(f, SeqFile):
        return -E.ENODEV  # no f_op->mmap: devices, /proc and /sys files
    shared = flags & M.MAP_TYPE != M.MAP_PRIVATE
    if not f.readable() or (shared and prot & M.PROT_WRITE and (not f.writable() or f.flags & O_APPEND)):
        return -E.EACCES
    addr = do_mmap(t.mm, addr, length, prot, flags, f.inode.mapping(), off >> 12, f.name,
                   may_write=f.writable() and not f.flags & O_APPEND, lim=lim, vm_file=f)
    if addr >= 0 and not f.flags & O_NOATIME:
        f.inode.touch_atime()
    return addr


def sys_munmap(t: TaskStruct, addr: int, length: int) -> int:
    return do_munmap(t.mm, addr, length)
