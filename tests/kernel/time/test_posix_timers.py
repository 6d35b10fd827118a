"""POSIX timers from the kernel's side, with scripted programs: what a
process's timers hold (pids, clock timers, CPU-timer lists) is given back
when the process exits or execs, and fork does not copy the table (F5).
The behaviour user space sees is compared with the host by the C programs
of tests/programs/timers/."""

from __future__ import annotations

import struct

from scripted import check_invariants, run_scripted

from proclab.uapi import signal as S
from proclab.uapi.time import CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID


def sigevent(notify: int, signo: int, tid: int = 0) -> bytes:
    return struct.pack("<Qiii", 7, signo, notify, tid).ljust(64, b"\0")


def itimerspec(value_ns: int, interval_ns: int = 0) -> bytes:
    return struct.pack("<qqqq", *divmod(interval_ns, 10**9), *divmod(value_ns, 10**9))


def make_timers(u, ids: list[int]):
    """A timer of each kind, all armed for long after the program ends."""
    me = yield u.sys("gettid")
    blocked = u.put(struct.pack("<Q", S.sigmask(S.SIGUSR1)))
    yield u.sys("rt_sigprocmask", S.SIG_BLOCK, blocked, 0, 8)
    for clock, event in ((CLOCK_MONOTONIC, sigevent(S.SIGEV_SIGNAL, S.SIGUSR1)),
                         (CLOCK_MONOTONIC, sigevent(S.SIGEV_THREAD_ID, S.SIGUSR1, me)),
                         (CLOCK_MONOTONIC, sigevent(S.SIGEV_NONE, 0)),
                         (CLOCK_PROCESS_CPUTIME_ID, sigevent(S.SIGEV_SIGNAL, S.SIGUSR1)),
                         (CLOCK_THREAD_CPUTIME_ID, sigevent(S.SIGEV_SIGNAL, S.SIGUSR1))):
        out = u.alloc(4)
        assert (yield u.sys("timer_create", clock, u.put(event), out)) == 0
        ids.append(u.read_i32(out))
        assert (yield u.sys("timer_settime", ids[-1], 0, u.put(itimerspec(3600 * 10**9, 10**9)), 0)) == 0


def test_exit_gives_back_what_timers_hold() -> None:
    seen: dict = {}

    def child(u):
        ids: list[int] = []
        yield from make_timers(u, ids)
        seen["child ids"] = ids
        yield u.sys("exit_group", 0)

    def main(u):
        ids: list[int] = []
        yield from make_timers(u, ids)
        seen["ids"] = ids
        seen["armed"] = (u._k.clock.pending(), len(u.task.signal.posix_cputimers))
        pid = yield u.fork(child)
        yield u.sys("wait4", pid, 0, 0, 0)
        seen["after child"] = u._k.clock.pending()
        yield u.sys("exit_group", 0)

    k = run_scripted(main)
    assert seen["ids"] == seen["child ids"] == [0, 1, 2, 3, 4]  # the child's table starts empty
    hrtimers, cpu_timers = seen["armed"]
    assert cpu_timers == 2                         # SIGEV_NONE is never started
    assert seen["after child"] == hrtimers         # the child's two hrtimers went with it
    assert sorted(k.pid_ns.pids) == [1, 2, 3]      # no pid is held by a timer of the dead
    check_invariants(k)


def test_exec_deletes_timers_and_their_queued_signals() -> None:
    seen: dict = {}

    def after(u):
        sig = u.task.signal
        seen["after"] = (sig.posix_timers, sig.posix_cputimers, sig.shared_pending.signal)
        yield u.sys("exit_group", 0)

    def main(u):
        ids: list[int] = []
        yield from make_timers(u, ids)
        yield u.sys("timer_settime", ids[0], 0, u.put(itimerspec(1000)), 0)
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 10**6)), 0)
        seen["before"] = u.task.signal.shared_pending.signal
        u._k.exec.exec_script(u.task, after, "after")  # kernel_execve() of another script
        yield u.sys("getpid")

    k = run_scripted(main)
    assert seen["before"] == S.sigmask(S.SIGUSR1)
    assert seen["after"] == (None, [], 0)
    check_invariants(k)
