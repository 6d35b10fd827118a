"""Sockets (net/socket.c) of a kernel with one address family registered,
AF_NETLINK (net/netlink.py), for the kernel's notifications to user space
(mq_notify's SIGEV_THREAD): networking is not simulated. socket() and
socketpair() check their arguments as Linux does; every other family is
not found (EAFNOSUPPORT, which glibc's name service lookups expect when
nscd is absent, and programs report as "Address family not supported by
protocol"). A socket is a file of an inode on sockfs (S_IFSOCK | 0777,
owned by its maker). The calls that take a socket fd answer EBADF for a
closed fd and ENOTSOCK for a file that is not a socket; on a netlink
socket recvfrom and recvmsg receive (__sys_recvfrom, ___sys_recvmsg),
the others answer EOPNOTSUPP (net/netlink.py says which Linux has)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Union

from ..arch.x86_64.pgtable import TASK_SIZE
from ..fs.file import fd_limit, fdget
from ..fs.inode import Inode, SuperBlock
from ..uapi import errno as E
from ..uapi.stat import S_IFSOCK
from ..kernel.sched.wait import Sleep as Blocking
from ..kernel.task import TaskStruct
from .netlink import AF_NETLINK, NetlinkSock, netlink_create, sockaddr_nl_kernel

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

# include/linux/net.h
SOCK_MAX = 11
SOCK_TYPE_MASK = 0xF
SOCK_NONBLOCK = 0o4000
SOCK_CLOEXEC = 0o2000000
NPROTO = 46  # AF_MAX
SOCKFS_MAGIC = 0x534F434B
SOCKFS_DEV = 0x08          # an anonymous device number, as the host's sockfs has
MSG_CMSG_COMPAT = 0x80000000
MSG_CMSG_CLOEXEC = 0x40000000
MSG_TRUNC = 0x20
MAX_RW_COUNT = 0x7FFFF000
UIO_MAXIOV = 1024
SOCKADDR_STORAGE_SIZE = 128
# struct user_msghdr: msg_name, msg_namelen, msg_iov, msg_iovlen, msg_control,
# msg_controllen, msg_flags
USER_MSGHDR = struct.Struct("<Qi4xQQQQi4x")
MSG_NAMELEN_OFF, MSG_CONTROLLEN_OFF, MSG_FLAGS_OFF = 8, 40, 48
IOVEC = struct.Struct("<QQ")

# The syscalls whose first argument is a socket fd and that a netlink
# socket does not serve here (recvfrom and recvmsg have handlers).
ON_SOCKET_FD = ("connect", "accept", "accept4", "sendto", "sendmsg", "shutdown",
                "bind", "listen", "getsockname", "getpeername", "setsockopt", "getsockopt",
                "sendmmsg", "recvmmsg")


class Socket:
    """The socket calls of one kernel, and its sockfs."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.sb = SuperBlock(k.vfs.sb.now, dev=SOCKFS_DEV, magic=SOCKFS_MAGIC)

    def sock_create(self, t: TaskStruct, family: int, type_: int, protocol: int,
                    flags: int) -> Union[NetlinkSock, int]:
        """__sock_create(): EAFNOSUPPORT for a family out of range, EINVAL
        for a type out of range; sock_alloc()'s inode, then the family's
        create (only AF_NETLINK is registered: EAFNOSUPPORT for the rest)."""
        if not 0 <= family < NPROTO:
            return -E.EAFNOSUPPORT
        if not 0 <= type_ < SOCK_MAX:
            return -E.EINVAL
        if family != AF_NETLINK:
            return -E.EAFNOSUPPORT
        creds = self.k.namei.creds(t)
        inode = Inode(self.sb, S_IFSOCK | 0o777, creds.fsuid, creds.fsgid)
        return netlink_create(inode, type_, protocol, flags)

    def _create(self, t: TaskStruct, family: int, type_: int, protocol: int) -> Any:
        """The checks socket() and socketpair() share: EINVAL for flags other
        than SOCK_CLOEXEC and SOCK_NONBLOCK in `type_`; the socket or -errno."""
        flags = type_ & ~SOCK_TYPE_MASK
        if flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK):
            return -E.EINVAL
        return self.sock_create(t, family, type_ & SOCK_TYPE_MASK, protocol, flags)

    def sys_socket(self, t: TaskStruct, family: int, type_: int, protocol: int) -> int:
        """__sys_socket(): EINVAL for flags other than SOCK_CLOEXEC and
        SOCK_NONBLOCK; the socket, then its fd (sock_map_fd: EMFILE)."""
        sock = self._create(t, family, type_, protocol)
        if isinstance(sock, int):
            return sock
        flags = type_ & ~SOCK_TYPE_MASK
        fd = t.files.alloc_fd(sock, cloexec=bool(flags & SOCK_CLOEXEC), limit=fd_limit(t))
        if fd < 0:
            sock.put()
        return fd

    def sys_socketpair(self, t: TaskStruct, family: int, type_: int, protocol: int, sv: int) -> int:
        """__sys_socketpair(): the checks of socket(); a netlink socket has
        no socketpair operation (sock_no_socketpair: EOPNOTSUPP)."""
        sock = self._create(t, family, type_, protocol)
        if isinstance(sock, int):
            return sock
        sock.put()
        return -E.EOPNOTSUPP

    def sockfd_lookup(self, t: TaskStruct, fd: int) -> Union[NetlinkSock, int]:
        """sockfd_lookup_light(): the socket behind `fd`, EBADF or ENOTSOCK."""
        f = fdget(t, fd)
        if f is None:
            return -E.EBADF
        return f if isinstance(f, NetlinkSock) else -E.ENOTSOCK

    def sock_no_op(self, t: TaskStruct, fd: int) -> int:
        """The calls on a socket fd a netlink socket does not serve here:
        EBADF, ENOTSOCK, or EOPNOTSUPP for a socket."""
        sock = self.sockfd_lookup(t, fd)
        return sock if isinstance(sock, int) else -E.EOPNOTSUPP

    def move_addr_to_user(self, t: TaskStruct, kaddr: bytes, uaddr: int, ulen: int) -> int:
        """move_addr_to_user(): at most *ulen bytes of the address (EINVAL
        for a negative *ulen), then its whole length into *ulen (EFAULT)."""
        uaccess = self.k.uaccess
        raw = uaccess.copy_from_user(t, ulen, 4)
        if raw is None:
            return -E.EFAULT
        length = min(struct.unpack("<i", raw)[0], len(kaddr))
        if length < 0:
            return -E.EINVAL
        if length and not uaccess.copy_to_user(t, uaddr, kaddr[:length]):
            return -E.EFAULT
        return 0 if uaccess.put_i32(t, ulen, len(kaddr)) else -E.EFAULT

    def sys_recvfrom(self, t: TaskStruct, fd: int, ubuf: int, size: int, flags: int, uaddr: int,
                     uaddr_len: int) -> Blocking:
        """__sys_recvfrom(): import_ubuf()'s EFAULT for a buffer beyond user
        space, the socket, its recvmsg (O_NONBLOCK adds MSG_DONTWAIT), the
        sender's address if asked for; the datagram's bytes copied, or
        EFAULT with the datagram lost."""
        size = min(size, MAX_RW_COUNT)
        if ubuf + size > TASK_SIZE:
            return -E.EFAULT
        sock = self.sockfd_lookup(t, fd)
        if isinstance(sock, int):
            return sock
        got = yield from sock.netlink_recvmsg(self.k.sched, t, size, flags)
        if isinstance(got, int):
            return got
        skb, ret = got
        data = skb[:size]
        if data and not self.k.uaccess.copy_to_user(t, ubuf, data):
            return -E.EFAULT
        if uaddr:
            err = self.move_addr_to_user(t, sockaddr_nl_kernel(), uaddr, uaddr_len)
            if err:
                return err
        return ret

    def import_iovec(self, t: TaskStruct, iov: int, iovlen: int) -> Union[list[tuple[int, int]], int]:
        """import_iovec(): the iovecs, EFAULT to read them or for a buffer
        beyond user space, EINVAL for a negative length; the total is
        capped at MAX_RW_COUNT."""
        if iovlen == 0:
            return []
        raw = self.k.uaccess.copy_from_user(t, iov, IOVEC.size * iovlen)
        if raw is None:
            return -E.EFAULT
        vecs = []
        left = MAX_RW_COUNT
        for base, length in IOVEC.iter_unpack(raw):
            if length >> 63:
                return -E.EINVAL
            length = min(length, left)
            if base + length > TASK_SIZE:
                return -E.EFAULT
            vecs.append((base, length))
            left -= length
        return vecs

    def sys_recvmsg(self, t: TaskStruct, fd: int, umsg: int, flags: int) -> Blocking:
        """__sys_recvmsg() and ____sys_recvmsg(): EINVAL for
        MSG_CMSG_COMPAT; the socket; the msghdr (EFAULT; EINVAL for a
        negative msg_namelen, EMSGSIZE past UIO_MAXIOV iovecs) and its
        iovecs; the datagram spread over them, the sender's address into
        msg_name, msg_flags (MSG_TRUNC for a datagram cut short, and
        MSG_CMSG_CLOEXEC as given) and msg_controllen 0 written back."""
        if flags & MSG_CMSG_COMPAT:
            return -E.EINVAL
        sock = self.sockfd_lookup(t, fd)
        if isinstance(sock, int):
            return sock
        uaccess = self.k.uaccess
        raw = uaccess.copy_from_user(t, umsg, USER_MSGHDR.size)
        if raw is None:
            return -E.EFAULT
        name, namelen, iov, iovlen, _control, _controllen, _flags = USER_MSGHDR.unpack(raw)
        if name and namelen < 0:
            return -E.EINVAL
        if iovlen > UIO_MAXIOV:
            return -E.EMSGSIZE
        vecs = self.import_iovec(t, iov, iovlen)
        if isinstance(vecs, int):
            return vecs
        size = sum(length for _, length in vecs)
        got = yield from sock.netlink_recvmsg(self.k.sched, t, size, flags)
        if isinstance(got, int):
            return got
        skb, ret = got
        data = skb[:size]
        pos = 0
        for base, length in vecs:
            chunk = data[pos:pos + length]
            if chunk and not uaccess.copy_to_user(t, base, chunk):
                return -E.EFAULT
            pos += len(chunk)
        if name:
            err = self.move_addr_to_user(t, sockaddr_nl_kernel(), name, umsg + MSG_NAMELEN_OFF)
            if err:
                return err
        msg_flags = flags & MSG_CMSG_CLOEXEC | (MSG_TRUNC if len(skb) > size else 0)
        if not uaccess.put_i32(t, umsg + MSG_FLAGS_OFF, msg_flags):
            return -E.EFAULT
        if not uaccess.put_u64(t, umsg + MSG_CONTROLLEN_OFF, 0):
            return -E.EFAULT
        return ret
