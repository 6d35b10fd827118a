"""/proc (fs/proc/base.c, array.c, root.c, uptime.c, stat.c, meminfo.c,
loadavg.c, proc_sysctl.c): the simulated system's tasks and counters as files,
in the layouts of proc(5), so that the host's ps, pstree and top read them.

One directory per process (its pid) and per thread (under task/, and hidden
at the top level as Linux does), its open files as magic links under fd/
(following one opens the file's inode again, readlink names it),
/proc/self and /proc/thread-self, the
system-wide files ps and friends need, /proc/sysvipc and the IPC limits
under /proc/sys/kernel that ipcs reads, and /proc/sys/kernel/pid_max, whose
writes set the pid limit (SEMANTICS P1). Everything is computed when it is
read, from the kernel's own structures; fs/pseudo.py provides the machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Union

from ..file import O_PATH, File
from ..inode import Inode, SuperBlock
from ..pseudo import MagicLink, PseudoDir, PseudoFile, PseudoLink
from ...uapi import errno as E
from ...uapi.ipc import MSGMAX, MSGMNB, MSGMNI, SEMMNI, SEMMNS, SEMMSL, SEMOPM, SHMALL, SHMMAX, SHMMNI
from ...uapi.resource import RLIMIT_SIGPENDING
from ...uapi.signal import SIG_DFL, SIG_IGN, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, SIGEV_THREAD_ID
from ...ipc.msg import SYSVIPC_MSG_HEADER, sysvipc_msg_proc_show
from ...ipc.sem import SYSVIPC_SEM_HEADER, sysvipc_sem_proc_show
from ...ipc.shm import SYSVIPC_SHM_HEADER, sysvipc_shm_proc_show
from ...kernel.ptrace import ptrace_may_access
from ...kernel.time.timekeeping import NSEC_PER_SEC, REALTIME_AT_BOOT, ns_to_clock_t
from ...kernel.sys import UTSNAME
from ...kernel.task import EXIT_ZOMBIE, TaskStruct, state_char

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel

PROC_SUPER_MAGIC = 0x9FA0
PROC_DEV = 0x16
STATE_NAMES = {"R": "R (running)", "S": "S (sleeping)", "D": "D (disk sleep)", "T": "T (stopped)",
               "t": "t (tracing stop)", "X": "X (dead)", "Z": "Z (zombie)", "I": "I (idle)"}
ROOT_CAPS = 0x000001FFFFFFFFFF  # CAP_LAST_CAP 40: every capability
Show = Callable[[], bytes]


class ProcFs:
    """Builds the /proc tree on demand (proc_root_lookup, proc_pid_lookup)."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.sb = SuperBlock(k.vfs.sb.now, dev=PROC_DEV, magic=PROC_SUPER_MAGIC)
        self.root = PseudoDir(self.sb, 0o555, None, "proc", self._root_names, self._root_find)
        self._static: dict[str, Callable[[], Inode]] = {
            "uptime": lambda: self._file(self.uptime),
            "loadavg": lambda: self._file(self.loadavg),
            "stat": lambda: self._file(self.stat),
            "meminfo": lambda: self._file(self.meminfo),
            "version": lambda: self._file(self.version),
            "cpuinfo": lambda: self._file(self.cpuinfo),
            "mounts": lambda: self._file(self.mounts),
            "sys": self._sys_dir,
            "sysvipc": self._sysvipc_dir,
            "self": lambda: PseudoLink(self.sb, lambda: str(self.k.current().tgid).encode()),
            "thread-self": lambda: PseudoLink(
                self.sb, lambda: f"{self.k.current().tgid}/task/{self.k.current().pid}".encode()),
        }

    # ---- helpers -------------------------------------------------------------------------

    def _file(self, show: Show, perm: int = 0o444, store: Optional[Callable[[bytes], int]] = None,
              owner: Optional[TaskStruct] = None) -> PseudoFile:
        uid, gid = (owner.cred.euid, owner.cred.egid) if owner is not None else (0, 0)
        return PseudoFile(self.sb, perm, show, store, uid, gid)

    def _dir(self, name: str, entries: dict[str, Callable[[], Inode]]) -> PseudoDir:
        return PseudoDir(self.sb, 0o555, None, name, lambda: list(entries),
                         lambda n: entries[n]() if n in entries else None)

    # ---- the top level -------------------------------------------------------------------

    def _root_names(self) -> list[str]:
        """Fixed entries, then one directory per process in pid order."""
        tgids = sorted(nr for nr, pid in self.k.pid_ns.pids.items()
                       if pid.task is not None and pid.task.thread_group_leader() and nr > 0)
        return list(self._static) + [str(nr) for nr in tgids]

    def _root_find(self, name: str) -> Optional[Inode]:
        make = self._static.get(name)
        if make is not None:
            return make()
        if not name.isdigit() or name.startswith("0"):
            return None
        t = self.k.pid_ns.find_task(int(name))
        return self._pid_dir(t, name) if t is not None else None

    # ---- /proc/PID and /proc/PID/task/TID -------------------------------------------------

    def _pid_dir(self, t: TaskStruct, name: str, thread: bool = False) -> PseudoDir:
        entries: dict[str, Callable[[], Inode]] = {
            "stat": lambda: self._file(lambda: self.task_stat(t, thread), owner=t),
            "status": lambda: self._file(lambda: self.task_status(t), owner=t),
            "cmdline": lambda: self._file(lambda: self._mm_area(t, "arg"), owner=t),
            "environ": lambda: self._file(lambda: self._mm_area(t, "env"), 0o400, owner=t),
            "comm": lambda: self._file(lambda: t.comm.encode() + b"\n", 0o644, owner=t),
            "statm": lambda: self._file(lambda: self.statm(t), owner=t),
            "maps": lambda: self._file(lambda: self.maps(t), owner=t),
            "exe": lambda: PseudoLink(self.sb, lambda: self._exe(t)),
            "cwd": lambda: PseudoLink(self.sb, lambda: self._cwd(t)),
            "root": lambda: PseudoLink(self.sb, lambda: b"/"),
            "fd": lambda: self._fd_dir(t),
        }
        if not thread:
            entries["timers"] = lambda: self._file(lambda: self.timers(t), owner=t)
            entries["task"] = lambda: PseudoDir(
                self.sb, 0o555, None, "task",
                lambda: [str(th.pid) for th in t.signal.threads()] if t.signal is not None else [],
                lambda n: self._thread_dir(t, n))
        d = self._dir(name, entries)
        d.uid, d.gid = t.cred.euid, t.cred.egid
        return d

    def _thread_dir(self, t: TaskStruct, name: str) -> Optional[Inode]:
        if not name.isdigit():
            return None
        th = self.k.pid_ns.find_task(int(name))
        if th is None or th.signal is not t.signal:
            return None
        return self._pid_dir(th, name, thread=True)

    def _fd_dir(self, t: TaskStruct) -> PseudoDir:
        """proc_readfd / proc_lookupfd: one magic link per open fd, in a
        directory only the task's owner (or root) may search."""
        def names() -> list[str]:
            files = t.files
            return [str(fd) for fd, f in enumerate(files.fds) if f is not None] if files is not None else []

        def find(n: str) -> Optional[Inode]:
            f = t.files.get(int(n)) if n.isdigit() and t.files is not None else None
            if f is None:
                return None
            fd = int(n)
            return MagicLink(self.sb, self._fd_mode(f), t.cred.euid, t.cred.egid,
                             lambda: f.name.encode("utf-8", "surrogateescape"),
                             lambda: self.proc_fd_link(t, fd))

        d = PseudoDir(self.sb, 0o500, None, "fd", names, find)
        d.uid, d.gid = t.cred.euid, t.cred.egid
        return d

    @staticmethod
    def _fd_mode(f: File) -> int:
        """tid_fd_update_inode(): the link's permission bits tell how the file
        is open (r-x for reading, -wx for writing, none for O_PATH)."""
        if f.flags & O_PATH:
            return 0
        return (0o500 if f.readable() else 0) | (0o300 if f.writable() else 0)

    def proc_fd_link(self, t: TaskStruct, fd: int) -> Union[File, int]:
        """proc_pid_get_link() with proc_fd_link(): where following
        /proc/PID/fd/N leads. The caller must be allowed to look at the task
        (EACCES); then the file open at `fd` now, if the task still has its
        files (ENOENT once the fd is closed or the task has exited)."""
        if not ptrace_may_access(self.k.current(), t):
            return -E.EACCES
        f = t.files.get(fd) if t.files is not None else None
        return f if f is not None else -E.ENOENT

    def _exe(self, t: TaskStruct) -> bytes:
        return t.mm.exe_file.encode("utf-8", "surrogateescape") if t.mm is not None else b""

    def _cwd(self, t: TaskStruct) -> bytes:
        if t.fs is None:
            return b"/"
        path = t.fs.cwd.path_to(t.fs.root)
        return (path or "(deleted)").encode("utf-8", "surrogateescape")

    def _mm_area(self, t: TaskStruct, which: str) -> bytes:
        """cmdline / environ: the bytes exec laid out (none for a kernel thread or zombie)."""
        mm = t.mm
        if mm is None or t.exit_state:
            return b""
        start, end = (mm.arg_start, mm.arg_end) if which == "arg" else (mm.env_start, mm.env_end)
        if end <= start:
            return b""
        data = self.k.uaccess.copy_from_user(t, start, end - start, mm=mm)
        return data or b""

    # ---- file contents (fs/proc/array.c) --------------------------------------------------

    def task_stat(self, t: TaskStruct, thread: bool) -> bytes:
        """do_task_stat(): the 52 fields of /proc/PID/stat."""
        sig = t.signal
        leader = t.group_leader if t.group_leader is not None else t
        ppid = leader.real_parent.tgid if leader.real_parent is not None and leader.pid > 1 else 0
        pgrp = sig.pgrp.nr if sig is not None and sig.pgrp is not None else 0
        sid = sig.session.nr if sig is not None and sig.session is not None else 0
        mm = t.mm if not t.exit_state else None
        usage_t, usage_s = (t.utime, t.stime)
        if not thread and sig is not None:
            usage_t = sum(th.utime for th in sig.threads()) + sig.dead_usage.utime
            usage_s = sum(th.stime for th in sig.threads()) + sig.dead_usage.stime
        cu = sig.children_usage if sig is not None else None
        threads = sig.nr_threads if sig is not None else 1
        vsize = sum(v.end - v.start for v in mm.vmas()) if mm is not None else 0
        rss = mm.rss() if mm is not None else 0
        ignored, caught = self._sig_dispositions(t)
        pending = t.pending.signal | (sig.shared_pending.signal if sig is not None else 0)
        fields = [
            t.pid if thread else t.tgid, f"({t.comm})", state_char(t), ppid, pgrp, sid, 0, -1,
            self._pf_flags(t), t.min_flt, cu.min_flt if cu else 0, t.maj_flt, cu.maj_flt if cu else 0,
            ns_to_clock_t(usage_t), ns_to_clock_t(usage_s),
            ns_to_clock_t(cu.utime) if cu else 0, ns_to_clock_t(cu.stime) if cu else 0,
            t.prio - 100, t.nice, threads, 0, ns_to_clock_t(t.start_time), vsize, rss,
            0xFFFFFFFFFFFFFFFF,
            *(self._mm_word(mm, "start_code"), self._mm_word(mm, "end_code"), self._mm_word(mm, "start_stack")),
            0, 0, pending & 0x7FFFFFFF, t.blocked & 0x7FFFFFFF, ignored & 0x7FFFFFFF, caught & 0x7FFFFFFF,
            0, 0, 0, t.exit_signal if t.exit_signal >= 0 else 0, t.cpu, 0, 0, 0, 0, 0,
            *(self._mm_word(mm, f) for f in ("start_data", "end_data", "start_brk", "arg_start", "arg_end",
                                            "env_start", "env_end")),
            t.exit_code if t.exit_state & EXIT_ZOMBIE else 0,
        ]
        return (" ".join(str(f) for f in fields) + "\n").encode()

    @staticmethod
    def _mm_word(mm, field: str) -> int:
        return getattr(mm, field) if mm is not None else 0

    @staticmethod
    def _pf_flags(t: TaskStruct) -> int:
        return t.flags & 0xFFFFFFFF

    @staticmethod
    def _sig_dispositions(t: TaskStruct) -> tuple[int, int]:
        ignored = caught = 0
        if t.sighand is not None:
            for signo, act in t.sighand.action.items():
                if act[0] == SIG_IGN:
                    ignored |= 1 << (signo - 1)
                elif act[0] != SIG_DFL:
                    caught |= 1 << (signo - 1)
        return ignored, caught

    def task_status(self, t: TaskStruct) -> bytes:
        """proc_pid_status(): "Name:\\t..." lines, the ones procps reads."""
        sig = t.signal
        c = t.cred
        leader = t.group_leader if t.group_leader is not None else t
        ppid = leader.real_parent.tgid if leader.real_parent is not None and leader.pid > 1 else 0
        ignored, caught = self._sig_dispositions(t)
        caps = ROOT_CAPS if c.euid == 0 else 0
        lines = [
            f"Name:\t{t.comm}",
            f"Umask:\t{t.fs.umask:04o}" if t.fs is not None else "Umask:\t0022",
            f"State:\t{STATE_NAMES.get(state_char(t), state_char(t))}",
            f"Tgid:\t{t.tgid}", "Ngid:\t0", f"Pid:\t{t.pid}", f"PPid:\t{ppid}", "TracerPid:\t0",
            f"Uid:\t{c.uid}\t{c.euid}\t{c.suid}\t{c.fsuid}",
            f"Gid:\t{c.gid}\t{c.egid}\t{c.sgid}\t{c.fsgid}",
            f"FDSize:\t{max(64, len(t.files.fds)) if t.files is not None else 0}",
            "Groups:\t" + " ".join(str(g) for g in c.groups) + (" " if c.groups else ""),
            f"NStgid:\t{t.tgid}", f"NSpid:\t{t.pid}",
            f"NSpgid:\t{sig.pgrp.nr if sig is not None and sig.pgrp is not None else 0}",
            f"NSsid:\t{sig.session.nr if sig is not None and sig.session is not None else 0}",
        ]
        mm = t.mm if not t.exit_state else None
        if mm is not None:
            size_kb = sum(v.end - v.start for v in mm.vmas()) >> 10
            rss_kb = mm.rss() * 4
            lines += [f"VmPeak:\t{size_kb:8d} kB", f"VmSize:\t{size_kb:8d} kB", "VmLck:\t       0 kB",
                      "VmPin:\t       0 kB", f"VmHWM:\t{rss_kb:8d} kB", f"VmRSS:\t{rss_kb:8d} kB",
                      f"VmExe:\t{(mm.end_code - mm.start_code) >> 10:8d} kB", "VmSwap:\t       0 kB"]
        lines += [
            f"Threads:\t{sig.nr_threads if sig is not None else 1}",
            f"SigQ:\t0/{sig.rlim[RLIMIT_SIGPENDING][0] if sig is not None else 0}",
            f"SigPnd:\t{t.pending.signal:016x}",
            f"ShdPnd:\t{sig.shared_pending.signal if sig is not None else 0:016x}",
            f"SigBlk:\t{t.blocked:016x}", f"SigIgn:\t{ignored:016x}", f"SigCgt:\t{caught:016x}",
            "CapInh:\t0000000000000000", f"CapPrm:\t{caps:016x}", f"CapEff:\t{caps:016x}",
            f"CapBnd:\t{ROOT_CAPS:016x}", "CapAmb:\t0000000000000000", "NoNewPrivs:\t0", "Seccomp:\t0",
            "Cpus_allowed:\t1", "Cpus_allowed_list:\t0",
            f"voluntary_ctxt_switches:\t{t.nvcsw}", f"nonvoluntary_ctxt_switches:\t{t.nivcsw}",
        ]
        return ("\n".join(lines) + "\n").encode()

    def timers(self, t: TaskStruct) -> bytes:
        """show_timer() (fs/proc/base.c): the process's POSIX timers, the
        newest first; the value is shown as a pointer (%px)."""
        timers = t.signal.posix_timers if t.signal is not None else None
        kinds = {SIGEV_SIGNAL: "signal", SIGEV_NONE: "none", SIGEV_THREAD: "thread"}
        out = []
        for timr in reversed(list(timers.values())) if timers else ():
            notify = timr.it_sigev_notify
            who = "tid" if notify & SIGEV_THREAD_ID else "pid"
            out.append(f"ID: {timr.it_id}\n"
                       f"signal: {timr.sigq['signo']}/{timr.sigq['value'] & 0xFFFFFFFFFFFFFFFF:016x}\n"
                       f"notify: {kinds[notify & ~SIGEV_THREAD_ID]}/{who}.{timr.it_pid.nr if timr.it_pid else 0}\n"
                       f"ClockID: {timr.it_clock}\n")
        return "".join(out).encode()

    def statm(self, t: TaskStruct) -> bytes:
        mm = t.mm if not t.exit_state else None
        if mm is None:
            return b"0 0 0 0 0 0 0\n"
        size = sum(v.end - v.start for v in mm.vmas()) >> 12
        text = (mm.end_code - mm.start_code + 4095) >> 12
        return f"{size} {mm.rss()} 0 {text} 0 {size - text} 0\n".encode()

    def maps(self, t: TaskStruct) -> bytes:
        """show_map(): one line per VMA."""
        mm = t.mm if not t.exit_state else None
        if mm is None:
            return b""
        out = []
        for v in mm.vmas():
            perms = repr(v).split()[2]
            name = v.name
            line = f"{v.start:08x}-{v.end:08x} {perms} {v.pgoff << 12 if v.file is not None else 0:08x} 00:00 0"
            out.append(f"{line:<73}{name}" if name else line)
        return ("\n".join(out) + "\n").encode() if out else b""

    # ---- system-wide files -------------------------------------------------------------------

    def _running(self) -> int:
        """Tasks running or waiting for a CPU."""
        k = self.k
        return k.sched.nr_runnable() + sum(1 for rq in k.sched.rqs if rq.curr is not rq.idle)

    def uptime(self) -> bytes:
        k = self.k
        return f"{k.clock.now / NSEC_PER_SEC:.2f} {k.idle_ns / NSEC_PER_SEC:.2f}\n".encode()

    def loadavg(self) -> bytes:
        k = self.k
        last = max((nr for nr in k.pid_ns.pids), default=0)
        return f"0.00 0.00 0.00 {self._running()}/{k.nr_threads} {last}\n".encode()

    def stat(self) -> bytes:
        k = self.k
        busy = ns_to_clock_t(k.clock.now - k.idle_ns)
        idle = ns_to_clock_t(k.idle_ns)
        cpu = f"{busy} 0 0 {idle} 0 0 0 0 0 0"
        lines = [f"cpu  {cpu}", f"cpu0 {cpu}", "intr 0", f"ctxt {sum(rq.nr_switches for rq in k.sched.rqs)}",
                 f"btime {REALTIME_AT_BOOT // NSEC_PER_SEC}", f"processes {k.tasks_created}",
                 f"procs_running {self._running()}", "procs_blocked 0", "softirq 0"]
        return ("\n".join(lines) + "\n").encode()

    def meminfo(self) -> bytes:
        phys = self.k.phys
        total, free = phys.nr_frames * 4, phys.nr_free * 4
        cached = self.k.page_cache.nr_pages() * 4
        rows = [("MemTotal", total), ("MemFree", free), ("MemAvailable", free + cached), ("Buffers", 0),
                ("Cached", cached), ("SwapCached", 0), ("SwapTotal", 0), ("SwapFree", 0), ("Shmem", 0)]
        return "".join(f"{name + ':':<16}{kb:8d} kB\n" for name, kb in rows).encode()

    def version(self) -> bytes:
        return b"Linux version %s (proclab) %s\n" % (UTSNAME[2], UTSNAME[3])

    def cpuinfo(self) -> bytes:
        return (b"processor\t: 0\nvendor_id\t: proclab\nmodel name\t: Unicorn x86-64 (proclab)\n"
                b"cpu MHz\t\t: 1000.000\nflags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2 syscall nx lm\n\n")

    def mounts(self) -> bytes:
        return b"overlay / overlay rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n" \
               b"devtmpfs /dev devtmpfs rw,relatime 0 0\n"

    # ---- /proc/sysvipc (ipc/util.c sysvipc_proc_show) ---------------------------------------

    def _sysvipc_dir(self) -> Inode:
        k = self.k
        return self._dir("sysvipc", {
            "shm": lambda: self._file(lambda: self.sysvipc_show(
                SYSVIPC_SHM_HEADER, [sysvipc_shm_proc_show(shp) for shp in k.shm.ids.in_use()])),
            "sem": lambda: self._file(lambda: self.sysvipc_show(
                SYSVIPC_SEM_HEADER, [sysvipc_sem_proc_show(sma) for sma in k.sems.ids.in_use()])),
            "msg": lambda: self._file(lambda: self.sysvipc_show(
                SYSVIPC_MSG_HEADER, [sysvipc_msg_proc_show(msq) for msq in k.msgs.ids.in_use()])),
        })

    @staticmethod
    def sysvipc_show(header: str, lines: list[str]) -> bytes:
        """sysvipc_proc_show(): the header, then one line per object in index order."""
        return (header + "".join(lines)).encode()

    # ---- /proc/sys ---------------------------------------------------------------------------

    def _sys_dir(self) -> Inode:
        kernel_dir: dict[str, Callable[[], Inode]] = {
            "pid_max": lambda: self._file(lambda: f"{self.k.pid_ns.pid_max}\n".encode(), 0o644, self._set_pid_max),
            "threads-max": lambda: self._file(lambda: f"{self.k.max_threads}\n".encode()),
            "ostype": lambda: self._file(lambda: UTSNAME[0] + b"\n"),
            "osrelease": lambda: self._file(lambda: UTSNAME[2] + b"\n"),
            "hostname": lambda: self._file(lambda: UTSNAME[1] + b"\n"),
        }
        # ipc/ipc_sysctl.c: the System V IPC limits, at Linux's defaults (read-only here).
        for name, value in (("shmmax", f"{SHMMAX}"), ("shmall", f"{SHMALL}"), ("shmmni", f"{SHMMNI}"),
                            ("sem", f"{SEMMSL}\t{SEMMNS}\t{SEMOPM}\t{SEMMNI}"), ("msgmax", f"{MSGMAX}"),
                            ("msgmnb", f"{MSGMNB}"), ("msgmni", f"{MSGMNI}")):
            kernel_dir[name] = lambda text=value: self._file(lambda: f"{text}\n".encode())
        return self._dir("sys", {"kernel": lambda: self._dir("kernel", kernel_dir)})

    def _set_pid_max(self, data: bytes) -> int:
        """Writing pid_max sets the pid limit (RESERVED_PIDS < n <= PID_MAX_LIMIT)."""
        try:
            value = int(data.strip() or b"x")
        except ValueError:
            return -E.EINVAL
        try:
            self.k.pid_ns.set_pid_max(value)
        except ValueError:
            return -E.EINVAL
        return 0

