"""Wait queues (include/linux/wait.h, kernel/sched/wait.c).

A wait queue head is a list of entries, each naming a task and the function that
wakes it. The data structure lives at the bottom of the layers so that fs (pipes,
the console) and mm can own queues; the wake function comes from the scheduler
(`default_wake_function` -> try_to_wake_up), which is how Linux keeps wait.c
independent of the scheduler too.

Ordering: entries are woken in the order they were added, except that exclusive
waiters are added at the tail and woken at most `nr_exclusive` at a time.
"""

from __future__ import annotations

from typing import Any, Callable

WakeFunc = Callable[["WaitQueueEntry", Any], bool]


class WaitQueueEntry:
    """A task waiting on one queue (struct wait_queue_entry)."""

    __slots__ = ("task", "func", "exclusive", "head")

    def __init__(self, task: Any, func: WakeFunc, exclusive: bool = False) -> None:
        self.task = task
        self.func = func
        self.exclusive = exclusive
        self.head: WaitQueueHead | None = None


class WaitQueueHead:
    """struct wait_queue_head. Touched by: the sleeper (add/remove) and wakers."""

    __slots__ = ("name", "entries")

    def __init__(self, name: str = "") -> None:
        self.name = name
        self.entries: list[WaitQueueEntry] = []

    def add(self, entry: WaitQueueEntry) -> None:
        """add_wait_queue / add_wait_queue_exclusive (exclusive ones at the tail)."""
        if entry.head is self:
            return
        entry.head = self
        if entry.exclusive:
            self.entries.append(entry)
        else:
            idx = 0
            while idx < len(self.entries) and not self.entries[idx].exclusive:
                idx += 1
            self.entries.insert(idx, entry)

    def remove(self, entry: WaitQueueEntry) -> None:
        """remove_wait_queue: no-op when the entry is not queued here."""
        if entry.head is self:
            self.entries.remove(entry)
            entry.head = None

    def wake_up(self, nr_exclusive: int = 1, key: Any = None) -> int:
        """__wake_up: wake every non-exclusive waiter and up to `nr_exclusive`
        exclusive ones (0 means all). Returns the number of tasks woken."""
        woken = 0
        for entry in list(self.entries):
            if entry.func(entry, key):
                woken += 1
                if entry.exclusive:
                    nr_exclusive -= 1
                    if nr_exclusive == 0:
                        break
        return woken

    def wake_up_all(self, key: Any = None) -> int:
        return self.wake_up(0, key)

    def __bool__(self) -> bool:
        """waitqueue_active(): does anybody wait here?"""
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)
