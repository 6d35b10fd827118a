"""File status (fs/stat.c): stat, lstat, fstat, newfstatat, statx, readlink
and readlinkat.

Host files show the host's sizes, modes, owners and times; inode numbers are
the simulated filesystem's own (the order files were first seen), and every
file is on one device, so the same program sees the same numbers in every run.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Union

from .file import fd_inode
from .inode import Inode
from ..uapi import errno as E
from ..lib.lockdep import lock_acquire
from ..uapi.stat import (
    AT_EMPTY_PATH,
    AT_FDCWD,
    AT_NO_AUTOMOUNT,
    AT_STATX_SYNC_TYPE,
    AT_SYMLINK_NOFOLLOW,
    STATX_BASIC_STATS,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

_STAT = struct.Struct("<QQQIIIIQqqqqQqQqQ24x")   # struct stat (x86-64), 144 bytes; times are signed
_STATX_HEAD = struct.Struct("<IIQIIIHHQQQQ")       # up to stx_attributes_mask, 64 bytes
_STATX_TIME = struct.Struct("<qIi")                # struct statx_timestamp
_STATX_DEVS = struct.Struct("<IIIIQ")             # rdev, dev (major, minor), mnt_id
BLKSIZE = 4096
NSEC = 1_000_000_000


def huge_decode_dev(dev: int) -> tuple[int, int]:
    """(major, minor) of a new_encode_dev() number."""
    return (dev >> 8) & 0xFFF, (dev & 0xFF) | ((dev >> 12) & 0xFFF00)


def pack_stat(inode: Inode) -> bytes:
    """cp_new_stat(): struct stat for `inode`."""
    lock_acquire(inode.lock_key, write=False)
    return _STAT.pack(
        inode.sb.dev, inode.ino, inode.nlink, inode.mode, inode.uid, inode.gid, 0, inode.rdev,
        inode.size, BLKSIZE, inode.blocks(),
        *divmod(inode.atime, NSEC), *divmod(inode.mtime, NSEC), *divmod(inode.ctime, NSEC),
    )


def pack_statx(inode: Inode) -> bytes:
    lock_acquire(inode.lock_key, write=False)
    """cp_statx(): struct statx (256 bytes) with the basic stats."""
    head = _STATX_HEAD.pack(
        STATX_BASIC_STATS, BLKSIZE, 0, inode.nlink, inode.uid, inode.gid, inode.mode & 0xFFFF, 0,
        inode.ino, inode.size, inode.blocks(), 0,
    )
    times = b"".join(_STATX_TIME.pack(*divmod(ns, NSEC), 0)
                     for ns in (inode.atime, 0, inode.ctime, inode.mtime))  # atime, btime, ctime, mtime
    devs = _STATX_DEVS.pack(*huge_decode_dev(inode.rdev), *huge_decode_dev(inode.sb.dev), 1)
    return (head + times + devs).ljust(256, b"\0")


class Stat:
    """The stat system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def _inode(self, t: TaskStruct, dirfd: int, filename: int, flags: int) -> Union[Inode, int]:
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE):
            return -E.EINVAL
        found = self.k.namei.lookup_existing(t, dirfd, filename, not flags & AT_SYMLINK_NOFOLLOW, flags)
        return found if isinstance(found, int) else found.inode

    def _put(self, t: TaskStruct, inode: Union[Inode, int], buf: int) -> int:
        if isinstance(inode, int):
            return inode
        return 0 if self.k.uaccess.copy_to_user(t, buf, pack_stat(inode)) else -E.EFAULT

    def sys_stat(self, t: TaskStruct, filename: int, buf: int) -> int:
        return self._put(t, self._inode(t, AT_FDCWD, filename, 0), buf)

    def sys_lstat(self, t: TaskStruct, filename: int, buf: int) -> int:
        return self._put(t, self._inode(t, AT_FDCWD, filename, AT_SYMLINK_NOFOLLOW), buf)

    def sys_fstat(self, t: TaskStruct, fd: int, buf: int) -> int:
        return self._put(t, fd_inode(t, fd), buf)

    def sys_newfstatat(self, t: TaskStruct, dirfd: int, filename: int, buf: int, flags: int) -> int:
        return self._put(t, self._inode(t, dirfd, filename, flags), buf)

    def sys_statx(self, t: TaskStruct, dirfd: int, filename: int, flags: int, mask: int, buf: int) -> int:
        if mask & 0x80000000:  # STATX__RESERVED
            return -E.EINVAL
        inode = self._inode(t, dirfd, filename, flags)
        if isinstance(inode, int):
            return inode
        return 0 if self.k.uaccess.copy_to_user(t, buf, pack_statx(inode)) else -E.EFAULT

    def sys_readlink(self, t: TaskStruct, pathname: int, buf: int, size: int) -> int:
        return self.sys_readlinkat(t, AT_FDCWD, pathname, buf, size)

    def sys_readlinkat(self, t: TaskStruct, dirfd: int, pathname: int, buf: int, size: int) -> int:
        if size <= 0 or size > 0x7FFFFFFF:
            return -E.EINVAL
        found = self.k.namei.lookup_existing(t, dirfd, pathname, False, AT_EMPTY_PATH)
        if isinstance(found, int):
            return found
        if not found.inode.is_lnk():
            return -E.EINVAL
        found.inode.touch_atime()  # do_readlinkat(), before vfs_readlink()
        data = found.inode.target[:size]  # type: ignore[attr-defined]
        return len(data) if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT
