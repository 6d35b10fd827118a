"""Extended attributes (fs/xattr.c): the simulated filesystem keeps none.
Reading one gives ENODATA and listing gives an empty list, as on a filesystem
whose files simply have none (what `ls -l` asks for "security.selinux");
setting or removing one is refused with EOPNOTSUPP. The file must exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .file import fdget_raw
from ..uapi import errno as E
from ..uapi.stat import AT_FDCWD
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel


class Xattr:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def _path(self, t: TaskStruct, ptr: int, follow: bool, answer: int) -> int:
        found = self.k.namei.lookup_existing(t, AT_FDCWD, ptr, follow)
        return found if isinstance(found, int) else answer

    def _fd(self, t: TaskStruct, fd: int, answer: int) -> int:
        return answer if fdget_raw(t, fd) is not None else -E.EBADF

    def sys_getxattr(self, t: TaskStruct, path: int, name: int, value: int, size: int) -> int:
        return self._path(t, path, True, -E.ENODATA)

    def sys_lgetxattr(self, t: TaskStruct, path: int, name: int, value: int, size: int) -> int:
        return self._path(t, path, False, -E.ENODATA)

    def sys_fgetxattr(self, t: TaskStruct, fd: int, name: int, value: int, size: int) -> int:
        return self._fd(t, fd, -E.ENODATA)

    def sys_listxattr(self, t: TaskStruct, path: int, buf: int, size: int) -> int:
        return self._path(t, path, True, 0)

    def sys_llistxattr(self, t: TaskStruct, path: int, buf: int, size: int) -> int:
        return self._path(t, path, False, 0)

    def sys_flistxattr(self, t: TaskStruct, fd: int, buf: int, size: int) -> int:
        return self._fd(t, fd, 0)

    def sys_setxattr(self, t: TaskStruct, path: int, name: int, value: int, size: int, flags: int) -> int:
        return self._path(t, path, True, -E.EOPNOTSUPP)

    def sys_lsetxattr(self, t: TaskStruct, path: int, name: int, value: int, size: int, flags: int) -> int:
        return self._path(t, path, False, -E.EOPNOTSUPP)

    def sys_fsetxattr(self, t: TaskStruct, fd: int, name: int, value: int, size: int, flags: int) -> int:
        return self._fd(t, fd, -E.EOPNOTSUPP)

    def sys_removexattr(self, t: TaskStruct, path: int, name: int) -> int:
        return self._path(t, path, True, -E.EOPNOTSUPP)

    def sys_lremovexattr(self, t: TaskStruct, path: int, name: int) -> int:
        return self._path(t, path, False, -E.EOPNOTSUPP)

    def sys_fremovexattr(self, t: TaskStruct, fd: int, name: int) -> int:
        return self._fd(t, fd, -E.EOPNOTSUPP)
