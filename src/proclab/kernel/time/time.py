"""Time system calls on the virtual clock (kernel/time/posix-timers.c,
hrtimer.c, time.c): clock_gettime & co, nanosleep, clock_nanosleep.

A sleep interrupted by a signal returns -ERESTART_RESTARTBLOCK and leaves a
restart block: when no handler runs, the kernel restarts it through
restart_syscall with the time that was left; a handler sees EINTR and the
remaining time in *rem (SEMANTICS S2).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from ...uapi import errno as E
from ...uapi.time import (
    CLOCK_BOOTTIME,
    CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_COARSE,
    CLOCK_MONOTONIC_RAW,
    CLOCK_PROCESS_CPUTIME_ID,
    CLOCK_REALTIME,
    CLOCK_REALTIME_COARSE,
    CLOCK_THREAD_CPUTIME_ID,
    CPUCLOCK_SCHED,
    TIMER_ABSTIME,
    cpuclock_which,
)
from .timekeeping import NSEC_PER_SEC, NSEC_PER_USEC, REALTIME_AT_BOOT, TICK_NS, timespec64_to_ns
from ..sched.wait import Sleep as Blocking, sleep_until
from ..task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel

_TS = struct.Struct("<qq")


class Time:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def clock_ns(self, t: TaskStruct, which: int) -> Optional[int]:
        now = self.k.clock.now
        if which in (CLOCK_REALTIME, CLOCK_REALTIME_COARSE):
            return REALTIME_AT_BOOT + now
        if which in (CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME):
            return now
        if which in (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID) or which < 0:
            return self.k.posix_cpu_timers.posix_cpu_clock_get(t, which)
        return None

    def sys_clock_gettime(self, t: TaskStruct, which: int, tp: int) -> int:
        ns = self.clock_ns(t, which)
        if ns is None:
            return -E.EINVAL
        return 0 if self.k.uaccess.copy_to_user(t, tp, _TS.pack(*divmod(ns, NSEC_PER_SEC))) else -E.EFAULT

    def sys_clock_getres(self, t: TaskStruct, which: int, tp: int) -> int:
        if self.clock_ns(t, which) is None:
            return -E.EINVAL
        coarse = which in (CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE)
        # CPU clocks other than CPUCLOCK_SCHED are sampled on the tick
        res = TICK_NS if coarse or (which < 0 and cpuclock_which(which) != CPUCLOCK_SCHED) else 1
        if tp and not self.k.uaccess.copy_to_user(t, tp, _TS.pack(0, res)):
            return -E.EFAULT
        return 0

    def sys_gettimeofday(self, t: TaskStruct, tv: int, tz: int) -> int:
        sec, ns = divmod(REALTIME_AT_BOOT + self.k.clock.now, NSEC_PER_SEC)
        uacc = self.k.uaccess
        if tv and not uacc.copy_to_user(t, tv, struct.pack("<qq", sec, ns // NSEC_PER_USEC)):
            return -E.EFAULT
        if tz and not uacc.copy_to_user(t, tz, bytes(8)):
            return -E.EFAULT
        return 0

    def sys_time(self, t: TaskStruct, tloc: int) -> int:
        sec = self.k.clock.real_seconds()
        if tloc and not self.k.uaccess.put_u64(t, tloc, sec):
            return -E.EFAULT
        return sec

    # ---- sleeping --------------------------------------------------------------------

    def _read_timespec(self, t: TaskStruct, addr: int) -> Optional[int]:
        """Nanoseconds of the timespec at `addr`: None when it cannot be
        read, -1 when it is invalid."""
        ts = self.k.uaccess.get_timespec64(t, addr)
        if ts is None:
            return None
        ns = timespec64_to_ns(*ts)
        return -1 if ns is None else ns

    def _sleep(self, t: TaskStruct, expires: int, rem: int) -> Blocking:
        """hrtimer_nanosleep(): sleep until `expires` on the monotonic clock."""
        ret = yield from sleep_until(self.k.sched, t, expires)
        if ret == 0:
            return 0
        left = max(expires - self.k.clock.now, 0)
        if rem and not self.k.uaccess.copy_to_user(t, rem, _TS.pack(*divmod(left, NSEC_PER_SEC))):
            return -E.EFAULT
        t.restart_block = lambda: self._sleep(t, expires, rem)
        return -E.ERESTART_RESTARTBLOCK

    def sys_nanosleep(self, t: TaskStruct, req: int, rem: int) -> Blocking:
        ns = self._read_timespec(t, req)
        if ns is None:
            return -E.EFAULT
        if ns < 0:
            return -E.EINVAL
        return (yield from self._sleep(t, self.k.clock.now + ns, rem))

    def sys_clock_nanosleep(self, t: TaskStruct, which: int, flags: int, req: int, rem: int) -> Blocking:
        if which not in (CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME):
            return -E.EINVAL
        ns = self._read_timespec(t, req)
        if ns is None:
            return -E.EFAULT
        if ns < 0:
            return -E.EINVAL
        offset = REALTIME_AT_BOOT if which == CLOCK_REALTIME else 0
        if flags & TIMER_ABSTIME:
            ret = yield from sleep_until(self.k.sched, t, ns - offset)
            return -E.ERESTARTNOHAND if ret else 0
        return (yield from self._sleep(t, self.k.clock.now + ns, rem))

    def sys_restart_syscall(self, t: TaskStruct) -> Blocking:
        """restart_syscall(2): continue what the restart block describes."""
        block = t.restart_block
        t.restart_block = None
        if block is None:
            return -E.EINTR
        return (yield from block())
