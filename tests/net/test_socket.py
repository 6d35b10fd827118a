"""Networking is not simulated: the kernel has only AF_NETLINK, for the
kernel's notifications (mq_notify's SIGEV_THREAD). socket() of any other
family checks its arguments as Linux does and then fails with EAFNOSUPPORT;
calls on a socket fd of a file that is not a socket find none (EBADF,
ENOTSOCK); nothing warns, because the host's programs (glibc's name-service
lookups in ls -l, id, ps) probe for nscd this way and carry on."""

from __future__ import annotations

import struct
from pathlib import Path

from conftest import run_sim
from scripted import run_scripted

from proclab.toolchain.compile import compile_c
from proclab.uapi import errno as E
from proclab.uapi.signal import SIGEV_THREAD

SOURCE = r"""
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
static void show(const char *what, int r) { printf("%s %d %d\n", what, r, r < 0 ? errno : 0); }
int main(void) {
    int sv[2], p[2];
    pipe(p);
    show("socket inet", socket(AF_INET, SOCK_STREAM, 0));
    show("socket unix cloexec", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    show("socket bad flag", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
    show("socket bad type", socket(AF_UNIX, 12, 0));
    show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct sockaddr sa = {0};
    show("connect pipe", connect(p[0], &sa, sizeof sa));
    show("connect closed", connect(99, &sa, sizeof sa));
    show("send pipe", (int)send(p[1], "x", 1, 0));
    show("shutdown stdin", shutdown(0, SHUT_RDWR));
    return 0;
}
"""


def test_no_address_family_and_no_socket_fd(tmp_path: Path) -> None:
    src = tmp_path / "no_net.c"
    src.write_text(SOURCE)
    run = run_sim(compile_c(src))
    assert run.stdout.decode().splitlines() == [
        "socket inet -1 97", "socket unix cloexec -1 97", "socket bad flag -1 22", "socket bad type -1 22",
        "socketpair -1 97", "connect pipe -1 88", "connect closed -1 9", "send pipe -1 88",
        "shutdown stdin -1 88",
    ]
    assert not [line for line in run.kernel.log if "not implemented" in line]


# ---- AF_NETLINK (net/netlink.py), driven by scripted programs ----------------------

AF_NETLINK, SOCK_RAW, SOCK_CLOEXEC = 16, 3, 0o2000000
MSG_DONTWAIT, MSG_CMSG_COMPAT = 0x40, 0x80000000
BAD = 0xdead0000    # an address nothing maps
EPOLL_CTL_ADD, EPOLLIN = 1, 1


def thread_notification(u, q: int, sock: int, cookie: bytes) -> int:
    """The raw mq_notify(SIGEV_THREAD) musl's thread makes."""
    ev = u.put(struct.pack("<Qii", u.put(cookie), sock, SIGEV_THREAD) + bytes(48))
    return u.sys("mq_notify", q, ev)


def test_netlink_socket_gets_the_queue_cookie() -> None:
    """A child blocked in recv on the parent's netlink socket is woken by
    the notification; /dev/mqueue shows the SIGEV_THREAD registration;
    what a netlink socket does not serve here answers EOPNOTSUPP; other
    families stay EAFNOSUPPORT; bad buffers are EFAULT; the socket is a
    socket:[ino] file that epoll can watch."""
    seen: dict[str, object] = {}
    cookie = b"0123456789abcdef0123456789abcdeX"

    def prog(u):
        s = yield u.sys("socket", AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0)
        q = yield u.sys("mq_open", u.put(b"nl\0"), 0o102, 0o600, 0)
        assert (yield thread_notification(u, q, s, cookie)) == 0
        me = yield u.sys("getpid")
        fd = yield u.sys("open", u.put(b"/dev/mqueue/nl\0"), 0, 0)
        buf = u.alloc(128)
        n = yield u.sys("read", fd, buf, 128)
        yield u.sys("close", fd)
        seen["status"] = u.read(buf, n) == f"QSIZE:0          NOTIFY:2     SIGNO:0     NOTIFY_PID:{me:<6d}\n".encode()
        # that close was the owner's: it took the registration back
        got = u.alloc(64)
        n = yield u.sys("recvfrom", s, got, 64, MSG_DONTWAIT, 0, 0)
        seen["status read removes"] = u.read(got, n)
        assert (yield thread_notification(u, q, s, cookie)) == 0

        def child(c):
            got = c.alloc(64)
            n = yield c.sys("recvfrom", s, got, 64, 0, 0, 0)
            seen["child woken"] = c.read(got, n)
            yield c.sys("exit_group", 0)

        pid = yield u.fork(child)
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 2_000_000)), 0)
        seen["child waits"] = "child woken" not in seen
        assert (yield u.sys("mq_timedsend", q, u.put(b"hi"), 2, 0, 0)) == 0
        yield u.sys("wait4", pid, 0, 0, 0)

        seen["write"] = yield u.sys("write", s, u.put(b"x"), 1)
        seen["sendto"] = yield u.sys("sendto", s, u.put(b"x"), 1, 0, 0, 0)
        seen["bind"] = yield u.sys("bind", s, u.put(bytes(12)), 12)
        seen["inet"] = yield u.sys("socket", 2, 1, 0)
        seen["recvmsg compat"] = yield u.sys("recvmsg", s, u.alloc(56), MSG_CMSG_COMPAT)
        seen["buffer past user space"] = yield u.sys("recvfrom", s, 0x7FFFFFFFF000 - 4, 64, 0, 0, 0)
        # a datagram copied to a bad buffer is lost
        yield u.sys("mq_timedreceive", q, u.alloc(8192), 8192, 0, 0)
        assert (yield thread_notification(u, q, s, cookie)) == 0
        yield u.sys("mq_notify", q, 0)
        seen["bad buffer"] = yield u.sys("recvfrom", s, BAD, 64, 0, 0, 0)
        seen["lost"] = yield u.sys("recvfrom", s, u.alloc(64), 64, MSG_DONTWAIT, 0, 0)
        link = u.alloc(64)
        n = yield u.sys("readlink", u.put(f"/proc/self/fd/{s}\0".encode()), link, 64)
        seen["fd link"] = u.read(link, n).startswith(b"socket:[")
        ep = yield u.sys("epoll_create1", 0)
        yield u.sys("epoll_ctl", ep, EPOLL_CTL_ADD, s, u.put(struct.pack("<IQ", EPOLLIN, 7)))
        assert (yield thread_notification(u, q, s, cookie)) == 0
        yield u.sys("close", q)     # the owner's close: NOTIFY_REMOVED
        events = u.alloc(12)
        seen["epoll"] = (yield u.sys("epoll_wait", ep, events, 1, 0)), u.read(events, 12)
        got = u.alloc(64)
        n = yield u.sys("read", s, got, 64)
        seen["removed"] = u.read(got, n)
        yield u.sys("mq_unlink", u.put(b"nl\0"))
        yield u.sys("exit_group", 0)

    run_scripted(prog)
    assert seen == {
        "status": True, "status read removes": cookie[:31] + b"\x02", "child waits": True, "child woken": cookie[:31] + b"\x01",
        "write": -E.EOPNOTSUPP, "sendto": -E.EOPNOTSUPP, "bind": -E.EOPNOTSUPP, "inet": -E.EAFNOSUPPORT,
        "recvmsg compat": -E.EINVAL, "buffer past user space": -E.EFAULT,
        "bad buffer": -E.EFAULT, "lost": -E.EAGAIN, "fd link": True,
        "epoll": (1, struct.pack("<IQ", EPOLLIN, 7)), "removed": cookie[:31] + b"\x02",
    }
