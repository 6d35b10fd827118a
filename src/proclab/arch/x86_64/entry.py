"""Entering and leaving the kernel (arch/x86/entry/, kernel/entry/common.c).

User mode is one of two things: registers on the Unicorn CPU (a real binary) or
a scripted Python program (usermode.py). Both reach the kernel the same way, a
syscall with a number and six arguments (`do_syscall`), and both leave it the
same way, through `exit_to_user_mode`: pending signals are handled, a requested
reschedule happens, then user code runs again.

`run_task` is what the CPU does with one task between two calls to schedule():
resume its kernel-mode continuation if it slept inside the kernel, then go back
and forth between user mode and the kernel until the task sleeps, dies, is
preempted or the machine halts. A syscall that must sleep is a generator; its
first step runs right in the syscall hook and, when it yields, the CPU stops
and the continuation waits in `task.kstack` until the task is woken and picked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, Optional

from .context import FS_BASE, RAX, RIP, RSP, Context
from .cpu import TRAP_WATCHED, Stop
from ...uapi import errno as E
from ...uapi import signal as S
from ...uapi.unistd import NR
from ...kernel.time.timekeeping import COSTS, INSN_PS
from ...kernel.task import TASK_RUNNING, TIF_NEED_RESCHED, TIF_SIGPENDING, TaskStruct
from ...kernel.usermode import ScriptThread, UserApi

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel
    from ...kernel.sched.core import Runqueue

PS_PER_NS = 1000
_RESTARTS = (-E.ERESTARTSYS, -E.ERESTARTNOINTR, -E.ERESTARTNOHAND, -E.ERESTART_RESTARTBLOCK)


class Entry:
    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.current: list[Optional[TaskStruct]] = []  # per CPU: the task in user mode
        self.ps_carry: list[int] = []                  # per CPU: user time below 1 ns not charged yet
        self.insns = 0                                 # user instructions retired, all CPUs

    def add_cpu(self) -> None:
        self.current.append(None)
        self.ps_carry.append(0)

    def charge_user(self, cpu_index: int, t: TaskStruct) -> None:
        """The instructions `t` retired on CPU `cpu_index` since they were
        last charged become user time (INSN_PS each)."""
        insns = self.k.cpus[cpu_index].take_retired()
        if insns:
            self.insns += insns
            ps = insns * INSN_PS + self.ps_carry[cpu_index]
            self.ps_carry[cpu_index] = ps % PS_PER_NS
            self.k.cputime.account_user_time(t, ps // PS_PER_NS)

    # ---- the syscall path ----------------------------------------------------------

    def do_syscall(self, t: TaskStruct, nr: int, a0: int, a1: int, a2: int, a3: int, a4: int, a5: int) -> Optional[int]:
        """do_syscall_64(): run the handler. Returns the value for RAX, or None
        when the task does not return to user mode now (it sleeps in the kernel,
        exited, or its registers were replaced)."""
        k = self.k
        if nr >> 31:  # do_syscall_64(regs, int nr): the number is eax, sign-extended
            nr = ((nr & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000
        t.syscall_nr = nr
        k.cputime.account_system_time(t, COSTS["syscall"])
        tp = k.tp
        if tp.sys_enter.probes:
            tp.sys_enter(t, nr, (a0, a1, a2, a3, a4, a5))
        handler = k.syscall_table[nr]
        if handler is None:
            ret = k.sys_ni_syscall(t, nr)
        else:
            ret = handler(t, a0, a1, a2, a3, a4, a5)
        if ret.__class__ is not int:
            if ret is None:
                return None
            ret = self._start_kstack(t, ret)
            if ret is None:
                return None
        if tp.sys_exit.probes:
            tp.sys_exit(t, nr, ret)
        if k.sched.choice.steps:
            self.step_point(t)
        return ret

    def step_point(self, t: TaskStruct) -> None:
        """A syscall of `t` is done (at once, or after sleeping): while
        exploring, another task may run before it returns to user mode."""
        k = self.k
        if not t.tif & TIF_NEED_RESCHED and t.state == TASK_RUNNING \
                and k.sched.choice.syscall_exit(k.sched.rqs[t.cpu], t):
            t.tif |= TIF_NEED_RESCHED

    def _start_kstack(self, t: TaskStruct, gen: Generator[None, None, Any]) -> Optional[int]:
        """First step of a syscall that may sleep."""
        try:
            gen.send(None)
        except StopIteration as done:
            return done.value
        t.kstack = gen
        return None

    def cpu_syscall(self, cpu_index: int) -> Callable[..., Optional[int]]:
        """The syscall entry the CPU's hook calls (current task of that CPU).
        The hot path of every syscall: charge_user is written out here."""
        cpus = self.k.cpus
        current = self.current
        ps_carry = self.ps_carry
        cputime = self.k.cputime
        do_syscall = self.do_syscall
        must_leave_user = self.must_leave_user

        def entry(nr: int, a0: int, a1: int, a2: int, a3: int, a4: int, a5: int) -> Optional[int]:
            t = current[cpu_index]
            assert t is not None
            cpu = cpus[cpu_index]
            insns = cpu.take_retired()  # charge_user(cpu_index, t)
            if insns:
                self.insns += insns
                ps = insns * INSN_PS + ps_carry[cpu_index]
                ps_carry[cpu_index] = ps % PS_PER_NS
                cputime.account_user_time(t, ps // PS_PER_NS)
            ret = do_syscall(t, nr, a0, a1, a2, a3, a4, a5)
            if must_leave_user(t):
                cpu.request_stop()
            return ret

        return entry

    def cpu_fault(self, cpu_index: int) -> Callable[[int, int], Optional[int]]:
        """The page-fault handler the CPU's TLB fill calls."""
        k = self.k
        current = self.current

        def fault(vaddr: int, access: int) -> Optional[int]:
            t = current[cpu_index]
            mm = k.loaded_mm[cpu_index]
            if t is None or mm is None:
                return None
            self.charge_user(cpu_index, t)
            return k.traps.do_user_addr_fault(t, mm, vaddr, access, False)

        return fault

    def turn_end(self, rq: Runqueue) -> int:
        """When user code on `rq`'s CPU must stop: at its next tick, or at
        the next timer if that comes first (so timers fire on time)."""
        end = rq.next_tick
        expiry = self.k.clock.next_expiry()
        return expiry if expiry is not None and self.k.clock.now < expiry < end else end

    def must_leave_user(self, t: TaskStruct) -> bool:
        """After a syscall: can the task go straight back to user mode? Not
        when it sleeps, has work flagged, lost its registers, or the CPU's
        tick is due."""
        k = self.k
        if t.kstack is not None or t.tif or t.state != TASK_RUNNING or k.halted:
            return True
        if t.thread.__class__ is Context and k.cpus[t.cpu].live is not t.thread:
            return True
        # now >= turn_end(rq), written out: turn_end() is a timer only when
        # that timer is still ahead, so this is the tick's boundary alone
        return k.clock.now >= k.sched.rqs[t.cpu].next_tick

    def syscall_return(self, t: TaskStruct, value: Optional[int]) -> None:
        """Store a syscall's result where the task will find it (RAX)."""
        if value is None:
            return
        th = t.thread
        if th.__class__ is ScriptThread:
            th.result = value
        else:
            self.k.cpu_of(t).reg_write(th, RAX, value)
        if self.k.tp.sys_exit.probes:
            self.k.tp.sys_exit(t, t.syscall_nr, value)

    def restart_syscall_if_needed(self, t: TaskStruct, handler_flags: Optional[int]) -> None:
        """The syscall-restart half of arch_do_signal_or_restart(): a syscall
        interrupted by a signal returns -EINTR to a handler, or is re-issued
        (no handler ran, or SA_RESTART)."""
        nr = t.syscall_nr
        if nr < 0:
            return
        ret = self._return_value(t)
        t.syscall_nr = -1
        if ret not in _RESTARTS:
            return
        if handler_flags is None:
            restart = True
        elif ret == -E.ERESTARTNOINTR:
            restart = True
        elif ret == -E.ERESTARTSYS:
            restart = bool(handler_flags & S.SA_RESTART)
        else:
            restart = False
        if not restart:
            self.syscall_return(t, -E.EINTR)
            return
        th = t.thread
        if th.__class__ is ScriptThread:
            th.restart = True
            return
        cpu = self.k.cpu_of(t)
        if ret == -E.ERESTART_RESTARTBLOCK:
            nr = NR["restart_syscall"]
        cpu.reg_write(th, RAX, nr)
        cpu.reg_write(th, RIP, cpu.reg_read(th, RIP) - 2)

    def _return_value(self, t: TaskStruct) -> int:
        th = t.thread
        if th.__class__ is ScriptThread:
            value = th.result
            return value if isinstance(value, int) else 0
        raw = self.k.cpu_of(t).reg_read(th, RAX)
        return raw - (1 << 64) if raw >= 1 << 63 else raw

    # ---- threads: creation, exec, death ----------------------------------------------

    def copy_user_thread(self, parent: TaskStruct, child: TaskStruct, stack: int, tls: Optional[int]) -> None:
        """copy_thread() for a user task: the child returns 0 from the syscall."""
        th = parent.thread
        if th.__class__ is ScriptThread:
            program = th.request.program if th.request is not None else None
            if program is None:
                raise ValueError("a scripted program must say what its clone child runs")
            child.thread = ScriptThread(program(UserApi(self.k, child)))
            return
        cpu = self.k.cpu_of(parent)
        ctx = cpu.fork_context(th)
        if stack:
            ctx.reg_write(RSP, stack)
        if tls is not None:
            ctx.reg_write(FS_BASE, tls)
        child.thread = ctx

    def start_thread_fn(self, t: TaskStruct, fn: Callable[..., Any], kthread: bool) -> None:
        """A task that starts in kernel mode running `fn(task)` (a generator):
        a kernel thread exits when fn returns, a user-mode thread (init) goes
        to user mode, where fn must have exec'ed something."""
        t.thread = None
        t.kstack = self._kernel_body(t, fn, kthread)

    def _kernel_body(self, t: TaskStruct, fn: Callable[..., Any], kthread: bool) -> Generator[None, None, None]:
        yield from fn(t)
        if kthread:
            self.k.exit.do_exit(t, 0)
        return None

    def start_user_thread(self, t: TaskStruct, entry: int, sp: int) -> None:
        """start_thread(): exec gave the task a new image on the CPU."""
        cpu = self.k.cpu_of(t)
        old = t.thread
        if old.__class__ is Context:
            cpu.drop(old)
        t.thread = cpu.start_context(entry, sp)

    def start_script(self, t: TaskStruct, program: Callable[..., Any]) -> None:
        """exec of a scripted program."""
        old = t.thread
        if old.__class__ is Context:
            self.k.cpu_of(t).drop(old)
        t.thread = ScriptThread(program(UserApi(self.k, t)))

    def task_dead(self, t: TaskStruct) -> None:
        """The task exited: its registers are gone for good."""
        th = t.thread
        if th.__class__ is Context:
            self.k.cpu_of(t).drop(th)
        t.thread = None

    # ---- running a task ----------------------------------------------------------------

    def run_task(self, rq: Runqueue, t: TaskStruct) -> None:
        """Run `t` until it calls schedule() (sleeps, dies or is preempted)."""
        k = self.k
        if t.kstack is not None:
            gen = t.kstack
            try:
                gen.send(None)
                return  # it went back to sleep
            except StopIteration as done:
                t.kstack = None
                self.syscall_return(t, done.value)
                if k.sched.choice.steps:
                    self.step_point(t)
        if t.set_child_tid:  # schedule_tail(): CLONE_CHILD_SETTID, on the first run
            k.uaccess.put_i32(t, t.set_child_tid, t.pid)
            t.set_child_tid = 0
        cputime = k.cputime
        while True:
            if t.state != TASK_RUNNING or t.thread is None:
                return
            if cputime.tick_due(rq):  # the boundary passed in the kernel
                cputime.tick(rq, t, user_tick=False)
                if k.turn_over():
                    return
                continue
            # exit_to_user_mode_loop()
            if t.tif & TIF_SIGPENDING:
                k.signal.do_signal(t)
                k.check_budget()  # a task that only handles signals still uses time
                continue
            if t.syscall_nr >= 0:
                self.restart_syscall_if_needed(t, handler_flags=None)
            if t.tif & TIF_NEED_RESCHED or k.halted:
                return
            k.run_timers()
            if t.tif:
                continue
            stop = self.enter_user(rq, t)
            if t.kstack is not None or t.thread is None:
                return  # asleep inside a syscall, or dead
            if stop is Stop.TICK:
                t.syscall_nr = -1
                if cputime.tick_due(rq):
                    cputime.tick(rq, t, user_tick=True)
                    if k.turn_over():
                        return
            elif stop is Stop.TRAP:
                t.syscall_nr = -1
                trap = k.cpu_of(t).trap
                assert trap is not None
                if trap.vector == TRAP_WATCHED:
                    self.step_point(t)  # explore: another task may run before this access
                else:
                    k.traps.do_trap(t, trap)

    def enter_user(self, rq: Runqueue, t: TaskStruct) -> Stop:
        """Run user code until the kernel is needed or the CPU's tick is due
        (in exact mode the CPU stops at the instruction where the tick
        falls). The instructions that ran are charged as user time."""
        th = t.thread
        if th.__class__ is ScriptThread:
            return self._run_script(rq, t, th)
        k = self.k
        index = rq.cpu
        cpu = k.cpu_of(t)
        cpu.load(th)
        k.switch_mm(index, t.mm)
        self.current[index] = t
        count = 0
        if k.config.exact:
            ps = (self.turn_end(rq) - k.clock.now) * PS_PER_NS - self.ps_carry[index]
            count = max(1, -(-ps // INSN_PS))
        try:
            return cpu.run(count)
        finally:
            self.current[index] = None
            self.charge_user(index, t)

    def _run_script(self, rq: Runqueue, t: TaskStruct, th: ScriptThread) -> Stop:
        """A scripted program's steps until the tick: each step costs
        COSTS["script_step"] of user time, then makes its syscall."""
        k = self.k
        step = COSTS["script_step"]
        end = self.turn_end(rq)
        while k.clock.now < end:
            k.cputime.account_user_time(t, step)
            if th.restart:
                th.restart = False
                req = th.request
            else:
                try:
                    req = th.gen.send(th.result) if th.started else next(th.gen)
                except StopIteration as done:
                    code = done.value if isinstance(done.value, int) else 0
                    k.exit.do_group_exit(t, (code & 0xFF) << 8)
                    return Stop.KERNEL
                th.started = True
                th.request = req
            th.result = None
            assert req is not None
            args = req.args + (0,) * (6 - len(req.args))
            ret = self.do_syscall(t, req.nr, *args)
            if ret is not None:
                th.result = ret
            if self.must_leave_user(t) or t.thread is not th:
                return Stop.KERNEL
        return Stop.TICK
