"""System V message queues (ipc/msg.c): msgget, msgsnd, msgrcv, msgctl.

A queue holds its messages in arrival order and counts their bytes against
msg_qbytes (MSGMNB unless IPC_SET changes it). A sender finding no room
waits on the queue's list of senders; every receive wakes those whose
message now fits (ss_wakeup), and each woken sender tries again. A receiver
finding no matching message waits on the list of receivers; a send first
offers its message to them, oldest first (pipelined_send): the first that
matches takes it directly, without it ever being queued, and a matching one
whose buffer is too small fails with E2BIG. Removal wakes every waiter with
EIDRM. A signal ends a wait with -ERESTARTNOHAND: EINTR when a handler
runs (never restarted, whatever SA_RESTART says), a transparent restart when
none does (a stop and continue).

Who touches what: a MsgQueue and its lists are changed only by the msg
syscalls of any task; a MsgReceiver's r_msg is written by the sender that
hands it a message, or by IPC_SET/IPC_RMID (expunge_all), and read by its
own task when it wakes; a MsgSender's `woken` likewise by ss_wakeup.

Differences from Linux: the times are whole seconds of the virtual
real-time clock; msgctl knows IPC_INFO, MSG_INFO, IPC_STAT, IPC_SET and
IPC_RMID (MSG_STAT and MSG_STAT_ANY answer EINVAL); msgrcv's MSG_COPY
answers ENOSYS, as a kernel built without CONFIG_CHECKPOINT_RESTORE does.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional, Union

from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.ipc import (
    IPC_INFO,
    IPC_NOWAIT,
    IPC_RMID,
    IPC_SET,
    IPC_STAT,
    MSG_COPY,
    MSG_EXCEPT,
    MSG_INFO,
    MSG_NOERROR,
    MSGINFO,
    MSGMAP,
    MSGMAX,
    MSGMNB,
    MSGMNI,
    MSGPOOL,
    MSGSEG,
    MSGSSZ,
    MSGTQL,
    MSQID64_DS,
)
from ..uapi.stat import S_IRUGO, S_IWUGO
from ..kernel.sched.wait import Sleep as Blocking, signal_pending, wait_event
from ..kernel.task import Cred, TaskStruct
from .util import IpcIds, KernIpcPerm, ipc_update_perm, ipcget, ipcperms, may_change

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

LONG_MAX = (1 << 63) - 1
INT_MAX = (1 << 31) - 1

# how msgrcv's msgtyp selects (convert_mode)
SEARCH_ANY = 1
SEARCH_EQUAL = 2
SEARCH_NOTEQUAL = 3
SEARCH_LESSEQUAL = 4


# The header of /proc/sysvipc/msg as msg_init() declares it.
SYSVIPC_MSG_HEADER = ("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
                      "      stime      rtime      ctime\n")


class MsgMsg:
    """struct msg_msg: one message, its type and text (m_ts is its size)."""

    __slots__ = ("m_type", "text")

    def __init__(self, m_type: int, text: bytes) -> None:
        self.m_type = m_type
        self.text = text

    @property
    def m_ts(self) -> int:
        return len(self.text)


class MsgReceiver:
    """struct msg_receiver: a task waiting in msgrcv. r_msg stays -EAGAIN
    until a sender hands it a message (or -E2BIG), or IPC_RMID sets -EIDRM;
    IPC_SET leaves -EAGAIN but sets `woken` so that it looks again."""

    def __init__(self, task: TaskStruct, msgtype: int, mode: int, maxsize: int) -> None:
        self.r_tsk = task
        self.r_msgtype = msgtype
        self.r_mode = mode
        self.r_maxsize = maxsize
        self.r_msg: Union[MsgMsg, int] = -E.EAGAIN
        self.woken = False
        self.wq = WaitQueueHead("msgrcv")


class MsgSender:
    """struct msg_sender: a task waiting in msgsnd for room for `msgsz` bytes."""

    def __init__(self, task: TaskStruct, msgsz: int) -> None:
        self.tsk = task
        self.msgsz = msgsz
        self.woken = False
        self.wq = WaitQueueHead("msgsnd")


class MsgQueue(KernIpcPerm):
    """struct msg_queue. Written by the msg syscalls."""

    def __init__(self, key: int, msgflg: int, cred: Cred, now: int) -> None:
        super().__init__(key, msgflg, cred)
        self.q_stime = 0
        self.q_rtime = 0
        self.q_ctime = now
        self.q_cbytes = 0
        self.q_qnum = 0
        self.q_qbytes = MSGMNB
        self.q_lspid = 0
        self.q_lrpid = 0
        self.q_messages: list[MsgMsg] = []
        self.q_receivers: list[MsgReceiver] = []
        self.q_senders: list[MsgSender] = []


def sysvipc_msg_proc_show(msq: MsgQueue) -> str:
    """sysvipc_msg_proc_show(): one line of /proc/sysvipc/msg, with Linux's
    format ("%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu
    %10llu %10llu")."""
    return (f"{msq.key:10d} {msq.id:10d}  {msq.mode:4o}  {msq.q_cbytes:10d} {msq.q_qnum:10d} "
            f"{msq.q_lspid:5d} {msq.q_lrpid:5d} {msq.uid:5d} {msq.gid:5d} {msq.cuid:5d} {msq.cgid:5d} "
            f"{msq.q_stime:10d} {msq.q_rtime:10d} {msq.q_ctime:10d}\n")


def msg_fits_inqueue(msq: MsgQueue, msgsz: int) -> bool:
    """msg_fits_inqueue(): room for `msgsz` more bytes and one more message
    (msg_qbytes also bounds the number of messages)."""
    return msgsz + msq.q_cbytes <= msq.q_qbytes and 1 + msq.q_qnum <= msq.q_qbytes


def convert_mode(msgtyp: int, msgflg: int) -> tuple[int, int]:
    """convert_mode(): the search mode for msgrcv's `msgtyp`, and the type it
    compares with (|msgtyp| for a negative one)."""
    if msgtyp == 0:
        return 0, SEARCH_ANY
    if msgtyp < 0:
        return (LONG_MAX if msgtyp == -LONG_MAX - 1 else -msgtyp), SEARCH_LESSEQUAL
    return msgtyp, SEARCH_NOTEQUAL if msgflg & MSG_EXCEPT else SEARCH_EQUAL


def testmsg(msg: MsgMsg, type_: int, mode: int) -> bool:
    """testmsg(): does `msg` match a receive of `type_` in `mode`?"""
    if mode == SEARCH_ANY:
        return True
    if mode == SEARCH_LESSEQUAL:
        return msg.m_type <= type_
    if mode == SEARCH_EQUAL:
        return msg.m_type == type_
    return msg.m_type != type_


def find_msg(msq: MsgQueue, msgtyp: int, mode: int) -> Optional[MsgMsg]:
    """find_msg(): the first matching message; for SEARCH_LESSEQUAL the first
    of the lowest type, found by lowering the bound past each match."""
    found = None
    for msg in msq.q_messages:
        if testmsg(msg, msgtyp, mode):
            if mode == SEARCH_LESSEQUAL and msg.m_type != 1:
                msgtyp = msg.m_type - 1
                found = msg
            else:
                return msg
    return found


def ss_wakeup(msq: MsgQueue, kill: bool) -> None:
    """ss_wakeup(): wake the waiting senders whose message now fits, leaving
    the others in order at the tail (kill: wake all, the queue is gone).
    Woken senders stay listed until they run and take themselves off."""
    stop = None
    for mss in list(msq.q_senders):
        if kill:
            msq.q_senders.remove(mss)   # mss->list.next = NULL: ss_del() does nothing
        elif mss is stop:
            break
        elif not msg_fits_inqueue(msq, mss.msgsz):
            if stop is None:
                stop = mss
            msq.q_senders.remove(mss)
            msq.q_senders.append(mss)
            continue
        mss.woken = True
        mss.wq.wake_up_all()


def expunge_all(msq: MsgQueue, res: int) -> None:
    """expunge_all(): wake every waiting receiver with `res` (-EIDRM on
    removal; -EAGAIN after IPC_SET: look again, permissions may have changed)."""
    for msr in msq.q_receivers:
        msr.r_msg = res
        msr.woken = True
        msr.wq.wake_up_all()


class Msgs:
    """The message queue ids of the (single) IPC namespace and the msg syscalls."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.ids: IpcIds[MsgQueue] = IpcIds()

    # ---- creation -----------------------------------------------------------------

    def newque(self, t: TaskStruct, key: int, msgflg: int) -> int:
        """newque(): an empty queue of MSGMNB bytes."""
        return self.ids.ipc_addid(MsgQueue(key, msgflg, t.cred, self.k.clock.real_seconds()))

    def sys_msgget(self, t: TaskStruct, key: int, msgflg: int) -> int:
        """msgget(): through ipcget (msg has no size to check)."""
        return ipcget(self.ids, t.cred, key, msgflg, lambda: self.newque(t, key, msgflg), lambda msq: 0)

    # ---- msgsnd ---------------------------------------------------------------------

    def pipelined_send(self, msq: MsgQueue, msg: MsgMsg) -> bool:
        """pipelined_send(): hand `msg` to the oldest waiting receiver it
        matches; a matching receiver whose buffer is too small is woken with
        E2BIG on the way. False when nobody took it."""
        for msr in list(msq.q_receivers):
            if not testmsg(msg, msr.r_msgtype, msr.r_mode):
                continue
            msq.q_receivers.remove(msr)
            msr.woken = True
            if msr.r_maxsize < msg.m_ts:
                msr.r_msg = -E.E2BIG
                msr.wq.wake_up_all()
                continue
            msq.q_lrpid = msr.r_tsk.pid
            msq.q_rtime = self.k.clock.real_seconds()
            msr.r_msg = msg
            msr.wq.wake_up_all()
            return True
        return False

    def do_msgsnd(self, t: TaskStruct, msqid: int, mtype: int, mtext: int, msgsz: int, msgflg: int) -> Blocking:
        """do_msgsnd(): EINVAL for a size beyond MSGMAX, a type below 1 or a bad
        id, EACCES without write permission; waits for room (EAGAIN with
        IPC_NOWAIT), EIDRM when the queue goes meanwhile."""
        if msgsz > MSGMAX or msqid < 0:
            return -E.EINVAL
        if mtype < 1:
            return -E.EINVAL
        text = self.k.uaccess.copy_from_user(t, mtext, msgsz) if msgsz else b""
        if text is None:
            return -E.EFAULT
        msg = MsgMsg(mtype, text)
        msq = self.ids.ipc_obtain_object_check(msqid)
        if msq is None:
            return -E.EINVAL
        while True:
            if not ipcperms(t.cred, msq, S_IWUGO):
                return -E.EACCES
            if msq.deleted:
                return -E.EIDRM
            if msg_fits_inqueue(msq, msgsz):
                break
            if msgflg & IPC_NOWAIT:
                return -E.EAGAIN
            s = MsgSender(t, msgsz)
            msq.q_senders.append(s)     # ss_add
            ret = yield from wait_event(self.k.sched, t, s.wq, lambda: s.woken)
            if s in msq.q_senders:      # ss_del
                msq.q_senders.remove(s)
            if ret or signal_pending(t):
                return -E.ERESTARTNOHAND
        msq.q_lspid = t.tgid
        msq.q_stime = self.k.clock.real_seconds()
        if not self.pipelined_send(msq, msg):
            msq.q_messages.append(msg)
            msq.q_cbytes += msgsz
            msq.q_qnum += 1
        return 0

    def sys_msgsnd(self, t: TaskStruct, msqid: int, msgp: int, msgsz: int, msgflg: int) -> Blocking:
        """msgsnd(): `msgp` is a struct msgbuf: a long mtype, then the text."""
        raw = self.k.uaccess.copy_from_user(t, msgp, 8)
        if raw is None:
            return -E.EFAULT
        mtype = struct.unpack("<q", raw)[0]
        return (yield from self.do_msgsnd(t, msqid, mtype, msgp + 8, msgsz, msgflg))

    # ---- msgrcv ---------------------------------------------------------------------

    def do_msgrcv(self, t: TaskStruct, msqid: int, buf: int, bufsz: int, msgtyp: int, msgflg: int) -> Blocking:
        """do_msgrcv() with do_msg_fill(): take the message `msgtyp` selects
        (convert_mode) and store its type and at most `bufsz` bytes of its
        text; E2BIG when it is longer unless MSG_NOERROR truncates; waits
        for one (ENOMSG with IPC_NOWAIT); EIDRM when the queue goes."""
        if msqid < 0 or bufsz >> 63:
            return -E.EINVAL
        if msgflg & MSG_COPY:
            if msgflg & MSG_EXCEPT or not msgflg & IPC_NOWAIT:
                return -E.EINVAL
            return -E.ENOSYS    # prepare_copy() without CONFIG_CHECKPOINT_RESTORE
        msgtyp, mode = convert_mode(msgtyp, msgflg)
        msq = self.ids.ipc_obtain_object_check(msqid)
        if msq is None:
            return -E.EINVAL
        while True:
            if not ipcperms(t.cred, msq, S_IRUGO):
                return -E.EACCES
            if msq.deleted:
                return -E.EIDRM
            found = find_msg(msq, msgtyp, mode)
            if found is not None:
                if bufsz < found.m_ts and not msgflg & MSG_NOERROR:
                    return -E.E2BIG
                msq.q_messages.remove(found)
                msq.q_qnum -= 1
                msq.q_rtime = self.k.clock.real_seconds()
                msq.q_lrpid = t.tgid
                msq.q_cbytes -= found.m_ts
                ss_wakeup(msq, False)
                msg: Union[MsgMsg, int] = found
                break
            if msgflg & IPC_NOWAIT:
                return -E.ENOMSG
            msr = MsgReceiver(t, msgtyp, mode, INT_MAX if msgflg & MSG_NOERROR else bufsz)
            msq.q_receivers.append(msr)
            ret = yield from wait_event(self.k.sched, t, msr.wq, lambda: msr.woken)
            msg = msr.r_msg
            if msg != -E.EAGAIN:
                break
            if msr in msq.q_receivers:
                msq.q_receivers.remove(msr)
            if ret or signal_pending(t):
                return -E.ERESTARTNOHAND
        if isinstance(msg, int):
            return msg
        return self.do_msg_fill(t, buf, msg, bufsz)

    def do_msg_fill(self, t: TaskStruct, buf: int, msg: MsgMsg, bufsz: int) -> int:
        """do_msg_fill(): the type, then min(bufsz, m_ts) bytes; their count."""
        n = min(bufsz, msg.m_ts)
        uaccess = self.k.uaccess
        if not uaccess.copy_to_user(t, buf, struct.pack("<q", msg.m_type)):
            return -E.EFAULT
        if n and not uaccess.copy_to_user(t, buf + 8, msg.text[:n]):
            return -E.EFAULT
        return n

    def sys_msgrcv(self, t: TaskStruct, msqid: int, msgp: int, msgsz: int, msgtyp: int, msgflg: int) -> Blocking:
        return (yield from self.do_msgrcv(t, msqid, msgp, msgsz, msgtyp, msgflg))

    # ---- msgctl ---------------------------------------------------------------------

    def sys_msgctl(self, t: TaskStruct, msqid: int, cmd: int, buf: int) -> int:
        """msgctl(): IPC_STAT (EACCES without read permission), IPC_SET and
        IPC_RMID (EPERM unless owner, creator or root; raising msg_qbytes
        beyond MSGMNB needs CAP_SYS_RESOURCE)."""
        if msqid < 0 or cmd < 0:
            return -E.EINVAL
        if cmd in (IPC_INFO, MSG_INFO):
            return self.msgctl_info(t, cmd, buf)
        if cmd not in (IPC_STAT, IPC_SET, IPC_RMID):
            return -E.EINVAL
        uaccess = self.k.uaccess
        set_ds = None
        if cmd == IPC_SET:
            set_ds = uaccess.copy_from_user(t, buf, MSQID64_DS.size)
            if set_ds is None:
                return -E.EFAULT
        msq = self.ids.ipc_obtain_object_check(msqid)
        if msq is None:
            return -E.EINVAL
        if cmd == IPC_STAT:
            if not ipcperms(t.cred, msq, S_IRUGO):
                return -E.EACCES
            data = MSQID64_DS.pack(msq.pack(), msq.q_stime, msq.q_rtime, msq.q_ctime, msq.q_cbytes,
                                   msq.q_qnum, msq.q_qbytes, msq.q_lspid, msq.q_lrpid, 0, 0)
            return 0 if uaccess.copy_to_user(t, buf, data) else -E.EFAULT
        if not may_change(t.cred, msq):
            return -E.EPERM
        if set_ds is None:
            self.freeque(msq)
            return 0
        fields = MSQID64_DS.unpack(set_ds)
        uid, gid, mode = struct.unpack_from("<4xII8xI", fields[0])
        qbytes = fields[6]
        if qbytes > MSGMNB and t.cred.euid != 0:
            return -E.EPERM
        ipc_update_perm(msq, uid, gid, mode)
        msq.q_qbytes = qbytes
        msq.q_ctime = self.k.clock.real_seconds()
        expunge_all(msq, -E.EAGAIN)
        ss_wakeup(msq, False)
        return 0

    def msgctl_info(self, t: TaskStruct, cmd: int, buf: int) -> int:
        """msgctl_info(): struct msginfo with the limits; for MSG_INFO,
        msgpool, msgmap and msgtql are the queues in use, the messages queued
        and their bytes. Returns the highest index in use (0 when none)."""
        if cmd == MSG_INFO:
            queues = self.ids.in_use()
            pool, nmap, tql = (len(queues), min(sum(q.q_qnum for q in queues), INT_MAX),
                               min(sum(q.q_cbytes for q in queues), INT_MAX))
        else:
            pool, nmap, tql = MSGPOOL, MSGMAP, MSGTQL
        data = MSGINFO.pack(pool, nmap, MSGMAX, MSGMNB, MSGMNI, MSGSSZ, tql, MSGSEG)
        if not self.k.uaccess.copy_to_user(t, buf, data):
            return -E.EFAULT
        return max(self.ids.ipc_get_maxidx(), 0)

    def freeque(self, msq: MsgQueue) -> None:
        """freeque(): IPC_RMID. Every waiting receiver and sender fails with
        EIDRM; the messages go with the queue."""
        expunge_all(msq, -E.EIDRM)
        ss_wakeup(msq, True)
        self.ids.ipc_rmid(msq)
        msq.q_messages.clear()
        msq.q_qnum = msq.q_cbytes = 0
