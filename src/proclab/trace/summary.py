"""The run summary: the process tree and the counts, built only from
tracepoints (DESIGN: tracepoints are the one way to observe the kernel)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from ..kernel.exit import describe_status
from ..kernel.task import PF_KTHREAD
from ..uapi.signal import signame

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct


@dataclass
class TaskRecord:
    """What the summary knows about one task."""

    pid: int
    comm: str
    creator: Optional["TaskRecord"]
    kthread: bool
    children: list["TaskRecord"] = field(default_factory=list)
    ended: str = ""             # "exit 0", "SIGSEGV", ... ("" while alive)
    reaped_by: Optional[int] = None
    auto_reaped: bool = False
    adopted_by: list[int] = field(default_factory=list)
    syscalls: int = 0
    faults: int = 0
    cow_copies: int = 0
    # signal number -> how often it was sent to this task, and what became of it
    signals_sent: Counter = field(default_factory=Counter)
    signal_fates: dict[int, Counter] = field(default_factory=dict)


# What became of a signal, by tracepoint outcome (the summary's words).
_GENERATE_FATES = {"ignored": "ignored", "already_pending": "merged with a pending one"}
_DELIVER_FATES = {"handler": "handled", "stop": "stopped it", "default": "fatal", "ignored": "ignored",
                  "accepted": "taken by sigwait"}


@dataclass
class Counts:
    tasks_created: int = 0
    context_switches: int = 0
    page_faults: int = 0
    cow_copies: int = 0
    syscalls: int = 0
    signals: int = 0


class Summary:
    """Connects to the kernel's tracepoints and keeps the tree and counts."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.counts = Counts()
        self.records: dict[Any, TaskRecord] = {}  # by task object: pids are recycled
        self.roots: list[TaskRecord] = []
        tp = k.tp
        tp.task_newtask.connect(self._newtask)
        tp.sched_process_fork.connect(self._fork)
        tp.sched_process_exec.connect(self._exec)
        tp.task_rename.connect(self._rename)
        tp.sched_process_exit.connect(self._exit)
        tp.task_reaped.connect(self._reaped)
        tp.sched_process_free.connect(self._free)
        tp.task_reparent.connect(self._reparent)
        tp.sched_switch.connect(self._switch)
        tp.page_fault_user.connect(self._fault)
        tp.mm_cow.connect(self._cow)
        tp.sys_enter.connect(self._syscall)
        tp.signal_generate.connect(self._signal_generate)
        tp.signal_deliver.connect(self._signal_deliver)

    def _record(self, task: TaskStruct) -> TaskRecord:
        rec = self.records.get(task)
        if rec is None:
            rec = self.records[task] = TaskRecord(task.pid, task.comm, None, bool(task.flags & PF_KTHREAD))
            self.roots.append(rec)
        return rec

    def _newtask(self, task: TaskStruct, clone_flags: int) -> None:
        self.counts.tasks_created += 1

    def _fork(self, parent: TaskStruct, child: TaskStruct) -> None:
        rec = TaskRecord(child.pid, child.comm, None, bool(child.flags & PF_KTHREAD))
        self.records[child] = rec
        if parent.pid == 0:
            self.roots.append(rec)
        else:
            creator = self._record(parent)
            rec.creator = creator
            creator.children.append(rec)

    def _exec(self, task: TaskStruct, filename: str, old_pid: int) -> None:
        self._record(task).comm = task.comm

    def _rename(self, task: TaskStruct, old: str, new: str) -> None:
        self._record(task).comm = new

    def _exit(self, task: TaskStruct) -> None:
        rec = self._record(task)
        rec.ended = describe_status(task.exit_code)
        sig = task.exit_code & 0x7F
        if sig and task.group_leader is task and rec.signals_sent[sig] > sum(rec.signal_fates.get(sig, Counter()).values()):
            # a fatal signal takes the whole group down when it is sent
            # (complete_signal), without ever being dequeued
            rec.signal_fates.setdefault(sig, Counter())["fatal"] += 1

    def _reaped(self, task: TaskStruct, reaper: TaskStruct, status: int) -> None:
        self._record(task).reaped_by = reaper.tgid

    def _free(self, task: TaskStruct) -> None:
        rec = self._record(task)
        if rec.reaped_by is None:
            rec.auto_reaped = True

    def _reparent(self, task: TaskStruct, old: TaskStruct, new: TaskStruct) -> None:
        self._record(task).adopted_by.append(new.tgid)

    def _switch(self, cpu: int, prev: TaskStruct, prev_state: int, nxt: TaskStruct) -> None:
        self.counts.context_switches += 1

    def _fault(self, task: TaskStruct, address: int, access: str, kind: str) -> None:
        if kind not in ("segv", "sigbus", "spurious"):
            self.counts.page_faults += 1
            self._record(task).faults += 1

    def _cow(self, task: TaskStruct, address: int, copied: bool) -> None:
        if copied:
            self.counts.cow_copies += 1
            self._record(task).cow_copies += 1

    def _syscall(self, task: TaskStruct, nr: int, args: tuple) -> None:
        self.counts.syscalls += 1
        self._record(task).syscalls += 1

    # Signals are shown per process (on its leader): one sent to the process
    # is taken by whichever thread is ready for it.

    def _signal_generate(self, sig: int, task: TaskStruct, result: str) -> None:
        self.counts.signals += 1
        rec = self._record(task.group_leader)
        rec.signals_sent[sig] += 1
        fate = _GENERATE_FATES.get(result)
        if fate is not None:
            rec.signal_fates.setdefault(sig, Counter())[fate] += 1

    def _signal_deliver(self, sig: int, task: TaskStruct, action: str) -> None:
        self._record(task.group_leader).signal_fates.setdefault(sig, Counter())[_DELIVER_FATES[action]] += 1

    # ---- views --------------------------------------------------------------------------

    @staticmethod
    def describe_signals(rec: TaskRecord) -> str:
        """One phrase per signal the process was sent, e.g. "SIGUSR1 sent 5:
        1 handled, 4 merged with a pending one". Signals neither delivered nor
        dropped on arrival were still pending at the end, or were cancelled
        (a stop signal cancels a pending SIGCONT and the other way round)."""
        phrases = []
        for sig in sorted(rec.signals_sent):
            sent = rec.signals_sent[sig]
            fates = Counter(rec.signal_fates.get(sig, ()))
            left = sent - sum(fates.values())
            if left > 0:
                fates["never delivered"] += left
            if sent == 1:
                phrases.append(f"{signame(sig)} {next(iter(fates))}")
            else:
                phrases.append(f"{signame(sig)} sent {sent}: " + ", ".join(f"{n} {fate}" for fate, n in fates.items()))
        return "; ".join(phrases)

    def user_roots(self) -> list[TaskRecord]:
        """The trees below the idle task that are not kernel threads (init's)."""
        return [r for r in self.roots if not r.kthread]

    def describe(self, rec: TaskRecord) -> Text:
        text = Text()
        text.append(f"{rec.pid} ", style="bold")
        text.append(rec.comm, style="cyan")
        facts = []
        result = self.k.result
        if rec.ended:
            facts.append(rec.ended)
        elif rec.pid == 1 and result is not None and result.reason == "poweroff":
            facts.append("powered the machine off once no child was left")
        else:
            facts.append("running when the machine stopped")
        if rec.adopted_by:
            facts.append("orphan, adopted by " + ", ".join(map(str, rec.adopted_by)))
        if rec.reaped_by is not None:
            facts.append(f"reaped by {rec.reaped_by}")
        elif rec.auto_reaped:
            facts.append("reaped automatically")
        elif rec.ended:
            facts.append("zombie, never reaped")
        if rec.cow_copies:
            facts.append(f"{rec.cow_copies} COW cop{'y' if rec.cow_copies == 1 else 'ies'}")
        text.append("  " + " · ".join(facts), style="dim")
        signals = self.describe_signals(rec)
        if signals:
            text.append("\n  signals: " + signals, style="dim")
        return text

    def tree(self) -> Tree:
        top = Tree(Text("process tree (pid command  how it ended)", style="bold"))
        for root in self.user_roots():
            self._add(top, root)
        return top

    def _add(self, parent: Tree, rec: TaskRecord) -> None:
        node = parent.add(self.describe(rec))
        for child in rec.children:
            self._add(node, child)

    def counts_line(self) -> Text:
        c = self.counts
        k = self.k
        text = Text()
        parts = [
            ("tasks created", c.tasks_created),
            ("context switches", c.context_switches),
            ("page faults", c.page_faults),
            ("copy-on-write copies", c.cow_copies),
            ("syscalls", c.syscalls),
            ("signals sent", c.signals),
        ]
        text.append("\n".join(f"{name}: {value}" for name, value in parts))
        text.append(f"\nvirtual time: {k.clock.now / 1e6:.3f} ms (CPU busy {(k.clock.now - k.idle_ns) / 1e6:.3f} ms)")
        if k.fork_failures:
            failures = ", ".join(f"{n} for {why}" for why, n in sorted(k.fork_failures.items()))
            text.append(f"\nfork failed: {failures}", style="yellow")
        return text

    def renderable(self) -> Group:
        return Group(self.tree(), self.counts_line())
