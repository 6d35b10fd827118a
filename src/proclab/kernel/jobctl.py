"""Job control (kernel/signal.c do_signal_stop & co, kernel/exit.c
kill_orphaned_pgrp): stopping and continuing whole processes, telling the
parent, and rescuing orphaned process groups (SEMANTICS G6, G7).

A stop signal stops every thread of the process (a group stop): the first
thread to take it marks all threads JOBCTL_STOP_PENDING and each stops itself on
its way to user mode; the last one to stop makes the group SIGNAL_STOP_STOPPED
and reports CLD_STOPPED to the parent (unless the parent's SIGCHLD has
SA_NOCLDSTOP). SIGCONT, whenever it is sent, wakes all stopped threads; the
parent learns CLD_CONTINUED. wait with WUNTRACED / WCONTINUED reports each event
once.

When a process exits and leaves a process group orphaned (no member has a parent
in another group of the same session) while a member is stopped, the group gets
SIGHUP then SIGCONT: nobody could ever continue it otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..uapi import signal as S
from .task import (
    JOBCTL_STOP_PENDING,
    PF_EXITING,
    SIGNAL_CLD_CONTINUED,
    SIGNAL_CLD_MASK,
    SIGNAL_CLD_STOPPED,
    SIGNAL_GROUP_EXIT,
    SIGNAL_STOP_CONTINUED,
    SIGNAL_STOP_STOPPED,
    TASK_STOPPED,
    TIF_SIGPENDING,
    TASK_STOPPED_BIT,
    TaskStruct,
)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel
    from .pid import Pid


class JobControl:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- stopping -------------------------------------------------------------------

    def do_signal_stop(self, t: TaskStruct, signr: int) -> bool:
        """Take part in a group stop (starting one when signr is a stop signal).
        Returns True when `t` is now stopped and must schedule away."""
        sig = t.signal
        if not t.jobctl & JOBCTL_STOP_PENDING:
            if not signr or sig.flags & SIGNAL_GROUP_EXIT or sig.group_exec_task is not None:
                return False
            # Start the group stop: every live thread has to stop.
            sig.group_exit_code = signr
            sig.flags &= ~SIGNAL_STOP_CONTINUED
            sig.group_stop_count = 0
            for thread in sig.threads():
                if not thread.flags & PF_EXITING:
                    thread.jobctl |= JOBCTL_STOP_PENDING
                    sig.group_stop_count += 1
                    if thread is not t:
                        self.k.signal.signal_wake_up(thread, False)
        t.jobctl &= ~JOBCTL_STOP_PENDING
        sig.group_stop_count -= 1
        if sig.group_stop_count <= 0:
            sig.group_stop_count = 0
            sig.flags = (sig.flags & ~SIGNAL_CLD_MASK) | SIGNAL_STOP_STOPPED
            self.k.exit.update_wait_ready(t.group_leader)
            self.do_notify_parent_cldstop(t, S.CLD_STOPPED)
        self.k.sched.set_task_state(t, TASK_STOPPED)
        return True

    def sigcont(self, p: TaskStruct) -> None:
        """The side effects of generating SIGCONT (prepare_signal): pending stop
        signals are dropped and every stopped thread wakes up."""
        sig = p.signal
        stops = S.SIG_KERNEL_STOP_MASK
        self.k.signal.flush_sigqueue_mask(p, stops, sig.shared_pending)
        why = 0
        if sig.flags & SIGNAL_STOP_STOPPED:
            why = SIGNAL_CLD_CONTINUED
        elif sig.group_stop_count:
            why = SIGNAL_CLD_STOPPED
        for t in sig.threads():
            self.k.signal.flush_sigqueue_mask(p, stops, t.pending)
            t.jobctl &= ~JOBCTL_STOP_PENDING
            if t.state & TASK_STOPPED_BIT:
                # it will tell the parent on its way back to user mode
                t.tif |= TIF_SIGPENDING
                self.k.sched.try_to_wake_up(t, TASK_STOPPED_BIT)
        if why:
            sig.flags = why | SIGNAL_STOP_CONTINUED
            sig.group_stop_count = 0
            sig.group_exit_code = 0
            self.k.exit.update_wait_ready(p.group_leader)

    def report_pending_cld(self, t: TaskStruct) -> None:
        """get_signal()'s first duty: a continue (or a stop completed by a
        SIGCONT's arrival) the parent has not heard of yet."""
        sig = t.signal
        if sig.flags & SIGNAL_CLD_MASK:
            why = S.CLD_CONTINUED if sig.flags & SIGNAL_CLD_CONTINUED else S.CLD_STOPPED
            sig.flags &= ~SIGNAL_CLD_MASK
            self.do_notify_parent_cldstop(t, why)

    def do_notify_parent_cldstop(self, t: TaskStruct, why: int) -> None:
        """SIGCHLD with CLD_STOPPED/CLD_CONTINUED to the process's parent,
        unless it asked not to hear of stops (SA_NOCLDSTOP or SIG_IGN)."""
        k = self.k
        leader = t.group_leader
        parent = leader.real_parent
        status = leader.signal.group_exit_code if why == S.CLD_STOPPED else S.SIGCONT
        action = parent.sighand.action.get(S.SIGCHLD)
        if action is None or (action[0] != S.SIG_IGN and not action[1] & S.SA_NOCLDSTOP):
            info = {"signo": S.SIGCHLD, "code": why, "pid": leader.tgid, "uid": leader.cred.uid,
                    "status": status, "utime": leader.utime, "stime": leader.stime}
            k.signal.send_signal(S.SIGCHLD, info, parent, group=True)
        k.exit.wake_up_parent(parent)

    # ---- orphaned process groups ---------------------------------------------------------

    def will_become_orphaned_pgrp(self, pgrp: Pid, ignored: Optional[TaskStruct]) -> bool:
        """Is `pgrp` orphaned once `ignored` is gone: no member has a parent in
        a different group of the same session (init does not count)?"""
        for p in pgrp.pgrp or ():
            if p is ignored or (p.exit_state and p.signal.nr_threads <= 1):
                continue
            parent = p.real_parent
            if parent.pid == 1:
                continue
            if parent.signal.pgrp is not pgrp and parent.signal.session is p.signal.session:
                return False
        return True

    def has_stopped_jobs(self, pgrp: Pid) -> bool:
        return any(p.signal.flags & SIGNAL_STOP_STOPPED for p in pgrp.pgrp or ())

    def kill_orphaned_pgrp(self, tsk: TaskStruct, parent: Optional[TaskStruct]) -> None:
        """Called as `tsk` exits (parent None: its own group) or as `tsk`, a
        child of an exiting task, is reparented (parent: the exiting task)."""
        pgrp = tsk.signal.pgrp
        ignored = tsk if parent is None else None
        if parent is None:
            parent = tsk.real_parent
        if pgrp is None or parent.signal.pgrp is pgrp or parent.signal.session is not tsk.signal.session:
            return
        if self.will_become_orphaned_pgrp(pgrp, ignored) and self.has_stopped_jobs(pgrp):
            sigs = self.k.signal
            for sig in (S.SIGHUP, S.SIGCONT):
                for member in list(pgrp.pgrp or ()):
                    sigs.send_signal(sig, {"signo": sig, "code": S.SI_KERNEL}, member, group=True, force=True)

    def is_current_pgrp_orphaned(self, t: TaskStruct) -> bool:
        pgrp = t.signal.pgrp
        return pgrp is not None and self.will_become_orphaned_pgrp(pgrp, None)
