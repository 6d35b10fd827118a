"""The scheduler's system calls (kernel/sched/syscalls.c; core.c before Linux
6.11): sched_setscheduler, sched_setparam, sched_setattr and their getters,
sched_get_priority_max/min, sched_rr_get_interval, sched_yield,
sched_setaffinity and sched_getaffinity; and the permission rules of
__sched_setscheduler, which setpriority(2) (kernel/sys.c) shares.

Permissions under the simulated credentials: root (euid 0) has
CAP_SYS_NICE. Anybody else may change only tasks whose uid or euid is their
euid, may lower priority freely, raise nice only as far as RLIMIT_NICE
allows (20 - nice <= limit) and use an rt policy only up to RLIMIT_RTPRIO
(both 0 by default, as on Linux).
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional, Union

from ...uapi import errno as E
from ...uapi.resource import RLIMIT_NICE, RLIMIT_RTPRIO
from ...uapi.sched import (
    SCHED_ATTR_SIZE_VER0,
    SCHED_ATTR_SIZE_VER1,
    SCHED_DEADLINE,
    SCHED_EXT,
    SCHED_FIFO,
    SCHED_FLAG_ALL,
    SCHED_FLAG_KEEP_PARAMS,
    SCHED_FLAG_KEEP_POLICY,
    SCHED_FLAG_RESET_ON_FORK,
    SCHED_FLAG_UTIL_CLAMP_MAX,
    SCHED_FLAG_UTIL_CLAMP_MIN,
    SCHED_IDLE,
    SCHED_RESET_ON_FORK,
    SCHED_RR,
)
from .sched import MAX_NICE, MAX_RT_PRIO, MIN_NICE, fair_policy, rt_policy, valid_policy

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel
    from ..task import TaskStruct

SETPARAM_POLICY = -1            # sched_setparam(): keep the policy
SCHED_CAPACITY_SCALE = 1024     # the default util_max of a task (uclamp)
PAGE_SIZE = 4096
# struct sched_attr: size, policy, flags, nice, priority, runtime, deadline,
# period, util_min, util_max (56 bytes, SCHED_ATTR_SIZE_VER1)
_SCHED_ATTR = struct.Struct("<IIQiIQQQII")


def nice_to_rlimit(nice: int) -> int:
    """nice_to_rlimit(): nice -20..19 as the RLIMIT_NICE scale 40..1."""
    return MAX_NICE - nice + 1


def is_nice_reduction(p: TaskStruct, nice: int) -> bool:
    """is_nice_reduction(): `nice` is within p's RLIMIT_NICE."""
    return nice_to_rlimit(nice) <= p.signal.rlim[RLIMIT_NICE][0]


def check_same_owner(t: TaskStruct, p: TaskStruct) -> bool:
    """check_same_owner(): the caller's euid is p's uid or euid."""
    return t.cred.euid in (p.cred.uid, p.cred.euid)


def capable_sys_nice(t: TaskStruct) -> bool:
    return t.cred.euid == 0


class SchedAttr:
    """struct sched_attr, decoded."""

    __slots__ = ("policy", "flags", "nice", "priority", "runtime", "deadline", "period")

    def __init__(self, policy: int, flags: int = 0, nice: int = 0, priority: int = 0,
                 runtime: int = 0, deadline: int = 0, period: int = 0) -> None:
        self.policy = policy
        self.flags = flags
        self.nice = nice
        self.priority = priority
        self.runtime = runtime
        self.deadline = deadline
        self.period = period


class SchedSyscalls:
    """The scheduling system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def find_process_by_pid(self, t: TaskStruct, pid: int) -> Optional[TaskStruct]:
        """find_process_by_pid(): 0 is the caller; any thread id names that thread."""
        return t if pid == 0 else self.k.pid_ns.find_task(pid)

    # ---- __sched_setscheduler ------------------------------------------------------------

    def user_check_sched_setscheduler(self, t: TaskStruct, p: TaskStruct, attr: SchedAttr,
                                      policy: int, reset_on_fork: bool) -> int:
        """user_check_sched_setscheduler(): 0, or -EPERM when the change
        needs CAP_SYS_NICE and the caller lacks it."""
        if capable_sys_nice(t):
            return 0
        if fair_policy(policy) and attr.nice < p.nice and not is_nice_reduction(p, attr.nice):
            return -E.EPERM
        if rt_policy(policy):
            rlim_rtprio = p.signal.rlim[RLIMIT_RTPRIO][0]
            if policy != p.policy and not rlim_rtprio:
                return -E.EPERM
            if attr.priority > p.rt_priority and attr.priority > rlim_rtprio:
                return -E.EPERM
        if policy == SCHED_DEADLINE:
            return -E.EPERM
        if p.policy == SCHED_IDLE and policy != SCHED_IDLE and not is_nice_reduction(p, p.nice):
            return -E.EPERM
        if not check_same_owner(t, p):
            return -E.EPERM
        if p.sched_reset_on_fork and not reset_on_fork:
            return -E.EPERM
        return 0

    def sched_setscheduler(self, t: TaskStruct, p: TaskStruct, attr: SchedAttr) -> int:
        """__sched_setscheduler(): validate, check permissions, apply."""
        policy = attr.policy
        if policy < 0:
            reset_on_fork = p.sched_reset_on_fork
            policy = p.policy
        else:
            reset_on_fork = bool(attr.flags & SCHED_FLAG_RESET_ON_FORK)
            if not valid_policy(policy):
                return -E.EINVAL
        if attr.flags & ~SCHED_FLAG_ALL:
            return -E.EINVAL
        if attr.priority > MAX_RT_PRIO - 1:
            return -E.EINVAL
        if policy == SCHED_DEADLINE:
            if not attr.runtime or attr.deadline and attr.runtime > attr.deadline:
                return -E.EINVAL
        elif rt_policy(policy) != (attr.priority != 0):
            return -E.EINVAL
        err = self.user_check_sched_setscheduler(t, p, attr, policy, reset_on_fork)
        if err:
            return err
        if policy == SCHED_DEADLINE:
            self.k.warn_once("sched_deadline", "SCHED_DEADLINE is not simulated: sched_setattr fails with EINVAL")
            return -E.EINVAL
        nice = attr.nice if fair_policy(policy) else None
        rt_priority = attr.priority if rt_policy(policy) else 0
        if (policy == p.policy and rt_priority == p.rt_priority and reset_on_fork == p.sched_reset_on_fork
                and (nice is None or nice == p.nice)):
            return 0
        self.k.sched.setscheduler(p, policy, rt_priority, nice, reset_on_fork)
        return 0

    def _setscheduler(self, t: TaskStruct, pid: int, policy: int, param: int) -> int:
        """do_sched_setscheduler(): the shared half of sched_setscheduler and
        sched_setparam."""
        if not param or pid < 0:
            return -E.EINVAL
        raw = self.k.uaccess.copy_from_user(t, param, 4)
        if raw is None:
            return -E.EFAULT
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        flags = 0
        if policy >= 0 and policy & SCHED_RESET_ON_FORK:
            flags |= SCHED_FLAG_RESET_ON_FORK
            policy &= ~SCHED_RESET_ON_FORK
        priority = struct.unpack("<i", raw)[0]
        if priority < 0:
            return -E.EINVAL
        # sched_setscheduler keeps the nice value of a fair task
        return self.sched_setscheduler(t, p, SchedAttr(policy, flags, p.nice, priority))

    def sys_sched_setscheduler(self, t: TaskStruct, pid: int, policy: int, param: int) -> int:
        if policy < 0:
            return -E.EINVAL
        return self._setscheduler(t, pid, policy, param)

    def sys_sched_setparam(self, t: TaskStruct, pid: int, param: int) -> int:
        return self._setscheduler(t, pid, SETPARAM_POLICY, param)

    def sys_sched_getscheduler(self, t: TaskStruct, pid: int) -> int:
        if pid < 0:
            return -E.EINVAL
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        return p.policy | (SCHED_RESET_ON_FORK if p.sched_reset_on_fork else 0)

    def sys_sched_getparam(self, t: TaskStruct, pid: int, param: int) -> int:
        if not param or pid < 0:
            return -E.EINVAL
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        prio = p.rt_priority if rt_policy(p.policy) else 0
        return 0 if self.k.uaccess.copy_to_user(t, param, struct.pack("<i", prio)) else -E.EFAULT

    # ---- sched_setattr / sched_getattr ----------------------------------------------------

    def _copy_attr(self, t: TaskStruct, uattr: int) -> Union[SchedAttr, int]:
        """sched_copy_attr(): a struct sched_attr of the size user space says
        (0 meaning VER0); bigger ones must have zeros past what the kernel
        knows (else E2BIG, with the kernel's size written back)."""
        uacc = self.k.uaccess
        size = uacc.get_u32(t, uattr)
        if size is None:
            return -E.EFAULT
        if size == 0:
            size = SCHED_ATTR_SIZE_VER0
        if size < SCHED_ATTR_SIZE_VER0 or size > PAGE_SIZE:
            uacc.put_u32(t, uattr, _SCHED_ATTR.size)
            return -E.E2BIG
        raw = uacc.copy_from_user(t, uattr, size)
        if raw is None:
            return -E.EFAULT
        if any(raw[_SCHED_ATTR.size:]):
            uacc.put_u32(t, uattr, _SCHED_ATTR.size)
            return -E.E2BIG
        raw = raw[:_SCHED_ATTR.size].ljust(_SCHED_ATTR.size, b"\0")
        _size, policy, flags, nice, prio, runtime, deadline, period, _umin, _umax = _SCHED_ATTR.unpack(raw)
        if flags & (SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX) and size < SCHED_ATTR_SIZE_VER1:
            return -E.EINVAL
        policy = policy - (1 << 32) if policy & 0x80000000 else policy
        return SchedAttr(policy, flags, max(MIN_NICE, min(MAX_NICE, nice)), prio, runtime, deadline, period)

    def sys_sched_setattr(self, t: TaskStruct, pid: int, uattr: int, flags: int) -> int:
        if not uattr or pid < 0 or flags:
            return -E.EINVAL
        attr = self._copy_attr(t, uattr)
        if isinstance(attr, int):
            return attr
        if attr.policy < 0:
            return -E.EINVAL
        if attr.flags & SCHED_FLAG_KEEP_POLICY:
            attr.policy = SETPARAM_POLICY
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        if attr.flags & SCHED_FLAG_KEEP_PARAMS:
            attr.nice, attr.priority = p.nice, p.rt_priority if rt_policy(p.policy) else 0
        return self.sched_setscheduler(t, p, attr)

    def sys_sched_getattr(self, t: TaskStruct, pid: int, uattr: int, usize: int, flags: int) -> int:
        if not uattr or pid < 0 or usize > PAGE_SIZE or usize < SCHED_ATTR_SIZE_VER0 or flags:
            return -E.EINVAL
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        rt = rt_policy(p.policy)
        size = min(usize, _SCHED_ATTR.size)
        data = _SCHED_ATTR.pack(size, p.policy, SCHED_FLAG_RESET_ON_FORK if p.sched_reset_on_fork else 0,
                                0 if rt else p.nice, p.rt_priority if rt else 0, 0, 0, 0, 0, SCHED_CAPACITY_SCALE)
        return 0 if self.k.uaccess.copy_to_user(t, uattr, data[:size]) else -E.EFAULT

    # ---- priorities and slices -------------------------------------------------------------

    @staticmethod
    def sys_sched_get_priority_max(t: TaskStruct, policy: int) -> int:
        """1..99 for the rt policies, 0 for the others; SCHED_EXT is known
        here even though sched_setscheduler refuses it (as Linux 6.12+
        built without CONFIG_SCHED_CLASS_EXT answers)."""
        if policy in (SCHED_FIFO, SCHED_RR):
            return MAX_RT_PRIO - 1
        return 0 if valid_policy(policy) or policy == SCHED_EXT else -E.EINVAL

    @staticmethod
    def sys_sched_get_priority_min(t: TaskStruct, policy: int) -> int:
        if policy in (SCHED_FIFO, SCHED_RR):
            return 1
        return 0 if valid_policy(policy) or policy == SCHED_EXT else -E.EINVAL

    def sys_sched_rr_get_interval(self, t: TaskStruct, pid: int, interval: int) -> int:
        """The time slice of the task's class (RR's slice, 0 for FIFO, the
        fair slice for the others)."""
        if pid < 0:
            return -E.EINVAL
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        sched = self.k.sched
        ns = sched.rq_of(p).class_of(p).rr_interval(p)
        ts = struct.pack("<qq", *divmod(ns, 1_000_000_000))
        return 0 if self.k.uaccess.copy_to_user(t, interval, ts) else -E.EFAULT

    def sys_sched_yield(self, t: TaskStruct) -> int:
        """do_sched_yield(): the class moves the task back, then schedule()."""
        sched = self.k.sched
        sched.yield_task(sched.rq_of(t), t)
        return 0

    # ---- affinity ----------------------------------------------------------------------------

    def _nr_cpu_ids(self) -> int:
        return len(self.k.sched.rqs)

    def _online_mask(self) -> int:
        """cpu_active_mask: every CPU of the machine."""
        return (1 << self._nr_cpu_ids()) - 1

    def _cpumask_size(self) -> int:
        """cpumask_size(): bytes of a CPU mask (whole longs)."""
        return (self._nr_cpu_ids() + 63) // 64 * 8

    def sys_sched_setaffinity(self, t: TaskStruct, pid: int, size: int, mask: int) -> int:
        """sched_setaffinity(): the mask must allow one of the machine's CPUs
        (get_user_cpu_mask(): a shorter mask is zero-filled)."""
        raw = self.k.uaccess.copy_from_user(t, mask, min(max(size, 0), self._cpumask_size()))
        if raw is None:
            return -E.EFAULT
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        if not check_same_owner(t, p) and not capable_sys_nice(t):
            return -E.EPERM
        new = int.from_bytes(raw, "little") & self._online_mask()
        if not new:
            return -E.EINVAL
        self.k.sched.set_cpus_allowed(p, new)
        return 0

    def sys_sched_getaffinity(self, t: TaskStruct, pid: int, size: int, mask: int) -> int:
        """sched_getaffinity(): the task's mask of online CPUs; returns the
        number of bytes written (cpumask_size)."""
        if size * 8 < self._nr_cpu_ids() or size & 7:
            return -E.EINVAL
        p = self.find_process_by_pid(t, pid)
        if p is None:
            return -E.ESRCH
        n = min(size, self._cpumask_size())
        data = (p.cpus_mask & self._online_mask()).to_bytes(n, "little")
        return n if self.k.uaccess.copy_to_user(t, mask, data) else -E.EFAULT
