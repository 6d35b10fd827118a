"""The scheduler core (kernel/sched/core.c): task states, wakeups, the
runqueue of each CPU, schedule() and the bookkeeping of a context switch,
fork's part, and changing a task's policy, priority or CPUs.

Sleeping, the Linux way: a task sets its state (`set_task_state`) and calls
schedule(). In proclab kernel code that may sleep is a generator, and `yield`
*is* schedule(): the CPU loop takes the task off the CPU, and resumes the
generator right after the `yield` when the task runs again. Whether the task
stays on the runqueue depends only on its state at that moment, exactly as in
__schedule(): TASK_RUNNING stays (a preemption or a yield), anything else is
dequeued until `try_to_wake_up` puts it back.

Each runqueue holds one object per scheduling class, most urgent first: rt
(SCHED_FIFO, SCHED_RR), fair (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, in the
variant `--sched` names: eevdf, cfs or rr) and idle. Every decision -- the
next task, a preemption, the CPU of a woken or new task -- goes through the
`ChoicePoints` object, which by default takes Linux's decision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ...lib.lockdep import lock_acquire
from ...uapi.sched import SCHED_NORMAL, SCHED_RR
from ..task import TASK_DEAD, TASK_NORMAL, TASK_RUNNING, TIF_NEED_RESCHED
from ..time.timekeeping import COSTS, TICK_NS, Clock
from .fair import FAIR_CLASSES
from .idle import IdleRq
from .rt import RtRq
from .sched import (
    DEFAULT_PRIO,
    DEQUEUE_MOVE,
    DEQUEUE_SAVE,
    DEQUEUE_SLEEP,
    ENQUEUE_HEAD,
    ENQUEUE_INITIAL,
    ENQUEUE_MIGRATED,
    ENQUEUE_MOVE,
    ENQUEUE_RESTORE,
    ENQUEUE_WAKEUP,
    MAX_RT_PRIO,
    WF_FORK,
    WF_TTWU,
    nice_to_prio,
    ChoicePoints,
    SchedClassRq,
    SchedEntity,
    SchedInfo,
    SchedRtEntity,
    Tunables,
    rt_policy,
    task_weight,
)

if TYPE_CHECKING:  # pragma: no cover
    from ...lib.tracepoint import Tracepoints
    from ...lib.wait import WaitQueueEntry
    from ..task import TaskStruct

# Which class a task is in (task->sched_class): an index into Runqueue.classes.
CLASS_RT, CLASS_FAIR, CLASS_IDLE = 0, 1, 2
CLASS_NAMES = ("rt", "fair", "idle")


class Runqueue:
    """struct rq: one per CPU. `curr` is the task the CPU runs (its idle task
    when nothing else can run); `nr_running` counts the queued tasks of
    every class, the running one included. Written by the scheduler only."""

    def __init__(self, sched: Scheduler, cpu: int, idle: TaskStruct) -> None:
        self.sched = sched
        self.cpu = cpu
        self.idle = idle
        self.curr = idle
        self.nr_running = 0
        self.nr_switches = 0
        self.rt = RtRq(self)
        self.cfs: SchedClassRq = sched.fair_class(self)
        self.idle_class = IdleRq(self)
        self.classes: tuple[SchedClassRq, SchedClassRq, SchedClassRq] = (self.rt, self.cfs, self.idle_class)
        # /proc/schedstat (version 15) counters
        self.yld_count = 0
        self.sched_count = 0
        self.sched_goidle = 0
        self.ttwu_count = 0
        self.ttwu_local = 0
        self.rq_cpu_time = 0
        self.run_delay = 0
        self.pcount = 0
        self.busy_ns = 0        # time the CPU ran something other than its idle task
        self.next_tick = TICK_NS  # virtual time of this CPU's next tick (cputime.py)
        self.balance_ticks = 0    # ticks since the last periodic balance

    @property
    def clock(self) -> int:
        """rq_clock(): this CPU's virtual time now (each CPU has its own)."""
        return self.sched.cpu_clock(self.cpu)

    def class_of(self, p: TaskStruct) -> SchedClassRq:
        return self.classes[p.sched_class]

    def resched_curr(self, reason: str) -> None:
        """resched_curr(): the running task should leave the CPU at the next
        chance (its return to user mode), if the choice points agree."""
        curr = self.curr
        if curr is self.idle and reason != "wakeup":
            return
        if self.sched.choice.preempt(self, reason, True):
            curr.tif |= TIF_NEED_RESCHED


class Scheduler:
    """The scheduler of one machine: its runqueues and everything that moves
    tasks between them and the CPUs."""

    def __init__(self, tp: Tracepoints, clock: Clock, fair: str = "eevdf", nr_cpus: int = 1) -> None:
        self.tp = tp
        self.clock = clock
        self.fair_name = fair
        self.fair_class: Callable[[Runqueue], SchedClassRq] = FAIR_CLASSES[fair]
        self.tunables = Tunables(nr_cpus)
        self.tick_ns = TICK_NS
        self.choice = ChoicePoints()
        self.rqs: list[Runqueue] = []
        self.this_cpu = 0   # the CPU whose work the kernel is doing (smp_processor_id)
        # set by the kernel: saves a task's registers before it changes CPU;
        # wakes an idle CPU that was given a task
        self.on_migrate: Callable[[TaskStruct, int], None] = lambda p, old_cpu: None
        self.kick_idle_cpu: Callable[[Runqueue], None] = lambda rq: None
        # set by the kernel: the virtual time of a CPU (the CPUs are stepped
        # one at a time, each with its own clock)
        self.cpu_clock: Callable[[int], int] = lambda cpu: clock.now

    def add_cpu(self, idle: TaskStruct) -> Runqueue:
        rq = Runqueue(self, len(self.rqs), idle)
        idle.cpu = rq.cpu
        idle.on_cpu = True
        idle.sched_class = CLASS_IDLE
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

    # ---- queueing ------------------------------------------------------------------

    def enqueue_task(self, rq: Runqueue, p: TaskStruct, flags: int) -> None:
        """enqueue_task() / activate_task(): `p` joins its class's queue."""
        if rq.curr is rq.idle:
            self.kick_idle_cpu(rq)
        if not flags & ENQUEUE_RESTORE:
            p.sched_info.last_queued = rq.clock  # sched_info_enqueue()
        rq.class_of(p).enqueue_task(p, flags)
        p.on_rq = True
        rq.nr_running += 1

    def dequeue_task(self, rq: Runqueue, p: TaskStruct, flags: int) -> None:
        """dequeue_task() / deactivate_task()."""
        if not flags & DEQUEUE_SAVE:
            self._sched_info_dequeue(rq, p)
        rq.class_of(p).dequeue_task(p, flags)
        p.on_rq = False
        rq.nr_running -= 1

    def _sched_info_dequeue(self, rq: Runqueue, p: TaskStruct) -> None:
        info = p.sched_info
        if info.last_queued:
            # a task queued by a CPU ahead in time and run by one behind waited 0
            delta = max(0, rq.clock - info.last_queued)
            info.run_delay += delta
            rq.run_delay += delta
            info.last_queued = 0

    def wakeup_preempt(self, rq: Runqueue, p: TaskStruct, flags: int) -> None:
        """wakeup_preempt() (check_preempt_curr): a task of a more urgent
        class always preempts; within a class the class decides."""
        curr = rq.curr
        if p.sched_class == curr.sched_class:
            rq.class_of(p).wakeup_preempt(p, flags)
        elif p.sched_class < curr.sched_class:
            rq.resched_curr("wakeup")

    # ---- wakeups -----------------------------------------------------------------

    def try_to_wake_up(self, task: TaskStruct, state_mask: int = TASK_NORMAL) -> bool:
        """Make a sleeping task runnable if its state is in `state_mask`: on
        the CPU select_task_rq() chooses, then see whether it preempts."""
        if not task.state & state_mask:
            return False
        lock_acquire(("task", task.pid))  # p->pi_lock: the sleeper's next step comes after this
        self.set_task_state(task, TASK_RUNNING)
        if self.tp.sched_wakeup.probes:
            self.tp.sched_wakeup(task)
        if task.on_rq:  # ttwu_runnable(): it never left its queue
            return True
        cpu = self.select_task_rq(task, "wakeup")
        flags = ENQUEUE_WAKEUP
        if cpu != task.cpu:
            self.set_task_cpu(task, cpu)
            flags |= ENQUEUE_MIGRATED
        here = self.rqs[self.this_cpu]  # ttwu_stat() counts on the waker's CPU
        here.ttwu_count += 1
        if cpu == self.this_cpu:
            here.ttwu_local += 1
        rq = self.rqs[cpu]
        self.enqueue_task(rq, task, flags)
        self.wakeup_preempt(rq, task, WF_TTWU)
        return True

    def wake_up_process(self, task: TaskStruct) -> bool:
        return self.try_to_wake_up(task, TASK_NORMAL)

    def default_wake_function(self, entry: WaitQueueEntry, key: Any) -> bool:
        """The wake function of wait-queue entries made by `prepare_to_wait`."""
        return self.try_to_wake_up(entry.task, TASK_NORMAL)

    def wake_up_new_task(self, task: TaskStruct) -> None:
        """The child of fork becomes runnable for the first time (TASK_NEW -> R),
        on the CPU fork balancing chooses."""
        lock_acquire(("task", task.pid))
        self.set_task_state(task, TASK_RUNNING)
        # __set_task_cpu(): placing a new task is no migration (no event, no count)
        task.cpu = cpu = self.select_task_rq(task, "fork")
        rq = self.rqs[cpu]
        self.enqueue_task(rq, task, ENQUEUE_INITIAL)
        if self.tp.sched_wakeup_new.probes:
            self.tp.sched_wakeup_new(task)
        self.wakeup_preempt(rq, task, WF_FORK)

    # ---- CPUs -------------------------------------------------------------------------

    def allowed_cpus(self, p: TaskStruct) -> list[int]:
        """The CPUs of the machine in p's affinity mask, in order."""
        return [rq.cpu for rq in self.rqs if p.cpus_mask >> rq.cpu & 1]

    def select_task_rq(self, p: TaskStruct, reason: str) -> int:
        """select_task_rq(): where a woken ("wakeup") or new ("fork") task
        goes. Linux's choice, much simplified from select_idle_sibling and
        find_idlest_cpu: a woken task stays on its CPU if that is idle, else
        takes the first idle CPU it may use, else stays; a new task goes to
        the allowed CPU with the fewest runnable tasks (its parent's on a tie)."""
        allowed = self.allowed_cpus(p)
        if len(self.rqs) == 1 or not allowed:
            return p.cpu
        prev = p.cpu if p.cpu in allowed else allowed[0]
        rqs = self.rqs
        if reason == "fork":
            best = min(allowed, key=lambda c: (rqs[c].nr_running, c != prev, c))
        elif self.idle_cpu(rqs[prev]):
            best = prev
        else:
            best = next((c for c in allowed if self.idle_cpu(rqs[c])), prev)
        return self.choice.select_cpu(p, reason, allowed, best)

    @staticmethod
    def idle_cpu(rq: Runqueue) -> bool:
        """idle_cpu(): the CPU of `rq` runs its idle task and has nothing queued."""
        return rq.curr is rq.idle and rq.nr_running == 0

    def set_task_cpu(self, p: TaskStruct, cpu: int) -> None:
        """set_task_cpu(): `p` (not queued) will run on `cpu` from now on."""
        old = p.cpu
        if old == cpu:
            return
        self.rqs[old].class_of(p).migrate_task_rq(p)
        p.se.nr_migrations += 1
        if self.tp.sched_migrate_task.probes:
            self.tp.sched_migrate_task(p, old, cpu)
        self.on_migrate(p, old)
        p.cpu = cpu

    def move_queued_task(self, p: TaskStruct, cpu: int) -> None:
        """move_queued_task(): a queued task that is not running moves to `cpu`."""
        rq = self.rq_of(p)
        self.dequeue_task(rq, p, DEQUEUE_SAVE | DEQUEUE_MOVE)
        self.set_task_cpu(p, cpu)
        new = self.rqs[cpu]
        self.enqueue_task(new, p, ENQUEUE_RESTORE | ENQUEUE_MOVE | ENQUEUE_MIGRATED)
        self.wakeup_preempt(new, p, 0)

    # ---- schedule() ------------------------------------------------------------------

    def schedule(self, rq: Runqueue) -> TaskStruct:
        """__schedule(): `rq.curr` called schedule(): a task that is no longer
        TASK_RUNNING leaves the queue (a voluntary switch); then the next
        task is picked and switched to. Returns it (the idle task when
        nothing can run)."""
        prev = rq.curr
        prev.tif &= ~TIF_NEED_RESCHED
        rq.sched_count += 1
        voluntary = False
        if prev is not rq.idle:
            if prev.state != TASK_RUNNING and prev.on_rq:
                voluntary = True
                self.dequeue_task(rq, prev, DEQUEUE_SLEEP)
            rq.class_of(prev).put_prev_task(prev)
            if prev.on_rq and not prev.cpus_mask >> rq.cpu & 1:
                self._push_away(prev)  # its affinity no longer allows this CPU
        if rq.nr_running == 0 and len(self.rqs) > 1:
            self.newidle_balance(rq)
        nxt = self.pick_next_task(rq)
        self.context_switch(rq, prev, nxt, voluntary)
        return nxt

    def _push_away(self, p: TaskStruct) -> None:
        """migration_cpu_stop(): the task left the CPU it may no longer use."""
        allowed = self.allowed_cpus(p)
        if allowed:
            self.move_queued_task(p, self.choice.select_cpu(p, "affinity", allowed, allowed[0]))

    def pick_next_task(self, rq: Runqueue) -> TaskStruct:
        """pick_next_task(): the first class, most urgent first, that has a
        task; the choice points may take another runnable task instead."""
        for cls in rq.classes:
            linux = cls.pick_task()
            if linux is not None:
                break
        chosen = self.choice.pick_next(rq, linux, lambda: self.runnable(rq))
        rq.class_of(chosen).set_next_task(chosen)
        return chosen

    def runnable(self, rq: Runqueue) -> list[TaskStruct]:
        """Every task `rq` could run now (for the choice points)."""
        out = [p for p in rq.rt.queued()] + [p for p in rq.cfs.queued()]
        return out or [rq.idle]

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
        now = rq.clock
        if prev is not rq.idle:  # sched_info_depart()
            rq.rq_cpu_time += max(0, now - prev.sched_info.last_arrival)
            if prev.on_rq:
                prev.sched_info.last_queued = now   # waits again from now
        if next_ is not rq.idle:  # sched_info_arrive()
            self._sched_info_dequeue(rq, next_)
            next_.sched_info.pcount += 1
            next_.sched_info.last_arrival = now
            rq.pcount += 1
        prev.on_cpu = False
        next_.on_cpu = True
        rq.curr = next_
        self.clock.advance(COSTS["switch"])
        if self.tp.sched_switch.probes:
            self.tp.sched_switch(rq.cpu, prev, prev.state, next_)

    def scheduler_tick(self, rq: Runqueue) -> None:
        """scheduler_tick() (sched_tick): the running task's class accounts
        the tick and may ask for a preemption."""
        curr = rq.curr
        if curr is not rq.idle:
            rq.class_of(curr).task_tick(curr)
        rq.rt.period_tick()
        if len(self.rqs) > 1:
            self.trigger_load_balance(rq)

    def account_curr(self, rq: Runqueue) -> None:
        """update_curr() of the running task (before its times are read)."""
        curr = rq.curr
        if curr is not rq.idle:
            rq.class_of(curr).update_curr()

    def yield_task(self, rq: Runqueue, p: TaskStruct) -> None:
        """do_sched_yield(): the class moves the task back; then schedule()."""
        rq.yld_count += 1
        rq.class_of(p).yield_task(p)
        p.tif |= TIF_NEED_RESCHED

    # ---- load balancing (kernel/sched/fair.c load_balance, much simplified) ----------------
    #
    # Enough to keep N CPU-bound tasks on N CPUs: a CPU about to idle pulls a
    # waiting task from the busiest CPU (newidle balance); at each tick a CPU
    # with tasks waiting hands one to an idle CPU (the nohz idle balance an
    # idle CPU would do), and every BALANCE_TICKS ticks it pulls one from a
    # CPU with at least two tasks more than itself. The task moved is the one
    # its CPU would run last (detach_tasks() starts at the tail).

    BALANCE_TICKS = 4

    @staticmethod
    def waiting(rq: Runqueue) -> int:
        """Tasks queued on `rq` and not running."""
        return rq.nr_running - (rq.curr is not rq.idle and rq.curr.on_rq)

    def _movable(self, src: Runqueue, cpu: int) -> Optional[TaskStruct]:
        """can_migrate_task(): a task of `src` that waits and may run on
        `cpu` -- and was queued no later than the balancing CPU's time, which
        `cpu` has (it is that CPU, or an idle one woken up to that time), so
        that no task runs before it was woken (the CPUs' clocks differ a little)."""
        now = self.clock.now
        for cls in (src.cfs, src.rt):
            for p in reversed(cls.queued()):
                if p is not src.curr and p.cpus_mask >> cpu & 1 and p.sched_info.last_queued <= now:
                    return p
        return None

    def _pull(self, rq: Runqueue, reason: str, min_imbalance: int) -> bool:
        """Move one waiting task from the busiest other CPU to `rq`, if that
        one has at least `min_imbalance` more runnable tasks."""
        busiest = None
        for src in self.rqs:
            if src is rq or not self.waiting(src):
                continue
            if src.nr_running - rq.nr_running >= min_imbalance and (
                    busiest is None or src.nr_running > busiest.nr_running):
                busiest = src
        if busiest is None:
            return False
        p = self._movable(busiest, rq.cpu)
        if p is None:
            return False
        if self.choice.select_cpu(p, reason, [busiest.cpu, rq.cpu], rq.cpu) == rq.cpu:
            self.move_queued_task(p, rq.cpu)
            return True
        return False

    def newidle_balance(self, rq: Runqueue) -> None:
        """sched_balance_newidle(): `rq` has nothing left to run."""
        self._pull(rq, "newidle", 1)

    def trigger_load_balance(self, rq: Runqueue) -> None:
        """The balancing a tick of `rq`'s CPU triggers."""
        if self.waiting(rq):
            for dst in self.rqs:
                if dst is not rq and self.idle_cpu(dst):
                    p = self._movable(rq, dst.cpu)
                    if p is not None and self.choice.select_cpu(p, "idle_balance", [rq.cpu, dst.cpu],
                                                                dst.cpu) == dst.cpu:
                        self.move_queued_task(p, dst.cpu)
                    break
        rq.balance_ticks += 1
        if rq.balance_ticks >= self.BALANCE_TICKS:
            rq.balance_ticks = 0
            self._pull(rq, "balance", 2)

    # ---- fork ------------------------------------------------------------------------

    def sched_fork(self, p: TaskStruct, parent: TaskStruct) -> None:
        """sched_fork(): the child's scheduling state, inherited from the
        parent unless SCHED_RESET_ON_FORK asks for the defaults (a fair
        policy, nice 0 if the parent's was negative); placed by its class."""
        p.se = SchedEntity()
        p.rt = SchedRtEntity()
        p.sched_info = SchedInfo()
        p.policy = parent.policy
        p.static_prio = parent.static_prio
        p.rt_priority = parent.rt_priority
        p.cpus_mask = parent.cpus_mask
        p.sched_reset_on_fork = False
        if parent.sched_reset_on_fork:
            if rt_policy(p.policy):
                p.policy = SCHED_NORMAL
                p.rt_priority = 0
            if p.static_prio < DEFAULT_PRIO:
                p.static_prio = DEFAULT_PRIO
        p.normal_prio = normal_prio(p)
        p.prio = p.normal_prio
        p.se.weight = task_weight(p.policy, p.static_prio)
        p.sched_class = class_for(p.prio)
        p.cpu = parent.cpu
        self.rq_of(p).class_of(p).task_fork(p)

    def init_task_sched(self, p: TaskStruct) -> None:
        """The scheduling state of a boot task (init_task's defaults)."""
        p.se = SchedEntity()
        p.rt = SchedRtEntity()
        p.sched_info = SchedInfo()

    # ---- changing a task ------------------------------------------------------------------

    def _change(self, p: TaskStruct, apply: Callable[[], None], queue_flags: int = 0) -> None:
        """The dequeue / change / enqueue bracket of set_user_nice() and
        __sched_setscheduler(): a queued task leaves its queue (keeping its
        place in time) while its attributes change, then comes back; the
        running task is put back and set as next again."""
        rq = self.rq_of(p)
        queued, running = p.on_rq, rq.curr is p
        old_prio, old_class = p.prio, p.sched_class
        if running:
            rq.class_of(p).update_curr()
        if queued:
            self.dequeue_task(rq, p, DEQUEUE_SAVE | DEQUEUE_MOVE)
        if running:
            rq.classes[old_class].put_prev_task(p)
        apply()
        p.sched_class = class_for(p.prio)
        if queued:
            self.enqueue_task(rq, p, ENQUEUE_RESTORE | ENQUEUE_MOVE | queue_flags)
        if running:
            rq.class_of(p).set_next_task(p)
        if queued or running:
            if p.sched_class != old_class:
                if running and p.sched_class > old_class:
                    rq.resched_curr("prio")
                elif not running:
                    self.wakeup_preempt(rq, p, 0)
            elif p.prio != old_prio or p.sched_class == CLASS_FAIR:
                rq.class_of(p).prio_changed(p, old_prio)

    def set_user_nice(self, p: TaskStruct, nice: int) -> None:
        """set_user_nice(): a new nice value (already range-checked). An rt
        task keeps its priority; the nice value takes effect when it returns
        to a fair policy."""
        def apply() -> None:
            p.static_prio = nice_to_prio(nice)
            p.normal_prio = normal_prio(p)
            if not rt_policy(p.policy):
                p.prio = p.normal_prio
            self._reweight(p)
        self._change(p, apply)

    def setscheduler(self, p: TaskStruct, policy: int, rt_priority: int, nice: Optional[int],
                     reset_on_fork: bool) -> None:
        """The change half of __sched_setscheduler() (checks done by the
        caller): new policy, rt priority and, for sched_setattr, nice. A
        task whose priority is lowered goes to the head of its new list."""
        new_prio_static = p.static_prio if nice is None else nice_to_prio(nice)
        def apply() -> None:
            p.policy = policy
            p.rt_priority = rt_priority
            p.static_prio = new_prio_static
            p.normal_prio = normal_prio(p)
            p.prio = p.normal_prio
            p.sched_reset_on_fork = reset_on_fork
            if rt_policy(policy):  # real-time tasks' sleeps end on time
                p.timer_slack_ns = 0
            elif p.timer_slack_ns == 0:
                p.timer_slack_ns = p.default_timer_slack_ns
            if policy == SCHED_RR:
                p.rt.time_slice = self.tunables.rr_timeslice
            self._reweight(p)
        old_prio = p.prio
        future = prio_of(policy, rt_priority, new_prio_static)
        self._change(p, apply, ENQUEUE_HEAD if old_prio < future else 0)

    def _reweight(self, p: TaskStruct) -> None:
        weight = task_weight(p.policy, p.static_prio)
        if weight != p.se.weight:
            self.rq_of(p).cfs.reweight_task(p, weight)

    def set_cpus_allowed(self, p: TaskStruct, mask: int) -> None:
        """__set_cpus_allowed_ptr(): a new affinity mask (with at least one of
        the machine's CPUs). A queued task on a CPU it may no longer use
        moves now; a running one moves when it next leaves the CPU."""
        p.cpus_mask = mask
        if mask >> p.cpu & 1:
            return
        rq = self.rq_of(p)
        if rq.curr is p:
            rq.resched_curr("affinity")
        elif p.on_rq:
            self._push_away(p)
        else:
            allowed = self.allowed_cpus(p)
            if allowed:
                self.set_task_cpu(p, allowed[0])


def normal_prio(p: TaskStruct) -> int:
    """normal_prio(): 99 - rt_priority for an rt policy, else the static
    priority (SCHED_IDLE too: its weight, not its priority, is low)."""
    return prio_of(p.policy, p.rt_priority, p.static_prio)


def prio_of(policy: int, rt_priority: int, static_prio: int) -> int:
    return MAX_RT_PRIO - 1 - rt_priority if rt_policy(policy) else static_prio


def class_for(prio: int) -> int:
    """The class a priority belongs to: rt below MAX_RT_PRIO, else fair."""
    return CLASS_RT if prio < MAX_RT_PRIO else CLASS_FAIR


def task_nice(p: TaskStruct) -> int:
    """task_nice()."""
    return p.static_prio - DEFAULT_PRIO

