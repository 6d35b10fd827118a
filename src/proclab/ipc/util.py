"""What the three System V IPC kinds share (ipc/util.c): the table of ids
(struct ipc_ids with its idr), key lookup, creation through ipcget, and the
permission check ipcperms.

An id is `seq * SEQ_MULTIPLIER + index` (ipc_buildid): the index is allocated
cyclically in [0, IPCMNI) (idr_alloc_cyclic), and `seq` grows each time the
allocation wraps, so that a stale id of a removed object names nothing
(ipc_checkid) even when its index has been reused.

Who touches what: an IpcIds belongs to the kernel's IPC namespace and is
changed only by the syscalls of its kind (create, remove, IPC_SET); a
KernIpcPerm's fields are written by its owner object's syscalls (IPC_SET
changes uid/gid/mode, IPC_RMID clears the key and sets `deleted`).
"""

from __future__ import annotations

from typing import Callable, Generic, Optional, TypeVar

from ..uapi import errno as E
from ..uapi.ipc import IPC64_PERM, IPC_CREAT, IPC_EXCL, IPC_PRIVATE, IPCMNI, SEQ_MULTIPLIER
from ..kernel.task import Cred
from ..lib.lockdep import lock_acquire

S_IRWXUGO = 0o777


class KernIpcPerm:
    """struct kern_ipc_perm: the key, owner, creator, mode and id of one
    object (a shm segment, a semaphore set or a message queue)."""

    def __init__(self, key: int, mode: int, cred: Cred) -> None:
        self.key = key
        self.uid = self.cuid = cred.euid
        self.gid = self.cgid = cred.egid
        self.mode = mode & S_IRWXUGO
        self.id = -1
        self.seq = 0
        self.deleted = False     # ipc_rmid() done: waiters see EIDRM

    def pack(self) -> bytes:
        """kernel_to_ipc64_perm(): struct ipc64_perm."""
        return IPC64_PERM.pack(self.key, self.uid, self.gid, self.cuid, self.cgid, self.mode,
                               self.seq, 0, 0, 0)


P = TypeVar("P", bound=KernIpcPerm)


class IpcIds(Generic[P]):
    """struct ipc_ids: the objects of one kind, by index and by key."""

    def __init__(self) -> None:
        self.entries: dict[int, P] = {}   # the idr: index -> object
        self.keys: dict[int, P] = {}      # the key hash table (public keys only)
        self.seq = 0
        self.last_idx = -1

    def ipc_addid(self, new: P) -> int:
        """Give `new` an id and enter it (ipc_addid). -ENOSPC when every index is in use."""
        if len(self.entries) >= IPCMNI:
            return -E.ENOSPC
        idx = (self.last_idx + 1) % IPCMNI
        while idx in self.entries:
            idx = (idx + 1) % IPCMNI
        if idx <= self.last_idx:
            self.seq = (self.seq + 1) % (0x7FFFFFFF // SEQ_MULTIPLIER + 1)
        self.last_idx = idx
        new.seq = self.seq
        new.id = self.seq * SEQ_MULTIPLIER + idx
        lock_acquire(("ipcids",))  # the next id depends on every one given before
        lock_acquire(("ipc", new.id))
        self.entries[idx] = new
        if new.key != IPC_PRIVATE:
            self.keys[new.key] = new
        return new.id

    def ipc_obtain_object_check(self, ipc_id: int) -> Optional[P]:
        """The object `ipc_id` names, or None (the syscalls answer EINVAL)."""
        if ipc_id < 0:
            return None
        obj = self.entries.get(ipc_id % SEQ_MULTIPLIER)
        if obj is None or obj.id != ipc_id:
            lock_acquire(("ipc", ipc_id), write=False)
            return None
        lock_acquire(("ipc", ipc_id))  # the object's lock: every operation on it
        return obj

    def ipc_set_key_private(self, perm: P) -> None:
        """The key is free for a new object at once (ipc_set_key_private)."""
        if perm.key != IPC_PRIVATE:
            del self.keys[perm.key]
            perm.key = IPC_PRIVATE

    def ipc_rmid(self, perm: P) -> None:
        """Take `perm` out of the table (ipc_rmid); it is marked deleted."""
        lock_acquire(("ipc", perm.id))
        del self.entries[perm.id % SEQ_MULTIPLIER]
        self.ipc_set_key_private(perm)
        perm.deleted = True

    def ipc_get_maxidx(self) -> int:
        """ipc_get_maxidx(): the highest index in use, -1 when none (what the
        *_INFO commands return)."""
        return max(self.entries, default=-1)

    def in_use(self) -> list[P]:
        """The objects by index, as /proc/sysvipc lists them."""
        return [self.entries[i] for i in sorted(self.entries)]


def ipcperms(cred: Cred, perm: KernIpcPerm, flag: int) -> bool:
    """ipcperms(): may `cred` access the object for the rwx bits of `flag`?
    Owner or creator bits, else group bits, else other bits; root
    (CAP_IPC_OWNER) always may."""
    requested = (flag >> 6) | (flag >> 3) | flag
    granted = perm.mode
    if cred.euid in (perm.cuid, perm.uid):
        granted >>= 6
    elif in_group_p(cred, perm.cgid) or in_group_p(cred, perm.gid):
        granted >>= 3
    return not (requested & ~granted & 0o7) or cred.euid == 0


def in_group_p(cred: Cred, gid: int) -> bool:
    """in_group_p(): the effective group or a supplementary one."""
    return cred.egid == gid or gid in cred.groups


def ipcget(ids: IpcIds[P], cred: Cred, key: int, flg: int,
           newobj: Callable[[], int], more_checks: Callable[[P], int]) -> int:
    """ipcget(): IPC_PRIVATE always creates (`newobj` returns the id or an
    errno); a key finds its object (ENOENT without IPC_CREAT, EEXIST with
    IPC_CREAT|IPC_EXCL), then `more_checks` (the size or count) and the
    permissions of `flg` (EACCES) decide."""
    if key == IPC_PRIVATE:
        return newobj()
    obj = ids.keys.get(key)
    if obj is None:
        return newobj() if flg & IPC_CREAT else -E.ENOENT
    if flg & IPC_CREAT and flg & IPC_EXCL:
        return -E.EEXIST
    err = more_checks(obj)
    if err:
        return err
    if not ipcperms(cred, obj, flg):
        return -E.EACCES
    return obj.id


def ipc_update_perm(perm: KernIpcPerm, uid: int, gid: int, mode: int) -> None:
    """IPC_SET (ipc_update_perm): new owner and permission bits."""
    perm.uid = uid
    perm.gid = gid
    perm.mode = (perm.mode & ~S_IRWXUGO) | (mode & S_IRWXUGO)


def may_change(cred: Cred, perm: KernIpcPerm) -> bool:
    """ipcctl_obtain_check(): IPC_SET and IPC_RMID need the owner, the
    creator, or CAP_SYS_ADMIN."""
    return cred.euid in (perm.cuid, perm.uid) or cred.euid == 0
