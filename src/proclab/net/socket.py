"""Sockets (net/socket.c) of a kernel with no address family registered:
networking is not simulated. socket() and socketpair() check their arguments
as Linux does and then find no family (EAFNOSUPPORT, which glibc's name
service lookups expect when nscd is absent, and programs report as "Address
family not supported by protocol"). No file is ever a socket, so every call
that takes a socket fd answers EBADF for a closed fd and ENOTSOCK otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..uapi import errno as E
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

# include/linux/net.h
SOCK_MAX = 11
SOCK_TYPE_MASK = 0xF
SOCK_NONBLOCK = 0o4000
SOCK_CLOEXEC = 0o2000000
NPROTO = 46  # AF_MAX

# The syscalls whose first argument is a socket fd.
ON_SOCKET_FD = ("connect", "accept", "accept4", "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
                "bind", "listen", "getsockname", "getpeername", "setsockopt", "getsockopt",
                "sendmmsg", "recvmmsg")


class Socket:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_socket(self, t: TaskStruct, family: int, type_: int, protocol: int) -> int:
        """__sys_socket -> __sock_create: flags and type checked, then the
        family looked up among the registered ones (there are none)."""
        if type_ & ~SOCK_TYPE_MASK & ~(SOCK_CLOEXEC | SOCK_NONBLOCK):
            return -E.EINVAL
        if not 0 <= type_ & SOCK_TYPE_MASK < SOCK_MAX:
            return -E.EINVAL
        return -E.EAFNOSUPPORT

    def sys_socketpair(self, t: TaskStruct, family: int, type_: int, protocol: int, sv: int) -> int:
        """__sys_socketpair: as socket(), before the pair would be made."""
        return self.sys_socket(t, family, type_, protocol)

    def sockfd_lookup(self, t: TaskStruct, fd: int) -> int:
        """sockfd_lookup() for every call on a socket fd: EBADF or ENOTSOCK."""
        open_ = t.files is not None and t.files.get(fd) is not None
        return -E.ENOTSOCK if open_ else -E.EBADF
