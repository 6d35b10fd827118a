"""The scheduler inside the kernel, driven by scripted programs (no CPU):
CPU shares by nice value and policy, the rt class above the fair one,
SCHED_FIFO and SCHED_RR order, rt throttling, the scheduling system calls'
results and errors, and a clock that ticks in the kernel too (SEMANTICS R1-R3).

A scripted "hog" spins on getpid until the virtual clock passes an end time:
each step costs user time (COSTS["script_step"]) and a syscall, so it is as
CPU-bound as a compute loop, and its CPU time is what the scheduler gave it.
"""

from __future__ import annotations

import struct

import pytest
from scripted import run_scripted

from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.time.timekeeping import NSEC_PER_MSEC
from proclab.uapi import errno as E
from proclab.uapi.resource import RLIMIT_NICE, RLIMIT_RTPRIO
from proclab.uapi.sched import (
    SCHED_BATCH,
    SCHED_FIFO,
    SCHED_IDLE,
    SCHED_NORMAL,
    SCHED_RESET_ON_FORK,
    SCHED_RR,
)

MS = NSEC_PER_MSEC


def config(sched: str = "eevdf") -> KernelConfig:
    return KernelConfig(memory=32 << 20, sched=sched)


def hog(until: int, out: dict, name: str, setup=None):
    """A CPU-bound program: optional setup syscalls, then spin until `until`
    virtual ns; records its CPU time (utime + stime) in out[name]."""

    def program(u):
        if setup is not None:
            yield from setup(u)
        k = u._k
        while k.clock.now < until:
            yield u.sys("getpid")
        out[name] = u.task.utime + u.task.stime
        yield u.sys("exit_group", 0)

    return program


def param(u, prio: int) -> int:
    return u.put(struct.pack("<i", prio))


def run_pair(sched: str, first, second, until: int = 300 * MS, policies=()) -> dict:
    """Fork two hogs with the given setups, wait for both; their CPU times.
    `policies`: (policy, priority) per hog, set by the parent (SCHED_FIFO 99,
    not inherited) before either runs."""
    out: dict = {}

    def main(u):
        if policies:
            ret = yield u.sys("sched_setscheduler", 0, SCHED_FIFO | SCHED_RESET_ON_FORK, param(u, 99))
            assert ret == 0
        pids = []
        pids.append((yield u.fork(hog(until, out, "a", first))))
        pids.append((yield u.fork(hog(until, out, "b", second))))
        for pid, (pol, prio) in zip(pids, policies):
            ret = yield u.sys("sched_setscheduler", pid, pol, param(u, prio))
            assert ret == 0
        for _ in range(2):
            yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(main, config(sched))
    return out


def nice(n: int):
    def setup(u):
        ret = yield u.sys("setpriority", 0, 0, n)
        assert ret == 0

    return setup


def policy(pol: int, prio: int = 0):
    def setup(u):
        ret = yield u.sys("sched_setscheduler", 0, pol, param(u, prio))
        assert ret == 0, ret

    return setup


@pytest.mark.parametrize("sched", ["eevdf", "cfs"])
def test_nice_0_and_5_share_one_cpu_3_to_1(sched: str) -> None:
    """R2: the weights 1024 and 335 give 3.06 : 1 (within 10%)."""
    out = run_pair(sched, nice(0), nice(5))
    assert out["a"] / out["b"] == pytest.approx(1024 / 335, rel=0.10)


@pytest.mark.parametrize("sched", ["eevdf", "cfs"])
def test_equal_tasks_share_equally(sched: str) -> None:
    out = run_pair(sched, None, None)
    assert out["a"] / out["b"] == pytest.approx(1.0, rel=0.05)


def test_round_robin_ignores_nice() -> None:
    out = run_pair("rr", nice(0), nice(10))
    assert out["a"] / out["b"] == pytest.approx(1.0, rel=0.05)


def test_sched_idle_gets_almost_nothing_next_to_a_normal_task() -> None:
    out = run_pair("eevdf", None, None, policies=[(SCHED_NORMAL, 0), (SCHED_IDLE, 0)])
    assert out["b"] < out["a"] / 50


def test_batch_is_weighted_like_normal() -> None:
    out = run_pair("eevdf", None, None, policies=[(SCHED_NORMAL, 0), (SCHED_BATCH, 0)])
    assert out["a"] / out["b"] == pytest.approx(1.0, rel=0.05)


def test_fifo_task_runs_until_it_is_done_before_fair_tasks() -> None:
    """A SCHED_FIFO hog is never preempted by fair tasks: the fair hog only
    runs once it has finished (up to rt throttling's 5%)."""
    out: dict = {}
    finish: dict = {}

    def timed(name, setup):
        def program(u):
            if setup is not None:
                yield from setup(u)
            k = u._k
            for _ in range(20000):
                yield u.sys("getpid")
            finish[name] = k.clock.now
            yield u.sys("exit_group", 0)
        return program

    def main(u):
        yield u.fork(timed("fair", None))
        yield u.fork(timed("fifo", policy(SCHED_FIFO, 10)))
        for _ in range(2):
            yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(main, config())
    assert finish["fifo"] < finish["fair"]
    assert not out


def test_rt_priorities_and_fifo_order() -> None:
    """The most urgent rt task runs first; equal SCHED_FIFO tasks run in the
    order they became rt, each to completion; a priority lowered puts a
    task at the head of its new list (POSIX, Linux's ENQUEUE_HEAD)."""
    order: list[str] = []

    def worker(name):
        def program(u):
            for _ in range(300):
                yield u.sys("getpid")
            order.append(name)
            yield u.sys("exit_group", 0)
        return program

    def main(u):
        # children start as SCHED_OTHER; the parent (FIFO 99) sets their policies
        ret = yield u.sys("sched_setscheduler", 0, SCHED_FIFO | SCHED_RESET_ON_FORK, param(u, 99))
        assert ret == 0
        pids = {}
        for name in ("low", "first", "second", "fair", "demoted"):
            pids[name] = yield u.fork(worker(name))
        for name, prio in (("low", 10), ("first", 50), ("second", 50), ("demoted", 60)):
            ret = yield u.sys("sched_setscheduler", pids[name], SCHED_FIFO, param(u, prio))
            assert ret == 0
        ret = yield u.sys("sched_setparam", pids["demoted"], param(u, 50))  # lowered: ahead of first
        assert ret == 0
        for _ in range(5):
            yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(main, config())
    assert order == ["demoted", "first", "second", "low", "fair"]


def test_sched_rr_tasks_rotate_every_100ms() -> None:
    """Two SCHED_RR hogs of one priority alternate in 100 ms slices
    (sched_rr_timeslice_ms)."""
    runs: list[tuple[int, int]] = []

    def probes(k: Kernel) -> None:
        k.tp.sched_switch.connect(lambda cpu, prev, state, nxt: runs.append((k.clock.now, nxt.pid)))

    out: dict = {}

    def main(u):
        ret = yield u.sys("sched_setscheduler", 0, SCHED_FIFO | SCHED_RESET_ON_FORK, param(u, 99))
        assert ret == 0
        for name in "ab":
            pid = yield u.fork(hog(450 * MS, out, name))
            ret = yield u.sys("sched_setscheduler", pid, SCHED_RR, param(u, 5))
            assert ret == 0
        for _ in range(2):
            yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(main, config(), probes)
    hogs = {5, 6}
    switches = [t for t, pid in runs if pid in hogs]
    turns = [b - a for a, b in zip(switches, switches[1:])]
    assert len(turns) >= 3
    assert all(abs(turn - 100 * MS) <= 1 * MS for turn in turns[1:-1]), turns


def test_rt_throttling_leaves_5_percent_to_fair_tasks() -> None:
    """sched_rt_runtime_us / sched_rt_period_us = 950 ms / 1 s: a fair hog
    next to a SCHED_FIFO hog gets about 5% of the CPU."""
    out = run_pair("eevdf", None, None, until=2000 * MS, policies=[(SCHED_FIFO, 1), (SCHED_NORMAL, 0)])
    share = out["b"] / (out["a"] + out["b"])
    assert share == pytest.approx(0.05, abs=0.01)


# ---- the system calls --------------------------------------------------------------------

def syscalls_of(body) -> list:
    """Run `body(u, results)` as PID 4's program; return what it recorded."""
    results: list = []

    def main(u):
        yield from body(u, results)
        yield u.sys("exit_group", 0)

    run_scripted(main, config())
    return results


def test_priority_ranges() -> None:
    def body(u, r):
        for pol in (SCHED_NORMAL, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 4, 7, 8):
            r.append(((yield u.sys("sched_get_priority_min", pol)), (yield u.sys("sched_get_priority_max", pol))))
    # 7 is SCHED_EXT: known to the priority calls, refused by sched_setscheduler
    assert syscalls_of(body) == [(0, 0), (1, 99), (1, 99), (0, 0), (0, 0), (-E.EINVAL, -E.EINVAL), (0, 0),
                                 (-E.EINVAL, -E.EINVAL)]


def test_setscheduler_argument_errors() -> None:
    def body(u, r):
        p = param(u, 10)
        zero = param(u, 0)
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_FIFO, 0)))          # NULL param
        r.append((yield u.sys("sched_setscheduler", -1, SCHED_FIFO, p)))         # negative pid
        r.append((yield u.sys("sched_setscheduler", 0, 4, p)))                   # no such policy
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_FIFO, zero)))       # rt needs 1..99
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_NORMAL, p)))        # fair needs 0
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_FIFO, param(u, 100))))
        r.append((yield u.sys("sched_setscheduler", 99999, SCHED_FIFO, p)))      # no such task
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_FIFO, 8)))          # unmapped param
        r.append((yield u.sys("sched_getscheduler", 0)))
    assert syscalls_of(body) == [-E.EINVAL, -E.EINVAL, -E.EINVAL, -E.EINVAL, -E.EINVAL, -E.EINVAL,
                                 -E.ESRCH, -E.EFAULT, SCHED_NORMAL]


def test_getters_follow_setscheduler_and_reset_on_fork() -> None:
    def child(r):
        def program(u):
            r.append(("child", (yield u.sys("sched_getscheduler", 0))))
            buf = u.alloc(4)
            yield u.sys("sched_getparam", 0, buf)
            r.append(("child prio", u.read_i32(buf)))
            yield u.sys("exit_group", 0)
        return program

    def body(u, r):
        ret = yield u.sys("sched_setscheduler", 0, SCHED_RR | SCHED_RESET_ON_FORK, param(u, 42))
        r.append(ret)
        r.append((yield u.sys("sched_getscheduler", 0)))
        buf = u.alloc(4)
        yield u.sys("sched_getparam", 0, buf)
        r.append(u.read_i32(buf))
        ts = u.alloc(16)
        yield u.sys("sched_rr_get_interval", 0, ts)
        r.append(struct.unpack("<qq", u.read(ts, 16)))
        yield u.fork(child(r))
        yield u.sys("wait4", -1, 0, 0, 0)
        r.append((yield u.sys("sched_setparam", 0, param(u, 7))))
        yield u.sys("sched_getparam", 0, buf)
        r.append(u.read_i32(buf))

    assert syscalls_of(body) == [0, SCHED_RR | SCHED_RESET_ON_FORK, 42, (0, 100_000_000),
                                 ("child", SCHED_NORMAL), ("child prio", 0), 0, 7]


def test_sched_setattr_and_getattr() -> None:
    attr = struct.Struct("<IIQiIQQQII")

    def body(u, r):
        a = u.put(attr.pack(attr.size, SCHED_NORMAL, 0, 7, 0, 0, 0, 0, 0, 0))
        r.append((yield u.sys("sched_setattr", 0, a, 0)))
        r.append((yield u.sys("getpriority", 0, 0)))               # 20 - nice
        out = u.alloc(attr.size)
        r.append((yield u.sys("sched_getattr", 0, out, attr.size, 0)))
        got = attr.unpack(u.read(out, attr.size))
        r.append((got[0], got[1], got[3], got[9]))
        big = u.put(attr.pack(attr.size + 8, SCHED_NORMAL, 0, 0, 0, 0, 0, 0, 0, 0) + b"\1" + bytes(7))
        r.append((yield u.sys("sched_setattr", 0, big, 0)))          # unknown non-zero tail
        r.append(u.read_i32(big))                                     # the kernel's size written back
        r.append((yield u.sys("sched_getattr", 0, out, 40, 0)))       # smaller than VER0
        r.append((yield u.sys("sched_setattr", 0, a, 1)))             # flags must be 0

    assert syscalls_of(body) == [0, 13, 0, (attr.size, SCHED_NORMAL, 7, 1024), -E.E2BIG, attr.size,
                                 -E.EINVAL, -E.EINVAL]


def test_unprivileged_limits_epperm_and_rlimits() -> None:
    """Without CAP_SYS_NICE: lowering priority is allowed, raising it needs
    RLIMIT_NICE, an rt policy needs RLIMIT_RTPRIO, another user's task is
    off limits (EPERM), and setpriority says EACCES."""
    def body(u, r):
        yield u.sys("setresuid", 1000, 1000, 1000)
        r.append((yield u.sys("setpriority", 0, 0, 5)))
        r.append((yield u.sys("setpriority", 0, 0, 2)))                          # raising: EACCES
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_FIFO, param(u, 1))))  # no RLIMIT_RTPRIO
        r.append((yield u.sys("sched_setscheduler", 1, SCHED_NORMAL, param(u, 0))))  # init is root's
        r.append((yield u.sys("setpriority", 0, 1, 10)))                         # init: EPERM
        lim = u.put(struct.pack("<QQ", 20, 20))
        r.append((yield u.sys("setrlimit", RLIMIT_NICE, lim)))                   # the hard limit is 0
        r.append((yield u.sys("getpriority", 0, 0)))

    assert syscalls_of(body) == [0, -E.EACCES, -E.EPERM, -E.EPERM, -E.EPERM, -E.EPERM, 15]


def test_rlimits_let_an_unprivileged_task_raise_priority() -> None:
    def body(u, r):
        yield u.sys("setrlimit", RLIMIT_NICE, u.put(struct.pack("<QQ", 25, 25)))   # nice down to -5
        yield u.sys("setrlimit", RLIMIT_RTPRIO, u.put(struct.pack("<QQ", 10, 10)))
        yield u.sys("setresuid", 1000, 1000, 1000)
        r.append((yield u.sys("setpriority", 0, 0, -5)))
        r.append((yield u.sys("setpriority", 0, 0, -6)))
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_RR, param(u, 10))))
        r.append((yield u.sys("sched_setscheduler", 0, SCHED_RR, param(u, 11))))

    assert syscalls_of(body) == [0, -E.EACCES, 0, -E.EPERM]


def test_affinity_and_getcpu_on_one_cpu() -> None:
    def body(u, r):
        mask = u.alloc(8)
        r.append((yield u.sys("sched_getaffinity", 0, 8, mask)))
        r.append(u.read(mask, 8))
        r.append((yield u.sys("sched_getaffinity", 0, 4, mask)))           # not whole longs
        r.append((yield u.sys("sched_setaffinity", 0, 8, u.put(struct.pack("<Q", 2)))))  # only CPU 1
        r.append((yield u.sys("sched_setaffinity", 0, 8, u.put(struct.pack("<Q", 3)))))
        cpu = u.alloc(8)
        r.append((yield u.sys("getcpu", cpu, cpu + 4, 0)))
        r.append(struct.unpack("<II", u.read(cpu, 8)))

    assert syscalls_of(body) == [8, struct.pack("<Q", 1), -E.EINVAL, -E.EINVAL, 0, 0, (0, 0)]


# ---- the tick ---------------------------------------------------------------------------

def test_a_forking_parent_is_preempted_by_kernel_time() -> None:
    """Kernel work counts towards the slice: a parent that only forks (and
    never runs user code long enough for a user-mode tick) lets its
    children run, as on Linux (issue 12: 783 forked, 781 had run)."""
    ran: list[int] = []
    forked: list[int] = []

    def child(u):
        ran.append(u.task.pid)
        yield u.sys("exit_group", 0)

    def main(u):
        k = u._k
        while k.clock.now < 20 * MS:
            pid = yield u.fork(child)
            forked.append(pid)
        yield u.sys("exit_group", 0)

    run_scripted(main, config())
    assert len(forked) > 50
    assert len(ran) >= len(forked) - 5
