"""The recorder: connects to the kernel's tracepoints and turns each event
into a plain `Event` (events.py), copying at event time what the views need.

Probes are connected only when a recorder is made, so a run nobody traces
pays nothing. Recording never changes the run: it reads task fields, and the
source locations (unwind.py) read registers and already-present pages only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from ..kernel.task import PF_IDLE, PF_KTHREAD, TASK_RUNNING, state_char
from ..uapi import signal as S
from ..uapi.unistd import NAMES as SYSCALL_NAMES
from ..uapi.unistd import NR
from .events import Event, Trace
from .unwind import locate

if TYPE_CHECKING:  # pragma: no cover
    from ..fs.console import BufferConsole
    from ..kernel.kernel import Kernel, KernelConfig
    from ..kernel.task import TaskStruct

_EXITS = (NR["exit"], NR["exit_group"])
# Page faults and copy-on-write copies are counted per task for the whole run,
# but only the first MAX_DETAILED of them are kept as events (the instants of
# the Perfetto trace): a fork bomb or a long loop makes millions, and a trace
# of gigabytes opens nowhere. Syscalls are only counted.
MAX_DETAILED = 100_000
_NOT_FAULTS = ("segv", "sigbus", "spurious")  # faults that end in a signal, or nothing to do
_SLEEPS = frozenset("SDITt")
# Linux's TRACE_SIGNAL_* results (include/trace/events/signal.h)
_SIGNAL_RESULTS = {"delivered": 0, "ignored": 1, "already_pending": 2}


def switch_state(prev: TaskStruct) -> str:
    """prev_state as Linux's sched_switch prints it: "R+" for a task that was
    preempted while runnable, the ps letter of a sleeping or dead one, and
    "R" for the idle task."""
    if prev.flags & PF_IDLE:
        return "R"
    if prev.state == TASK_RUNNING and not prev.exit_state:
        return "R+"
    return state_char(prev)


class Recorder:
    """Records every event of kernel `k` from now on. `where=False` skips the
    source locations (no stack unwinding); `detailed` is how many page-fault
    and COW events are kept (all are counted)."""

    def __init__(self, k: Kernel, where: bool = True, detailed: int = MAX_DETAILED) -> None:
        self.k = k
        self.events: list[Event] = []
        # task id -> [syscalls, page faults, COW copies]
        self._usage: dict[int, list[int]] = {}
        self._detail_limit = self._detailed_left = detailed
        self._not_kept = 0
        self._ids: dict[TaskStruct, int] = {}  # descriptors are never reused
        self._where = where
        self._exit_where: dict[TaskStruct, str] = {}
        self._connected: list[tuple[Any, Callable[..., None]]] = []
        for name in ("sched_switch", "sched_wakeup", "sched_wakeup_new", "sched_migrate_task", "sched_process_fork",
                     "sched_process_exec", "sched_process_exit", "sched_process_wait", "sched_process_free",
                     "sched_set_state", "task_newtask", "task_rename", "task_reparent", "task_reaped",
                     "page_fault_user", "mm_cow", "sys_enter", "signal_generate", "signal_deliver"):
            tp = k.tp.get(name)
            probe = getattr(self, "_" + name)
            tp.connect(probe)
            self._connected.append((tp, probe))

    def detach(self) -> None:
        """Stop recording."""
        for tp, probe in self._connected:
            tp.disconnect(probe)
        self._connected.clear()

    def trace(self, command: Optional[list[str]] = None) -> Trace:
        """The trace so far, with what is known about the run (see Trace.meta)."""
        k = self.k
        result = k.result
        meta: dict[str, Any] = {
            "command": list(command or []),
            "seed": k.config.seed,
            "reason": result.reason if result is not None else "running",
            "message": result.message if result is not None else "",
            "status": result.status if result is not None else None,
            "pid": result.pid if result is not None else k.command_pid,
            "end_ns": max(k.clock.now, *k.cpu_now),
            "idle_ns": k.idle_ns,
            "cpus": len(k.sched.rqs),
            "cpu_busy_ns": [rq.busy_ns for rq in k.sched.rqs],
            "cpu_switches": [rq.nr_switches for rq in k.sched.rqs],
            "fork_failures": dict(sorted(k.fork_failures.items())),
            "usage": [[tid, *counts] for tid, counts in sorted(self._usage.items())],
            "detail_limit": self._detail_limit,
            "events_not_kept": self._not_kept,
        }
        return Trace(list(self.events), meta)

    # ---- helpers --------------------------------------------------------------------

    def _id(self, t: TaskStruct) -> int:
        i = self._ids.get(t)
        if i is None:
            i = self._ids[t] = len(self._ids)
        return i

    def _emit(self, name: str, values: tuple, cur: Optional[TaskStruct] = None) -> None:
        k = self.k
        if cur is None:
            cur = k.current()
        self.events.append(Event(k.clock.now, k.this_cpu, cur.pid, cur.comm, name, values))

    def _count(self, t: TaskStruct, what: int) -> None:
        """One more syscall (0), page fault (1) or COW copy (2) of `t`."""
        tid = self._id(t)
        usage = self._usage.get(tid)
        if usage is None:
            usage = self._usage[tid] = [0, 0, 0]
        usage[what] += 1

    def _emit_detail(self, name: str, values: tuple) -> None:
        """A page-fault or COW event, kept while the budget lasts."""
        if self._detailed_left > 0:
            self._detailed_left -= 1
            self._emit(name, values)
        else:
            self._not_kept += 1

    def _locate(self, t: TaskStruct) -> str:
        if not self._where:
            return ""
        where = locate(self.k, t)
        return str(where) if where is not None else ""

    # ---- probes, one per tracepoint ---------------------------------------------------

    def _sched_switch(self, cpu: int, prev: TaskStruct, prev_state: int, nxt: TaskStruct) -> None:
        self.events.append(Event(self.k.clock.now, cpu, prev.pid, prev.comm, "sched_switch", (
            prev.comm, prev.pid, prev.prio, switch_state(prev), nxt.comm, nxt.pid, nxt.prio,
            self._id(prev), self._id(nxt))))

    def _sched_wakeup(self, t: TaskStruct) -> None:
        self._emit("sched_wakeup", (t.comm, t.pid, t.prio, t.cpu, self._id(t)))

    def _sched_wakeup_new(self, t: TaskStruct) -> None:
        self._emit("sched_wakeup_new", (t.comm, t.pid, t.prio, t.cpu, self._id(t)))

    def _sched_migrate_task(self, t: TaskStruct, orig_cpu: int, dest_cpu: int) -> None:
        self._emit("sched_migrate_task", (t.comm, t.pid, t.prio, orig_cpu, dest_cpu, self._id(t)))

    def _sched_process_fork(self, parent: TaskStruct, child: TaskStruct) -> None:
        nr = parent.syscall_nr
        syscall = SYSCALL_NAMES.get(nr, "") if nr >= 0 else ""
        self._emit("sched_process_fork", (
            parent.comm, parent.pid, child.comm, child.pid, self._id(parent), self._id(child), child.tgid,
            bool(child.flags & PF_KTHREAD), syscall, self._locate(parent) if syscall else ""))

    def _sched_process_exec(self, t: TaskStruct, filename: str, old_pid: int) -> None:
        self._emit("sched_process_exec", (filename, t.pid, old_pid, t.comm, self._id(t)))

    def _sched_process_exit(self, t: TaskStruct) -> None:
        self._emit("sched_process_exit", (t.comm, t.pid, t.prio, t.exit_code, self._id(t),
                                          self._id(t.group_leader), self._exit_where.pop(t, "")))

    def _sched_process_wait(self, t: TaskStruct, pid: int) -> None:
        self._emit("sched_process_wait", (t.comm, pid, t.prio, self._id(t)))

    def _sched_process_free(self, t: TaskStruct) -> None:
        self._emit("sched_process_free", (t.comm, t.pid, t.prio, self._id(t)))

    def _sched_set_state(self, t: TaskStruct, old: int, new: int) -> None:
        letter = state_char(t)
        if letter in _SLEEPS:
            nr = t.syscall_nr
            syscall = SYSCALL_NAMES.get(nr, "") if nr >= 0 else ""
            where = self._locate(t)
        else:
            syscall = where = ""
        self._emit("sched_set_state", (t.pid, letter, syscall, self._id(t), where))

    def _task_newtask(self, t: TaskStruct, clone_flags: int) -> None:
        self._emit("task_newtask", (t.pid, t.comm, clone_flags, 0, self._id(t)))

    def _task_rename(self, t: TaskStruct, old: str, new: str) -> None:
        self._emit("task_rename", (t.pid, old, new, 0, self._id(t)))

    def _task_reparent(self, t: TaskStruct, old: TaskStruct, new: TaskStruct) -> None:
        self._emit("task_reparent", (t.pid, old.tgid, new.tgid, self._id(t), self._id(new)))

    def _task_reaped(self, t: TaskStruct, reaper: TaskStruct, status: int) -> None:
        self._emit("task_reaped", (t.pid, reaper.tgid, status, self._id(t), self._id(reaper)))

    def _page_fault_user(self, t: TaskStruct, address: int, access: str, kind: str) -> None:
        if kind not in _NOT_FAULTS:
            self._count(t, 1)
        self._emit_detail("page_fault_user", (t.pid, address, access, kind, self._id(t)))

    def _mm_cow(self, t: TaskStruct, address: int, copied: bool) -> None:
        if copied:
            self._count(t, 2)
        self._emit_detail("mm_cow", (t.pid, address, copied, self._id(t)))

    def _sys_enter(self, t: TaskStruct, nr: int, args: tuple) -> None:
        self._count(t, 0)
        if nr in _EXITS:
            self._exit_where[t] = self._locate(t)

    def _signal_generate(self, sig: int, info: dict, t: TaskStruct, group: bool, result: str) -> None:
        self._emit("signal_generate", (
            sig, info.get("errno", 0), info.get("code", 0), t.comm, t.pid, int(group),
            _SIGNAL_RESULTS.get(result, 0), result, self._id(t), self._id(t.group_leader)))

    def _signal_deliver(self, sig: int, info: dict, t: TaskStruct, action: str) -> None:
        handler, flags = t.sighand.action.get(sig, (S.SIG_DFL, 0))[:2]
        where = self._locate(t)
        if action == "default":
            self._exit_where[t] = where  # the signal kills it here
        self._emit("signal_deliver", (
            sig, info.get("errno", 0), info.get("code", 0), handler, flags, t.pid, action,
            self._id(t), self._id(t.group_leader), where))


def record_program(path: str, argv: Optional[list[str]] = None, config: Optional[KernelConfig] = None,
                   stdin: bytes = b"") -> tuple[Trace, BufferConsole]:
    """Run the static binary at `path` with in-memory console streams and
    record it: its trace, and the console (`.out[1]` is its stdout)."""
    from ..fs.console import BufferConsole
    from ..kernel.init import Command
    from ..kernel.kernel import Kernel

    args = argv if argv is not None else [path]
    console = BufferConsole(stdin)
    k = Kernel(config, console)
    recorder = Recorder(k)
    k.boot(Command(path.encode(), [a.encode() for a in args], []))
    k.run()
    return recorder.trace(args), console
