"""Advice about a file's future reads (mm/fadvise.c): fadvise64. Nothing is
read ahead or dropped here, so the advice is checked and then ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..fs.file import fdget_raw
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.task import TaskStruct

POSIX_FADV_NOREUSE = 5  # the highest advice value


def sys_fadvise64(t: TaskStruct, fd: int, offset: int, length: int, advice: int) -> int:
    """generic_fadvise(): ESPIPE for a pipe or socket, EINVAL for an unknown
    advice or a negative length, else accepted."""
    f = fdget_raw(t, fd)
    if f is None:
        return -E.EBADF
    if f.inode is None or not f.inode.is_reg() and not f.inode.is_dir():
        return -E.ESPIPE
    return 0 if 0 <= advice <= POSIX_FADV_NOREUSE and length >= 0 else -E.EINVAL
