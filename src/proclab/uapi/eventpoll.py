"""epoll(7) constants (include/uapi/linux/eventpoll.h). The EPOLL* event bits
below bit 16 are the POLL* ones (uapi/poll.py)."""

import struct

from .poll import POLLERR, POLLHUP, POLLIN, POLLOUT

EPOLL_CLOEXEC = 0o2000000  # O_CLOEXEC
EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD = 1, 2, 3

EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP = POLLIN, POLLOUT, POLLERR, POLLHUP
EPOLLRDHUP = 0x2000
EPOLLEXCLUSIVE = 1 << 28
EPOLLWAKEUP = 1 << 29
EPOLLONESHOT = 1 << 30
EPOLLET = 1 << 31
# The bits that are not events: what a disabled EPOLLONESHOT item keeps.
EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE
# The only bits an EPOLLEXCLUSIVE item may ask for.
EPOLLEXCLUSIVE_OK_BITS = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE

# struct epoll_event is packed on x86-64: __u32 events, __u64 data.
EPOLL_EVENT = struct.Struct("<IQ")
