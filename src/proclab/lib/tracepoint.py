"""Tracepoints: the one way to observe the kernel (include/linux/tracepoint.h).

A tracepoint is a named hook compiled into the kernel at an interesting place.
Emitting one costs a list check when nobody listens::

    if tp.sched_switch.probes:
        tp.sched_switch(prev, next)

Consumers (summary, text log, Perfetto JSON...) connect probes; the kernel never
formats or stores events itself. Every event the kernel emits is declared in
`Tracepoints` below with its arguments, like include/trace/events/*.h.
"""

from __future__ import annotations

from typing import Any, Callable

Probe = Callable[..., None]


class Tracepoint:
    """One event: a name and the probes connected to it."""

    __slots__ = ("name", "probes")

    def __init__(self, name: str) -> None:
        self.name = name
        self.probes: list[Probe] = []

    def connect(self, probe: Probe) -> None:
        """Call `probe(*args)` each time the event fires."""
        self.probes.append(probe)

    def disconnect(self, probe: Probe) -> None:
        self.probes.remove(probe)

    def __call__(self, *args: Any) -> None:
        for probe in self.probes:
            probe(*args)


# name -> argument names, in the order the kernel passes them.
EVENTS: dict[str, tuple[str, ...]] = {
    # sched (include/trace/events/sched.h)
    "sched_switch": ("cpu", "prev", "prev_state", "next"),
    "sched_wakeup": ("task",),
    "sched_wakeup_new": ("task",),
    "sched_migrate_task": ("task", "orig_cpu", "dest_cpu"),
    "sched_process_fork": ("parent", "child"),
    "sched_process_exec": ("task", "filename", "old_pid"),
    "sched_process_exit": ("task",),
    "sched_process_wait": ("task", "pid"),
    "sched_process_free": ("task",),
    # set_task_state(): every state change (SEMANTICS S3)
    "sched_set_state": ("task", "old", "new"),
    # task (include/trace/events/task.h)
    "task_newtask": ("task", "clone_flags"),
    "task_rename": ("task", "oldcomm", "newcomm"),
    # orphan adoption by find_new_reaper (not a Linux tracepoint)
    "task_reparent": ("task", "old_parent", "new_parent"),
    # a zombie's status collected by wait (release_task follows)
    "task_reaped": ("task", "reaper", "status"),
    # exceptions:page_fault_user; kind is "minor", "major", "cow", "cow-reuse",
    # "spurious", or "segv"/"sigbus" for a fault that gets a signal
    "page_fault_user": ("task", "address", "access", "kind"),
    # copy-on-write break: copied=False when the last user just got write access back
    "mm_cow": ("task", "address", "copied"),
    # raw_syscalls
    "sys_enter": ("task", "nr", "args"),
    "sys_exit": ("task", "nr", "ret"),
    # signal (include/trace/events/signal.h). info is the siginfo dict; group
    # says whether the signal went to the whole process. Generation result:
    # "delivered" (queued), "ignored" (dropped on arrival), "already_pending"
    # (a standard signal merged with the pending one). Delivery action:
    # "handler", "stop", "default" (the default action kills), "ignored"
    # (dropped when dequeued), "accepted" (taken by sigtimedwait/sigwaitinfo).
    "signal_generate": ("sig", "info", "task", "group", "result"),
    "signal_deliver": ("sig", "info", "task", "action"),
}


class Tracepoints:
    """All the kernel's tracepoints, one attribute per event in `EVENTS`."""

    def __init__(self) -> None:
        for name in EVENTS:
            setattr(self, name, Tracepoint(name))

    def __getattr__(self, name: str) -> Tracepoint:  # pragma: no cover - typo guard
        raise AttributeError(f"no tracepoint named {name!r}")

    def get(self, name: str) -> Tracepoint:
        """The tracepoint called `name` (KeyError if there is none)."""
        if name not in EVENTS:
            raise KeyError(name)
        return getattr(self, name)

    def connect_all(self, probe: Callable[[str, tuple], None]) -> None:
        """Connect `probe(name, args)` to every event (for recorders)."""
        for name in EVENTS:
            self.get(name).connect(_named(name, probe))


def _named(name: str, probe: Callable[[str, tuple], None]) -> Probe:
    def forward(*args: Any) -> None:
        probe(name, args)

    return forward
