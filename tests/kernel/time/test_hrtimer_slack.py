"""Timer slack (kernel/time/hrtimer.c): a sleep's timer fires between its
expiry and its expiry plus the task's slack; the interrupt comes at the
earliest hard expiry and fires every timer whose soft expiry has passed, so
sleeps ending within each other's slack end together. What user space sees of
prctl(PR_SET_TIMERSLACK) is compared with the host by
tests/programs/timers/timer_slack.c."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st
from scripted import run_scripted

from proclab.kernel.time.timekeeping import Clock
from proclab.uapi.prctl import PR_GET_TIMERSLACK, PR_SET_TIMERSLACK
from proclab.uapi.sched import SCHED_FIFO, SCHED_NORMAL

MS = 1_000_000


def nanosleep(u, ns: int):
    return u.sys("nanosleep", u.put(struct.pack("<qq", *divmod(ns, 10**9))), 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 3_000)), min_size=1, max_size=12))
def test_every_timer_fires_within_its_range_and_batches_follow_hard_expiry(ranges) -> None:
    """Interrupts at each next hard expiry, as the idle loop takes them:
    nothing fires before its soft expiry or after its hard one, and one
    interrupt fires its timers in hard-expiry order."""
    clock = Clock()
    fired: list[tuple[int, int, int]] = []   # (interrupt time, soft, hard)
    for soft, slack in ranges:
        clock.start_timer(soft, lambda soft=soft, slack=slack: fired.append((clock.now, soft, soft + slack)), slack)
    while clock.pending():
        clock.now = max(clock.now, clock.next_expiry())
        assert clock.run_expired() >= 1
    assert len(fired) == len(ranges)
    for now, soft, hard in fired:
        assert soft <= now <= hard
    for (now_a, _, hard_a), (now_b, _, hard_b) in zip(fired, fired[1:]):
        assert now_a <= now_b
        if now_a == now_b:
            assert hard_a <= hard_b


def test_a_lone_sleep_ends_at_its_hard_expiry_and_prctl_narrows_it() -> None:
    seen: dict[str, int] = {}

    def main(u):
        k = u._k
        seen["slack"] = yield u.sys("prctl", PR_GET_TIMERSLACK, 0, 0, 0, 0)
        start = k.clock.now
        yield nanosleep(u, MS)
        seen["default"] = k.clock.now - start
        assert (yield u.sys("prctl", PR_SET_TIMERSLACK, 1, 0, 0, 0)) == 0
        start = k.clock.now
        yield nanosleep(u, MS)
        seen["narrow"] = k.clock.now - start
        yield u.sys("exit_group", 0)

    run_scripted(main)
    assert seen["slack"] == 50_000
    # nothing else runs: the idle CPU sleeps to the hard expiry (plus the
    # syscall and the switch back to the task: a few us)
    assert MS + 50_000 <= seen["default"] < MS + 55_000
    assert MS + 1 <= seen["narrow"] < MS + 5_000


def test_sleeps_ending_within_each_others_slack_end_in_one_interrupt() -> None:
    """A child's 1 ms sleep starts later than its parent's 1.03 ms one but
    its soft expiry falls inside the parent's range: one interrupt wakes
    both. With no slack each wakes at its own time."""
    def scenario(slack: int) -> dict[str, int]:
        woke: dict[str, int] = {}

        def child(c):
            if slack:
                yield c.sys("prctl", PR_SET_TIMERSLACK, slack, 0, 0, 0)
            yield nanosleep(c, MS)
            woke["child"] = c._k.clock.now
            yield c.sys("exit_group", 0)

        def main(u):
            if slack:
                yield u.sys("prctl", PR_SET_TIMERSLACK, slack, 0, 0, 0)
            pid = yield u.fork(child)
            yield nanosleep(u, MS + 30_000)
            woke["parent"] = u._k.clock.now
            yield u.sys("wait4", pid, 0, 0, 0)
            yield u.sys("exit_group", 0)

        run_scripted(main)
        return woke

    together = scenario(0)
    assert abs(together["parent"] - together["child"]) < 5_000   # one interrupt, then a switch
    apart = scenario(1)
    assert apart["parent"] - apart["child"] > 20_000


def test_a_real_time_task_has_no_slack() -> None:
    seen: list[int] = []

    def main(u):
        param = u.put(struct.pack("<i", 10))
        get = lambda: u.sys("prctl", PR_GET_TIMERSLACK, 0, 0, 0, 0)  # noqa: E731
        assert (yield u.sys("prctl", PR_SET_TIMERSLACK, 2_000, 0, 0, 0)) == 0
        assert (yield u.sys("sched_setscheduler", 0, SCHED_FIFO, param)) == 0
        seen.append((yield get()))
        assert (yield u.sys("prctl", PR_SET_TIMERSLACK, 9_000, 0, 0, 0)) == 0   # ignored
        seen.append((yield get()))
        start = u._k.clock.now
        yield nanosleep(u, MS)
        seen.append(u._k.clock.now - start)
        assert (yield u.sys("sched_setscheduler", 0, SCHED_NORMAL, u.put(struct.pack("<i", 0)))) == 0
        seen.append((yield get()))   # the default comes back, not the 2 us it had set
        yield u.sys("exit_group", 0)

    run_scripted(main)
    assert seen[0] == 0 and seen[1] == 0
    assert MS <= seen[2] < MS + 5_000
    assert seen[3] == 50_000


def test_a_poll_timeout_is_late_by_a_thousandth_of_it() -> None:
    """select_estimate_accuracy(): poll's and epoll_wait's slack is 0.1% of
    the timeout (0.2% for a niced task), never less than the timer slack."""
    seen: list[int] = []

    def main(u):
        k = u._k
        for nice, timeout_ms in ((0, 1000), (0, 10), (5, 1000)):
            if nice:
                yield u.sys("setpriority", 0, 0, nice)
            start = k.clock.now
            assert (yield u.sys("poll", 0, 0, timeout_ms)) == 0
            seen.append(k.clock.now - start)
        epfd = yield u.sys("epoll_create1", 0)
        start = k.clock.now
        assert (yield u.sys("epoll_wait", epfd, u.alloc(16), 1, 1000)) == 0
        seen.append(k.clock.now - start)
        yield u.sys("exit_group", 0)

    run_scripted(main)
    for elapsed, late in zip(seen, (MS, 50_000, 2 * MS, 2 * MS)):
        timeout = 10 * MS if late == 50_000 else 1000 * MS
        assert timeout + late <= elapsed < timeout + late + 5_000, (elapsed, late)
