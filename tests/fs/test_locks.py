"""POSIX record locks and OFD locks of fs/locks.py without any CPU: how
ranges merge and split, who conflicts, what closing an fd or the last
reference drops, and the deadlock walk over blocked_hash (issue 15)."""

from __future__ import annotations

from proclab.fs.file import O_RDWR, File, FilesStruct
from proclab.fs.inode import Inode, SuperBlock
from proclab.fs.locks import (F_RDLCK, F_UNLCK, F_WRLCK, OFFSET_MAX, FileLock, FlockContext, PosixLocks,
                              flock_context, posix_lock_inode, posix_test_lock)
from proclab.uapi.stat import S_IFREG


def ranges(ctx: FlockContext, owner: object) -> list[tuple[int, int, int]]:
    return [(fl.kind, fl.start, fl.end) for fl in ctx.posix if fl.owner is owner]


def lock(ctx: FlockContext, owner: object, kind: int, start: int, end: int, ofd: bool = False) -> FileLock | None:
    return posix_lock_inode(ctx, FileLock(owner, 1, ofd, kind, start, end))  # type: ignore[arg-type]


def test_same_type_locks_merge_and_other_types_split() -> None:
    ctx, me = FlockContext(), object()
    assert lock(ctx, me, F_WRLCK, 10, 19) is None
    assert lock(ctx, me, F_WRLCK, 20, 29) is None            # touching: one lock
    assert ranges(ctx, me) == [(F_WRLCK, 10, 29)]
    assert lock(ctx, me, F_RDLCK, 15, 16) is None            # another type in the middle
    assert ranges(ctx, me) == [(F_WRLCK, 10, 14), (F_RDLCK, 15, 16), (F_WRLCK, 17, 29)]
    assert lock(ctx, me, F_WRLCK, 12, 20) is None            # covers the read lock again
    assert ranges(ctx, me) == [(F_WRLCK, 10, 29)]
    assert lock(ctx, me, F_UNLCK, 0, 10) is None
    assert lock(ctx, me, F_UNLCK, 29, OFFSET_MAX) is None
    assert ranges(ctx, me) == [(F_WRLCK, 11, 28)]


def test_an_owner_never_conflicts_with_itself_and_readers_share() -> None:
    ctx, a, b = FlockContext(), object(), object()
    assert lock(ctx, a, F_RDLCK, 0, 9) is None
    assert lock(ctx, b, F_RDLCK, 5, 14) is None
    assert lock(ctx, a, F_WRLCK, 0, 4) is None               # upgrading its own part
    blocker = lock(ctx, a, F_WRLCK, 5, 5)
    assert blocker is not None and blocker.owner is b
    assert ranges(ctx, a) == [(F_WRLCK, 0, 4), (F_RDLCK, 5, 9)]  # nothing changed
    probe = FileLock(b, 2, False, F_RDLCK, 0, 0)  # type: ignore[arg-type]
    assert posix_test_lock(ctx, probe) is ctx.posix[0]


def test_any_close_drops_the_tables_locks_and_the_last_put_the_ofd_ones() -> None:
    inode = Inode(SuperBlock(lambda: 0), S_IFREG | 0o600)
    files = FilesStruct()
    first, second = File(O_RDWR, "f", inode), File(O_RDWR, "f", inode)
    fd1, fd2 = files.alloc_fd(first), files.alloc_fd(second)
    ctx = flock_context(inode)
    lock(ctx, files, F_WRLCK, 0, 9)
    lock(ctx, first, F_WRLCK, 20, 29, ofd=True)
    files.close(fd2)                                         # another fd of the file
    assert ranges(ctx, files) == [] and ranges(ctx, first) == [(F_WRLCK, 20, 29)]
    dup = files.alloc_fd(first.get())
    files.close(dup)
    assert ranges(ctx, first) == [(F_WRLCK, 20, 29)]         # first is still open
    files.close(fd1)
    assert ctx.posix == []


def test_a_wait_closing_a_cycle_of_owners_is_a_deadlock() -> None:
    locks = PosixLocks(None)  # type: ignore[arg-type]
    a, b, c = object(), object(), object()
    held = {o: FileLock(o, 1, False, F_WRLCK, i, i) for i, o in enumerate((a, b, c))}  # type: ignore[arg-type]
    locks.blocked_hash[FileLock(a, 1, False, F_WRLCK, 1, 1)] = held[b]  # type: ignore[arg-type]
    locks.blocked_hash[FileLock(b, 1, False, F_WRLCK, 2, 2)] = held[c]  # type: ignore[arg-type]
    wants = FileLock(c, 1, False, F_WRLCK, 0, 0)  # type: ignore[arg-type]
    assert locks.posix_locks_deadlock(wants, held[a])
    assert not locks.posix_locks_deadlock(FileLock(c, 1, True, F_WRLCK, 0, 0), held[a])  # type: ignore[arg-type]
    assert not locks.posix_locks_deadlock(FileLock(object(), 1, False, F_WRLCK, 0, 0), held[a])  # type: ignore[arg-type]
