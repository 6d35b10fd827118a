"""/proc (fs/proc/root.c, self.c, thread_self.c, and the one-file
modules uptime.c, loadavg.c, stat.c, meminfo.c, version.c, cpuinfo.c): the
simulated system's tasks and counters as files, in the layouts of proc(5),
so that the host's ps, pstree and top read them.

ProcFs owns the superblock and the root directory, whose entries are the
system-wide files ps and friends need, /proc/schedstat
(fs/proc/sched_stats.py), /proc/sys (fs/proc/proc_sysctl.py),
/proc/sysvipc that ipcs reads, /proc/self and /proc/thread-self, then one
directory per process (fs/proc/base.py). Everything is computed when it is
read, from the kernel's own structures; fs/proc/generic.py makes the
entries and fs/pseudo.py provides the inodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..inode import SuperBlock
from ..pseudo import PseudoDir, PseudoLink
from .base import proc_pid_lookup, proc_pid_readdir
from .generic import Entries, proc_file, proc_mkdir
from .proc_sysctl import proc_sys_dir
from .sched_stats import show_schedstat
from ...ipc.msg import SYSVIPC_MSG_HEADER, sysvipc_msg_proc_show
from ...ipc.sem import SYSVIPC_SEM_HEADER, sysvipc_sem_proc_show
from ...ipc.shm import SYSVIPC_SHM_HEADER, sysvipc_shm_proc_show
from ...kernel.time.timekeeping import NSEC_PER_SEC, REALTIME_AT_BOOT, ns_to_clock_t
from ...kernel.sys import UTSNAME

if TYPE_CHECKING:  # pragma: no cover
    from ..inode import Inode
    from ...kernel.kernel import Kernel

PROC_SUPER_MAGIC = 0x9FA0
PROC_DEV = 0x16


class ProcFs:
    """The proc filesystem of kernel `k` (proc_fill_super): `sb`, and `root`,
    the directory mounted at /proc, built on demand (proc_root_lookup)."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.sb = SuperBlock(k.vfs.sb.now, dev=PROC_DEV, magic=PROC_SUPER_MAGIC)
        self.root = PseudoDir(self.sb, 0o555, None, "proc", self._root_names, self._root_find)
        self._static: Entries = {
            "uptime": lambda: proc_file(self.sb, self.uptime),
            "loadavg": lambda: proc_file(self.sb, self.loadavg),
            "stat": lambda: proc_file(self.sb, self.stat),
            "meminfo": lambda: proc_file(self.sb, self.meminfo),
            "version": lambda: proc_file(self.sb, self.version),
            "cpuinfo": lambda: proc_file(self.sb, self.cpuinfo),
            "schedstat": lambda: proc_file(self.sb, lambda: show_schedstat(self.k)),
            "mounts": lambda: proc_file(self.sb, self.mounts),
            "sys": lambda: proc_sys_dir(self.k, self.sb),
            "sysvipc": self._sysvipc_dir,
            "self": lambda: PseudoLink(self.sb, lambda: str(self.k.current().tgid).encode()),
            "thread-self": lambda: PseudoLink(
                self.sb, lambda: f"{self.k.current().tgid}/task/{self.k.current().pid}".encode()),
        }

    # ---- the top level -------------------------------------------------------------------

    def _root_names(self) -> list[str]:
        """proc_root_readdir(): the fixed entries, then one directory per process in pid order."""
        return list(self._static) + proc_pid_readdir(self.k)

    def _root_find(self, name: str) -> Optional[Inode]:
        """proc_root_lookup(): a fixed entry, else a process's or thread's directory."""
        make = self._static.get(name)
        if make is not None:
            return make()
        return proc_pid_lookup(self.k, self.sb, name)

    # ---- system-wide files -------------------------------------------------------------------

    def _running(self) -> int:
        """nr_running() (kernel/sched/core.c): tasks running or waiting for a
        CPU, on every runqueue."""
        return sum(rq.nr_running for rq in self.k.sched.rqs)

    def uptime(self) -> bytes:
        """uptime_proc_show() (fs/proc/uptime.c): seconds since boot, and spent idle."""
        k = self.k
        return f"{k.clock.now / NSEC_PER_SEC:.2f} {k.idle_ns / NSEC_PER_SEC:.2f}\n".encode()

    def loadavg(self) -> bytes:
        """loadavg_proc_show() (fs/proc/loadavg.c): load averages (always 0
        here), running/all threads, the last pid allocated."""
        k = self.k
        return f"0.00 0.00 0.00 {self._running()}/{k.nr_threads} {k.pid_ns.last_pid}\n".encode()

    def _cpu_times(self) -> list[tuple[int, int]]:
        """Each CPU's busy and idle time since boot, ns: busy what its
        runqueue counted (busy_ns), the turn under way on the reader's CPU
        included; idle the rest of the machine's time, which is the same for
        every CPU (all CPUs' busy and idle time, divided among them)."""
        k = self.k
        rqs = k.sched.rqs
        busy = [rq.busy_ns for rq in rqs]
        total = k.busy_ns()
        busy[k.current().cpu] += total - sum(busy)
        span = (total + k.idle_ns) // len(rqs)
        return [(ns, span - ns) for ns in busy]

    def stat(self) -> bytes:
        """show_stat() (fs/proc/stat.c): CPU times in clock ticks, of all CPUs
        ("cpu ") then of each, context switches, boot time, forks and running
        tasks. A CPU's busy time is shown as user time: the CPU loop does not
        tell it apart from system time per CPU."""
        k = self.k
        times = self._cpu_times()

        def cpu_line(name: str, busy: int, idle: int) -> str:
            return f"{name} {ns_to_clock_t(busy)} 0 0 {ns_to_clock_t(idle)} 0 0 0 0 0 0"

        lines = [cpu_line("cpu ", sum(b for b, _ in times), sum(i for _, i in times))]
        lines += [cpu_line(f"cpu{cpu}", busy, idle) for cpu, (busy, idle) in enumerate(times)]
        lines += ["intr 0", f"ctxt {sum(rq.nr_switches for rq in k.sched.rqs)}",
                  f"btime {REALTIME_AT_BOOT // NSEC_PER_SEC}", f"processes {k.tasks_created}",
                  f"procs_running {self._running()}", "procs_blocked 0", "softirq 0"]
        return ("\n".join(lines) + "\n").encode()

    def meminfo(self) -> bytes:
        """meminfo_proc_show() (fs/proc/meminfo.c): physical memory and the
        page cache, in kB."""
        phys = self.k.phys
        total, free = phys.nr_frames * 4, phys.nr_free * 4
        cached = self.k.page_cache.nr_pages() * 4
        rows = [("MemTotal", total), ("MemFree", free), ("MemAvailable", free + cached), ("Buffers", 0),
                ("Cached", cached), ("SwapCached", 0), ("SwapTotal", 0), ("SwapFree", 0), ("Shmem", 0)]
        return "".join(f"{name + ':':<16}{kb:8d} kB\n" for name, kb in rows).encode()

    def version(self) -> bytes:
        """version_proc_show() (fs/proc/version.c): the linux_proc_banner."""
        return b"Linux version %s (proclab) %s\n" % (UTSNAME[2], UTSNAME[3])

    def cpuinfo(self) -> bytes:
        """show_cpuinfo() (fs/proc/cpuinfo.c, arch/x86/kernel/cpu/proc.c): one
        block per CPU, with show_cpuinfo_core()'s topology: one package whose
        cores run one thread each."""
        n = len(self.k.sched.rqs)
        return "".join(
            f"processor\t: {cpu}\nvendor_id\t: proclab\nmodel name\t: Unicorn x86-64 (proclab)\n"
            f"cpu MHz\t\t: 1000.000\nphysical id\t: 0\nsiblings\t: {n}\ncore id\t\t: {cpu}\n"
            f"cpu cores\t: {n}\napicid\t\t: {cpu}\ninitial apicid\t: {cpu}\n"
            "flags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2 syscall nx lm\n\n" for cpu in range(n)).encode()

    def mounts(self) -> bytes:
        """show_vfsmnt() (fs/proc_namespace.c): the mount table, fixed here."""
        return b"overlay / overlay rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n" \
               b"sysfs /sys sysfs rw,relatime 0 0\ndevtmpfs /dev devtmpfs rw,relatime 0 0\n"

    # ---- /proc/sysvipc -------------------------------------------------------------------------

    def _sysvipc_dir(self) -> Inode:
        """ipc_init_proc_interface() (ipc/util.c): /proc/sysvipc/shm, sem and msg."""
        k = self.k
        return proc_mkdir(self.sb, "sysvipc", {
            "shm": lambda: proc_file(self.sb, lambda: self.sysvipc_show(
                SYSVIPC_SHM_HEADER, [sysvipc_shm_proc_show(shp) for shp in k.shm.ids.in_use()])),
            "sem": lambda: proc_file(self.sb, lambda: self.sysvipc_show(
                SYSVIPC_SEM_HEADER, [sysvipc_sem_proc_show(sma) for sma in k.sems.ids.in_use()])),
            "msg": lambda: proc_file(self.sb, lambda: self.sysvipc_show(
                SYSVIPC_MSG_HEADER, [sysvipc_msg_proc_show(msq) for msq in k.msgs.ids.in_use()])),
        })

    @staticmethod
    def sysvipc_show(header: str, lines: list[str]) -> bytes:
        """sysvipc_proc_show() (ipc/util.c): the header, then one line per
        object in index order."""
        return (header + "".join(lines)).encode()
