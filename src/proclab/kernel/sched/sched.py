"""What the scheduler's files share (kernel/sched/sched.h, include/linux/sched.h,
include/linux/sched/prio.h): priorities and load weights, the scheduling
entities a task carries, the interface every scheduling class implements on
each runqueue, the tunables, and the choice points an explorer can drive.

Priorities as Linux numbers them: 0..99 are real-time (lower is more urgent),
100..139 the nice values -20..19 of the fair class. A task's `prio` is what
the core compares; `static_prio` comes from nice, `rt_priority` (1..99) from
sched_setscheduler, `normal_prio` from both and the policy.

Times are virtual nanoseconds (kernel/time/timekeeping.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from ...uapi.sched import SCHED_BATCH, SCHED_DEADLINE, SCHED_FIFO, SCHED_IDLE, SCHED_NORMAL, SCHED_RR

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct
    from .core import Runqueue

# ---- priorities (include/linux/sched/prio.h) ------------------------------------------------

MAX_NICE = 19
MIN_NICE = -20
NICE_WIDTH = MAX_NICE - MIN_NICE + 1
MAX_RT_PRIO = 100
DEFAULT_PRIO = MAX_RT_PRIO + NICE_WIDTH // 2   # 120, nice 0

POLICIES = (SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, SCHED_DEADLINE)


def nice_to_prio(nice: int) -> int:
    """NICE_TO_PRIO()."""
    return nice + DEFAULT_PRIO


def rt_policy(policy: int) -> bool:
    return policy in (SCHED_FIFO, SCHED_RR)


def fair_policy(policy: int) -> bool:
    """fair_policy(): the policies whose nice value sets the weight
    (SCHED_IDLE has a weight of its own)."""
    return policy in (SCHED_NORMAL, SCHED_BATCH)


def valid_policy(policy: int) -> bool:
    return policy in POLICIES


# ---- load weights (kernel/sched/core.c sched_prio_to_weight) -------------------------------

# The weight of each nice level, -20 first. Each level is about 1.25 times the
# next, so one nice level is about 10% of CPU between two CPU-bound tasks.
SCHED_PRIO_TO_WEIGHT = (
    88761, 71755, 56483, 46273, 36291,
    29154, 23254, 18705, 14949, 11916,
    9548, 7620, 6100, 4904, 3906,
    3121, 2501, 1991, 1586, 1277,
    1024, 820, 655, 526, 423,
    335, 272, 215, 172, 137,
    110, 87, 70, 56, 45,
    36, 29, 23, 18, 15,
)
NICE_0_LOAD = 1024
WEIGHT_IDLEPRIO = 3  # SCHED_IDLE tasks, below nice 19


def task_weight(policy: int, static_prio: int) -> int:
    """set_load_weight(): the load weight of a fair task."""
    if policy == SCHED_IDLE:
        return WEIGHT_IDLEPRIO
    return SCHED_PRIO_TO_WEIGHT[static_prio - MAX_RT_PRIO]


def calc_delta_fair(delta: int, weight: int) -> int:
    """calc_delta_fair(): `delta` ns of real time as virtual time of an entity
    of `weight` (delta * NICE_0_LOAD / weight; exact where Linux uses a
    32-bit inverse)."""
    if weight == NICE_0_LOAD:
        return delta
    return delta * NICE_0_LOAD // weight


# ---- tunables (kernel/sched/fair.c, rt.c; /proc/sys/kernel) ---------------------------------

NSEC_PER_MSEC = 1_000_000
SYSCTL_SCHED_BASE_SLICE = 750_000        # EEVDF request size, times the CPU factor
SYSCTL_SCHED_LATENCY = 6 * NSEC_PER_MSEC  # CFS target latency, times the CPU factor
SYSCTL_SCHED_MIN_GRANULARITY = 750_000   # CFS minimum slice, times the CPU factor
SYSCTL_SCHED_WAKEUP_GRANULARITY = 1 * NSEC_PER_MSEC
SCHED_NR_LATENCY = 8                     # latency / min_granularity
SCHED_RR_TIMESLICE_MS = 100              # sched_rr_timeslice_ms
SYSCTL_SCHED_RT_PERIOD_US = 1_000_000    # sched_rt_period_us
SYSCTL_SCHED_RT_RUNTIME_US = 950_000     # sched_rt_runtime_us: RT may use 95% of each period


def sysctl_factor(nr_cpus: int) -> int:
    """get_update_sysctl_factor() with SCHED_TUNABLESCALING_LOG: 1 + log2 of
    the CPU count, the count capped at 8."""
    return 1 + (min(nr_cpus, 8).bit_length() - 1)


class Tunables:
    """The scheduler's sysctls for a machine of `nr_cpus` CPUs, scaled as
    update_sysctl() scales them (ns). Fixed at boot."""

    __slots__ = ("nr_cpus", "base_slice", "latency", "min_granularity", "wakeup_granularity",
                 "rr_timeslice", "rt_period", "rt_runtime")

    def __init__(self, nr_cpus: int = 1) -> None:
        factor = sysctl_factor(nr_cpus)
        self.nr_cpus = nr_cpus
        self.base_slice = factor * SYSCTL_SCHED_BASE_SLICE
        self.latency = factor * SYSCTL_SCHED_LATENCY
        self.min_granularity = factor * SYSCTL_SCHED_MIN_GRANULARITY
        self.wakeup_granularity = factor * SYSCTL_SCHED_WAKEUP_GRANULARITY
        self.rr_timeslice = SCHED_RR_TIMESLICE_MS * NSEC_PER_MSEC
        self.rt_period = SYSCTL_SCHED_RT_PERIOD_US * 1000
        self.rt_runtime = SYSCTL_SCHED_RT_RUNTIME_US * 1000


# ---- enqueue/dequeue flags (kernel/sched/sched.h) ----------------------------------------------

DEQUEUE_SLEEP = 0x01
DEQUEUE_SAVE = 0x02      # a change of attributes: enqueued again right after
DEQUEUE_MOVE = 0x04      # ... and it may change place in the queue
ENQUEUE_WAKEUP = 0x01
ENQUEUE_RESTORE = 0x02
ENQUEUE_MOVE = 0x04
ENQUEUE_HEAD = 0x10
ENQUEUE_INITIAL = 0x80   # a new task (wake_up_new_task)
ENQUEUE_MIGRATED = 0x40

WF_FORK = 0x04           # wakeup_preempt() of a new task
WF_TTWU = 0x08


# ---- what a task carries ----------------------------------------------------------------------

class SchedEntity:
    """struct sched_entity: a task as the fair class sees it. Written by the
    fair class of the runqueue the task is on (fair.py), read by /proc."""

    __slots__ = ("weight", "vruntime", "deadline", "vlag", "slice", "exec_start",
                 "sum_exec_runtime", "prev_sum_exec_runtime", "on_rq", "nr_migrations")

    def __init__(self) -> None:
        self.weight = NICE_0_LOAD
        self.vruntime = 0
        self.deadline = 0                # EEVDF: virtual deadline of the current request
        self.vlag = 0                    # EEVDF: lag saved at dequeue (the deadline while running)
        self.slice = SYSCTL_SCHED_BASE_SLICE
        self.exec_start = 0              # rq clock when it last started running (or was accounted)
        self.sum_exec_runtime = 0        # CPU time, kernel and user
        self.prev_sum_exec_runtime = 0   # sum_exec_runtime when it was last picked
        self.on_rq = False               # queued in its cfs_rq, running included
        self.nr_migrations = 0


class SchedRtEntity:
    """struct sched_rt_entity: a task as the rt class sees it (rt.py)."""

    __slots__ = ("time_slice", "on_rq")

    def __init__(self) -> None:
        self.time_slice = 0
        self.on_rq = False


class SchedInfo:
    """struct sched_info (schedstats, /proc/PID/schedstat): `run_delay`, the
    time spent runnable but waiting for a CPU; `pcount`, how many times the
    task was given a CPU; `last_queued`, when it last started waiting (0: not
    waiting)."""

    __slots__ = ("run_delay", "pcount", "last_queued", "last_arrival")

    def __init__(self) -> None:
        self.run_delay = 0
        self.pcount = 0
        self.last_queued = 0
        self.last_arrival = 0


# ---- the scheduling class interface (struct sched_class) ---------------------------------------

class SchedClassRq:
    """One scheduling class on one runqueue: the class's methods of struct
    sched_class together with its part of struct rq (rq->cfs, rq->rt).

    Preconditions the core guarantees: enqueue_task is only called for a task
    not queued in this class, dequeue_task only for a queued one (it may be
    the running one); pick_task has no side effects; set_next_task(p) is
    called for the task that will run, put_prev_task(p) when it stops
    running (still queued, or already dequeued when it went to sleep).
    """

    name = "abstract"

    def __init__(self, rq: Runqueue) -> None:
        self.rq = rq
        self.nr_running = 0

    def enqueue_task(self, p: TaskStruct, flags: int) -> None:
        raise NotImplementedError

    def dequeue_task(self, p: TaskStruct, flags: int) -> None:
        raise NotImplementedError

    def pick_task(self) -> Optional[TaskStruct]:
        """The task this class would run next, or None."""
        raise NotImplementedError

    def set_next_task(self, p: TaskStruct) -> None:
        """`p` (queued here) starts running."""

    def put_prev_task(self, p: TaskStruct) -> None:
        """`p` stops running."""

    def task_tick(self, p: TaskStruct) -> None:
        """A tick while `p` runs (may resched_curr)."""

    def wakeup_preempt(self, p: TaskStruct, flags: int) -> None:
        """check_preempt_curr() within the class: `p` was woken or created
        while the running task is of this class too (may resched_curr)."""

    def yield_task(self, p: TaskStruct) -> None:
        """sched_yield() of the running task."""

    def task_fork(self, p: TaskStruct) -> None:
        """sched_fork(): set up the new task `p` (not queued yet)."""

    def update_curr(self) -> None:
        """Charge the running task for the time since it was last charged."""

    def prio_changed(self, p: TaskStruct, old_prio: int) -> None:
        """The priority of queued task `p` changed (may resched_curr)."""

    def rr_interval(self, p: TaskStruct) -> int:
        """get_rr_interval(): the time slice sched_rr_get_interval reports, ns."""
        return 0

    def queued(self) -> list[TaskStruct]:
        """Every task queued here, the running one included, in the order
        the class would run them (for the choice points and /proc)."""
        raise NotImplementedError

    def migrate_task_rq(self, p: TaskStruct) -> None:
        """`p`, not queued (asleep, or new), is moving to another runqueue:
        make what it keeps independent of this one (CFS: vruntime relative
        to min_vruntime)."""

    def reweight_task(self, p: TaskStruct, weight: int) -> None:
        """The load weight of `p` (queued, running or neither) becomes
        `weight` (nice or policy changed)."""
        p.se.weight = weight


# ---- choice points ----------------------------------------------------------------------------

class ChoicePoints:
    """Every decision the scheduler makes goes through here, so that an
    explorer can substitute its own: this default takes Linux's decision each
    time. `reason` names the place ("pick", "tick", "wakeup", "fork", "yield",
    "balance" ...) so that a schedule can be described and replayed.

    `steps`: when True (explore/), every return to user mode from a syscall
    is a choice point too (`syscall_exit`), where Linux would not preempt."""

    steps = False

    def syscall_exit(self, rq: Runqueue, t: TaskStruct) -> bool:
        """Whether `t`, about to return to user mode from a syscall with no
        reschedule pending, gives its CPU to another task now. Only asked
        when `steps` is True."""
        return False

    def pick_next(self, rq: Runqueue, linux: TaskStruct, runnable: Callable[[], list[TaskStruct]]) -> TaskStruct:
        """The task `rq` runs next; `runnable()` lists every candidate."""
        return linux

    def preempt(self, rq: Runqueue, reason: str, linux: bool) -> bool:
        """Whether the task running on `rq` is preempted now."""
        return linux

    def select_cpu(self, p: TaskStruct, reason: str, allowed: list[int], linux: int) -> int:
        """The CPU a woken, new or balanced task goes to."""
        return linux
