"""One run of a program under a given schedule, with what each step touched.

A *step* is what a task does between two choice points: from the moment it
is given the CPU to the moment the next decision is taken -- at its next
return to user mode from a syscall (`ChoicePoints.syscall_exit`, asked only
while exploring), or when it sleeps, exits, is preempted by a tick or yields
(`ChoicePoints.pick_next`). At each choice point the `Driver` takes the
next task of the schedule, or Linux's own choice where the schedule says
nothing, so the run with no schedule at all is exactly `proclab run`'s.

While the run goes on, the driver is lib/lockdep's recorder: every lock the
kernel takes on behalf of the running task lands in that task's current
step, which is what the search (dpor.py) uses to tell dependent steps from
independent ones. Work the kernel does for a task after a decision and
before the switch (signal delivery on the way out) goes to that task's next
step; work done while no task runs (timers in the idle loop) belongs to no
step: a timer firing is not a choice point. Arming one is a write to the
timer queue (kernel/time/timekeeping.py), so two steps that start sleeps
are dependent and the search tries both orders.

Init (our kernel's own PID 1, which starts the command, reaps orphans and
powers off) and the kernel threads take part in the schedule, but the locks
they take are not recorded: the order in which they reap or sleep is not
something a program can see, and recording it would double the search at
every one of their steps.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Hashable, Optional

from ..fs.console import BufferConsole
from ..kernel.init import Command
from ..kernel.kernel import Kernel, KernelConfig
from ..kernel.sched.sched import ChoicePoints
from ..kernel.task import PF_KTHREAD, TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE
from ..lib import lockdep
from ..arch.x86_64.pgtable import ACCESS_WRITE, PAGE_SHIFT, _PAGE_WRITE
from ..mm.mm_struct import VM_SHARED, VM_WRITE, MmStruct
from ..uapi.unistd import NAMES as SYSCALL_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.sched.core import Runqueue
    from ..kernel.task import TaskStruct

Touches = dict[Hashable, bool]   # lock key -> written (False: only read)


class ScheduleMismatch(Exception):
    """A schedule asks for a task that cannot run at that point (the schedule
    was made for another program, other arguments or other options)."""


@dataclass
class Step:
    """One step of a run: the task that took it, the one Linux would have
    run, every task that could have run (pids, sorted) and the locks taken."""

    tid: int
    linux: int
    enabled: tuple[int, ...]
    touches: Touches = field(default_factory=dict)
    system: bool = False   # a step of init or of a kernel thread


def dependent(a: Touches, b: Touches) -> bool:
    """Two steps are dependent when they take a lock in common and one of
    them writes under it (swapping them may change what either sees)."""
    if len(a) > len(b):
        a, b = b, a
    for key, written in a.items():
        other = b.get(key)
        if other is not None and (written or other):
            return True
    return False


@dataclass
class Request:
    """What one run is asked to do. `forced`: the task to run at some step
    indices (every index of a prefix, or only the deviations of a schedule
    id); elsewhere Linux's choice. `sleep`: tasks, with the step each would
    take, that must not be run from step `sleep_from` on until a dependent
    step has happened (the search's sleep set); `sleep_from` is the index of
    the last forced step of the prefix. `policy(index, enabled, linux)`, if
    given, chooses where nothing is forced instead of Linux (random search)."""

    forced: dict[int, int] = field(default_factory=dict)
    sleep: dict[int, Touches] = field(default_factory=dict)
    sleep_from: int = 0
    policy: Optional[Callable[[int, tuple[int, ...], int], int]] = None


@dataclass
class Trace:
    """What one run did and how it ended."""

    steps: list[Step]
    stdout: bytes
    stderr: bytes
    status: int            # as `proclab run` exits: code, 128+signal, 124 for a deadlock or budget
    reason: str            # how the machine stopped: poweroff, deadlock, timeout, panic, blocked
    message: str
    waits: list[str]       # for a deadlock: who sleeps where
    tree: str              # every process: pid, parent, command, how it ended
    shared_memory: bool = False  # tasks shared writable memory (its accesses are not choice points)

    @property
    def deadlock(self) -> bool:
        return self.reason == "deadlock"

    @property
    def blocked(self) -> bool:
        """The sleep set left nothing new to run: not an outcome."""
        return self.reason == "blocked"


class Driver(ChoicePoints):
    """The choice points of one explored run, and lockdep's recorder."""

    steps = True

    def __init__(self, request: Request, max_steps: int = 0) -> None:
        self.request = request
        self.max_steps = max_steps                 # 0: no limit (a replay)
        self.trace: list[Step] = []
        self.open: Optional[Step] = None
        self.open_task: Optional[TaskStruct] = None
        self.pending: Optional[TaskStruct] = None  # chosen at a syscall exit, switched to at pick_next
        self.sleep = dict(request.sleep)
        self.carry: dict[int, Touches] = {}        # locks a task took outside its step
        self.seq: dict[int, int] = {}              # objects each task created (new_key)
        self.kernel: Optional[Kernel] = None
        self.mismatch: Optional[str] = None        # the schedule did not fit the program
        self.shared_memory = False                 # some task ran with memory another can write
        self.granted: dict[int, set[tuple[int, bool]]] = {}  # pages each task may touch without a stop
        self.access_stop = False                   # the last choice point was before an access

    # ---- lockdep's recorder ---------------------------------------------------------

    def touch(self, key: Hashable, write: bool) -> None:
        touches = self._touches()
        if touches is None:
            return
        if write:
            touches[key] = True
        elif key not in touches:
            touches[key] = False

    def touch_many(self, keys: list[Hashable], write: bool) -> None:
        touches = self._touches()
        if touches is None:
            return
        if write:
            touches.update(dict.fromkeys(keys, True))
        else:
            for key in keys:
                touches.setdefault(key, False)

    def _touches(self) -> Optional[Touches]:
        """Where the running task's locks go: its open step, or what it
        carries into its next one; None for init and kernel threads."""
        k = self.kernel
        if k is None:
            return None
        cur = k.current()
        if cur.flags & PF_KTHREAD or cur.pid == 1:
            return None
        pid = cur.pid
        step = self.open
        return step.touches if step is not None and step.tid == pid else self.carry.setdefault(pid, {})

    def new_key(self) -> Hashable:
        """(creator, n): the n-th object the task creates (0: boot, irqs)."""
        k = self.kernel
        owner = k.current().pid if k is not None else 0
        n = self.seq.get(owner, 0)
        self.seq[owner] = n + 1
        return (owner, n)

    # ---- choice points --------------------------------------------------------------

    def syscall_exit(self, rq: Runqueue, t: TaskStruct) -> bool:
        if self.access_stop:
            self.access_stop = False  # the access is granted when the task goes on
        else:
            self.granted.pop(t.pid, None)
        chosen = self._decide(rq, t)
        if chosen is t:
            return False
        self.pending = chosen
        return True

    def pick_next(self, rq: Runqueue, linux: TaskStruct, runnable: Callable[[], list[TaskStruct]]) -> TaskStruct:
        pending, self.pending = self.pending, None
        if pending is not None and pending.on_rq and pending.state == TASK_RUNNING:
            return pending
        self.granted.pop(rq.curr.pid, None)
        return self._decide(rq, linux)

    def _decide(self, rq: Runqueue, linux: TaskStruct) -> TaskStruct:
        """A choice point: the step that ran ends, the next task is taken."""
        self._close()
        candidates = {p.pid: p for p in rq.sched.runnable(rq) if p is not rq.idle}
        if not candidates:
            return linux
        index = len(self.trace)
        assert self.kernel is not None
        if self.max_steps and index == self.max_steps:
            self.kernel.halt("timeout", f"a run took more than {index} steps (raise it with --max-steps N)")
            return linux
        try:
            tid = choose(self.request, index, tuple(sorted(candidates)), linux.pid, self.sleep)
        except ScheduleMismatch as exc:
            # (not raised here: this may run inside a syscall, where an
            # exception would be taken for a kernel bug)
            self.mismatch = str(exc)
            self.kernel.halt("mismatch", self.mismatch)
            return linux
        if tid is None:
            self.kernel.halt("blocked", "every task that can run is in the sleep set")
            return linux
        task = candidates[tid]
        if not self.shared_memory and task.mm is not None:
            self._check_sharing(task)
        if self.shared_memory:
            self._watch_cpus()
        step = Step(tid, linux.pid, tuple(sorted(candidates)), self.carry.pop(tid, {}),
                    bool(task.flags & PF_KTHREAD) or tid == 1)
        step.touches.setdefault(("task", tid), False)
        self.trace.append(step)
        self.open, self.open_task = step, task
        return task

    def _check_sharing(self, task: TaskStruct) -> None:
        """Threads (one mm), MAP_SHARED or System V shm writable mappings:
        the interleavings of their loads and stores are not explored."""
        mm = task.mm
        self.shared_memory = mm.users > 1 or any(v.flags & VM_SHARED and v.flags & VM_WRITE for v in mm.vmas())

    # ---- memory that tasks share ---------------------------------------------------------

    def _watch_cpus(self) -> None:
        """Every step starts with empty TLBs, and each CPU asks `watch`
        before it caches a page."""
        assert self.kernel is not None
        for cpu in self.kernel.cpus:
            if cpu is not None:
                cpu.watch = self.watch
                cpu.flush_tlb()

    def watch(self, vaddr: int, access: int, pte: int) -> Optional[int]:
        """A load or store of the running task reaches a page: if another
        task can write that page (threads' memory, MAP_SHARED, shm), its
        first read and its first write in each stretch of user code are
        choice points (None: stop before it); once granted, the access is a
        lock taken on the page. Returns the permissions to cache: a read
        leaves the page read-only, so that the first write stops again."""
        assert self.kernel is not None
        perms = pte & 7
        t = self.kernel.current()
        key = self._shared_page(t.mm, vaddr, pte)
        if key is None:
            return perms
        write = access == ACCESS_WRITE
        granted = self.granted.setdefault(t.pid, set())
        page = (vaddr >> PAGE_SHIFT, write)
        if page not in granted:
            granted.add(page)
            self.access_stop = True
            return None
        self.touch(key, write)
        return perms if write else perms & ~_PAGE_WRITE

    def user_access(self, mm: MmStruct, vaddr: int, pte: int, write: bool) -> None:
        """The kernel copies from or to user memory (lockdep.might_fault):
        a shared page is touched by the step, with no stop of its own (a
        syscall is one step)."""
        key = self._shared_page(mm, vaddr, pte)
        if key is not None:
            self.touch(key, write)

    @staticmethod
    def _shared_page(mm: Optional[MmStruct], vaddr: int, pte: int) -> Optional[Hashable]:
        """The lock key of the page at `vaddr` when another task can write it
        (threads of one mm, MAP_SHARED, System V shm); None for private memory."""
        vma = mm.find_vma(vaddr) if mm is not None else None
        if vma is None or not vma.flags & VM_WRITE or not (vma.flags & VM_SHARED or mm.users > 1):
            return None
        if vma.flags & VM_SHARED:
            backing = getattr(vma.file, "lock_key", None)
            return ("shm", backing, vma.page_offset(vaddr)) if backing is not None else ("frame", pte >> PAGE_SHIFT)
        return ("mem", mm.lock_key, vaddr >> PAGE_SHIFT)

    def _close(self) -> None:
        """The open step is over: tasks asleep in the sleep set wake up when
        it was dependent on the step they would take."""
        step, task = self.open, self.open_task
        if step is None or task is None:
            return
        self.open = self.open_task = None
        if task.state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE) and not task.exit_state:
            # It went to sleep: the checks that failed (what it read) had no
            # effect; the step that proceeds once it is woken reads again
            # (as if a blocking call were not enabled until it can go on).
            step.touches = {key: True for key, written in step.touches.items() if written}
        if self.sleep and len(self.trace) - 1 >= self.request.sleep_from:
            self.sleep = wake_sleepers(self.sleep, step.touches)


def choose(request: Request, index: int, enabled: tuple[int, ...], linux: int,
           sleep: dict[int, Touches]) -> Optional[int]:
    """The task to run at step `index`: the schedule's, else the policy's,
    else Linux's -- or, if that one sleeps, the first that does not. None
    when every task that can run sleeps (the run is redundant)."""
    forced = request.forced.get(index)
    if forced is not None:
        if forced not in enabled:
            raise ScheduleMismatch(f"step {index}: pid {forced} cannot run there (runnable: "
                                   f"{', '.join(map(str, enabled))})")
        return forced
    if request.policy is not None:
        return request.policy(index, enabled, linux)
    tid = linux if linux in enabled else enabled[0]
    if tid in sleep:
        awake = [pid for pid in enabled if pid not in sleep]
        return awake[0] if awake else None
    return tid


def wake_sleepers(sleep: dict[int, Touches], touches: Touches) -> dict[int, Touches]:
    """The sleep set after a step that took `touches`: a task whose own
    step depends on it may have something new to do."""
    return {q: t for q, t in sleep.items() if not dependent(t, touches)}


@dataclass
class Job:
    """The program and the options every run of it shares."""

    path: str
    argv: list[str]
    env: list[str] = field(default_factory=list)
    stdin: bytes = b""
    config: KernelConfig = field(default_factory=KernelConfig)
    max_steps: int = 5000    # a run with more steps stops (its races cost steps squared)


def execute(job: Job, request: Request) -> Trace:
    """Run `job` once under `request` on a fresh machine (in this process)."""
    # A machine is a graph of cycles that lives for one run: the collector
    # scanning it again and again while it runs took ~15% of a run. It stays
    # off until the machine is unreachable, then one collection of the
    # youngest objects frees it (collecting while it is still referenced
    # would only move all of it to an older generation).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _execute(job, request)
    finally:
        if collecting:
            gc.collect(0)
            gc.enable()


def _execute(job: Job, request: Request) -> Trace:
    driver = Driver(request, job.max_steps)
    console = BufferConsole(job.stdin)
    lockdep.recorder = driver
    try:
        k = Kernel(job.config, console)
        k.on_warning = lambda message: None   # the first (Linux's) run is shown by `run`
        k.on_report = lambda message: None
        k.sched.choice = driver
        driver.kernel = k
        k.boot(Command(os.fsencode(job.path), [os.fsencode(a) for a in job.argv],
                       [os.fsencode(e) for e in job.env]))
        result = k.run()
        driver._close()
    finally:
        lockdep.recorder = None
    if driver.mismatch is not None:
        raise ScheduleMismatch(driver.mismatch)
    trace = Trace(driver.trace, bytes(console.out[1]), bytes(console.out[2]), result.exit_code(),
                  result.reason, result.message, _waits(k) if result.reason == "deadlock" else [],
                  _tree(k), driver.shared_memory)
    k.release()
    driver.kernel = None
    return trace


def _waits(k: Kernel) -> list[str]:
    """Who sleeps where when nothing can run: each user task and the
    syscall it sleeps in."""
    out = []
    for p in k.for_each_process():
        for t in p.signal.threads() or [p]:
            if t.pid == 1 or t.flags & PF_KTHREAD or t.state == TASK_RUNNING or t.exit_state:
                continue
            name = SYSCALL_NAMES.get(t.syscall_nr, "the kernel") if t.syscall_nr >= 0 else "the kernel"
            out.append(f"pid {t.pid} ({t.comm}) sleeps in {name}")
    return out


def _tree(k: Kernel) -> str:
    """The processes still there at the end (a deadlock leaves some)."""
    return "\n".join(f"{p.pid} {p.real_parent.pid} {p.comm}" for p in k.for_each_process()
                     if p.pid != 1 and not p.flags & PF_KTHREAD)
