"""Device control (fs/ioctl.c): ioctl, with the generic FIOCLEX and FIONCLEX
handled before the file's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .file import fdget_raw
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

FIONCLEX, FIOCLEX = 0x5450, 0x5451


class Ioctl:
    """ioctl of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_ioctl(self, t: TaskStruct, fd: int, cmd: int, arg: int) -> int:
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        cmd &= 0xFFFFFFFF
        if cmd == FIOCLEX:
            t.files.cloexec.add(fd)
            return 0
        if cmd == FIONCLEX:
            t.files.cloexec.discard(fd)
            return 0
        answer = f.ioctl(cmd)
        if isinstance(answer, int):
            return answer
        return 0 if self.k.uaccess.copy_to_user(t, arg, answer) else -E.EFAULT
