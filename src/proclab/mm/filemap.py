"""Backing objects of VMAs: the page cache of files (mm/filemap.c) and
shared anonymous memory (mm/shmem.c).

Every backing object is an `AddressSpace`: `get_page(pgoff) -> (pfn, major)` is
the frame holding that page of the object, read in on first use (`major` is True
when it had to be read), or None for a page wholly past the end of a file (the
access gets SIGBUS). The object keeps its own reference on each frame; a mapping
that installs the frame in a page table takes one more. `i_mmap` lists the VMAs
mapping the object (MmStruct keeps it up to date), so that truncating a file can
take its pages away from every process (unmap_mapping_range).

Executables are read from the page cache, so every process running the same
binary maps the same text frames, and `exec` of a program already run costs no
reading at all (Unicorn also keeps its translations, keyed by physical page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Hashable, Optional, Protocol

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE
from .physmem import PG_CACHE, PhysMem

if TYPE_CHECKING:  # pragma: no cover
    from .mm_struct import MmStruct, VmArea


class Inode(Protocol):
    """What the page cache needs from a file (fs/ provides it)."""

    key: Hashable   # identity of the file contents (device, inode, mtime, size)
    size: int

    def read(self, offset: int, size: int) -> bytes: ...


class AddressSpace:
    """struct address_space: pages of a file or of shared memory, and the VMAs
    that map them. `get`/`put` count the VMAs (only objects that free their
    pages with the last mapping care)."""

    def __init__(self) -> None:
        self.i_mmap: dict["VmArea", "MmStruct"] = {}

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
