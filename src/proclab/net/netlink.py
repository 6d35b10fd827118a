"""A minimal AF_NETLINK family (net/netlink/af_netlink.c): what the kernel
needs to send datagrams to user space, as mq_notify's SIGEV_THREAD does
(ipc/mqueue.py; musl's mq_notify waits for the queue's 32-byte cookie in a
thread blocked in recv on such a socket).

A netlink socket is a socket file (`NetlinkSock`, struct netlink_sock with
its struct socket and file) with a receive queue of datagrams (sk_buffs)
and a wait queue. The kernel side queues a datagram on a socket
(`netlink_sendskb`), waking readers and pollers. Receiving
(`netlink_recvmsg`, reached by recvfrom, recvmsg and read) takes the
oldest datagram whole: a shorter buffer gets its first bytes (the rest is
lost; MSG_TRUNC returns the datagram's length), MSG_PEEK leaves it queued,
an empty queue waits (MSG_DONTWAIT or O_NONBLOCK: EAGAIN), MSG_WAITALL
changes nothing for a datagram. The sender's address is the kernel's:
nl_pid 0, no groups. poll: readable while a datagram is queued, always
writable (datagram_poll).

Differences from Linux: only protocol 0 (NETLINK_ROUTE) is registered; no
rtnetlink request is served, so sending (write, sendto, sendmsg) answers
EOPNOTSUPP, as do bind, connect, getsockname, getpeername, setsockopt and
getsockopt (Linux implements them) and listen, accept, shutdown (Linux's
sock_no_* answer EOPNOTSUPP too); the receive buffer is not accounted
(sk_rcvbuf, netlink_attachskb): queueing a datagram never waits for room.
"""

from __future__ import annotations

import struct
from collections import deque
from typing import TYPE_CHECKING, Optional, Union

from ..fs.file import O_NONBLOCK, O_RDWR, File, fdget
from ..fs.inode import Inode
from ..lib.lockdep import lock_acquire
from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.poll import POLLIN, POLLOUT, POLLRDNORM, POLLWRBAND, POLLWRNORM
from ..kernel.sched.wait import Sleep as Blocking, wait_event

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.sched.core import Scheduler
    from ..kernel.task import TaskStruct

AF_NETLINK = 16
SOCK_DGRAM, SOCK_RAW = 2, 3
NETLINK_ROUTE = 0
MAX_LINKS = 32
# include/linux/socket.h: the recvmsg flags netlink_recvmsg looks at
MSG_OOB = 0x1
MSG_PEEK = 0x2
MSG_TRUNC = 0x20
MSG_DONTWAIT = 0x40
# struct sockaddr_nl: nl_family, nl_pad, nl_pid, nl_groups
SOCKADDR_NL = struct.Struct("<HHII")


class NetlinkSock(File):
    """struct netlink_sock with its struct socket and file (sock_alloc_file:
    O_RDWR plus the O_NONBLOCK of SOCK_NONBLOCK), named socket:[ino]."""

    def __init__(self, inode: Inode, sk_type: int, protocol: int, flags: int) -> None:
        super().__init__(O_RDWR | (flags & O_NONBLOCK), f"socket:[{inode.ino}]", inode)
        self.sk_type = sk_type
        self.sk_protocol = protocol
        self.sk_receive_queue: deque[bytes] = deque()
        self.sk_wq = WaitQueueHead("netlink")

    def read(self, count: int) -> Union[bytes, int]:
        """sock_read_iter(): netlink_recvmsg() without waiting (the syscall
        layer waits on `read_queue`)."""
        data = self.skb_recv_datagram(0)
        return data[:count] if isinstance(data, bytes) else data

    def write(self, data: bytes) -> int:
        return -E.EOPNOTSUPP   # netlink_sendmsg(): no rtnetlink request is served

    def read_queue(self) -> WaitQueueHead:
        return self.sk_wq

    def read_ready(self) -> bool:
        return bool(self.sk_receive_queue)

    def poll(self, pt: Optional[PollTable]) -> int:
        """datagram_poll(): readable while a datagram is queued; the send
        buffer never fills (sock_writeable())."""
        poll_wait(pt, self.sk_wq)
        mask = POLLOUT | POLLWRNORM | POLLWRBAND
        if self.sk_receive_queue:
            mask |= POLLIN | POLLRDNORM
        return mask

    def skb_recv_datagram(self, flags: int) -> Union[bytes, int]:
        """skb_recv_datagram() without its wait: the oldest datagram (left
        queued with MSG_PEEK), or -EAGAIN."""
        if not self.sk_receive_queue:
            return -E.EAGAIN
        if flags & MSG_PEEK:
            return self.sk_receive_queue[0]
        return self.sk_receive_queue.popleft()

    def netlink_recvmsg(self, sched: Scheduler, t: TaskStruct, size: int, flags: int) -> Blocking:
        """netlink_recvmsg(): (the datagram, whose first `size` bytes are
        copied out; what the call returns), or -errno. EOPNOTSUPP for MSG_OOB; an empty queue waits
        interruptibly (-ERESTARTSYS: no SO_RCVTIMEO), -EAGAIN without
        waiting for MSG_DONTWAIT or an O_NONBLOCK file."""
        if flags & MSG_OOB:
            return -E.EOPNOTSUPP
        noblock = flags & MSG_DONTWAIT or self.flags & O_NONBLOCK
        while True:
            lock_acquire(self.inode.lock_key)  # sk_receive_queue.lock
            skb = self.skb_recv_datagram(flags)
            if isinstance(skb, bytes):
                break
            if noblock:
                return skb
            ret = yield from wait_event(sched, t, self.sk_wq, self.read_ready)
            if ret:
                return ret
        return skb, len(skb) if flags & MSG_TRUNC else min(size, len(skb))


def netlink_create(inode: Inode, sk_type: int, protocol: int, flags: int) -> Union[NetlinkSock, int]:
    """netlink_create(): ESOCKTNOSUPPORT for a type other than SOCK_RAW or
    SOCK_DGRAM, EPROTONOSUPPORT for a protocol not registered (only
    NETLINK_ROUTE is)."""
    if sk_type not in (SOCK_RAW, SOCK_DGRAM):
        return -E.ESOCKTNOSUPPORT
    if protocol != NETLINK_ROUTE:
        return -E.EPROTONOSUPPORT
    return NetlinkSock(inode, sk_type, protocol, flags)


def netlink_getsockbyfd(t: TaskStruct, fd: int) -> Union[NetlinkSock, int]:
    """netlink_getsockbyfd(): the netlink socket behind `fd`: EBADF for no
    open file, ENOTSOCK for a file that is not a socket."""
    f = fdget(t, fd)
    if f is None:
        return -E.EBADF
    if not isinstance(f, NetlinkSock):
        # every socket is a netlink one: another family would be EINVAL
        return -E.ENOTSOCK
    return f


def netlink_sendskb(sk: NetlinkSock, skb: bytes) -> int:
    """netlink_sendskb() (__netlink_sendskb): queue the datagram, wake the
    readers (sk_data_ready); its length."""
    sk.sk_receive_queue.append(skb)
    sk.sk_wq.wake_up_all()
    return len(skb)


def sockaddr_nl_kernel() -> bytes:
    """The address netlink_recvmsg() gives a datagram the kernel sent."""
    return SOCKADDR_NL.pack(AF_NETLINK, 0, 0, 0)

