"""The kernel: its subsystems, boot, and the CPU loop (init/main.c and the
idle loop of kernel/sched/idle.c).

A Kernel is one simulated machine. `boot()` creates the idle task (PID 0),
init (PID 1) and kthreadd (PID 2); `run()` is the life of the CPU: pick the
next task, switch to it, run it until it calls schedule(), and when nothing
can run, let virtual time jump to the next timer. The machine stops when init
powers it off (every user task has exited), when a budget of virtual time or
CPU time is used up, or when every task sleeps and nothing can wake them.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

from ..arch.x86_64.cpu import Cpu
from ..fs.console import BufferConsole, ConsoleDevice, ConsoleFile, HostConsole
from ..fs.file import FilesStruct, FsStruct
from ..fs.d_path import DPath
from ..fs.fcntl import Fcntl
from ..fs.ioctl import Ioctl
from ..fs.locks import FlockCalls
from ..fs.namei import Namei, Walker
from ..fs.open import Open
from ..fs.pipe import PipeCalls
from ..fs.readdir import ReadDir
from ..fs.statfs import StatFs
from ..fs.utimes import Utimes
from ..fs.vfs import Vfs
from ..lib.tracepoint import Tracepoints
from ..lib.wait import WaitQueueHead
from ..mm.filemap import PageCache
from ..mm.memory import ForkStats
from ..mm.mm_struct import MmStruct, VmSysctl
from ..mm.physmem import PhysMem
from ..uapi import errno as E
from ..uapi import sched as C
from ..uapi import signal as S
from ..uapi.resource import RLIMIT_CORE, RLIMIT_NOFILE, RLIMIT_STACK
from ..uapi.unistd import NAMES as SYSCALL_NAMES
from . import init as initmod
from ..arch.x86_64.entry import Entry
from ..fs.eventpoll import EventPollCalls
from .cred import Creds
from .exec import Exec
from .exit import Exit
from ..fs.read_write import ReadWrite
from .fork import Fork
from .futex import Futex
from ..ipc.msg import Msgs
from ..ipc.mqueue import Mqueue
from ..ipc.sem import Sems
from ..ipc.shm import Shm
from .time.itimer import ITimers
from .jobctl import JobControl
from ..mm.mincore import Mincore
from .pid import PID_MAX_DEFAULT, PidNamespace
from .time.posix_cpu_timers import PosixCpuTimers
from .time.posix_timers import PosixTimers
from ..fs.proc.root import ProcFs
from ..fs.sysfs import SysFs
from .time.timekeeping import NSEC_PER_SEC, REALTIME_AT_BOOT, Clock
from .sched.core import Runqueue, Scheduler
from .sched.cputime import CpuTime
from .sched.syscalls import SchedSyscalls
from .usermode import ScriptThread
from ..fs.select import Select
from ..arch.x86_64.signal import SigFrames
from .signal import Signals
from ..net.socket import Socket
from ..fs.stat import Stat
from .sys import Sys
from ..arch.x86_64.syscall_64 import build_syscall_table
from .task import (
    DEFAULT_RLIMITS,
    PF_IDLE,
    PF_KTHREAD,
    SIGNAL_UNKILLABLE,
    TASK_RUNNING,
    TIF_NEED_RESCHED,
    Cred,
    SigHand,
    SignalStruct,
    TaskStruct,
)
from .time.time import Time
from ..arch.x86_64.traps import Traps
from ..arch.x86_64.uaccess import UserAccess
from .workqueue import Workqueue
from ..fs.xattr import Xattr


@dataclass
class KernelConfig:
    """Everything that makes two runs differ. Same config, same trace."""

    memory: int = 1 << 30                    # bytes of simulated RAM
    pid_max: int = PID_MAX_DEFAULT
    max_threads: int = 1 << 22               # threads-max
    seed: int = 0                            # AT_RANDOM, getrandom
    exact: bool = True                       # count instructions: deterministic preemption
    max_time: float = 3600.0                 # virtual seconds before the run is stopped
    max_cpu: float = 10.0                    # virtual CPU seconds before the run is stopped
    cwd: str = field(default_factory=os.getcwd)  # the first program's, if it exists in the tree
    root: str = "/"                          # the host directory that is "/" (read-only)
    uid: int = 0
    gid: int = 0
    rlimits: dict[int, tuple[int, int]] = field(default_factory=dict)  # overrides
    sched: str = "eevdf"                     # the fair class: eevdf, cfs or rr (--sched)
    cpus: int = 1                            # simulated CPUs (--cpus)


MAX_CPUS = 64  # --cpus: one cpumask word


@dataclass
class RunResult:
    """How a run ended."""

    reason: str                   # "poweroff", "timeout", "deadlock", "panic", "interrupted"
    message: str = ""
    status: Optional[int] = None  # wait status of the command init started
    pid: int = 0                  # its pid

    def exit_code(self) -> int:
        """What a shell would report for the command ($?)."""
        if self.reason in ("timeout", "deadlock"):
            return 124
        if self.reason == "interrupted":
            return 128 + 2            # as a shell reports a command killed by SIGINT
        if self.reason == "panic" or self.status is None:
            return 125
        if self.status & 0x7F:
            return 128 + (self.status & 0x7F)
        return (self.status >> 8) & 0xFF


class Kernel:
    def __init__(self, config: Optional[KernelConfig] = None, console: Optional[ConsoleDevice] = None) -> None:
        self.config = config or KernelConfig()
        cfg = self.config
        self.tp = Tracepoints()
        self.clock = Clock()
        self.random = random.Random(cfg.seed)
        self.sched = Scheduler(self.tp, self.clock, cfg.sched, cfg.cpus)
        self.phys = PhysMem(cfg.memory)
        self.page_cache = PageCache(self.phys)
        self.vm_sysctl = VmSysctl()  # vm.* in /proc/sys/vm
        self.pid_ns = PidNamespace(cfg.pid_max)
        self.console = console if console is not None else HostConsole()
        self.vfs = Vfs(self.phys, self.page_cache, lambda: REALTIME_AT_BOOT + self.clock.now,
                       self.console, self.random.randbytes, cfg.root)
        # subsystems, one object per concern
        self.cputime = CpuTime(self)
        self.sched_syscalls = SchedSyscalls(self)
        self.traps = Traps(self)
        self.uaccess = UserAccess(self.traps.do_user_addr_fault)
        self.signal = Signals(self)
        self.exit = Exit(self)
        self.fork = Fork(self)
        self.exec = Exec(self)
        self.entry = Entry(self)
        self.sys = Sys(self)
        self.namei = Namei(self)
        self.open = Open(self)
        self.read_write = ReadWrite(self)
        self.fcntl = Fcntl(self)
        self.ioctl = Ioctl(self)
        self.pipe = PipeCalls(self)
        self.flock = FlockCalls(self)
        self.stat = Stat(self)
        self.statfs = StatFs(self)
        self.readdir = ReadDir(self)
        self.d_path = DPath(self)
        self.utimes = Utimes(self)
        self.select = Select(self)
        self.eventpoll = EventPollCalls(self)
        self.xattr = Xattr(self)
        self.socket = Socket(self)
        self.procfs = ProcFs(self)
        self.vfs.mount("proc", self.procfs.root)
        self.vfs.mount("sys", SysFs(self).root)
        self.mincore = Mincore(self.uaccess)
        self.time = Time(self)
        self.futex = Futex(self)
        self.jobctl = JobControl(self)
        self.sigframe = SigFrames(self)
        self.itimers = ITimers(self)
        self.posix_cpu_timers = PosixCpuTimers(self)
        self.posix_timers = PosixTimers(self)
        self.creds = Creds(self)
        self.shm = Shm(self)
        self.sems = Sems(self)
        self.msgs = Msgs(self)
        self.mqueue = Mqueue(self)
        self.vfs.dev.add("mqueue", self.mqueue.root)
        self.workqueue = Workqueue(self)
        self.syscall_table = build_syscall_table(self)
        # CPUs are created when a task first needs one (scripted-only runs need none)
        self.cpus: list[Optional[Cpu]] = []
        self.loaded_mm: list[Optional[MmStruct]] = []
        # machine state
        self.halted = False
        self.interrupted = False      # set by interrupt() (a signal handler), read by check_budget
        self.halting = False
        self.result: Optional[RunResult] = None
        self.oopses = 0               # kernel bugs that killed a task (traps.oops)
        # the CPU loop: each CPU's own virtual time (a CPU that idles keeps the
        # time it went idle), and when the current step of this_cpu began
        self.cpu_now: list[int] = []
        self._step_start: Optional[int] = None
        self.nr_threads = 0
        self.max_threads = cfg.max_threads
        self.user_tasks: Counter[int] = Counter()
        self.tasks_created = 0
        self.tasks_freed = 0
        self.sibling_seq = 0          # orders every parent's children list
        self.fork_failures: Counter[str] = Counter()
        self.pages_shared_by_fork = 0
        self.log: list[str] = []
        self.on_warning: Callable[[str], None] = self._default_warning
        self.on_report: Callable[[str], None] = self._default_report
        self._warned: set[object] = set()
        self.kthread_create_wq = WaitQueueHead("kthread_create")
        self.kthread_create_list: list[tuple[Callable, str]] = []
        self.init_task = self._make_idle_task(0)
        for cpu in range(1, cfg.cpus):
            self._make_secondary_idle(cpu)
        self.sched.on_migrate = self._save_migrating
        self.sched.kick_idle_cpu = self._kick_idle_cpu
        self.sched.cpu_clock = self._cpu_clock
        self.child_reaper: TaskStruct = self.init_task
        self.kthreadd: Optional[TaskStruct] = None
        self.command_pid = 0
        self.command_status: Optional[int] = None

    # ---- boot ------------------------------------------------------------------------

    def _make_idle_task(self, cpu: int) -> TaskStruct:
        """init_task / the idle task of a CPU (PID 0, "swapper/N")."""
        t = self.alloc_task_struct()
        t.comm = f"swapper/{cpu}"
        t.flags = PF_IDLE | PF_KTHREAD
        t.state = TASK_RUNNING
        t.cpu = cpu
        self.sched.init_task_sched(t)
        t.sighand = SigHand()
        t.signal = SignalStruct()
        t.cred = Cred(self.config.uid, self.config.gid)
        limits = list(DEFAULT_RLIMITS)
        for res, value in self.config.rlimits.items():
            limits[res] = value
        t.signal.rlim = tuple(limits)
        t.files = FilesStruct()
        root = self.vfs.root
        cwd = Walker(root).walk(self.config.cwd, root, follow=True)
        t.fs = FsStruct(cwd.inode if not isinstance(cwd, int) and cwd.inode is not None and cwd.inode.is_dir()
                        else root, root)
        pid0 = self.pid_ns.alloc_idle_pid()
        pid0.task = t
        t.pid_link = pid0
        self.pid_ns.join_pgrp(t, pid0)
        self.pid_ns.join_session(t, pid0)
        t.signal.add_thread(t)
        self._add_cpu(t)
        return t

    def _make_secondary_idle(self, cpu: int) -> TaskStruct:
        """fork_idle(): the idle task of another CPU, PID 0 too, sharing
        init_task's resources (it never uses them)."""
        boot = self.init_task
        t = self.alloc_task_struct()
        t.comm = f"swapper/{cpu}"
        t.flags = PF_IDLE | PF_KTHREAD
        t.state = TASK_RUNNING
        self.sched.init_task_sched(t)
        t.sighand, t.signal, t.cred, t.files, t.fs = boot.sighand, boot.signal, boot.cred, boot.files, boot.fs
        t.group_leader = boot
        self._add_cpu(t)
        return t

    def _add_cpu(self, idle: TaskStruct) -> None:
        self.sched.add_cpu(idle)
        self.cpus.append(None)
        self.loaded_mm.append(None)
        self.cpu_now.append(self.clock.now)
        self.entry.add_cpu()

    def boot(self, command: Optional[initmod.Command] = None,
             program: Optional[initmod.Program] = None) -> None:
        """rest_init(): PID 1, init, which starts `command` (a file to exec) or
        `program` (a scripted program); PID 2, kthreadd; PID 3, the worker of
        the system workqueue (kworker/0:0)."""
        start = self.clock.now
        first = initmod.exec_command(command) if command is not None else program
        init_prog = initmod.init_program(first, self._report_child)
        init = self.fork.user_mode_thread(initmod.kernel_init(self, init_prog), C.CLONE_FS)
        init.signal.flags |= SIGNAL_UNKILLABLE
        self.child_reaper = init
        self.kthreadd = self.fork.kernel_thread(initmod.kthreadd(self), "kthreadd", C.CLONE_FS | C.CLONE_FILES)
        self.fork.kernel_thread(self.workqueue.worker, "kworker/0:0")
        self.sched.rqs[0].busy_ns += self.clock.now - start  # the boot CPU's work
        self.cpu_now = [self.clock.now] * len(self.cpu_now)  # every CPU starts when the boot CPU is done

    def _report_child(self, pid: int, status: int) -> None:
        """From init: the pid of the command (status -1), then each reaped child."""
        if status == -1:
            self.command_pid = pid
        elif pid == self.command_pid:
            self.command_status = status

    @property
    def this_cpu(self) -> int:
        """smp_processor_id(): the CPU the loop is stepping."""
        return self.sched.this_cpu

    def _cpu_clock(self, cpu: int) -> int:
        return self.clock.now if cpu == self.sched.this_cpu else self.cpu_now[cpu]

    def current(self) -> TaskStruct:
        """`current`: the task whose syscall, fault or exit the kernel is
        handling -- the one running on the CPU the loop is stepping."""
        return self.sched.rqs[self.this_cpu].curr

    def console_on_rootfs(self, t: TaskStruct) -> None:
        """fds 0, 1, 2 of init: the console streams, each on its own line."""
        files = FilesStruct()
        for stream in (0, 1, 2):
            files.install(stream, ConsoleFile(self.console, stream, inode=self.vfs.console_line(stream)))
        if t.files is not None:
            t.files.users -= 1
        t.files = files

    # ---- the CPU loop -------------------------------------------------------------------
    #
    # The simulated CPUs share one host thread: the loop always steps the busy
    # CPU whose own virtual time is the earliest (ties: the lowest number),
    # for one turn -- until its tick, the next timer, or until its task calls
    # schedule(). So no CPU runs more than a tick ahead of another, events on
    # different CPUs happen in (almost) virtual-time order, and the same
    # program and options give the same interleaving every time. A CPU with
    # nothing to run idles: it keeps the time it went idle and catches up
    # with the time of whoever gives it work (`_kick_idle_cpu`).

    def run(self) -> RunResult:
        """Run until the machine halts; returns how it ended."""
        while not self.halted:
            if not self.schedule_step():
                self.do_idle()
        assert self.result is not None
        return self.result

    def run_until_idle(self) -> None:
        """Run until no task is runnable (for callers that drive the machine
        step by step, such as tests feeding scripted programs)."""
        while not self.halted and self.schedule_step():
            pass

    def _next_cpu(self) -> Optional[int]:
        """The busy CPU that is furthest behind in virtual time."""
        best = None
        for rq in self.sched.rqs:
            if not self.sched.idle_cpu(rq) and (best is None or self.cpu_now[rq.cpu] < self.cpu_now[best]):
                best = rq.cpu
        return best

    def schedule_step(self) -> bool:
        """One turn of a CPU: fire the timers that are due, pick the next
        task if the running one called schedule() (or none runs), run it for
        the turn. False when no CPU has anything to run."""
        cpu = self._next_cpu()
        if cpu is None:
            return False
        clock = self.clock
        self.sched.this_cpu = cpu
        clock.now = self.cpu_now[cpu]
        self.run_timers()
        rq = self.sched.rqs[cpu]
        curr = rq.curr
        self._step_start = start = clock.now
        if curr is rq.idle or curr.state != TASK_RUNNING or curr.tif & TIF_NEED_RESCHED or not curr.on_rq:
            was_idle = curr is rq.idle
            curr = self.sched.schedule(rq)
            if was_idle and curr is not rq.idle and rq.next_tick <= clock.now:
                rq.next_tick = self.cputime.next_tick(clock.now)  # the tick stops while idle (NO_HZ)
        if curr is not rq.idle:
            self._run_contained(rq, curr)
        rq.busy_ns += clock.now - start   # the switch and the task's turn
        self._step_start = None
        self.cpu_now[cpu] = clock.now
        self.check_budget()
        return True

    def _run_contained(self, rq: Runqueue, t: TaskStruct) -> None:
        """Run `t`'s turn; a bug in the kernel while it runs is an oops that
        kills only `t`. Scripted programs (the tests' user mode) are left
        out: an exception there is the test's own and must surface."""
        try:
            self.entry.run_task(rq, t)
        except Exception as error:  # a bug in proclab's kernel, not in the program
            if t.thread.__class__ is ScriptThread or self.halted or t.pid == 1:
                raise
            self.traps.oops(t, error)

    def turn_over(self) -> bool:
        """Whether a running task must give the loop back after a tick (only
        when other CPUs have to catch up)."""
        return len(self.sched.rqs) > 1

    def _kick_idle_cpu(self, rq: Runqueue) -> None:
        """A task was queued on `rq`: an idle CPU wakes up at the time of the
        CPU that queued it (never going back in time)."""
        if self.cpu_now[rq.cpu] < self.clock.now and rq.curr is rq.idle:
            self.cpu_now[rq.cpu] = self.clock.now

    def _save_migrating(self, p: TaskStruct, old_cpu: int) -> None:
        """A task leaves CPU `old_cpu`: its registers, if that CPU still holds
        them, go back to its Context so that another CPU can load them."""
        cpu = self.cpus[old_cpu]
        if cpu is not None and p.thread is not None and cpu.live is p.thread:
            cpu.save()

    def do_idle(self) -> None:
        """Nothing can run on any CPU: deliver console input a poll/select
        waits for (waiting for the host at most as long as virtual time has
        left until the next timer), else jump to the next timer, or stop when
        there is none. Input that wakes no task (the console's queue may hold
        only an epoll item's entry, or pollers that asked for other events:
        the wakeup is keyed with the input's events, as n_tty's) does not
        count."""
        clock = self.clock
        clock.now = max(self.cpu_now)
        expiry = clock.next_expiry()
        console = self.console
        if console.read_wait:
            wait = None if expiry is None else max(expiry - clock.now, 0) / NSEC_PER_SEC
            events = console.poll_input(wait)
            if events and console.read_wait.wake_up_all(events):
                return
        if expiry is None:
            self.halt("deadlock", "every task is asleep and nothing can wake them")
            return
        if expiry > clock.now:
            clock.now = expiry
        clock.run_expired()
        self.check_budget()

    def run_timers(self) -> None:
        expiry = self.clock.next_expiry()
        if expiry is not None and expiry <= self.clock.now:
            self.clock.run_expired()

    @property
    def idle_ns(self) -> int:
        """Idle time of all CPUs together, up to now (/proc/uptime's second field)."""
        now = max(self.clock.now, max(self.cpu_now))
        return len(self.sched.rqs) * now - self.busy_ns()

    def busy_ns(self) -> int:
        """CPU time used by tasks on all CPUs, the current turn included."""
        return sum(rq.busy_ns for rq in self.sched.rqs) + self._running_ns()

    def _running_ns(self) -> int:
        return 0 if self._step_start is None else self.clock.now - self._step_start

    def interrupt(self) -> None:
        """The user asked the run to stop (Ctrl-C). Safe from a signal
        handler, which may run in the middle of any kernel code: it only sets
        a flag, and the machine halts at the end of the current turn
        (check_budget), so that every kernel operation completes and the
        output, trace and summary are whole."""
        self.interrupted = True

    def check_budget(self) -> None:
        cfg = self.config
        now = self.clock.now
        if self.interrupted:
            self.halt("interrupted", f"interrupted (Ctrl-C) at virtual time {now / NSEC_PER_SEC:.3f} s")
        elif now > cfg.max_time * NSEC_PER_SEC:
            self.halt("timeout", f"the programs ran past the virtual time limit of {cfg.max_time:g} s "
                      "(raise it with --max-time SECONDS)")
        elif self.busy_ns() > cfg.max_cpu * NSEC_PER_SEC:
            self.halt("timeout", f"the programs used up the CPU time limit of {cfg.max_cpu:g} s of virtual CPU "
                      "time (raise it with --max-cpu SECONDS)")

    def halt(self, reason: str, message: str = "") -> None:
        """Stop the machine (from anywhere, hooks included)."""
        if self.halted:
            return
        self.halted = True
        self.result = RunResult(reason, message, self.command_status, self.command_pid)
        for cpu in self.cpus:
            if cpu is not None and cpu.live is not None:
                cpu.request_stop()

    def panic(self, message: str) -> None:
        self.warn(f"Kernel panic - not syncing: {message}")
        self.halt("panic", message)

    # ---- CPUs and address spaces ----------------------------------------------------------

    def release(self) -> None:
        """After the run, when nothing of this machine will be looked at
        again: its memory and CPUs go to the next machine made in this
        process (explore makes one per schedule)."""
        for cpu in self.cpus:
            if cpu is not None:
                cpu.release()
        self.cpus = [None] * len(self.cpus)
        self.phys.release()

    def cpu_of(self, t: TaskStruct) -> Cpu:
        cpu = self.cpus[t.cpu]
        if cpu is None:
            index = t.cpu
            cpu = Cpu.take(self.phys.ptr, self.phys.size, self.entry.cpu_syscall(index),
                           self.entry.cpu_fault(index), self.phys.code_frames)
            self.phys.flush_code_hooks.append(cpu.flush_code)
            self.cpus[index] = cpu
        return cpu

    def switch_mm(self, index: int, mm: Optional[MmStruct]) -> None:
        """switch_mm(): load `mm`'s page table on CPU `index` (TLB flush)."""
        old = self.loaded_mm[index]
        if old is mm or mm is None:
            return
        cpu = self.cpus[index]
        assert cpu is not None
        if old is not None and cpu in old.cpus:
            old.cpus.remove(cpu)
        cpu.switch_mm(mm.pgtable)
        mm.cpus.append(cpu)
        self.loaded_mm[index] = mm

    def mmput(self, mm: MmStruct) -> None:
        """One user of `mm` less; the last one frees the address space."""
        mm.users -= 1
        if mm.users == 0:
            mm.release()

    def fork_stats(self, stats: ForkStats) -> None:
        self.pages_shared_by_fork += stats.pages

    # ---- tasks ------------------------------------------------------------------------------

    def alloc_task_struct(self) -> TaskStruct:
        """The task_struct cache: every descriptor allocated and freed is counted
        (T5). Descriptors are not recycled: observers may keep references."""
        self.tasks_created += 1
        return TaskStruct()

    def free_task(self, p: TaskStruct) -> None:
        """put_task_struct(): the descriptor goes back. Its links to itself are
        cut so that it is freed at once rather than by Python's cycle collector
        (observers holding it still see its pid, comm and exit code)."""
        self.tasks_freed += 1
        if p.pid_link is not None:
            self.nr_threads -= 1
            self.user_tasks[p.cred.uid] -= 1
        p.tasks_prev = p.tasks_next = p.thread_prev = p.thread_next = None  # type: ignore[assignment]

    def link_task(self, p: TaskStruct) -> None:
        """Add a new process to the task list (before init_task: the tail)."""
        head = self.init_task
        tail = head.tasks_prev
        p.tasks_prev, p.tasks_next = tail, head
        tail.tasks_next = p
        head.tasks_prev = p

    def replace_in_task_list(self, old: TaskStruct, new: TaskStruct) -> None:
        """list_replace(): `new` takes `old`'s place in the task list."""
        new.tasks_prev, new.tasks_next = old.tasks_prev, old.tasks_next
        new.tasks_prev.tasks_next = new
        new.tasks_next.tasks_prev = new
        old.tasks_prev = old.tasks_next = old

    def detach_task(self, p: TaskStruct) -> None:
        """__unhash_process(): the pids go (the number is freed with its last
        user) and a process leaves the task list."""
        ns = self.pid_ns
        if p.thread_group_leader():
            ns.leave_pgrp(p)
            ns.leave_session(p)
            p.tasks_prev.tasks_next = p.tasks_next
            p.tasks_next.tasks_prev = p.tasks_prev
            p.tasks_prev = p.tasks_next = p
        pid = p.pid_link
        if pid is not None:
            pid.task = None
            ns.put_pid(pid)

    def for_each_process(self) -> Iterator[TaskStruct]:
        """The task list, from init_task (excluded) around."""
        p = self.init_task.tasks_next
        while p is not self.init_task:
            nxt = p.tasks_next
            yield p
            p = nxt

    def nr_tasks_of(self, uid: int) -> int:
        return self.user_tasks[uid]

    def note_fork_failure(self, parent: TaskStruct, why: str) -> None:
        self.fork_failures[why] += 1

    def set_task_comm(self, t: TaskStruct, name: str) -> None:
        old = t.comm
        t.comm = name[:15]
        if self.tp.task_rename.probes and old != t.comm:
            self.tp.task_rename(t, old, t.comm)

    def oom(self, t: TaskStruct) -> None:
        """out_of_memory(): out of frames while `t` faulted. A simple OOM
        killer: the faulting process dies, unless it is one Linux never
        kills (init, a kernel thread; oom_unkillable_task), when the process
        with the most pages present does (select_bad_process). With nobody
        left to kill, Linux panics."""
        victim = t if self._oom_killable(t) else max(
            (p for p in self.for_each_process() if self._oom_killable(p)),
            key=lambda p: len(p.mm.pgtable), default=None)
        if victim is None:
            self.panic("System is deadlocked on memory: out of memory and no killable processes")
            return
        self.warn_once(("oom", victim.pid), f"out of memory: killed process {victim.pid} ({victim.comm})")
        self.signal.send_signal(S.SIGKILL, {"signo": S.SIGKILL, "code": S.SI_KERNEL}, victim, group=True,
                                force=True)

    @staticmethod
    def _oom_killable(p: TaskStruct) -> bool:
        return p.mm is not None and not p.flags & PF_KTHREAD and not p.signal.flags & SIGNAL_UNKILLABLE \
            and not p.exit_state

    # ---- messages -----------------------------------------------------------------------------

    def warn(self, message: str) -> None:
        """printk(KERN_WARNING): kept in the log and shown to the user."""
        self.log.append(message)
        self.on_warning(message)

    def warn_once(self, key: object, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.warn(message)

    def report(self, message: str) -> None:
        """printk(KERN_EMERG) of an oops: kept in the log and shown as is."""
        self.log.append(message)
        self.on_report(message)

    @staticmethod
    def _default_warning(message: str) -> None:
        os.write(2, f"proclab: warning: {message}\n".encode())

    @staticmethod
    def _default_report(message: str) -> None:
        os.write(2, f"proclab: {message}\n".encode())

    def sys_ni_syscall(self, t: TaskStruct, nr: int) -> int:
        """An unimplemented syscall: ENOSYS, and one warning naming it."""
        name = SYSCALL_NAMES.get(nr, f"#{nr}")
        self.warn_once(("syscall", nr), f"syscall {name} ({nr}) is not implemented: it returns ENOSYS "
                       f"(first called by pid {t.pid}, {t.comm})")
        return -E.ENOSYS


def host_rlimits() -> dict[int, tuple[int, int]]:
    """The limits proclab itself runs with that a shell would pass on to the
    command: the core-dump size (decides the 0x80 bit of a crash's status),
    the stack size and the number of open files."""
    import resource

    out = {}
    for res in (RLIMIT_CORE, RLIMIT_STACK, RLIMIT_NOFILE):
        soft, hard = resource.getrlimit(res)
        inf = resource.RLIM_INFINITY
        out[res] = (soft if soft != inf else (1 << 64) - 1, hard if hard != inf else (1 << 64) - 1)
    return out


def run_buffered(path: str, argv: list[str], config: Optional[KernelConfig] = None,
                 stdin: bytes = b"", env: Optional[dict[str, str]] = None) -> tuple[RunResult, BufferConsole, "Kernel"]:
    """Run one program with in-memory console streams (for tests and tools)."""
    console = BufferConsole(stdin)
    k = Kernel(config, console)
    envp = [f"{key}={val}".encode() for key, val in (env or {}).items()]
    k.boot(initmod.Command(path.encode(), [a.encode() for a in argv], envp))
    return k.run(), console, k
