"""Credentials (kernel/cred.c, the set*id calls of kernel/sys.c).

A task's ids live in a Cred object that is replaced, never edited, when they
change (prepare_creds/commit_creds), so fork can share it. Root (euid 0) may set
any id; others may only move between the ids they already have. A process
whose effective ids change loses its parent-death signal, as in Linux.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from ..uapi import errno as E
from .task import Cred, TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

NGROUPS_MAX = 65536
_KEEP = 0xFFFFFFFF  # -1 as an unsigned id: "leave it as it is"


class Creds:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def commit_creds(self, t: TaskStruct, new: Cred) -> int:
        old = t.cred
        if (old.euid, old.egid) != (new.euid, new.egid):
            t.pdeath_signal = 0
        if old.uid != new.uid:  # RLIMIT_NPROC counts tasks by real uid
            self.k.user_tasks[old.uid] -= 1
            self.k.user_tasks[new.uid] += 1
        t.cred = new
        return 0

    def _set_ids(self, t: TaskStruct, kind: str, real: int, eff: int, saved: Optional[int]) -> int:
        """setres{u,g}id() semantics; `kind` is "uid" or "gid"."""
        old = t.cred
        olds = (getattr(old, kind), getattr(old, "e" + kind), getattr(old, "s" + kind))
        privileged = old.euid == 0
        for value in (real, eff, saved):
            if value is not None and value != _KEEP and not privileged and value not in olds:
                return -E.EPERM
        new = old.copy()
        if real not in (None, _KEEP):
            setattr(new, kind, real)
        if eff not in (None, _KEEP):
            setattr(new, "e" + kind, eff)
        if saved not in (None, _KEEP):
            setattr(new, "s" + kind, saved)
        setattr(new, "fs" + kind, getattr(new, "e" + kind))
        return self.commit_creds(t, new)

    def sys_setuid(self, t: TaskStruct, uid: int) -> int:
        if t.cred.euid == 0:
            return self._set_ids(t, "uid", uid, uid, uid)
        if uid not in (t.cred.uid, t.cred.suid):
            return -E.EPERM
        return self._set_ids(t, "uid", None, uid, None)

    def sys_setgid(self, t: TaskStruct, gid: int) -> int:
        if t.cred.euid == 0:
            return self._set_ids(t, "gid", gid, gid, gid)
        if gid not in (t.cred.gid, t.cred.sgid):
            return -E.EPERM
        return self._set_ids(t, "gid", None, gid, None)

    def sys_setresuid(self, t: TaskStruct, ruid: int, euid: int, suid: int) -> int:
        return self._set_ids(t, "uid", ruid, euid, suid)

    def sys_setresgid(self, t: TaskStruct, rgid: int, egid: int, sgid: int) -> int:
        return self._set_ids(t, "gid", rgid, egid, sgid)

    def _setre(self, t: TaskStruct, kind: str, real: int, eff: int) -> int:
        """setre{u,g}id(): the saved id follows the new effective one when the
        real id is set or the effective one differs from the old real one."""
        old = t.cred
        oreal, oeff, osaved = getattr(old, kind), getattr(old, "e" + kind), getattr(old, "s" + kind)
        if old.euid != 0:
            if real != _KEEP and real not in (oreal, oeff):
                return -E.EPERM
            if eff != _KEEP and eff not in (oreal, oeff, osaved):
                return -E.EPERM
        new_eff = oeff if eff == _KEEP else eff
        saved = new_eff if real != _KEEP or (eff != _KEEP and eff != oreal) else None
        return self._set_ids(t, kind, real, eff, saved)

    def sys_setreuid(self, t: TaskStruct, ruid: int, euid: int) -> int:
        return self._setre(t, "uid", ruid, euid)

    def sys_setregid(self, t: TaskStruct, rgid: int, egid: int) -> int:
        return self._setre(t, "gid", rgid, egid)

    def sys_setgroups(self, t: TaskStruct, size: int, grouplist: int) -> int:
        if t.cred.euid != 0:
            return -E.EPERM
        if not 0 <= size <= NGROUPS_MAX:
            return -E.EINVAL
        raw = self.k.uaccess.copy_from_user(t, grouplist, 4 * size) if size else b""
        if raw is None:
            return -E.EFAULT
        new = t.cred.copy()
        new.groups = tuple(sorted(struct.unpack(f"<{size}I", raw)))
        return self.commit_creds(t, new)
