"""What a trace says about each task: who created it and where, its state
over virtual time, how it ended, who reaped it, who adopted it, and what
became of the signals sent to it; plus which task ran on each CPU and the
run's counts. Built once from the events (`Trace.run`); every view reads it.

A task on a CPU is "running"; one that is runnable but waits for the CPU is
"R"; the other states are ps letters (S, D, T, t, Z). Like Perfetto and
Linux's sched_switch, a task that decides to sleep is still running until it
leaves the CPU, and its state then is the one sched_switch reports.

With several CPUs each CPU keeps its own virtual time, and the CPUs may be up
to a tick apart: a task woken on one CPU may run on another whose clock is
behind. The CPU slices keep every CPU's own times; a task's states follow
each other, so a change dated before its current state began takes effect
when that state began.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional

from ..kernel.exit import describe_status
from ..uapi.signal import signame

if TYPE_CHECKING:  # pragma: no cover
    from .events import Event, Trace

RUNNING = "running"
# A state's name in every view.
STATE_NAMES = {
    RUNNING: "R running", "R": "R waiting for a CPU", "S": "S sleeping", "D": "D uninterruptible",
    "I": "I idle", "T": "T stopped", "t": "t traced", "Z": "Z zombie", "X": "X dead",
}
_SLEEPS = frozenset("SDITt")

# What became of a signal, by tracepoint outcome (the summary's words).
GENERATE_FATES = {"ignored": "ignored", "already_pending": "merged with a pending one"}
DELIVER_FATES = {"handler": "handled", "stop": "stopped it", "default": "fatal", "ignored": "ignored",
                 "accepted": "taken by sigwait"}


class Interval(NamedTuple):
    """A task's state during [start, end) of virtual time. `detail` says why
    a sleeping task sleeps ("wait4: waitpid() at x.c:9")."""

    start: int
    end: int
    state: str
    detail: str = ""


class CpuSlice(NamedTuple):
    """Task `task` (an id; `pid` and `comm` as it was then) ran on `cpu`
    during [start, end)."""

    cpu: int
    start: int
    end: int
    task: int
    pid: int
    comm: str


@dataclass(eq=False)
class Task:
    """One task from creation to release (a pid may name several in a run)."""

    id: int
    pid: int
    tgid: int
    comm: str
    kthread: bool = False
    creator: Optional["Task"] = None
    children: list["Task"] = field(default_factory=list)
    created: int = 0
    syscall: str = ""              # the call that created it: fork, vfork, clone, clone3
    born: str = ""                 # where its creator made that call
    first_run: Optional[int] = None  # when its first running state began
    ended: str = ""                # "exit 0", "SIGSEGV", ... ("" while alive)
    died: str = ""                 # where it ended ("return from main", "exit() at x.c:9")
    exit_ts: Optional[int] = None
    reaped_by: Optional[int] = None
    auto_reaped: bool = False
    freed: Optional[int] = None
    adopted_by: list[int] = field(default_factory=list)
    blocked: Counter = field(default_factory=Counter)  # where it went to sleep -> how often
    execs: list[tuple[int, str]] = field(default_factory=list)
    took_pid: Optional[int] = None  # the leader's pid, taken over by exec from a thread
    syscalls: int = 0
    faults: int = 0
    cow_copies: int = 0
    # signal number -> how often it was sent to this process, and what became of it
    signals_sent: Counter = field(default_factory=Counter)
    signal_fates: dict[int, Counter] = field(default_factory=dict)
    signal_times: list[int] = field(default_factory=list)  # when this task took a signal
    states: list[Interval] = field(default_factory=list)
    # the state being lived now, and a sleep decided while still on the CPU
    state: str = "R"
    since: int = 0
    detail: str = ""
    on_cpu: bool = False
    pending: Optional[tuple[str, str]] = None
    gone: bool = False

    @property
    def idle(self) -> bool:
        """The idle task (swapper) of a CPU."""
        return self.pid == 0

    def fates(self, sig: int) -> Counter:
        return self.signal_fates.setdefault(sig, Counter())


@dataclass
class Counts:
    tasks_created: int = 0
    context_switches: int = 0
    page_faults: int = 0
    cow_copies: int = 0
    syscalls: int = 0
    signals: int = 0
    migrations: int = 0


class Run:
    """The model of one trace."""

    def __init__(self, trace: Trace) -> None:
        self.meta = trace.meta
        self.tasks: dict[int, Task] = {}
        self.roots: list[Task] = []
        self.counts = Counts()
        self.cpu_slices: list[CpuSlice] = []
        self.forks: list[tuple[int, int, int]] = []  # (ts, parent id, child id)
        self._cpu_since: dict[int, tuple[int, Task]] = {}  # cpu -> (since, task on it)
        self.end = int(trace.meta.get("end_ns", trace.events[-1].ts if trace.events else 0))
        handlers: dict[str, Callable[[Event], None]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("_on_")}
        for event in trace.events:
            handler = handlers.get(event.name)
            if handler is not None:
                handler(event)
        self._add_usage(trace.meta.get("usage", []))
        for cpu, (since, task) in sorted(self._cpu_since.items()):
            self._cpu_slice(cpu, since, self.end, task)
        for task in self.tasks.values():
            if not task.gone:
                self._close(task, self.end)

    # ---- queries --------------------------------------------------------------------

    def user_roots(self) -> list[Task]:
        """The trees below the idle task that are not kernel threads (init's)."""
        return [t for t in self.roots if not t.kthread]

    def user_tasks(self) -> list[Task]:
        """Every task of the user trees, parents before children (pstree order)."""
        out: list[Task] = []

        def walk(t: Task) -> None:
            out.append(t)
            for child in t.children:
                walk(child)

        for root in self.user_roots():
            walk(root)
        return out

    # ---- building ---------------------------------------------------------------------

    def _task(self, tid: int, pid: int = -1, comm: str = "?") -> Task:
        task = self.tasks.get(tid)
        if task is None:  # a task that existed before recording began
            task = self.tasks[tid] = Task(tid, pid, pid, comm, kthread=pid == 0)
            self.roots.append(task)
        return task

    def _set(self, task: Task, ts: int, state: str, detail: str = "") -> None:
        self._close(task, ts)
        task.state, task.detail = state, detail

    def _close(self, task: Task, ts: int) -> None:
        """End the task's current state at `ts` (no earlier than it began)."""
        if ts > task.since:
            if task.state == RUNNING and task.first_run is None:
                task.first_run = task.since
            task.states.append(Interval(task.since, ts, task.state, task.detail))
            task.since = ts

    def _cpu_slice(self, cpu: int, start: int, end: int, task: Task) -> None:
        if end > start:
            self.cpu_slices.append(CpuSlice(cpu, start, end, task.id, task.pid, task.comm))

    def _on_sched_switch(self, e: Event) -> None:
        self.counts.context_switches += 1
        prev_comm, prev_pid, _, prev_state, next_comm, next_pid, _, prev_id, next_id = e.values
        prev = self._task(prev_id, prev_pid, prev_comm)
        nxt = self._task(next_id, next_pid, next_comm)
        since = self._cpu_since.get(e.cpu)
        if since is not None:
            self._cpu_slice(e.cpu, since[0], e.ts, since[1])
        self._cpu_since[e.cpu] = (e.ts, nxt)
        prev.on_cpu = False
        letter = prev_state[0]
        detail = ""
        if prev.pending is not None and letter in _SLEEPS:
            detail = self._sleep_detail(prev, *prev.pending)
        prev.pending = None
        if prev.freed is not None and letter in "XZ":
            self._close(prev, e.ts)
            prev.gone = True
        else:
            self._set(prev, e.ts, letter, detail)
        nxt.on_cpu = True
        self._set(nxt, e.ts, RUNNING)

    def _sleep_detail(self, task: Task, syscall: str, where: str) -> str:
        if where:
            task.blocked[where] += 1
        return ": ".join(part for part in (syscall, where) if part)

    def _on_sched_set_state(self, e: Event) -> None:
        _, state, syscall, tid, where = e.values
        task = self._task(tid, e.values[0])
        if task.gone:
            return
        if task.on_cpu:
            task.pending = (syscall, where) if state in _SLEEPS else None
            return
        self._set(task, e.ts, state, self._sleep_detail(task, syscall, where) if state in _SLEEPS else "")

    def _on_sched_wakeup(self, e: Event) -> None:
        self._task(e.values[4], e.values[1], e.values[0])

    def _on_sched_migrate_task(self, e: Event) -> None:
        self.counts.migrations += 1
        self._task(e.values[5], e.values[1], e.values[0])

    def _on_task_newtask(self, e: Event) -> None:
        self.counts.tasks_created += 1

    def _on_sched_process_fork(self, e: Event) -> None:
        _, pid, child_comm, child_pid, parent_id, child_id, child_tgid, kthread, syscall, where = e.values
        child = Task(child_id, child_pid, child_tgid, child_comm, kthread=kthread, created=e.ts,
                     syscall=syscall, born=where, since=e.ts)
        self.tasks[child_id] = child
        if pid == 0:
            self.roots.append(child)
        else:
            parent = self._task(parent_id, pid, e.values[0])
            child.creator = parent
            parent.children.append(child)
            self.forks.append((e.ts, parent_id, child_id))

    def _on_sched_process_exec(self, e: Event) -> None:
        filename, pid, old_pid, comm, tid = e.values
        task = self._task(tid, pid, comm)
        task.comm = comm
        if pid != old_pid:  # a thread that execs takes over its leader's pid
            task.took_pid = pid
        task.execs.append((e.ts, filename))

    def _on_task_rename(self, e: Event) -> None:
        self._task(e.values[4], e.values[0]).comm = e.values[2]

    def _on_sched_process_exit(self, e: Event) -> None:
        comm, pid, _, status, tid, leader_id, where = e.values
        task = self._task(tid, pid, comm)
        task.ended = describe_status(status)
        task.died = where
        task.exit_ts = e.ts
        sig = status & 0x7F
        if sig and leader_id == tid and task.signals_sent[sig] > sum(task.fates(sig).values()):
            # a fatal signal takes the whole group down when it is sent
            # (complete_signal), without ever being dequeued
            task.fates(sig)["fatal"] += 1

    def _on_task_reaped(self, e: Event) -> None:
        self._task(e.values[3], e.values[0]).reaped_by = e.values[1]

    def _on_sched_process_free(self, e: Event) -> None:
        task = self._task(e.values[3], e.values[1], e.values[0])
        if task.reaped_by is None:
            task.auto_reaped = True
        task.freed = e.ts
        if not task.on_cpu:
            self._close(task, e.ts)
            task.gone = True

    def _on_task_reparent(self, e: Event) -> None:
        self._task(e.values[3], e.values[0]).adopted_by.append(e.values[2])

    def _add_usage(self, usage: list[list[int]]) -> None:
        """Syscalls, page faults and COW copies per task, as the recorder
        counted them (meta "usage": [id, syscalls, faults, copies])."""
        for tid, syscalls, faults, copies in usage:
            task = self._task(tid)
            task.syscalls, task.faults, task.cow_copies = syscalls, faults, copies
            self.counts.syscalls += syscalls
            self.counts.page_faults += faults
            self.counts.cow_copies += copies

    # Signals are kept per process (on its leader): one sent to the process
    # is taken by whichever thread is ready for it.

    def _on_signal_generate(self, e: Event) -> None:
        self.counts.signals += 1
        sig, result, leader = e.values[0], e.values[7], self._task(e.values[9])
        leader.signals_sent[sig] += 1
        fate = GENERATE_FATES.get(result)
        if fate is not None:
            leader.fates(sig)[fate] += 1

    def _on_signal_deliver(self, e: Event) -> None:
        self._task(e.values[8]).fates(e.values[0])[DELIVER_FATES[e.values[6]]] += 1
        self._task(e.values[7], e.values[5]).signal_times.append(e.ts)


def describe_signals(task: Task) -> str:
    """One phrase per signal the process was sent, e.g. "SIGUSR1 sent 5:
    1 handled, 4 merged with a pending one". Signals neither delivered nor
    dropped on arrival were still pending at the end, or were cancelled
    (a stop signal cancels a pending SIGCONT and the other way round)."""
    phrases = []
    for sig in sorted(task.signals_sent):
        sent = task.signals_sent[sig]
        fates = Counter(task.signal_fates.get(sig, ()))
        left = sent - sum(fates.values())
        if left > 0:
            fates["never delivered"] += left
        if sent == 1:
            phrases.append(f"{signame(sig)} {next(iter(fates))}")
        else:
            phrases.append(f"{signame(sig)} sent {sent}: " + ", ".join(f"{n} {fate}" for fate, n in fates.items()))
    return "; ".join(phrases)
