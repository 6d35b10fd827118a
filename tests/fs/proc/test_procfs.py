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

HOST = Path(__file__).resolve().parents[2] / "host"


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
    assert rows[3] == (2, "I", "kworker/0:0")                     # an idle kernel thread, under kthreadd
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


# Linux's seq_printf formats (ipc/shm.c, sem.c, msg.c; 64-bit SIZE_SPEC "%21lu"),
# turned into Python's: the length modifiers go and %u/%lu/%llu become %d.
LINUX_SYSVIPC_FORMATS = {
    "shm": "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu %21lu\n",
    "sem": "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n",
    "msg": "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu %10llu %10llu\n",
}


def linux_printf(kind: str, *fields: int) -> bytes:
    return (re.sub(r"l*u", "d", LINUX_SYSVIPC_FORMATS[kind]) % fields).encode()


def test_proc_sysvipc_lines_have_linuxs_printf_format() -> None:
    """One object of each kind, read through /proc/sysvipc, against Linux's
    printf formats field by field; and the IPC limits under /proc/sys/kernel."""
    got = {}

    def main(u):
        shmid = yield u.sys("shmget", 0x1234, 5000, 0o1000 | 0o640)
        addr = yield u.sys("shmat", shmid, 0, 0)
        u.write(addr, b"x")                                   # one resident page
        got["semid"] = yield u.sys("semget", -5, 2, 0o1000 | 0o600)
        msqid = yield u.sys("msgget", 0, 0o1000 | 0o604)
        yield u.sys("msgsnd", msqid, u.put((7).to_bytes(8, "little") + b"hello"), 5, 0)
        got["ids"] = (shmid, got["semid"], msqid)
        got["pid"] = yield u.sys("getpid")
        for kind in ("shm", "sem", "msg"):
            got[kind] = yield from read_file(u, f"/proc/sysvipc/{kind}")
        for name in ("shmmax", "shmall", "shmmni", "sem", "msgmax", "msgmnb", "msgmni"):
            got[f"sys/{name}"] = yield from read_file(u, f"/proc/sys/kernel/{name}")

    k = run_scripted(main)
    shmid, semid, msqid = got["ids"]
    pid = got["pid"]
    shp = k.shm.ids.ipc_obtain_object_check(shmid)
    sma = k.sems.ids.ipc_obtain_object_check(semid)
    msq = k.msgs.ids.ipc_obtain_object_check(msqid)
    header, line = got["shm"].splitlines(keepends=True)
    assert header == (b"       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid"
                      b"      atime      dtime      ctime                   rss                  swap\n")
    assert line == linux_printf("shm", 0x1234, shmid, 0o640, 5000, pid, pid, 1, 0, 0, 0, 0, shp.atime, 0,
                                shp.ctime, 4096, 0)
    header, line = got["sem"].splitlines(keepends=True)
    assert header == b"       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
    assert line == linux_printf("sem", -5, semid, 0o600, 2, 0, 0, 0, 0, 0, sma.ctime)
    header, line = got["msg"].splitlines(keepends=True)
    assert header == (b"       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
                      b"      stime      rtime      ctime\n")
    assert line == linux_printf("msg", 0, msqid, 0o604, 5, 1, pid, 0, 0, 0, 0, 0, msq.q_stime, 0, msq.q_ctime)
    assert {n[4:]: v for n, v in got.items() if n.startswith("sys/")} == {
        "shmmax": b"18446744073692774399\n", "shmall": b"18446744073692774399\n", "shmmni": b"4096\n",
        "sem": b"32000\t1024000000\t500\t32000\n", "msgmax": b"8192\n", "msgmnb": b"16384\n", "msgmni": b"32000\n"}


@needs_host
@pytest.mark.skipif(not shutil.which("ipcs"), reason="needs util-linux's ipcs")
def test_the_hosts_ipcs_lists_the_simulated_ipc_objects_and_limits() -> None:
    """ipcs (/proc/sysvipc), ipcs -l (/proc/sys/kernel) and ipcs -u (the *_INFO commands)."""
    res = subprocess.run([sys.executable, "-m", "proclab", "run", str(HOST / "sysvipc_ipcs.c")],
                         capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert "unable to fetch" not in out and "unable to fetch" not in res.stderr.decode()
    shmid, semid, msqid = out.splitlines()[0].split()[1:]
    rows: dict[str, list[list[str]]] = {}                 # section title -> its object rows
    for line in out.splitlines():
        if line.startswith("------ "):
            section = rows.setdefault(line.strip("- "), [])
        elif line.startswith("0x"):
            section.append(line.split())
    assert rows["Message Queues"] == [["0x00000000", msqid, "root", "640", "20", "2"]]  # used-bytes, messages
    assert rows["Shared Memory Segments"] == [["0x00000000", shmid, "root", "600", "5000", "1"]]  # bytes, nattch
    assert rows["Semaphore Arrays"] == [["0x00001234", semid, "root", "644", "3"]]       # nsems
    for limit in ("max queues system wide = 32000", "default max size of queue (bytes) = 16384",
                  "max number of segments = 4096", "max seg size (kbytes) = 18014398509465599",
                  "min seg size (bytes) = 1", "max semaphores system wide = 1024000000",
                  "max ops per semop call = 500", "semaphore max value = 32767",
                  # ipcs -u: msgctl MSG_INFO, shmctl SHM_INFO, semctl SEM_INFO
                  "allocated queues = 1", "used headers = 2", "used space = 20 bytes",
                  "segments allocated 1", "pages allocated 2", "pages resident  1",
                  "used arrays = 1", "allocated semaphores = 3"):
        assert limit in out
