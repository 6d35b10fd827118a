"""A task's state as text (fs/proc/array.c): /proc/PID/stat (do_task_stat,
the 52 fields ps and top parse), /proc/PID/status (proc_pid_status, the
"Name:\\tvalue" lines) and /proc/PID/statm, for a process and, under task/,
for each of its threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .task_mmu import task_mm, task_vsize
from ..sysfs import bitmap_list_string, bitmap_string
from ...uapi.resource import RLIMIT_SIGPENDING
from ...uapi.signal import SIG_DFL, SIG_IGN
from ...kernel.time.timekeeping import ns_to_clock_t
from ...kernel.task import EXIT_ZOMBIE, state_char

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.task import TaskStruct
    from ...mm.mm_struct import MmStruct

STATE_NAMES = {"R": "R (running)", "S": "S (sleeping)", "D": "D (disk sleep)", "T": "T (stopped)",
               "t": "t (tracing stop)", "X": "X (dead)", "Z": "Z (zombie)", "I": "I (idle)"}
ROOT_CAPS = 0x000001FFFFFFFFFF  # CAP_LAST_CAP 40: every capability


def _ppid(t: TaskStruct) -> int:
    """The parent's tgid, as the process (its group leader) sees it; 0 for init."""
    leader = t.group_leader if t.group_leader is not None else t
    return leader.real_parent.tgid if leader.real_parent is not None and leader.pid > 1 else 0


def _mm_word(mm: Optional[MmStruct], field: str) -> int:
    return getattr(mm, field) if mm is not None else 0


def _sig_dispositions(t: TaskStruct) -> tuple[int, int]:
    """collect_sigign_sigcatch(): the masks of signals ignored and caught."""
    ignored = caught = 0
    if t.sighand is not None:
        for signo, act in t.sighand.action.items():
            if act[0] == SIG_IGN:
                ignored |= 1 << (signo - 1)
            elif act[0] != SIG_DFL:
                caught |= 1 << (signo - 1)
    return ignored, caught


def do_task_stat(t: TaskStruct, thread: bool) -> bytes:
    """do_task_stat(): the 52 fields of /proc/PID/stat (`thread`: of
    /proc/PID/task/TID/stat, the thread's own pid and times)."""
    sig = t.signal
    pgrp = sig.pgrp.nr if sig is not None and sig.pgrp is not None else 0
    sid = sig.session.nr if sig is not None and sig.session is not None else 0
    mm = task_mm(t)
    usage_t, usage_s = (t.utime, t.stime)
    if not thread and sig is not None:
        usage_t = sum(th.utime for th in sig.threads()) + sig.dead_usage.utime
        usage_s = sum(th.stime for th in sig.threads()) + sig.dead_usage.stime
    cu = sig.children_usage if sig is not None else None
    threads = sig.nr_threads if sig is not None else 1
    vsize = task_vsize(mm) if mm is not None else 0
    rss = mm.rss() if mm is not None else 0
    ignored, caught = _sig_dispositions(t)
    pending = t.pending.signal | (sig.shared_pending.signal if sig is not None else 0)
    fields = [
        t.pid if thread else t.tgid, f"({t.comm})", state_char(t), _ppid(t), pgrp, sid, 0, -1,
        t.flags & 0xFFFFFFFF, t.min_flt, cu.min_flt if cu else 0, t.maj_flt, cu.maj_flt if cu else 0,
        ns_to_clock_t(usage_t), ns_to_clock_t(usage_s),
        ns_to_clock_t(cu.utime) if cu else 0, ns_to_clock_t(cu.stime) if cu else 0,
        t.prio - 100, t.nice, threads, 0, ns_to_clock_t(t.start_time), vsize, rss,
        0xFFFFFFFFFFFFFFFF,
        *(_mm_word(mm, "start_code"), _mm_word(mm, "end_code"), _mm_word(mm, "start_stack")),
        0, 0, pending & 0x7FFFFFFF, t.blocked & 0x7FFFFFFF, ignored & 0x7FFFFFFF, caught & 0x7FFFFFFF,
        0, 0, 0, t.exit_signal if t.exit_signal >= 0 else 0, t.cpu, t.rt_priority, t.policy, 0, 0, 0,
        *(_mm_word(mm, f) for f in ("start_data", "end_data", "start_brk", "arg_start", "arg_end",
                                    "env_start", "env_end")),
        t.exit_code if t.exit_state & EXIT_ZOMBIE else 0,
    ]
    return (" ".join(str(f) for f in fields) + "\n").encode()


def proc_pid_status(t: TaskStruct, nr_cpu_ids: int) -> bytes:
    """proc_pid_status(): "Name:\\t..." lines, the ones procps reads; the
    CPU masks (task_cpus_allowed) are as wide as the machine's `nr_cpu_ids`."""
    sig = t.signal
    c = t.cred
    ignored, caught = _sig_dispositions(t)
    caps = ROOT_CAPS if c.euid == 0 else 0
    lines = [
        f"Name:\t{t.comm}",
        f"Umask:\t{t.fs.umask:04o}" if t.fs is not None else "Umask:\t0022",
        f"State:\t{STATE_NAMES.get(state_char(t), state_char(t))}",
        f"Tgid:\t{t.tgid}", "Ngid:\t0", f"Pid:\t{t.pid}", f"PPid:\t{_ppid(t)}", "TracerPid:\t0",
        f"Uid:\t{c.uid}\t{c.euid}\t{c.suid}\t{c.fsuid}",
        f"Gid:\t{c.gid}\t{c.egid}\t{c.sgid}\t{c.fsgid}",
        f"FDSize:\t{max(64, len(t.files.fds)) if t.files is not None else 0}",
        "Groups:\t" + " ".join(str(g) for g in c.groups) + (" " if c.groups else ""),
        f"NStgid:\t{t.tgid}", f"NSpid:\t{t.pid}",
        f"NSpgid:\t{sig.pgrp.nr if sig is not None and sig.pgrp is not None else 0}",
        f"NSsid:\t{sig.session.nr if sig is not None and sig.session is not None else 0}",
    ]
    mm = task_mm(t)
    if mm is not None:
        size_kb = task_vsize(mm) >> 10
        rss_kb = mm.rss() * 4
        lines += [f"VmPeak:\t{size_kb:8d} kB", f"VmSize:\t{size_kb:8d} kB",
                  f"VmLck:\t{mm.locked_vm() * 4:8d} kB", "VmPin:\t       0 kB", f"VmHWM:\t{rss_kb:8d} kB", f"VmRSS:\t{rss_kb:8d} kB",
                  f"VmExe:\t{(mm.end_code - mm.start_code) >> 10:8d} kB", "VmSwap:\t       0 kB"]
    lines += [
        f"Threads:\t{sig.nr_threads if sig is not None else 1}",
        f"SigQ:\t0/{sig.rlim[RLIMIT_SIGPENDING][0] if sig is not None else 0}",
        f"SigPnd:\t{t.pending.signal:016x}",
        f"ShdPnd:\t{sig.shared_pending.signal if sig is not None else 0:016x}",
        f"SigBlk:\t{t.blocked:016x}", f"SigIgn:\t{ignored:016x}", f"SigCgt:\t{caught:016x}",
        "CapInh:\t0000000000000000", f"CapPrm:\t{caps:016x}", f"CapEff:\t{caps:016x}",
        f"CapBnd:\t{ROOT_CAPS:016x}", "CapAmb:\t0000000000000000", "NoNewPrivs:\t0", "Seccomp:\t0",
        f"Cpus_allowed:\t{bitmap_string(t.cpus_mask, nr_cpu_ids)}",
        f"Cpus_allowed_list:\t{bitmap_list_string(t.cpus_mask, nr_cpu_ids)}",
        f"voluntary_ctxt_switches:\t{t.nvcsw}", f"nonvoluntary_ctxt_switches:\t{t.nivcsw}",
    ]
    return ("\n".join(lines) + "\n").encode()


def proc_pid_statm(t: TaskStruct) -> bytes:
    """proc_pid_statm(): sizes in pages -- total, resident, shared, text,
    lib, data (+stack), dirty."""
    mm = task_mm(t)
    if mm is None:
        return b"0 0 0 0 0 0 0\n"
    size = task_vsize(mm) >> 12
    text = (mm.end_code - mm.start_code + 4095) >> 12
    return f"{size} {mm.rss()} 0 {text} 0 {size - text} 0\n".encode()
