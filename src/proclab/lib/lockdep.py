"""Which kernel objects a step of a task touches (the role of
kernel/locking/lockdep.c, which sees every lock a task takes).

In Linux two syscalls of different tasks can only affect each other through
an object that both reach under its lock: a pipe (pipe->mutex), an open file
and its offset (f_pos_lock), an inode's contents (i_rwsem), a task's signal
state (siglock), its parent's children (tasklist_lock), the pid map, a futex
hash bucket, an IPC object. A wakeup is a write to the task woken (p->pi_lock);
wait queues themselves need no record, as a step never stops between its
check and its sleep. The kernel code reports
each such access here with `lock_acquire(key, write)`; `explore/` derives
from them which steps of a schedule are dependent, so no table of syscalls
is needed. Reads (`write=False`) of the same object commute; anything with a
write does not.

Nothing is recorded unless an explorer installed a `recorder` (one run at a
time in a process): the checks cost one global lookup. Objects that live
longer than one call carry a `lock_key` from `new_key()`, taken when they are
created; None when nothing records.

Lives at the bottom of the layers (like lib/wait.py) because objects of
every layer report their accesses.
"""

from __future__ import annotations

from typing import Any, Hashable, Optional, Protocol


class Recorder(Protocol):
    """What explore/ installs (explore/recorder.py)."""

    def touch(self, key: Hashable, write: bool) -> None: ...

    def touch_many(self, keys: list[Hashable], write: bool) -> None: ...

    def new_key(self) -> Hashable: ...

    def user_access(self, mm: Any, vaddr: int, pte: int, write: bool) -> None: ...


# Set by explore's executor around one run, cleared after it; read by every
# lock_acquire. Nobody else writes it.
recorder: Optional[Recorder] = None


def lock_acquire(key: Hashable, write: bool = True) -> None:
    """The current step takes the lock of the object named `key` (a key from
    new_key(), or a tuple naming a per-task object, such as ("sig", tgid))."""
    r = recorder
    if r is not None and key is not None:
        r.touch(key, write)


def lock_acquire_many(keys: list[Hashable], write: bool = True) -> None:
    """lock_acquire of each key, in one call (a signal mask change takes one
    lock per signal whose bit changes: up to 64)."""
    r = recorder
    if r is not None and keys:
        r.touch_many(keys, write)


def new_key() -> Optional[Hashable]:
    """lockdep_init_map(): a name for an object being created, the same in
    every schedule in which the same task creates it at the same point of its
    own history. None when nothing records."""
    r = recorder
    return None if r is None else r.new_key()


def might_fault(mm: Any, vaddr: int, pte: int, write: bool) -> None:
    """The kernel reads (or writes) the user page at `vaddr`, mapped by
    `pte`, on behalf of the current step (copy_from_user and friends; Linux
    annotates them with might_fault()). Memory another task can write makes
    the access a lock on that page, as the same load or store from user code
    would be; the recorder decides which pages are shared. Callers check
    `recorder` first, so an unexplored run pays one global lookup."""
    r = recorder
    if r is not None:
        r.user_access(mm, vaddr, pte, write)
