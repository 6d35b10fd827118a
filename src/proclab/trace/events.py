"""Trace records: the kernel's tracepoints as plain values.

A tracepoint hands its probes live kernel objects, which change and whose
pids are recycled. The recorder (record.py) copies what matters at the moment
of the event into an `Event`: the virtual time, the CPU, the task running on
it (ftrace's common_pid and comm), the event's name, and its fields, named as
in Linux's include/trace/events/*.h where Linux has the event. Every task also
gets an id, unique for the whole run (`id`, `child_id`, `prev_id`...): a pid
may name several tasks one after the other, an id only one.

Every view (tree, summary, Perfetto, ftrace text, timeline) is a function of
a `Trace`: the events and a few facts about the run (`meta`). A trace comes
from a live run or from a saved file, and gives the same views either way.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Optional

FORMAT_VERSION = 2  # of the saved events (Trace.to_json)

# The fields each recorded event carries, in order. `where` is the place in
# the program's C source ("waitpid() at fork_hello.c:17", "" when unknown).
FIELDS: dict[str, tuple[str, ...]] = {
    "sched_switch": ("prev_comm", "prev_pid", "prev_prio", "prev_state",
                     "next_comm", "next_pid", "next_prio", "prev_id", "next_id"),
    "sched_wakeup": ("comm", "pid", "prio", "target_cpu", "id"),
    "sched_wakeup_new": ("comm", "pid", "prio", "target_cpu", "id"),
    "sched_migrate_task": ("comm", "pid", "prio", "orig_cpu", "dest_cpu", "id"),
    # child_tgid tells threads from processes; syscall is the call that made
    # the child ("fork", "vfork", "clone", "clone3"; "" for the kernel's tasks)
    "sched_process_fork": ("comm", "pid", "child_comm", "child_pid", "parent_id", "child_id",
                           "child_tgid", "kthread", "syscall", "where"),
    "sched_process_exec": ("filename", "pid", "old_pid", "comm", "id"),
    # status is the wait status the task exits with; leader_id its group leader
    "sched_process_exit": ("comm", "pid", "prio", "status", "id", "leader_id", "where"),
    # comm and prio of the waiter (id); pid is the one waited for (0: any)
    "sched_process_wait": ("comm", "pid", "prio", "id"),
    "sched_process_free": ("comm", "pid", "prio", "id"),
    # every state change: the ps letter after it and, for a sleep, the syscall
    "sched_set_state": ("pid", "state", "syscall", "id", "where"),
    "task_newtask": ("pid", "comm", "clone_flags", "oom_score_adj", "id"),
    "task_rename": ("pid", "oldcomm", "newcomm", "oom_score_adj", "id"),
    "task_reparent": ("pid", "old_ppid", "new_ppid", "id", "new_parent_id"),
    "task_reaped": ("pid", "reaper_pid", "status", "id", "reaper_id"),
    "page_fault_user": ("pid", "address", "access", "kind", "id"),
    "mm_cow": ("pid", "address", "copied", "id"),
    # res is Linux's TRACE_SIGNAL_* number, result its name
    "signal_generate": ("sig", "errno", "code", "comm", "pid", "grp", "res", "result", "id", "leader_id"),
    "signal_deliver": ("sig", "errno", "code", "sa_handler", "sa_flags", "pid", "action", "id",
                       "leader_id", "where"),
}

_INDEX = {name: {field: i for i, field in enumerate(fields)} for name, fields in FIELDS.items()}


class Event(NamedTuple):
    """One recorded event. `pid`/`comm` are the task the CPU ran when it
    happened; `values` follow `FIELDS[name]`."""

    ts: int          # virtual time, ns
    cpu: int
    pid: int
    comm: str
    name: str
    values: tuple

    def get(self, field: str, default: Any = None) -> Any:
        """One field by name (`default` when the event has no such field)."""
        i = _INDEX[self.name].get(field)
        return default if i is None else self.values[i]

    @property
    def args(self) -> dict[str, Any]:
        """All fields by name."""
        return dict(zip(FIELDS[self.name], self.values))


class Trace:
    """The events of one run and what is known about the run as a whole.

    `meta` holds: "command" (argv), "seed", "reason" (how the run ended:
    "poweroff", "timeout", "deadlock", "panic"), "message", "status" (the
    command's wait status) and "pid", "end_ns" (virtual time at the end: that
    of the CPU furthest ahead), "idle_ns" (of all CPUs together), "cpus",
    "cpu_busy_ns" and "cpu_switches" (per CPU since boot: the time it ran
    tasks other than its idle task, its context switches), "fork_failures"
    ({why: count}), "usage" ([task id, syscalls, page faults, COW copies] per
    task: counted whole, while only the first "detail_limit" fault and COW
    events are kept) and "events_not_kept" (how many of those were counted
    only). Traces saved before the per-CPU
    counts existed have no "cpu_busy_ns" and "cpu_switches".
    """

    def __init__(self, events: list[Event], meta: dict[str, Any]) -> None:
        self.events = events
        self.meta = meta
        self._run: Optional[Any] = None

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def select(self, *names: str) -> Iterator[Event]:
        """The events called one of `names`, in order."""
        wanted = set(names)
        return (e for e in self.events if e.name in wanted)

    @property
    def run(self) -> Any:
        """The tasks, their states over time and the counts (model.Run)."""
        if self._run is None:
            from .model import Run

            self._run = Run(self)
        return self._run

    def to_json(self) -> dict[str, Any]:
        """The trace as plain JSON values (a list per event)."""
        return {"version": FORMAT_VERSION, "meta": self.meta,
                "events": [[e.ts, e.cpu, e.pid, e.comm, e.name, list(e.values)] for e in self.events]}

    @classmethod
    def from_json(cls, data: Any) -> "Trace":
        """The inverse of `to_json`; ValueError when `data` is not one."""
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError("not a proclab trace of a known version")
        events = []
        try:
            for ts, cpu, pid, comm, name, values in data["events"]:
                if name not in FIELDS or len(values) != len(FIELDS[name]):
                    raise ValueError(f"an unknown or malformed {name!r} event")
                events.append(Event(ts, cpu, pid, comm, name, tuple(values)))
            meta = dict(data["meta"])
            for usage in meta.get("usage", []):
                if len(usage) != 4 or not _ints(usage):
                    raise ValueError("malformed usage counts")
            for key in ("cpu_busy_ns", "cpu_switches"):
                if not _ints(meta.get(key, [])):
                    raise ValueError(f"malformed {key}")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed trace ({exc})") from None
        return cls(events, meta)


def _ints(values: Any) -> bool:
    """Whether `values` is a list of ints."""
    return isinstance(values, list) and all(isinstance(n, int) for n in values)
