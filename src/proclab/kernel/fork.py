"""Creating tasks (kernel/fork.c): kernel_clone and copy_process.

fork, vfork, clone and clone3, kernel threads and init all come through
`kernel_clone` (SEMANTICS F1). copy_process duplicates the descriptor, checks
the limits, and copies or shares each resource by its clone flag: the mm
(CLONE_VM), the fd table (CLONE_FILES), cwd/root (CLONE_FS), the dispositions
(CLONE_SIGHAND) and the signal struct (CLONE_THREAD) -- shared means the same
object with one more user, copied means a new object (F2, F5). The child's
registers are the parent's with RAX = 0 (F2); its memory is the parent's,
copy-on-write (F6, mm/memory.py). With CLONE_VFORK the parent sleeps until the
child execs or exits (F7).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Callable, Generator, Optional, Union

from ..arch.x86_64.pgtable import PAGE_SIZE
from ..lib.wait import WaitQueueHead
from ..mm.memory import dup_mmap
from ..uapi import errno as E
from ..uapi import sched as C
from ..uapi import signal as S
from ..uapi.resource import RLIMIT_NPROC
from .time.timekeeping import COSTS
from .sched.wait import wait_event
from .task import (
    PF_EXITING,
    PF_FORKNOEXEC,
    PF_IDLE,
    PF_KTHREAD,
    PF_SIGNALED,
    PF_SUPERPRIV,
    SIGNAL_GROUP_EXIT,
    SIGNAL_UNKILLABLE,
    TASK_KILLABLE,
    TASK_NEW,
    SignalStruct,
    TaskStruct,
)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

CLONE_ARGS_SIZE_VER0 = 64
CLONE_ARGS_SIZE_VER2 = 88


# The namespaces clone and unshare could create (none is simulated).
_NAMESPACES = (C.CLONE_NEWNS | C.CLONE_NEWUTS | C.CLONE_NEWIPC | C.CLONE_NEWUSER | C.CLONE_NEWPID
               | C.CLONE_NEWNET | C.CLONE_NEWCGROUP)


def unshare_fd(t: TaskStruct) -> None:
    """unshare_fd(): give `t` its own copy of an fd table it shares
    (unshare(CLONE_FILES), close_range(CLOSE_RANGE_UNSHARE), exec)."""
    if t.files is not None and t.files.users > 1:
        t.files.users -= 1
        t.files = t.files.copy()


def unshare_fs(t: TaskStruct) -> None:
    """unshare_fs(): give `t` its own copy of a shared cwd/root/umask."""
    if t.fs is not None and t.fs.users > 1:
        t.fs.users -= 1
        t.fs = t.fs.copy()


class CloneArgs:
    """struct kernel_clone_args."""

    __slots__ = ("flags", "exit_signal", "stack", "tls", "parent_tid", "child_tid", "fn", "name", "kthread",
                 "set_tid")

    def __init__(
        self,
        flags: int,
        exit_signal: int = 0,
        stack: int = 0,
        tls: int = 0,
        parent_tid: int = 0,
        child_tid: int = 0,
        fn: Optional[Callable[..., Any]] = None,
        name: str = "",
        kthread: bool = False,
    ) -> None:
        self.flags = flags
        self.exit_signal = exit_signal
        self.stack = stack
        self.tls = tls
        self.parent_tid = parent_tid
        self.child_tid = child_tid
        self.fn = fn            # kernel threads / scripted children: what the child runs
        self.name = name        # comm of a kernel thread
        self.kthread = kthread  # the child is a kernel thread (PF_KTHREAD)
        self.set_tid = 0        # clone3: the pid the child must get (0: any)


class Fork:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def copy_process(self, parent: TaskStruct, args: CloneArgs) -> Union[TaskStruct, int]:
        """The new task, not yet runnable (TASK_NEW), or -errno."""
        k = self.k
        flags = args.flags
        # F3: the combinations Linux refuses
        if flags & (C.CLONE_NEWNS | C.CLONE_FS) == (C.CLONE_NEWNS | C.CLONE_FS):
            return -E.EINVAL
        if flags & C.CLONE_THREAD and not flags & C.CLONE_SIGHAND:
            return -E.EINVAL
        if flags & C.CLONE_SIGHAND and not flags & C.CLONE_VM:
            return -E.EINVAL
        if flags & (C.CLONE_PARENT | C.CLONE_THREAD) and parent.signal.flags & SIGNAL_UNKILLABLE:
            return -E.EINVAL  # init may not create siblings or threads of itself
        if flags & C.CLONE_PIDFD and flags & (C.CLONE_THREAD | C.CLONE_PARENT_SETTID):
            return -E.EINVAL
        if flags & C.CLONE_CLEAR_SIGHAND and flags & C.CLONE_SIGHAND:
            return -E.EINVAL
        if flags & (_NAMESPACES | C.CLONE_PIDFD):
            k.warn_once(("clone", flags & ~0xFFFF), "namespaces and pidfds are not supported: clone fails with EINVAL")
            return -E.EINVAL
        if parent.signal.flags & SIGNAL_GROUP_EXIT or parent.flags & PF_EXITING:
            return -E.EINTR  # fatal signal pending: the fork is abandoned (ERESTARTNOINTR)
        # Limits: RLIMIT_NPROC counts the user's tasks (root is exempt, as in
        # Linux), threads-max all tasks.
        uid = parent.cred.uid
        if uid != 0 and k.nr_tasks_of(uid) >= parent.signal.rlim[RLIMIT_NPROC][0]:
            k.note_fork_failure(parent, "RLIMIT_NPROC")
            return -E.EAGAIN
        if k.nr_threads >= k.max_threads:
            k.note_fork_failure(parent, "threads-max")
            return -E.EAGAIN

        p = k.alloc_task_struct()
        # dup_task_struct(): what is not listed below is inherited as is.
        p.comm = parent.comm
        p.cred = parent.cred  # immutable: set*id() installs a new one (cred.py)
        p.blocked = parent.blocked
        p.pdeath_signal = 0
        p.timer_slack_ns = p.default_timer_slack_ns = parent.timer_slack_ns
        # The alternate signal stack is inherited, except by a thread that
        # shares the memory without vfork (its stack would be shared too).
        if flags & (C.CLONE_VM | C.CLONE_VFORK) != C.CLONE_VM:
            p.sas_ss_sp, p.sas_ss_size, p.sas_ss_flags = parent.sas_ss_sp, parent.sas_ss_size, parent.sas_ss_flags
        # copy_flags(): a fresh child has not exec'ed and has no super-user history
        p.flags = (parent.flags & ~(PF_SUPERPRIV | PF_IDLE | PF_SIGNALED | PF_EXITING | PF_KTHREAD)) | PF_FORKNOEXEC
        if args.kthread:
            p.flags |= PF_KTHREAD
        if args.name:
            p.comm = args.name[:15]
        p.start_time = k.clock.now
        p.state = TASK_NEW
        k.sched.sched_fork(p, parent)

        # Resources, by flag (F1/F5).
        p.files = self.copy_files(parent, flags)
        p.fs = self.copy_fs(parent, flags)
        p.sighand = self.copy_sighand(parent, flags)
        p.signal = self.copy_signal(parent, flags)
        k.sems.copy_semundo(parent, p, bool(flags & C.CLONE_SYSVSEM))
        mm_or_err = self.copy_mm(parent, p, flags)
        if isinstance(mm_or_err, int):
            self._undo(p, flags)
            return mm_or_err
        self.copy_thread(parent, p, args)

        pid = k.pid_ns.alloc_pid(args.set_tid or None)
        if pid is None:
            self._undo(p, flags)
            if args.set_tid:
                return -E.EEXIST
            k.note_fork_failure(parent, "no free pid")
            return -E.EAGAIN
        pid.task = p
        p.pid_link = pid
        p.pid = pid.nr
        if flags & C.CLONE_THREAD:
            p.exit_signal = -1
            p.group_leader = parent.group_leader
            p.tgid = parent.tgid
        else:
            p.exit_signal = args.exit_signal
            p.group_leader = p
            p.tgid = p.pid

        if flags & C.CLONE_CHILD_SETTID:
            p.set_child_tid = args.child_tid
        if flags & C.CLONE_CHILD_CLEARTID:
            p.clear_child_tid = args.child_tid

        # The family (F4): CLONE_PARENT and CLONE_THREAD take the caller's parent.
        if flags & (C.CLONE_PARENT | C.CLONE_THREAD):
            p.real_parent = parent.real_parent
            if flags & C.CLONE_PARENT:
                p.exit_signal = parent.group_leader.exit_signal
        else:
            p.real_parent = parent
        p.parent = p.real_parent
        if p.thread_group_leader():
            k.exit.link_child(p.real_parent, p)
            k.pid_ns.join_pgrp(p, parent.signal.pgrp)
            k.pid_ns.join_session(p, parent.signal.session)
            k.link_task(p)
        else:
            parent.signal.live += 1
        p.signal.add_thread(p)
        k.nr_threads += 1
        k.user_tasks[p.cred.uid] += 1

        if flags & C.CLONE_PARENT_SETTID and args.parent_tid:
            k.uaccess.put_i32(parent, args.parent_tid, p.pid)
        k.cputime.account_system_time(parent, COSTS["fork"])
        if k.tp.task_newtask.probes:
            k.tp.task_newtask(p, flags)
        return p

    def _undo(self, p: TaskStruct, flags: int) -> None:
        """Unwind the resources copy_process took before failing. The copying
        was done, so the time it took is charged as for a fork that succeeds
        (a fork bomb at its limit keeps the CPU busy as on Linux)."""
        k = self.k
        k.cputime.account_system_time(k.current(), COSTS["fork"])
        for holder, attr in ((p, "files"), (p, "fs")):
            obj = getattr(holder, attr)
            if obj is not None:
                obj.users -= 1
                if attr == "files" and obj.users == 0:
                    obj.close_all()
        if p.mm is not None:
            k.mmput(p.mm)
            p.mm = None
        k.sems.exit_sem(p)  # bad_fork_cleanup_semundo
        k.free_task(p)

    # ---- resources ---------------------------------------------------------------

    def copy_files(self, parent: TaskStruct, flags: int) -> Any:
        files = parent.files
        if files is None:
            return None
        if flags & C.CLONE_FILES:
            files.users += 1
            return files
        return files.copy()

    def copy_fs(self, parent: TaskStruct, flags: int) -> Any:
        fs = parent.fs
        if fs is None:
            return None
        if flags & C.CLONE_FS:
            fs.users += 1
            return fs
        return fs.copy()

    def copy_sighand(self, parent: TaskStruct, flags: int) -> Any:
        if flags & C.CLONE_SIGHAND:
            parent.sighand.users += 1
            return parent.sighand
        new = parent.sighand.copy()
        if flags & C.CLONE_CLEAR_SIGHAND:  # handlers back to SIG_DFL, ignored stay ignored
            new.action = {sig: act for sig, act in new.action.items() if act[0] == S.SIG_IGN}
        return new

    def copy_signal(self, parent: TaskStruct, flags: int) -> SignalStruct:
        if flags & C.CLONE_THREAD:
            return parent.signal
        old = parent.signal
        sig = SignalStruct()
        sig.rlim = old.rlim
        sig.has_child_subreaper = old.has_child_subreaper or old.is_child_subreaper
        sig.tty = old.tty
        return sig

    def copy_mm(self, parent: TaskStruct, p: TaskStruct, flags: int) -> Any:
        mm = parent.mm
        if mm is None:
            return None
        if flags & C.CLONE_VM:
            mm.users += 1
            p.mm = mm
            return mm
        new, stats = dup_mmap(mm)
        if stats.write_protected:
            mm.flush_tlb()  # the parent may hold writable translations
        p.mm = new
        self.k.fork_stats(stats)
        return new

    def copy_thread(self, parent: TaskStruct, p: TaskStruct, args: CloneArgs) -> None:
        """The child's user registers (or its first code, for kernel threads and
        scripted programs)."""
        k = self.k
        if args.fn is not None:
            k.entry.start_thread_fn(p, args.fn, kthread=args.kthread)
            return
        k.entry.copy_user_thread(parent, p, args.stack, args.tls if args.flags & C.CLONE_SETTLS else None)

    # ---- kernel_clone -------------------------------------------------------------

    def kernel_clone(self, parent: TaskStruct, args: CloneArgs) -> Generator[None, None, int]:
        """Create and start a task; with CLONE_VFORK wait (killably) for it to
        exec or exit. Returns the child's pid to the parent."""
        k = self.k
        vfork_done = None
        if args.flags & C.CLONE_VFORK:
            vfork_done = WaitQueueHead("vfork_done")
        p = self.copy_process(parent, args)
        if isinstance(p, int):
            return p
        if vfork_done is not None:
            p.vfork_done = vfork_done
        if k.tp.sched_process_fork.probes:
            k.tp.sched_process_fork(parent, p)
        nr = p.pid
        k.sched.wake_up_new_task(p)
        if vfork_done is not None:
            # wait_for_vfork_done(): killable, like Linux since 4.x
            yield from wait_event(k.sched, parent, vfork_done, lambda: p.vfork_done is None, TASK_KILLABLE)
        return nr

    def kernel_thread(self, fn: Callable[..., Any], name: str, flags: int = 0) -> TaskStruct:
        """kernel_thread(): a task that runs `fn` in kernel mode, as a child of
        kthreadd (kthreadd itself is a child of the idle task)."""
        parent = self.k.kthreadd or self.k.init_task
        args = CloneArgs(flags | C.CLONE_VM | C.CLONE_UNTRACED | C.CLONE_FS | C.CLONE_FILES,
                         fn=fn, name=name, kthread=True)
        return self._start(parent, args)

    def user_mode_thread(self, fn: Callable[..., Any], flags: int = 0) -> TaskStruct:
        """user_mode_thread(): starts in kernel mode like a kernel thread, but is
        meant to exec and become a user process (how init starts)."""
        return self._start(self.k.init_task, CloneArgs(flags, exit_signal=S.SIGCHLD, fn=fn))

    def _start(self, parent: TaskStruct, args: CloneArgs) -> TaskStruct:
        p = self.copy_process(parent, args)
        if isinstance(p, int):  # pragma: no cover - boot cannot run out of pids
            raise RuntimeError(f"cannot create a kernel task: {E.NAMES.get(-p, p)}")
        if self.k.tp.sched_process_fork.probes:
            self.k.tp.sched_process_fork(parent, p)
        self.k.sched.wake_up_new_task(p)
        return p

    # ---- syscalls -------------------------------------------------------------------

    def sys_fork(self, t: TaskStruct) -> Generator[None, None, int]:
        return self.kernel_clone(t, CloneArgs(0, exit_signal=S.SIGCHLD))

    def sys_vfork(self, t: TaskStruct) -> Generator[None, None, int]:
        return self.kernel_clone(t, CloneArgs(C.CLONE_VFORK | C.CLONE_VM, exit_signal=S.SIGCHLD))

    def sys_unshare(self, t: TaskStruct, unshare_flags: int) -> int:
        """ksys_unshare(): stop sharing the fd table (CLONE_FILES) or the
        fs_struct (CLONE_FS) with other tasks by taking a private copy.
        CLONE_THREAD, CLONE_SIGHAND and CLONE_VM are accepted only when there
        is nothing to unshare (check_unshare_flags); namespaces are not
        simulated (EINVAL with a warning, as for clone)."""
        flags = unshare_flags
        if flags & ~(C.CLONE_THREAD | C.CLONE_FS | C.CLONE_SIGHAND | C.CLONE_VM | C.CLONE_FILES
                     | C.CLONE_SYSVSEM | _NAMESPACES | C.CLONE_NEWTIME):
            return -E.EINVAL
        if flags & (_NAMESPACES | C.CLONE_NEWTIME):
            self.k.warn_once(("unshare", flags & ~0xFFFF), "namespaces are not supported: unshare fails with EINVAL")
            return -E.EINVAL
        if flags & C.CLONE_VM:
            flags |= C.CLONE_SIGHAND
        if flags & C.CLONE_SIGHAND:
            flags |= C.CLONE_THREAD
        if flags & (C.CLONE_THREAD | C.CLONE_SIGHAND | C.CLONE_VM) and t.signal.nr_threads > 1:
            return -E.EINVAL
        if flags & (C.CLONE_SIGHAND | C.CLONE_VM) and t.sighand.users > 1:
            return -E.EINVAL
        if flags & C.CLONE_VM and t.mm is not None and t.mm.users > 1:
            return -E.EINVAL
        if flags & C.CLONE_FS:
            unshare_fs(t)
        if flags & C.CLONE_FILES:
            unshare_fd(t)
        return 0

    def sys_clone(self, t: TaskStruct, clone_flags: int, newsp: int, parent_tidptr: int,
                  child_tidptr: int, tls: int) -> Union[int, Generator[None, None, int]]:
        """clone(2) in x86-64 argument order: flags, stack, parent_tid, child_tid, tls.
        The exit signal is the low byte, unchecked as in Linux (a value above 64
        just means the parent gets no signal)."""
        exit_signal = clone_flags & C.CSIGNAL
        args = CloneArgs(clone_flags & ~C.CSIGNAL & 0xFFFFFFFF, exit_signal, newsp, tls, parent_tidptr,
                         child_tidptr)
        return self.kernel_clone(t, args)

    def sys_clone3(self, t: TaskStruct, uargs: int, size: int) -> Union[int, Generator[None, None, int]]:
        """clone3(2): the arguments in a struct clone_args, checked as
        copy_clone_args_from_user and clone3_args_valid do. As
        copy_struct_from_user, an older (smaller) struct is zero-extended and
        a newer (larger) one is accepted when the fields we do not know are
        zero."""
        if size > PAGE_SIZE:
            return -E.E2BIG
        if size < CLONE_ARGS_SIZE_VER0:
            return -E.EINVAL
        uacc = self.k.uaccess
        raw = uacc.copy_from_user(t, uargs, size)
        if raw is None:
            return -E.EFAULT
        if any(raw[CLONE_ARGS_SIZE_VER2:]):
            return -E.E2BIG  # a newer struct with fields we do not know
        raw = raw[:CLONE_ARGS_SIZE_VER2].ljust(CLONE_ARGS_SIZE_VER2, b"\0")
        (flags, _pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
         set_tid, set_tid_size, _cgroup) = struct.unpack("<11Q", raw)
        if flags & ~(0xFFFFFFFF | C.CLONE_CLEAR_SIGHAND | C.CLONE_INTO_CGROUP) or flags & C.CSIGNAL:
            return -E.EINVAL
        if flags & C.CLONE_DETACHED or exit_signal & ~C.CSIGNAL or exit_signal > S.NSIG:
            return -E.EINVAL
        if flags & (C.CLONE_THREAD | C.CLONE_PARENT) and exit_signal:
            return -E.EINVAL
        if (stack == 0) != (stack_size == 0) or flags & C.CLONE_INTO_CGROUP:
            return -E.EINVAL
        if set_tid_size > 32 or (set_tid == 0) != (set_tid_size == 0):
            return -E.EINVAL
        args = CloneArgs(flags, exit_signal, stack + stack_size, tls, parent_tid, child_tid)
        if set_tid_size:
            if set_tid_size > 1:
                return -E.EINVAL  # one pid namespace: one level of pids
            wanted = uacc.get_u32(t, set_tid)
            if wanted is None:
                return -E.EFAULT
            if not 0 < wanted < self.k.pid_ns.pid_max:
                return -E.EINVAL
            args.set_tid = wanted
        return self.kernel_clone(t, args)
