"""The kernel core driven by scripted programs, without any CPU: fork, exit,
wait, zombies, orphans, pid allocation (SEMANTICS T, P, F, X, S)."""

from __future__ import annotations

import struct

from scripted import check_invariants, run_scripted

from proclab.kernel.kernel import KernelConfig
from proclab.kernel.task import EXIT_ZOMBIE, state_char
from proclab.uapi import errno as E
from proclab.uapi import signal as S
from proclab.uapi import wait as W


def exiting(code: int):
    def child(u):
        yield u.sys("exit_group", code)
    return child


def test_fork_wait_exit_status() -> None:
    seen = {}

    def main(u):
        pid = yield u.fork(exiting(5))
        st = u.alloc(4)
        got = yield u.sys("wait4", pid, st, 0, 0)
        seen.update(pid=pid, got=got, status=u.read_i32(st), ppid_of_me=(yield u.sys("getppid")))
        yield u.sys("exit_group", 0)

    k = run_scripted(main)
    assert seen["got"] == seen["pid"] > 3
    assert seen["status"] == 5 << 8          # X8: exited = code << 8
    assert seen["ppid_of_me"] == 1
    check_invariants(k)


def test_zombie_keeps_its_pid_and_status_until_reaped() -> None:
    observed = {}

    def main(u):
        pid = yield u.fork(exiting(9))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 1_000_000)), 0)  # let it exit
        k = u._k
        child = k.pid_ns.find_task(pid)
        observed["state"] = state_char(child)
        observed["exit_state"] = child.exit_state
        observed["pid_taken"] = pid in k.pid_ns.pids
        check_invariants(k)
        st = u.alloc(4)
        yield u.sys("wait4", -1, st, 0, 0)
        observed["after"] = pid in k.pid_ns.pids
        observed["status"] = u.read_i32(st)
        yield u.sys("exit_group", 0)

    run_scripted(main)
    assert observed == {"state": "Z", "exit_state": EXIT_ZOMBIE, "pid_taken": True,
                        "after": False, "status": 9 << 8}


def test_orphans_go_to_init_which_reaps_them() -> None:
    events = []

    def grandchild(u):
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 5_000_000)), 0)
        events.append(("grandchild ppid", (yield u.sys("getppid"))))
        yield u.sys("exit_group", 0)

    def child(u):
        yield u.fork(grandchild)
        yield u.sys("exit_group", 0)   # leaves the grandchild an orphan

    def main(u):
        pid = yield u.fork(child)
        yield u.sys("wait4", pid, 0, 0, 0)
        yield u.sys("exit_group", 0)

    def probes(k):
        k.tp.task_reparent.connect(lambda t, old, new: events.append(("reparent", new.pid)))
        k.tp.task_reaped.connect(lambda t, reaper, st: events.append(("reaped by", reaper.pid)))

    run_scripted(main, probes=probes)
    assert ("reparent", 1) in events
    assert ("grandchild ppid", 1) in events
    assert events.count(("reaped by", 1)) == 2   # the main program and the orphan


def test_subreaper_adopts_instead_of_init() -> None:
    events = []

    def grandchild(u):
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 5_000_000)), 0)
        events.append(("ppid", (yield u.sys("getppid"))))

    def child(u):
        yield u.fork(grandchild)

    def main(u):
        me = yield u.sys("getpid")
        events.append(("me", me))
        yield u.sys("prctl", 36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        yield u.fork(child)
        while (yield u.sys("wait4", -1, 0, 0, 0)) > 0:
            pass

    run_scripted(main)
    assert events[1] == ("ppid", events[0][1])


def test_wnohang_and_echild() -> None:
    results = []

    def sleeper(u):
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 1, 0)), 0)

    def main(u):
        results.append((yield u.sys("wait4", -1, 0, W.WNOHANG, 0)))   # no child: ECHILD
        pid = yield u.fork(sleeper)
        results.append((yield u.sys("wait4", pid, 0, W.WNOHANG, 0)))  # running: 0
        results.append((yield u.sys("wait4", pid, 0, 0, 0)) == pid)
        results.append((yield u.sys("wait4", -1, 0, 0, 0)))           # none left: ECHILD
        results.append((yield u.sys("wait4", -1, 0, 0x10, 0)))        # bad option: EINVAL

    run_scripted(main)
    assert results == [-E.ECHILD, 0, True, -E.ECHILD, -E.EINVAL]


def _sigaction(u, sig: int, handler: int, flags: int = 0):
    act = u.put(struct.pack("<QQQQ", handler, flags, 0, 0))
    return u.sys("rt_sigaction", sig, act, 0, 8)


def test_sigchld_ignored_means_no_zombie() -> None:
    results = []

    def main(u):
        yield _sigaction(u, S.SIGCHLD, S.SIG_IGN)
        yield u.fork(exiting(0))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 1_000_000)), 0)
        results.append((yield u.sys("wait4", -1, 0, 0, 0)))

    run_scripted(main)
    assert results == [-E.ECHILD]   # X5: auto-reaped, nothing to wait for


def test_sa_nocldwait_also_auto_reaps_but_sig_dfl_does_not() -> None:
    results = []

    def main(u):
        yield _sigaction(u, S.SIGCHLD, S.SIG_DFL, S.SA_NOCLDWAIT)
        yield u.fork(exiting(0))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 1_000_000)), 0)
        results.append((yield u.sys("wait4", -1, 0, W.WNOHANG, 0)))
        yield _sigaction(u, S.SIGCHLD, S.SIG_DFL)
        pid = yield u.fork(exiting(0))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 1_000_000)), 0)
        results.append((yield u.sys("wait4", -1, 0, W.WNOHANG, 0)) == pid)

    run_scripted(main)
    assert results == [-E.ECHILD, True]


def test_pids_wrap_to_300() -> None:
    pids = []

    def main(u):
        for _ in range(420):
            pid = yield u.fork(exiting(0))
            pids.append(pid)
            yield u.sys("wait4", pid, 0, 0, 0)

    run_scripted(main, KernelConfig(memory=32 << 20, pid_max=400))
    assert pids[0] == 5                   # 1 init, 2 kthreadd, 3 kworker, 4 the program
    top = pids.index(399)                 # P1: up to pid_max - 1 ...
    assert pids[top + 1:top + 4] == [300, 301, 302]   # ... then again from 300


def test_zombies_hold_pids_until_fork_fails_with_eagain() -> None:
    results = []

    def main(u):
        made = 0
        while True:
            pid = yield u.fork(exiting(0))
            if pid < 0:
                results.append(pid)
                break
            made += 1
        results.append(made)
        # Once the cursor has passed 300, numbers below it are not reused:
        # reaping pid 5 does not help, reaping pid 300 does.
        yield u.sys("wait4", 5, 0, 0, 0)
        results.append((yield u.fork(exiting(0))))
        yield u.sys("wait4", 300, 0, 0, 0)
        results.append((yield u.fork(exiting(0))))
        while (yield u.sys("wait4", -1, 0, 0, 0)) > 0:
            pass

    k = run_scripted(main, KernelConfig(memory=32 << 20, pid_max=302))
    assert results == [-E.EAGAIN, 301 - 4, -E.EAGAIN, 300]  # P1-P3, X9 (pids 1-4 are taken)
    assert k.fork_failures["no free pid"] == 2
    check_invariants(k)


def test_virtual_time_advances_only_by_the_kernel() -> None:
    stamps = []

    def main(u):
        ts = u.alloc(16)
        yield u.sys("clock_gettime", 1, ts)
        a = struct.unpack("<qq", u.read(ts, 16))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 2, 500)), 0)
        yield u.sys("clock_gettime", 1, ts)
        b = struct.unpack("<qq", u.read(ts, 16))
        stamps.append((b[0] - a[0]) * 10**9 + b[1] - a[1])

    run_scripted(main)
    run_scripted(main)
    assert stamps[0] == stamps[1]                 # the same run, the same times
    assert 2_000_000_500 <= stamps[0] < 2_000_100_000


def test_states_as_ps_letters_and_every_change_is_traced() -> None:
    """S1/S3: a child goes R -> S (pause) -> T (SIGSTOP) -> R (SIGCONT) -> S ->
    Z (SIGTERM) -> gone; every change goes through the sched_set_state tracepoint."""
    letters = []
    changes = []
    child_pid = []

    def sleeper(u):
        while True:
            yield u.sys("pause")

    def look(u):
        return state_char(u._k.pid_ns.find_task(child_pid[0]))

    def main(u):
        pid = yield u.fork(sleeper)
        child_pid.append(pid)
        letters.append(look(u))                                  # not run yet: R
        nap = u.put(struct.pack("<qq", 0, 100_000))
        yield u.sys("nanosleep", nap, 0)
        letters.append(look(u))                                  # in pause(): S
        st = u.alloc(4)
        yield u.sys("kill", pid, S.SIGSTOP)
        yield u.sys("wait4", pid, st, W.WUNTRACED, 0)
        letters.append(look(u))                                  # T
        yield u.sys("kill", pid, S.SIGCONT)
        letters.append(look(u))                                  # woken: R
        yield u.sys("nanosleep", nap, 0)
        letters.append(look(u))                                  # back in pause(): S
        yield u.sys("kill", pid, S.SIGTERM)
        yield u.sys("nanosleep", nap, 0)
        letters.append(look(u))                                  # Z
        yield u.sys("wait4", pid, st, 0, 0)
        letters.append(u._k.pid_ns.find_task(pid))               # released

    def probes(k):
        k.tp.sched_set_state.connect(
            lambda t, old, new: changes.append((old, new)) if child_pid and t.pid == child_pid[0] else None)

    # With the round-robin scheduler a woken child waits for the parent's
    # slice, so the parent sees it runnable (R) before it sleeps again; EEVDF
    # would let it preempt the parent at once (tests/kernel/sched cover that).
    run_scripted(main, KernelConfig(memory=32 << 20, sched="rr"), probes=probes)
    assert letters == ["R", "S", "T", "R", "S", "Z", None]
    assert (0x1, 0x0) in changes and (0x0, 0x104) in changes and (0x0, 0x80) in changes


def test_init_ignores_signals_it_has_no_handler_for() -> None:
    """G3: kill(1, ...) from a root program succeeds but does nothing to init,
    even SIGKILL; init goes on reaping and powers off normally."""
    results = []

    def main(u):
        for sig in (S.SIGTERM, S.SIGKILL, S.SIGSTOP, S.SIGSEGV):
            results.append((yield u.sys("kill", 1, sig)))
        results.append(state_char(u._k.pid_ns.find_task(1)))

    k = run_scripted(main)
    assert results == [0, 0, 0, 0, "S"]
    assert k.result.reason == "poweroff" and k.child_reaper.pid == 1
