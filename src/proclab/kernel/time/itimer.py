"""Interval timers of a process (kernel/time/itimer.c, alarm(2)), in virtual
time.

ITIMER_REAL counts virtual wall-clock time and sends SIGALRM; ITIMER_VIRTUAL
counts the process's user time (SIGVTALRM) and ITIMER_PROF its user and system
time (SIGPROF), both advanced by the CPU tick, so their resolution is a tick.
Timers belong to the process (signal_struct): threads share them, exec keeps
them, fork does not copy them, and they die with the process.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ...uapi import errno as E
from ...uapi import signal as S
from .timekeeping import NSEC_PER_SEC, NSEC_PER_USEC, TICK_NS
from ..task import SignalStruct, TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel

ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF = 0, 1, 2
_TIMERVAL2 = struct.Struct("<qqqq")  # it_interval, it_value (each a struct timeval)


def _tv(ns: int) -> tuple[int, int]:
    usec = -(-ns // NSEC_PER_USEC)  # round up: a remaining 1 ns is not 0
    return usec // 1_000_000, usec % 1_000_000


class ITimers:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- ITIMER_REAL ------------------------------------------------------------------

    def _real_remaining(self, sig: SignalStruct) -> int:
        timer = sig.real_timer
        if timer is None or not timer.armed:
            return 0
        return max(timer.expires - self.k.clock.now, 1)

    def _arm_real(self, sig: SignalStruct, leader: TaskStruct, value: int, interval: int) -> None:
        clock = self.k.clock
        if sig.real_timer is not None:
            clock.cancel(sig.real_timer)
            sig.real_timer = None
        sig.it_real_incr = interval
        if value:
            sig.real_timer = clock.start_timer(clock.now + value, lambda: self._real_fired(sig, leader))

    def _real_fired(self, sig: SignalStruct, leader: TaskStruct) -> None:
        """it_real_fn(): SIGALRM to the process, and the next period."""
        sig.real_timer = None
        self.k.signal.send_signal(S.SIGALRM, {"signo": S.SIGALRM, "code": S.SI_KERNEL}, leader, group=True)
        if sig.it_real_incr and sig.live:
            self._arm_real(sig, leader, sig.it_real_incr, sig.it_real_incr)

    def cancel_itimers(self, sig: SignalStruct) -> None:
        """The process is gone: its interval timers stop (do_exit's
        hrtimer_cancel(&sig->real_timer); posix timers: exit_itimers)."""
        if sig.real_timer is not None:
            self.k.clock.cancel(sig.real_timer)
            sig.real_timer = None
        sig.it_virt = sig.it_prof = (0, 0)

    # ---- the CPU-time timers ------------------------------------------------------------

    def account_tick(self, t: TaskStruct, user_tick: bool) -> None:
        """account_process_tick()'s part for interval timers: a tick while
        `t` ran counts for ITIMER_PROF, and for ITIMER_VIRTUAL when it hit
        user mode."""
        sig = t.signal
        for field, signo in (("it_virt", S.SIGVTALRM), ("it_prof", S.SIGPROF)):
            if field == "it_virt" and not user_tick:
                continue
            value, interval = getattr(sig, field)
            if value:
                value -= TICK_NS
                if value <= 0:
                    value = interval
                    self.k.signal.send_signal(signo, {"signo": signo, "code": S.SI_KERNEL}, t, group=True)
                setattr(sig, field, (value, interval))

    # ---- syscalls ------------------------------------------------------------------------

    def sys_alarm(self, t: TaskStruct, seconds: int) -> int:
        sig = t.signal
        left = self._real_remaining(sig)
        self._arm_real(sig, t.group_leader, seconds * NSEC_PER_SEC, 0)
        # alarm() rounds the time left to the nearest second, never to 0
        return (left + NSEC_PER_SEC // 2) // NSEC_PER_SEC or (1 if left else 0)

    def _get(self, t: TaskStruct, which: int) -> tuple[int, int]:
        sig = t.signal
        if which == ITIMER_REAL:
            return self._real_remaining(sig), sig.it_real_incr
        timer = sig.it_virt if which == ITIMER_VIRTUAL else sig.it_prof
        return max(timer[0], 0), timer[1]

    def sys_getitimer(self, t: TaskStruct, which: int, value: int) -> int:
        if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
            return -E.EINVAL
        left, interval = self._get(t, which)
        data = _TIMERVAL2.pack(*_tv(interval), *_tv(left))
        return 0 if self.k.uaccess.copy_to_user(t, value, data) else -E.EFAULT

    def sys_setitimer(self, t: TaskStruct, which: int, value: int, ovalue: int) -> int:
        if which not in (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF):
            return -E.EINVAL
        uacc = self.k.uaccess
        new = (0, 0)
        if value:
            raw = uacc.copy_from_user(t, value, 32)
            if raw is None:
                return -E.EFAULT
            isec, iusec, vsec, vusec = _TIMERVAL2.unpack(raw)
            if min(isec, vsec) < 0 or not (0 <= iusec < 1_000_000 and 0 <= vusec < 1_000_000):
                return -E.EINVAL
            new = ((vsec * 1_000_000 + vusec) * NSEC_PER_USEC, (isec * 1_000_000 + iusec) * NSEC_PER_USEC)
        left, interval = self._get(t, which)
        if ovalue and not uacc.copy_to_user(t, ovalue, _TIMERVAL2.pack(*_tv(interval), *_tv(left))):
            return -E.EFAULT
        if which == ITIMER_REAL:
            self._arm_real(t.signal, t.group_leader, *new)
        else:
            setattr(t.signal, "it_virt" if which == ITIMER_VIRTUAL else "it_prof", new)
        return 0
