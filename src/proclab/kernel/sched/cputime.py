"""CPU time accounting (kernel/sched/cputime.c): what a task's work costs and
the tick.

Every piece of work advances the virtual clock and is charged to the task
that did it: user code by the instructions it retired (the entry code
converts them), kernel work by its calibrated cost (timekeeping.COSTS).
Both run the task's slice down, because the scheduler charges a running
task the clock time since it was picked (update_curr).

The tick is a periodic event every TICK_NS of each CPU's time, whether the
CPU is in user mode or in the kernel when the boundary passes: the entry
code stops user code exactly at the boundary (counted instructions), and
work done in the kernel that crosses one is followed by the tick at the
next return to user mode. As with Linux's tick-based accounting, the
interval timers and the CPU-time POSIX timers are sampled at the tick,
ITIMER_VIRTUAL counting only ticks that hit user mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..time.timekeeping import TICK_NS

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel
    from ..task import TaskStruct
    from .core import Runqueue


class CpuTime:
    """The accounting of one kernel. Written from the entry code and from
    every kernel path that charges a cost."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def account_user_time(self, t: TaskStruct, ns: int) -> None:
        """account_user_time(): `ns` of user code ran."""
        t.utime += ns
        self.k.clock.now += ns

    def account_system_time(self, t: TaskStruct, ns: int) -> None:
        """account_system_time(): `ns` of kernel work on behalf of `t`."""
        t.stime += ns
        self.k.clock.now += ns

    @staticmethod
    def next_tick(now: int) -> int:
        """The first tick boundary after `now`."""
        return (now // TICK_NS + 1) * TICK_NS

    def tick_due(self, rq: Runqueue) -> bool:
        return self.k.clock.now >= rq.next_tick

    def tick(self, rq: Runqueue, t: TaskStruct, user_tick: bool) -> None:
        """update_process_times(): the tick of the CPU of `rq`, running `t`
        (a boundary missed inside long kernel work counts once)."""
        k = self.k
        rq.next_tick = self.next_tick(k.clock.now)
        # the tick is an hrtimer too: its interrupt fires every timer whose
        # soft expiry has passed, even if its hard one is still ahead
        k.clock.run_expired()
        k.itimers.account_tick(t, user_tick)
        k.posix_cpu_timers.run_posix_cpu_timers(t)
        k.sched.scheduler_tick(rq)
        k.check_budget()
