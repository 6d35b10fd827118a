"""Regular files of the writable layer, kept in simulated memory (mm/shmem.c,
tmpfs).

A `MemFile`'s contents are page frames of the simulated RAM, held in its own
page cache: read() and write() copy to and from those frames, and mmap() maps
the very same frames, so a MAP_SHARED mapping and the file always agree. The
frames count against the machine's memory (a full one gives ENOSPC). They are
freed when the file is gone: no name left, no open file, no mapping.
"""

from __future__ import annotations

from typing import Optional

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE
from ..mm.filemap import AddressSpace, unmap_mapping_range
from ..mm.physmem import PG_CACHE, OutOfMemory, PhysMem
from ..uapi import errno as E
from ..uapi.stat import S_IFREG
from .inode import Inode, SuperBlock

MAX_FILE_SIZE = 1 << 40


class MemFile(Inode, AddressSpace):
    """A regular file in memory; also the address space its mappings use."""

    def __init__(self, sb: SuperBlock, phys: PhysMem, perm: int, uid: int = 0, gid: int = 0) -> None:
        Inode.__init__(self, sb, S_IFREG | (perm & 0o7777), uid, gid)
        AddressSpace.__init__(self)
        self.host = self   # its own file: stores through shared mappings stamp it (page_mkwrite)
        self.phys = phys
        self.pages: dict[int, int] = {}
        self._size = 0
        self.users = 0     # open files and VMAs; with nlink they keep the pages

    @property
    def size(self) -> int:
        return self._size

    def mapping(self) -> AddressSpace:
        return self

    def read(self, offset: int, size: int) -> bytes:
        """Up to `size` bytes at `offset` (fewer at the end of the file)."""
        end = min(offset + size, self._size)
        out = bytearray()
        pos = offset
        while pos < end:
            pgoff, off = pos >> PAGE_SHIFT, pos & (PAGE_SIZE - 1)
            n = min(PAGE_SIZE - off, end - pos)
            pfn = self.pages.get(pgoff)
            out += self.phys.read(pfn, off, n) if pfn is not None else bytes(n)
            pos += n
        return bytes(out)

    def write(self, offset: int, data: bytes) -> int:
        """Store `data` at `offset`, growing the file: the count, or -ENOSPC when
        the machine's memory is full (after a partial write: what was written)."""
        if offset + len(data) > MAX_FILE_SIZE:
            return -E.EFBIG
        pos, done = offset, 0
        while done < len(data):
            pgoff, off = pos >> PAGE_SHIFT, pos & (PAGE_SIZE - 1)
            n = min(PAGE_SIZE - off, len(data) - done)
            pfn = self._page(pgoff)
            if pfn is None:
                break
            self.phys.write(pfn, off, data[done:done + n])
            pos += n
            done += n
        if done == 0 and data:
            return -E.ENOSPC
        self._size = max(self._size, offset + done)
        self.modified()
        return done

    def truncate(self, length: int) -> int:
        """Set the size; pages past a shrunk end leave every mapping (whose next
        access there gets SIGBUS) and the tail of the last page is zeroed."""
        if length > MAX_FILE_SIZE:
            return -E.EFBIG
        if length < self._size:
            first = (length + PAGE_SIZE - 1) >> PAGE_SHIFT
            unmap_mapping_range(self, first)
            for pgoff in [p for p in self.pages if p >= first]:
                self.phys.put(self.pages.pop(pgoff))
            if length & (PAGE_SIZE - 1):
                pfn = self.pages.get(length >> PAGE_SHIFT)
                if pfn is not None:
                    tail = length & (PAGE_SIZE - 1)
                    self.phys.write(pfn, tail, bytes(PAGE_SIZE - tail))
        self._size = length
        self.modified()
        return 0

    def _page(self, pgoff: int) -> Optional[int]:
        pfn = self.pages.get(pgoff)
        if pfn is None:
            try:
                pfn = self.pages[pgoff] = self.phys.alloc(PG_CACHE)
            except OutOfMemory:
                return None
        return pfn

    # ---- as the address space of its mappings -----------------------------------

    def get_page(self, pgoff: int) -> Optional[tuple[int, bool]]:
        if pgoff << PAGE_SHIFT >= self._size:
            return None
        pfn = self._page(pgoff)
        if pfn is None:
            raise OutOfMemory()
        return pfn, False

    def get(self) -> None:
        self.users += 1

    def put(self) -> None:
        self.users -= 1
        self.evict_if_unused()

    def evict_if_unused(self) -> None:
        """evict(): no name, no open file, no mapping left: free the pages."""
        if self.nlink == 0 and self.users == 0:
            for pfn in self.pages.values():
                self.phys.put(pfn)
            self.pages.clear()
            self._size = 0
