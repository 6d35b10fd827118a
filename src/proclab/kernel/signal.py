"""Signals (kernel/signal.c): generation, pending sets, delivery decisions,
SIGCHLD to parents, and the signal system calls.

Generation (SEMANTICS G3): a signal goes to one thread's pending set or to the
process's shared set. A standard signal already pending there is not queued
again; real-time ones queue with their siginfo. A signal whose effect would be to
be ignored (SIG_IGN, or a default action of "ignore") is dropped at once unless
blocked. SIGCONT cancels pending stop signals and the other way round. init
ignores signals it has no handler for unless the kernel forces them.

Delivery happens on the way back to user mode (`do_signal`): synchronous faults
first, then the lowest number; a handler runs in a frame on the user stack
(sigframe.py); default actions terminate (with the 0x80 "core" bit when
RLIMIT_CORE allows a dump), stop the process (jobctl.py) or ignore. An
interrupted syscall is restarted or fails with EINTR by the rules of S2.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Optional

from ..arch.x86_64.context import Context
from ..lib import lockdep
from ..lib.lockdep import lock_acquire, lock_acquire_many
from ..uapi import errno as E
from ..uapi import signal as S
from ..uapi.resource import RLIMIT_CORE
from .time.timekeeping import COSTS, ns_to_clock_t
from .sched.wait import signal_pending_state
from ..arch.x86_64.signal import pack_siginfo
from .task import (
    JOBCTL_STOP_PENDING,
    PF_EXITING,
    PF_SIGNALED,
    SIGNAL_GROUP_EXIT,
    SIGNAL_UNKILLABLE,
    TASK_INTERRUPTIBLE,
    TASK_RUNNING,
    TASK_STOPPED_BIT,
    TASK_WAKEKILL,
    TIF_SIGPENDING,
    SigPending,
    SigQueue,
    TaskStruct,
    process_usage,
)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

Action = tuple[int, int, int, int]  # handler, flags, mask, restorer


def sig_kernel_only(sig: int) -> bool:
    return sig in (S.SIGKILL, S.SIGSTOP)


def _in(mask: int, sig: int) -> bool:
    return 0 < sig <= S.NSIG and bool(mask & S.sigmask(sig))


def default_ignored(sig: int) -> bool:
    return _in(S.SIG_KERNEL_IGNORE_MASK, sig)


def default_stops(sig: int) -> bool:
    return _in(S.SIG_KERNEL_STOP_MASK, sig)


def default_dumps_core(sig: int) -> bool:
    return _in(S.SIG_KERNEL_COREDUMP_MASK, sig)


def handler_of(task: TaskStruct, sig: int) -> int:
    action = task.sighand.action.get(sig)
    return action[0] if action is not None else S.SIG_DFL


def siginfo(signo: int, code: int, **fields: int) -> dict:
    """A kernel siginfo: signo, code and whatever the code's union needs
    (pid/uid, status, addr, value...)."""
    info = {"signo": signo, "code": code}
    info.update(fields)
    return info


class Signals:
    """The signal subsystem of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- generation -------------------------------------------------------------

    def sig_task_ignored(self, t: TaskStruct, sig: int, force: bool) -> bool:
        handler = handler_of(t, sig)
        if t.signal.flags & SIGNAL_UNKILLABLE and handler == S.SIG_DFL and not (force and sig_kernel_only(sig)):
            return True
        return handler == S.SIG_IGN or (handler == S.SIG_DFL and default_ignored(sig))

    def sig_ignored(self, t: TaskStruct, sig: int, force: bool) -> bool:
        """Would `sig` be ignored on arrival? Blocked signals are kept, since the
        handler may change before they are unblocked."""
        if _in(t.blocked | t.real_blocked, sig):
            return False
        return self.sig_task_ignored(t, sig, force)

    def prepare_signal(self, sig: int, p: TaskStruct, force: bool) -> bool:
        """The stop/continue side effects of generation; False when the signal
        is to be dropped."""
        signal = p.signal
        if signal.flags & SIGNAL_GROUP_EXIT:
            return False  # the group is dying: nothing else matters
        if default_stops(sig):
            cont = S.sigmask(S.SIGCONT)
            self.flush_sigqueue_mask(p, cont, signal.shared_pending)
            for t in signal.threads():
                self.flush_sigqueue_mask(p, cont, t.pending)
        elif sig == S.SIGCONT:
            self.k.jobctl.sigcont(p)
        return not self.sig_ignored(p, sig, force)

    def send_signal(self, sig: int, info: dict, p: TaskStruct, group: bool, force: bool = False) -> int:
        """__send_signal_locked(): queue `sig` for thread `p` or its process."""
        tp = self.k.tp
        # siglock, per signal: generation reads whether the group is exiting,
        # the disposition and the target's mask, and writes the pending set
        lock_acquire(("sig", p.tgid), write=False)
        lock_acquire(("sigact", p.tgid, sig), write=False)
        lock_acquire(("sigmask", p.pid, sig), write=False)
        if not self.prepare_signal(sig, p, force):
            if tp.signal_generate.probes:
                tp.signal_generate(sig, info, p, group, "ignored")
            return 0
        lock_acquire(("sigpend", p.tgid, sig))
        pending = p.signal.shared_pending if group else p.pending
        if sig < S.SIGRTMIN and pending.signal & S.sigmask(sig):
            if tp.signal_generate.probes:
                tp.signal_generate(sig, info, p, group, "already_pending")
            return 0
        pending.add(sig, info)
        if tp.signal_generate.probes:
            tp.signal_generate(sig, info, p, group, "delivered")
        self.complete_signal(sig, p, group)
        return 0

    def posixtimer_queue_sigqueue(self, q: SigQueue, t: TaskStruct, group: bool) -> None:
        """posixtimer_queue_sigqueue(): put a posix timer's preallocated
        siginfo on the thread's or the process's pending set (posix_timers.py
        decides whether it goes there at all)."""
        sig = q["signo"]
        lock_acquire(("sigpend", t.tgid, sig))
        pending = t.signal.shared_pending if group else t.pending
        pending.add(sig, q)
        self.complete_signal(sig, t, group)

    def wants_signal(self, sig: int, t: TaskStruct) -> bool:
        """Is `t` a good thread to take `sig` now? (prefers one that is running
        or has nothing pending yet)."""
        if _in(t.blocked, sig) or t.flags & PF_EXITING:
            return False
        if sig == S.SIGKILL:
            return True
        if t.state & TASK_STOPPED_BIT:  # stopped: it cannot act on it now
            return False
        return t.on_cpu or not t.tif & TIF_SIGPENDING

    def complete_signal(self, sig: int, p: TaskStruct, group: bool) -> None:
        """Pick the thread that will take the signal and wake it; a fatal signal
        takes down the whole group at once."""
        signal = p.signal
        if self.wants_signal(sig, p):
            target = p
        elif not group or signal.nr_threads <= 1:
            return  # the only thread will see it before it returns to user mode
        else:
            candidates = [t for t in signal.threads() if self.wants_signal(sig, t)]
            if not candidates:
                return  # blocked everywhere: it stays pending
            target = candidates[0]
        if (
            self.sig_fatal(p, sig)
            and not signal.flags & SIGNAL_GROUP_EXIT
            and not _in(target.real_blocked, sig)
            and not default_dumps_core(sig)
        ):
            # Start the group exit now: every thread gets SIGKILL.
            signal.flags = SIGNAL_GROUP_EXIT
            signal.group_exit_code = sig
            signal.group_stop_count = 0
            for t in signal.threads():
                t.jobctl &= ~JOBCTL_STOP_PENDING
                t.pending.signal |= S.sigmask(S.SIGKILL)
                self.signal_wake_up(t, True)
            return
        self.signal_wake_up(target, sig == S.SIGKILL)

    def sig_fatal(self, t: TaskStruct, sig: int) -> bool:
        """sig_fatal(): does the default action of `sig`, with no handler, end
        the process?"""
        return handler_of(t, sig) == S.SIG_DFL and not default_ignored(sig) and not default_stops(sig)

    def signal_wake_up(self, t: TaskStruct, fatal: bool) -> None:
        t.tif |= TIF_SIGPENDING
        self.k.sched.try_to_wake_up(t, TASK_INTERRUPTIBLE | (TASK_WAKEKILL if fatal else 0))

    def force_sig_fault(self, t: TaskStruct, sig: int, code: int, addr: int) -> None:
        """force_sig_fault(): a fault the task cannot ignore or block its way out
        of: a blocked or ignored signal is reset to SIG_DFL and unblocked, and
        even init can die of it."""
        blocked = _in(t.blocked, sig)
        if blocked or handler_of(t, sig) == S.SIG_IGN:
            t.sighand.action.pop(sig, None)
            if blocked:
                t.blocked &= ~S.sigmask(sig)
        if handler_of(t, sig) == S.SIG_DFL:
            t.signal.flags &= ~SIGNAL_UNKILLABLE
        self.send_signal(sig, siginfo(sig, code, addr=addr), t, group=False, force=True)

    def force_sig(self, t: TaskStruct, sig: int) -> None:
        """force_sig(): the kernel's own verdict (a frame it could not use)."""
        self.force_sig_fault(t, sig, S.SI_KERNEL, 0)

    def force_sigsegv(self, t: TaskStruct, sig: int) -> None:
        """A handler for `sig` could not be set up (its frame did not fit):
        SIGSEGV, and if that was SIGSEGV's own handler, a fatal one (the
        handler is reset so that the task dies instead of trying forever)."""
        if sig == S.SIGSEGV:
            t.sighand.action.pop(S.SIGSEGV, None)
            t.blocked &= ~S.sigmask(S.SIGSEGV)
        self.force_sig(t, S.SIGSEGV)

    # ---- pending state -------------------------------------------------------------

    def flush_sigqueue_mask(self, p: TaskStruct, mask: int, pending: SigPending) -> None:
        """flush_sigqueue_mask(): forget the signals of `mask` pending there.
        A posix timer's siginfo goes through sigqueue_free_ignored(): a
        periodic timer parks on the ignored list."""
        if not pending.signal & mask:
            return
        for _, info in pending.discard(mask):
            if isinstance(info, SigQueue):
                self.k.posix_timers.posixtimer_sig_ignore(p, info)

    def flush_itimer_signals(self, t: TaskStruct) -> None:
        """flush_itimer_signals(): exec drops the queued signals of posix
        timers (si_code SI_TIMER) from the thread's and the process's sets;
        a signal stays pending if another instance of it is queued."""
        for pending in (t.pending, t.signal.shared_pending):
            if not pending.queue:
                continue
            signal, retain = pending.signal, 0
            kept = []
            for sig, info in pending.queue:
                if info["code"] != S.SI_TIMER:
                    retain |= S.sigmask(sig)
                    kept.append((sig, info))
                else:
                    signal &= ~S.sigmask(sig)
            pending.queue = kept
            pending.signal = signal | retain

    def recalc_sigpending(self, t: TaskStruct) -> None:
        pending = (t.pending.signal | t.signal.shared_pending.signal) & ~t.blocked
        if pending or t.jobctl & JOBCTL_STOP_PENDING or t.signal.flags & SIGNAL_GROUP_EXIT:
            t.tif |= TIF_SIGPENDING
        else:
            t.tif &= ~TIF_SIGPENDING

    def set_blocked(self, t: TaskStruct, mask: int) -> None:
        """set_current_blocked(): SIGKILL and SIGSTOP can never be blocked."""
        new = mask & ~S.SIG_KERNEL_ONLY_MASK & S.ALL_SIGNALS
        if lockdep.recorder is not None:  # senders read the bit of their signal
            changed = new ^ t.blocked
            pid = t.pid
            lock_acquire_many([("sigmask", pid, sig) for sig in range(1, S.NSIG + 1) if changed >> (sig - 1) & 1])
        t.blocked = new
        self.recalc_sigpending(t)

    def set_user_sigmask(self, t: TaskStruct, umask: int, sigsetsize: int) -> int:
        """set_user_sigmask(): ppoll and pselect6 run with the mask at `umask`
        (none: the mask stays); the old one comes back on the way out (as for
        sigsuspend, after a handler when one runs)."""
        if not umask:
            return 0
        if sigsetsize != 8:
            return -E.EINVAL
        mask = self.k.uaccess.get_u64(t, umask)
        if mask is None:
            return -E.EFAULT
        t.restore_sigmask = True
        t.saved_sigmask = t.blocked
        self.set_blocked(t, mask)
        return 0

    def restore_saved_sigmask_unless(self, t: TaskStruct, interrupted: bool) -> None:
        """restore_saved_sigmask_unless(): put back the mask set_user_sigmask
        saved, unless a signal interrupted the call: then signal delivery
        restores it (after the handler, whose frame keeps the old mask)."""
        if not interrupted and t.restore_sigmask:
            t.restore_sigmask = False
            self.set_blocked(t, t.saved_sigmask)

    def _dequeue_from(self, pending: SigPending, mask: int) -> Optional[tuple[int, dict]]:
        ready = pending.signal & ~mask
        if not ready:
            return None
        sync = ready & S.SYNCHRONOUS_MASK
        pick = sync if sync else ready
        sig = (pick & -pick).bit_length()  # lowest set bit
        info = pending.take(sig)
        return sig, info if info is not None else siginfo(sig, S.SI_KERNEL)

    def dequeue_signal(self, t: TaskStruct, mask: int) -> Optional[tuple[int, dict]]:
        """The next pending signal not in `mask`: the thread's own first. A
        posix timer's signal goes through posixtimer_deliver_signal(), which
        rearms an interval timer -- or drops the signal of a timer deleted or
        set again since, and the next one is taken instead."""
        while True:
            got = self._dequeue_from(t.pending, mask)
            if got is None:
                got = self._dequeue_from(t.signal.shared_pending, mask)
            self.recalc_sigpending(t)
            if got is not None:
                lock_acquire(("sigpend", t.tgid, got[0]))
            if got is None or not isinstance(got[1], SigQueue):
                return got
            info = self.k.posix_timers.posixtimer_deliver_signal(got[1])
            if info is not None:
                return got[0], info

    # ---- delivery ------------------------------------------------------------------

    def get_signal(self, t: TaskStruct) -> Optional[tuple[int, dict, Action]]:
        """The next signal for `t` to handle with a handler: (sig, info, action).
        Default actions are carried out here: a fatal one kills the task, a stop
        stops it (check t.state), an ignored one is dropped."""
        k = self.k
        jobctl = k.jobctl
        while True:
            signal = t.signal
            if signal.flags & SIGNAL_GROUP_EXIT or (
                    signal.group_exec_task not in (None, t) and t.pending.signal & S.sigmask(S.SIGKILL)):
                # the process is exiting, or another thread's exec kills this one
                k.exit.do_group_exit(t, signal.group_exit_code)
                return None
            jobctl.report_pending_cld(t)
            if t.jobctl & JOBCTL_STOP_PENDING and jobctl.do_signal_stop(t, 0):
                return None
            got = self.dequeue_signal(t, t.blocked)
            if got is None:
                return None
            sig, info = got
            action = t.sighand.action.get(sig)
            handler = action[0] if action is not None else S.SIG_DFL
            if handler != S.SIG_DFL and handler != S.SIG_IGN:
                assert action is not None
                if k.tp.signal_deliver.probes:
                    k.tp.signal_deliver(sig, info, t, "handler")
                return sig, info, action
            if (handler == S.SIG_IGN or default_ignored(sig)
                    or (signal.flags & SIGNAL_UNKILLABLE and not sig_kernel_only(sig))
                    # a terminal stop in an orphaned group is discarded
                    or (default_stops(sig) and sig != S.SIGSTOP and jobctl.is_current_pgrp_orphaned(t))):
                if k.tp.signal_deliver.probes:
                    k.tp.signal_deliver(sig, info, t, "ignored")
                continue
            if default_stops(sig):
                if k.tp.signal_deliver.probes:
                    k.tp.signal_deliver(sig, info, t, "stop")
                if jobctl.do_signal_stop(t, sig):
                    return None
                continue
            if k.tp.signal_deliver.probes:
                k.tp.signal_deliver(sig, info, t, "default")
            self.do_default_kill(t, sig)
            return None

    def do_default_kill(self, t: TaskStruct, sig: int) -> None:
        """The default action "terminate" or "core": the whole group exits with
        the signal as its status, plus 0x80 when a core dump is allowed."""
        k = self.k
        t.flags |= PF_SIGNALED
        code = sig
        if default_dumps_core(sig) and t.signal.rlim[RLIMIT_CORE][0] > 0:
            code |= 0x80
        k.exit.do_group_exit(t, code)

    def do_signal(self, t: TaskStruct) -> None:
        """arch_do_signal_or_restart(): on the way back to user mode."""
        k = self.k
        got = self.get_signal(t)
        if t.state != TASK_RUNNING:  # it died, or stopped
            return
        if got is None:
            k.entry.restart_syscall_if_needed(t, handler_flags=None)
            if t.restore_sigmask:  # sigsuspend & co: no handler ran, the old mask comes back
                t.restore_sigmask = False
                self.set_blocked(t, t.saved_sigmask)
            return
        sig, info, action = got
        if t.thread.__class__ is not Context:
            k.warn_once(("script-handler", sig), f"{S.signame(sig)}: a scripted program cannot run a "
                        "signal handler; ignored")
            return
        self.handle_signal(t, sig, info, action)

    def handle_signal(self, t: TaskStruct, sig: int, info: dict, action: Action) -> None:
        """Run the handler: restart rules first, then the frame, then the mask."""
        k = self.k
        handler, flags, mask, restorer = action
        k.entry.restart_syscall_if_needed(t, handler_flags=flags)
        k.cputime.account_system_time(t, COSTS["signal"])
        if not k.sigframe.setup_rt_frame(t, sig, info, action):
            self.force_sigsegv(t, sig)
            return
        t.restore_sigmask = False
        # signal_delivered(): block sa_mask and (unless SA_NODEFER) the signal itself
        blocked = t.blocked | mask
        if not flags & S.SA_NODEFER:
            blocked |= S.sigmask(sig)
        self.set_blocked(t, blocked)
        if flags & S.SA_RESETHAND:
            t.sighand.action.pop(sig, None)

    # ---- SIGCHLD ---------------------------------------------------------------------

    def do_notify_parent(self, tsk: TaskStruct, sig: int) -> bool:
        """Tell the parent that `tsk` (a group leader whose group is empty) died.
        Returns True when the child is to be reaped at once (auto-reap): the
        parent's SIGCHLD is SIG_IGN or has SA_NOCLDWAIT (SEMANTICS X5)."""
        parent = tsk.parent
        lock_acquire(("parent", tsk.pid), write=False)  # reparenting changes who hears it
        code = self.k.exit.group_status(tsk)
        if code & 0x7F:
            why = S.CLD_DUMPED if code & 0x80 else S.CLD_KILLED
            status = code & 0x7F
        else:
            why = S.CLD_EXITED
            status = (code >> 8) & 0xFF
        used = process_usage(tsk) + tsk.signal.children_usage  # si_utime, si_stime
        info = siginfo(sig, why, pid=tsk.tgid, uid=tsk.cred.uid, status=status,
                       utime=ns_to_clock_t(used.utime), stime=ns_to_clock_t(used.stime))
        autoreap = False
        action = parent.sighand.action.get(S.SIGCHLD)
        if sig == S.SIGCHLD and action is not None:
            if action[0] == S.SIG_IGN or action[1] & S.SA_NOCLDWAIT:
                autoreap = True
                if action[0] == S.SIG_IGN:
                    sig = 0
        if 0 < sig <= S.NSIG:
            self.send_signal(sig, info, parent, group=True)
        self.k.exit.wake_up_parent(parent)
        return autoreap

    # ---- syscalls: dispositions and masks ------------------------------------------------

    def sys_rt_sigaction(self, t: TaskStruct, sig: int, act: int, oact: int, sigsetsize: int) -> int:
        if sigsetsize != 8 or not 1 <= sig <= S.NSIG:
            return -E.EINVAL
        uacc = self.k.uaccess
        new = None
        if act:
            raw = uacc.copy_from_user(t, act, 32)
            if raw is None:
                return -E.EFAULT
            handler, flags, restorer, mask = struct.unpack("<QQQQ", raw)
            if sig_kernel_only(sig):
                return -E.EINVAL
            new = (handler, flags & 0xFFFFFFFF, mask & ~S.SIG_KERNEL_ONLY_MASK, restorer)
        if oact:
            h, f, m, r = t.sighand.action.get(sig, (S.SIG_DFL, 0, 0, 0))
            if not uacc.copy_to_user(t, oact, struct.pack("<QQQQ", h, f, r, m)):
                return -E.EFAULT
        lock_acquire(("sigact", t.tgid, sig), write=new is not None)
        if new is not None:
            was_ignored = handler_of(t, sig) == S.SIG_IGN
            if new[0] == S.SIG_DFL and not new[1] and not new[2]:
                t.sighand.action.pop(sig, None)
            else:
                t.sighand.action[sig] = new
            if self.sig_task_ignored(t, sig, False):
                # POSIX: setting a pending signal to be ignored discards it.
                self.flush_sigqueue_mask(t, S.sigmask(sig), t.signal.shared_pending)
                for tt in t.signal.threads():
                    self.flush_sigqueue_mask(t, S.sigmask(sig), tt.pending)
            elif was_ignored:
                self.k.posix_timers.posixtimer_sig_unignore(t, sig)
        return 0

    def sys_rt_sigprocmask(self, t: TaskStruct, how: int, nset: int, oset: int, sigsetsize: int) -> int:
        if sigsetsize != 8:
            return -E.EINVAL
        uacc = self.k.uaccess
        old = t.blocked
        if nset:
            mask = uacc.get_u64(t, nset)
            if mask is None:
                return -E.EFAULT
            if how == S.SIG_BLOCK:
                new = old | mask
            elif how == S.SIG_UNBLOCK:
                new = old & ~mask
            elif how == S.SIG_SETMASK:
                new = mask
            else:
                return -E.EINVAL
            self.set_blocked(t, new)
        if oset and not uacc.put_u64(t, oset, old):
            return -E.EFAULT
        return 0

    def sys_rt_sigpending(self, t: TaskStruct, uset: int, sigsetsize: int) -> int:
        if sigsetsize > 8:
            return -E.EINVAL
        if lockdep.recorder is not None:
            for sig in range(1, S.NSIG + 1):
                lock_acquire(("sigpend", t.tgid, sig), write=False)
        pending = (t.pending.signal | t.signal.shared_pending.signal) & t.blocked
        return 0 if self.k.uaccess.put_u64(t, uset, pending) else -E.EFAULT

    # ---- syscalls: waiting for signals ---------------------------------------------------

    def _sleep_for_signal(self, t: TaskStruct) -> Generator[None, None, int]:
        """Sleep interruptibly until a signal is pending, then return
        -ERESTARTNOHAND (the return of pause and sigsuspend)."""
        sched = self.k.sched
        while not signal_pending_state(TASK_INTERRUPTIBLE, t):
            sched.set_task_state(t, TASK_INTERRUPTIBLE)
            yield
        if t.state != TASK_RUNNING:
            sched.set_task_state(t, TASK_RUNNING)
        return -E.ERESTARTNOHAND

    def sys_pause(self, t: TaskStruct) -> Generator[None, None, int]:
        return self._sleep_for_signal(t)  # one frame: millions of tasks may sit here

    def sys_rt_sigsuspend(self, t: TaskStruct, unewset: int, sigsetsize: int) -> Generator[None, None, int]:
        if sigsetsize != 8:
            return -E.EINVAL
        mask = self.k.uaccess.get_u64(t, unewset)
        if mask is None:
            return -E.EFAULT
        t.saved_sigmask = t.blocked
        t.restore_sigmask = True
        self.set_blocked(t, mask)
        return (yield from self._sleep_for_signal(t))

    def sys_rt_sigtimedwait(self, t: TaskStruct, uthese: int, uinfo: int, uts: int,
                            sigsetsize: int) -> Generator[None, None, int]:
        """Take a signal of the set without running its handler; wait for one
        (up to the timeout) if none is pending."""
        k = self.k
        if sigsetsize != 8:
            return -E.EINVAL
        uacc = k.uaccess
        these = uacc.get_u64(t, uthese)
        if these is None:
            return -E.EFAULT
        these &= ~S.SIG_KERNEL_ONLY_MASK
        deadline = None
        if uts:
            ns = uacc.get_timespec_ns(t, uts)
            if ns < 0:
                return ns
            deadline = k.clock.now + ns
        got = self.dequeue_signal(t, ~these)
        if got is None and deadline != k.clock.now:
            # Unblock the set while sleeping so that its signals wake us.
            t.real_blocked = t.blocked
            self.set_blocked(t, t.blocked & ~these)
            timer = None
            if deadline is not None:
                timer = k.clock.start_timer(deadline, lambda: k.sched.try_to_wake_up(t, TASK_INTERRUPTIBLE),
                                            t.timer_slack_ns)
            while not signal_pending_state(TASK_INTERRUPTIBLE, t) and (deadline is None or k.clock.now < deadline):
                k.sched.set_task_state(t, TASK_INTERRUPTIBLE)
                yield
            if t.state != TASK_RUNNING:
                k.sched.set_task_state(t, TASK_RUNNING)
            if timer is not None:
                k.clock.cancel(timer)
            self.set_blocked(t, t.real_blocked)
            t.real_blocked = 0
            got = self.dequeue_signal(t, ~these)
        if got is None:
            return -E.EAGAIN if deadline is not None and k.clock.now >= deadline else -E.EINTR
        sig, info = got
        if k.tp.signal_deliver.probes:
            k.tp.signal_deliver(sig, info, t, "accepted")
        if uinfo and not uacc.copy_to_user(t, uinfo, pack_siginfo(info)):
            return -E.EFAULT
        return sig

    # ---- syscalls: sending ----------------------------------------------------------------

    def check_kill_permission(self, sig: int, sender: TaskStruct, t: TaskStruct) -> int:
        if not 0 <= sig <= S.NSIG:
            return -E.EINVAL
        a, b = sender.cred, t.cred
        if a.euid == 0 or a.euid in (b.uid, b.suid) or a.uid in (b.uid, b.suid):
            return 0
        if sig == S.SIGCONT and sender.signal.session is t.signal.session:
            return 0
        return -E.EPERM

    def sys_kill(self, t: TaskStruct, pid: int, sig: int) -> int:
        """kill(2) (SEMANTICS G5)."""
        k = self.k
        if not 0 <= sig <= S.NSIG:
            return -E.EINVAL
        info = siginfo(sig, S.SI_USER, pid=t.tgid, uid=t.cred.uid)
        if pid > 0:
            p = k.pid_ns.find_task(pid)
            if p is None:
                return -E.ESRCH
            return self._kill_one(t, sig, info, p.group_leader)
        if pid == -1:
            count, err = 0, 0
            for p in k.for_each_process():
                if p.pid > 1 and p.tgid != t.tgid and not p.is_kthread():
                    r = self._kill_one(t, sig, info, p)
                    count += 1
                    if r != -E.EPERM:
                        err = r
            return err if count else -E.ESRCH
        pgrp = t.signal.pgrp if pid == 0 else k.pid_ns.find_pid(-pid)
        if pgrp is not None:
            lock_acquire(("pgrp", pgrp.nr), write=False)
        if pgrp is None or not pgrp.pgrp:
            return -E.ESRCH
        result, success = -E.ESRCH, False
        for p in list(pgrp.pgrp):
            r = self._kill_one(t, sig, info, p)
            success = success or r == 0
            result = r
        return 0 if success else result

    def _kill_one(self, sender: TaskStruct, sig: int, info: dict, p: TaskStruct) -> int:
        err = self.check_kill_permission(sig, sender, p)
        if err or sig == 0:
            return err
        if not p.signal.live:
            return 0  # a zombie: the signal has nowhere to go
        return self.send_signal(sig, info, p, group=True)

    def sys_tkill(self, t: TaskStruct, tid: int, sig: int) -> int:
        return self.sys_tgkill(t, -1, tid, sig)

    def sys_tgkill(self, t: TaskStruct, tgid: int, tid: int, sig: int) -> int:
        if tid <= 0 or (tgid <= 0 and tgid != -1):
            return -E.EINVAL
        p = self.k.pid_ns.find_task(tid)
        if p is None or (tgid > 0 and p.tgid != tgid) or p.exit_state:
            return -E.ESRCH
        err = self.check_kill_permission(sig, t, p)
        if err or sig == 0:
            return err
        return self.send_signal(sig, siginfo(sig, S.SI_TKILL, pid=t.tgid, uid=t.cred.uid), p, group=False)

    def _user_info(self, t: TaskStruct, target_tgid: int, sig: int, uinfo: int) -> dict | int:
        raw = self.k.uaccess.copy_from_user(t, uinfo, 128)
        if raw is None:
            return -E.EFAULT
        _signo, _errno, code = struct.unpack_from("<iii", raw)
        # Only the kernel may claim kernel-made codes, except towards oneself.
        if (code >= 0 or code == S.SI_TKILL) and target_tgid != t.tgid:
            return -E.EPERM
        return {"signo": sig, "code": code, "raw": raw}

    def sys_rt_sigqueueinfo(self, t: TaskStruct, tgid: int, sig: int, uinfo: int) -> int:
        p = self.k.pid_ns.find_task(tgid)
        if p is None:
            return -E.ESRCH
        return self._queue_user_info(t, p.group_leader, tgid, sig, uinfo, group=True)

    def sys_rt_tgsigqueueinfo(self, t: TaskStruct, tgid: int, tid: int, sig: int, uinfo: int) -> int:
        p = self.k.pid_ns.find_task(tid)
        if p is None or p.tgid != tgid:
            return -E.ESRCH
        return self._queue_user_info(t, p, tgid, sig, uinfo, group=False)

    def _queue_user_info(self, t: TaskStruct, p: TaskStruct, tgid: int, sig: int, uinfo: int, group: bool) -> int:
        """do_rt_sigqueueinfo / do_rt_tgsigqueueinfo once the target is found."""
        info = self._user_info(t, tgid, sig, uinfo)
        if isinstance(info, int):
            return info
        err = self.check_kill_permission(sig, t, p)
        if err or sig == 0:
            return err
        return self.send_signal(sig, info, p, group=group)
