"""The per-process and per-thread directories (fs/proc/base.c):
/proc/PID, listed at the top level one per process (proc_pid_readdir), and
/proc/PID/task/TID, one per thread, which the top level also finds though it
does not list them (proc_pid_lookup), as Linux does.

In each: stat, status and statm (fs/proc/array.c), maps
(fs/proc/task_mmu.c), sched (kernel/sched/debug.c), schedstat, cmdline,
environ, comm, the exe, cwd and root links, and fd/, whose entries are
magic links: readlink names the open file, following one opens that file's
inode again (proc_fd_link), if the reader may look at the task. A process's
directory also holds task/ and timers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from ..file import O_PATH
from ..pseudo import MagicLink, PseudoDir, PseudoLink
from .array import do_task_stat, proc_pid_statm, proc_pid_status
from .generic import Entries, Show, proc_file, proc_mkdir
from .sched_debug import proc_sched_set_task, proc_sched_show_task, update_task_runtime
from .task_mmu import show_map, task_mm
from ...uapi import errno as E
from ...uapi.signal import SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_THREAD_ID
from ...kernel.ptrace import ptrace_may_access

if TYPE_CHECKING:  # pragma: no cover
    from ..file import File
    from ..inode import Inode, SuperBlock
    from ...kernel.kernel import Kernel
    from ...kernel.task import TaskStruct


def proc_pid_readdir(k: Kernel) -> list[str]:
    """proc_pid_readdir(): one name per process (thread-group leader), in pid order."""
    tgids = sorted(nr for nr, pid in k.pid_ns.pids.items()
                   if pid.task is not None and pid.task.thread_group_leader() and nr > 0)
    return [str(nr) for nr in tgids]


def proc_pid_lookup(k: Kernel, sb: SuperBlock, name: str) -> Optional[Inode]:
    """proc_pid_lookup(): the directory of the process or thread whose pid
    is `name` (a decimal number without leading zeros), in `sb`."""
    if not name.isdigit() or name.startswith("0"):
        return None
    t = k.pid_ns.find_task(int(name))
    return _pid_dir(k, sb, t, name) if t is not None else None


def _pid_dir(k: Kernel, sb: SuperBlock, t: TaskStruct, name: str, thread: bool = False) -> PseudoDir:
    """proc_pid_make_inode() with tgid_base_stuff (`thread`: tid_base_stuff):
    the entries of /proc/PID or /proc/PID/task/TID, owned by the task."""
    def file(show: Show, perm: int = 0o444) -> Inode:
        return proc_file(sb, show, perm, owner=t)

    entries: Entries = {
        "stat": lambda: file(lambda: do_task_stat(t, thread)),
        "status": lambda: file(lambda: proc_pid_status(t, len(k.sched.rqs))),
        "cmdline": lambda: file(lambda: _mm_area(k, t, "arg")),
        "environ": lambda: file(lambda: _mm_area(k, t, "env"), 0o400),
        "comm": lambda: file(lambda: t.comm.encode() + b"\n", 0o644),
        "statm": lambda: file(lambda: proc_pid_statm(t)),
        "maps": lambda: file(lambda: show_map(t)),
        "sched": lambda: proc_file(sb, lambda: proc_sched_show_task(k, t), 0o644, proc_sched_set_task, t),
        "schedstat": lambda: file(lambda: proc_pid_schedstat(k, t)),
        "exe": lambda: PseudoLink(sb, lambda: _exe(t)),
        "cwd": lambda: PseudoLink(sb, lambda: _cwd(t)),
        "root": lambda: PseudoLink(sb, lambda: b"/"),
        "fd": lambda: _fd_dir(k, sb, t),
    }
    if not thread:
        entries["timers"] = lambda: file(lambda: proc_timers_show(t))
        entries["task"] = lambda: PseudoDir(
            sb, 0o555, None, "task",
            lambda: [str(th.pid) for th in t.signal.threads()] if t.signal is not None else [],
            lambda n: _thread_dir(k, sb, t, n))
    d = proc_mkdir(sb, name, entries)
    d.uid, d.gid = t.cred.euid, t.cred.egid
    return d


def _thread_dir(k: Kernel, sb: SuperBlock, t: TaskStruct, name: str) -> Optional[Inode]:
    """proc_task_lookup(): /proc/PID/task/TID, for a thread of `t`'s process only."""
    if not name.isdigit():
        return None
    th = k.pid_ns.find_task(int(name))
    if th is None or th.signal is not t.signal:
        return None
    return _pid_dir(k, sb, th, name, thread=True)


def _fd_dir(k: Kernel, sb: SuperBlock, t: TaskStruct) -> PseudoDir:
    """proc_readfd / proc_lookupfd: one magic link per open fd, in a
    directory only the task's owner (or root) may search."""
    def names() -> list[str]:
        files = t.files
        return [str(fd) for fd, f in enumerate(files.fds) if f is not None] if files is not None else []

    def find(n: str) -> Optional[Inode]:
        f = t.files.get(int(n)) if n.isdigit() and t.files is not None else None
        if f is None:
            return None
        fd = int(n)
        return MagicLink(sb, _fd_mode(f), t.cred.euid, t.cred.egid,
                         lambda: f.name.encode("utf-8", "surrogateescape"),
                         lambda: proc_fd_link(k, t, fd))

    d = PseudoDir(sb, 0o500, None, "fd", names, find)
    d.uid, d.gid = t.cred.euid, t.cred.egid
    return d


def _fd_mode(f: File) -> int:
    """tid_fd_update_inode(): the link's permission bits tell how the file
    is open (r-x for reading, -wx for writing, none for O_PATH)."""
    if f.flags & O_PATH:
        return 0
    return (0o500 if f.readable() else 0) | (0o300 if f.writable() else 0)


def proc_fd_link(k: Kernel, t: TaskStruct, fd: int) -> Union[File, int]:
    """proc_pid_get_link() with proc_fd_link(): where following
    /proc/PID/fd/N leads. The caller must be allowed to look at the task
    (EACCES); then the file open at `fd` now, if the task still has its
    files (ENOENT once the fd is closed or the task has exited)."""
    if not ptrace_may_access(k.current(), t):
        return -E.EACCES
    f = t.files.get(fd) if t.files is not None else None
    return f if f is not None else -E.ENOENT


def _exe(t: TaskStruct) -> bytes:
    """proc_exe_link(): the program the task runs."""
    return t.mm.exe_file.encode("utf-8", "surrogateescape") if t.mm is not None else b""


def _cwd(t: TaskStruct) -> bytes:
    """proc_cwd_link(): the working directory, seen from the task's root."""
    if t.fs is None:
        return b"/"
    path = t.fs.cwd.path_to(t.fs.root)
    return (path or "(deleted)").encode("utf-8", "surrogateescape")


def _mm_area(k: Kernel, t: TaskStruct, which: str) -> bytes:
    """proc_pid_cmdline_read / environ_read: the bytes exec laid out (none
    for a kernel thread or zombie)."""
    mm = task_mm(t)
    if mm is None:
        return b""
    start, end = (mm.arg_start, mm.arg_end) if which == "arg" else (mm.env_start, mm.env_end)
    if end <= start:
        return b""
    data = k.uaccess.copy_from_user(t, start, end - start, mm=mm)
    return data or b""


def proc_pid_schedstat(k: Kernel, t: TaskStruct) -> bytes:
    """proc_pid_schedstat(): the task's CPU time, its time waiting for a CPU
    (ns) and how many times it was given one; charged up to now first, like
    /proc/PID/sched, so that the two agree."""
    update_task_runtime(k, t)
    return f"{t.se.sum_exec_runtime} {t.sched_info.run_delay} {t.sched_info.pcount}\n".encode()


def proc_timers_show(t: TaskStruct) -> bytes:
    """show_timer() over proc_timers_seq_ops: the process's POSIX timers,
    the newest first; the value is shown as a pointer (%px)."""
    timers = t.signal.posix_timers if t.signal is not None else None
    kinds = {SIGEV_SIGNAL: "signal", SIGEV_NONE: "none", SIGEV_THREAD: "thread"}
    out = []
    for timr in reversed(list(timers.values())) if timers else ():
        notify = timr.it_sigev_notify
        who = "tid" if notify & SIGEV_THREAD_ID else "pid"
        out.append(f"ID: {timr.it_id}\n"
                   f"signal: {timr.sigq['signo']}/{timr.sigq['value'] & 0xFFFFFFFFFFFFFFFF:016x}\n"
                   f"notify: {kinds[notify & ~SIGEV_THREAD_ID]}/{who}.{timr.it_pid.nr if timr.it_pid else 0}\n"
                   f"ClockID: {timr.it_clock}\n")
    return "".join(out).encode()
