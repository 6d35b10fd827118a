"""POSIX message queues driven by scripted programs (ipc/mqueue.py): what
the C conformance programs cannot do on a shared host -- /dev/mqueue (the
host has it unmounted), changing the fs.mqueue sysctls, the order in which
waiting receivers are served, bad pointers, and that nothing is left behind."""

from __future__ import annotations

import struct

import pytest
from conftest import program, run_sim
from scripted import boot_scripted, run_scripted

from proclab.ipc.mqueue import MQ_ATTR, Mqueue
from proclab.uapi import errno as E
from proclab.uapi.signal import SIGEV_SIGNAL, SIGUSR1

O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NONBLOCK = 0, 1, 2, 0o100, 0o200, 0o4000
PAUSE = struct.pack("<qq", 0, 2_000_000)
BAD = 0xdead0000    # an address nothing maps


def attr(u, maxmsg: int, msgsize: int) -> int:
    return u.put(MQ_ATTR.pack(0, maxmsg, msgsize, 0))


def mq_open(u, name: bytes, oflag: int, mode: int = 0o600, a: int = 0):
    return u.sys("mq_open", u.put(name + b"\0"), oflag, mode, a)


def read_file(u, path: bytes):
    """open, read and close `path`: the bytes, or -errno of open/read."""
    fd = yield u.sys("open", u.put(path + b"\0"), O_RDONLY, 0)
    if fd < 0:
        return fd
    buf = u.alloc(256)
    n = yield u.sys("read", fd, buf, 256)
    yield u.sys("close", fd)
    return u.read(buf, n) if n >= 0 else n


def write_file(u, path: bytes, text: bytes):
    fd = yield u.sys("open", u.put(path + b"\0"), O_WRONLY, 0)
    assert fd >= 0
    n = yield u.sys("write", fd, u.put(text), len(text))
    yield u.sys("close", fd)
    return n


def getattr_(u, q: int) -> tuple[int, ...]:
    buf = u.alloc(MQ_ATTR.size)
    assert (yield u.sys("mq_getsetattr", q, 0, buf)) == 0
    return MQ_ATTR.unpack(u.read(buf, MQ_ATTR.size))


def assert_nothing_left(k) -> None:
    mq: Mqueue = k.mqueue
    assert mq.mq_queues_count == 0
    assert mq.ucounts == {}
    assert mq.root.entries == {} and mq.root.st_size == 40


def test_dev_mqueue_shows_reads_and_unlinks_queues() -> None:
    seen: dict[str, object] = {}

    def prog(u):
        q = yield mq_open(u, b"q1", O_CREAT | O_RDWR, 0o640, attr(u, 4, 16))
        yield u.sys("mq_timedsend", q, u.put(b"hello"), 5, 1, 0)
        yield u.sys("mq_timedsend", q, u.put(b"abc"), 3, 2, 0)
        ev = u.put(struct.pack("<Qii", 0, SIGUSR1, SIGEV_SIGNAL) + bytes(48))
        assert (yield u.sys("mq_notify", q, ev)) == 0
        me = yield u.sys("getpid")
        st = u.alloc(144)
        yield u.sys("stat", u.put(b"/dev/mqueue\0"), st)
        seen["dir mode, size"] = struct.unpack_from("<I", u.read(st, 144), 24)[0], struct.unpack_from(
            "<q", u.read(st, 144), 48)[0]
        yield u.sys("stat", u.put(b"/dev/mqueue/q1\0"), st)
        seen["queue mode, size"] = struct.unpack_from("<I", u.read(st, 144), 24)[0], struct.unpack_from(
            "<q", u.read(st, 144), 48)[0]
        text = yield from read_file(u, b"/dev/mqueue/q1")
        seen["status"] = text == f"QSIZE:8          NOTIFY:0     SIGNO:10    NOTIFY_PID:{me:<6d}\n".encode()
        # an fd opened through /dev/mqueue is a queue descriptor too
        fd = yield u.sys("open", u.put(b"/dev/mqueue/q1\0"), O_RDONLY, 0)
        buf, prio = u.alloc(16), u.alloc(4)
        seen["receive through it"] = (yield u.sys("mq_timedreceive", fd, buf, 16, prio, 0)), u.read(buf, 3)
        yield u.sys("close", fd)   # the owner closing a descriptor: no registration any more
        text = yield from read_file(u, b"/dev/mqueue/q1")
        seen["status after close"] = text
        seen["unlink in /dev/mqueue"] = yield u.sys("unlink", u.put(b"/dev/mqueue/q1\0"))
        seen["gone"] = yield mq_open(u, b"q1", O_RDWR)
        seen["still usable"] = yield u.sys("mq_timedreceive", q, buf, 16, prio, 0)
        seen["mkdir"] = yield u.sys("mkdir", u.put(b"/dev/mqueue\0"), 0o755)
        yield u.sys("exit_group", 0)

    k = run_scripted(prog)
    assert seen == {
        "dir mode, size": (0o41777, 60),
        "queue mode, size": (0o100640, 80),
        "status": True,
        "receive through it": (3, b"abc"),
        "status after close": b"QSIZE:5          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n",
        "unlink in /dev/mqueue": 0,
        "gone": -E.ENOENT,
        "still usable": 5,
        "mkdir": -E.EEXIST,
    }
    assert_nothing_left(k)


def test_creating_in_dev_mqueue_makes_queues_and_nothing_else() -> None:
    """mqueue_create(): open(O_CREAT) or mknod of a regular file there is a
    new queue with the default attributes (10 x 8192), mode minus umask; the
    directory has no other way to make a name: EPERM for mkdir, symlink,
    a FIFO's mknod, link and rename."""
    seen: dict[str, object] = {}
    S_IFREG, S_IFIFO = 0o100000, 0o10000

    def prog(u):
        yield u.sys("umask", 0o022)
        fd = yield u.sys("open", u.put(b"/dev/mqueue/made\0"), O_CREAT | O_EXCL | O_RDWR, 0o666)
        seen["sends through the open fd"] = yield u.sys("mq_timedsend", fd, u.put(b"hi"), 2, 3, 0)
        seen["attributes"] = (yield from getattr_(u, fd))[1:4]
        q = yield mq_open(u, b"made", O_RDONLY)
        buf, prio = u.alloc(8192), u.alloc(4)
        seen["mq_open finds it"] = (yield u.sys("mq_timedreceive", q, buf, 8192, prio, 0)), u.read(buf, 2)
        st = u.alloc(144)
        yield u.sys("stat", u.put(b"/dev/mqueue/made\0"), st)
        seen["mode"] = oct(struct.unpack_from("<I", u.read(st, 144), 24)[0])
        seen["O_EXCL again"] = yield u.sys("open", u.put(b"/dev/mqueue/made\0"), O_CREAT | O_EXCL | O_RDWR, 0o600)
        seen["mknod S_IFREG"] = yield u.sys("mknod", u.put(b"/dev/mqueue/node\0"), S_IFREG | 0o600, 0)
        seen["mknod made a queue"] = (yield mq_open(u, b"node", O_RDONLY)) >= 0
        seen["mknod S_IFIFO"] = yield u.sys("mknod", u.put(b"/dev/mqueue/fifo\0"), S_IFIFO | 0o600, 0)
        seen["mkdir"] = yield u.sys("mkdir", u.put(b"/dev/mqueue/d\0"), 0o755)
        seen["symlink"] = yield u.sys("symlink", u.put(b"made\0"), u.put(b"/dev/mqueue/l\0"))
        seen["link"] = yield u.sys("link", u.put(b"/dev/mqueue/made\0"), u.put(b"/dev/mqueue/l\0"))
        seen["rename"] = yield u.sys("rename", u.put(b"/dev/mqueue/made\0"), u.put(b"/dev/mqueue/r\0"))
        for name in (b"made", b"node"):
            yield u.sys("unlink", u.put(b"/dev/mqueue/" + name + b"\0"))
        yield u.sys("exit_group", 0)

    k = run_scripted(prog)
    assert seen == {
        "sends through the open fd": 0,
        "attributes": (10, 8192, 1),
        "mq_open finds it": (2, b"hi"),
        "mode": "0o100644",
        "O_EXCL again": -E.EEXIST,
        "mknod S_IFREG": 0,
        "mknod made a queue": True,
        "mknod S_IFIFO": -E.EPERM,
        "mkdir": -E.EPERM,
        "symlink": -E.EPERM,
        "link": -E.EPERM,
        "rename": -E.EPERM,
    }
    assert_nothing_left(k)


def test_sysctls_are_read_written_and_enforced() -> None:
    seen: dict[str, object] = {}
    base = b"/proc/sys/fs/mqueue/"

    def user(u):
        assert (yield u.sys("setuid", 1000)) == 0
        seen["user 21 x 100"] = yield mq_open(u, b"u1", O_CREAT | O_RDWR, 0o600, attr(u, 21, 100))
        seen["user 1 x 300"] = yield mq_open(u, b"u1", O_CREAT | O_RDWR, 0o600, attr(u, 1, 300))
        seen["user 20 x 100"] = (yield mq_open(u, b"u1", O_CREAT | O_RDWR, 0o600, attr(u, 20, 100))) >= 0
        # queues_max is checked before the attributes
        seen["user over queues_max"] = yield mq_open(u, b"u2", O_CREAT | O_RDWR, 0o600, attr(u, 21, 1))
        seen["user writes"] = yield u.sys("open", u.put(base + b"msg_max\0"), O_WRONLY, 0)
        yield u.sys("mq_unlink", u.put(b"u1\0"))
        yield u.sys("exit_group", 0)

    def prog(u):
        for name in (b"msg_max", b"msgsize_max", b"queues_max", b"msg_default", b"msgsize_default"):
            seen[name.decode()] = yield from read_file(u, base + name)
        for value in (b"0", b"65537", b"abc", b"-"):
            seen[f"msg_max {value!r}"] = yield from write_file(u, base + b"msg_max", value)
        seen["msgsize_max 127"] = yield from write_file(u, base + b"msgsize_max", b"127")
        assert (yield from write_file(u, base + b"msg_max", b"20\n")) == 3
        assert (yield from write_file(u, base + b"msgsize_max", b"200")) == 3
        assert (yield from write_file(u, base + b"queues_max", b"1")) == 1
        seen["msg_max now"] = yield from read_file(u, base + b"msg_max")
        pid = yield u.fork(user)
        yield u.sys("wait4", pid, 0, 0, 0)
        # the defaults, bounded by the maxima
        assert (yield from write_file(u, base + b"msg_default", b"30")) == 2
        assert (yield from write_file(u, base + b"msgsize_default", b"150")) == 3
        q = yield mq_open(u, b"d", O_CREAT | O_RDWR)
        seen["default attr"] = (yield from getattr_(u, q))[1:3]
        seen["root beyond queues_max"] = q >= 0
        yield u.sys("close", q)
        yield u.sys("mq_unlink", u.put(b"d\0"))
        yield u.sys("exit_group", 0)

    k = run_scripted(prog)
    assert seen == {
        "msg_max": b"10\n", "msgsize_max": b"8192\n", "queues_max": b"256\n",
        "msg_default": b"10\n", "msgsize_default": b"8192\n",
        "msg_max b'0'": -E.EINVAL, "msg_max b'65537'": -E.EINVAL, "msg_max b'abc'": -E.EINVAL,
        "msg_max b'-'": -E.EINVAL, "msgsize_max 127": -E.EINVAL, "msg_max now": b"20\n",
        "user 20 x 100": True, "user 21 x 100": -E.EINVAL, "user 1 x 300": -E.EINVAL,
        "user over queues_max": -E.ENOSPC, "user writes": -E.EACCES,
        "default attr": (20, 150), "root beyond queues_max": True,
    }
    assert (k.mqueue.mq_msg_max, k.mqueue.mq_queues_max) == (20, 1)
    assert_nothing_left(k)


def test_waiting_receivers_most_urgent_first_then_oldest() -> None:
    got: dict[str, bytes] = {}

    def receiver(name: str, nice: int):
        def child(u):
            if nice:
                assert (yield u.sys("setpriority", 0, 0, nice)) == 0
            buf = u.alloc(16)
            n = yield u.sys("mq_timedreceive", q[0], buf, 16, 0, 0)
            got[name] = u.read(buf, n)
            yield u.sys("exit_group", 0)
        return child

    q: list[int] = []

    def prog(u):
        q.append((yield mq_open(u, b"order", O_CREAT | O_RDWR, 0o600, attr(u, 2, 16))))
        pids = []
        for name, nice in (("first", 0), ("second", 0), ("urgent", -5), ("third", 0)):
            pids.append((yield u.fork(receiver(name, nice))))
            yield u.sys("nanosleep", u.put(PAUSE), 0)
        for text in (b"1", b"2", b"3", b"4"):
            assert (yield u.sys("mq_timedsend", q[0], u.put(text), 1, 0, 0)) == 0
        for pid in pids:
            yield u.sys("wait4", pid, 0, 0, 0)
        seen_attr = yield from getattr_(u, q[0])
        got["queued"] = bytes([seen_attr[3]])
        yield u.sys("close", q[0])
        yield u.sys("mq_unlink", u.put(b"order\0"))
        yield u.sys("exit_group", 0)

    k = run_scripted(prog)
    assert got == {"urgent": b"1", "first": b"2", "second": b"3", "third": b"4", "queued": b"\0"}
    assert_nothing_left(k)


def test_bad_pointers_are_efault_and_queues_outlive_their_processes() -> None:
    seen: dict[str, object] = {}

    def child(u):
        # named queues stay after their creator exits; unlinked open ones go with its fds
        yield mq_open(u, b"stays", O_CREAT | O_RDWR, 0o600, attr(u, 1, 8))
        yield mq_open(u, b"goes", O_CREAT | O_RDWR, 0o600, attr(u, 1, 8))
        yield u.sys("mq_unlink", u.put(b"goes\0"))
        yield u.sys("exit_group", 0)

    def prog(u):
        seen["name"] = yield u.sys("mq_open", BAD, O_CREAT | O_RDWR, 0o600, 0)
        seen["attr"] = yield mq_open(u, b"x", O_CREAT | O_RDWR, 0o600, BAD)
        q = yield mq_open(u, b"x", O_CREAT | O_RDWR, 0o600, attr(u, 2, 8))
        seen["message"] = yield u.sys("mq_timedsend", q, BAD, 4, 0, 0)
        seen["timeout"] = yield u.sys("mq_timedsend", q, u.put(b"abcd"), 4, 0, BAD)
        seen["notification"] = yield u.sys("mq_notify", q, BAD)
        seen["new attr"] = yield u.sys("mq_getsetattr", q, BAD, 0)
        seen["old attr"] = yield u.sys("mq_getsetattr", q, 0, BAD)
        seen["thread cookie"] = yield u.sys("mq_notify", q, u.put(struct.pack("<Qii", BAD, 0, 2) + bytes(48)))
        assert (yield u.sys("mq_timedsend", q, u.put(b"abcd"), 4, 7, 0)) == 0
        seen["receive buffer"] = yield u.sys("mq_timedreceive", q, BAD, 8, 0, 0)
        seen["lost"] = (yield from getattr_(u, q))[3]
        seen["unlink name"] = yield u.sys("mq_unlink", BAD)
        pid = yield u.fork(child)
        yield u.sys("wait4", pid, 0, 0, 0)
        seen["after the child"] = kernel.mqueue.mq_queues_count, sorted(kernel.mqueue.root.entries)
        yield u.sys("mq_unlink", u.put(b"stays\0"))
        yield u.sys("mq_unlink", u.put(b"x\0"))
        yield u.sys("exit_group", 0)

    kernel = boot_scripted(prog)
    assert kernel.run().reason == "poweroff"
    assert seen == {
        "name": -E.EFAULT, "attr": -E.EFAULT, "message": -E.EFAULT, "timeout": -E.EFAULT,
        "notification": -E.EFAULT, "new attr": -E.EFAULT, "old attr": -E.EFAULT,
        "thread cookie": -E.EFAULT, "receive buffer": -E.EFAULT, "lost": 0, "unlink name": -E.EFAULT,
        "after the child": (2, ["stays", "x"]),
    }
    assert_nothing_left(kernel)


@pytest.mark.parametrize("name", ["mq_basic", "mq_blocking", "mq_notify", "mq_notify_thread", "mq_limits"])
def test_conformance_programs_leave_nothing_behind(name: str) -> None:
    """The C programs of tests/programs/ipc end with every queue unlinked
    and closed: no queue, no byte of any user's RLIMIT_MSGQUEUE count."""
    sim = run_sim(program(name))
    assert sim.result.reason == "poweroff" and sim.status == 0
    assert_nothing_left(sim.kernel)
