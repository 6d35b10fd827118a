"""The scheduler core (kernel/sched/core.c): task states, wakeups, the
runqueue of each CPU and the bookkeeping of a context switch.

Sleeping, the Linux way: a task sets its state (`set_task_state`) and calls
schedule(). In proclab kernel code that may sleep is a generator, and `yield`
*is* schedule(): the CPU loop takes the task off the CPU, and resumes the
generator right after the `yield` when the task runs again. Whether the task
stays on the runqueue depends only on its state at that moment, exactly as in
__schedule(): TASK_RUNNING stays (a preemption or a yield), anything else is
dequeued until `try_to_wake_up` puts it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ..task import TASK_DEAD, TASK_NORMAL, TASK_RUNNING, TIF_NEED_RESCHED
from ..time.timekeeping import COSTS, Clock
from .policy import SchedPolicy

if TYPE_CHECKING:  # pragma: no cover
    from ...lib.tracepoint import Tracepoints
    from ...lib.wait import WaitQueueEntry
    from ..task import TaskStruct


class Runqueue:
    """struct rq: one per CPU. `curr` is the task the CPU runs (its idle task
    when nothing else can run)."""

    def __init__(self, cpu: int, policy: SchedPolicy, idle: TaskStruct) -> None:
        self.cpu = cpu
        self.policy = policy
        self.idle = idle
        self.curr = idle
        self.nr_switches = 0


class Scheduler:
    def __init__(self, tp: Tracepoints, clock: Clock, policy: Callable[[], SchedPolicy]) -> None:
        self.tp = tp
        self.clock = clock
        self._make_policy = policy
        self.rqs: list[Runqueue] = []

    def add_cpu(self, idle: TaskStruct) -> Runqueue:
        rq = Runqueue(len(self.rqs), self._make_policy(), idle)
        idle.cpu = rq.cpu
        idle.on_cpu = True
        self.rqs.append(rq)
        return rq

    def rq_of(self, task: TaskStruct) -> Runqueue:
        return self.rqs[task.cpu]

    # ---- states ----------------------------------------------------------------

    def set_task_state(self, task: TaskStruct, state: int) -> None:
        """set_task_state(): the one place that writes task->state (S3)."""
        old = task.state
        if old != state:
            task.state = state
            if self.tp.sched_set_state.probes:
                self.tp.sched_set_state(task, old, state)

    # ---- wakeups -----------------------------------------------------------------

    def try_to_wake_up(self, task: TaskStruct, state_mask: int = TASK_NORMAL) -> bool:
        """Make a sleeping task runnable if its state is in `state_mask`."""
        if not task.state & state_mask:
            return False
        self.set_task_state(task, TASK_RUNNING)
        if self.tp.sched_wakeup.probes:
            self.tp.sched_wakeup(task)
        if not task.on_rq:
            rq = self.rq_of(task)
            task.on_rq = True
            rq.policy.enqueue(task, wakeup=True)
            curr = rq.curr
            if curr is not rq.idle and rq.policy.preempt_on_wakeup(curr, task):
                curr.tif |= TIF_NEED_RESCHED
        return True

    def wake_up_process(self, task: TaskStruct) -> bool:
        return self.try_to_wake_up(task, TASK_NORMAL)

    def default_wake_function(self, entry: WaitQueueEntry, key: Any) -> bool:
        """The wake function of wait-queue entries made by `prepare_to_wait`."""
        return self.try_to_wake_up(entry.task, TASK_NORMAL)

    def wake_up_new_task(self, task: TaskStruct) -> None:
        """The child of fork becomes runnable for the first time (TASK_NEW -> R)."""
        self.set_task_state(task, TASK_RUNNING)
        rq = self.rq_of(task)
        task.on_rq = True
        rq.policy.enqueue(task, wakeup=False)
        if self.tp.sched_wakeup_new.probes:
            self.tp.sched_wakeup_new(task)

    def dequeue_task(self, task: TaskStruct) -> None:
        """Take a runnable task that is not running off its queue (it was killed
        or stopped before it could run)."""
        if task.on_rq and self.rq_of(task).curr is not task:
            self.rq_of(task).policy.dequeue(task)
            task.on_rq = False

    # ---- switching -----------------------------------------------------------------

    def pick_next_task(self, rq: Runqueue) -> TaskStruct:
        return rq.policy.pick_next() or rq.idle

    def put_prev_task(self, rq: Runqueue, prev: TaskStruct) -> bool:
        """The half of __schedule() that decides the fate of `prev` after it ran.
        Returns True when the switch away is voluntary (prev sleeps or died)."""
        prev.tif &= ~TIF_NEED_RESCHED
        if prev is rq.idle:
            return False
        if prev.state == TASK_RUNNING:
            rq.policy.put_prev(prev, preempted=True)
            return False
        prev.on_rq = False  # deactivate_task
        return True

    def context_switch(self, rq: Runqueue, prev: TaskStruct, next_: TaskStruct, voluntary: bool) -> None:
        """Account the switch from `prev` to `next_` (the registers and the page
        table are switched by the caller, which owns the CPU)."""
        if prev is next_:
            return
        rq.nr_switches += 1
        if prev is not rq.idle and not prev.state & TASK_DEAD:
            if voluntary:
                prev.nvcsw += 1
            else:
                prev.nivcsw += 1
        prev.on_cpu = False
        next_.on_cpu = True
        rq.curr = next_
        self.clock.advance(COSTS["switch"])
        if self.tp.sched_switch.probes:
            self.tp.sched_switch(rq.cpu, prev, prev.state, next_)

    def scheduler_tick(self, rq: Runqueue) -> None:
        """A tick of the running task: the policy may ask for a preemption."""
        curr = rq.curr
        if curr is not rq.idle and rq.policy.task_tick(curr):
            curr.tif |= TIF_NEED_RESCHED

    def nr_runnable(self) -> int:
        return sum(rq.policy.nr_running() for rq in self.rqs)


def current_runqueue(sched: Scheduler, task: TaskStruct) -> Optional[Runqueue]:
    """The runqueue `task` is running on, or None when it is not running."""
    rq = sched.rq_of(task)
    return rq if rq.curr is task else None
