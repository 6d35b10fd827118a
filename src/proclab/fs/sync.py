"""Writing files back (fs/sync.c): fsync, fdatasync and sync. The files live
in memory and nothing is ever written back, so each is done at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .file import fdget_raw
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.task import TaskStruct


def sys_fsync(t: TaskStruct, fd: int) -> int:
    """fsync and fdatasync: EBADF for a closed fd, else nothing to do."""
    return 0 if fdget_raw(t, fd) is not None else -E.EBADF


def sys_sync(t: TaskStruct) -> int:
    """sync: nothing to write back."""
    return 0
