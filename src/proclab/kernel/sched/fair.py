"""The fair scheduling class (kernel/sched/fair.c): SCHED_NORMAL, SCHED_BATCH
and SCHED_IDLE tasks, in the variant `proclab run --sched` names.

- `eevdf` (EevdfRq), Linux 6.6 and later. A task's lag is the service it is
  owed, w_i * (V - v_i), V being the load-weighted average of the queued
  vruntimes; among the tasks whose lag is not negative (eligible), the one
  whose request of `base_slice` ns ends first (earliest virtual deadline)
  runs. Lag survives a sleep.
- `cfs` (CfsRq), Linux up to 6.5. The task with the lowest vruntime runs, for
  its weight's share of the latency period; a woken sleeper comes back at
  most half a latency behind the others.
- `rr` (RoundRobinRq): the textbook round robin proclab had before, to
  compare with: first come first served, 3 ms slices, nice ignored.

One object per runqueue (rq->cfs). In the two Linux variants the running task
is kept out of the ordered queues, as Linux keeps it out of its tree; `curr`
is it, queued or already dequeued on its way to sleep, until put_prev_task.
The queues are sortedcontainers lists of tuples that end with the task and
are ordered by their keys, then by an insertion number, so that ties are
broken the same way on every run.

Not modelled: group scheduling, bandwidth control, load tracking (PELT) and
what depends on it, so one entity per task and one queue per CPU.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Optional

from sortedcontainers import SortedList

from ...uapi.sched import SCHED_BATCH, SCHED_IDLE, SCHED_NORMAL
from ..time.timekeeping import TICK_NS
from .sched import (
    DEQUEUE_MOVE,
    DEQUEUE_SAVE,
    DEQUEUE_SLEEP,
    ENQUEUE_HEAD,
    ENQUEUE_INITIAL,
    ENQUEUE_MIGRATED,
    ENQUEUE_WAKEUP,
    SCHED_NR_LATENCY,
    WF_FORK,
    SchedClassRq,
    calc_delta_fair,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct
    from .core import Runqueue
    from .sched import SchedEntity

RR_SLICE = 3 * TICK_NS  # RoundRobinRq's time slice: 3 ms of CPU time


def _div_trunc(a: int, b: int) -> int:
    """div_s64() for b > 0: the quotient rounded toward zero (// floors)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def _whole_ticks(ns: int) -> int:
    """NS_TO_JIFFIES() and back: sched_rr_get_interval reports whole ticks."""
    return ns - ns % TICK_NS


class _FairRq(SchedClassRq):
    """What the three variants share: the count and total weight of the
    queued tasks, the running task and its accounting, fork's fresh entity,
    and the load of a task whose weight changes."""

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self.tunables = rq.sched.tunables
        self.curr: Optional[TaskStruct] = None
        self.load = 0          # cfs_rq->load.weight: the weights of the queued tasks, curr's included
        self.min_vruntime = 0  # round robin keeps no virtual time: 0

    def queued(self) -> list[TaskStruct]:
        """Every queued task, the running one included, in the queue's order
        (for the choice points and /proc)."""
        raise NotImplementedError

    def avg_vruntime(self) -> int:
        """The queue's average vruntime (avg_vruntime(); without virtual time,
        min_vruntime)."""
        return self.min_vruntime

    # ---- accounting ------------------------------------------------------------

    def update_curr(self) -> None:
        """update_curr(): charge the running task for the time since its
        exec_start, in CPU time and in virtual time (slower the heavier it
        is); then the variant's own bookkeeping."""
        curr = self.curr
        if curr is None:
            return
        se = curr.se
        now = self.rq.clock
        delta = now - se.exec_start
        if delta <= 0:
            return
        se.exec_start = now
        se.sum_exec_runtime += delta
        se.vruntime += calc_delta_fair(delta, se.weight)
        self._charged(se, delta)

    def _charged(self, se: SchedEntity, delta: int) -> None:
        """What follows once the running entity was charged `delta` ns."""
        raise NotImplementedError

    def _account_enqueue(self, se: SchedEntity) -> None:
        """account_entity_enqueue()."""
        self.nr_running += 1
        self.load += se.weight

    def _account_dequeue(self, se: SchedEntity) -> None:
        """account_entity_dequeue()."""
        self.nr_running -= 1
        self.load -= se.weight

    # ---- running -------------------------------------------------------------------

    def set_next_task(self, p: TaskStruct) -> None:
        """set_next_entity(): `p` runs from now; its slice is measured from
        here (prev_sum_exec_runtime)."""
        se = p.se
        se.exec_start = self.rq.clock
        self.curr = p
        se.prev_sum_exec_runtime = se.sum_exec_runtime

    def put_prev_task(self, p: TaskStruct) -> None:
        """put_prev_entity(): `p` stops running; if still queued, charged up
        to now."""
        if p.se.on_rq:
            self.update_curr()
        self.curr = None

    # ---- lifecycle -------------------------------------------------------------------

    def task_fork(self, p: TaskStruct) -> None:
        """__sched_fork(), the fair entity's part: `p` starts with nothing run
        and nothing owed. Its weight was set by the core (set_load_weight)."""
        se = p.se
        se.vruntime = se.deadline = se.vlag = 0
        se.exec_start = se.sum_exec_runtime = se.prev_sum_exec_runtime = 0
        se.nr_migrations = 0
        se.on_rq = False
        se.slice = self._fresh_slice()

    def _fresh_slice(self) -> int:
        """The slice of a new task."""
        return self.tunables.base_slice

    def migrate_task_rq(self, p: TaskStruct) -> None:
        """migrate_task_rq_fair(): a task that changes CPU is no longer cache
        hot there: Linux forgets when it last ran."""
        p.se.exec_start = 0

    def reweight_task(self, p: TaskStruct, weight: int) -> None:
        """reweight_task_fair() / reweight_entity(): the queue's load follows
        the new weight; a running task is first charged at the old one."""
        se = p.se
        if not se.on_rq:
            self._reweight_off_queue(se, weight)
            return
        if p is self.curr:
            self.update_curr()
        self.load += weight - se.weight
        self._reweight_queued(p, weight)

    def _reweight_off_queue(self, se: SchedEntity, weight: int) -> None:
        """The new weight of a task that is not queued."""
        se.weight = weight

    def _reweight_queued(self, p: TaskStruct, weight: int) -> None:
        """The new weight of a queued task (the queue's load is done)."""
        p.se.weight = weight


class _VirtualTimeRq(_FairRq):
    """What EEVDF and CFS share: virtual time. The queued tasks other than
    the running one sit in `_by_vruntime`; min_vruntime follows the smallest
    queued vruntime and never goes back; the sums behind avg_vruntime() are
    kept for both (Linux 6.5 has no avg_vruntime, /proc may show it anyway).

    avg_vruntime_sum is Σ (v_i - min_vruntime) * w_i and avg_load Σ w_i over
    the tree (the running task is added in when they are used): keys relative
    to min_vruntime keep the products small."""

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self._by_vruntime: SortedList = SortedList()  # (vruntime, seq, task)
        self._seq: dict[TaskStruct, int] = {}          # insertion number of each task in the tree
        self._next_seq = 0
        self.avg_vruntime_sum = 0
        self.avg_load = 0

    def queued(self) -> list[TaskStruct]:
        curr = self._queued_curr()
        return ([curr] if curr is not None else []) + [node[-1] for node in self._tree()]

    def _tree(self) -> SortedList:
        """The ordered queue, in pick order."""
        return self._by_vruntime

    def _queued_curr(self) -> Optional[TaskStruct]:
        """The running task, if it is still queued (not on its way to sleep)."""
        curr = self.curr
        return curr if curr is not None and curr.se.on_rq else None

    # ---- the tree and its sums ------------------------------------------------------

    def _enqueue_entity(self, p: TaskStruct) -> int:
        """__enqueue_entity(): `p` into the tree. Returns its insertion number."""
        seq = self._next_seq
        self._next_seq += 1
        self._seq[p] = seq
        self._by_vruntime.add((p.se.vruntime, seq, p))
        self._avg_add(p.se)
        return seq

    def _dequeue_entity(self, p: TaskStruct) -> int:
        """__dequeue_entity(): `p` out of the tree. Returns its insertion number."""
        seq = self._seq.pop(p)
        self._by_vruntime.remove((p.se.vruntime, seq, p))
        self._avg_sub(p.se)
        return seq

    def _avg_add(self, se: SchedEntity) -> None:
        """avg_vruntime_add()."""
        self.avg_vruntime_sum += (se.vruntime - self.min_vruntime) * se.weight
        self.avg_load += se.weight

    def _avg_sub(self, se: SchedEntity) -> None:
        """avg_vruntime_sub()."""
        self.avg_vruntime_sum -= (se.vruntime - self.min_vruntime) * se.weight
        self.avg_load -= se.weight

    def _avg_with_curr(self) -> tuple[int, int]:
        """The sums with the running task added in, if it is queued."""
        avg, load = self.avg_vruntime_sum, self.avg_load
        curr = self._queued_curr()
        if curr is not None:
            se = curr.se
            avg += (se.vruntime - self.min_vruntime) * se.weight
            load += se.weight
        return avg, load

    def avg_vruntime(self) -> int:
        """avg_vruntime(): V, the load-weighted average vruntime of the queued
        tasks. Linux rounds a negative sum down by subtracting load - 1
        before its truncating division: that is a floor, Python's //."""
        avg, load = self._avg_with_curr()
        if load:
            avg //= load
        return self.min_vruntime + avg

    def _update_min_vruntime(self) -> None:
        """update_min_vruntime(): the smallest vruntime of the queued tasks,
        the running one included, unless that would move it back. The keys
        of the sums are relative to it: they all shrink by the advance."""
        curr = self._queued_curr()
        vruntime = self.min_vruntime if curr is None else curr.se.vruntime
        if self._by_vruntime:
            leftmost = self._by_vruntime[0][0]
            vruntime = leftmost if curr is None else min(vruntime, leftmost)
        delta = vruntime - self.min_vruntime
        if delta > 0:
            self.avg_vruntime_sum -= self.avg_load * delta
            self.min_vruntime = vruntime

    def _dequeue_update_min_vruntime(self, flags: int) -> None:
        """The end of dequeue_entity(): min_vruntime may advance now that the
        task left, except when it leaves only to come back at its place
        (DEQUEUE_SAVE without DEQUEUE_MOVE): advancing would place it later
        than it was."""
        if (flags & (DEQUEUE_SAVE | DEQUEUE_MOVE)) != DEQUEUE_SAVE:
            self._update_min_vruntime()

    # ---- running -------------------------------------------------------------------

    def set_next_task(self, p: TaskStruct) -> None:
        """set_next_entity(): the running task leaves the tree."""
        if p.se.on_rq:
            self._dequeue_entity(p)
        super().set_next_task(p)

    def put_prev_task(self, p: TaskStruct) -> None:
        """put_prev_entity(): a task still queued goes back into the tree."""
        queued = p.se.on_rq
        super().put_prev_task(p)
        if queued:
            self._enqueue_entity(p)

    def wakeup_preempt(self, p: TaskStruct, flags: int) -> None:
        """check_preempt_wakeup_fair(): a task of an idle policy gives way to
        any other at once; a SCHED_BATCH or SCHED_IDLE task never preempts on
        wakeup (only the tick preempts for it); otherwise the variant decides."""
        curr = self.curr
        if curr is None or curr is p:
            return
        reason = "fork" if flags & WF_FORK else "wakeup"
        if curr.policy == SCHED_IDLE and p.policy != SCHED_IDLE:
            self.rq.resched_curr(reason)
        elif p.policy == SCHED_NORMAL:
            self.update_curr()
            if self._wakeup_preempts(curr, p):
                self.rq.resched_curr(reason)

    def _wakeup_preempts(self, curr: TaskStruct, p: TaskStruct) -> bool:
        """Does the woken SCHED_NORMAL task `p` preempt `curr` (charged)?"""
        raise NotImplementedError

    def prio_changed(self, p: TaskStruct, old_prio: int) -> None:
        """prio_changed_fair(): the running task whose priority dropped gives
        the CPU up; another one may preempt as if it had just woken."""
        if not p.se.on_rq or self.nr_running == 1:
            return
        if p is self.curr:
            if p.prio > old_prio:
                self.rq.resched_curr("prio")
        elif self.curr is not None:
            self.wakeup_preempt(p, 0)

    def rr_interval(self, p: TaskStruct) -> int:
        """get_rr_interval_fair(): the task's slice in whole ticks, 0 when
        nothing is queued here."""
        if not self.load:
            return 0
        return _whole_ticks(self._slice_of(p.se))

    def _slice_of(self, se: SchedEntity) -> int:
        """The slice sched_rr_get_interval reports, ns."""
        raise NotImplementedError


class EevdfRq(_VirtualTimeRq):
    """EEVDF as in Linux 6.6+ (kernel/sched/fair.c) with its default
    features: PLACE_LAG, PLACE_DEADLINE_INITIAL, RUN_TO_PARITY; no next
    buddy (NEXT_BUDDY is off), no delayed dequeue (6.12), one slice size for
    all (no sched_attr runtime).

    Beside the vruntime-ordered tree that min_vruntime needs, the queued
    tasks sit in `_by_deadline`. Linux finds the earliest eligible deadline
    in O(log n) with a tree augmented by each subtree's smallest vruntime;
    here the deadline order is walked until an eligible task: one step in
    the common case, where the earliest deadlines belong to eligible tasks."""

    name = "eevdf"

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self._by_deadline: SortedList = SortedList()  # (deadline, vruntime, seq, task)

    def _tree(self) -> SortedList:
        return self._by_deadline

    def _enqueue_entity(self, p: TaskStruct) -> int:
        seq = super()._enqueue_entity(p)
        self._by_deadline.add((p.se.deadline, p.se.vruntime, seq, p))
        return seq

    def _dequeue_entity(self, p: TaskStruct) -> int:
        seq = super()._dequeue_entity(p)
        self._by_deadline.remove((p.se.deadline, p.se.vruntime, seq, p))
        return seq

    # ---- lag and placement --------------------------------------------------------------

    def entity_eligible(self, se: SchedEntity) -> bool:
        """entity_eligible(): is the lag of `se` not negative, v <= V? Linux
        compares Σ (v_j - min) w_j >= (v - min) Σ w_j so as not to divide;
        against V rounded down, as avg_vruntime() gives it, that is the same
        test exactly."""
        return se.vruntime <= self.avg_vruntime()

    def _update_entity_lag(self, se: SchedEntity) -> None:
        """update_entity_lag(): what the leaving task is owed (or owes), V -
        v, bounded by about two slices so that old debts and credits fade."""
        lag = self.avg_vruntime() - se.vruntime
        limit = calc_delta_fair(max(2 * se.slice, TICK_NS), se.weight)
        se.vlag = max(-limit, min(lag, limit))

    def _place_entity(self, se: SchedEntity, flags: int) -> None:
        """place_entity(): a task joining the queue starts at V minus its lag,
        with a new request; a new task asks for half a slice at first, so
        that it starts soon without taking a full slice from the others.

        Adding a task with lag moves V itself; the lag is scaled by (W + w)/W
        so that, measured against the V after the insertion, it is the lag
        the task had."""
        vruntime = self.avg_vruntime()
        se.slice = self.tunables.base_slice
        vslice = calc_delta_fair(se.slice, se.weight)
        lag = 0
        if self.nr_running:
            load = self.avg_load
            curr = self._queued_curr()
            if curr is not None:
                load += curr.se.weight
            lag = _div_trunc(se.vlag * (load + se.weight), load)
        se.vruntime = vruntime - lag
        if flags & ENQUEUE_INITIAL:
            vslice //= 2
        se.deadline = se.vruntime + vslice

    def _update_deadline(self, se: SchedEntity) -> None:
        """update_deadline(): a running task that used up its request gets a
        new one, and gives the CPU up if another task waits."""
        if se.vruntime < se.deadline:
            return
        se.slice = self.tunables.base_slice
        se.deadline = se.vruntime + calc_delta_fair(se.slice, se.weight)
        if self.nr_running > 1:
            self.rq.resched_curr("slice")

    def _charged(self, se: SchedEntity, delta: int) -> None:
        self._update_deadline(se)
        self._update_min_vruntime()

    # ---- the class interface ------------------------------------------------------------

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:
        """enqueue_entity(). The running task (back after a change of
        attributes) is placed before update_curr charges it, as Linux does."""
        se = p.se
        running = p is self.curr
        if running:
            self._place_entity(se, flags)
        self.update_curr()
        if not running:
            self._place_entity(se, flags)
        self._account_enqueue(se)
        if not running:
            self._enqueue_entity(p)
        se.on_rq = True

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:
        """dequeue_entity(): the task's lag is saved for when it comes back."""
        se = p.se
        self.update_curr()
        self._update_entity_lag(se)
        if p is not self.curr:
            self._dequeue_entity(p)
        se.on_rq = False
        self._account_dequeue(se)
        self._dequeue_update_min_vruntime(flags)

    def pick_task(self) -> Optional[TaskStruct]:
        """pick_eevdf(): the eligible task with the earliest deadline (ties:
        the lower vruntime, then the earlier queued). The running task, if
        eligible, keeps the CPU until its request is served (RUN_TO_PARITY:
        its deadline is still the one stashed in vlag when it was picked);
        after that, only while its deadline is the earliest."""
        if not self.nr_running:
            return None
        curr = self._queued_curr()
        if self.nr_running == 1:
            return curr if curr is not None else self._by_deadline[0][-1]
        average = self.avg_vruntime()  # eligible: vruntime <= average (entity_eligible)
        if curr is not None and curr.se.vruntime > average:
            curr = None
        if curr is not None and curr.se.vlag == curr.se.deadline:
            return curr
        best = next((node[-1] for node in self._by_deadline if node[1] <= average), None)
        if curr is not None and (best is None or curr.se.deadline < best.se.deadline):
            return curr
        return best

    def set_next_task(self, p: TaskStruct) -> None:
        """set_next_entity(): vlag, unused while the task is queued, keeps the
        deadline it was picked with (for RUN_TO_PARITY)."""
        queued = p.se.on_rq
        super().set_next_task(p)
        if queued:
            p.se.vlag = p.se.deadline

    def task_tick(self, p: TaskStruct) -> None:
        """task_tick_fair(): the charge; update_deadline preempts at the end
        of the request."""
        self.update_curr()

    def _wakeup_preempts(self, curr: TaskStruct, p: TaskStruct) -> bool:
        """The woken task preempts when it is what pick_eevdf would run."""
        return self.pick_task() is p

    def yield_task(self, p: TaskStruct) -> None:
        """yield_task_fair(): the yielding task's request is pushed back by a
        slice, behind the others'. Linux skips this when nothing else is
        runnable on the CPU; here, when nothing else of this class is."""
        if self.nr_running <= 1:
            return
        self.update_curr()
        se = p.se
        se.deadline += calc_delta_fair(se.slice, se.weight)

    def _slice_of(self, se: SchedEntity) -> int:
        return se.slice

    def _reweight_off_queue(self, se: SchedEntity, weight: int) -> None:
        """reweight_entity() of a task off the queue: vlag holds V - v, so the
        lag w * (V - v) stays the same if vlag is scaled by w_old/w_new."""
        se.vlag = _div_trunc(se.vlag * se.weight, weight)
        se.weight = weight

    def _reweight_queued(self, p: TaskStruct, weight: int) -> None:
        """reweight_entity() / reweight_eevdf() of a queued task: its lag
        (V - v) * w and the real time left of its request, (d - v) * w, stay
        the same; so V does too."""
        se = p.se
        in_tree = p is not self.curr
        average = self.avg_vruntime()
        lag = average - se.vruntime
        request = se.deadline - se.vruntime
        if in_tree:
            self._dequeue_entity(p)
        old, se.weight = se.weight, weight
        se.vruntime = average - _div_trunc(lag * old, weight)
        se.deadline = se.vruntime + _div_trunc(request * old, weight)
        if in_tree:
            self._enqueue_entity(p)
        self._update_min_vruntime()


class CfsRq(_VirtualTimeRq):
    """CFS as in Linux 6.5 (kernel/sched/fair.c before EEVDF) with its
    default features: START_DEBIT, GENTLE_FAIR_SLEEPERS, WAKEUP_PREEMPTION,
    sysctl_sched_child_runs_first = 0. Of the buddies only the skip buddy of
    sched_yield is modelled; Linux's next buddy (the wakee that preempted)
    and last buddy (the preempted task, with 8 or more queued) are not.

    A task off the queue keeps its vruntime relative to min_vruntime (Linux's
    normalisation), except one that went to sleep here, which keeps it
    absolute so that place_entity can tell how long it slept. Linux tells
    the two apart by the flags and by TASK_WAKING; proclab's core also
    migrates new tasks and sleepers outside a wakeup, so the form is told by
    exec_start, which Linux zeroes on fork and migration: 0 means relative.
    A task dequeued without DEQUEUE_SLEEP gets exec_start 0 too; the running
    one when it leaves the CPU, as it may still be charged until then."""

    name = "cfs"

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self.skip: Optional[TaskStruct] = None  # cfs_rq->skip: the task that yielded
        self._curr_relative = False             # curr was dequeued with a relative vruntime

    # ---- slices and placement -------------------------------------------------------------

    def _sched_period(self, nr_running: int) -> int:
        """__sched_period(): the latency, stretched to a minimum slice each
        when more tasks run than fit in it."""
        if nr_running > SCHED_NR_LATENCY:
            return nr_running * self.tunables.min_granularity
        return self.tunables.latency

    def sched_slice(self, se: SchedEntity) -> int:
        """sched_slice(): the entity's share of the period by weight, as if
        it were queued; at least the minimum granularity."""
        queued = se.on_rq
        period = self._sched_period(self.nr_running + (not queued))
        load = self.load if queued else self.load + se.weight
        return max(period * se.weight // load, self.tunables.min_granularity)

    def _place_entity(self, p: TaskStruct, initial: bool) -> None:
        """place_entity(): a new task starts a virtual slice after
        min_vruntime (START_DEBIT: the current period is promised to the
        others); a woken one at most half a latency before it (SCHED_IDLE:
        half a minimum granularity), never earlier than its own vruntime.
        (Linux's exception for sleepers of over 100 days guards against a
        64-bit wrap that Python's integers do not have.)"""
        se = p.se
        vruntime = self.min_vruntime
        if initial:
            vruntime += calc_delta_fair(self.sched_slice(se), se.weight)
        else:
            thresh = self.tunables.min_granularity if p.policy == SCHED_IDLE else self.tunables.latency
            vruntime -= thresh // 2
        se.vruntime = max(se.vruntime, vruntime)

    def _charged(self, se: SchedEntity, delta: int) -> None:
        self._update_min_vruntime()

    # ---- the class interface ------------------------------------------------------------------

    def task_fork(self, p: TaskStruct) -> None:
        """task_fork_fair(): the child starts from its parent's vruntime,
        placed as a new task, and keeps it relative to min_vruntime until it
        is enqueued (maybe on another CPU)."""
        super().task_fork(p)
        self.update_curr()
        se = p.se
        if self.curr is not None:
            se.vruntime = self.curr.se.vruntime
        self._place_entity(p, initial=True)
        se.vruntime -= self.min_vruntime

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:
        """enqueue_entity(): a relative vruntime is made absolute again (for
        the running task before update_curr moves min_vruntime, for another
        after); a woken task is placed."""
        se = p.se
        running = p is self.curr
        relative = not flags & ENQUEUE_WAKEUP or bool(flags & ENQUEUE_MIGRATED) or se.exec_start == 0
        if running:
            self._curr_relative = False
        if relative and running:
            se.vruntime += self.min_vruntime
        self.update_curr()
        if relative and not running:
            se.vruntime += self.min_vruntime
        self._account_enqueue(se)
        if flags & ENQUEUE_WAKEUP:
            self._place_entity(p, initial=False)
        if not running:
            self._enqueue_entity(p)
        se.on_rq = True

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:
        """dequeue_entity(): unless the task goes to sleep, its vruntime
        becomes relative to min_vruntime, taken after update_curr."""
        se = p.se
        running = p is self.curr
        self.update_curr()
        if self.skip is p:
            self.skip = None
        if not running:
            self._dequeue_entity(p)
        se.on_rq = False
        self._account_dequeue(se)
        if not flags & DEQUEUE_SLEEP:
            se.vruntime -= self.min_vruntime
            if running:
                self._curr_relative = True
            else:
                se.exec_start = 0
        self._dequeue_update_min_vruntime(flags)

    def migrate_task_rq(self, p: TaskStruct) -> None:
        """migrate_task_rq_fair(): a sleeper's absolute vruntime becomes
        relative to this queue's min_vruntime; the enqueue on the new CPU
        adds that CPU's."""
        se = p.se
        if se.exec_start:
            se.vruntime -= self.min_vruntime
        super().migrate_task_rq(p)

    def _wakeup_preempt_entity(self, curr: SchedEntity, se: SchedEntity) -> int:
        """wakeup_preempt_entity(): -1 when `se` is not behind `curr` in
        virtual time, 1 when it is behind by more than the wakeup granularity
        (in se's virtual time), else 0."""
        vdiff = curr.vruntime - se.vruntime
        if vdiff <= 0:
            return -1
        return 1 if vdiff > calc_delta_fair(self.tunables.wakeup_granularity, se.weight) else 0

    def pick_task(self) -> Optional[TaskStruct]:
        """pick_next_entity(): the lowest vruntime (ties: the earlier queued,
        before the running task); the task that yielded is passed over for
        the next one when that one is within the wakeup granularity of it."""
        curr = self._queued_curr()
        tree = self._by_vruntime
        left = tree[0][-1] if tree else None
        if left is None or (curr is not None and curr.se.vruntime < left.se.vruntime):
            left = curr
        if left is None or left is not self.skip:
            return left
        if left is curr:
            second = tree[0][-1] if tree else None
        else:
            second = tree[1][-1] if len(tree) > 1 else None
            if second is None or (curr is not None and curr.se.vruntime < second.se.vruntime):
                second = curr
        if second is not None and self._wakeup_preempt_entity(second.se, left.se) < 1:
            return second
        return left

    def set_next_task(self, p: TaskStruct) -> None:
        """set_next_entity(): being picked ends a task's skip."""
        if self.skip is p:
            self.skip = None
        super().set_next_task(p)

    def put_prev_task(self, p: TaskStruct) -> None:
        """put_prev_entity(); a task that left the queue with a relative
        vruntime while it ran is marked so now."""
        super().put_prev_task(p)
        if self._curr_relative:
            p.se.exec_start = 0
            self._curr_relative = False

    def task_tick(self, p: TaskStruct) -> None:
        """entity_tick(): the charge, then check_preempt_tick when another
        task waits."""
        self.update_curr()
        if self.nr_running > 1:
            self._check_preempt_tick(p)

    def _check_preempt_tick(self, curr: TaskStruct) -> None:
        """check_preempt_tick(): preempt a task that ran its slice (at most a
        latency), or that ran at least the minimum granularity and is ahead
        of the leftmost by more than its slice. (Linux compares that virtual
        distance with the slice in real time; so does this.)"""
        se = curr.se
        ideal = min(self.sched_slice(se), self.tunables.latency)
        ran = se.sum_exec_runtime - se.prev_sum_exec_runtime
        if ran > ideal:
            self.rq.resched_curr("slice")
            return
        if ran < self.tunables.min_granularity:
            return
        if se.vruntime - self._by_vruntime[0][0] > ideal:
            self.rq.resched_curr("tick")

    def _wakeup_preempts(self, curr: TaskStruct, p: TaskStruct) -> bool:
        """The woken task preempts when it is behind the running one by more
        than the wakeup granularity."""
        return self._wakeup_preempt_entity(curr.se, p.se) == 1

    def yield_task(self, p: TaskStruct) -> None:
        """yield_task_fair(): the yielding task becomes the skip buddy. Linux
        skips this when nothing else is runnable on the CPU; here, when
        nothing else of this class is. A SCHED_BATCH task is charged by the
        schedule() that follows, not here."""
        if self.nr_running <= 1:
            return
        if p.policy != SCHED_BATCH:
            self.update_curr()
        self.skip = p

    def _slice_of(self, se: SchedEntity) -> int:
        return self.sched_slice(se)

    def _reweight_queued(self, p: TaskStruct, weight: int) -> None:
        """reweight_entity(): CFS keeps the vruntime; only the sums behind
        avg_vruntime() weigh it anew."""
        se = p.se
        in_tree = p is not self.curr
        if in_tree:
            self._avg_sub(se)
        se.weight = weight
        if in_tree:
            self._avg_add(se)


class RoundRobinRq(_FairRq):
    """Round robin, the scheduler proclab had before the Linux variants
    (`--sched rr`): tasks run in the order they became runnable, each for a
    slice of RR_SLICE of CPU time; new and woken tasks join the tail, and a
    task whose slice ran out at a tick goes to the tail with a new one (the
    next task runs if there is one). No wakeup preemption: nice and the idle
    policies are ignored (weight and vruntime are kept for /proc only).

    As in Linux's SCHED_RR (rt.c), the running task keeps its place at the
    head of the queue while it runs, so a task preempted by an rt task
    resumes first, with what is left of its slice (`se.slice` holds that
    rest); and a task whose attributes change (DEQUEUE_SAVE | DEQUEUE_MOVE)
    goes to the tail."""

    name = "rr"

    def __init__(self, rq: Runqueue) -> None:
        super().__init__(rq)
        self._queue: OrderedDict[TaskStruct, None] = OrderedDict()

    def queued(self) -> list[TaskStruct]:
        return list(self._queue)

    def _fresh_slice(self) -> int:
        return RR_SLICE

    def _charged(self, se: SchedEntity, delta: int) -> None:
        se.slice -= delta

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:
        """enqueue_rt_entity()'s order: the tail, or the head with
        ENQUEUE_HEAD (a task whose priority was lowered)."""
        self._queue[p] = None
        if flags & ENQUEUE_HEAD:
            self._queue.move_to_end(p, last=False)
        self._account_enqueue(p.se)
        p.se.on_rq = True

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:
        """dequeue_rt_entity(); the running task is charged first."""
        self.update_curr()
        del self._queue[p]
        p.se.on_rq = False
        self._account_dequeue(p.se)

    def pick_task(self) -> Optional[TaskStruct]:
        """pick_next_rt_entity(): the head of the queue."""
        return next(iter(self._queue), None)

    def task_tick(self, p: TaskStruct) -> None:
        """task_tick_rt() for SCHED_RR: at the end of the slice a new one,
        and the tail if another task waits."""
        self.update_curr()
        se = p.se
        if se.slice > 0:
            return
        se.slice = RR_SLICE
        if self.nr_running > 1:
            self._queue.move_to_end(p)
            self.rq.resched_curr("slice")

    def yield_task(self, p: TaskStruct) -> None:
        """yield_task_rt(): to the tail, with what is left of the slice."""
        self._queue.move_to_end(p)

    def rr_interval(self, p: TaskStruct) -> int:
        """get_rr_interval(): the fixed slice."""
        return RR_SLICE


FAIR_CLASSES: dict[str, type[_FairRq]] = {"eevdf": EevdfRq, "cfs": CfsRq, "rr": RoundRobinRq}
