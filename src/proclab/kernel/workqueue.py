"""The system workqueue (kernel/workqueue.c): work items the kernel defers to
a kernel thread, kworker/0:0, which runs them in order in its own context
(scheduled like any task, PF_KTHREAD, no mm)."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Callable, Generator

from ..lib.wait import WaitQueueHead
from .sched.wait import wait_event
from .task import TASK_IDLE, TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

Work = Callable[[], None]


class Workqueue:
    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.pending: deque[Work] = deque()
        self.more_work = WaitQueueHead("worklist")
        self.done = 0

    def schedule_work(self, work: Work) -> None:
        """queue_work() on the system workqueue: `work()` runs soon, in kworker."""
        self.pending.append(work)
        self.more_work.wake_up()

    def worker(self, t: TaskStruct) -> Generator[None, None, None]:
        """worker_thread(): sleep until there is work, do it, sleep again (an
        idle worker sleeps in TASK_IDLE: not load, not woken by signals)."""
        while True:
            yield from wait_event(self.k.sched, t, self.more_work, lambda: bool(self.pending),
                                  state=TASK_IDLE)
            while self.pending:
                self.pending.popleft()()
                self.done += 1
