"""Open files of the filesystem (fs/read_write.c, fs/readdir.c, fs/open.c):
regular files with an offset, directories read entry by entry, and O_PATH
handles that only name a file.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Union

from ..uapi import errno as E
from ..uapi.stat import DT_DIR, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET, dtype
from .dir import Directory
from .file import O_APPEND, O_NOATIME, File, ReadResult
from .inode import Inode
from .memfs import MAX_FILE_SIZE, MemFile


class RegularFile(File):
    """An open regular file: reads and writes at the shared offset."""

    def __init__(self, inode: Inode, flags: int, name: str) -> None:
        super().__init__(flags, name, inode)
        if self.writable():
            inode.open_writers += 1
        if isinstance(inode, MemFile):
            inode.users += 1   # an unlinked file lives on while open

    def read(self, count: int) -> ReadResult:
        data = self.pread(self.pos, count)
        if isinstance(data, bytes):
            self.pos += len(data)
        return data

    def write(self, data: bytes) -> int:
        if self.flags & O_APPEND:
            self.pos = self.inode.size
        n = self.pwrite(self.pos, data)
        if n > 0:
            self.pos += n
        return n

    def pread(self, pos: int, count: int) -> ReadResult:
        """filemap_read(): the bytes at `pos`; reading (even at the end,
        not 0 bytes) is an access: file_accessed(), unless O_NOATIME."""
        if count and not self.flags & O_NOATIME:
            self.inode.touch_atime()
        return self.inode.read(pos, count)

    def pwrite(self, pos: int, data: bytes) -> int:
        inode = self.inode
        if not isinstance(inode, MemFile):
            return -E.EBADF  # host files are copied up before they are opened for writing
        if self.flags & O_APPEND:
            pos = inode.size  # Linux: pwrite on an O_APPEND file appends anyway
        return inode.write(pos, data)

    def llseek(self, offset: int, whence: int) -> int:
        size = self.inode.size
        if whence == SEEK_SET:
            pos = offset
        elif whence == SEEK_CUR:
            pos = self.pos + offset
        elif whence == SEEK_END:
            pos = size + offset
        elif whence in (SEEK_DATA, SEEK_HOLE):
            if offset < 0 or offset >= size:
                return -E.ENXIO
            pos = offset if whence == SEEK_DATA else size  # no holes reported
        else:
            return -E.EINVAL
        if pos < 0 or pos > MAX_FILE_SIZE:
            return -E.EINVAL
        self.pos = pos
        return pos

    def release(self) -> None:
        inode = self.inode
        if self.writable():
            inode.open_writers -= 1
        if isinstance(inode, MemFile):
            inode.users -= 1
            inode.evict_if_unused()


class DirEntry(NamedTuple):
    ino: int
    name: str
    type: int   # DT_*


class DirFile(File):
    """An open directory. Its entries are listed when reading starts at
    offset 0 (opendir, rewinddir), so removals while reading do not shift
    them; the offset is an index into that list."""

    def __init__(self, inode: Directory, flags: int, name: str) -> None:
        super().__init__(flags, name, inode)
        self._listing: Optional[list[DirEntry]] = None

    def read(self, count: int) -> ReadResult:
        return -E.EISDIR

    def entries(self) -> list[DirEntry]:
        """The entries from the current offset on ("." and ".." first)."""
        if self._listing is None or self.pos == 0:
            d: Directory = self.inode
            listing = [DirEntry(d.ino, ".", DT_DIR), DirEntry(d.parent.ino, "..", DT_DIR)]
            for name in d.names():
                child = d.lookup(name)
                if child is not None:
                    listing.append(DirEntry(child.ino, name, dtype(child.mode)))
            self._listing = listing
        return self._listing[self.pos:]

    def llseek(self, offset: int, whence: int) -> int:
        if whence == SEEK_CUR:
            offset += self.pos
        elif whence != SEEK_SET:
            return -E.EINVAL
        if offset < 0:
            return -E.EINVAL
        self.pos = offset
        return offset


class PathFile(File):
    """O_PATH: a handle on a file for *at() calls, fstat, fchdir; no I/O."""

    def read(self, count: int) -> ReadResult:
        return -E.EBADF

    def write(self, data: bytes) -> int:
        return -E.EBADF


OpenFile = Union[RegularFile, DirFile, PathFile]
