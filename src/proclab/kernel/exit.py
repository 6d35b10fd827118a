"""Exit, zombies, orphans and wait (kernel/exit.c).

do_exit releases what a task owns (its mm, waking a vfork parent; its files;
its fs), hands its children to a new reaper, tells its parent, and leaves only
the descriptor with the exit status: a zombie (EXIT_ZOMBIE) until the parent
collects the status with wait, which makes it EXIT_DEAD and frees it
(release_task). When the parent has said it does not want zombies (SIGCHLD
ignored, or SA_NOCLDWAIT) the child is released at once (SEMANTICS X2-X5).

Orphans go to a live thread of their parent's group, else the nearest ancestor
that is a child subreaper, else init (find_new_reaper, X4).

wait4/waitid look at the children of every thread of the caller's group, report
zombies (and, with the job-control work, stopped/continued children), and sleep
interruptibly on signal->wait_chldexit until something changes (X6-X8).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Optional

from ..uapi import errno as E
from ..uapi import signal as S
from ..uapi import wait as W
from ..uapi.resource import RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD
from sortedcontainers import SortedDict

from ..lib import lockdep
from ..lib.lockdep import lock_acquire
from ..lib.wait import WaitQueueEntry, WaitQueueHead
from .pid import Pid
from .time.timekeeping import NSEC_PER_USEC
from ..arch.x86_64.signal import pack_siginfo
from .task import (
    EXIT_DEAD,
    EXIT_ZOMBIE,
    PF_EXITING,
    SIGNAL_GROUP_EXIT,
    SIGNAL_STOP_CONTINUED,
    SIGNAL_STOP_STOPPED,
    TASK_DEAD,
    TASK_INTERRUPTIBLE,
    TASK_RUNNING,
    NO_CHILDREN,
    TIF_SIGPENDING,
    SignalStruct,
    TaskStruct,
    Usage,
    process_usage,
    task_usage,
)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

_WAIT_OPTIONS = W.WNOHANG | W.WUNTRACED | W.WCONTINUED | W.WNOTHREAD | W.WCLONE | W.WALL
_WAITID_OPTIONS = W.WNOHANG | W.WEXITED | W.WSTOPPED | W.WCONTINUED | W.WNOWAIT | W.WNOTHREAD | W.WCLONE | W.WALL


class WaitOpts:
    """struct wait_opts: one wait call's question."""

    __slots__ = ("type", "pid", "flags", "status", "rusage", "want_rusage", "info", "notask_error")

    def __init__(self, type_: int, pid: object, flags: int, want_rusage: bool = False) -> None:
        self.type = type_            # P_ALL, P_PID, P_PGID
        self.pid = pid               # the struct pid for P_PID/P_PGID
        self.flags = flags
        self.status: Optional[int] = None
        self.rusage: Optional[bytes] = None       # the reported child's struct rusage
        self.want_rusage = want_rusage
        self.info: Optional[dict] = None
        self.notask_error = -E.ECHILD


def pid_nr(pid: object) -> int:
    """pid_nr(): the number of a wait's struct pid; 0 when it has none (P_ALL,
    or a pid argument that names no pid: the child was already reaped)."""
    return pid.nr if isinstance(pid, Pid) else 0


def status_word(code: int) -> int:
    """The wait status of an exit code as do_exit stores it (X8)."""
    return code & 0xFFFF


class Exit:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- exit ------------------------------------------------------------------

    def do_exit(self, tsk: TaskStruct, code: int) -> None:
        """do_exit(): never returns to user mode. `code` is the status word
        (exit(n) passes n << 8, a fatal signal its number)."""
        k = self.k
        if tsk.flags & PF_EXITING:  # pragma: no cover - a bug in the caller
            raise AssertionError(f"pid {tsk.pid} exits twice")
        if tsk.pid == 1 and not k.halting:
            k.panic(f"Attempted to kill init! exitcode={code:#x}")
        lock_acquire(("sig", tsk.tgid))  # exit_signals(): signals to it now find it exiting
        tsk.flags |= PF_EXITING
        signal = tsk.signal
        signal.live -= 1
        group_dead = signal.live == 0
        if group_dead:
            k.itimers.cancel_itimers(signal)
            k.posix_timers.exit_itimers(signal)
            if not signal.flags & SIGNAL_GROUP_EXIT:
                # The last thread to go decides the status of a process whose
                # threads all called plain exit (what the host's kernel reports).
                signal.group_exit_code = code
        tsk.exit_code = code
        self.exit_mm(tsk)
        k.sems.exit_sem(tsk)
        if k.tp.sched_process_exit.probes:
            k.tp.sched_process_exit(tsk)
        self.exit_files(tsk)
        self.exit_fs(tsk)
        self.exit_notify(tsk, group_dead)
        tsk.kstack = None
        k.sched.set_task_state(tsk, TASK_DEAD)
        k.entry.task_dead(tsk)

    def make_task_dead(self, tsk: TaskStruct, signr: int) -> None:
        """make_task_dead(): the task hit a bug in the kernel (an oops) and
        dies as if killed by `signr`, through the normal exit path, which
        releases what it held. A task that was already exiting is only
        taken off the CPU for good (Linux: "recursive fault")."""
        tsk.kstack = None
        if tsk.flags & PF_EXITING:
            self.k.sched.set_task_state(tsk, TASK_DEAD)
            self.k.entry.task_dead(tsk)
            return
        self.do_exit(tsk, signr)

    def sys_exit(self, t: TaskStruct, error_code: int) -> None:
        """exit(2): only this thread ends."""
        self.do_exit(t, (error_code & 0xFF) << 8)

    def sys_exit_group(self, t: TaskStruct, error_code: int) -> None:
        self.do_group_exit(t, (error_code & 0xFF) << 8)

    def do_group_exit(self, tsk: TaskStruct, code: int) -> None:
        """exit_group(): the first one to call it fixes the group's status; the
        other threads are killed (X3). A thread killed by another thread's exec
        just goes (its status is not the process's)."""
        signal = tsk.signal
        if signal.flags & SIGNAL_GROUP_EXIT:
            code = signal.group_exit_code
        elif signal.group_exec_task is not None:
            code = 0
        elif signal.nr_threads > 1:
            signal.group_exit_code = code
            signal.flags = SIGNAL_GROUP_EXIT
            for t in signal.threads():
                if t is not tsk:
                    t.pending.signal |= S.sigmask(S.SIGKILL)
                    self.k.signal.signal_wake_up(t, True)
        else:
            signal.group_exit_code = code
            signal.flags = SIGNAL_GROUP_EXIT
        self.do_exit(tsk, code)

    def exit_mm(self, tsk: TaskStruct) -> None:
        mm = tsk.mm
        self.mm_release(tsk)
        if mm is None:
            return
        tsk.mm = None
        self.k.mmput(mm)

    def mm_release(self, tsk: TaskStruct) -> None:
        """A task stops using its mm (exit or exec): wake a vfork parent, and
        honour CLONE_CHILD_CLEARTID (write 0, wake a futex waiter)."""
        self.k.futex.exit_robust_list(tsk)
        if tsk.clear_child_tid and tsk.mm is not None and tsk.mm.users > 1:
            self.k.uaccess.put_u32(tsk, tsk.clear_child_tid, 0)
            self.k.futex.futex_wake(tsk, tsk.mm, tsk.clear_child_tid, 1)
        tsk.clear_child_tid = 0
        done = tsk.vfork_done
        if done is not None:
            tsk.vfork_done = None
            done.wake_up_all()

    def exit_files(self, tsk: TaskStruct) -> None:
        files = tsk.files
        if files is None:
            return
        tsk.files = None
        files.users -= 1
        if files.users == 0:
            files.close_all()

    def exit_fs(self, tsk: TaskStruct) -> None:
        fs = tsk.fs
        if fs is not None:
            tsk.fs = None
            fs.users -= 1

    # ---- orphans -----------------------------------------------------------------

    def find_alive_thread(self, p: TaskStruct) -> Optional[TaskStruct]:
        for t in p.signal.threads():
            if not t.flags & PF_EXITING:
                return t
        return None

    def find_child_reaper(self, father: TaskStruct) -> TaskStruct:
        return self.k.child_reaper

    def find_new_reaper(self, father: TaskStruct, child_reaper: TaskStruct) -> TaskStruct:
        """X4: a live thread of the group, else the nearest subreaper ancestor
        with a live thread, else init."""
        thread = self.find_alive_thread(father)
        if thread is not None:
            return thread
        if father.signal.has_child_subreaper:
            reaper = father.real_parent
            while reaper is not child_reaper and reaper.pid != 0:
                if reaper.signal.is_child_subreaper:
                    thread = self.find_alive_thread(reaper)
                    if thread is not None:
                        return thread
                reaper = reaper.real_parent
        return child_reaper

    def forget_original_parent(self, father: TaskStruct, dead: list[TaskStruct]) -> None:
        """Give `father`'s children to their new reaper."""
        if not father.children:
            return
        reaper = self.find_new_reaper(father, self.find_child_reaper(father))
        tp = self.k.tp
        for p in list(father.children):
            for t in p.signal.threads() or [p]:
                lock_acquire(("parent", t.pid))  # getppid() and the SIGCHLD target change
                t.real_parent = reaper
                if t.parent is father:
                    t.parent = reaper
                if t.pdeath_signal:
                    self.k.signal.send_signal(t.pdeath_signal, {"signo": t.pdeath_signal, "code": S.SI_USER},
                                              t, group=False)
            self.unlink_child(father, p)
            if p.exit_signal != -1:  # reparent_leader(): the new parent hears SIGCHLD
                p.exit_signal = S.SIGCHLD
            self.link_child(reaper, p)
            if tp.task_reparent.probes:
                tp.task_reparent(p, father, reaper)
            if p.exit_state == EXIT_ZOMBIE and self.thread_group_empty(p):
                if self.k.signal.do_notify_parent(p, p.exit_signal):
                    p.exit_state = EXIT_DEAD
                    dead.append(p)
            self.k.jobctl.kill_orphaned_pgrp(p, father)

    def group_status(self, p: TaskStruct) -> int:
        """The exit code of a dead process: the group's once every thread is
        gone (exit_group, a fatal signal, or the last thread's exit), else the
        task's own."""
        sig = p.signal
        return sig.group_exit_code if sig.flags & SIGNAL_GROUP_EXIT or not sig.live else p.exit_code

    def thread_group_empty(self, p: TaskStruct) -> bool:
        return p.signal.nr_threads <= 1

    def exit_notify(self, tsk: TaskStruct, group_dead: bool) -> None:
        dead: list[TaskStruct] = []
        self.forget_original_parent(tsk, dead)
        if group_dead:
            self.k.jobctl.kill_orphaned_pgrp(tsk.group_leader, None)
        lock_acquire(("exit", tsk.pid))  # what a waiting parent finds
        tsk.exit_state = EXIT_ZOMBIE
        if tsk.thread_group_leader():
            autoreap = self.thread_group_empty(tsk) and self.k.signal.do_notify_parent(tsk, tsk.exit_signal)
        else:
            autoreap = True
        if autoreap:
            tsk.exit_state = EXIT_DEAD
            dead.append(tsk)
        else:
            self.update_wait_ready(tsk)
        for p in dead:
            self.release_task(p, reaper=None)
        self._wake_exec_task(tsk.signal)

    def _wake_exec_task(self, signal: SignalStruct) -> None:
        """A thread is gone (or the leader a zombie): de_thread() may go on."""
        if signal.group_exec_task is not None:
            self.k.sched.wake_up_process(signal.group_exec_task)

    # ---- the family: children lists and what each parent may wait for -----------

    def link_child(self, parent: TaskStruct, p: TaskStruct) -> None:
        """list_add_tail(&p->sibling, &parent->children)."""
        k = self.k
        lock_acquire(("children", parent.pid))
        k.sibling_seq += 1
        p.sibling_seq = k.sibling_seq
        if parent.children is NO_CHILDREN:
            parent.children = {}
        parent.children[p] = None
        if p.exit_signal != S.SIGCHLD:
            parent.nr_clone_children += 1
        self.update_wait_ready(p)

    def unlink_child(self, parent: TaskStruct, p: TaskStruct) -> None:
        lock_acquire(("children", parent.pid))
        del parent.children[p]
        if not parent.children:
            parent.children = NO_CHILDREN
        if p.exit_signal != S.SIGCHLD:
            parent.nr_clone_children -= 1
        ready = parent.wait_ready
        if ready is not None:
            ready.pop(p.sibling_seq, None)

    def replace_child(self, old: TaskStruct, new: TaskStruct) -> None:
        """`new` takes `old`'s place among its parent's children (de_thread)."""
        parent = old.real_parent
        parent.children = {(new if c is old else c): None for c in parent.children}
        new.sibling_seq = old.sibling_seq
        if parent.wait_ready is not None:
            parent.wait_ready.pop(old.sibling_seq, None)
        self.update_wait_ready(new)

    def has_something_to_report(self, p: TaskStruct) -> bool:
        sig = p.signal
        if p.exit_state == EXIT_ZOMBIE:
            return not self.delay_group_leader(p)
        return bool(sig.flags & SIGNAL_STOP_STOPPED and sig.group_exit_code) or bool(
            sig.flags & SIGNAL_STOP_CONTINUED)

    def update_wait_ready(self, p: TaskStruct) -> None:
        """Keep `p` in its parent's index of reportable children (zombies,
        unreported stops and continues) exactly when it has something to say.
        The index is ordered like the children list, so wait reports in
        Linux's order without scanning the live children."""
        parent = p.real_parent
        if p not in parent.children:
            return
        lock_acquire(("exit", p.pid))
        ready = parent.wait_ready
        if self.has_something_to_report(p):
            if ready is None:
                ready = parent.wait_ready = SortedDict()
            ready[p.sibling_seq] = p
        elif ready is not None:
            ready.pop(p.sibling_seq, None)

    def has_eligible_child(self, wo: WaitOpts, tsk: TaskStruct) -> bool:
        """Is there any child `wo` could ever report (else ECHILD)?"""
        if wo.type == W.P_PGID:
            return any(self.eligible_child(wo, p) for p in tsk.children)
        if wo.flags & W.WALL:
            return bool(tsk.children)
        if wo.flags & W.WCLONE:
            return tsk.nr_clone_children > 0
        return len(tsk.children) > tsk.nr_clone_children

    def wake_up_parent(self, parent: TaskStruct) -> None:
        """__wake_up_parent(): waiters in wait4/waitid re-check their children."""
        wq = parent.signal.wait_chldexit
        if wq is not None:
            wq.wake_up_all()

    # ---- release ------------------------------------------------------------------

    def release_task(self, p: TaskStruct, reaper: Optional[TaskStruct] = None) -> None:
        """release_task(): the last trace of `p` goes: its pids, its place in
        the task list and in its parent's children, its descriptor."""
        k = self.k
        while True:
            leader = p.group_leader
            signal = p.signal
            # __exit_signal(): the thread's usage stays with its process
            signal.dead_usage = signal.dead_usage + task_usage(p)
            signal.remove_thread(p)
            k.detach_task(p)
            if p in p.parent.children:
                self.unlink_child(p.parent, p)
            if k.tp.sched_process_free.probes:
                k.tp.sched_process_free(p)
            k.free_task(p)
            self._wake_exec_task(signal)
            # A zombie leader waiting for its last thread can now be reported.
            if leader is p or not self.thread_group_empty(leader) or leader.exit_state != EXIT_ZOMBIE:
                return
            if not k.signal.do_notify_parent(leader, leader.exit_signal):
                self.update_wait_ready(leader)
                return
            leader.exit_state = EXIT_DEAD
            p = leader

    # ---- wait -----------------------------------------------------------------------

    def eligible_pid(self, wo: WaitOpts, p: TaskStruct) -> bool:
        if wo.type == W.P_ALL:
            return True
        if wo.type == W.P_PID:
            return p.pid_link is wo.pid
        return p.signal.pgrp is wo.pid

    def eligible_child(self, wo: WaitOpts, p: TaskStruct) -> bool:
        if not self.eligible_pid(wo, p):
            return False
        # A clone child with another exit signal needs __WCLONE (or __WALL).
        if (p.exit_signal != S.SIGCHLD) ^ bool(wo.flags & W.WCLONE) and not wo.flags & W.WALL:
            return False
        return True

    def delay_group_leader(self, p: TaskStruct) -> bool:
        return p.thread_group_leader() and not self.thread_group_empty(p)

    def wait_consider_task(self, wo: WaitOpts, waiter: TaskStruct, p: TaskStruct) -> int:
        """0: nothing to report from `p`; >0: a pid reported."""
        if p.exit_state == EXIT_DEAD:
            return 0
        if not self.eligible_child(wo, p):
            return 0
        if p.exit_state == EXIT_ZOMBIE:
            if self.delay_group_leader(p):
                wo.notask_error = 0
                return 0
            wo.notask_error = 0
            if not wo.flags & W.WEXITED:
                return 0
            return self.wait_task_zombie(wo, waiter, p)
        wo.notask_error = 0
        ret = self.wait_task_stopped(wo, p)
        if ret:
            return ret
        return self.wait_task_continued(wo, p)

    def wait_task_stopped(self, wo: WaitOpts, p: TaskStruct) -> int:
        """WUNTRACED/WSTOPPED: a stopped child, reported once (G6)."""
        sig = p.signal
        if not wo.flags & W.WSTOPPED or not sig.flags & SIGNAL_STOP_STOPPED or not sig.group_exit_code:
            return 0
        code = sig.group_exit_code
        if not wo.flags & W.WNOWAIT:
            sig.group_exit_code = 0
            self.update_wait_ready(p)
        wo.status = (code << 8) | 0x7F
        wo.info = {"signo": S.SIGCHLD, "code": S.CLD_STOPPED, "pid": p.tgid, "uid": p.cred.uid, "status": code}
        if wo.want_rusage:
            wo.rusage = self.child_rusage(p)
        return p.tgid

    def wait_task_continued(self, wo: WaitOpts, p: TaskStruct) -> int:
        """WCONTINUED: a child continued since its stop was reported."""
        sig = p.signal
        if not wo.flags & W.WCONTINUED or not sig.flags & SIGNAL_STOP_CONTINUED:
            return 0
        if not wo.flags & W.WNOWAIT:
            sig.flags &= ~SIGNAL_STOP_CONTINUED
            self.update_wait_ready(p)
        wo.status = 0xFFFF
        wo.info = {"signo": S.SIGCHLD, "code": S.CLD_CONTINUED, "pid": p.tgid, "uid": p.cred.uid,
                   "status": S.SIGCONT}
        if wo.want_rusage:
            wo.rusage = self.child_rusage(p)
        return p.tgid

    def wait_task_zombie(self, wo: WaitOpts, waiter: TaskStruct, p: TaskStruct) -> int:
        pid = p.tgid
        status = status_word(self.group_status(p))
        # what the child used, taken before release_task folds its own share away
        used = process_usage(p) + p.signal.children_usage
        if wo.want_rusage:
            wo.rusage = pack_rusage(used)
        if wo.flags & W.WNOWAIT:
            wo.status = status
            wo.info = self._child_info(p, status)
            return pid
        lock_acquire(("exit", p.pid))
        p.exit_state = EXIT_DEAD
        if p.thread_group_leader():
            # The parent's children usage grows by the child's and its children's.
            waiter.signal.children_usage = waiter.signal.children_usage + used
        wo.status = status
        wo.info = self._child_info(p, status)
        if self.k.tp.task_reaped.probes:
            self.k.tp.task_reaped(p, waiter, status)
        self.release_task(p, reaper=waiter)
        return pid

    def _child_info(self, p: TaskStruct, status: int) -> dict:
        if status & 0x7F:
            code = S.CLD_DUMPED if status & 0x80 else S.CLD_KILLED
            st = status & 0x7F
        else:
            code, st = S.CLD_EXITED, status >> 8
        return {"signo": S.SIGCHLD, "code": code, "pid": p.tgid, "uid": p.cred.uid, "status": st}

    def do_wait_thread(self, wo: WaitOpts, waiter: TaskStruct, tsk: TaskStruct) -> int:
        """The children of one thread: a given pid directly, otherwise the
        reportable ones in list order, then whether any could report later."""
        lock_acquire(("children", tsk.pid), write=False)
        if wo.type == W.P_PID:
            p = getattr(wo.pid, "task", None)
            if p is None or p.real_parent is not tsk or p not in tsk.children:
                return 0
            lock_acquire(("exit", p.pid), write=False)
            return self.wait_consider_task(wo, waiter, p)
        ready = tsk.wait_ready
        if ready is not None:
            for p in ready.values():  # a report ends the loop before the index changes
                before = list(tsk.children) if lockdep.recorder is not None else None
                ret = self.wait_consider_task(wo, waiter, p)
                if ret:
                    if before is not None:
                        self._lockdep_scanned(before, p)
                    return ret
        if lockdep.recorder is not None:
            self._lockdep_scanned(list(tsk.children), None)
        if self.has_eligible_child(wo, tsk):
            wo.notask_error = 0
        return 0

    @staticmethod
    def _lockdep_scanned(children: list[TaskStruct], reported: Optional[TaskStruct]) -> None:
        """For lockdep: what the scan found out. A report depends on the
        state of the children before it in list order (none of them had
        something to report), not on those after it; no report, on all."""
        for p in children:
            if p is reported:
                return
            lock_acquire(("exit", p.pid), write=False)

    def do_wait(self, waiter: TaskStruct, wo: WaitOpts) -> Generator[None, None, int]:
        """do_wait(): report one child, or sleep until one changes."""
        k = self.k
        if k.tp.sched_process_wait.probes:
            k.tp.sched_process_wait(waiter, pid_nr(wo.pid))
        wq = waiter.signal.wait_chldexit
        if wq is None:
            wq = waiter.signal.wait_chldexit = WaitQueueHead("wait_chldexit")
        entry = WaitQueueEntry(waiter, k.sched.default_wake_function)
        wq.add(entry)
        while True:
            wo.notask_error = -E.ECHILD
            retval = 0
            threads = (waiter,) if wo.flags & W.WNOTHREAD else waiter.signal.threads()
            for tsk in threads:
                retval = self.do_wait_thread(wo, waiter, tsk)
                if retval:
                    break
            if retval:
                break
            retval = wo.notask_error
            if retval or wo.flags & W.WNOHANG:
                break
            if waiter.tif & TIF_SIGPENDING:
                retval = -E.ERESTARTSYS
                break
            # Nothing runs between the checks above and this sleep, so setting
            # the state here is as safe as Linux's set-then-check.
            k.sched.set_task_state(waiter, TASK_INTERRUPTIBLE)
            yield
        # (no `finally`: a kernel being discarded closes its generators)
        if waiter.state != TASK_RUNNING:
            k.sched.set_task_state(waiter, TASK_RUNNING)
        wq.remove(entry)
        return retval

    def _wait_target(self, upid: int, caller: TaskStruct) -> tuple[int, object]:
        """The (type, pid) a wait4 pid argument means, or (-1, None) for a
        pid that names nothing (which waits for nothing: ECHILD)."""
        ns = self.k.pid_ns
        if upid == -1:
            return W.P_ALL, None
        if upid < -1:
            pid = ns.find_pid(-upid)
            return W.P_PGID, pid if pid is not None else object()
        if upid == 0:
            return W.P_PGID, caller.signal.pgrp
        pid = ns.find_pid(upid)
        return W.P_PID, pid if pid is not None else object()

    def sys_wait4(self, t: TaskStruct, upid: int, stat_addr: int, options: int, ru: int):
        if options & ~_WAIT_OPTIONS:
            return -E.EINVAL
        type_, pid = self._wait_target(upid, t)
        wo = WaitOpts(type_, pid, options | W.WEXITED, want_rusage=bool(ru))
        ret = yield from self.do_wait(t, wo)
        if ret > 0:
            uacc = self.k.uaccess
            if stat_addr and not uacc.put_i32(t, stat_addr, wo.status or 0):
                return -E.EFAULT
            if ru and not uacc.copy_to_user(t, ru, wo.rusage or bytes(144)):
                return -E.EFAULT
        return ret

    def sys_waitid(self, t: TaskStruct, which: int, upid: int, infop: int, options: int, ru: int):
        if options & ~_WAITID_OPTIONS or not options & (W.WEXITED | W.WSTOPPED | W.WCONTINUED):
            return -E.EINVAL
        ns = self.k.pid_ns
        if which == W.P_ALL:
            type_, pid = W.P_ALL, None
        elif which == W.P_PID:
            if upid <= 0:
                return -E.EINVAL
            type_, pid = W.P_PID, ns.find_pid(upid) or object()
        elif which == W.P_PGID:
            if upid < 0:
                return -E.EINVAL
            type_, pid = W.P_PGID, (ns.find_pid(upid) or object()) if upid else t.signal.pgrp
        else:
            return -E.EINVAL
        wo = WaitOpts(type_, pid, options, want_rusage=bool(ru))
        ret = yield from self.do_wait(t, wo)
        if ret < 0:
            return ret
        uacc = self.k.uaccess
        if infop:
            data = pack_siginfo(wo.info) if ret > 0 and wo.info is not None else bytes(128)
            if not uacc.copy_to_user(t, infop, data):
                return -E.EFAULT
        if ru and ret > 0 and not uacc.copy_to_user(t, ru, wo.rusage or bytes(144)):
            return -E.EFAULT
        return 0

    # ---- rusage ----------------------------------------------------------------------

    def child_rusage(self, p: TaskStruct) -> bytes:
        """The rusage wait4/waitid report for a child: what its process used
        plus what its reaped children used (getrusage(RUSAGE_BOTH))."""
        return pack_rusage(process_usage(p) + p.signal.children_usage)

    def rusage_of(self, p: TaskStruct, who: int) -> bytes:
        """getrusage(who) for the process of `p` (RUSAGE_SELF, _CHILDREN, _THREAD)."""
        if who == RUSAGE_THREAD:
            return pack_rusage(task_usage(p))
        if who == RUSAGE_SELF:
            return pack_rusage(process_usage(p))
        assert who == RUSAGE_CHILDREN
        return pack_rusage(p.signal.children_usage)


def pack_rusage(u: Usage) -> bytes:
    """struct rusage (144 bytes)."""
    def tv(ns: int) -> tuple[int, int]:
        usec = ns // NSEC_PER_USEC
        return usec // 1_000_000, usec % 1_000_000

    us, uu = tv(u.utime)
    ss, su = tv(u.stime)
    longs = [0, 0, 0, 0, u.min_flt, u.maj_flt, 0, 0, 0, 0, 0, 0, u.nvcsw, u.nivcsw]
    return struct.pack("<qqqq14q", us, uu, ss, su, *longs)


def describe_status(status: int) -> str:
    """How a task ended, in words: "exit 3", "SIGSEGV", "SIGSEGV (core)"."""
    if status & 0x7F:
        text = S.signame(status & 0x7F)
        return text + " (core dumped)" if status & 0x80 else text
    return f"exit {status >> 8}"
