"""The trace as ftrace text (`--trace-text`): what `cat
/sys/kernel/tracing/trace` prints with the sched, task and signal events
enabled, in the line formats of kernel/trace/trace_output.c and
include/trace/events/{sched,task,signal}.h, so that tools reading ftrace text
(Perfetto, trace-cmd's users, scripts) can load it.

The context columns are the older four-flag layout (irqs-off, need-resched,
hardirq/softirq, preempt-depth), which every reader accepts; proclab does not
model interrupt flags, so they are dots. Timestamps are virtual seconds; the
CPU column is the CPU the event happened on, and the lines of all CPUs are
merged in time order, as Linux merges its per-CPU buffers.
"""

from __future__ import annotations

from typing import Callable, Iterable

from .events import Event, Trace

HEADER = """\
# tracer: nop
#
# entries-in-buffer/entries-written: {n}/{n}   #P:{cpus}
#
#                                _-----=> irqs-off
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| /     delay
#           TASK-PID     CPU#  ||||   TIMESTAMP  FUNCTION
#              | |         |   ||||      |         |
"""


def _comm(comm: str) -> str:
    # a newline in a comm would split the line; Linux prints the rest as is
    return "".join(c if c >= " " and c != "\x7f" else "?" for c in comm)


def _switch(a: dict) -> str:
    return (f"prev_comm={_comm(a['prev_comm'])} prev_pid={a['prev_pid']} prev_prio={a['prev_prio']} "
            f"prev_state={a['prev_state']} ==> next_comm={_comm(a['next_comm'])} next_pid={a['next_pid']} "
            f"next_prio={a['next_prio']}")


def _wakeup(a: dict) -> str:
    return f"comm={_comm(a['comm'])} pid={a['pid']} prio={a['prio']} target_cpu={a['target_cpu']:03d}"


def _task_prio(a: dict) -> str:
    return f"comm={_comm(a['comm'])} pid={a['pid']} prio={a['prio']}"


def _migrate(a: dict) -> str:
    return f"{_task_prio(a)} orig_cpu={a['orig_cpu']} dest_cpu={a['dest_cpu']}"


FORMATS: dict[str, Callable[[dict], str]] = {
    "sched_switch": _switch,
    "sched_wakeup": _wakeup,
    "sched_wakeup_new": _wakeup,
    "sched_migrate_task": _migrate,
    "sched_process_fork": lambda a: (f"comm={_comm(a['comm'])} pid={a['pid']} "
                                     f"child_comm={_comm(a['child_comm'])} child_pid={a['child_pid']}"),
    "sched_process_exec": lambda a: f"filename={_comm(a['filename'])} pid={a['pid']} old_pid={a['old_pid']}",
    "sched_process_exit": _task_prio,
    "sched_process_wait": _task_prio,
    "sched_process_free": _task_prio,
    "task_newtask": lambda a: (f"pid={a['pid']} comm={_comm(a['comm'])} clone_flags={a['clone_flags']:x} "
                               f"oom_score_adj={a['oom_score_adj']}"),
    "task_rename": lambda a: (f"pid={a['pid']} oldcomm={_comm(a['oldcomm'])} newcomm={_comm(a['newcomm'])} "
                              f"oom_score_adj={a['oom_score_adj']}"),
    "signal_generate": lambda a: (f"sig={a['sig']} errno={a['errno']} code={a['code']} comm={_comm(a['comm'])} "
                                  f"pid={a['pid']} grp={a['grp']} res={a['res']}"),
    "signal_deliver": lambda a: (f"sig={a['sig']} errno={a['errno']} code={a['code']} "
                                 f"sa_handler={a['sa_handler']:x} sa_flags={a['sa_flags']:x}"),
}


def line(e: Event) -> str:
    """One event as ftrace prints it."""
    secs, ns = divmod(e.ts, 1_000_000_000)
    return (f"{_comm(e.comm):>16}-{e.pid:<7} [{e.cpu:03d}] .... {secs:5d}.{ns // 1000:06d}: "
            f"{e.name}: {FORMATS[e.name](e.args)}")


def lines(events: Iterable[Event]) -> list[str]:
    """The events ftrace has, as lines in time order (events of the same
    time keep their order; proclab's own events are left out)."""
    return [line(e) for e in sorted(events, key=lambda e: e.ts) if e.name in FORMATS]


def dumps(trace: Trace) -> str:
    """The whole file: header and lines."""
    body = lines(trace.events)
    return HEADER.format(n=len(body), cpus=trace.meta.get("cpus", 1)) + "".join(s + "\n" for s in body)


def write(trace: Trace, path: str) -> None:
    """Write `trace` as ftrace text."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(trace))
