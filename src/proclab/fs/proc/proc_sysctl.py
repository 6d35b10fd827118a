"""/proc/sys (fs/proc/proc_sysctl.c) and the kernel.* entries it shows:
pid_max, whose writes set the pid limit (SEMANTICS P1), and threads-max
(kernel/sysctl.c), ostype, osrelease and hostname (kernel/utsname_sysctl.c),
the scheduler's sched_rr_timeslice_ms, sched_rt_period_us and
sched_rt_runtime_us (kernel/sched/rt.c), and the System V IPC limits that
ipcs reads (ipc/ipc_sysctl.c), at Linux's defaults and read-only here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .generic import Entries, proc_file, proc_mkdir
from ...uapi import errno as E
from ...uapi.ipc import MSGMAX, MSGMNB, MSGMNI, SEMMNI, SEMMNS, SEMMSL, SEMOPM, SHMALL, SHMMAX, SHMMNI
from ...kernel.sys import UTSNAME

if TYPE_CHECKING:  # pragma: no cover
    from ..inode import Inode, SuperBlock
    from ...kernel.kernel import Kernel


def proc_sys_dir(k: Kernel, sb: SuperBlock) -> Inode:
    """The /proc/sys directory of `sb`: sys/kernel/, computed from `k` when read."""
    kernel_dir: Entries = {
        "pid_max": lambda: proc_file(sb, lambda: f"{k.pid_ns.pid_max}\n".encode(), 0o644,
                                     lambda data: _set_pid_max(k, data)),
        "threads-max": lambda: proc_file(sb, lambda: f"{k.max_threads}\n".encode()),
        "ostype": lambda: proc_file(sb, lambda: UTSNAME[0] + b"\n"),
        "osrelease": lambda: proc_file(sb, lambda: UTSNAME[2] + b"\n"),
        "hostname": lambda: proc_file(sb, lambda: UTSNAME[1] + b"\n"),
    }
    tun = k.sched.tunables
    for name, value in (("sched_rr_timeslice_ms", f"{tun.rr_timeslice // 1_000_000}"),
                        ("sched_rt_period_us", f"{tun.rt_period // 1000}"),
                        ("sched_rt_runtime_us", f"{tun.rt_runtime // 1000}"),
                        ("shmmax", f"{SHMMAX}"), ("shmall", f"{SHMALL}"), ("shmmni", f"{SHMMNI}"),
                        ("sem", f"{SEMMSL}\t{SEMMNS}\t{SEMOPM}\t{SEMMNI}"), ("msgmax", f"{MSGMAX}"),
                        ("msgmnb", f"{MSGMNB}"), ("msgmni", f"{MSGMNI}")):
        kernel_dir[name] = lambda text=value: proc_file(sb, lambda: f"{text}\n".encode())
    return proc_mkdir(sb, "sys", {"kernel": lambda: proc_mkdir(sb, "kernel", kernel_dir)})


def _set_pid_max(k: Kernel, data: bytes) -> int:
    """Writing pid_max sets the pid limit (RESERVED_PIDS < n <= PID_MAX_LIMIT)."""
    try:
        value = int(data.strip() or b"x")
    except ValueError:
        return -E.EINVAL
    try:
        k.pid_ns.set_pid_max(value)
    except ValueError:
        return -E.EINVAL
    return 0
