"""System V semaphores (ipc/sem.c): semget, semop, semtimedop, semctl, and
the undo adjustments applied at exit (SEM_UNDO).

An operation (one semop call: several sembufs on one set) either applies
entirely or not at all (perform_atomic_semop). One that cannot proceed waits
on the set's pending list; whoever changes values later (semop, SETVAL,
SETALL, an exiting task's undo) retries the pending operations in FIFO order
and completes those that now succeed, on their waiters' behalf
(update_queue), then wakes them. Removal wakes every waiter with EIDRM.

Differences from Linux: one FIFO list of pending operations per set (Linux
keeps per-semaphore lists for single-sop operations and a global one, and
wakes wait-for-zero operations first); times are whole seconds of the
virtual real-time clock; semctl knows IPC_INFO, SEM_INFO, GETVAL, SETVAL,
GETALL, SETALL, GETPID, GETNCNT, GETZCNT, IPC_STAT, IPC_SET and IPC_RMID
(others are EINVAL).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Optional

from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.ipc import (
    GETALL,
    GETNCNT,
    GETPID,
    GETVAL,
    GETZCNT,
    IPC_INFO,
    IPC_NOWAIT,
    IPC_RMID,
    IPC_SET,
    IPC_STAT,
    SEM_INFO,
    SEMAEM,
    SEMBUF,
    SEMID64_DS,
    SEMINFO,
    SEMMAP,
    SEMMNI,
    SEMMNS,
    SEMMNU,
    SEMMSL,
    SEMOPM,
    SEMUME,
    SEMUSZ,
    SEMVMX,
    SEM_UNDO,
    SETALL,
    SETVAL,
)
from ..uapi.stat import S_IRUGO, S_IWUGO
from ..kernel.sched.wait import wait_event
from ..kernel.task import Cred, TaskStruct
from .util import IpcIds, KernIpcPerm, ipc_update_perm, ipcget, ipcperms, may_change

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

Sop = tuple[int, int, int]  # sem_num, sem_op, sem_flg

# The header of /proc/sysvipc/sem as sem_init() declares it.
SYSVIPC_SEM_HEADER = "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"


class Sem:
    """struct sem: one semaphore. Written by semop, SETVAL/SETALL and exit_sem."""

    __slots__ = ("semval", "sempid")

    def __init__(self) -> None:
        self.semval = 0
        self.sempid = 0


class SemUndo:
    """struct sem_undo: one process's adjustments for one set (negated sum of
    its SEM_UNDO operations). Written by its owner's semops; cleared by
    SETVAL/SETALL of anyone; dropped when the set is removed."""

    def __init__(self, semid: int, nsems: int) -> None:
        self.semid = semid
        self.semadj = [0] * nsems


class SemUndoList:
    """struct sem_undo_list: a process's SemUndo by set id, shared by the
    tasks cloned with CLONE_SYSVSEM (`refcnt` counts them)."""

    def __init__(self) -> None:
        self.refcnt = 1
        self.undos: dict[int, SemUndo] = {}


class SemArray(KernIpcPerm):
    """struct sem_array. Written by the sem syscalls and exit_sem."""

    def __init__(self, key: int, semflg: int, cred: Cred, nsems: int, now: int) -> None:
        super().__init__(key, semflg, cred)
        self.sems = [Sem() for _ in range(nsems)]
        self.otime = 0
        self.ctime = now
        self.pending: list[SemQueue] = []      # waiting operations, oldest first
        self.undos: list[SemUndo] = []         # list_id: every SemUndo for this set


def sysvipc_sem_proc_show(sma: SemArray) -> str:
    """sysvipc_sem_proc_show(): one line of /proc/sysvipc/sem, with Linux's
    format ("%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu")."""
    return (f"{sma.key:10d} {sma.id:10d}  {sma.mode:4o} {len(sma.sems):10d} {sma.uid:5d} {sma.gid:5d} "
            f"{sma.cuid:5d} {sma.cgid:5d} {sma.otime:10d} {sma.ctime:10d}\n")


class SemQueue:
    """struct sem_queue: one waiting semop. `status` stays None until the
    operation is done (0) or the set is removed (-EIDRM), by whoever does it."""

    def __init__(self, task: TaskStruct, sops: list[Sop], undo: Optional[SemUndo], alter: bool) -> None:
        self.task = task
        self.pid = task.tgid
        self.sops = sops
        self.undo = undo
        self.alter = alter
        self.blocking: Sop = sops[0]            # the operation that could not proceed
        self.status: Optional[int] = None
        self.wq = WaitQueueHead("semop")


def perform_atomic_semop(sma: SemArray, q: SemQueue) -> int:
    """perform_atomic_semop_slow(): apply every operation of `q` or none.
    0 done, 1 must wait (q.blocking says on what), -EAGAIN must wait but
    IPC_NOWAIT, -ERANGE a value or adjustment out of range."""
    done: list[Sop] = []
    result = 0
    for sop in q.sops:
        num, op, flg = sop
        sem = sma.sems[num]
        if op == 0 and sem.semval != 0 or sem.semval + op < 0:
            q.blocking = sop
            result = -E.EAGAIN if flg & IPC_NOWAIT else 1
            break
        if sem.semval + op > SEMVMX:
            result = -E.ERANGE
            break
        if flg & SEM_UNDO:
            assert q.undo is not None
            adj = q.undo.semadj[num] - op
            if adj < -SEMAEM - 1 or adj > SEMAEM:
                result = -E.ERANGE
                break
            q.undo.semadj[num] = adj
        sem.semval += op
        done.append(sop)
    if result:
        for num, op, flg in reversed(done):
            sma.sems[num].semval -= op
            if flg & SEM_UNDO:
                assert q.undo is not None
                q.undo.semadj[num] += op
        return result
    for num, _op, _flg in q.sops:
        sma.sems[num].sempid = q.pid
    return 0


class Sems:
    """The semaphore ids of the (single) IPC namespace and the sem syscalls."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.ids: IpcIds[SemArray] = IpcIds()

    # ---- creation -----------------------------------------------------------------

    def newary(self, t: TaskStruct, key: int, nsems: int, semflg: int) -> int:
        if not nsems:
            return -E.EINVAL
        return self.ids.ipc_addid(SemArray(key, semflg, t.cred, nsems, self.k.clock.real_seconds()))

    def sys_semget(self, t: TaskStruct, key: int, nsems: int, semflg: int) -> int:
        if nsems < 0 or nsems > SEMMSL:
            return -E.EINVAL

        def more_checks(sma: SemArray) -> int:
            return -E.EINVAL if nsems > len(sma.sems) else 0  # sem_more_checks

        return ipcget(self.ids, t.cred, key, semflg, lambda: self.newary(t, key, nsems, semflg), more_checks)

    # ---- semop ----------------------------------------------------------------------

    def update_queue(self, sma: SemArray) -> None:
        """update_queue(): complete, oldest first, every waiting operation
        that can now proceed (or fails now), and wake its task; start over
        after each one that changed values."""
        again = True
        while again:
            again = False
            for q in list(sma.pending):
                err = perform_atomic_semop(sma, q)
                if err > 0:
                    continue
                sma.pending.remove(q)
                if err == 0:
                    sma.otime = self.k.clock.real_seconds()
                q.status = err
                q.wq.wake_up_all()
                if err == 0 and q.alter:
                    again = True
                    break

    def find_alloc_undo(self, t: TaskStruct, sma: SemArray) -> SemUndo:
        """find_alloc_undo(): the caller's adjustments for `sma`, created on first use."""
        ulp = t.sysvsem
        if ulp is None:
            ulp = t.sysvsem = SemUndoList()
        un = ulp.undos.get(sma.id)
        if un is None:
            un = ulp.undos[sma.id] = SemUndo(sma.id, len(sma.sems))
            sma.undos.append(un)
        return un

    def do_semtimedop(self, t: TaskStruct, semid: int, tsops: int, nsops: int,
                      deadline: Optional[int]) -> Generator[None, None, int]:
        """do_semtimedop(): EINVAL for no operations, E2BIG beyond SEMOPM,
        EFBIG for a semaphore number beyond the set, EACCES without read
        (wait for zero) or write (change) permission; IPC_NOWAIT gives EAGAIN
        instead of waiting, a timeout EAGAIN, a signal EINTR (never
        restarted), removal EIDRM."""
        if nsops < 1 or semid < 0:
            return -E.EINVAL
        if nsops > SEMOPM:
            return -E.E2BIG
        raw = self.k.uaccess.copy_from_user(t, tsops, nsops * SEMBUF.size)
        if raw is None:
            return -E.EFAULT
        sops: list[Sop] = [SEMBUF.unpack_from(raw, i * SEMBUF.size) for i in range(nsops)]
        undos = any(flg & SEM_UNDO for _n, _o, flg in sops)
        alter = any(op != 0 for _n, op, _f in sops)
        sma = self.ids.ipc_obtain_object_check(semid)
        if sma is None:
            return -E.EINVAL
        if max(num for num, _o, _f in sops) >= len(sma.sems):
            return -E.EFBIG
        if not ipcperms(t.cred, sma, S_IWUGO if alter else S_IRUGO):
            return -E.EACCES
        q = SemQueue(t, sops, self.find_alloc_undo(t, sma) if undos else None, alter)
        err = perform_atomic_semop(sma, q)
        if err == 0:
            sma.otime = self.k.clock.real_seconds()
            if alter:
                self.update_queue(sma)
            return 0
        if err < 0:
            return err
        sma.pending.append(q)
        ret = yield from wait_event(self.k.sched, t, q.wq, lambda: q.status is not None, deadline=deadline,
                                    slack=t.timer_slack_ns)
        if q.status is not None:
            return q.status
        sma.pending.remove(q)
        return -E.EAGAIN if ret == -E.ETIMEDOUT else -E.EINTR

    def sys_semop(self, t: TaskStruct, semid: int, tsops: int, nsops: int) -> Generator[None, None, int]:
        return (yield from self.do_semtimedop(t, semid, tsops, nsops, None))

    def sys_semtimedop(self, t: TaskStruct, semid: int, tsops: int, nsops: int,
                       timeout: int) -> Generator[None, None, int]:
        """semtimedop(): a relative timeout in virtual time (EINVAL if malformed)."""
        deadline = None
        if timeout:
            ns = self.k.uaccess.get_timespec_ns(t, timeout)
            if ns < 0:
                return ns
            deadline = self.k.clock.now + ns
        return (yield from self.do_semtimedop(t, semid, tsops, nsops, deadline))

    # ---- semctl ---------------------------------------------------------------------

    def sys_semctl(self, t: TaskStruct, semid: int, semnum: int, cmd: int, arg: int) -> int:
        """semctl(): `arg` is the union semun (an int for SETVAL, else a pointer)."""
        if semid < 0 or cmd < 0:
            return -E.EINVAL
        if cmd in (IPC_INFO, SEM_INFO):
            return self.semctl_info(t, cmd, arg)
        if cmd == SETVAL:
            val = arg & 0xFFFFFFFF
            val = val - (1 << 32) if val >> 31 else val
            if val < 0 or val > SEMVMX:
                return -E.ERANGE
        if cmd not in (GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT, GETZCNT, IPC_STAT, IPC_SET, IPC_RMID):
            return -E.EINVAL
        sma = self.ids.ipc_obtain_object_check(semid)
        if sma is None:
            return -E.EINVAL
        uaccess = self.k.uaccess
        nsems = len(sma.sems)
        if cmd in (IPC_RMID, IPC_SET):
            if not may_change(t.cred, sma):
                return -E.EPERM
            if cmd == IPC_RMID:
                self.freeary(sma)
                return 0
            raw = uaccess.copy_from_user(t, arg, 48)
            if raw is None:
                return -E.EFAULT
            uid, gid, mode = struct.unpack_from("<4xII8xI", raw)
            ipc_update_perm(sma, uid, gid, mode)
            sma.ctime = self.k.clock.real_seconds()
            return 0
        write = cmd in (SETVAL, SETALL)
        if not ipcperms(t.cred, sma, S_IWUGO if write else S_IRUGO):
            return -E.EACCES
        if cmd == IPC_STAT:
            data = SEMID64_DS.pack(sma.pack(), sma.otime, 0, sma.ctime, 0, nsems, 0, 0)
            return 0 if uaccess.copy_to_user(t, arg, data) else -E.EFAULT
        if cmd == GETALL:
            data = struct.pack(f"<{nsems}H", *(s.semval for s in sma.sems))
            return 0 if uaccess.copy_to_user(t, arg, data) else -E.EFAULT
        if cmd == SETALL:
            raw = uaccess.copy_from_user(t, arg, 2 * nsems)
            if raw is None:
                return -E.EFAULT
            vals = struct.unpack(f"<{nsems}H", raw)
            if any(v > SEMVMX for v in vals):
                return -E.ERANGE
            for sem, v in zip(sma.sems, vals):
                sem.semval = v
                sem.sempid = t.tgid
            for un in sma.undos:
                un.semadj = [0] * nsems
            sma.ctime = self.k.clock.real_seconds()
            self.update_queue(sma)
            return 0
        if semnum < 0 or semnum >= nsems:
            return -E.EINVAL
        sem = sma.sems[semnum]
        if cmd == GETVAL:
            return sem.semval
        if cmd == GETPID:
            return sem.sempid
        if cmd in (GETNCNT, GETZCNT):
            return self.count_semcnt(sma, semnum, cmd == GETZCNT)
        sem.semval = val
        sem.sempid = t.tgid
        for un in sma.undos:
            un.semadj[semnum] = 0
        sma.ctime = self.k.clock.real_seconds()
        self.update_queue(sma)
        return 0

    def semctl_info(self, t: TaskStruct, cmd: int, buf: int) -> int:
        """semctl_info(): struct seminfo with the limits; for SEM_INFO, semusz
        and semaem are the sets in use and their semaphores. Returns the
        highest index in use (0 when none)."""
        usz, aem = SEMUSZ, SEMAEM
        if cmd == SEM_INFO:
            sets = self.ids.in_use()
            usz, aem = len(sets), sum(len(sma.sems) for sma in sets)
        data = SEMINFO.pack(SEMMAP, SEMMNI, SEMMNS, SEMMNU, SEMMSL, SEMOPM, SEMUME, usz, SEMVMX, aem)
        if not self.k.uaccess.copy_to_user(t, buf, data):
            return -E.EFAULT
        return max(self.ids.ipc_get_maxidx(), 0)

    @staticmethod
    def count_semcnt(sma: SemArray, semnum: int, count_zero: bool) -> int:
        """count_semcnt(): waiters blocked on semaphore `semnum`, waiting for
        zero (GETZCNT) or for a decrease to be possible (GETNCNT)."""
        n = 0
        for q in sma.pending:
            num, op, _flg = q.blocking
            if num == semnum and (op == 0 if count_zero else op < 0):
                n += 1
        return n

    def freeary(self, sma: SemArray) -> None:
        """freeary(): IPC_RMID. Every waiter fails with EIDRM; the undo
        records of the set are forgotten."""
        for un in sma.undos:
            un.semid = -1
        sma.undos.clear()
        for q in sma.pending:
            q.status = -E.EIDRM
            q.wq.wake_up_all()
        sma.pending.clear()
        self.ids.ipc_rmid(sma)

    # ---- fork and exit --------------------------------------------------------------

    @staticmethod
    def copy_semundo(parent: TaskStruct, p: TaskStruct, share: bool) -> None:
        """copy_semundo(): CLONE_SYSVSEM shares the undo list; fork starts without one."""
        ulp = parent.sysvsem if share else None
        if share and ulp is None:
            ulp = parent.sysvsem = SemUndoList()
        if ulp is not None:
            ulp.refcnt += 1
        p.sysvsem = ulp

    def exit_sem(self, tsk: TaskStruct) -> None:
        """exit_sem(): the last task of an undo list applies its adjustments
        (values clamped to [0, SEMVMX], sempid the exiting process) and
        completes the operations this makes possible."""
        ulp = tsk.sysvsem
        if ulp is None:
            return
        tsk.sysvsem = None
        ulp.refcnt -= 1
        if ulp.refcnt:
            return
        for un in ulp.undos.values():
            if un.semid < 0:
                continue
            sma = self.ids.ipc_obtain_object_check(un.semid)
            if sma is None:
                continue
            sma.undos.remove(un)
            for sem, adj in zip(sma.sems, un.semadj):
                if adj:
                    sem.semval = min(max(sem.semval + adj, 0), SEMVMX)
                    sem.sempid = tsk.tgid
            self.update_queue(sma)
        ulp.undos.clear()
