"""/proc/schedstat (kernel/sched/stats.c show_schedstat), version 15: the
version, the time in jiffies, then one line per CPU of its runqueue's
counters -- sched_yield() calls, a 0 left from the retired expired-queue
count, schedule() calls, those that left the CPU idle, wakeups and those
made on the waker's own CPU, the time tasks ran, the time they waited to
run (ns) and how many times a task was given the CPU.

Linux follows each CPU's line with one line per scheduling domain; proclab
simulates no sched domains, so there are none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...kernel.time.timekeeping import NSEC_PER_SEC, TICK_NS

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel

SCHEDSTAT_VERSION = 15
HZ = NSEC_PER_SEC // TICK_NS
# jiffies at boot (include/linux/jiffies.h): five minutes before the 32-bit
# wrap, so that wrap bugs show early (on 64-bit too).
INITIAL_JIFFIES = (-300 * HZ) & 0xFFFFFFFF


def jiffies(k: Kernel) -> int:
    """jiffies: the ticks since boot, counted from INITIAL_JIFFIES."""
    return INITIAL_JIFFIES + k.clock.now // TICK_NS


def show_schedstat(k: Kernel) -> bytes:
    """show_schedstat(): the text of /proc/schedstat."""
    lines = [f"version {SCHEDSTAT_VERSION}", f"timestamp {jiffies(k)}"]
    lines += [f"cpu{rq.cpu} {rq.yld_count} 0 {rq.sched_count} {rq.sched_goidle} {rq.ttwu_count} "
              f"{rq.ttwu_local} {rq.rq_cpu_time} {rq.run_delay} {rq.pcount}" for rq in k.sched.rqs]
    return ("\n".join(lines) + "\n").encode()
