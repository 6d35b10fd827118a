"""Files of the host, read-only: where execve finds programs.

The host's filesystem is only read (stat and pread): nothing a simulated program
does can change it. An inode is identified by (device, inode number, mtime,
size), so the page cache shares the pages of a binary among all processes that
run it and notices when the file is rebuilt.
"""

from __future__ import annotations

import os
import posixpath
import stat
from typing import Hashable, Union

from ..uapi import errno as E

PATH_MAX = 4096
# Host directories that describe the host kernel's own state, not files: the
# simulated system has no procfs/sysfs mounted (yet), so they do not exist.
HIDDEN = ("/proc", "/sys")


def _hidden(path: str) -> bool:
    return any(path == top or path.startswith(top + "/") for top in HIDDEN)


class HostInode:
    """A host file opened for reading."""

    def __init__(self, path: str, st: os.stat_result) -> None:
        self.path = path
        self.key: Hashable = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        self.size = st.st_size
        self.mode = st.st_mode
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)

    def read(self, offset: int, size: int) -> bytes:
        if offset >= self.size:
            return b""
        return os.pread(self._fd, min(size, self.size - offset), offset)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def executable(self) -> bool:
        """May the simulated (root) user execute it: a regular file with an x bit."""
        return stat.S_ISREG(self.mode) and bool(self.mode & 0o111)


class HostFs:
    """Path lookup on the host, relative to a simulated cwd."""

    def __init__(self) -> None:
        self._inodes: dict[Hashable, HostInode] = {}

    def _stat(self, path: str, cwd: str) -> Union[tuple[str, os.stat_result], int]:
        """The normalized absolute path and its stat, or -errno."""
        if not path:
            return -E.ENOENT
        if len(path) >= PATH_MAX:
            return -E.ENAMETOOLONG
        full = posixpath.normpath(posixpath.join(cwd, path))
        if _hidden(full):
            return -E.ENOENT
        try:
            return full, os.stat(full)
        except OSError as err:
            return -(err.errno or E.ENOENT)

    def lookup(self, path: str, cwd: str) -> Union[HostInode, int]:
        """The file at `path`, or -errno (ENOENT, ENOTDIR, EACCES, ELOOP, ...)."""
        found = self._stat(path, cwd)
        if isinstance(found, int):
            return found
        full, st = found
        if stat.S_ISDIR(st.st_mode):
            return -E.EACCES
        key = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        inode = self._inodes.get(key)
        if inode is None:
            try:
                inode = self._inodes[key] = HostInode(full, st)
            except OSError as err:
                return -(err.errno or E.EACCES)
        return inode

    def lookup_dir(self, path: str, cwd: str) -> Union[str, int]:
        """The normalized path of a directory (for chdir), or -errno."""
        found = self._stat(path, cwd)
        if isinstance(found, int):
            return found
        full, st = found
        return full if stat.S_ISDIR(st.st_mode) else -E.ENOTDIR

    def close(self) -> None:
        for inode in self._inodes.values():
            inode.close()
        self._inodes.clear()
