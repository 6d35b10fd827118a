"""Backing objects of VMAs: the page cache of files (mm/filemap.c) and
shared anonymous memory (mm/shmem.c).

Both answer `get_page(pgoff) -> (pfn, major)`: the frame holding that page of the
object, read in on first use (`major` is True when it had to be read). The object
keeps its own reference on each frame; a mapping that installs the frame in a
page table takes one more.

Executables are read from the page cache, so every process running the same
binary maps the same text frames, and `exec` of a program already run costs no
reading at all (Unicorn also keeps its translations, keyed by physical page).
"""

from __future__ import annotations

from typing import Hashable, Protocol

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE
from .physmem import PG_CACHE, PhysMem


class Inode(Protocol):
    """What the page cache needs from a file (fs/ provides it)."""

    key: Hashable   # identity of the file contents (device, inode, mtime, size)
    size: int

    def read(self, offset: int, size: int) -> bytes: ...


class CachedFile:
    """struct address_space: the cached pages of one file."""

    shared_memory = False

    def __init__(self, phys: PhysMem, inode: Inode) -> None:
        self.phys = phys
        self.inode = inode
        self.pages: dict[int, int] = {}

    def get_page(self, pgoff: int) -> tuple[int, bool]:
        pfn = self.pages.get(pgoff)
        if pfn is not None:
            return pfn, False
        data = self.inode.read(pgoff << PAGE_SHIFT, PAGE_SIZE)
        pfn = self.phys.alloc(PG_CACHE)
        if data:
            self.phys.write(pfn, 0, data)
        self.pages[pgoff] = pfn
        return pfn, True

    def get(self) -> None:
        """A VMA starts using this file (the cache outlives its mappings)."""

    def put(self) -> None:
        """A VMA stops using this file."""


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


class SharedAnon:
    """The object behind a MAP_SHARED|MAP_ANONYMOUS mapping (shmem_zero_setup):
    its pages stay shared by every process that inherits the mapping. Reference
    counted by the VMAs that use it; the last one frees the pages."""

    shared_memory = True

    def __init__(self, phys: PhysMem) -> None:
        self.phys = phys
        self.pages: dict[int, int] = {}
        self.refs = 1

    def get_page(self, pgoff: int) -> tuple[int, bool]:
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
