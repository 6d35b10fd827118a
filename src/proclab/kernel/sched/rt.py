"""The real-time class (kernel/sched/rt.c): SCHED_FIFO and SCHED_RR.

One FIFO list per priority (prio 0..99, lower is more urgent) and a bitmap of
the non-empty ones, as struct rt_prio_array. The running task stays at its
place in its list, so a FIFO task preempted by a more urgent one is still at
the head of its priority when that one is done (POSIX: "the thread remains
at the head of the list"). A SCHED_RR task that used up its slice
(sched_rr_timeslice_ms, 100 ms) goes to the tail of its list if another task
of the same priority waits; a SCHED_FIFO task runs until it blocks, yields or
a more urgent task arrives.

Throttling as sched_rt_runtime_us/sched_rt_period_us (950 ms of every 1 s):
once the rt tasks of a CPU have used the runtime of the current period, the
class offers no task until the period ends, so that fair tasks (or idle)
get the rest. Linux 6.12+ gives that share through a deadline server
instead; the figures are the same.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Optional

from ...uapi.sched import SCHED_RR
from .sched import ENQUEUE_HEAD, MAX_RT_PRIO, SchedClassRq

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct
    from .core import Runqueue


class RtRq(SchedClassRq):
    """struct rt_rq with the rt sched_class methods."""

    name = "rt"

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self.queue: list[deque[TaskStruct]] = [deque() for _ in range(MAX_RT_PRIO)]
        self.bitmap = 0                # bit prio set: queue[prio] is not empty
        self.curr: Optional[TaskStruct] = None
        self.rt_time = 0               # runtime used in the current period
        self.period_start = 0
        self.rt_throttled = False

    # ---- the priority array ------------------------------------------------------------

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:
        """enqueue_task_rt(): at the tail of its priority (the head with
        ENQUEUE_HEAD: a task whose priority was lowered)."""
        q = self.queue[p.prio]
        if flags & ENQUEUE_HEAD:
            q.appendleft(p)
        else:
            q.append(p)
        self.bitmap |= 1 << p.prio
        p.rt.on_rq = True
        self.nr_running += 1

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:
        """dequeue_task_rt()."""
        if p is self.curr:
            self.update_curr()
        q = self.queue[p.prio]
        q.remove(p)
        if not q:
            self.bitmap &= ~(1 << p.prio)
        p.rt.on_rq = False
        self.nr_running -= 1

    def requeue_task(self, p: TaskStruct) -> None:
        """requeue_task_rt(): to the tail of its priority."""
        q = self.queue[p.prio]
        q.remove(p)
        q.append(p)

    def pick_task(self) -> Optional[TaskStruct]:
        """pick_task_rt(): the head of the most urgent non-empty list, unless
        the class is throttled for the rest of the period."""
        if not self.bitmap:
            return None
        self._refresh_period()
        if self.rt_throttled:
            return None
        prio = (self.bitmap & -self.bitmap).bit_length() - 1
        return self.queue[prio][0]

    def set_next_task(self, p: TaskStruct) -> None:
        p.se.exec_start = self.rq.clock
        p.se.prev_sum_exec_runtime = p.se.sum_exec_runtime
        self.curr = p

    def put_prev_task(self, p: TaskStruct) -> None:
        self.update_curr()
        self.curr = None

    # ---- time ------------------------------------------------------------------------

    def update_curr(self) -> None:
        """update_curr_rt(): charge the running task, and the class's runtime
        in this period (throttling it once the runtime is used up)."""
        p = self.curr
        if p is None:
            return
        now = self.rq.clock
        delta = now - p.se.exec_start
        if delta <= 0:
            return
        p.se.exec_start = now
        p.se.sum_exec_runtime += delta
        self._refresh_period()
        self.rt_time += delta
        tun = self.rq.sched.tunables
        if tun.rt_runtime >= 0 and self.rt_time > tun.rt_runtime and not self.rt_throttled:
            self.rt_throttled = True
            self.rq.resched_curr("rt_throttle")

    def period_tick(self) -> None:
        """The period timer's effect at a tick: a throttled class whose
        period is over gets its runtime back and preempts what runs."""
        if self.rt_throttled:
            self._refresh_period()
            if not self.rt_throttled and self.nr_running:
                self.rq.resched_curr("rt_unthrottle")

    def _refresh_period(self) -> None:
        """do_sched_rt_period_timer(): a new period gives the runtime back."""
        period = self.rq.sched.tunables.rt_period
        now = self.rq.clock
        if now - self.period_start >= period:
            self.period_start = now - (now - self.period_start) % period
            self.rt_time = 0
            self.rt_throttled = False

    def task_tick(self, p: TaskStruct) -> None:
        """task_tick_rt(): SCHED_RR counts its slice down; at zero it gets a
        new one and goes behind the other tasks of its priority."""
        self.update_curr()
        if p.policy != SCHED_RR:
            return
        p.rt.time_slice -= self.rq.sched.tick_ns
        if p.rt.time_slice > 0:
            return
        p.rt.time_slice = self.rq.sched.tunables.rr_timeslice
        if len(self.queue[p.prio]) > 1:
            self.requeue_task(p)
            self.rq.resched_curr("rr_slice")

    # ---- decisions ------------------------------------------------------------------------

    def wakeup_preempt(self, p: TaskStruct, flags: int) -> None:
        """check_preempt_curr_rt(): only a more urgent task preempts."""
        if p.prio < self.rq.curr.prio:
            self.rq.resched_curr("wakeup")

    def yield_task(self, p: TaskStruct) -> None:
        """yield_task_rt(): behind the others of the same priority."""
        self.requeue_task(p)

    def task_fork(self, p: TaskStruct) -> None:
        p.rt.time_slice = self.rq.sched.tunables.rr_timeslice

    def prio_changed(self, p: TaskStruct, old_prio: int) -> None:
        """prio_changed_rt(): the running task lowered below a queued one is
        preempted; a queued task raised above the running one preempts it."""
        rq = self.rq
        if rq.curr is p:
            if self.bitmap:
                best = (self.bitmap & -self.bitmap).bit_length() - 1
                if best < p.prio:
                    rq.resched_curr("prio")
        elif p.prio < rq.curr.prio:
            rq.resched_curr("prio")

    def rr_interval(self, p: TaskStruct) -> int:
        """get_rr_interval_rt(): the RR slice; 0 for SCHED_FIFO."""
        return self.rq.sched.tunables.rr_timeslice if p.policy == SCHED_RR else 0

    def queued(self) -> list[TaskStruct]:
        """Every queued task, most urgent first (for the choice points)."""
        return [p for q in self.queue if q for p in q]
