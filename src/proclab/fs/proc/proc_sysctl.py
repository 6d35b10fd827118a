"""/proc/sys (fs/proc/proc_sysctl.c) and the kernel.* entries it shows:
pid_max, whose writes set the pid limit (SEMANTICS P1), and threads-max
(kernel/sysctl.c), ostype, osrelease and hostname (kernel/utsname_sysctl.c),
the scheduler's sched_rr_timeslice_ms, sched_rt_period_us and
sched_rt_runtime_us (kernel/sched/rt.c), and the System V IPC limits that
ipcs reads (ipc/ipc_sysctl.c), at Linux's defaults and read-only here; and
fs.mqueue's limits of POSIX message queues (ipc/mq_sysctl.c), readable and
writable within their bounds (EINVAL outside); and vm.max_map_count (mm/mmap.c),
writable (0 to INT_MAX).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .generic import Entries, proc_file, proc_mkdir
from ...uapi import errno as E
from ...uapi.ipc import MSGMAX, MSGMNB, MSGMNI, SEMMNI, SEMMNS, SEMMSL, SEMOPM, SHMALL, SHMMAX, SHMMNI
from ...ipc.mqueue import HARD_MSGMAX, HARD_MSGSIZEMAX, MIN_MSGMAX, MIN_MSGSIZEMAX
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
    mqueue_dir: Entries = {}
    for name, attr, bounds in (("msg_default", "mq_msg_default", (MIN_MSGMAX, HARD_MSGMAX)),
                               ("msg_max", "mq_msg_max", (MIN_MSGMAX, HARD_MSGMAX)),
                               ("msgsize_default", "mq_msgsize_default", (MIN_MSGSIZEMAX, HARD_MSGSIZEMAX)),
                               ("msgsize_max", "mq_msgsize_max", (MIN_MSGSIZEMAX, HARD_MSGSIZEMAX)),
                               ("queues_max", "mq_queues_max", None)):
        mqueue_dir[name] = lambda attr=attr, bounds=bounds: proc_file(
            sb, lambda: f"{getattr(k.mqueue, attr)}\n".encode(), 0o644,
            lambda data: _set_mqueue_limit(k, attr, data, bounds))
    return proc_mkdir(sb, "sys", {
        "fs": lambda: proc_mkdir(sb, "fs", {"mqueue": lambda: proc_mkdir(sb, "mqueue", mqueue_dir)}),
        "kernel": lambda: proc_mkdir(sb, "kernel", kernel_dir),
        "vm": lambda: proc_mkdir(sb, "vm", {
            "max_map_count": lambda: proc_file(sb, lambda: f"{k.vm_sysctl.max_map_count}\n".encode(), 0o644,
                                               lambda data: _set_max_map_count(k, data)),
        }),
    })


def proc_dointvec_minmax(data: bytes, bounds: Optional[tuple[int, int]]) -> Optional[int]:
    """proc_dointvec_minmax() (proc_dointvec without bounds): the one int
    written, or None (EINVAL) for no number, one beyond an int or outside
    `bounds`."""
    try:
        value = int(data.strip() or b"x")
    except ValueError:
        return None
    lo, hi = bounds if bounds is not None else (-(1 << 31), (1 << 31) - 1)
    return value if lo <= value <= hi else None


def _set_mqueue_limit(k: Kernel, attr: str, data: bytes, bounds: Optional[tuple[int, int]]) -> int:
    """Writing one of fs.mqueue's limits (mq_sysctl.c's table)."""
    value = proc_dointvec_minmax(data, bounds)
    if value is None:
        return -E.EINVAL
    setattr(k.mqueue, attr, value)
    return 0


def _set_max_map_count(k: Kernel, data: bytes) -> int:
    """Writing vm.max_map_count (proc_dointvec_minmax, at least 0)."""
    value = proc_dointvec_minmax(data, (0, (1 << 31) - 1))
    if value is None:
        return -E.EINVAL
    k.vm_sysctl.max_map_count = value
    return 0


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
