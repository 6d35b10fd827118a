"""The idle class (kernel/sched/idle.c): the lowest class, whose only task is
the CPU's idle task (PID 0, swapper/N). It is picked when no other class
has a task; the machine's idle loop itself (do_idle: waiting for the next
timer or for console input) is the kernel's, kernel/kernel.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .sched import SchedClassRq

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct


class IdleRq(SchedClassRq):
    """idle_sched_class on one runqueue."""

    name = "idle"

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:  # pragma: no cover - never queued
        raise AssertionError("the idle task is never enqueued")

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:  # pragma: no cover - never queued
        raise AssertionError("the idle task is never dequeued")

    def pick_task(self) -> Optional[TaskStruct]:
        """pick_task_idle(): always the idle task."""
        return self.rq.idle

    def set_next_task(self, p: TaskStruct) -> None:
        """set_next_task_idle(): the CPU goes idle (counted as sched_goidle)."""
        self.rq.sched_goidle += 1
