"""Who may look at another task (kernel/ptrace.c __ptrace_may_access).

No tracing is simulated; this is the access check /proc applies before it
shows a task's open files (proc_fd_access_allowed, PTRACE_MODE_READ_FSCREDS).
"""

from __future__ import annotations

from .task import TaskStruct


def ptrace_may_access(caller: TaskStruct, task: TaskStruct) -> bool:
    """__ptrace_may_access() with PTRACE_MODE_FSCREDS: a thread of the same
    group always may; otherwise the caller's fsuid must be the task's real,
    effective and saved uid and its fsgid the three gids, or the caller must
    have CAP_SYS_PTRACE (euid 0). Dumpability is not kept: every task counts
    as dumpable."""
    if caller.signal is task.signal:
        return True
    a, b = caller.cred, task.cred
    if a.euid == 0:
        return True
    return (a.fsuid == b.uid == b.euid == b.suid) and (a.fsgid == b.gid == b.egid == b.sgid)
