"""Page faults (mm/memory.c: handle_mm_fault and friends).

`handle_mm_fault(mm, addr, access)` resolves a fault the way Linux does and
returns `(kind, pte)`; kind says what happened (for accounting and tracing, done
by the caller) and pte is the entry now installed, or 0 when the access is
illegal and the task must get SIGSEGV:

- no VMA                                                 -> SEGV_MAPERR
  (the caller first lets a stack grow down to the address: mmap.expand_stack)
- the VMA does not allow the access                      -> SEGV_ACCERR
- anonymous page never touched: read maps the zero page read-only, write gets a
  fresh zeroed frame                                      (do_anonymous_page)
- file page: map the page-cache frame; a write to a private mapping copies it
                                                          (do_read_fault / do_cow_fault)
- shared mapping of a file: the page is mapped writable only by a write fault,
  which stamps the file's mtime and ctime and makes the page dirty
  (do_shared_fault, wp_page_shared: page_mkwrite); writeback write-protects
  it again, so that the next store stamps the file again
- a page wholly past the end of the file                 -> SIGBUS
- write to a present read-only page of a writable VMA: copy-on-write. The frame
  is copied, unless this mapping is its only user and it is anonymous, in which
  case it is simply made writable again                  (do_wp_page)
"""

from __future__ import annotations

from ..arch.x86_64.pgtable import (
    ACCESS_FETCH,
    ACCESS_READ,
    ACCESS_WRITE,
    PAGE_MASK,
    PAGE_SHIFT,
    PAGE_SIZE,
    _PAGE_EXEC,
    _PAGE_READ,
    _PAGE_WRITE,
)
from ..uapi import errno as E
from .mm_struct import (
    VM_EXEC,
    VM_LOCKONFAULT,
    VM_READ,
    VM_SHARED,
    VM_WRITE,
    MmStruct,
    VmArea,
)
from .filemap import filemap_page_mkwrite
from .physmem import PG_ANON, PG_ZERO, OutOfMemory

# fault kinds
FAULT_MINOR = 0        # resolved without reading anything (zero page, cached page)
FAULT_MAJOR = 1        # a file page had to be read in
FAULT_COW_COPY = 2     # copy-on-write: the frame was copied
FAULT_COW_REUSE = 3    # copy-on-write: last user, made writable in place
FAULT_SEGV_MAPERR = 4  # no mapping
FAULT_SEGV_ACCERR = 5  # mapping forbids the access
FAULT_SPURIOUS = 6     # the PTE already allowed it (a stale TLB entry)
FAULT_SIGBUS = 7       # a file page past the end of the file

KIND_NAMES = {
    FAULT_MINOR: "minor", FAULT_MAJOR: "major", FAULT_COW_COPY: "cow",
    FAULT_COW_REUSE: "cow-reuse", FAULT_SEGV_MAPERR: "segv", FAULT_SEGV_ACCERR: "segv",
    FAULT_SPURIOUS: "spurious", FAULT_SIGBUS: "sigbus",
}

_ACCESS_VM = {ACCESS_WRITE: VM_WRITE, ACCESS_FETCH: VM_EXEC}


def vma_pte_perms(vma: VmArea, writable: bool) -> int:
    """The rights a PTE of `vma` carries; write only when the page may be
    written in place (shared mapping, or a private page this mm owns alone)."""
    perms = _PAGE_READ
    if vma.flags & VM_EXEC:
        perms |= _PAGE_EXEC
    if writable and vma.flags & VM_WRITE:
        perms |= _PAGE_WRITE
    return perms


def handle_mm_fault(mm: MmStruct, addr: int, access: int) -> tuple[int, int]:
    vma = mm.find_vma(addr)
    if vma is None:
        return FAULT_SEGV_MAPERR, 0
    if not vma.flags & _ACCESS_VM.get(access, VM_READ):
        return FAULT_SEGV_ACCERR, 0
    vpn = addr >> PAGE_SHIFT
    pte = mm.pgtable.get(vpn)
    if pte is None:
        if vma.file is None:
            return do_anonymous_page(mm, vma, vpn, access)
        return do_fault(mm, vma, vpn, addr, access)
    if access == ACCESS_WRITE and not pte & _PAGE_WRITE:
        return do_wp_page(mm, vma, vpn, pte)
    # Rights taken away by mprotect and given back, or a stale TLB entry.
    want = vma_pte_perms(vma, bool(pte & _PAGE_WRITE))
    if want != pte & 7:
        pte = (pte & PAGE_MASK) | want
        mm.pgtable[vpn] = pte
    return FAULT_SPURIOUS, pte


def do_anonymous_page(mm: MmStruct, vma: VmArea, vpn: int, access: int) -> tuple[int, int]:
    phys = mm.phys
    if access == ACCESS_WRITE:
        pfn = phys.alloc(PG_ANON)
        pte = (pfn << PAGE_SHIFT) | vma_pte_perms(vma, True)
    else:
        pfn = phys.zero_pfn
        phys.get(pfn)
        pte = (pfn << PAGE_SHIFT) | vma_pte_perms(vma, False)
    mm.pgtable[vpn] = pte
    return FAULT_MINOR, pte


def do_fault(mm: MmStruct, vma: VmArea, vpn: int, addr: int, access: int) -> tuple[int, int]:
    """do_read_fault(), do_cow_fault() and do_shared_fault(). A shared
    mapping of a file (vma_wants_writenotify: its filesystem has
    page_mkwrite) maps the page read-only on a read fault, so that the first
    store faults again."""
    phys = mm.phys
    space = vma.file
    pgoff = vma.page_offset(addr)
    got = space.get_page(pgoff)
    if got is None:
        return FAULT_SIGBUS, 0
    pfn, major = got
    kind = FAULT_MAJOR if major else FAULT_MINOR
    shared = bool(vma.flags & VM_SHARED)
    if access == ACCESS_WRITE and not shared:
        # do_cow_fault: a private copy of the file page
        new = phys.alloc(PG_ANON, zero=False)
        phys.copy(new, pfn)
        pte = (new << PAGE_SHIFT) | vma_pte_perms(vma, True)
        mm.pgtable[vpn] = pte
        return FAULT_COW_COPY, pte
    writable = shared
    if shared and space.host is not None:
        if access == ACCESS_WRITE:
            filemap_page_mkwrite(space, pgoff)
        else:
            writable = False
    phys.get(pfn)
    pte = (pfn << PAGE_SHIFT) | vma_pte_perms(vma, writable)
    mm.pgtable[vpn] = pte
    return kind, pte


def do_wp_page(mm: MmStruct, vma: VmArea, vpn: int, pte: int) -> tuple[int, int]:
    """Write to a present, write-protected page of a writable VMA. A shared
    mapping's page becomes writable in place, after page_mkwrite for a file
    (wp_page_shared)."""
    phys = mm.phys
    pfn = pte >> PAGE_SHIFT
    if vma.flags & VM_SHARED:
        space = vma.file
        if space.host is not None:
            filemap_page_mkwrite(space, vma.page_offset(vpn << PAGE_SHIFT))
        pte = (pte & PAGE_MASK) | vma_pte_perms(vma, True)
        mm.pgtable[vpn] = pte
        return FAULT_MINOR, pte
    flags = phys.flags[pfn]
    if flags & PG_ANON and phys.refcount[pfn] == 1:
        pte = (pte & PAGE_MASK) | vma_pte_perms(vma, True)
        mm.pgtable[vpn] = pte
        return FAULT_COW_REUSE, pte
    new = phys.alloc(PG_ANON, zero=bool(flags & PG_ZERO))
    if not flags & PG_ZERO:
        phys.copy(new, pfn)
    phys.put(pfn)
    pte = (new << PAGE_SHIFT) | vma_pte_perms(vma, True)
    mm.pgtable[vpn] = pte
    return (FAULT_MINOR if flags & PG_ZERO else FAULT_COW_COPY), pte


def mm_populate(mm: MmStruct, start: int, end: int, ignore_errors: bool = True) -> int:
    """__mm_populate() and populate_vma_page_range() (mm/gup.c): fault in the
    pages of the VMAs in [start, end), for writing where a private mapping is
    writable. VM_LOCKONFAULT VMAs are skipped, and so are those no access is
    allowed to. A page that cannot be had stops the VMA: -EFAULT (SIGBUS,
    past the end of a file) or -ENOMEM (no frame left), returned at once
    unless `ignore_errors` (mm_populate), which moves on to the next VMA."""
    err = 0
    for vma in mm.overlapping(start, end):
        if vma.flags & VM_LOCKONFAULT or not vma.flags & VM_READ:
            continue
        access = ACCESS_WRITE if vma.flags & (VM_WRITE | VM_SHARED) == VM_WRITE else ACCESS_READ
        for addr in range(max(start, vma.start), min(end, vma.end), PAGE_SIZE):
            try:
                pte = handle_mm_fault(mm, addr, access)[1]
            except OutOfMemory:
                pte, err = 0, -E.ENOMEM
            if not pte:
                err = err or -E.EFAULT
                break
        if err and not ignore_errors:
            break
        err = 0
    mm.flush_tlb()
    return err
