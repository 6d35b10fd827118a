"""Filesystem statistics (fs/statfs.c): statfs and fstatfs."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Union

from .stat import BLKSIZE
from .file import fd_inode
from .inode import Inode
from ..uapi import errno as E
from ..uapi.stat import AT_FDCWD

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

_STATFS = struct.Struct("<qqQQQQQiiqqq32x")        # struct statfs (x86-64), 120 bytes


class StatFs:
    """statfs and fstatfs of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def _statfs(self, t: TaskStruct, inode: Union[Inode, int], buf: int) -> int:
        """Sizes are the machine's memory: the writable layer lives there."""
        if isinstance(inode, int):
            return inode
        phys = self.k.phys
        free = phys.nr_free
        data = _STATFS.pack(inode.sb.magic, BLKSIZE, phys.nr_frames, free, free, phys.nr_frames, free,
                            inode.sb.dev, 0, 255, BLKSIZE, 0)
        return 0 if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT

    def sys_statfs(self, t: TaskStruct, pathname: int, buf: int) -> int:
        found = self.k.namei.lookup_existing(t, AT_FDCWD, pathname, True)
        return self._statfs(t, found if isinstance(found, int) else found.inode, buf)

    def sys_fstatfs(self, t: TaskStruct, fd: int, buf: int) -> int:
        return self._statfs(t, fd_inode(t, fd), buf)
