"""A task as the scheduler sees it (kernel/sched/debug.c proc_sched_show_task):
/proc/PID/sched and /proc/PID/task/TID/sched, in Linux's layout -- the
header "comm (pid, #threads: N)", a line of dashes, then one "name : value"
line per field, the name left-aligned in 45 columns and the value right-aligned
in 21: a time as milliseconds and nanoseconds ("%14Ld.%06ld"), anything else
as an integer ("%21Ld").

The lines are those of a kernel with schedstats off (kernel.sched_schedstats
is 0 by default: none of the p->stats lines), less what proclab does not
model: load tracking (the se.avg.* lines), NUMA balancing, SCHED_DEADLINE
parameters, and clock-delta (the cost of reading the clock, which virtual
time does not have). se.slice is shown for SCHED_NORMAL and SCHED_BATCH
tasks only, as Linux's fair_policy() has it (SCHED_IDLE is not one there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...kernel.time.timekeeping import NSEC_PER_MSEC
from ...uapi.sched import SCHED_BATCH, SCHED_NORMAL

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel
    from ...kernel.task import TaskStruct

SCHED_FIXEDPOINT_SHIFT = 10  # scale_load(): 64-bit kernels keep weights 1024 times finer
DASHES = "-" * 67


def split_ns(ns: int) -> str:
    """SPLIT_NS() printed with "%Ld.%06ld": whole milliseconds, then the
    nanoseconds left over; a negative time keeps its sign on the milliseconds
    (nsec_high, nsec_low), so -0.5 ms prints as 0.500000 as on Linux."""
    high, low = divmod(abs(ns), NSEC_PER_MSEC)
    return f"{-high if ns < 0 else high}.{low:06d}"


def update_task_runtime(k: Kernel, t: TaskStruct) -> None:
    """update_curr() of `t` before its times are shown (what
    task_sched_runtime() does for the CPU clocks), when it is the task
    running on the reader's CPU. A task running on another CPU is charged at
    that CPU's next accounting: each simulated CPU keeps its own time, and the
    reader's is not that CPU's."""
    rq = k.sched.rq_of(t)
    if rq.curr is t and rq is k.sched.rq_of(k.current()):
        k.sched.account_curr(rq)


def proc_sched_show_task(k: Kernel, t: TaskStruct) -> bytes:
    """proc_sched_show_task(): the text of /proc/PID/sched."""
    update_task_runtime(k, t)
    se = t.se
    threads = t.signal.nr_threads if t.signal is not None else 1
    times = (("se.exec_start", se.exec_start), ("se.vruntime", se.vruntime),
             ("se.sum_exec_runtime", se.sum_exec_runtime))
    counts = [("se.nr_migrations", se.nr_migrations), ("nr_switches", t.nvcsw + t.nivcsw),
              ("nr_voluntary_switches", t.nvcsw), ("nr_involuntary_switches", t.nivcsw),
              ("se.load.weight", se.weight << SCHED_FIXEDPOINT_SHIFT), ("policy", t.policy),
              ("prio", t.prio)]
    if t.policy in (SCHED_NORMAL, SCHED_BATCH):
        counts.append(("se.slice", se.slice))
    lines = [f"{t.comm} ({t.pid}, #threads: {threads})", DASHES]
    lines += [f"{name:<45}:{split_ns(ns):>21}" for name, ns in times]
    lines += [f"{name:<45}:{value:21d}" for name, value in counts]
    return ("\n".join(lines) + "\n").encode()


def proc_sched_set_task(data: bytes) -> int:
    """sched_write() with proc_sched_set_task(): writing resets the task's
    schedstats (p->stats), which proclab does not keep: accepted, to no effect."""
    return 0
