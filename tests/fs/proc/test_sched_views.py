"""The scheduler as /proc shows it, in Linux 6.18's layouts: /proc/PID/sched
(kernel/sched/debug.c), /proc/PID/schedstat, /proc/schedstat version 15
(kernel/sched/stats.c), the scheduling fields of /proc/PID/stat and the CPU
masks of /proc/PID/status (fs/proc/array.c), /proc/stat, /proc/cpuinfo and
/proc/loadavg over every CPU. Scripted programs read them and the texts are
compared byte for byte with what Linux's printf formats make of the tasks'
and runqueues' fields; then the host's own ps, chrt, taskset, renice, nice,
nproc and getconf run on proclab and must show the simulated tasks and CPUs.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from conftest import needs_host
from scripted import boot_scripted, make_pipe
from test_host_programs import ENV, sim
from test_procfs import read_file

from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.task import TaskStruct
from proclab.kernel.time.timekeeping import NSEC_PER_MSEC
from proclab.uapi import sched as C
from proclab.uapi.sched import SCHED_BATCH, SCHED_FIFO, SCHED_IDLE, SCHED_NORMAL, SCHED_RR

MS = NSEC_PER_MSEC
THREAD = C.CLONE_THREAD | C.CLONE_SIGHAND | C.CLONE_VM | C.CLONE_FS | C.CLONE_FILES
INITIAL_JIFFIES = 2**32 - 300 * 1000   # include/linux/jiffies.h with HZ=1000, on 64-bit
HOST = Path(__file__).resolve().parents[2] / "host"


def run(main: Callable, cpus: int = 1) -> Kernel:
    """Boot a kernel of `cpus` CPUs whose first program is main(u, k)."""
    holder: dict[str, Kernel] = {}
    k = boot_scripted(lambda u: main(u, holder["k"]), KernelConfig(memory=32 << 20, cpus=cpus))
    holder["k"] = k
    assert k.run().reason == "poweroff"
    return k


# ---- Linux's formats, written out independently ------------------------------------------

def linux_sched(t: TaskStruct) -> bytes:
    """proc_sched_show_task() of `t` with Linux's printf formats: PN() times
    "%-45s:%14Ld.%06ld", P() values "%-45s:%21Ld"; se.slice for SCHED_NORMAL
    and SCHED_BATCH (fair_policy()); weights scaled by 1024 (scale_load)."""
    def pn(name: str, ns: int) -> str:
        assert ns >= 0
        return "%-45s:%14d.%06d\n" % (name, ns // 1_000_000, ns % 1_000_000)

    def p(name: str, value: int) -> str:
        return "%-45s:%21d\n" % (name, value)

    text = "%s (%d, #threads: %d)\n" % (t.comm, t.pid, t.signal.nr_threads) + "-" * 67 + "\n"
    text += pn("se.exec_start", t.se.exec_start) + pn("se.vruntime", t.se.vruntime)
    text += pn("se.sum_exec_runtime", t.se.sum_exec_runtime) + p("se.nr_migrations", t.se.nr_migrations)
    text += p("nr_switches", t.nvcsw + t.nivcsw) + p("nr_voluntary_switches", t.nvcsw)
    text += p("nr_involuntary_switches", t.nivcsw) + p("se.load.weight", t.se.weight * 1024)
    text += p("policy", t.policy) + p("prio", t.prio)
    if t.policy in (SCHED_NORMAL, SCHED_BATCH):
        text += p("se.slice", t.se.slice)
    return text.encode()


def linux_schedstat(k: Kernel, jiffies: int) -> bytes:
    """show_schedstat(), version 15, without domain lines."""
    text = "version 15\ntimestamp %lu\n" % jiffies
    for rq in k.sched.rqs:
        text += "cpu%d %u 0 %u %u %u %u %lu %lu %lu\n" % (
            rq.cpu, rq.yld_count, rq.sched_count, rq.sched_goidle, rq.ttwu_count, rq.ttwu_local,
            rq.rq_cpu_time, rq.run_delay, rq.pcount)
    return text.encode()


def stat_fields(text: bytes) -> list[bytes]:
    """The fields of a /proc/PID/stat line, numbered from 1 as in proc(5)
    (index 0 unused); the comm may hold spaces."""
    head, tail = text.rsplit(b") ", 1)
    return [b"", *head.split(b" (", 1), *tail.split()]


def param(u: Any, prio: int) -> int:
    return u.put(struct.pack("<i", prio))


# ---- scripted: a family of sleepers, each with its own policy ----------------------------------

def sleeper(rfd: int, setup: Optional[Callable] = None) -> Callable:
    """A child that optionally sets itself up, spins a little (so that it has
    run), then sleeps reading one byte of the pipe `rfd`."""
    def program(u):
        if setup is not None:
            yield from setup(u)
        for _ in range(50):
            yield u.sys("getpid")
        yield u.sys("read", rfd, u.alloc(1), 1)
        yield u.sys("exit_group", 0)
    return program


def nice(value: int) -> Callable:
    def setup(u):
        assert (yield u.sys("setpriority", 0, 0, value)) == 0
    return setup


def policy(pol: int, prio: int, nice_value: int = 0) -> Callable:
    def setup(u):
        if nice_value:
            yield from nice(nice_value)(u)
        assert (yield u.sys("sched_setscheduler", 0, pol, param(u, prio))) == 0
    return setup


def with_thread(rfd: int) -> Callable:
    """The child also starts a thread that sleeps on the pipe too."""
    def setup(u):
        tid = yield u.clone(THREAD, sleeper(rfd))
        assert tid > 0
    return setup


SLEEPERS = {                       # name: (setup, stat fields 18 19 40 41: priority nice rt_priority policy)
    "normal": (None, (b"20", b"0", b"0", b"0")),
    "nice5": (nice(5), (b"25", b"5", b"0", b"0")),
    "fifo10": (policy(SCHED_FIFO, 10), (b"-11", b"0", b"10", b"1")),
    "rr20": (policy(SCHED_RR, 20), (b"-21", b"0", b"20", b"2")),
    "batch-4": (policy(SCHED_BATCH, 0, -4), (b"16", b"-4", b"0", b"3")),
    "idle": (policy(SCHED_IDLE, 0), (b"20", b"0", b"0", b"5")),
}


Snapshot = tuple[bytes, int, int, int]   # linux_sched(t), sum_exec_runtime, run_delay, pcount


def read_sleepers(files: Callable[[int, int], dict[str, str]]) -> tuple[dict, dict]:
    """Fork one sleeper per SLEEPERS entry and a "threaded" one, let them all
    fall asleep, read the files `files(pid, tid)` names (label: path) of
    each, `tid` being its last thread, and take the tasks' fields right
    after: nothing else runs in between. Returns {name: {label: text}} and
    {name or name/thread: Snapshot}."""
    got: dict[str, dict[str, bytes]] = {}
    snap: dict[str, Snapshot] = {}

    def main(u, k):
        rfd, wfd = yield from make_pipe(u)
        pids = {}
        for name, (setup, _) in SLEEPERS.items():
            pids[name] = yield u.fork(sleeper(rfd, setup))
        pids["threaded"] = yield u.fork(sleeper(rfd, with_thread(rfd)))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 50 * MS)), 0)   # they all run and sleep
        tasks = {}
        for name, pid in pids.items():
            threads = k.pid_ns.find_task(pid).signal.threads()
            assert all(th.state != 0 for th in threads), name                 # asleep
            got[name] = {}
            for label, path in files(pid, threads[-1].pid).items():
                got[name][label] = yield from read_file(u, path)
            tasks[name], tasks[name + "/thread"] = threads[0], threads[-1]
        for name, t in tasks.items():
            snap[name] = (linux_sched(t), t.se.sum_exec_runtime, t.sched_info.run_delay, t.sched_info.pcount)
        yield u.sys("write", wfd, u.put(b"x" * 8), len(pids) + 1)
        for _ in pids:
            yield u.sys("wait4", -1, 0, 0, 0)

    run(main)
    return got, snap


def test_proc_pid_sched_has_linuxs_layout_for_every_policy() -> None:
    got, snap = read_sleepers(lambda pid, tid: {"sched": f"/proc/{pid}/sched"})
    texts = {name: files["sched"] for name, files in got.items()}
    for name, text in texts.items():
        assert text == snap[name][0], name
    header = re.compile(rb"^\S+ \(\d+, #threads: (\d+)\)\n-{67}\n")
    assert {name: header.match(text).group(1) for name, text in texts.items()} == {
        **{name: b"1" for name in SLEEPERS}, "threaded": b"2"}
    weights = {name: int(re.search(rb"se.load.weight +: +(\d+)", text).group(1)) for name, text in texts.items()}
    assert weights == {"normal": 1048576, "nice5": 335 * 1024, "fifo10": 1048576, "rr20": 1048576,
                       "batch-4": 2501 * 1024, "idle": 3 * 1024, "threaded": 1048576}
    slices = {name for name, text in texts.items() if b"se.slice" in text}
    assert slices == {"normal", "nice5", "batch-4", "threaded"}          # fair_policy(): not rt, not idle
    for name, text in texts.items():
        assert re.search(rb"nr_voluntary_switches +: +[1-9]", text), name   # it went to sleep


def test_a_threads_own_sched_file_shows_the_thread() -> None:
    got, snap = read_sleepers(lambda pid, tid: {"thread": f"/proc/{pid}/task/{tid}/sched"})
    text = got["threaded"]["thread"]
    assert text == snap["threaded/thread"][0] != snap["threaded"][0]
    assert text.split(b"\n")[0].endswith(b", #threads: 2)")


def test_proc_pid_schedstat_is_runtime_run_delay_and_pcount() -> None:
    got, snap = read_sleepers(lambda pid, tid: {"": f"/proc/{pid}/schedstat",
                                                "/thread": f"/proc/{pid}/task/{tid}/schedstat"})
    for name, files in got.items():
        for label, text in files.items():
            _, runtime, delay, pcount = snap[name + label]
            assert text == b"%d %d %d\n" % (runtime, delay, pcount), (name, label)
            assert runtime > 0 and pcount >= 1


def test_proc_pid_stat_has_priority_nice_processor_rt_priority_and_policy() -> None:
    got, _ = read_sleepers(lambda pid, tid: {"stat": f"/proc/{pid}/stat"})
    for name, (_, expected) in SLEEPERS.items():
        fields = stat_fields(got[name]["stat"])
        assert len(fields) == 53, name                        # 52 fields, numbered from 1
        assert (fields[18], fields[19], fields[40], fields[41]) == expected, name
        assert fields[39] == b"0"                             # processor: the one CPU


def test_reading_sched_charges_the_running_reader_first() -> None:
    """The reader's own times are current: it was charged up to the moment
    of the read (exec_start), by exactly the time since it was last charged."""
    seen: dict[str, Any] = {}

    def main(u, k):
        for _ in range(3000):             # past a few ticks
            yield u.sys("getpid")
        k.sched.account_curr(k.sched.rq_of(u.task))
        seen["before"] = k.clock.now, u.task.se.sum_exec_runtime
        seen["sched"] = yield from read_file(u, "/proc/self/sched")
        seen["after"] = k.clock.now

    run(main)
    values = {name: int(ms) * MS + int(ns) for name, ms, ns in
              re.findall(r"^(\S+) +: +(\d+)\.(\d{6})$", seen["sched"].decode(), re.M)}
    (t0, runtime0), t1 = seen["before"], seen["after"]
    assert t0 < values["se.exec_start"] < t1                  # charged during the read
    assert values["se.sum_exec_runtime"] - runtime0 == values["se.exec_start"] - t0


# ---- /proc/schedstat, /proc/stat, /proc/cpuinfo, /proc/loadavg and the CPU masks ----------------

def hog(until: int) -> Callable:
    def program(u):
        k = u._k
        while k.clock.now < until:
            yield u.sys("getpid")
        yield u.sys("exit_group", 0)
    return program


@pytest.mark.parametrize("cpus", [1, 2])
def test_proc_schedstat_version_15_one_line_per_cpu(cpus: int) -> None:
    seen: dict[str, Any] = {}

    def main(u, k):
        child = yield u.fork(hog(30 * MS))
        for _ in range(20):
            yield u.sys("sched_yield")
        seen["before"] = k.clock.now
        seen["text"] = yield from read_file(u, "/proc/schedstat")
        seen["after"] = k.clock.now
        seen["expected"] = linux_schedstat(k, 0)
        yield u.sys("wait4", child, 0, 0, 0)

    run(main, cpus)
    text = seen["text"]
    stamp = int(text.split(b"\n")[1].split()[1])
    assert INITIAL_JIFFIES + seen["before"] // MS <= stamp <= INITIAL_JIFFIES + seen["after"] // MS
    assert text == seen["expected"].replace(b"timestamp 0", b"timestamp %d" % stamp)
    lines = text.decode().splitlines()
    assert [line.split()[0] for line in lines[2:]] == [f"cpu{n}" for n in range(cpus)]
    cpu0 = [int(v) for v in lines[2].split()[1:]]
    assert cpu0[0] >= 20 and cpu0[2] > 0 and cpu0[8] > 0   # the yields, schedule() calls, tasks given the CPU


@pytest.mark.parametrize("cpus", [1, 2, 4])
def test_proc_stat_cpuinfo_and_loadavg_cover_every_cpu(cpus: int) -> None:
    seen: dict[str, Any] = {}

    def main(u, k):
        children = []
        for _ in range(cpus):
            children.append((yield u.fork(hog(60 * MS))))
        while k.clock.now < 40 * MS:
            yield u.sys("getpid")
        seen["stat"] = yield from read_file(u, "/proc/stat")
        seen["cpuinfo"] = yield from read_file(u, "/proc/cpuinfo")
        seen["loadavg"] = yield from read_file(u, "/proc/loadavg")
        seen["running"] = sum(rq.nr_running for rq in k.sched.rqs)
        seen["threads"], seen["last"] = k.nr_threads, k.pid_ns.last_pid
        for child in children:
            yield u.sys("wait4", child, 0, 0, 0)

    run(main, cpus)
    lines = seen["stat"].decode().splitlines()
    rows = {line.split()[0]: [int(v) for v in line.split()[1:]] for line in lines if line.startswith("cpu")}
    assert list(rows) == ["cpu"] + [f"cpu{n}" for n in range(cpus)]
    assert lines[0].startswith("cpu  ") and all(len(v) == 10 for v in rows.values())
    per_cpu = [rows[f"cpu{n}"] for n in range(cpus)]
    for column in (0, 3):                                  # user (busy) and idle: the total within rounding
        assert 0 <= rows["cpu"][column] - sum(r[column] for r in per_cpu) < cpus
    spans = {r[0] + r[3] for r in per_cpu}                # every CPU lived as long, within a tick of rounding
    assert max(spans) - min(spans) <= 1 and sum(rows["cpu"]) > 0
    blocks = seen["cpuinfo"].decode().split("\n\n")
    assert blocks[-1] == "" and len(blocks) == cpus + 1
    for n, block in enumerate(blocks[:-1]):
        info = dict(line.split("\t: ", 1) if "\t: " in line else line.split(": ", 1) for line in block.splitlines())
        assert (info["processor"], info["core id\t"], info["siblings"], info["cpu cores"]) == (
            str(n), str(n), str(cpus), str(cpus))
    load = seen["loadavg"].decode().split()
    assert load[3] == f"{seen['running']}/{seen['threads']}" and load[4] == str(seen["last"])
    assert seen["running"] >= min(cpus, 2)


@pytest.mark.parametrize("cpus, mask, shown, listed", [
    (1, None, "1", "0"),
    (4, None, "f", "0-3"),
    (4, 0b1011, "b", "0-1,3"),
    (4, 0b0100, "4", "2"),
    (40, (1 << 40) - 1 - (1 << 33), "fd,ffffffff", "0-32,34-39"),
])
def test_status_cpus_allowed_as_linuxs_bitmap_formats(cpus: int, mask: Optional[int], shown: str,
                                                      listed: str) -> None:
    seen: dict[str, bytes] = {}

    def main(u, k):
        if mask is not None:
            assert (yield u.sys("sched_setaffinity", 0, 8, u.put(struct.pack("<Q", mask)))) == 0
        seen["status"] = yield from read_file(u, "/proc/self/status")

    run(main, cpus)
    lines = [line for line in seen["status"].decode().splitlines() if line.startswith("Cpus_allowed")]
    assert lines == [f"Cpus_allowed:\t{shown}", f"Cpus_allowed_list:\t{listed}"]


# ---- the host's own programs on proclab ----------------------------------------------------------

def needs(*programs: str) -> pytest.MarkDecorator:
    missing = [p for p in programs if shutil.which(p) is None]
    return pytest.mark.skipif(bool(missing), reason=f"the host has no {' '.join(missing)}")


def sh(script: str, *options: str) -> str:
    """Run `/bin/sh -c script` on proclab (as root, the default); its stdout."""
    stdout, status, stderr = sim([*options, "/bin/sh", "-c", script])
    assert status == 0, stderr.decode(errors="replace")
    assert b"not implemented" not in stderr, stderr.decode(errors="replace")
    return stdout.decode()


PS_SCRIPT = """
sleep 100 & a=$!
nice -n 7 sleep 100 & b=$!
chrt -f 10 sleep 100 & c=$!
chrt -r 20 sleep 100 & d=$!
chrt -b 0 nice -n -4 sleep 100 & e=$!
chrt -i 0 sleep 100 & f=$!
renice -n 3 -p $a
sleep 1
echo $$ $a $b $c $d $e $f
ps -eLo pid,tid,psr,ni,cls,rtprio,comm
kill $a $b $c $d $e $f
"""


@needs_host
@needs("ps", "chrt", "nice", "renice", "sleep")
def test_ps_shows_each_tasks_cpu_nice_class_and_rt_priority() -> None:
    out = sh(PS_SCRIPT).splitlines()
    shell, a, b, c, d, e, f = out[1].split()
    assert out[0] == f"{a} (process ID) old priority 0, new priority 3"
    assert out[2].split() == ["PID", "TID", "PSR", "NI", "CLS", "RTPRIO", "COMMAND"]
    rows = {row.split()[0]: row.split()[1:] for row in out[3:]}
    assert all(tid == pid and psr == "0" for pid, (tid, psr, *_) in rows.items())   # one CPU, no threads
    assert {pid: rows[pid][2:] for pid in (a, b, c, d, e, f)} == {
        a: ["3", "TS", "-", "sleep"], b: ["7", "TS", "-", "sleep"], c: ["-", "FF", "10", "sleep"],
        d: ["-", "RR", "20", "sleep"], e: ["-4", "B", "0", "sleep"], f: ["-", "IDL", "0", "sleep"]}
    assert rows["1"][2:] == ["0", "TS", "-", "init"] and rows[shell][2:] == ["0", "TS", "-", "sh"]


@needs_host
@needs("ps")
@pytest.mark.parametrize("cpus", ["1", "3"])
def test_ps_lists_each_threads_own_policy_and_nice(cpus: str) -> None:
    """tests/host/threads_sched_ps.c: a thread made SCHED_FIFO 5 and one
    reniced to 4 (both per thread, as on Linux), listed by ps -L."""
    stdout, status, stderr = sim(["--cpus", cpus, str(HOST / "threads_sched_ps.c")])
    assert status == 0, stderr.decode(errors="replace")
    first, header, *rows = stdout.decode().splitlines()
    pid, fifo, niced = first.split()
    assert header.split() == ["PID", "TID", "PSR", "NI", "CLS", "RTPRIO", "COMMAND"]
    table = {row.split()[1]: row.split() for row in rows}
    assert {tid: [cols[0], *cols[3:]] for tid, cols in table.items()} == {
        pid: [pid, "0", "TS", "-", "threads_sched_p"], fifo: [pid, "-", "FF", "5", "threads_sched_p"],
        niced: [pid, "4", "TS", "-", "threads_sched_p"]}
    assert {cols[2] for cols in table.values()} <= {str(n) for n in range(int(cpus))}


@needs_host
@needs("ps", "nice")
def test_nice_runs_a_command_at_a_lower_priority() -> None:
    script = "ps -o ni= -p $$; nice -n 5 sh -c 'ps -o ni= -p $$'; nice sh -c 'ps -o ni= -p $$'"
    native = subprocess.run(["/bin/sh", "-c", script], capture_output=True, env=ENV, timeout=60)
    assert sh(script) == native.stdout.decode() == "  0\n  5\n 10\n"


@needs_host
@needs("chrt")
def test_chrt_sets_and_reports_policies_as_root() -> None:
    out = sh("chrt -f 10 sh -c 'echo $$; chrt -p $$'; chrt -r -p 30 $$; echo $$; chrt -p $$; chrt -p 1")
    inner, _, _, outer, *rest = out.splitlines()
    assert out.splitlines()[1:3] == [f"pid {inner}'s current scheduling policy: SCHED_FIFO",
                                     f"pid {inner}'s current scheduling priority: 10"]
    assert rest == [f"pid {outer}'s current scheduling policy: SCHED_RR",
                    f"pid {outer}'s current scheduling priority: 30",
                    "pid 1's current scheduling policy: SCHED_OTHER",
                    "pid 1's current scheduling priority: 0"]


@needs_host
@needs("chrt")
def test_chrt_lists_the_priority_ranges_as_on_the_host() -> None:
    native = subprocess.run(["chrt", "-m"], capture_output=True, env=ENV, timeout=60)
    assert native.returncode == 0
    assert sh("chrt -m") == native.stdout.decode()
    assert "SCHED_FIFO min/max priority\t: 1/99\n" in native.stdout.decode()


@needs_host
@needs("taskset")
def test_taskset_reads_and_sets_the_affinity() -> None:
    out = sh("echo $$; taskset -p $$; taskset -c 0 true; echo $?; taskset -c 1 true; echo $?")
    pid, mask, ok, refused = out.splitlines()
    assert mask == f"pid {pid}'s current affinity mask: 1" and ok == "0" and refused == "1"   # no CPU 1


@needs_host
@needs("nproc", "getconf", "cat")
def test_one_cpu_is_what_nproc_and_glibc_count() -> None:
    script = ("nproc; nproc --all; getconf _NPROCESSORS_ONLN; getconf _NPROCESSORS_CONF; "
              "cat /sys/devices/system/cpu/online /sys/devices/system/cpu/possible")
    assert sh(script) == "1\n1\n1\n1\n0\n0\n"


@needs_host
@needs("nproc", "getconf", "cat", "taskset", "ps", "grep")
def test_with_four_cpus_every_view_counts_four() -> None:
    script = ("nproc; getconf _NPROCESSORS_ONLN; getconf _NPROCESSORS_CONF; cat /sys/devices/system/cpu/online; "
              "ls /sys/devices/system/cpu | grep -c '^cpu[0-9]'; grep -c ^processor /proc/cpuinfo; "
              "grep -c '^cpu[0-9]' /proc/stat; grep -c '^cpu[0-9]' /proc/schedstat; "
              "taskset -c 1,3 sh -c 'grep ^Cpus_allowed /proc/self/status; taskset -p $$ | cut -d: -f2; "
              "ps -o psr= -p $$'")
    out = sh(script, "--cpus", "4").splitlines()
    assert out[:8] == ["4", "4", "4", "0-3", "4", "4", "4", "4"]
    assert out[8:11] == ["Cpus_allowed:\ta", "Cpus_allowed_list:\t1,3", " a"]
    assert out[11].strip() in ("1", "3")


@needs_host
@needs("cat")
def test_the_hosts_cat_reads_its_own_sched_file() -> None:
    out = sh("cat /proc/self/sched /proc/self/schedstat")
    lines = out.splitlines()
    assert re.fullmatch(r"cat \(\d+, #threads: 1\)", lines[0]) and lines[1] == "-" * 67
    names = [line.split()[0] for line in lines[2:-1]]
    assert names == ["se.exec_start", "se.vruntime", "se.sum_exec_runtime", "se.nr_migrations", "nr_switches",
                     "nr_voluntary_switches", "nr_involuntary_switches", "se.load.weight", "policy", "prio",
                     "se.slice"]
    for line in lines[2:5]:
        assert re.fullmatch(r".{45}: {0,13}\d+\.\d{6}", line) and len(line) == 67, line
    for line in lines[5:-1]:
        assert re.fullmatch(r".{45}: *\d+", line) and len(line) == 67, line
    assert re.fullmatch(r"\d+ \d+ \d+", lines[-1])


@needs_host
def test_scheduler_sysctls_match_the_hosts_defaults() -> None:
    files = [f"/proc/sys/kernel/{name}" for name in
             ("sched_rr_timeslice_ms", "sched_rt_period_us", "sched_rt_runtime_us")]
    ours = sim(["/bin/cat", *files])
    host = subprocess.run(["/bin/cat", *files], capture_output=True, check=True).stdout
    assert ours[0] == host == b"100\n1000000\n950000\n"
