"""FIFOs, mknod's other node types and /proc's magic links, from scripted
programs: what the C conformance programs (tests/programs/files/fifo_open.c,
mknod_types.c, proc_fd_reopen.c) cannot show on a host where they run as root,
or inside the kernel: device nodes and CAP_MKNOD, the ownership of a pipe's
inode, who may follow another task's /proc/PID/fd/N, and the FIFO's pipe
living only while some end is open."""

from __future__ import annotations

import struct

from scripted import boot_scripted, run_scripted

from proclab.fs.file import O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY
from proclab.fs.pipe import FifoInode
from proclab.uapi import errno as E
from proclab.uapi.stat import AT_FDCWD, S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT

STAT_SIZE = 144


def makedev(major: int, minor: int) -> int:
    return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)


def stat_fields(raw: bytes) -> dict[str, int]:
    """st_mode, st_uid and st_rdev of a struct stat."""
    mode, uid = struct.unpack_from("<II", raw, 24)
    (rdev,) = struct.unpack_from("<Q", raw, 40)
    return {"mode": mode, "uid": uid, "rdev": rdev}


def path(u, text: str) -> int:
    return u.put(text.encode() + b"\0")


def test_device_nodes_need_cap_mknod_and_open_through_the_driver_of_their_number() -> None:
    got: dict[str, object] = {}

    def plain_user(u):
        yield u.sys("setresuid", 1000, 1000, 1000)
        got["user chr"] = yield u.sys("mknod", path(u, "/tmp/user_null"), S_IFCHR | 0o666, makedev(1, 3))
        got["user blk"] = yield u.sys("mknod", path(u, "/tmp/user_blk"), S_IFBLK | 0o600, makedev(8, 0))
        got["user whiteout"] = yield u.sys("mknod", path(u, "/tmp/user_whiteout"), S_IFCHR, 0)
        got["user fifo in /"] = yield u.sys("mknod", path(u, "/user_fifo"), S_IFIFO | 0o644, 0)
        got["user chr in /"] = yield u.sys("mknod", path(u, "/user_null"), S_IFCHR | 0o666, makedev(1, 3))
        got["user fifo"] = yield u.sys("mknod", path(u, "/tmp/user_fifo"), S_IFIFO | 0o644, 0)
        st = u.alloc(STAT_SIZE)
        yield u.sys("stat", path(u, "/tmp/user_fifo"), st)
        got["user fifo stat"] = stat_fields(u.read(st, STAT_SIZE))
        fds = u.alloc(8)
        yield u.sys("pipe", fds)
        yield u.sys("fstat", u.read_i32(fds), st)
        got["user pipe stat"] = stat_fields(u.read(st, STAT_SIZE))
        yield u.sys("exit", 0)

    def main(u):
        null = path(u, "/tmp/my_null")
        got["mknod 1:3"] = yield u.sys("mknod", null, S_IFCHR | 0o666, makedev(1, 3))
        fd = yield u.sys("openat", AT_FDCWD, null, O_RDWR, 0)
        got["write"] = yield u.sys("write", fd, u.put(b"gone"), 4)
        got["read"] = yield u.sys("read", fd, u.alloc(8), 8)
        st = u.alloc(STAT_SIZE)
        yield u.sys("fstat", fd, st)
        got["fstat"] = stat_fields(u.read(st, STAT_SIZE))
        yield u.sys("close", fd)
        nodrv = path(u, "/tmp/no_driver")
        yield u.sys("mknodat", AT_FDCWD, nodrv, S_IFCHR | 0o600, makedev(42, 7))
        got["open 42:7"] = yield u.sys("openat", AT_FDCWD, nodrv, O_RDONLY, 0)
        blk = path(u, "/tmp/disk")
        got["mknod blk"] = yield u.sys("mknod", blk, S_IFBLK | 0o660, makedev(8, 1))
        yield u.sys("stat", blk, st)
        got["blk stat"] = stat_fields(u.read(st, STAT_SIZE))
        got["open blk"] = yield u.sys("openat", AT_FDCWD, blk, O_RDONLY, 0)
        pid = yield u.fork(plain_user)
        yield u.sys("wait4", pid, 0, 0, 0)

    run_scripted(main)
    assert got["mknod 1:3"] == 0 and got["write"] == 4 and got["read"] == 0
    assert got["fstat"]["mode"] == S_IFCHR | 0o644 and got["fstat"]["rdev"] == makedev(1, 3)  # umask 022
    assert got["open 42:7"] == -E.ENXIO
    assert got["mknod blk"] == 0 and got["open blk"] == -E.ENXIO
    assert got["blk stat"]["mode"] & S_IFMT == S_IFBLK and got["blk stat"]["rdev"] == makedev(8, 1)
    assert got["user chr"] == got["user blk"] == -E.EPERM
    assert got["user whiteout"] == 0
    assert got["user fifo in /"] == got["user chr in /"] == -E.EACCES   # may_create before CAP_MKNOD
    assert got["user fifo"] == 0 and got["user fifo stat"]["uid"] == 1000
    assert got["user fifo stat"]["mode"] == S_IFIFO | 0o644
    assert got["user pipe stat"]["uid"] == 1000 and got["user pipe stat"]["mode"] == S_IFIFO | 0o600


def test_another_users_fd_links_need_ptrace_access() -> None:
    """/proc/PID/fd is searchable by the task's owner only (0500), and
    following a link asks ptrace_may_access: a caller whose fsuid is the
    target's euid but not its saved uid is refused too. Root may; the
    owner of a task whose ids are all its own may (here /dev/null, which
    anyone may open: the file's own permissions still apply)."""
    got: dict[str, object] = {}
    pipes: dict[str, int] = {}

    def target(ids):
        def run(u):
            yield u.sys("setresuid", *ids)
            yield u.sys("close", pipes["hold_w"])
            yield u.sys("openat", AT_FDCWD, path(u, "/dev/null"), O_RDONLY, 0)  # takes hold_w's number
            yield u.sys("write", pipes["ready"], u.put(b"!"), 1)
            yield u.sys("read", pipes["hold"], u.alloc(1), 1)   # until main closes the write end
            yield u.sys("exit", 0)
        return run

    def prober(uid, pid, label):
        def run(u):
            yield u.sys("setresuid", uid, uid, uid)
            link = path(u, f"/proc/{pid}/fd/{pipes['hold_w']}")
            got[label] = yield u.sys("openat", AT_FDCWD, link, O_WRONLY, 0)
            got[label + " readlink"] = yield u.sys("readlink", link, u.alloc(64), 64)
            yield u.sys("exit", 0)
        return run

    def main(u):
        fds = u.alloc(16)
        yield u.sys("pipe", fds)
        yield u.sys("pipe", fds + 8)
        pipes["hold"], pipes["hold_w"], ready_r, pipes["ready"] = struct.unpack("<iiii", u.read(fds, 16))
        half = yield u.fork(target((1000, 1000, 0)))
        whole = yield u.fork(target((1000, 1000, 1000)))
        for _ in range(2):
            yield u.sys("read", ready_r, u.alloc(1), 1)
        for uid, pid, label in ((1000, half, "saved uid 0"), (2000, whole, "other user"),
                                (1000, whole, "same user")):
            child = yield u.fork(prober(uid, pid, label))
            yield u.sys("wait4", child, 0, 0, 0)
        link = path(u, f"/proc/{half}/fd/{pipes['hold_w']}")
        got["root"] = yield u.sys("openat", AT_FDCWD, link, O_WRONLY, 0)
        got["root, the pipe"] = yield u.sys("openat", AT_FDCWD, path(u, f"/proc/{half}/fd/{pipes['hold']}"),
                                            O_RDONLY | O_NONBLOCK, 0)
        yield u.sys("close", pipes["hold_w"])
        for pid in (half, whole):
            yield u.sys("wait4", pid, 0, 0, 0)

    run_scripted(main)
    assert got["saved uid 0"] == -E.EACCES
    assert got["saved uid 0 readlink"] > 0              # the directory may be searched: its owner is the euid
    assert got["other user"] == got["other user readlink"] == -E.EACCES
    assert got["same user"] >= 0 and got["root"] >= 0 and got["root, the pipe"] >= 0


def test_a_fifos_pipe_lives_only_while_some_end_is_open() -> None:
    seen: dict[str, object] = {}
    holder: dict = {}

    def fifo_inode() -> FifoInode:
        k = holder["k"]
        node = k.vfs.root.lookup("tmp").lookup("proclab_test_fifo")
        assert isinstance(node, FifoInode)
        return node

    def main(u):
        name = path(u, "/tmp/proclab_test_fifo")
        yield u.sys("mknod", name, S_IFIFO | 0o600, 0)
        seen["before"] = fifo_inode().pipe
        rd = yield u.sys("openat", AT_FDCWD, name, O_RDONLY | O_NONBLOCK, 0)
        wr = yield u.sys("openat", AT_FDCWD, name, O_WRONLY, 0)
        pipe = fifo_inode().pipe
        seen["open"] = (pipe.readers, pipe.writers, pipe.files) if pipe is not None else None
        yield u.sys("write", wr, u.put(b"left behind"), 11)
        yield u.sys("close", rd)
        seen["one end"] = fifo_inode().pipe is pipe
        yield u.sys("close", wr)
        seen["after"] = fifo_inode().pipe
        rw = yield u.sys("openat", AT_FDCWD, name, O_RDWR | O_NONBLOCK, 0)
        seen["read again"] = yield u.sys("read", rw, u.alloc(16), 16)

    holder["k"] = boot_scripted(main)
    assert holder["k"].run().reason == "poweroff"
    assert seen["before"] is None and seen["after"] is None
    assert seen["open"] == (1, 1, 2) and seen["one end"] is True
    assert seen["read again"] == -E.EAGAIN
