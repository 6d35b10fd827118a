"""The host's files, read-only: the lower layer of the simulated root.

Nothing here writes to the host. Host paths are built one checked component at
a time by the directory code (fs/dir.py): every step is an lstat of a name
that is neither "." nor ".." nor contains "/", and symbolic links are read
(readlink), never followed by the host: the simulated kernel resolves them
inside the simulated root, so no path can reach outside it (`--root`).

Each host file is represented by one inode object, found again by its host
(device, inode) pair, so hard links stay one file and a directory keeps the
changes the writable layer made to it. The host's /proc and /sys describe the
host kernel, and its devices, FIFOs and sockets belong to it: they show up
as names but cannot be opened (the simulated /dev, /proc replace them).
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Hashable, Optional

from ..mm.filemap import AddressSpace, PageCache
from ..uapi import errno as E
from .inode import Inode, SuperBlock, Symlink

if TYPE_CHECKING:  # pragma: no cover
    from .dir import Directory


class HostFile(Inode):
    """A regular file of the host, read with pread; its pages live in the page
    cache, shared by every process that maps or runs it."""

    def __init__(self, sb: SuperBlock, cache: PageCache, host_path: str, st: os.stat_result) -> None:
        super().__init__(sb, st.st_mode, st.st_uid, st.st_gid)
        self.host_path = host_path
        self.cache = cache
        self.key: Hashable = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        self._size = st.st_size
        self.host_blocks = st.st_blocks
        self.nlink = st.st_nlink
        self.atime, self.mtime, self.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns

    @property
    def size(self) -> int:
        return self._size

    def read(self, offset: int, size: int) -> bytes:
        if offset >= self._size or size <= 0:
            return b""
        try:
            fd = os.open(self.host_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
        except OSError:
            return b""  # the host file went away: it reads as empty
        try:
            return os.pread(fd, min(size, self._size - offset), offset)
        finally:
            os.close(fd)

    def mapping(self) -> AddressSpace:
        return self.cache.lookup(self)


class HostSpecial(Inode):
    """A device, FIFO or socket of the host: visible, never opened."""

    def __init__(self, sb: SuperBlock, st: os.stat_result) -> None:
        super().__init__(sb, st.st_mode, st.st_uid, st.st_gid, st.st_rdev)
        self.atime, self.mtime, self.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns


class HostLayer:
    """Finds host files and makes their inodes, once each."""

    def __init__(self, sb: SuperBlock, cache: PageCache) -> None:
        self.sb = sb
        self.cache = cache
        self._inodes: dict[tuple[int, int], Inode] = {}

    def lookup(self, parent: "Directory", host_dir: str, name: str) -> Optional[Inode]:
        """The inode for `name` in the host directory `host_dir`, or None."""
        path = os.path.join(host_dir, name)
        try:
            st = os.lstat(path)
        except OSError:
            return None
        key = (st.st_dev, st.st_ino)
        inode = self._inodes.get(key)
        if inode is None:
            inode = self._inodes[key] = self._make(parent, name, path, st)
        return inode

    def holds(self, host_dir: str, name: str, inode: Inode) -> bool:
        """Is `inode` the host's file `name` in `host_dir` (rather than one
        the layer moved there)?"""
        try:
            st = os.lstat(os.path.join(host_dir, name))
        except OSError:
            return False
        return self._inodes.get((st.st_dev, st.st_ino)) is inode

    def names(self, host_dir: str) -> list[str]:
        """The entries of a host directory (none if it cannot be read)."""
        try:
            return os.listdir(host_dir)
        except OSError:
            return []

    def root(self, host_root: str) -> "Directory":
        """The directory that becomes "/" of the simulated system."""
        from .dir import Directory
        st = os.stat(host_root)
        if not stat.S_ISDIR(st.st_mode):
            raise NotADirectoryError(host_root)
        root = Directory(self.sb, st.st_mode & 0o7777, st.st_uid, st.st_gid, lower=host_root, host=self)
        root.host_path = host_root
        root.nlink, root.st_size, root.host_blocks = st.st_nlink, st.st_size, st.st_blocks
        root.atime, root.mtime, root.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns
        self._inodes[(st.st_dev, st.st_ino)] = root
        return root

    def _make(self, parent: "Directory", name: str, path: str, st: os.stat_result) -> Inode:
        from .dir import Directory
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            d = Directory(self.sb, mode & 0o7777, st.st_uid, st.st_gid, parent=parent, name=name,
                          lower=path, host=self)
            d.nlink, d.st_size, d.host_blocks = st.st_nlink, st.st_size, st.st_blocks
            d.host_path = path
            d.atime, d.mtime, d.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns
            return d
        if stat.S_ISREG(mode):
            return HostFile(self.sb, self.cache, path, st)
        if stat.S_ISLNK(mode):
            try:
                target = os.fsencode(os.readlink(path))
            except OSError:
                target = b""
            link = Symlink(self.sb, target, st.st_uid, st.st_gid)
            link.host_path, link.host_blocks = path, st.st_blocks
            link.atime, link.mtime, link.ctime = st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns
            return link
        special = HostSpecial(self.sb, st)
        special.host_path, special.host_blocks = path, st.st_blocks
        return special


def host_error(err: OSError) -> int:
    """-errno for a failed host operation."""
    return -(err.errno or E.EIO)
