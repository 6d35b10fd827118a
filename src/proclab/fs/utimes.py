"""Changing a file's times (fs/utimes.c): utimensat, and futimens through it."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from .file import fd_inode
from .inode import permission
from ..uapi import errno as E
from ..uapi.stat import AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2


class Utimes:
    """utimensat of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_utimensat(self, t: TaskStruct, dirfd: int, pathname: int, times: int, flags: int) -> int:
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        if pathname:
            inode = self.k.namei.attr_target(t, dirfd, pathname, not flags & AT_SYMLINK_NOFOLLOW, flags)
        else:
            inode = fd_inode(t, dirfd)  # futimens(): a NULL path names dirfd itself
        if isinstance(inode, int):
            return inode
        now = inode.sb.now()
        if times:
            raw = self.k.uaccess.copy_from_user(t, times, 32)
            if raw is None:
                return -E.EFAULT
            stamps = []
            for sec, nsec in (struct.unpack_from("<qq", raw, 0), struct.unpack_from("<qq", raw, 16)):
                if nsec == UTIME_NOW:
                    stamps.append(now)
                elif nsec == UTIME_OMIT:
                    stamps.append(None)
                elif not 0 <= nsec < 1_000_000_000:
                    return -E.EINVAL
                else:
                    stamps.append(sec * 1_000_000_000 + nsec)
            if t.cred.fsuid not in (0, inode.uid):
                return -E.EPERM
        else:
            if permission(inode, 2, *self.k.namei.creds(t)) and t.cred.fsuid not in (0, inode.uid):
                return -E.EACCES
            stamps = [now, now]
        if stamps[0] is not None:
            inode.atime = stamps[0]
        if stamps[1] is not None:
            inode.mtime = stamps[1]
        inode.ctime = now
        return 0
