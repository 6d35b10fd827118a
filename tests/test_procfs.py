"""/proc: the files a scripted program reads through open/read (layouts of
proc(5)), pid_max set through /proc/sys, and the host's own ps and pstree
listing the simulated tasks (issue: watch it happen)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_host
from scripted import run_scripted

from proclab.fs.file import O_RDONLY, O_WRONLY
from proclab.uapi import errno as E
from proclab.uapi.stat import AT_FDCWD

HOST = Path(__file__).resolve().parent / "host"


def read_file(u, path: str):
    """A scripted program's cat: the bytes of `path`, or -errno."""
    fd = yield u.sys("openat", AT_FDCWD, u.put(path.encode() + b"\0"), O_RDONLY, 0)
    if fd < 0:
        return fd
    buf = u.alloc(4096)
    out = b""
    while (n := (yield u.sys("read", fd, buf, 4096))) > 0:
        out += u.read(buf, n)
    yield u.sys("close", fd)
    return out


STAT_RE = re.compile(rb"^(\d+) \((.{1,15})\) ([RSDTtZXI]) (-?\d+) (-?\d+) (-?\d+)(?: -?\d+){46}\n$")


def test_stat_status_and_cmdline_of_a_zombie_and_of_the_reader() -> None:
    seen = {}

    def child(u):
        yield u.sys("exit", 7)

    def main(u):
        pid = yield u.fork(child)
        yield u.sys("sched_yield")  # the child runs and becomes a zombie
        me = yield u.sys("getpid")
        seen["zombie"] = yield from read_file(u, f"/proc/{pid}/stat")
        seen["self"] = yield from read_file(u, "/proc/self/stat")
        seen["status"] = yield from read_file(u, "/proc/self/status")
        seen["cmdline"] = yield from read_file(u, "/proc/1/cmdline")
        seen["listing"] = yield from read_file(u, "/proc/none")
        seen["pids"] = (me, pid)
        yield u.sys("wait4", pid, 0, 0, 0)

    run_scripted(main)
    me, pid = seen["pids"]
    zombie = STAT_RE.match(seen["zombie"])
    assert zombie and zombie.group(1, 3, 4) == (str(pid).encode(), b"Z", str(me).encode())
    fields = seen["zombie"].split()
    assert fields[-1] == str(7 << 8).encode()                   # exit_code of a zombie
    own = STAT_RE.match(seen["self"])
    assert own and own.group(1, 3, 4) == (str(me).encode(), b"R", b"1")
    status = dict(line.split(":\t", 1) for line in seen["status"].decode().splitlines())
    assert status["State"] == "R (running)" and status["Pid"] == str(me) and status["PPid"] == "1"
    assert status["Uid"] == "0\t0\t0\t0" and status["Threads"] == "1"
    assert seen["cmdline"] == b"init\0"
    assert seen["listing"] == -E.ENOENT


def test_pid_max_is_read_and_set_through_proc() -> None:
    got = {}

    def main(u):
        path = u.put(b"/proc/sys/kernel/pid_max\0")
        fd = yield u.sys("openat", AT_FDCWD, path, O_WRONLY, 0)
        got["small"] = yield u.sys("write", fd, u.put(b"5\n"), 2)
        got["ok"] = yield u.sys("write", fd, u.put(b"400\n"), 4)
        yield u.sys("close", fd)
        got["now"] = yield from read_file(u, "/proc/sys/kernel/pid_max")
        got["readonly"] = yield u.sys("openat", AT_FDCWD, u.put(b"/proc/uptime\0"), O_WRONLY, 0)
        got["create"] = yield u.sys("openat", AT_FDCWD, u.put(b"/proc/new\0"), O_WRONLY | 0o100, 0o644)

    k = run_scripted(main)
    assert got == {"small": -E.EINVAL, "ok": 4, "now": b"400\n", "readonly": -E.EACCES,
                   "create": -E.ENOENT}
    assert k.pid_ns.pid_max == 400


@needs_host
@pytest.mark.skipif(not (shutil.which("ps") and shutil.which("pstree")), reason="needs procps and psmisc")
def test_the_hosts_ps_and_pstree_list_the_simulated_tasks() -> None:
    res = subprocess.run([sys.executable, "-m", "proclab", "run", str(HOST / "zombie_orphan_ps.c")],
                         capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert lines[0].split() == ["PID", "PPID", "STAT", "COMMAND"]
    rows = {}
    for line in lines[1:]:
        if not line.strip() or not line.split()[0].isdigit():
            break
        pid, ppid, stat, comm = line.split()
        rows[int(pid)] = (int(ppid), stat, comm)
    assert rows[1] == (0, "Ss", "init")
    assert rows[2][:2] == (0, "S") and rows[2][2] == "kthreadd"
    assert rows[3][0] == 2                                       # a kernel thread, under kthreadd
    program = [pid for pid, row in rows.items() if row[2] == "zombie_orphan_p" and row[0] == 1]
    assert len(program) == 1
    main = program[0]
    zombies = [pid for pid, row in rows.items() if row[1] == "Z"]
    assert [rows[z][0] for z in zombies] == [main]               # the zombie is main's child
    ps = [pid for pid, row in rows.items() if row[2] == "ps"]
    assert len(ps) == 1 and rows[ps[0]][0] == 1 and rows[ps[0]][1] == "R"   # the orphan, adopted by init
    tree = "\n".join(lines[len(rows) + 1:])
    assert re.search(rf"init\(1\)---zombie_orphan_p\({main}\)", tree), tree
    assert f"zombie_orphan_p({zombies[0]})" in tree and "pstree(" in tree
