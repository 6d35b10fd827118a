"""The path of a directory (fs/d_path.c): getcwd."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct


class DPath:
    """getcwd of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_getcwd(self, t: TaskStruct, buf: int, size: int) -> int:
        """getcwd(): the cwd's path from the task's root (ENOENT once removed)."""
        path = t.fs.cwd.path_to(t.fs.root)
        if path is None:
            return -E.ENOENT
        data = path.encode("utf-8", "surrogateescape") + b"\0"
        if size < len(data):
            return -E.ERANGE
        return len(data) if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT
