"""CPU-time clocks and the POSIX timers on them (kernel/time/posix-cpu-timers.c).

A CPU clock id is CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, or a
negative number that encodes a pid and what to count (uapi/time.py; what
clock_getcpuclockid() and pthread_getcpuclockid() return). CPUCLOCK_SCHED,
time on the CPU, is user plus system time in proclab, like CPUCLOCK_PROF.
Pid 0 is the caller; another thread's clock must be of the caller's
process. clock_gettime (time.py) reads the clocks here.

An armed timer waits on the list of the process whose clock it reads
(signal.posix_cputimers) and is checked on each tick of a thread of that
process (run_posix_cpu_timers, called by the entry code right after the
ITIMER_VIRTUAL/PROF accounting), so its resolution is a tick; system time,
which proclab charges per syscall, fault and switch rather than per tick,
counts from the next tick on. A time already past when the timer is set
fires at once. A timer whose thread or process is gone never fires again;
timer_gettime then reads zeros and timer_settime fails with ESRCH.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from ...uapi import errno as E
from ...uapi.time import (
    CLOCK_PROCESS_CPUTIME_ID,
    CLOCK_THREAD_CPUTIME_ID,
    CPUCLOCK_MAX,
    CPUCLOCK_VIRT,
    PROCESS_CLOCK,
    THREAD_CLOCK,
    cpuclock_perthread,
    cpuclock_pid,
    cpuclock_which,
)
from ..pid import Pid
from .posix_timers import POSIX_TIMER_ARMED, POSIX_TIMER_DISARMED, KItimer, Setting
from ..task import TaskStruct, process_usage, task_usage

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel


def encoded(which_clock: int) -> int:
    """The encoded form of CLOCK_PROCESS/THREAD_CPUTIME_ID."""
    return {CLOCK_PROCESS_CPUTIME_ID: PROCESS_CLOCK, CLOCK_THREAD_CPUTIME_ID: THREAD_CLOCK}.get(which_clock,
                                                                                             which_clock)


class PosixCpuTimers:
    """The CPU clocks (clock_posix_cpu, clock_process, clock_thread: one
    struct k_clock for the timers) and the tick's check of their timers."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- the clocks -------------------------------------------------------------------

    def pid_for_clock(self, t: TaskStruct, clock: int, gettime: bool) -> Optional[Pid]:
        """pid_for_clock(): whose clock `clock` (encoded) is, seen from `t`."""
        if cpuclock_which(clock) >= CPUCLOCK_MAX:
            return None
        thread = cpuclock_perthread(clock)
        upid = cpuclock_pid(clock)
        if upid == 0:
            return t.pid_link if thread else t.group_leader.pid_link
        pid = self.k.pid_ns.find_pid(upid) if upid > 0 else None
        if pid is None or pid.task is None:
            return None
        if thread:
            return pid if pid.task.signal is t.signal else None
        if gettime and pid is t.pid_link:
            return t.group_leader.pid_link
        return pid if pid.task.thread_group_leader() else None

    def cpu_clock_sample(self, clock: int, p: TaskStruct) -> int:
        """cpu_clock_sample() / cpu_clock_sample_group(): the time `p` (its
        thread, or its whole process) has used, by the clock's measure."""
        used = task_usage(p) if cpuclock_perthread(clock) else process_usage(p)
        return used.utime if cpuclock_which(clock) == CPUCLOCK_VIRT else used.utime + used.stime

    def posix_cpu_clock_get(self, t: TaskStruct, which_clock: int) -> Optional[int]:
        """posix_cpu_clock_get(): None for a clock that names nobody."""
        clock = encoded(which_clock)
        pid = self.pid_for_clock(t, clock, True)
        p = pid.task if pid is not None else None
        return None if p is None else self.cpu_clock_sample(clock, p)

    # ---- struct k_clock of the timers -------------------------------------------------

    def cpu_timer_task(self, timr: KItimer) -> Optional[TaskStruct]:
        """cpu_timer_task_rcu(): whose clock the timer reads, None once gone."""
        pid = timr.cpu_pid
        return pid.task if pid is not None else None

    def clock_get(self, timr: KItimer) -> Optional[int]:
        p = self.cpu_timer_task(timr)
        return None if p is None else self.cpu_clock_sample(timr.it_clock, p)

    def timer_create(self, t: TaskStruct, timr: KItimer) -> int:
        """posix_cpu_timer_create(), after process/thread_cpu_timer_create()
        gave CLOCK_PROCESS/THREAD_CPUTIME_ID their encoded form."""
        timr.it_clock = encoded(timr.it_clock)
        pid = self.pid_for_clock(t, timr.it_clock, False)
        if pid is None:
            return -E.EINVAL
        timr.cpu_pid = self.k.pid_ns.get_pid(pid)
        return 0

    def timer_set(self, timr: KItimer, flags: int, value: int, interval: int, want_old: bool) -> Union[Setting, int]:
        """posix_cpu_timer_set(): common_timer_set() on the CPU clock; a
        disarmed timer has no expiry time at all."""
        now = self.clock_get(timr)
        if now is None:
            return -E.ESRCH
        old = self.k.posix_timers.common_timer_set(timr, flags, value, interval, now, want_old)
        if not value:
            timr.expires = 0
        return old

    def timer_get(self, timr: KItimer) -> Setting:
        """posix_cpu_timer_get(): zeros for a timer without an expiry time or
        whose clock is gone."""
        now = self.clock_get(timr)
        if now is None or not timr.expires:
            return 0, 0
        return self.k.posix_timers.common_timer_get(timr, now)

    def timer_arm(self, timr: KItimer, sigev_none: bool) -> None:
        """arm_timer() on the process's list -- or, when the time has come
        already, cpu_timer_fire() at once (the clock might never reach it)."""
        p = self.cpu_timer_task(timr)
        if sigev_none or p is None:
            return
        if self.cpu_clock_sample(timr.it_clock, p) >= timr.expires:
            self.cpu_timer_fire(timr)
            return
        sig = p.signal
        if sig.posix_cputimers is None:
            sig.posix_cputimers = []
        sig.posix_cputimers.append(timr)
        timr.cpu_head = sig.posix_cputimers
        timr.it_status = POSIX_TIMER_ARMED

    def timer_try_to_cancel(self, timr: KItimer) -> None:
        """disarm_timer()"""
        if timr.cpu_head is not None:
            timr.cpu_head.remove(timr)
            timr.cpu_head = None

    # ---- expiry -------------------------------------------------------------------------

    def cpu_timer_fire(self, timr: KItimer) -> None:
        """cpu_timer_fire(): the signal; a one-shot timer has no expiry time
        any more."""
        timr.it_status = POSIX_TIMER_DISARMED
        self.k.posix_timers.posix_timer_queue_signal(timr)
        if not timr.it_interval:
            timr.expires = 0

    def run_posix_cpu_timers(self, t: TaskStruct) -> None:
        """run_posix_cpu_timers(): a tick of `t`. Fires the due timers of its
        thread's clocks, then those of its process's clocks, each group in
        expiry order (ties in arming order)."""
        armed = t.signal.posix_cputimers
        if not armed:
            return
        firing = []
        for timr in armed:
            thread = cpuclock_perthread(timr.it_clock)
            p = self.cpu_timer_task(timr)
            if p is None or (thread and p is not t):
                continue
            if timr.expires <= self.cpu_clock_sample(timr.it_clock, p):
                firing.append((not thread, timr.expires, timr))
        if not firing:
            return
        firing.sort(key=lambda item: item[:2])
        for _, _, timr in firing:
            self.timer_try_to_cancel(timr)
            self.cpu_timer_fire(timr)
