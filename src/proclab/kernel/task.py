"""The process descriptor (include/linux/sched.h struct task_struct, and
struct signal_struct / sighand_struct, which threads of a group share).

States (SEMANTICS S1): `state` is TASK_RUNNING (on a runqueue or running),
TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE, __TASK_STOPPED, __TASK_TRACED or
TASK_DEAD; `exit_state` is EXIT_ZOMBIE or EXIT_DEAD once the task has exited.
Only `set_task_state` (sched/core.py) writes `state` (S3).

Who touches what is written next to each field. "self" means code running on
behalf of the task itself (its syscalls, its exit); "parent" the code of its
parent (wait); "sched" the scheduler.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional

from sortedcontainers import SortedDict

from ..lib.wait import WaitQueueHead
from ..uapi.resource import (
    RLIM_INFINITY,
    RLIM_NLIMITS,
    RLIMIT_CORE,
    RLIMIT_MSGQUEUE,
    RLIMIT_NICE,
    RLIMIT_NOFILE,
    RLIMIT_RTPRIO,
    RLIMIT_STACK,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..fs.file import FilesStruct, FsStruct
    from ..mm.mm_struct import MmStruct
    from .pid import Pid
    from .time.posix_timers import KItimer

# task->state
TASK_RUNNING = 0x0000
TASK_INTERRUPTIBLE = 0x0001
TASK_UNINTERRUPTIBLE = 0x0002
__TASK_STOPPED = 0x0004
__TASK_TRACED = 0x0008
TASK_DEAD = 0x0080
TASK_WAKEKILL = 0x0100
TASK_NOLOAD = 0x0400
TASK_NEW = 0x0800
TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE
TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED
TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE
# an idle kernel thread's sleep: uninterruptible, yet not counted as load (ps: I)
TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD
# Linux spells the bare bits __TASK_STOPPED / __TASK_TRACED; inside Python
# classes a leading "__" is name-mangled, so code there uses these names.
TASK_STOPPED_BIT = __TASK_STOPPED
TASK_TRACED_BIT = __TASK_TRACED

# task->exit_state
EXIT_DEAD = 0x0010
EXIT_ZOMBIE = 0x0020

# task->flags
PF_IDLE = 0x00000002
PF_EXITING = 0x00000004
PF_FORKNOEXEC = 0x00000040
PF_SUPERPRIV = 0x00000100
PF_SIGNALED = 0x00000400
PF_KTHREAD = 0x00200000

# thread_info flags: work to do before returning to user mode
TIF_SIGPENDING = 1
TIF_NEED_RESCHED = 2

TASK_COMM_LEN = 16
CPU_MASK_ALL = (1 << 64) - 1  # every CPU a machine may have (cpus_mask of init_task)

# The children of a task without any: one shared, read-only empty mapping
# (most tasks never have a child; exit.link_child makes a dict for the first).
NO_CHILDREN: Mapping = MappingProxyType({})


def state_char(task: "TaskStruct") -> str:
    """The ps(1) letter of a task (fs/proc/array.c task_state_array)."""
    if task.exit_state & EXIT_ZOMBIE:
        return "Z"
    if task.exit_state & EXIT_DEAD:
        return "X"
    state = task.state
    if state & TASK_INTERRUPTIBLE:
        return "S"
    if state & TASK_IDLE == TASK_IDLE:
        return "I"
    if state & TASK_UNINTERRUPTIBLE:
        return "D"
    if state & __TASK_STOPPED:
        return "T"
    if state & __TASK_TRACED:
        return "t"
    if state & (TASK_DEAD | TASK_NEW):
        return "X" if state & TASK_DEAD else "R"
    if task.flags & PF_IDLE:
        return "I"
    return "R"


STATE_NAMES = {
    TASK_RUNNING: "TASK_RUNNING", TASK_INTERRUPTIBLE: "TASK_INTERRUPTIBLE",
    TASK_UNINTERRUPTIBLE: "TASK_UNINTERRUPTIBLE", TASK_KILLABLE: "TASK_KILLABLE",
    TASK_IDLE: "TASK_IDLE", TASK_STOPPED: "TASK_STOPPED", __TASK_STOPPED: "__TASK_STOPPED", __TASK_TRACED: "__TASK_TRACED",
    TASK_DEAD: "TASK_DEAD", TASK_NEW: "TASK_NEW",
}


def _default_rlimits() -> tuple[tuple[int, int], ...]:
    lim = [(RLIM_INFINITY, RLIM_INFINITY)] * RLIM_NLIMITS
    lim[RLIMIT_STACK] = (8 << 20, RLIM_INFINITY)
    lim[RLIMIT_CORE] = (0, RLIM_INFINITY)
    lim[RLIMIT_NOFILE] = (1024, 1 << 20)
    lim[RLIMIT_NICE] = (0, 0)      # init's limits (INIT_RLIMITS): no nice raise, no rt priority
    lim[RLIMIT_RTPRIO] = (0, 0)
    lim[RLIMIT_MSGQUEUE] = (819200, 819200)  # MQ_BYTES_MAX (include/linux/mqueue.h)
    return tuple(lim)


# (soft, hard) per resource, as a login shell usually has them. Immutable, so
# fork shares it; setrlimit replaces the whole tuple of one process.
DEFAULT_RLIMITS = _default_rlimits()


class Usage(NamedTuple):
    """Resource usage (the struct rusage fields proclab keeps). Immutable, so
    the zero value is shared and sums are new tuples."""

    utime: int = 0
    stime: int = 0
    min_flt: int = 0
    maj_flt: int = 0
    nvcsw: int = 0
    nivcsw: int = 0

    def __add__(self, o: "Usage") -> "Usage":  # type: ignore[override]
        return Usage(self[0] + o[0], self[1] + o[1], self[2] + o[2], self[3] + o[3],
                     self[4] + o[4], self[5] + o[5])


NO_USAGE = Usage()


def task_usage(t: "TaskStruct") -> Usage:
    return Usage(t.utime, t.stime, t.min_flt, t.maj_flt, t.nvcsw, t.nivcsw)


def process_usage(t: "TaskStruct") -> Usage:
    """thread_group_cputime() and friends: the threads that exited plus the
    live ones (a zombie leader included)."""
    sig = t.signal
    if sig.nr_threads <= 1:
        return sig.dead_usage + task_usage(t)
    total = sig.dead_usage
    for thread in sig.threads():
        total = total + task_usage(thread)
    return total


class SigPending:
    """struct sigpending: a mask of pending signals plus, for each, the siginfo
    of the queued instances (standard signals keep one, real-time ones queue).
    The queue is created with its first entry: most tasks never get one."""

    __slots__ = ("signal", "queue")

    def __init__(self) -> None:
        self.signal = 0
        self.queue: list[tuple[int, dict]] | tuple = ()

    def add(self, sig: int, info: dict) -> None:
        if not self.queue:
            self.queue = []
        self.queue.append((sig, info))
        self.signal |= 1 << (sig - 1)

    def take(self, sig: int) -> Optional[dict]:
        """Remove the oldest queued instance of `sig` (its siginfo, or None when
        none was queued); the mask bit goes with the last instance."""
        info = None
        for i, (s, queued) in enumerate(self.queue):
            if s == sig:
                info = queued
                del self.queue[i]
                break
        if not any(s == sig for s, _ in self.queue):
            self.signal &= ~(1 << (sig - 1))
        return info

    def holds(self, info: dict) -> bool:
        """Is this very siginfo queued here? (a preallocated sigqueue's
        !list_empty(&q->list))"""
        return any(queued is info for _, queued in self.queue)

    def discard(self, mask: int) -> list[tuple[int, dict]]:
        """Forget every pending signal in `mask` (the list work of
        flush_sigqueue_mask); returns the queued instances that went."""
        self.signal &= ~mask
        if not self.queue:
            return []
        dropped = [q for q in self.queue if (1 << (q[0] - 1)) & mask]
        if dropped:
            self.queue = [q for q in self.queue if not (1 << (q[0] - 1)) & mask]
        return dropped


class SigQueue(dict):
    """The struct sigqueue a posix timer preallocates (SIGQUEUE_PREALLOC): the
    timer's siginfo, made once by timer_create and queued again at every
    expiry -- on one pending set at most, so an expiry never queues it twice.
    `timer` is the KItimer it belongs to (container_of). Dequeueing hands the
    task a copy (posix_timers.py posixtimer_deliver_signal)."""

    __slots__ = ("timer",)


class SigHand:
    """struct sighand_struct: the dispositions, shared by CLONE_SIGHAND.
    `action[sig]` is (handler, flags, mask, restorer); missing means SIG_DFL."""

    __slots__ = ("action", "users")

    def __init__(self) -> None:
        self.action: dict[int, tuple[int, int, int, int]] = {}
        self.users = 1

    def copy(self) -> "SigHand":
        new = SigHand()
        new.action = dict(self.action)
        return new


class SignalStruct:
    """struct signal_struct: what the threads of one process share. Written by
    the group's own threads (exit, setpgid...) and by signal senders
    (shared_pending)."""

    __slots__ = (
        "shared_pending", "nr_threads", "live", "group_exit_code", "flags",
        "group_exec_task", "is_child_subreaper", "has_child_subreaper",
        "pgrp", "session", "leader", "rlim", "wait_chldexit", "thread_head",
        "dead_usage", "children_usage", "tty",
        "group_stop_count", "real_timer", "it_real_incr", "it_virt", "it_prof",
        "posix_timers", "next_posix_timer_id", "posix_cputimers", "ignored_posix_timers",
    )

    def __init__(self) -> None:
        self.shared_pending = SigPending()
        self.nr_threads = 0                 # threads on the list below
        self.live = 1                       # threads not yet exited
        self.group_exit_code = 0
        self.flags = 0                      # SIGNAL_GROUP_EXIT, SIGNAL_STOP_*
        self.group_exec_task: Optional[TaskStruct] = None  # a thread in de_thread()
        self.is_child_subreaper = False     # prctl(PR_SET_CHILD_SUBREAPER)
        self.has_child_subreaper = False    # some ancestor is one
        self.pgrp: Optional[Pid] = None     # process group (pids[PIDTYPE_PGID])
        self.session: Optional[Pid] = None  # session (pids[PIDTYPE_SID])
        self.leader = False                 # session leader
        self.rlim = DEFAULT_RLIMITS
        self.wait_chldexit: Optional[WaitQueueHead] = None  # made by the first wait
        self.thread_head: Optional[TaskStruct] = None  # first of the threads' circular list
        self.dead_usage = NO_USAGE          # what the group's exited threads used
        self.children_usage = NO_USAGE      # what reaped children used (RUSAGE_CHILDREN)
        self.tty = None
        self.group_stop_count = 0
        self.real_timer = None              # ITIMER_REAL (a clock Timer)
        self.it_real_incr = 0
        self.it_virt = (0, 0)               # ITIMER_VIRTUAL: (value, interval) in ns
        self.it_prof = (0, 0)               # ITIMER_PROF
        # POSIX timers (posix_timers.py): made and deleted by the group's own
        # threads (timer_create/timer_delete), and by exec and exit
        # (exit_itimers); absent until the first timer_create.
        self.posix_timers: Optional[dict[int, KItimer]] = None
        self.next_posix_timer_id = 0        # where timer_create looks for a free id
        # the armed CPU-time timers (posix_cpu_timers.py: arming, firing, cancelling)
        self.posix_cputimers: Optional[list[KItimer]] = None
        # periodic timers whose signal was ignored (posixtimer_sig_ignore/unignore)
        self.ignored_posix_timers: Optional[list[KItimer]] = None

    # The threads hang off the group in a circular doubly linked list through
    # TaskStruct.thread_prev/thread_next (signal->thread_head, T2): adding and
    # removing a thread is O(1) and costs no container per process.

    def add_thread(self, t: TaskStruct) -> None:
        head = self.thread_head
        if head is None:
            self.thread_head = t.thread_prev = t.thread_next = t
        else:
            t.thread_prev, t.thread_next = head.thread_prev, head
            head.thread_prev.thread_next = t
            head.thread_prev = t
        self.nr_threads += 1

    def remove_thread(self, t: TaskStruct) -> None:
        if t.thread_next is t:
            self.thread_head = None
        else:
            t.thread_prev.thread_next = t.thread_next
            t.thread_next.thread_prev = t.thread_prev
            if self.thread_head is t:
                self.thread_head = t.thread_next
        t.thread_prev = t.thread_next = t
        self.nr_threads -= 1

    def threads(self) -> list[TaskStruct]:
        """The group's threads in the order they were created (a snapshot)."""
        out = []
        t = self.thread_head
        for _ in range(self.nr_threads):
            out.append(t)
            t = t.thread_next
        return out


# signal->flags
SIGNAL_STOP_STOPPED = 0x00000001    # the group is stopped
SIGNAL_STOP_CONTINUED = 0x00000002  # SIGCONT since the last report (WCONTINUED)
SIGNAL_GROUP_EXIT = 0x00000004
SIGNAL_CLD_STOPPED = 0x00000010     # the parent still has to hear of the stop
SIGNAL_CLD_CONTINUED = 0x00000020   # ... or of the continue
SIGNAL_CLD_MASK = SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED

# task->jobctl
JOBCTL_STOP_PENDING = 1 << 17       # take part in the group stop
SIGNAL_UNKILLABLE = 0x00000040  # init: ignores signals it has no handler for


class Cred:
    """struct cred: user and group ids. Treated as immutable: fork shares it,
    and set*id() installs a changed copy (cred.py)."""

    __slots__ = ("uid", "gid", "euid", "egid", "suid", "sgid", "fsuid", "fsgid", "groups")

    def __init__(self, uid: int = 0, gid: int = 0) -> None:
        self.uid = self.euid = self.suid = self.fsuid = uid
        self.gid = self.egid = self.sgid = self.fsgid = gid
        self.groups: tuple[int, ...] = ()

    def copy(self) -> "Cred":
        new = Cred()
        for name in self.__slots__:
            setattr(new, name, getattr(self, name))
        return new


# init_task's timer slack: 50 us, which every task inherits
TIMER_SLACK_NS = 50_000

class TaskStruct:
    """struct task_struct (SEMANTICS T1)."""

    __slots__ = (
        # identity -- fixed at copy_process (tgid/pid change only in de_thread)
        "pid", "tgid", "pid_link", "comm",
        # state -- written by set_task_state only
        "state", "exit_state", "exit_code", "exit_signal", "flags", "tif",
        # family -- parent/children links are changed by fork, exit and reparenting
        "real_parent", "parent", "children", "group_leader",
        # the wait side of the family (exit.py link_child & co): position among
        # the parent's children, children with something to report, in order
        "sibling_seq", "wait_ready", "nr_clone_children",
        # resources, shared or copied by clone flags
        "mm", "files", "fs", "sighand", "signal", "cred",
        # System V semaphore undo list (ipc/sem.py), shared with CLONE_SYSVSEM
        "sysvsem",
        # signals -- blocked is written by self; pending by senders
        "blocked", "real_blocked", "saved_sigmask", "restore_sigmask", "pending", "pdeath_signal",
        "sas_ss_sp", "sas_ss_size", "sas_ss_flags", "jobctl", "trap_info",
        # scheduling -- written by the scheduler (sched/core.py and the classes)
        "prio", "static_prio", "normal_prio", "rt_priority", "policy", "sched_reset_on_fork",
        "sched_class", "se", "rt", "sched_info", "on_rq", "on_cpu", "cpu", "cpus_mask",
        # accounting
        "utime", "stime", "start_time", "nvcsw", "nivcsw", "min_flt", "maj_flt",
        # timer slack (prctl PR_SET_TIMERSLACK): how late its sleeps may end;
        # written by itself and by sched_setscheduler (0 for a real-time policy)
        "timer_slack_ns", "default_timer_slack_ns",
        # creation and exit hand-shakes
        "vfork_done", "set_child_tid", "clear_child_tid", "robust_list",
        # arch state: user registers (a Context) or a scripted user program
        "thread", "kstack", "syscall_nr", "restart_block",
        # task list (T2): init_task.tasks is a circular doubly linked list;
        # the threads of a group form another one (signal.thread_head)
        "tasks_prev", "tasks_next", "thread_prev", "thread_next",
    )

    def __init__(self) -> None:
        self.pid = 0
        self.tgid = 0
        self.pid_link: Optional[Pid] = None
        self.comm = ""
        self.state = TASK_NEW
        self.exit_state = 0
        self.exit_code = 0
        self.exit_signal = 0
        self.flags = 0
        self.tif = 0
        self.real_parent: TaskStruct = self
        self.parent: TaskStruct = self
        self.children: Mapping[TaskStruct, None] = NO_CHILDREN
        self.sibling_seq = 0
        self.wait_ready: Optional[SortedDict] = None
        self.nr_clone_children = 0       # children whose exit signal is not SIGCHLD
        self.group_leader: TaskStruct = self
        self.mm: Optional[MmStruct] = None
        self.files: Optional[FilesStruct] = None
        self.fs: Optional[FsStruct] = None
        self.sysvsem: Any = None
        # set by the creator (copy_process, or boot for the first tasks)
        self.sighand: SigHand = None  # type: ignore[assignment]
        self.signal: SignalStruct = None  # type: ignore[assignment]
        self.cred: Cred = None  # type: ignore[assignment]
        self.blocked = 0
        self.real_blocked = 0
        self.saved_sigmask = 0
        self.restore_sigmask = False     # TIF_RESTORE_SIGMASK: sigsuspend's mask is temporary
        self.pending = SigPending()
        self.sas_ss_sp = self.sas_ss_size = 0   # sigaltstack
        self.sas_ss_flags = 0
        self.jobctl = 0                  # JOBCTL_* (group stop participation)
        self.trap_info = (0, 0, 0)       # trapno, error code, cr2 of the last CPU exception
        self.pdeath_signal = 0
        self.prio = self.static_prio = self.normal_prio = 120
        self.rt_priority = 0
        self.policy = 0                  # SCHED_NORMAL
        self.sched_reset_on_fork = False
        self.sched_class = 1             # sched/core.py CLASS_FAIR
        self.se: Any = None              # SchedEntity, SchedRtEntity, SchedInfo (sched/sched.py)
        self.rt: Any = None
        self.sched_info: Any = None
        self.on_rq = False
        self.on_cpu = False
        self.cpu = 0
        self.cpus_mask = CPU_MASK_ALL
        self.utime = self.stime = 0
        self.start_time = 0
        self.nvcsw = self.nivcsw = 0
        self.min_flt = self.maj_flt = 0
        self.timer_slack_ns = self.default_timer_slack_ns = TIMER_SLACK_NS
        self.vfork_done: Optional[WaitQueueHead] = None
        self.set_child_tid = 0
        self.clear_child_tid = 0
        self.robust_list = 0             # set_robust_list(): the robust futex list head
        self.thread: Any = None
        self.kstack: Any = None          # a suspended kernel-mode continuation
        self.syscall_nr = -1             # orig_ax: the syscall being served
        self.restart_block: Any = None
        self.tasks_prev: TaskStruct = self
        self.tasks_next: TaskStruct = self
        self.thread_prev: TaskStruct = self
        self.thread_next: TaskStruct = self

    # Linux's little helpers -------------------------------------------------

    def thread_group_leader(self) -> bool:
        return self.group_leader is self

    def is_kthread(self) -> bool:
        return bool(self.flags & PF_KTHREAD)

    @property
    def nice(self) -> int:
        """task_nice(): the nice value the static priority stands for."""
        return self.static_prio - 120

    def ppid(self) -> int:
        """getppid(): the tgid of the real parent."""
        return self.real_parent.tgid if self.pid else 0

    def __repr__(self) -> str:
        return f"<task {self.pid} {self.comm} {state_char(self)}>"
