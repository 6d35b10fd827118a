"""Reading directories (fs/readdir.c): getdents64."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from .file import fdget_raw
from .regfile import DirFile
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

_DIRENT_HEAD = struct.Struct("<QqHB")              # struct linux_dirent64 before d_name


class ReadDir:
    """getdents64 of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_getdents64(self, t: TaskStruct, fd: int, dirent: int, count: int) -> int:
        """Fill `dirent` with as many whole entries as fit; 0 at the end
        (iterate_dir(): ENOENT once the directory was removed)."""
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        if not isinstance(f, DirFile):
            return -E.ENOTDIR
        if f.inode.dead:
            return -E.ENOENT
        out = bytearray()
        index = f.pos
        for entry in f.entries():
            name = entry.name.encode("utf-8", "surrogateescape") + b"\0"
            reclen = (_DIRENT_HEAD.size + len(name) + 7) & ~7
            if len(out) + reclen > count:
                if not out:
                    return -E.EINVAL
                break
            index += 1
            out += _DIRENT_HEAD.pack(entry.ino, index, reclen, entry.type) + name.ljust(reclen - _DIRENT_HEAD.size, b"\0")
        f.inode.touch_atime()  # iterate_dir(): file_accessed(), also at the end
        if out and not self.k.uaccess.copy_to_user(t, dirent, bytes(out)):
            return -E.EFAULT
        f.pos = index
        return len(out)
