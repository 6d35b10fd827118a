"""BSD advisory locks, flock(2) (fs/locks.c, the FL_FLOCK half).

A lock belongs to an open file description (struct file), not to a process:
fds made by dup or inherited across fork share it, an independent open() of
the same file is another owner. A shared lock conflicts only with another
owner's exclusive one. Converting a lock is not atomic, as in Linux: the old
lock is dropped (and waiters woken) before the new one is tried. The lock
goes away with the last close of its description (locks_remove_file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct
    from .file import File
    from .inode import Inode

LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN = 1, 2, 4, 8


class FlockContext:
    """The flock part of an inode's file_lock_context. `holders` maps each
    owner to LOCK_SH or LOCK_EX; only the functions below change it."""

    def __init__(self) -> None:
        self.holders: dict[File, int] = {}
        self.wait = WaitQueueHead("flock")

    def conflicts(self, file: File, kind: int) -> bool:
        """flock_locks_conflict() against every other owner's lock."""
        return any(other is not file and LOCK_EX in (kind, held) for other, held in self.holders.items())

    def remove(self, file: File) -> None:
        """Drop `file`'s lock, if it holds one, and wake the waiters."""
        if self.holders.pop(file, None) is not None:
            self.wait.wake_up_all()


def flock_context(inode: Inode) -> FlockContext:
    """locks_get_lock_context(): the inode's context, made at its first flock."""
    if inode.flock is None:
        inode.flock = FlockContext()
    return inode.flock


def flock_lock_inode(inode: Inode, file: File, kind: int) -> int:
    """One attempt to make `file`'s lock on `inode` be `kind` (LOCK_SH,
    LOCK_EX or LOCK_UN): 0, or -EAGAIN when another owner's lock is in the
    way (the old lock of `file` is gone by then)."""
    ctx = flock_context(inode)
    if ctx.holders.get(file) == kind:
        return 0
    ctx.remove(file)
    if kind == LOCK_UN:
        return 0
    if ctx.conflicts(file, kind):
        return -E.EAGAIN
    ctx.holders[file] = kind
    return 0


def locks_remove_file(file: File) -> None:
    """The last reference to `file` is going: its flock goes with it."""
    inode = file.inode
    if inode is not None and inode.flock is not None:
        inode.flock.remove(file)


class FlockCalls:
    """flock of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_flock(self, t: TaskStruct, fd: int, cmd: int) -> Blocking:
        """flock(2): take, convert or drop the advisory lock of the open file
        description behind `fd` (fs/locks.c); without LOCK_NB a conflicting
        lock is waited for, interruptibly."""
        from .file import O_PATH, fdget_raw  # fs/file.py imports this module: it calls locks_remove_file

        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        kind = cmd & ~LOCK_NB
        if kind not in (LOCK_SH, LOCK_EX, LOCK_UN):
            return -E.EINVAL
        if kind != LOCK_UN and f.flags & O_PATH or f.inode is None:
            return -E.EBADF
        ctx = flock_context(f.inode)
        while True:
            ret = flock_lock_inode(f.inode, f, kind)
            if ret != -E.EAGAIN or cmd & LOCK_NB:
                return ret
            ret = yield from wait_event(self.k.sched, t, ctx.wait, lambda: not ctx.conflicts(f, kind))
            if ret:
                return ret
