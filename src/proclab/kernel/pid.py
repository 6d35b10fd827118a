"""PID allocation and lookup (kernel/pid.c, include/linux/pid.h).

Numbers are handed out cyclically in [1, pid_max): each allocation takes the
first free number after the last one given; past pid_max the search wraps to
RESERVED_PIDS (300), where daemons started at boot are not in the way
(SEMANTICS P1). A number stays taken while anything uses it as a pid, a tgid, a
process group id or a session id (P2): `struct pid` counts those users and the
number is freed with the last. When no number is free, fork fails with EAGAIN
(P3).

The free-number search is bytearray.find over a byte per number, a memchr in C:
amortized O(1) for the usual sparse case, and lookups are one dict access, at
millions of live tasks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..lib.lockdep import lock_acquire

if TYPE_CHECKING:  # pragma: no cover
    from .task import TaskStruct

PID_MAX_DEFAULT = 32768
PID_MAX_LIMIT = 4 * 1024 * 1024  # 4194304, the x86-64 maximum
RESERVED_PIDS = 300


class Pid:
    """struct pid: one number and what uses it. `task` is the task with this
    pid (PIDTYPE_PID); `pgrp`/`session` are the group leaders whose process
    group / session it is (PIDTYPE_PGID/SID), in order of joining."""

    __slots__ = ("nr", "count", "task", "pgrp", "session")

    def __init__(self, nr: int) -> None:
        self.nr = nr
        self.count = 1
        self.task: Optional[TaskStruct] = None
        self.pgrp: Optional[dict[TaskStruct, None]] = None
        self.session: Optional[dict[TaskStruct, None]] = None

    def __repr__(self) -> str:
        return f"<pid {self.nr}>"


class PidNamespace:
    """struct pid_namespace (only the initial one for now)."""

    def __init__(self, pid_max: int = PID_MAX_DEFAULT) -> None:
        self._used = bytearray(1)  # grown by set_pid_max
        self.pid_max = 0
        self.set_pid_max(pid_max)
        self._used[0] = 1          # 0 belongs to the idle tasks
        self.last_pid = 0
        self.pids: dict[int, Pid] = {}
        self.nr_allocated = 0

    def set_pid_max(self, value: int) -> None:
        """/proc/sys/kernel/pid_max: between RESERVED_PIDS + 1 and PID_MAX_LIMIT."""
        if not RESERVED_PIDS < value <= PID_MAX_LIMIT:
            raise ValueError(f"pid_max must be in ({RESERVED_PIDS}, {PID_MAX_LIMIT}]")
        if value > len(self._used):
            self._used.extend(bytes(value - len(self._used)))
        self.pid_max = value

    def alloc_pid(self, nr: Optional[int] = None) -> Optional[Pid]:
        """alloc_pid(): a new struct pid, or None when every number is taken
        (or, with `nr` -- clone3's set_tid -- when that number is). The
        number depends on every allocation and free before it (pidmap_lock)."""
        lock_acquire(("pidmap",))
        if nr is not None:
            if not 0 < nr < self.pid_max or self._used[nr]:
                return None
            return self._take(nr)
        used = self._used
        limit = self.pid_max
        cursor = self.last_pid + 1
        # idr_alloc_cyclic(pid_min, pid_max): from the cursor up, then from
        # pid_min, which is RESERVED_PIDS once the cursor has passed it.
        pid_min = RESERVED_PIDS if cursor > RESERVED_PIDS else 1
        nr = used.find(0, cursor, limit) if cursor < limit else -1
        if nr < 0:
            nr = used.find(0, pid_min, min(cursor, limit))
            if nr < 0:
                return None
        self.last_pid = nr
        return self._take(nr)

    def _take(self, nr: int) -> Pid:
        lock_acquire(("pid", nr))
        self._used[nr] = 1
        pid = Pid(nr)
        self.pids[nr] = pid
        self.nr_allocated += 1
        return pid

    def alloc_idle_pid(self) -> Pid:
        """The pid 0 of the idle tasks (never freed, never found by number)."""
        return Pid(0)

    def get_pid(self, pid: Pid) -> Pid:
        pid.count += 1
        return pid

    def put_pid(self, pid: Pid) -> None:
        """put_pid(): the last user frees the number."""
        pid.count -= 1
        if pid.count == 0 and pid.nr:
            lock_acquire(("pidmap",))
            lock_acquire(("pid", pid.nr))
            del self.pids[pid.nr]
            self._used[pid.nr] = 0

    def find_pid(self, nr: int) -> Optional[Pid]:
        """find_vpid()"""
        lock_acquire(("pid", nr), write=False)
        return self.pids.get(nr)

    def find_task(self, nr: int) -> Optional[TaskStruct]:
        """find_task_by_vpid()"""
        lock_acquire(("pid", nr), write=False)
        pid = self.pids.get(nr)
        return pid.task if pid is not None else None

    def nr_free(self) -> int:
        return self.pid_max - 1 - len(self.pids)

    # ---- process groups and sessions (attach_pid/detach_pid) -----------------
    # A group leader's process group and session are pids it holds a reference
    # on; `kind` is "pgrp" or "session", the field name in both Pid (members)
    # and SignalStruct (the pid).

    def _join(self, kind: str, leader: TaskStruct, pid: Pid) -> None:
        lock_acquire((kind, pid.nr))
        members = getattr(pid, kind)
        if members is None:
            members = {}
            setattr(pid, kind, members)
        members[leader] = None
        self.get_pid(pid)
        setattr(leader.signal, kind, pid)

    def _leave(self, kind: str, leader: TaskStruct) -> None:
        pid = getattr(leader.signal, kind)
        if pid is not None:
            lock_acquire((kind, pid.nr))
            del getattr(pid, kind)[leader]
            setattr(leader.signal, kind, None)
            self.put_pid(pid)

    def join_pgrp(self, leader: TaskStruct, pgrp: Pid) -> None:
        self._join("pgrp", leader, pgrp)

    def leave_pgrp(self, leader: TaskStruct) -> None:
        self._leave("pgrp", leader)

    def join_session(self, leader: TaskStruct, session: Pid) -> None:
        self._join("session", leader, session)

    def leave_session(self, leader: TaskStruct) -> None:
        self._leave("session", leader)
