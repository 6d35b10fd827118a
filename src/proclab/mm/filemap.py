"""Backing objects of VMAs: the page cache of files (mm/filemap.c) and
shared anonymous memory (mm/shmem.c).

Every backing object is an `AddressSpace`: `get_page(pgoff) -> (pfn, major)` is
the frame holding that page of the object, read in on first use (`major` is True
when it had to be read), or None for a page wholly past the end of a file (the
access gets SIGBUS). The object keeps its own reference on each frame; a mapping
that installs the frame in a page table takes one more. `i_mmap` lists the VMAs
mapping the object (MmStruct keeps it up to date), so that truncating a file can
take its pages away from every process (unmap_mapping_range).

A file of the writable layer is its own address space and its `host`
(mapping->host). Its shared mappings are write-notified as those of a disk
filesystem under the overlay are: the first store to a page through them
faults, stamps the file's mtime and ctime and makes the page dirty
(filemap_page_mkwrite); writing the dirty pages back (msync, fsync) zeroes
the part of the last page past the end of the file, which stores may have
reached but which is never part of the file, and write-protects the pages in
every mapping, so that the next store stamps the file again. Shared memory
(shmem: no page_mkwrite) has no host and none of this.

Executables are read from the page cache, so every process running the same
binary maps the same text frames, and `exec` of a program already run costs no
reading at all (Unicorn also keeps its translations, keyed by physical page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Hashable, Optional, Protocol

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE, _PAGE_WRITE
from .mm_struct import VM_SHARED
from .physmem import PG_CACHE, PhysMem

if TYPE_CHECKING:  # pragma: no cover
    from ..fs.inode import Inode as VfsInode
    from .mm_struct import MmStruct, VmArea


class Inode(Protocol):
    """What the page cache needs from a file (fs/ provides it)."""

    key: Hashable   # identity of the file contents (device, inode, mtime, size)
    size: int

    def read(self, offset: int, size: int) -> bytes: ...


class AddressSpace:
    """struct address_space: pages of a file or of shared memory, and the VMAs
    that map them. `get`/`put` count the VMAs (only objects that free their
    pages with the last mapping care). `host` is the file whose shared
    mappings are write-notified, `dirty` the pages stored to through them
    since they were last written back."""

    host: Optional["VfsInode"] = None

    def __init__(self) -> None:
        self.i_mmap: dict["VmArea", "MmStruct"] = {}
        self.dirty: set[int] = set()

    def get_page(self, pgoff: int) -> Optional[tuple[int, bool]]:
        raise NotImplementedError

    def get(self) -> None:
        """A VMA starts using this object."""

    def put(self) -> None:
        """A VMA stops using this object."""


def unmap_mapping_range(space: AddressSpace, first_pgoff: int) -> None:
    """Take pages from `first_pgoff` on out of every process mapping `space`,
    private copies included (truncate_pagecache): the next access faults,
    and past the end of the file that is SIGBUS."""
    for vma, mm in list(space.i_mmap.items()):
        start = vma.start + max(0, first_pgoff - vma.pgoff) * PAGE_SIZE
        if start < vma.end and mm.zap_range(start, vma.end):
            mm.flush_tlb()


def filemap_page_mkwrite(space: AddressSpace, pgoff: int) -> None:
    """filemap_page_mkwrite(): a store through a shared mapping is about to
    make page `pgoff` writable: file_update_time() (mtime and ctime become
    now) and the page is dirty."""
    assert space.host is not None
    space.host.modified()
    space.dirty.add(pgoff)


def filemap_write_and_wait_range(phys: PhysMem, space: AddressSpace, first: int, last: int) -> None:
    """filemap_write_and_wait_range() for pages `first` to `last`: each dirty
    one is written: a page the end of the file cuts has its part past the
    end zeroed (block_write_full_folio(): "writes to that region are not
    written out to the file"), and the written pages are write-protected in
    every shared mapping (folio_mkclean()), so that a store faults again."""
    host = space.host
    if host is None:
        return
    written = sorted(pgoff for pgoff in space.dirty if first <= pgoff <= last)
    if not written:
        return
    space.dirty.difference_update(written)
    size = host.size
    tail = size & (PAGE_SIZE - 1)
    if tail and size >> PAGE_SHIFT in written:
        got = space.get_page(size >> PAGE_SHIFT)
        if got is not None:
            phys.write(got[0], tail, bytes(PAGE_SIZE - tail))
    for vma, mm in space.i_mmap.items():
        if not vma.flags & VM_SHARED:
            continue
        pt = mm.pgtable
        cleaned = False
        for pgoff in written:
            if vma.pgoff <= pgoff and vma.start + ((pgoff - vma.pgoff) << PAGE_SHIFT) < vma.end:
                vpn = (vma.start >> PAGE_SHIFT) + pgoff - vma.pgoff
                pte = pt.get(vpn)
                if pte is not None and pte & _PAGE_WRITE:
                    pt[vpn] = pte & ~_PAGE_WRITE
                    cleaned = True
        if cleaned:
            mm.flush_tlb()


class CachedFile(AddressSpace):
    """The cached pages of one (read-only) file of the host."""

    def __init__(self, phys: PhysMem, inode: Inode) -> None:
        super().__init__()
        self.phys = phys
        self.inode = inode
        self.pages: dict[int, int] = {}

    def get_page(self, pgoff: int) -> Optional[tuple[int, bool]]:
        pfn = self.pages.get(pgoff)
        if pfn is not None:
            return pfn, False
        if pgoff << PAGE_SHIFT >= self.inode.size:
            return None
        data = self.inode.read(pgoff << PAGE_SHIFT, PAGE_SIZE)
        pfn = self.phys.alloc(PG_CACHE)
        if data:
            self.phys.write(pfn, 0, data)
        self.pages[pgoff] = pfn
        return pfn, True


class PageCache:
    """All cached files, by content identity."""

    def __init__(self, phys: PhysMem) -> None:
        self.phys = phys
        self.files: dict[Hashable, CachedFile] = {}

    def lookup(self, inode: Inode) -> CachedFile:
        cached = self.files.get(inode.key)
        if cached is None:
            cached = self.files[inode.key] = CachedFile(self.phys, inode)
        return cached

    def nr_pages(self) -> int:
        return sum(len(f.pages) for f in self.files.values())


class SharedAnon(AddressSpace):
    """The object behind a MAP_SHARED|MAP_ANONYMOUS mapping (shmem_zero_setup):
    its pages stay shared by every process that inherits the mapping. Reference
    counted by the VMAs that use it; the last one frees the pages."""

    def __init__(self, phys: PhysMem) -> None:
        super().__init__()
        self.phys = phys
        self.pages: dict[int, int] = {}
        self.refs = 1

    def get_page(self, pgoff: int) -> Optional[tuple[int, bool]]:
        pfn = self.pages.get(pgoff)
        if pfn is None:
            pfn = self.pages[pgoff] = self.phys.alloc(PG_CACHE)
        return pfn, False

    def get(self) -> None:
        self.refs += 1

    def put(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            for pfn in self.pages.values():
                self.phys.put(pfn)
            self.pages.clear()
