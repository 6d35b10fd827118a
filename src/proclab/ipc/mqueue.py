"""POSIX message queues (ipc/mqueue.c): mq_open, mq_unlink, mq_timedsend,
mq_timedreceive, mq_notify, mq_getsetattr, and the mqueue filesystem
mounted at /dev/mqueue.

A queue is an inode of the mqueue filesystem (`MqueueInodeInfo`, struct
mqueue_inode_info) named /dev/mqueue/NAME; mq_open looks NAME up in that
directory, creating the queue if asked, and opens it as an ordinary file
description (`MqueueFile`) installed close-on-exec: so close, dup, fork,
fcntl(F_SETFL, O_NONBLOCK) and poll/select/epoll work on queue descriptors
as on any fd. Reading the file gives Linux's "QSIZE:... NOTIFY:... SIGNO:...
NOTIFY_PID:..." line, also through open(2) of /dev/mqueue/NAME; unlink(2)
there is mq_unlink. A queue is freed (mqueue_evict_inode) when it has no
name and no open file left: its messages go, its bytes leave the creator's
RLIMIT_MSGQUEUE count and it no longer counts against queues_max.

Messages are kept per priority, highest priority first and FIFO within
one (the rb-tree of posix_msg_tree_node). A sender finding the queue full,
or a receiver finding it empty, waits on the queue's list of senders or
receivers (`wq_sleep`), ordered by task priority, FIFO among equals. A send
to an empty queue with a receiver waiting hands the message straight to
the receiver that has waited longest among the most urgent (pipelined_send);
a receive that frees a slot takes the message of the first waiting sender
into the queue (pipelined_receive). A wait ends with 0 once the other side
has done that, -ETIMEDOUT at the absolute CLOCK_REALTIME timeout, or
-ERESTARTSYS when a signal comes: EINTR with a handler without SA_RESTART,
restarted otherwise (with the same absolute timeout).

mq_notify registers one process per queue (EBUSY for another) to be told
when a message arrives in an empty queue that no receiver waits on
(__do_notify): SIGEV_SIGNAL queues sigev_signo with si_code SI_MESGQ, the
sigev_value and the sender's pid and uid; SIGEV_THREAD sends the
NOTIFY_COOKIE_LEN bytes found at sigev_value when registering, their last
byte set to NOTIFY_WOKENUP, to the netlink socket whose fd is sigev_signo
(net/netlink.py; musl's mq_notify runs the user's function in a thread
that waits for it); SIGEV_NONE only takes the registration. Either way the
registration is used up. It is also removed by mq_notify(NULL) from the
owner, and when the owner closes any descriptor of the queue
(mqueue_flush_file); a SIGEV_THREAD one then sends its cookie with
NOTIFY_REMOVED (remove_notification).

Who touches what: a queue's state is changed by the mq syscalls of any
task, by closes of its files (flush, release) and by unlinks in
/dev/mqueue; an ExtWaitQueue's `state` and `msg` are written by the task
that serves the waiter and read by the waiter when it wakes.

Differences from Linux: there is one IPC namespace; capable(CAP_SYS_RESOURCE)
is euid 0, as elsewhere in proclab; the notification's self_exec_id check is
not made (a process that exec'd after registering still gets its signal);
a SIGEV_THREAD cookie is not charged to the socket's receive buffer
(netlink_attachskb), so registering never waits for room there. In
/dev/mqueue, open(O_CREAT) and mknod of a regular file make a queue with
the default attributes (mqueue_create); mkdir, other mknods, symlink, link
and rename there fail with EPERM, as the directory has no method for them.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional, Union

from sortedcontainers import SortedDict

from ..fs.dir import Directory
from ..fs.file import O_ACCMODE, O_CREAT, O_EXCL, O_NOCTTY, O_NONBLOCK, O_TRUNC, File, FilesStruct, fd_limit, fdget
from ..fs.inode import Inode, SuperBlock, permission
from ..fs.pseudo import PseudoFile
from ..lib.lockdep import lock_acquire
from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.poll import POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM
from ..uapi.resource import RLIMIT_MSGQUEUE
from ..uapi.signal import NSIG, SI_MESGQ, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD
from ..uapi.stat import NAME_MAX, S_ISVTX, SEEK_CUR, SEEK_END, SEEK_SET
from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..kernel.signal import siginfo
from ..kernel.time.timekeeping import REALTIME_AT_BOOT
from ..kernel.task import TaskStruct
from ..net.netlink import NetlinkSock, netlink_getsockbyfd, netlink_sendskb
from .msg import MsgMsg  # struct msg_msg is System V's and POSIX's (m_type: the priority here)

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.pid import Pid

MQUEUE_MAGIC = 0x19800202
MQUEUE_DEV = 0x14          # an anonymous device number, as the host's mqueue mount has
DIRENT_SIZE = 20           # what each queue adds to the directory's i_size
FILENT_SIZE = 80           # a queue's i_size, and the size of its status line buffer
MQ_PRIO_MAX = 32768
NOTIFY_COOKIE_LEN = 32
NOTIFY_WOKENUP, NOTIFY_REMOVED = 1, 2   # the cookie's last byte, when it is sent
# include/linux/ipc_namespace.h: the sysctls' defaults and bounds
DFLT_QUEUESMAX = 256
DFLT_MSG = 10
DFLT_MSGMAX = 10
DFLT_MSGSIZE = 8192
DFLT_MSGSIZEMAX = 8192
MIN_MSGMAX = 1
HARD_MSGMAX = 65536
MIN_MSGSIZEMAX = 128
HARD_MSGSIZEMAX = 16 * 1024 * 1024
# What each possible message costs against RLIMIT_MSGQUEUE besides its
# bytes: sizeof(struct msg_msg), and per priority that may be in use
# sizeof(struct posix_msg_tree_node), on x86-64.
SIZEOF_MSG_MSG = 48
SIZEOF_TREE_NODE = 48

SEND, RECV = 0, 1
STATE_NONE, STATE_READY = 0, 1
FMODE_READ, FMODE_WRITE = 1, 2

# struct mq_attr: mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs, __reserved[4]
MQ_ATTR = struct.Struct("<qqqq32x")
# struct sigevent: sigev_value, sigev_signo, sigev_notify (the kernel copies all 64 bytes)
SIGEVENT = struct.Struct("<Qii")
SIGEVENT_SIZE = 64
_PRIO = struct.Struct("<I")


class ExtWaitQueue:
    """struct ext_wait_queue: a task waiting in mq_timedsend (with the
    message it brings) or mq_timedreceive (for the message it is handed)."""

    __slots__ = ("task", "msg", "state", "wq")

    def __init__(self, task: TaskStruct, msg: Optional[MsgMsg]) -> None:
        self.task = task
        self.msg = msg
        self.state = STATE_NONE
        self.wq = WaitQueueHead("mqueue")


class MqueueInodeInfo(PseudoFile):
    """struct mqueue_inode_info: a queue, which is also the regular file
    /dev/mqueue/NAME (its read shows the status line)."""

    def __init__(self, mq: Mqueue, mode: int, uid: int, gid: int, maxmsg: int, msgsize: int) -> None:
        super().__init__(mq.sb, mode, self.status_line, None, uid, gid)
        self.mq = mq
        self.wait_q = WaitQueueHead("mqueue_poll")   # poll/select/epoll waiters
        self.msg_tree: SortedDict = SortedDict()       # priority -> its messages, oldest first
        self.mq_maxmsg = maxmsg
        self.mq_msgsize = msgsize
        self.mq_curmsgs = 0
        self.qsize = 0                                  # bytes of all queued messages
        self.e_wait_q: tuple[list[ExtWaitQueue], list[ExtWaitQueue]] = ([], [])
        self.notify_owner: Optional[Pid] = None
        self.notify_sigev_notify = SIGEV_NONE
        self.notify_sigev_signo = 0
        self.notify_sigev_value = 0
        self.notify_sock: Optional[NetlinkSock] = None  # SIGEV_THREAD's socket and cookie
        self.notify_cookie = b""
        self.ucounts: Optional[int] = None             # the creator's uid, once its bytes are counted
        self.users = 0                                  # open files
        self.evicted = False

    @property
    def size(self) -> int:
        return FILENT_SIZE

    def blocks(self) -> int:
        return 0

    def mq_bytes(self) -> int:
        """What the queue counts against RLIMIT_MSGQUEUE: room for every
        message, a msg_msg per message, a tree node per possible priority."""
        treesize = self.mq_maxmsg * SIZEOF_MSG_MSG + min(self.mq_maxmsg, MQ_PRIO_MAX) * SIZEOF_TREE_NODE
        return self.mq_maxmsg * self.mq_msgsize + treesize

    def status_line(self) -> bytes:
        """mqueue_read_file()'s text."""
        owner = self.notify_owner
        notify = self.notify_sigev_notify if owner is not None else 0
        signo = self.notify_sigev_signo if owner is not None and notify == SIGEV_SIGNAL else 0
        pid = owner.nr if owner is not None else 0
        text = f"QSIZE:{self.qsize:<10d} NOTIFY:{notify:<5d} SIGNO:{signo:<5d} NOTIFY_PID:{pid:<6d}\n"
        return text.encode()[:FILENT_SIZE - 1]

    def open(self, flags: int, name: str) -> File:
        """An open(2) of /dev/mqueue/NAME: a file of the queue, as mq_open's."""
        return MqueueFile(self, flags, name)

    def changed(self) -> None:
        """The inode changed; after an unlink (nlink dropped) that may be
        the end of it."""
        super().changed()
        self.mq.maybe_evict(self)

    def touch(self, modified: bool) -> None:
        """inode->i_atime = i_ctime (= i_mtime when the queue's contents
        changed) = current_time()."""
        self.atime = self.ctime = self.sb.now()
        if modified:
            self.mtime = self.atime


class MqueueDir(Directory):
    """The root of the mqueue filesystem (/dev/mqueue): sticky and open to
    all (S_ISVTX | 0777); its i_size grows by DIRENT_SIZE per queue. Its
    only ways to make a name are create (a queue) and mq_open."""

    other_creates = False

    def __init__(self, sb: SuperBlock) -> None:
        super().__init__(sb, S_ISVTX | 0o777)
        self.st_size = 2 * DIRENT_SIZE

    def add(self, name: str, inode: Inode) -> None:
        super().add(name, inode)
        self.st_size += DIRENT_SIZE

    def remove(self, name: str) -> None:
        """mqueue_unlink(): the name goes; the queue lives on while open."""
        if name in self.entries:
            self.st_size -= DIRENT_SIZE
        super().remove(name)


class MqueueFile(File):
    """An open queue (mqueue_file_operations): a queue descriptor, whose
    access mode is OPEN_FMODE(oflag) -- access mode 3 gives neither."""

    def __init__(self, info: MqueueInodeInfo, flags: int, name: str) -> None:
        super().__init__(flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC), name, info)
        self.info = info
        self.f_mode = (flags + 1) & O_ACCMODE
        info.users += 1

    def readable(self) -> bool:
        return bool(self.f_mode & FMODE_READ)

    def writable(self) -> bool:
        return bool(self.f_mode & FMODE_WRITE)

    def read(self, count: int) -> bytes:
        data = self.pread(self.pos, count)
        self.pos += len(data)
        return data

    def pread(self, pos: int, count: int) -> bytes:
        """mqueue_read_file(): the status line from `pos` on
        (simple_read_from_buffer); reading something touches the inode."""
        data = self.info.status_line()[pos:pos + count]
        if data:
            self.info.touch(False)
        return data

    def pwrite(self, pos: int, data: bytes) -> int:
        return -E.EINVAL    # no write method

    def llseek(self, offset: int, whence: int) -> int:
        """default_llseek() over the inode's i_size (FILENT_SIZE)."""
        if whence == SEEK_SET:
            pos = offset
        elif whence == SEEK_CUR:
            pos = self.pos + offset
        elif whence == SEEK_END:
            pos = FILENT_SIZE + offset
        else:
            return -E.EINVAL
        if pos < 0:
            return -E.EINVAL
        self.pos = pos
        return pos

    def poll(self, pt: Optional[PollTable]) -> int:
        """mqueue_poll_file(): readable while a message is queued, writable
        while there is room for one."""
        info = self.info
        poll_wait(pt, info.wait_q)
        mask = 0
        if info.mq_curmsgs:
            mask = POLLIN | POLLRDNORM
        if info.mq_curmsgs < info.mq_maxmsg:
            mask |= POLLOUT | POLLWRNORM
        return mask

    def flush(self, files: FilesStruct) -> None:
        """mqueue_flush_file(): the registered process closing any of its
        descriptors of the queue gives up the notification."""
        info = self.info
        if info.notify_owner is not None and info.notify_owner is info.mq.current_tgid():
            info.mq.remove_notification(info)

    def release(self) -> None:
        self.info.users -= 1
        self.info.mq.maybe_evict(self.info)


def msg_insert(msg: MsgMsg, info: MqueueInodeInfo) -> None:
    """msg_insert(): queue `msg` behind the others of its priority."""
    leaf = info.msg_tree.get(msg.m_type)
    if leaf is None:
        leaf = info.msg_tree[msg.m_type] = []
    leaf.append(msg)
    info.mq_curmsgs += 1
    info.qsize += msg.m_ts


def msg_get(info: MqueueInodeInfo) -> MsgMsg:
    """msg_get(): take the oldest message of the highest priority."""
    prio, leaf = info.msg_tree.peekitem(-1)
    msg = leaf.pop(0)
    if not leaf:
        del info.msg_tree[prio]
    info.mq_curmsgs -= 1
    info.qsize -= msg.m_ts
    return msg


def wq_add(info: MqueueInodeInfo, sr: int, ewp: ExtWaitQueue) -> None:
    """wq_add(): before the first waiter at least as urgent (the list is
    served from its tail), so the most urgent, then the oldest, go first."""
    waiters = info.e_wait_q[sr]
    for i, walk in enumerate(waiters):
        if walk.task.prio <= ewp.task.prio:
            waiters.insert(i, ewp)
            return
    waiters.append(ewp)


def wq_get_first_waiter(info: MqueueInodeInfo, sr: int) -> Optional[ExtWaitQueue]:
    """wq_get_first_waiter(): the waiter to serve first, or None."""
    waiters = info.e_wait_q[sr]
    return waiters[-1] if waiters else None


def __pipelined_op(info: MqueueInodeInfo, sr: int, this: ExtWaitQueue) -> None:
    """__pipelined_op(): `this` is served: off the list, ready, woken."""
    info.e_wait_q[sr].remove(this)
    this.state = STATE_READY
    this.wq.wake_up_all()


def pipelined_send(info: MqueueInodeInfo, message: MsgMsg, receiver: ExtWaitQueue) -> None:
    """pipelined_send(): hand `message` to a waiting receiver directly."""
    receiver.msg = message
    __pipelined_op(info, RECV, receiver)


def pipelined_receive(info: MqueueInodeInfo) -> None:
    """pipelined_receive(): a slot was freed; the first waiting sender's
    message takes it, or pollers hear of the room."""
    sender = wq_get_first_waiter(info, SEND)
    if sender is None:
        info.wait_q.wake_up()
        return
    assert sender.msg is not None
    msg_insert(sender.msg, info)
    __pipelined_op(info, SEND, sender)


class Mqueue:
    """The POSIX message queues of the (single) IPC namespace: its mqueue
    filesystem, the fs.mqueue sysctls, the per-user RLIMIT_MSGQUEUE counts
    (ucounts) and the mq syscalls."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.sb = SuperBlock(k.vfs.sb.now, dev=MQUEUE_DEV, magic=MQUEUE_MAGIC)
        self.root = MqueueDir(self.sb)
        # mqueue_create(): open(O_CREAT) or mknod there makes a queue, with the defaults
        self.root.create_op = lambda name, perm: self.mqueue_create_attr(self.k.current(), name, perm, None)
        # mq_init_ns()
        self.mq_queues_count = 0
        self.mq_queues_max = DFLT_QUEUESMAX
        self.mq_msg_max = DFLT_MSGMAX
        self.mq_msgsize_max = DFLT_MSGSIZEMAX
        self.mq_msg_default = DFLT_MSG
        self.mq_msgsize_default = DFLT_MSGSIZE
        self.ucounts: dict[int, int] = {}   # uid -> bytes of its queues (UCOUNT_RLIMIT_MSGQUEUE)

    def current_tgid(self) -> Pid:
        """task_tgid(current)."""
        return self.k.current().group_leader.pid_link

    # ---- the queues' life ------------------------------------------------------------

    def mqueue_get_inode(self, t: TaskStruct, mode: int,
                         attr: Optional[tuple[int, int]]) -> Union[MqueueInodeInfo, int]:
        """mqueue_get_inode(): a new queue of the caller's fs ids, with the
        default sizes or `attr` (mq_maxmsg, mq_msgsize): EINVAL beyond the
        limits (the hard ones for CAP_SYS_RESOURCE), EMFILE when its bytes
        would take the creator's count past RLIMIT_MSGQUEUE."""
        maxmsg = min(self.mq_msg_max, self.mq_msg_default)
        msgsize = min(self.mq_msgsize_max, self.mq_msgsize_default)
        if attr is not None:
            maxmsg, msgsize = attr
        if maxmsg <= 0 or msgsize <= 0:
            return -E.EINVAL
        if t.cred.euid == 0:
            if maxmsg > HARD_MSGMAX or msgsize > HARD_MSGSIZEMAX:
                return -E.EINVAL
        elif maxmsg > self.mq_msg_max or msgsize > self.mq_msgsize_max:
            return -E.EINVAL
        info = MqueueInodeInfo(self, mode, t.cred.fsuid, t.cred.fsgid, maxmsg, msgsize)
        uid = t.cred.uid
        msgqueue = self.ucounts.get(uid, 0) + info.mq_bytes()
        if msgqueue > t.signal.rlim[RLIMIT_MSGQUEUE][0]:
            return -E.EMFILE
        self.ucounts[uid] = msgqueue
        info.ucounts = uid
        return info

    def mqueue_create_attr(self, t: TaskStruct, name: str, mode: int,
                           attr: Optional[tuple[int, int]]) -> Union[MqueueInodeInfo, int]:
        """mqueue_create_attr(): a new queue NAME, unless queues_max queues
        exist and the caller lacks CAP_SYS_RESOURCE (ENOSPC). The caller has
        checked may_create() (vfs_mkobj() for mq_open, vfs_create() for
        open(O_CREAT) and mknod)."""
        if self.mq_queues_count >= self.mq_queues_max and t.cred.euid != 0:
            return -E.ENOSPC
        info = self.mqueue_get_inode(t, mode & 0o7777, attr)
        if isinstance(info, int):
            return info
        self.mq_queues_count += 1
        self.root.add(name, info)
        return info

    def maybe_evict(self, info: MqueueInodeInfo) -> None:
        """mqueue_evict_inode(), once the queue has neither a name nor an
        open file: its messages go, its bytes and its place are given back."""
        if info.nlink or info.users or info.evicted:
            return
        info.evicted = True
        info.msg_tree.clear()
        info.mq_curmsgs = info.qsize = 0
        if info.ucounts is not None:
            left = self.ucounts[info.ucounts] - info.mq_bytes()
            if left:
                self.ucounts[info.ucounts] = left
            else:
                del self.ucounts[info.ucounts]
            info.ucounts = None
            self.mq_queues_count -= 1

    # ---- names -----------------------------------------------------------------------

    def getname(self, t: TaskStruct, u_name: int) -> Union[str, int]:
        """getname(): the name from user memory (EFAULT, ENAMETOOLONG past
        PATH_MAX, ENOENT for an empty one)."""
        name = self.k.namei.user_path(t, u_name)
        if isinstance(name, str) and not name:
            return -E.ENOENT
        return name

    @staticmethod
    def lookup_one_len(name: str) -> int:
        """lookup_one_len()'s checks on a name in the mqueue root: one
        component (EACCES for ".", ".." or a "/" in it), at most NAME_MAX
        bytes (simple_lookup()'s ENAMETOOLONG)."""
        if name in (".", "..") or "/" in name:
            return -E.EACCES
        if len(name.encode("utf-8", "surrogateescape")) > NAME_MAX:
            return -E.ENAMETOOLONG
        return 0

    def sys_mq_open(self, t: TaskStruct, u_name: int, oflag: int, mode: int, u_attr: int) -> int:
        """mq_open(): do_mq_open() with prepare_open(). The descriptor is
        always close-on-exec (get_unused_fd_flags(O_CLOEXEC))."""
        attr = None
        if u_attr:
            raw = self.k.uaccess.copy_from_user(t, u_attr, MQ_ATTR.size)
            if raw is None:
                return -E.EFAULT
            attr = MQ_ATTR.unpack(raw)[1:3]
        name = self.getname(t, u_name)
        if isinstance(name, int):
            return name
        files, limit = t.files, fd_limit(t)
        if len(files.fds) >= limit and None not in files.fds[:limit]:
            return -E.EMFILE    # get_unused_fd_flags() comes before the lookup
        err = self.lookup_one_len(name)
        if err:
            return err
        inode = self.root.lookup(name)
        if inode is None:
            if not oflag & O_CREAT:
                return -E.ENOENT
            err = self.k.vfs.may_create(self.root, self.k.namei.creds(t))  # vfs_mkobj()
            if err:
                return err
            made = self.mqueue_create_attr(t, name, mode & ~t.fs.umask, attr)
            if isinstance(made, int):
                return made
            info = made
        else:
            if not isinstance(inode, MqueueInodeInfo):
                return -E.EACCES    # an entry the overlay made there: no queue to open
            if oflag & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL:
                return -E.EEXIST
            acc = oflag & O_ACCMODE
            if acc == O_ACCMODE:
                return -E.EINVAL
            err = permission(inode, (4, 2, 6)[acc], *self.k.namei.creds(t))
            if err:
                return err
            info = inode
        return files.alloc_fd(MqueueFile(info, oflag, "/" + name), cloexec=True, limit=limit)

    def sys_mq_unlink(self, t: TaskStruct, u_name: int) -> int:
        """mq_unlink(): vfs_unlink() in the mqueue root, whose sticky bit
        lets only the queue's owner (or root) remove it (EPERM)."""
        name = self.getname(t, u_name)
        if isinstance(name, int):
            return name
        err = self.lookup_one_len(name)
        if err:
            return err
        if self.root.lookup(name) is None:
            return -E.ENOENT
        return self.k.vfs.unlink(self.root, name, self.k.namei.creds(t))

    # ---- sending and receiving -------------------------------------------------------

    def fdget_mq(self, t: TaskStruct, mqdes: int) -> Union[MqueueFile, int]:
        """fdget() of a queue descriptor: EBADF for anything else."""
        f = fdget(t, mqdes)
        return f if isinstance(f, MqueueFile) else -E.EBADF

    def prepare_timeout(self, t: TaskStruct, u_abs_timeout: int) -> tuple[int, Optional[int]]:
        """prepare_timeout(): 0 or -EFAULT/-EINVAL, and the absolute
        CLOCK_REALTIME timeout as a deadline on the virtual clock (None
        when there is none)."""
        if not u_abs_timeout:
            return 0, None
        ns = self.k.uaccess.get_timespec_ns(t, u_abs_timeout)
        if ns < 0:
            return ns, None
        return 0, ns - REALTIME_AT_BOOT

    def wq_sleep(self, t: TaskStruct, info: MqueueInodeInfo, sr: int, deadline: Optional[int],
                 ewp: ExtWaitQueue) -> Blocking:
        """wq_sleep(): wait, interruptibly, to be served (0); -ETIMEDOUT at
        the deadline, -ERESTARTSYS for a signal, leaving the list either way."""
        wq_add(info, sr, ewp)
        ret = yield from wait_event(self.k.sched, t, ewp.wq, lambda: ewp.state == STATE_READY,
                                    deadline=deadline)
        if ewp.state == STATE_READY:
            return 0
        info.e_wait_q[sr].remove(ewp)
        return ret

    def __do_notify(self, t: TaskStruct, info: MqueueInodeInfo) -> None:
        """__do_notify(): the queue went from empty to one message with no
        receiver waiting: tell the registered process, once; wake pollers."""
        owner = info.notify_owner
        if owner is not None and info.mq_curmsgs == 1:
            signo = info.notify_sigev_signo
            # do_mq_notify() accepts sigev_signo 0: nothing is sent then
            if info.notify_sigev_notify == SIGEV_SIGNAL and signo:
                task = owner.task
                if task is not None:
                    info_ = siginfo(signo, SI_MESGQ, pid=t.tgid, uid=t.cred.uid, value=info.notify_sigev_value)
                    self.k.signal.send_signal(signo, info_, task, group=True)
            elif info.notify_sigev_notify == SIGEV_THREAD:
                self.send_cookie(info, NOTIFY_WOKENUP)
            self.k.pid_ns.put_pid(owner)
            info.notify_owner = None
        info.wait_q.wake_up()

    def _fdget_for(self, t: TaskStruct, mqdes: int, write: bool) -> Union[MqueueFile, int]:
        """The queue `mqdes` opened for sending (`write`) or receiving, with
        its lock taken (info->lock, for lockdep); EBADF without that access."""
        f = self.fdget_mq(t, mqdes)
        if isinstance(f, int):
            return f
        lock_acquire(f.inode.lock_key)
        return f if (f.writable() if write else f.readable()) else -E.EBADF

    def do_mq_timedsend(self, t: TaskStruct, mqdes: int, u_msg_ptr: int, msg_len: int, msg_prio: int,
                        deadline: Optional[int]) -> Blocking:
        """do_mq_timedsend(): EINVAL for a priority of MQ_PRIO_MAX or more,
        EBADF without write access, EMSGSIZE beyond mq_msgsize; a full
        queue waits for room (EAGAIN with O_NONBLOCK)."""
        if msg_prio >= MQ_PRIO_MAX:
            return -E.EINVAL
        f = self._fdget_for(t, mqdes, write=True)
        if isinstance(f, int):
            return f
        info = f.info
        if msg_len > info.mq_msgsize:
            return -E.EMSGSIZE
        text = self.k.uaccess.copy_from_user(t, u_msg_ptr, msg_len) if msg_len else b""
        if text is None:
            return -E.EFAULT
        msg = MsgMsg(msg_prio, text)
        if info.mq_curmsgs == info.mq_maxmsg:
            if f.flags & O_NONBLOCK:
                return -E.EAGAIN
            return (yield from self.wq_sleep(t, info, SEND, deadline, ExtWaitQueue(t, msg)))
        receiver = wq_get_first_waiter(info, RECV)
        if receiver is not None:
            pipelined_send(info, msg, receiver)
        else:
            msg_insert(msg, info)
            self.__do_notify(t, info)
        info.touch(True)
        return 0

    def sys_mq_timedsend(self, t: TaskStruct, mqdes: int, u_msg_ptr: int, msg_len: int, msg_prio: int,
                         u_abs_timeout: int) -> Blocking:
        err, deadline = self.prepare_timeout(t, u_abs_timeout)
        if err:
            return err
        return (yield from self.do_mq_timedsend(t, mqdes, u_msg_ptr, msg_len, msg_prio, deadline))

    def do_mq_timedreceive(self, t: TaskStruct, mqdes: int, u_msg_ptr: int, msg_len: int, u_msg_prio: int,
                           deadline: Optional[int]) -> Blocking:
        """do_mq_timedreceive(): EBADF without read access, EMSGSIZE for a
        buffer smaller than mq_msgsize; an empty queue waits for a message
        (EAGAIN with O_NONBLOCK). The message's length, its priority stored
        at `u_msg_prio` if given; EFAULT loses the message, as in Linux."""
        f = self._fdget_for(t, mqdes, write=False)
        if isinstance(f, int):
            return f
        info = f.info
        if msg_len < info.mq_msgsize:
            return -E.EMSGSIZE
        if info.mq_curmsgs == 0:
            if f.flags & O_NONBLOCK:
                return -E.EAGAIN
            wait = ExtWaitQueue(t, None)
            ret = yield from self.wq_sleep(t, info, RECV, deadline, wait)
            if ret:
                return ret
            msg = wait.msg
            assert msg is not None
        else:
            msg = msg_get(info)
            info.touch(True)
            pipelined_receive(info)
        uaccess = self.k.uaccess
        if u_msg_prio and not uaccess.copy_to_user(t, u_msg_prio, _PRIO.pack(msg.m_type)):
            return -E.EFAULT
        if msg.text and not uaccess.copy_to_user(t, u_msg_ptr, msg.text):
            return -E.EFAULT
        return msg.m_ts

    def sys_mq_timedreceive(self, t: TaskStruct, mqdes: int, u_msg_ptr: int, msg_len: int, u_msg_prio: int,
                            u_abs_timeout: int) -> Blocking:
        err, deadline = self.prepare_timeout(t, u_abs_timeout)
        if err:
            return err
        return (yield from self.do_mq_timedreceive(t, mqdes, u_msg_ptr, msg_len, u_msg_prio, deadline))

    # ---- notification ----------------------------------------------------------------

    @staticmethod
    def send_cookie(info: MqueueInodeInfo, code: int) -> None:
        """set_cookie() and netlink_sendskb(): the SIGEV_THREAD registration's
        cookie, its last byte `code`, to its socket, which the queue lets go."""
        assert info.notify_sock is not None
        netlink_sendskb(info.notify_sock, info.notify_cookie[:-1] + bytes((code,)))
        info.notify_sock = None
        info.notify_cookie = b""

    def remove_notification(self, info: MqueueInodeInfo) -> None:
        """remove_notification(): the registration goes; a SIGEV_THREAD one
        sends its cookie with NOTIFY_REMOVED."""
        if info.notify_owner is not None:
            if info.notify_sigev_notify == SIGEV_THREAD:
                self.send_cookie(info, NOTIFY_REMOVED)
            self.k.pid_ns.put_pid(info.notify_owner)
        info.notify_owner = None

    def sys_mq_notify(self, t: TaskStruct, mqdes: int, u_notification: int) -> int:
        """mq_notify() and do_mq_notify(): NULL unregisters the caller's
        process if it is the one registered (anyone else: silently nothing);
        otherwise EINVAL for an unknown sigev_notify or an invalid signal,
        EBUSY while a process is registered. SIGEV_THREAD first copies the
        cookie (EFAULT) and finds the netlink socket sigev_signo (EBADF,
        ENOTSOCK), before the queue descriptor is looked at; when the
        registration fails the cookie is dropped unsent."""
        notification = None
        sock: Optional[NetlinkSock] = None
        cookie = b""
        if u_notification:
            raw = self.k.uaccess.copy_from_user(t, u_notification, SIGEVENT_SIZE)
            if raw is None:
                return -E.EFAULT
            notification = SIGEVENT.unpack_from(raw)
            value, signo, notify = notification
            if notify not in (SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD):
                return -E.EINVAL
            if notify == SIGEV_SIGNAL and not 0 <= signo <= NSIG:
                return -E.EINVAL
            if notify == SIGEV_THREAD:
                raw_cookie = self.k.uaccess.copy_from_user(t, value, NOTIFY_COOKIE_LEN)
                if raw_cookie is None:
                    return -E.EFAULT
                found = netlink_getsockbyfd(t, signo)
                if isinstance(found, int):
                    return found
                sock, cookie = found, raw_cookie
        f = self.fdget_mq(t, mqdes)
        if isinstance(f, int):
            return f
        info = f.info
        lock_acquire(f.inode.lock_key)  # info->lock
        me = t.group_leader.pid_link
        if notification is None:
            if info.notify_owner is me:
                self.remove_notification(info)
                info.touch(False)
            return 0
        if info.notify_owner is not None:
            return -E.EBUSY
        value, signo, notify = notification
        info.notify_sigev_notify = notify
        if notify == SIGEV_SIGNAL:
            info.notify_sigev_signo = signo
            info.notify_sigev_value = value
        elif notify == SIGEV_THREAD:
            info.notify_sock = sock
            info.notify_cookie = cookie
        info.notify_owner = self.k.pid_ns.get_pid(me)
        info.touch(False)
        return 0

    # ---- attributes ------------------------------------------------------------------

    def sys_mq_getsetattr(self, t: TaskStruct, mqdes: int, u_mqstat: int, u_omqstat: int) -> int:
        """mq_getsetattr(): the old attributes (mq_flags: the file's
        O_NONBLOCK) and, if given, a new mq_flags, of which only O_NONBLOCK
        may be set (EINVAL)."""
        uaccess = self.k.uaccess
        new_flags = None
        if u_mqstat:
            raw = uaccess.copy_from_user(t, u_mqstat, MQ_ATTR.size)
            if raw is None:
                return -E.EFAULT
            new_flags = MQ_ATTR.unpack(raw)[0]
            if new_flags & ~O_NONBLOCK:
                return -E.EINVAL
        f = self.fdget_mq(t, mqdes)
        if isinstance(f, int):
            return f
        info = f.info
        lock_acquire(f.inode.lock_key)  # info->lock
        old = MQ_ATTR.pack(f.flags & O_NONBLOCK, info.mq_maxmsg, info.mq_msgsize, info.mq_curmsgs)
        if new_flags is not None:
            f.flags = f.flags | O_NONBLOCK if new_flags & O_NONBLOCK else f.flags & ~O_NONBLOCK
            info.touch(False)
        if u_omqstat and not uaccess.copy_to_user(t, u_omqstat, old):
            return -E.EFAULT
        return 0
