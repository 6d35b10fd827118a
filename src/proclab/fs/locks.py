"""Advisory file locks (fs/locks.c): BSD flock(2) locks, and the POSIX
record locks and open-file-description (OFD) locks of fcntl(2).

flock: a lock belongs to an open file description (struct file), not to a process:
fds made by dup or inherited across fork share it, an independent open() of
the same file is another owner. A shared lock conflicts only with another
owner's exclusive one. Converting a lock is not atomic, as in Linux: the old
lock is dropped (and waiters woken) before the new one is tried. The lock
goes away with the last close of its description (locks_remove_file).

POSIX record locks: a lock covers a byte range [start, end] and belongs to
the process's fd table (fl_owner = current->files, fl_pid its tgid), so fork
does not pass it on and the owner never conflicts with itself; setting a lock
merges it with the owner's adjacent and overlapping locks of the same type and
splits those of another type. Any close of an fd of the file drops all of the
owner's locks on it (filp_close -> locks_remove_posix), exit_files too. OFD
locks are the same ranges owned by the open file description, dropped with
its last reference. A blocked F_SETLKW is recorded in the kernel's
blocked_hash, so that a wait closing a cycle of POSIX owners is EDEADLK.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional, Union

from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct
    from .file import File, FilesStruct
    from .inode import Inode

LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN = 1, 2, 4, 8
F_RDLCK, F_WRLCK, F_UNLCK = 0, 1, 2
F_GETLK, F_SETLK, F_SETLKW = 5, 6, 7
F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW = 36, 37, 38
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
OFFSET_MAX = (1 << 63) - 1
MAX_DEADLK_ITERATIONS = 10
# struct flock: short l_type, l_whence; off_t l_start, l_len; pid_t l_pid
FLOCK = struct.Struct("<hh4xqqi4x")

Owner = Union["FilesStruct", "File"]


class FileLock:
    """struct file_lock of a POSIX or OFD lock (or of a request for one): the
    bytes [start, end] of the file, `end` OFFSET_MAX meaning to EOF. A lock in
    a context is never changed in place, so a waiter can tell that its
    blocker went by the blocker's absence."""

    def __init__(self, owner: Owner, pid: int, ofd: bool, kind: int, start: int, end: int) -> None:
        self.owner = owner
        self.pid = pid        # fl_pid: the locker's tgid
        self.ofd = ofd        # FL_OFDLCK
        self.kind = kind      # F_RDLCK, F_WRLCK or F_UNLCK
        self.start = start
        self.end = end

    def with_range(self, start: int, end: int) -> "FileLock":
        """A copy of the lock over another range (what a split leaves)."""
        return FileLock(self.owner, self.pid, self.ofd, self.kind, start, end)

    def conflicts(self, other: "FileLock") -> bool:
        """posix_locks_conflict(): another owner's overlapping lock, one of
        the two a write lock."""
        return (other.owner is not self.owner and F_WRLCK in (self.kind, other.kind)
                and self.start <= other.end and other.start <= self.end)


class FlockContext:
    """An inode's file_lock_context. `holders` (flc_flock) maps each flock
    owner to LOCK_SH or LOCK_EX; `posix` (flc_posix) holds the POSIX and OFD
    locks, each owner's together and in order of start. Only the functions
    below change them."""

    def __init__(self) -> None:
        self.holders: dict[File, int] = {}
        self.wait = WaitQueueHead("flock")
        self.posix: list[FileLock] = []
        self.posix_wait = WaitQueueHead("posix lock")

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


def posix_test_lock(ctx: FlockContext, request: FileLock) -> Optional[FileLock]:
    """posix_test_lock(): the first lock in the way of `request`, or None."""
    return next((fl for fl in ctx.posix if request.conflicts(fl)), None)


def posix_lock_inode(ctx: FlockContext, request: FileLock) -> Optional[FileLock]:
    """posix_lock_inode(): set (or, for F_UNLCK, clear) the range of
    `request` for its owner, merging the owner's locks of the same type it
    overlaps or touches and cutting back those of another type. Returns the
    lock in the way (nothing changed), or None; waiters wake when the
    owner's locks changed."""
    if request.kind != F_UNLCK:
        blocker = posix_test_lock(ctx, request)
        if blocker is not None:
            return blocker
    mine = [fl for fl in ctx.posix if fl.owner is request.owner]
    start, end = request.start, request.end
    kept: list[FileLock] = []
    for fl in mine:
        if fl.kind == request.kind and fl.start <= end + 1 and start <= fl.end + 1:
            start, end = min(start, fl.start), max(end, fl.end)
        elif fl.end < request.start or fl.start > request.end:
            kept.append(fl)
        else:
            if fl.start < request.start:
                kept.append(fl.with_range(fl.start, request.start - 1))
            if fl.end > request.end:
                kept.append(fl.with_range(request.end + 1, fl.end))
    if request.kind != F_UNLCK:
        kept.append(request.with_range(start, end))
    kept.sort(key=lambda fl: fl.start)
    if kept != mine:
        at = ctx.posix.index(mine[0]) if mine else len(ctx.posix)
        others = [fl for fl in ctx.posix if fl.owner is not request.owner]
        ctx.posix = others[:at] + kept + others[at:]
        ctx.posix_wait.wake_up_all()
    return None


def locks_remove_posix(file: File, owner: Owner) -> None:
    """locks_remove_posix(): `owner` lets go of `file`: all its POSIX (or,
    for the file itself, OFD) locks on the file's inode go."""
    inode = file.inode
    if inode is not None and inode.flock is not None and inode.flock.posix:
        posix_lock_inode(inode.flock, FileLock(owner, 0, False, F_UNLCK, 0, OFFSET_MAX))


def locks_remove_file(file: File) -> None:
    """The last reference to `file` is going: its OFD locks and its flock go
    with it."""
    inode = file.inode
    if inode is not None and inode.flock is not None:
        locks_remove_posix(file, file)
        inode.flock.remove(file)


def flock_to_posix_lock(t: TaskStruct, file: File, inode: Inode, raw: tuple[int, ...],
                        cmd: int) -> Union[FileLock, int]:
    """flock64_to_posix_lock() and, for the OFD commands, the owner and l_pid
    checks of fcntl_getlk/fcntl_setlk: the request that the struct flock
    `raw` describes, or -EINVAL (bad whence, range, type or OFD l_pid) or
    -EOVERFLOW."""
    kind, whence, l_start, l_len, l_pid = raw
    if whence == SEEK_SET:
        base = 0
    elif whence == SEEK_CUR:
        base = file.pos
    elif whence == SEEK_END:
        base = inode.size
    else:
        return -E.EINVAL
    if l_start > OFFSET_MAX - base:
        return -E.EOVERFLOW
    start = base + l_start
    if start < 0:
        return -E.EINVAL
    if l_len > 0:
        if l_len - 1 > OFFSET_MAX - start:
            return -E.EOVERFLOW
        end = start + l_len - 1
    elif l_len < 0:
        start, end = start + l_len, start - 1
        if start < 0:
            return -E.EINVAL
    else:
        end = OFFSET_MAX
    if kind not in (F_RDLCK, F_WRLCK, F_UNLCK):
        return -E.EINVAL
    ofd = cmd in (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW)
    if ofd and l_pid != 0:
        return -E.EINVAL
    assert t.files is not None  # the fd was found in it
    return FileLock(file if ofd else t.files, t.tgid, ofd, kind, start, end)


class PosixLocks:
    """The fcntl record-lock commands of one kernel, and its blocked_hash:
    each sleeping POSIX (not OFD) request and the lock it waits for."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.blocked_hash: dict[FileLock, FileLock] = {}

    def what_owner_is_waiting_for(self, block_fl: FileLock) -> Optional[FileLock]:
        """what_owner_is_waiting_for(): the lock that the owner of `block_fl`
        sleeps on, if it does."""
        return next((blocker for waiter, blocker in self.blocked_hash.items()
                     if waiter.owner is block_fl.owner), None)

    def posix_locks_deadlock(self, caller: FileLock, block_fl: FileLock) -> bool:
        """posix_locks_deadlock(): would `caller` waiting for `block_fl` close
        a cycle of owners each waiting for the next? (Not asked for OFD
        locks; given up after MAX_DEADLK_ITERATIONS.)"""
        if caller.ofd:
            return False
        for _ in range(MAX_DEADLK_ITERATIONS + 1):
            waited = self.what_owner_is_waiting_for(block_fl)
            if waited is None:
                return False
            if waited.owner is caller.owner:
                return True
            block_fl = waited
        return False

    def fcntl_lock(self, t: TaskStruct, file: File, cmd: int, arg: int) -> Union[int, Blocking]:
        """fcntl_getlk() and fcntl_setlk() with the struct flock at `arg`."""
        inode = file.inode
        raw = self.k.uaccess.copy_from_user(t, arg, FLOCK.size)
        if raw is None:
            return -E.EFAULT
        if inode is None:
            return -E.EINVAL
        request = flock_to_posix_lock(t, file, inode, FLOCK.unpack(raw), cmd)
        if isinstance(request, int):
            return request
        ctx = flock_context(inode)
        if cmd in (F_GETLK, F_OFD_GETLK):
            return self.fcntl_getlk(t, ctx, request, arg)
        if request.kind == F_RDLCK and not file.readable() or request.kind == F_WRLCK and not file.writable():
            return -E.EBADF  # check_fmode_for_setlk
        if cmd in (F_SETLK, F_OFD_SETLK):
            return -E.EAGAIN if posix_lock_inode(ctx, request) is not None else 0
        return self.do_lock_file_wait(t, ctx, request)

    def fcntl_getlk(self, t: TaskStruct, ctx: FlockContext, request: FileLock, arg: int) -> int:
        """fcntl_getlk(): F_UNLCK, or the type, range and pid (-1 for an OFD
        lock) of the first lock in the way (posix_lock_to_flock)."""
        if request.kind == F_UNLCK:
            return -E.EINVAL
        fl = posix_test_lock(ctx, request)
        if fl is None:
            answer = struct.pack("<h", F_UNLCK)
        else:
            length = 0 if fl.end == OFFSET_MAX else fl.end - fl.start + 1
            answer = FLOCK.pack(fl.kind, SEEK_SET, fl.start, length, -1 if fl.ofd else fl.pid)
        return 0 if self.k.uaccess.copy_to_user(t, arg, answer) else -E.EFAULT

    def do_lock_file_wait(self, t: TaskStruct, ctx: FlockContext, request: FileLock) -> Blocking:
        """do_lock_file_wait(): F_SETLKW. Sleeps, interruptibly, until the
        lock in the way goes, then tries again; -EDEADLK when the wait would
        close a cycle of POSIX owners (posix_lock_inode's check)."""
        while True:
            blocker = posix_lock_inode(ctx, request)
            if blocker is None:
                return 0
            if self.posix_locks_deadlock(request, blocker):
                return -E.EDEADLK
            if not request.ofd:
                self.blocked_hash[request] = blocker
            ret = yield from wait_event(self.k.sched, t, ctx.posix_wait, lambda: blocker not in ctx.posix)
            self.blocked_hash.pop(request, None)
            if ret:
                return ret


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
