"""Scheduling policies (struct sched_class, kernel/sched/sched.h).

A policy owns the queue of runnable tasks of one CPU and answers the choice
points: which task runs next, whether a tick or a wakeup preempts the current
one. Everything the scheduler core decides goes through these methods, so a
different policy (CFS later, or an explorer that enumerates schedules) plugs in
without touching the rest of the kernel.

The running task is not in the queue: `pick_next` removes the task it returns
and `put_prev` gives it back if it is still runnable.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct


class SchedPolicy:
    """The interface (sched_class)."""

    name = "abstract"

    def enqueue(self, task: TaskStruct, wakeup: bool) -> None:
        """A task became runnable (woken, or new)."""
        raise NotImplementedError

    def dequeue(self, task: TaskStruct) -> None:
        """A queued task stops being runnable without having run."""
        raise NotImplementedError

    def pick_next(self) -> Optional[TaskStruct]:
        """Remove and return the task to run next, or None (idle)."""
        raise NotImplementedError

    def put_prev(self, task: TaskStruct, preempted: bool) -> None:
        """The running task leaves the CPU but stays runnable."""
        raise NotImplementedError

    def task_tick(self, task: TaskStruct) -> bool:
        """A tick while `task` runs; True when it should be preempted."""
        raise NotImplementedError

    def task_fork(self, parent: TaskStruct, child: TaskStruct) -> None:
        """Set up the scheduling state of a new task (before its first enqueue)."""

    def preempt_on_wakeup(self, curr: TaskStruct, woken: TaskStruct) -> bool:
        """check_preempt_curr(): should `woken` preempt the running task?"""
        return False

    def nr_running(self) -> int:
        raise NotImplementedError


class RoundRobin(SchedPolicy):
    """First come, first served with a time slice of `slice_ticks` ticks: a task
    runs until it sleeps or its slice is used up, then goes to the back of the
    queue. New and woken tasks queue at the back; the parent keeps running after
    fork (as with Linux's default sched_child_runs_first = 0)."""

    name = "rr"

    def __init__(self, slice_ticks: int = 3) -> None:
        self.slice_ticks = slice_ticks
        self._queue: OrderedDict[TaskStruct, None] = OrderedDict()

    def enqueue(self, task: TaskStruct, wakeup: bool) -> None:
        if task.time_slice <= 0:
            task.time_slice = self.slice_ticks
        self._queue[task] = None

    def dequeue(self, task: TaskStruct) -> None:
        self._queue.pop(task, None)

    def pick_next(self) -> Optional[TaskStruct]:
        if not self._queue:
            return None
        task, _ = self._queue.popitem(last=False)
        return task

    def put_prev(self, task: TaskStruct, preempted: bool) -> None:
        if task.time_slice <= 0:
            task.time_slice = self.slice_ticks
        self._queue[task] = None

    def task_tick(self, task: TaskStruct) -> bool:
        task.time_slice -= 1
        return task.time_slice <= 0 and bool(self._queue)

    def task_fork(self, parent: TaskStruct, child: TaskStruct) -> None:
        child.time_slice = self.slice_ticks

    def nr_running(self) -> int:
        return len(self._queue)
