"""System V message queues driven by scripted programs (ipc/msg.py):
what the C conformance program cannot do on a shared host -- public keys,
other users, and the order in which waiting senders and receivers are served."""

from __future__ import annotations

import struct

from scripted import run_scripted

from proclab.uapi import errno as E
from proclab.uapi.ipc import IPC_CREAT, IPC_EXCL, IPC_NOWAIT, IPC_PRIVATE, IPC_RMID, IPC_SET, IPC_STAT, MSQID64_DS

KEY = 0x5EED
PAUSE = struct.pack("<qq", 0, 2_000_000)


def send(u, qid: int, mtype: int, text: bytes, flg: int = 0):
    return u.sys("msgsnd", qid, u.put(struct.pack("<q", mtype) + text), len(text), flg)


def receive(u, qid: int, size: int, mtype: int, flg: int = 0):
    """msgrcv into a fresh buffer: (result, type, text)."""
    buf = u.alloc(8 + size)
    n = yield u.sys("msgrcv", qid, buf, size, mtype, flg)
    if n < 0:
        return n, 0, b""
    raw = u.read(buf, 8 + n)
    return n, struct.unpack_from("<q", raw)[0], raw[8:]


def stat(u, qid: int):
    buf = u.alloc(MSQID64_DS.size)
    assert (yield u.sys("msgctl", qid, IPC_STAT, buf)) == 0
    return MSQID64_DS.unpack(u.read(buf, MSQID64_DS.size))


def set_ds(u, qid: int, uid: int, qbytes: int):
    """IPC_SET of owner `uid`, mode 0600 and `qbytes`."""
    ds = list((yield from stat(u, qid)))
    perm = bytearray(ds[0])
    struct.pack_into("<I", perm, 4, uid)
    struct.pack_into("<I", perm, 20, 0o600)
    ds[0], ds[6] = bytes(perm), qbytes
    return (yield u.sys("msgctl", qid, IPC_SET, u.put(MSQID64_DS.pack(*ds))))


def test_keys_permissions_and_qbytes_limits() -> None:
    seen: dict[str, object] = {}

    def stranger(u):
        assert (yield u.sys("setuid", 1000)) == 0
        seen["stranger reads"] = yield u.sys("msgget", KEY, 0o400)
        seen["stranger IPC_RMID"] = yield u.sys("msgctl", seen["qid"], IPC_RMID, 0)
        yield u.sys("exit_group", 0)

    def new_owner(u):
        assert (yield u.sys("setuid", 1000)) == 0
        qid = yield u.sys("msgget", KEY, 0o600)
        seen["owner finds it"] = qid == seen["qid"]
        seen["owner IPC_SET beyond MSGMNB"] = yield from set_ds(u, qid, 1000, 20000)
        seen["owner IPC_SET 100"] = yield from set_ds(u, qid, 1000, 100)
        yield u.sys("exit_group", 0)

    def prog(u):
        seen["no key yet"] = yield u.sys("msgget", KEY, 0o600)
        qid = seen["qid"] = yield u.sys("msgget", KEY, IPC_CREAT | 0o600)
        seen["again"] = (yield u.sys("msgget", KEY, IPC_CREAT | 0o600)) == qid
        seen["excl"] = yield u.sys("msgget", KEY, IPC_CREAT | IPC_EXCL | 0o600)
        seen["private is new"] = (yield u.sys("msgget", IPC_PRIVATE, 0o600)) != qid
        for program in (stranger, new_owner):
            if program is new_owner:
                assert (yield from set_ds(u, qid, 1000, 16384)) == 0
            pid = yield u.fork(program)
            yield u.sys("wait4", pid, 0, 0, 0)
        seen["qbytes"] = (yield from stat(u, qid))[6]
        seen["root IPC_SET beyond MSGMNB"] = yield from set_ds(u, qid, 0, 20000)
        seen["rmid"] = yield u.sys("msgctl", qid, IPC_RMID, 0)
        seen["key free"] = yield u.sys("msgget", KEY, 0)
        yield u.sys("exit_group", 0)

    run_scripted(prog)
    del seen["qid"]
    assert seen == {
        "no key yet": -E.ENOENT, "again": True, "excl": -E.EEXIST, "private is new": True,
        "stranger reads": -E.EACCES, "stranger IPC_RMID": -E.EPERM,
        "owner finds it": True, "owner IPC_SET beyond MSGMNB": -E.EPERM, "owner IPC_SET 100": 0,
        "qbytes": 100, "root IPC_SET beyond MSGMNB": 0, "rmid": 0, "key free": -E.ENOENT,
    }


def test_pipelined_send_serves_receivers_oldest_first_e2big_on_the_way() -> None:
    got: dict[str, tuple[int, int, bytes]] = {}

    def receiver(name: str, size: int, mtype: int):
        def child(u):
            got[name] = yield from receive(u, qid[0], size, mtype)
            yield u.sys("exit_group", 0)
        return child

    qid: list[int] = []

    def prog(u):
        qid.append((yield u.sys("msgget", IPC_PRIVATE, 0o600)))
        pids = []
        for name, size, mtype in (("small", 2, 0), ("type 2", 64, 2), ("any", 64, 0), ("any too", 64, 0)):
            pids.append((yield u.fork(receiver(name, size, mtype))))
            yield u.sys("nanosleep", u.put(PAUSE), 0)
        yield send(u, qid[0], 1, b"0123456789")    # small: E2BIG, then "any" takes it
        yield send(u, qid[0], 2, b"two")           # "type 2"
        ds = yield from stat(u, qid[0])
        got["queued"] = (ds[5], ds[4], b"")
        yield u.sys("msgctl", qid[0], IPC_RMID, 0)  # "any too": EIDRM
        for pid in pids:
            yield u.sys("wait4", pid, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(prog)
    assert got == {
        "small": (-E.E2BIG, 0, b""),
        "any": (10, 1, b"0123456789"),
        "type 2": (3, 2, b"two"),
        "queued": (0, 0, b""),
        "any too": (-E.EIDRM, 0, b""),
    }


def test_waiting_senders_are_woken_when_their_message_fits() -> None:
    order: list[bytes] = []

    def sender(text: bytes):
        def child(u):
            assert (yield send(u, qid[0], 1, text)) == 0
            yield u.sys("exit_group", 0)
        return child

    qid: list[int] = []

    def prog(u):
        qid.append((yield u.sys("msgget", IPC_PRIVATE, 0o600)))
        assert (yield from set_ds(u, qid[0], 0, 10)) == 0
        yield send(u, qid[0], 1, b"aaaaa")
        yield send(u, qid[0], 1, b"bbbbb")
        assert (yield send(u, qid[0], 1, b"c", IPC_NOWAIT)) == -E.EAGAIN
        pids = []
        for text in (b"big-one!", b"xy"):           # 8 bytes waits longer than 2
            pids.append((yield u.fork(sender(text))))
            yield u.sys("nanosleep", u.put(PAUSE), 0)
        for _ in range(4):
            n, _t, text = yield from receive(u, qid[0], 64, 0)
            order.append(text)
            yield u.sys("nanosleep", u.put(PAUSE), 0)
        for pid in pids:
            yield u.sys("wait4", pid, 0, 0, 0)
        yield u.sys("msgctl", qid[0], IPC_RMID, 0)
        yield u.sys("exit_group", 0)

    run_scripted(prog)
    assert order == [b"aaaaa", b"bbbbb", b"xy", b"big-one!"]
