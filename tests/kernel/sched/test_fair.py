"""The fair class's three variants (kernel/sched/fair.py) on a stub runqueue:
no CPU, no kernel. `Machine` plays the scheduler core's part for one CPU:
it enqueues, picks, switches and ticks every millisecond, and honours the
class's requests for a reschedule at once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proclab.kernel.sched.fair import (
    FAIR_CLASSES,
    RR_SLICE,
    CfsRq,
    EevdfRq,
    RoundRobinRq,
)
from proclab.kernel.sched.sched import (
    DEQUEUE_MOVE,
    DEQUEUE_SAVE,
    DEQUEUE_SLEEP,
    ENQUEUE_HEAD,
    ENQUEUE_INITIAL,
    ENQUEUE_MIGRATED,
    ENQUEUE_MOVE,
    ENQUEUE_RESTORE,
    ENQUEUE_WAKEUP,
    WF_FORK,
    WF_TTWU,
    SchedEntity,
    Tunables,
    calc_delta_fair,
    nice_to_prio,
    task_weight,
)
from proclab.uapi.sched import SCHED_BATCH, SCHED_IDLE, SCHED_NORMAL

MS = 1_000_000
TICK = MS
SWITCH = 1_000  # what a context switch costs after set_next_task (timekeeping COSTS["switch"])


class Task:
    """What the fair class reads of a task_struct."""

    def __init__(self, pid: int, nice: int = 0, policy: int = SCHED_NORMAL) -> None:
        self.pid = pid
        self.policy = policy
        self.static_prio = self.prio = nice_to_prio(nice)
        self.se = SchedEntity()
        self.se.weight = task_weight(policy, self.static_prio)
        self.on_rq = False
        self.sleeping = False

    def __repr__(self) -> str:
        return f"T{self.pid}"


class StubRq:
    """The runqueue as the class sees it."""

    def __init__(self, tunables: Tunables, cpu: int = 0) -> None:
        self.clock = 0
        self.cpu = cpu
        self.idle = Task(0)
        self.curr = self.idle
        self.sched = SimpleNamespace(tunables=tunables)
        self.reasons: list[str] = []
        self.need_resched = False

    def resched_curr(self, reason: str) -> None:
        self.reasons.append(reason)
        self.need_resched = True


class Machine:
    """One CPU: the core's side of the class interface."""

    def __init__(self, variant: str, nr_cpus: int = 1, cpu: int = 0) -> None:
        self.rq = StubRq(Tunables(nr_cpus), cpu)
        self.cls = FAIR_CLASSES[variant](self.rq)
        self.tasks: list[Task] = []
        self.ran: list[Task] = []  # who had the CPU during each tick

    @property
    def curr(self) -> Task | None:
        return None if self.rq.curr is self.rq.idle else self.rq.curr

    # ---- the core's operations ---------------------------------------------------

    def enqueue(self, p: Task, flags: int) -> None:
        self.cls.enqueue_task(p, flags)
        p.on_rq = True

    def dequeue(self, p: Task, flags: int) -> None:
        self.cls.dequeue_task(p, flags)
        p.on_rq = False

    def spawn(self, nice: int = 0, policy: int = SCHED_NORMAL) -> Task:
        """fork (sched_fork + task_fork) and wake_up_new_task."""
        p = Task(len(self.tasks) + 1, nice, policy)
        self.tasks.append(p)
        self.cls.task_fork(p)
        self.enqueue(p, ENQUEUE_INITIAL)
        self.preempt_check(p, WF_FORK)
        return p

    def preempt_check(self, p: Task, flags: int) -> None:
        if self.curr is None:
            self.rq.need_resched = True
        else:
            self.cls.wakeup_preempt(p, flags)
        self.honour()

    def honour(self) -> None:
        if self.rq.need_resched:
            self.schedule()

    def schedule(self) -> None:
        rq = self.rq
        rq.need_resched = False
        prev = rq.curr
        if prev is not rq.idle:
            if prev.sleeping:
                self.dequeue(prev, DEQUEUE_SLEEP)
            self.cls.put_prev_task(prev)
        nxt = self.cls.pick_task() or rq.idle
        if nxt is not rq.idle:
            self.cls.set_next_task(nxt)
        rq.curr = nxt
        if nxt is not prev:
            rq.clock += SWITCH

    def tick(self) -> None:
        rq = self.rq
        rq.clock += TICK
        self.ran.append(rq.curr)
        if rq.curr is not rq.idle:
            self.cls.task_tick(rq.curr)
        self.honour()

    def run(self, ms: int) -> None:
        for _ in range(ms):
            self.tick()

    def sleep(self) -> Task:
        """The running task goes to sleep."""
        p = self.rq.curr
        assert p is not self.rq.idle
        p.sleeping = True
        self.schedule()
        return p

    def wake(self, p: Task) -> None:
        p.sleeping = False
        self.enqueue(p, ENQUEUE_WAKEUP)
        self.preempt_check(p, WF_TTWU)

    def yield_(self) -> None:
        self.cls.yield_task(self.rq.curr)
        self.schedule()

    def change_nice(self, p: Task, nice: int) -> None:
        """set_user_nice(): the dequeue / change / enqueue bracket."""
        rq = self.rq
        running, queued = rq.curr is p, p.on_rq
        old_prio = p.prio
        if running:
            self.cls.update_curr()
        if queued:
            self.dequeue(p, DEQUEUE_SAVE | DEQUEUE_MOVE)
        if running:
            self.cls.put_prev_task(p)
        p.static_prio = p.prio = nice_to_prio(nice)
        self.cls.reweight_task(p, task_weight(p.policy, p.static_prio))
        if queued:
            self.enqueue(p, ENQUEUE_RESTORE | ENQUEUE_MOVE)
        if running:
            self.cls.set_next_task(p)
        if queued:
            self.cls.prio_changed(p, old_prio)
        self.honour()

    def cpu_time(self, p: Task) -> int:
        self.cls.update_curr()
        return p.se.sum_exec_runtime

    def runs(self, p: Task) -> list[int]:
        """The lengths, in ticks, of p's turns on the CPU."""
        out, n = [], 0
        for t in self.ran + [None]:
            if t is p:
                n += 1
            elif n:
                out.append(n)
                n = 0
        return out


def hogs(variant: str, *specs: tuple[int, int], ms: int = 3000) -> tuple[Machine, list[float]]:
    """CPU-bound tasks of (nice, policy) for `ms` ms: their shares of the CPU."""
    m = Machine(variant)
    tasks = [m.spawn(nice, policy) for nice, policy in specs]
    m.run(ms)
    times = [m.cpu_time(p) for p in tasks]
    return m, [t / sum(times) for t in times]


def total_lag(cls: EevdfRq) -> tuple[int, int]:
    """Σ w_i (V - v_i) over the queued tasks, and Σ w_i."""
    v = cls.avg_vruntime()
    queued = cls.queued()
    return sum(p.se.weight * (v - p.se.vruntime) for p in queued), sum(p.se.weight for p in queued)


# ---- the choice of variant ------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["eevdf", "cfs", "rr"])
def test_an_empty_queue(variant: str) -> None:
    m = Machine(variant)
    assert m.cls.name == variant and isinstance(m.cls, {"eevdf": EevdfRq, "cfs": CfsRq, "rr": RoundRobinRq}[variant])
    assert (m.cls.nr_running, m.cls.curr, m.cls.min_vruntime, m.cls.avg_vruntime()) == (0, None, 0, 0)
    assert m.cls.pick_task() is None and m.cls.queued() == []
    p = Task(1)
    m.cls.task_fork(p)
    m.enqueue(p, ENQUEUE_INITIAL)
    m.cls.wakeup_preempt(p, WF_FORK)  # nothing of the class runs: the core preempts the idle task
    assert not m.rq.reasons and m.cls.pick_task() is p


# ---- weights ---------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["eevdf", "cfs"])
def test_nice_5_gets_a_third_of_nice_0(variant: str) -> None:
    _, (a, b) = hogs(variant, (0, SCHED_NORMAL), (5, SCHED_NORMAL))
    assert a / b == pytest.approx(1024 / 335, rel=0.10)


@pytest.mark.parametrize("variant", ["eevdf", "cfs"])
def test_sched_idle_gets_almost_nothing(variant: str) -> None:
    _, (a, b) = hogs(variant, (0, SCHED_NORMAL), (0, SCHED_IDLE))
    assert a / b == pytest.approx(1024 / 3, rel=0.15)


@pytest.mark.parametrize("variant", ["eevdf", "cfs", "rr"])
def test_equal_tasks_get_equal_shares(variant: str) -> None:
    _, shares = hogs(variant, (0, SCHED_NORMAL), (0, SCHED_NORMAL), (0, SCHED_NORMAL))
    assert shares == pytest.approx([1 / 3] * 3, rel=0.05)


def test_round_robin_ignores_nice() -> None:
    m, (a, b) = hogs("rr", (0, SCHED_NORMAL), (19, SCHED_NORMAL))
    assert a / b == pytest.approx(1, rel=0.01)
    assert [p.se.weight for p in m.tasks] == [1024, 15]


# ---- EEVDF ------------------------------------------------------------------------------------

def test_eevdf_new_task_starts_at_the_average_with_half_a_slice() -> None:
    m = Machine("eevdf")
    a = m.spawn()
    m.run(5)
    b = m.spawn(nice=5)
    m.run(7)
    m.cls.update_curr()
    v = m.cls.avg_vruntime()
    c = m.spawn(nice=-3)
    vslice = calc_delta_fair(m.rq.sched.tunables.base_slice, c.se.weight)
    assert c.se.vruntime == v
    assert c.se.deadline - c.se.vruntime == vslice // 2
    assert abs(m.cls.avg_vruntime() - v) <= 1  # a task without lag leaves V where it was
    assert a.se.on_rq and b.se.on_rq and m.cls.nr_running == 3


def test_eevdf_lag_is_kept_across_a_sleep() -> None:
    m = Machine("eevdf", nr_cpus=8)  # 3 ms slices: room to run a part of one
    m.spawn()
    m.run(10)
    s = m.spawn()              # placed at V; owed more and more while the other runs
    m.spawn()
    while m.curr is not s:
        m.tick()
    m.rq.clock += 100_000      # it runs 0.1 ms of its slice, then sleeps
    m.sleep()
    assert s.se.vlag > 0
    vlag = s.se.vlag
    m.run(50)
    m.wake(s)
    v = m.cls.avg_vruntime()
    assert s.se.vruntime < v
    assert abs((v - s.se.vruntime) - vlag) <= 2  # the same lag, against the V it came back to


def test_eevdf_lag_is_capped() -> None:
    m = Machine("eevdf")
    m.spawn()
    s = m.spawn(policy=SCHED_BATCH)  # a batch task does not preempt when it wakes
    while m.curr is not s:
        m.tick()
    m.sleep()
    limit = calc_delta_fair(max(2 * s.se.slice, TICK), s.se.weight)
    for owed in (100 * MS, -100 * MS):  # as if it had waited (or run) for ages
        s.se.vlag = owed
        m.wake(s)
        m.dequeue(s, DEQUEUE_SAVE | DEQUEUE_MOVE)
        assert s.se.vlag == (limit if owed > 0 else -limit)


@pytest.mark.parametrize("ticks, policy, preempts", [
    (2, SCHED_NORMAL, True),   # the hog has just asked for 3 ms more: the newcomer's 1.5 ms end first
    (4, SCHED_NORMAL, False),  # 1 ms left of the hog's request: it ends first
    (2, SCHED_BATCH, False),   # batch tasks never preempt on wakeup
])
def test_eevdf_wakeup_preemption_by_earlier_deadline(ticks: int, policy: int, preempts: bool) -> None:
    m = Machine("eevdf", nr_cpus=8)  # base_slice 3 ms
    hog = m.spawn()
    m.run(ticks)
    w = m.spawn(policy=policy)
    assert m.cls.entity_eligible(w.se) and m.cls.entity_eligible(hog.se)
    assert (w.se.deadline < hog.se.deadline) == (ticks == 2)
    assert (m.curr is w) == preempts
    assert m.rq.reasons == (["fork"] if preempts else [])


def test_eevdf_woken_task_with_lag_preempts() -> None:
    for policy, preempts in ((SCHED_NORMAL, True), (SCHED_BATCH, False)):
        m = Machine("eevdf", nr_cpus=8)
        hog = m.spawn()
        w = m.spawn(policy=policy)
        while m.curr is not w:
            m.tick()
        m.rq.clock += 100_000
        m.sleep()               # w leaves with positive lag
        m.run(20)
        assert m.curr is hog
        m.rq.reasons.clear()
        m.wake(w)               # back below V: the hog, above it, is no longer eligible
        assert m.cls.entity_eligible(w.se) and not m.cls.entity_eligible(hog.se)
        assert (m.curr is w) == preempts
        assert m.rq.reasons == (["wakeup"] if preempts else [])


def test_eevdf_sched_idle_task_gives_way_to_any_wakeup() -> None:
    m = Machine("eevdf")
    m.spawn(policy=SCHED_IDLE)
    m.run(3)
    w = m.spawn(policy=SCHED_BATCH)  # batch does not preempt normal tasks, but idle ones yes
    assert m.curr is w and m.rq.reasons[-1] == "fork"


def test_eevdf_run_to_parity() -> None:
    for picked_again in (True, False):
        m = Machine("eevdf", nr_cpus=8)  # base_slice 3 ms
        a = m.spawn()
        m.run(2)              # a served its first request (half a slice) and asked for another
        if picked_again:
            m.schedule()      # picked with that request: its deadline is stashed in vlag
        assert (a.se.vlag == a.se.deadline) == picked_again
        start = m.cpu_time(a)
        b = m.spawn()         # at V with half a slice: an earlier deadline than a's
        assert b.se.deadline < a.se.deadline
        if not picked_again:  # a's request is not the one it was picked with: b preempts
            assert m.curr is b and m.rq.reasons == ["fork"]
            continue
        assert m.curr is a and not m.rq.reasons
        while m.curr is a:
            m.rq.clock += 100_000
            m.cls.task_tick(a)
            m.honour()
        assert m.rq.reasons == ["slice"] and m.curr is b
        assert a.se.sum_exec_runtime - start == 3 * MS  # the whole request


def test_eevdf_yield_pushes_the_deadline_back() -> None:
    m = Machine("eevdf", nr_cpus=8)
    a = m.spawn()
    b = m.spawn()
    assert m.curr is a
    d = a.se.deadline
    m.yield_()
    assert a.se.deadline == d + calc_delta_fair(a.se.slice, a.se.weight)
    assert m.curr is b


def test_eevdf_reweight_keeps_lag_and_request() -> None:
    m = Machine("eevdf", nr_cpus=8)
    for _ in range(3):
        m.spawn()
    m.run(5)
    m.rq.clock += 300_000
    m.cls.update_curr()
    waiting = next(t for t in m.tasks if t is not m.rq.curr)
    for p in (waiting, m.rq.curr):  # one in the tree, and the running one
        v = m.cls.avg_vruntime()
        lag = (v - p.se.vruntime) * p.se.weight
        request = (p.se.deadline - p.se.vruntime) * p.se.weight
        m.cls.reweight_task(p, 335)
        assert abs(m.cls.avg_vruntime() - v) <= 1
        assert abs((v - p.se.vruntime) * 335 - lag) <= 335
        assert abs((p.se.deadline - p.se.vruntime) * 335 - request) <= 335
        assert m.cls.load == sum(t.se.weight for t in m.tasks)
    m.sleep()
    s = next(t for t in m.tasks if t.sleeping)
    vlag, old = s.se.vlag, s.se.weight
    m.cls.reweight_task(s, 3121)  # off the queue: vlag scaled to the same w * (V - v)
    assert s.se.vlag == (1 if vlag >= 0 else -1) * (abs(vlag) * old // 3121)
    assert s.se.weight == 3121 and m.cls.load == sum(t.se.weight for t in m.tasks if t.se.on_rq)


@pytest.mark.parametrize("variant", ["eevdf", "cfs"])
def test_running_task_requeued_in_place(variant: str) -> None:
    """Linux's enqueue of the current entity: dequeued and enqueued again
    (DEQUEUE_SAVE, ENQUEUE_RESTORE) while it runs, without put_prev_task."""
    m = Machine(variant)
    m.spawn()
    m.spawn(nice=3)
    m.run(7)
    m.rq.clock += 300_000
    x = m.rq.curr
    m.cls.update_curr()
    v, average = x.se.vruntime, m.cls.avg_vruntime()
    m.dequeue(x, DEQUEUE_SAVE)
    m.enqueue(x, ENQUEUE_RESTORE)
    assert abs(x.se.vruntime - v) <= 8 and abs(m.cls.avg_vruntime() - average) <= 8  # rounding
    assert m.cls.curr is x and x.se.on_rq and m.cls.nr_running == 2
    check(m, 0)
    m.run(10)
    check(m, 0)


def test_eevdf_renice_of_the_running_task() -> None:
    m = Machine("eevdf")
    a = m.spawn()
    m.spawn()
    m.run(4)
    runner = m.rq.curr
    m.rq.reasons.clear()
    m.change_nice(runner, 10)  # lower priority: the running task gives the CPU up
    assert m.rq.reasons == ["prio"] and m.curr is not runner
    assert runner.se.weight == 110
    assert a.se.on_rq


# ---- CFS ---------------------------------------------------------------------------------------

def test_cfs_start_debit() -> None:
    m = Machine("cfs")
    m.spawn()
    m.run(10)
    m.cls.update_curr()
    min_v = m.cls.min_vruntime
    child = m.spawn(nice=2)
    # the parent runs alone: the child's slice is its share of a latency between the two
    slice_ = 6 * MS * child.se.weight // (1024 + child.se.weight)
    assert child.se.vruntime == min_v + calc_delta_fair(slice_, child.se.weight)
    assert m.cls.sched_slice(child.se) == slice_


def test_cfs_sleeper_credit_is_half_a_latency() -> None:
    m = Machine("cfs")
    hog = m.spawn()
    s = m.spawn()
    m.run(10)
    while m.curr is not s:
        m.tick()
    m.sleep()
    m.run(100)               # a long sleep
    m.cls.update_curr()
    m.wake(s)
    assert s.se.vruntime == m.cls.min_vruntime - 3 * MS
    assert m.curr is s       # 3 ms behind the hog: beyond the wakeup granularity
    m.run(20)
    while not (m.curr is s and m.ran[-1] is hog):  # s's turn begins
        m.tick()
    m.run(2)                 # 2 ms of its 3 ms slice: 1 ms behind the hog
    assert m.curr is s
    m.sleep()
    m.tick()                 # a short sleep earns no credit: its own vruntime stays
    v = s.se.vruntime
    assert v > m.cls.min_vruntime - 3 * MS
    m.wake(s)
    assert s.se.vruntime == v
    assert hog.se.on_rq


@pytest.mark.parametrize("behind, preempts", [(900_000, False), (1_100_000, True)])
def test_cfs_wakeup_preemption_beyond_the_granularity(behind: int, preempts: bool) -> None:
    m = Machine("cfs")
    hog = m.spawn()
    s = m.spawn()
    while m.curr is not s:
        m.tick()
    m.sleep()
    m.run(20)
    m.cls.update_curr()
    s.se.vruntime = hog.se.vruntime - behind   # asleep: an absolute vruntime
    m.wake(s)
    assert s.se.vruntime == hog.se.vruntime - behind
    assert (m.curr is s) == preempts


def test_cfs_batch_wakers_do_not_preempt() -> None:
    m = Machine("cfs")
    m.spawn()
    s = m.spawn(policy=SCHED_BATCH)
    while m.curr is not s:
        m.tick()
    m.sleep()
    m.run(100)
    m.wake(s)
    assert m.curr is not s and s.se.vruntime == m.cls.min_vruntime - 3 * MS


def test_cfs_two_hogs_alternate_every_slice() -> None:
    m = Machine("cfs")
    a = m.spawn()
    b = m.spawn()
    m.run(60)
    assert m.cls.sched_slice(a.se) == 3 * MS
    assert m.runs(a) == [3] * 10 and m.runs(b) == [3] * 10
    assert m.ran[:6] == [a, a, a, b, b, b]


def test_cfs_tick_preempts_a_task_far_ahead_after_the_minimum_granularity() -> None:
    m = Machine("cfs")
    a = m.spawn()
    m.spawn()
    m.spawn()
    m.run(1)
    m.schedule()               # a picked again: its slice starts now
    assert m.curr is a
    a.se.vruntime += 10 * MS   # far ahead of the leftmost (a runs: it is not in the tree)
    m.rq.clock += 500_000
    m.cls.task_tick(a)
    assert not m.rq.reasons    # less than min_granularity (0.75 ms) since it was picked
    m.rq.clock += 300_000
    m.cls.task_tick(a)
    assert m.rq.reasons == ["tick"]


def test_cfs_yield_lets_the_other_run() -> None:
    m = Machine("cfs")
    a = m.spawn()
    b = m.spawn()
    m.run(2)
    assert m.curr is a and 0 < b.se.vruntime - a.se.vruntime <= MS  # within the granularity
    m.cls.yield_task(a)
    assert m.cls.skip is a and m.cls.pick_task() is b  # before a leaves the CPU, too
    m.schedule()
    assert m.curr is b and m.cls.skip is a
    m.run(1)
    m.sleep()                # b leaves: a runs, no longer skipped
    assert m.curr is a and m.cls.skip is None


def test_cfs_yield_skip_is_bounded_by_the_granularity() -> None:
    m = Machine("cfs")
    a = m.spawn()
    b = m.spawn()
    m.cls.update_curr()
    m.rq.reasons.clear()
    b_v = b.se.vruntime
    a.se.vruntime = b_v - 2 * MS  # far behind b: skipping it would be too unfair
    m.yield_()
    assert m.curr is a
    assert b.se.vruntime == b_v


def test_cfs_migration_keeps_vruntime_relative() -> None:
    one, two = Machine("cfs", cpu=0), Machine("cfs", cpu=1)
    two.spawn()
    two.run(500)             # cpu 1 is far ahead in virtual time
    two.cls.update_curr()
    one.spawn()
    s = one.spawn()
    while one.curr is not s:
        one.tick()
    one.tick()
    one.sleep()
    one.cls.update_curr()
    ahead = s.se.vruntime - one.cls.min_vruntime
    one.cls.migrate_task_rq(s)  # woken on the other CPU
    assert s.se.vruntime == ahead
    two.enqueue(s, ENQUEUE_WAKEUP | ENQUEUE_MIGRATED)
    assert s.se.vruntime == two.cls.min_vruntime + ahead
    # a queued task moved (move_queued_task) and a new one
    two.dequeue(s, DEQUEUE_SAVE | DEQUEUE_MOVE)
    rel = s.se.vruntime
    two.cls.migrate_task_rq(s)
    one.enqueue(s, ENQUEUE_RESTORE | ENQUEUE_MOVE | ENQUEUE_MIGRATED)
    assert s.se.vruntime == one.cls.min_vruntime + rel
    child = Task(9)
    one.cls.task_fork(child)
    rel = child.se.vruntime
    one.cls.migrate_task_rq(child)
    two.enqueue(child, ENQUEUE_INITIAL)
    assert child.se.vruntime == two.cls.min_vruntime + rel


def test_cfs_sleeper_moved_by_affinity_then_woken_in_place() -> None:
    one, two = Machine("cfs", cpu=0), Machine("cfs", cpu=1)
    two.spawn()
    two.run(500)
    one.spawn()
    s = one.spawn()
    one.run(30)
    while one.curr is not s:
        one.tick()
    one.tick()
    one.sleep()
    ahead = s.se.vruntime - one.cls.min_vruntime
    one.cls.migrate_task_rq(s)  # affinity changed while it slept: no ENQUEUE_MIGRATED at the wakeup
    two.cls.update_curr()
    two.enqueue(s, ENQUEUE_WAKEUP)
    assert s.se.vruntime == two.cls.min_vruntime + ahead


def test_cfs_running_task_that_leaves_the_class_keeps_its_place() -> None:
    m = Machine("cfs")
    m.spawn()
    p = m.spawn()
    m.run(40)
    while m.curr is not p:
        m.tick()
    m.tick()
    m.cls.update_curr()
    ahead = p.se.vruntime - m.cls.min_vruntime
    # sched_setscheduler(SCHED_FIFO) of the running task: it leaves the fair class
    m.dequeue(p, DEQUEUE_SAVE | DEQUEUE_MOVE)
    m.cls.put_prev_task(p)
    m.rq.curr = m.rq.idle
    m.schedule()
    assert p.se.vruntime == ahead and p.se.exec_start == 0
    m.run(30)                  # it runs as an rt task elsewhere, sleeps, is made fair again
    m.cls.update_curr()
    m.wake(p)
    assert p.se.vruntime == m.cls.min_vruntime + ahead


def test_cfs_prio_changed() -> None:
    m = Machine("cfs")
    a = m.spawn()
    b = m.spawn(nice=10)
    m.run(1)
    assert m.curr is a
    m.rq.reasons.clear()
    m.change_nice(b, -10)      # b waits; a higher priority does not move its vruntime
    assert m.curr is a and not m.rq.reasons
    m.change_nice(a, 5)        # the running task's priority drops: it gives way
    assert m.rq.reasons == ["prio"]


def test_cfs_rr_interval() -> None:
    m = Machine("cfs")
    p = Task(1)
    assert m.cls.rr_interval(p) == 0  # nothing queued
    a = m.spawn()
    assert m.cls.rr_interval(a) == 6 * MS
    m.spawn()
    m.spawn()
    assert m.cls.rr_interval(a) == 2 * MS
    for _ in range(7):
        m.spawn()
    assert m.cls.sched_slice(a.se) == 750_000  # 10 tasks: a period of 10 minimum slices
    e = Machine("eevdf")
    b = e.spawn()
    assert e.cls.rr_interval(b) == 0  # a 0.75 ms slice is 0 whole ticks
    e8 = Machine("eevdf", nr_cpus=8)
    assert e8.cls.rr_interval(e8.spawn()) == 3 * MS
    assert Machine("rr").cls.rr_interval(p) == RR_SLICE == 3 * MS


# ---- round robin ---------------------------------------------------------------------------------

def test_rr_rotates_every_3_ms_in_fifo_order() -> None:
    m = Machine("rr")
    a, b, c = m.spawn(), m.spawn(nice=19), m.spawn(policy=SCHED_IDLE)
    m.run(9)
    assert m.ran == [a, a, a, b, b, b, c, c, c]
    d = m.spawn()             # at the tail, no preemption
    assert m.curr is a
    m.run(12)
    assert m.ran[9:] == [a, a, a, b, b, b, c, c, c, d, d, d]
    assert m.rq.reasons == ["slice"] * 7


def test_rr_woken_task_queues_at_the_tail_and_yield_goes_there_too() -> None:
    m = Machine("rr")
    a, b, c = m.spawn(), m.spawn(), m.spawn()
    m.tick()
    m.sleep()                 # a sleeps after 1 ms
    assert m.curr is b
    m.wake(a)
    assert m.curr is b and m.cls.queued() == [b, c, a]
    m.yield_()
    assert m.curr is c and m.cls.queued() == [c, a, b]
    m.run(3)
    assert m.curr is a        # a resumes with the 2 ms left of its slice
    m.run(2)
    assert m.curr is b


def test_rr_head_and_weights() -> None:
    m = Machine("rr")
    a, b, c = m.spawn(), m.spawn(), m.spawn()
    m.dequeue(c, DEQUEUE_SAVE | DEQUEUE_MOVE)
    m.cls.reweight_task(c, 15)
    m.enqueue(c, ENQUEUE_RESTORE | ENQUEUE_MOVE | ENQUEUE_HEAD)
    assert m.cls.queued() == [c, a, b] and m.cls.load == 1024 + 1024 + 15
    assert m.curr is a         # no preemption: c runs at a's next turn end
    m.run(3)
    assert m.curr is c


def test_rr_lone_task_keeps_running() -> None:
    m = Machine("rr")
    a = m.spawn()
    m.run(10)
    assert m.ran == [a] * 10 and not m.rq.reasons


# ---- invariants under random schedules ----------------------------------------------------------

OPS = st.lists(st.tuples(st.sampled_from(["tick", "advance", "spawn", "sleep", "wake", "nice",
                                          "reweight", "yield", "requeue"]),
                         st.integers(0, 39), st.integers(0, 5)),
               max_size=60)


def check(m: Machine, last_min: int) -> int:
    cls = m.cls
    queued = [p for p in m.tasks if p.se.on_rq]
    assert all(p.on_rq == p.se.on_rq for p in m.tasks)
    assert cls.nr_running == len(queued) == len(cls.queued())
    assert set(cls.queued()) == set(queued)
    assert cls.load == sum(p.se.weight for p in queued)
    assert cls.curr is m.curr
    pick = cls.pick_task()
    assert (pick is None) == (not queued)
    assert pick is None or pick.se.on_rq
    assert cls.pick_task() is pick    # no side effects
    assert cls.min_vruntime >= last_min
    if isinstance(cls, (EevdfRq, CfsRq)):
        tree = [p for p in queued if p is not cls.curr]
        assert cls.avg_load == sum(p.se.weight for p in tree)
        assert cls.avg_vruntime_sum == sum((p.se.vruntime - cls.min_vruntime) * p.se.weight for p in tree)
    if isinstance(cls, EevdfRq) and queued:
        lag, load = total_lag(cls)
        assert -load < lag <= 0
    return cls.min_vruntime


def play(variant: str, ops: list[tuple[str, int, int]]) -> None:
    m = Machine(variant)
    m.spawn()
    last = check(m, 0)
    for op, i, j in ops:
        asleep = [p for p in m.tasks if p.sleeping]
        if op == "tick":
            m.tick()
        elif op == "advance":
            m.rq.clock += i * 50_000
            m.cls.update_curr()
        elif op == "spawn" and len(m.tasks) < 12:
            m.spawn(i - 20, (SCHED_NORMAL, SCHED_NORMAL, SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE, SCHED_NORMAL)[j])
        elif op == "sleep" and m.curr is not None:
            m.sleep()
        elif op == "wake" and asleep:
            m.wake(asleep[i % len(asleep)])
        elif op == "nice" and m.tasks:
            m.change_nice(m.tasks[i % len(m.tasks)], i - 20)
        elif op == "reweight" and m.tasks:
            p = m.tasks[i % len(m.tasks)]
            m.cls.reweight_task(p, task_weight(SCHED_NORMAL, nice_to_prio(j * 7 - 20)))
        elif op == "yield" and m.curr is not None:
            m.yield_()
        elif op == "requeue":
            waiting = [p for p in m.tasks if p.on_rq and p is not m.curr]
            if waiting:
                p = waiting[i % len(waiting)]
                m.dequeue(p, DEQUEUE_SAVE | DEQUEUE_MOVE)
                m.enqueue(p, ENQUEUE_RESTORE | ENQUEUE_MOVE)
                m.preempt_check(p, 0)
        if m.curr is None:
            m.honour()
        last = check(m, last)


@pytest.mark.parametrize("variant", ["eevdf", "cfs", "rr"])
@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(ops=OPS)
def test_random_schedules_keep_the_books(variant: str, ops: list[tuple[str, int, int]]) -> None:
    play(variant, ops)


def test_many_tasks_stay_fast() -> None:
    """A fork bomb's queue: ten thousand tasks, O(log n) each."""
    m = Machine("eevdf")
    for _ in range(10_000):
        m.spawn()
        m.rq.clock += 10_000
    m.run(200)
    lag, load = total_lag(m.cls)
    assert -load < lag <= 0 and m.cls.nr_running == 10_000


MOVES = st.lists(st.tuples(st.sampled_from(["tick", "sleep", "wake", "affinity", "move", "spawn"]),
                           st.integers(0, 1), st.integers(0, 15)),
                 max_size=50)


@pytest.mark.parametrize("variant", ["eevdf", "cfs"])
@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(moves=MOVES)
def test_tasks_moving_between_cpus_keep_their_place_in_time(variant: str, moves: list[tuple[str, int, int]]) -> None:
    """Two CPUs 10 s of virtual time apart: a task that changes CPU (woken
    elsewhere, moved by its affinity asleep or queued, or new) stays near
    the virtual time of the queue it joins, whichever way it went."""
    cpus = [Machine(variant, cpu=0), Machine(variant, cpu=1)]
    cpus[0].spawn()
    cpus[0].rq.clock += 10_000 * MS
    cpus[0].tick()
    cpus[0].spawn()
    cpus[0].run(10)           # both have run: a queued one has a non-zero exec_start
    cpus[1].spawn()
    cpus[1].run(3)
    where: dict[Task, Machine] = {p: m for m in cpus for p in m.tasks}

    def migrate(p: Task, to: Machine) -> bool:
        """set_task_cpu(): whether `p` changed CPU."""
        old = where[p]
        if old is to:
            return False
        old.cls.migrate_task_rq(p)
        old.tasks.remove(p)
        to.tasks.append(p)
        where[p] = to
        return True

    for op, k, i in moves:
        m, other = cpus[k], cpus[1 - k]
        asleep = [p for p in where if p.sleeping]
        waiting = [p for p in m.tasks if p.on_rq and p is not m.rq.curr]
        if op == "tick":
            m.tick()
        elif op == "sleep" and m.curr is not None:
            m.sleep()
        elif op == "wake" and asleep:
            p = asleep[i % len(asleep)]
            p.sleeping = False
            flags = ENQUEUE_WAKEUP | (ENQUEUE_MIGRATED if migrate(p, m) else 0)
            m.enqueue(p, flags)
            m.preempt_check(p, WF_TTWU)
        elif op == "affinity" and asleep:
            migrate(asleep[i % len(asleep)], m)
        elif op == "move" and waiting:
            p = waiting[i % len(waiting)]
            m.dequeue(p, DEQUEUE_SAVE | DEQUEUE_MOVE)
            migrate(p, other)
            other.enqueue(p, ENQUEUE_RESTORE | ENQUEUE_MOVE | ENQUEUE_MIGRATED)
            other.preempt_check(p, 0)
        elif op == "spawn" and len(where) < 10:
            p = Task(len(where) + 1, nice=i - 8)
            m.cls.task_fork(p)
            m.tasks.append(p)
            where[p] = m
            target = cpus[i % 2]
            migrate(p, target)
            target.enqueue(p, ENQUEUE_INITIAL)
            target.preempt_check(p, WF_FORK)
        for c in cpus:
            c.honour()
            queued = [p for p in c.tasks if p.on_rq]
            assert c.cls.nr_running == len(queued) and set(c.cls.queued()) == set(queued)
            base = c.cls.avg_vruntime() if variant == "eevdf" else c.cls.min_vruntime
            for p in queued:
                assert abs(p.se.vruntime - base) < 1_000 * MS, (p, c.cpu)
