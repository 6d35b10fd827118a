"""Small system calls about a task's identity and settings (kernel/sys.c,
arch/x86/kernel/process_64.c for arch_prctl): ids, process groups and sessions,
uname, prctl, rlimits, rusage, times, umask, cwd, reboot.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from ..arch.x86_64.context import FS_BASE
from ..lib.lockdep import lock_acquire
from ..uapi import errno as E
from ..uapi import prctl as P
from ..uapi import signal as S
from ..uapi.resource import RLIM_NLIMITS, RUSAGE_CHILDREN, RUSAGE_SELF, RUSAGE_THREAD
from .sched.sched import rt_policy
from .sched.syscalls import capable_sys_nice, check_same_owner, is_nice_reduction
from .time.timekeeping import NSEC_PER_SEC, ns_to_clock_t
from .task import PF_FORKNOEXEC, TaskStruct, process_usage
from .usermode import ScriptThread

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

UTSNAME = (b"Linux", b"proclab", b"6.6.0-proclab", b"#1 SMP PREEMPT_DYNAMIC proclab", b"x86_64", b"(none)")
PRIO_PROCESS, PRIO_PGRP, PRIO_USER = 0, 1, 2
LINUX_REBOOT_MAGIC1 = 0xFEE1DEAD
LINUX_REBOOT_MAGIC2 = (672274793, 85072278, 369367448, 537993216)
LINUX_REBOOT_CMD_RESTART = 0x01234567
LINUX_REBOOT_CMD_HALT = 0xCDEF0123
LINUX_REBOOT_CMD_POWER_OFF = 0x4321FEDC


class Sys:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- ids ------------------------------------------------------------------------

    def sys_getpid(self, t: TaskStruct) -> int:
        return t.tgid

    def sys_gettid(self, t: TaskStruct) -> int:
        return t.pid

    def sys_getppid(self, t: TaskStruct) -> int:
        lock_acquire(("parent", t.pid), write=False)
        return t.ppid()

    def sys_getuid(self, t: TaskStruct) -> int:
        return t.cred.uid

    def sys_geteuid(self, t: TaskStruct) -> int:
        return t.cred.euid

    def sys_getgid(self, t: TaskStruct) -> int:
        return t.cred.gid

    def sys_getegid(self, t: TaskStruct) -> int:
        return t.cred.egid

    def sys_getresuid(self, t: TaskStruct, ruid: int, euid: int, suid: int) -> int:
        return self._put3(t, (ruid, euid, suid), (t.cred.uid, t.cred.euid, t.cred.suid))

    def sys_getresgid(self, t: TaskStruct, rgid: int, egid: int, sgid: int) -> int:
        return self._put3(t, (rgid, egid, sgid), (t.cred.gid, t.cred.egid, t.cred.sgid))

    def _put3(self, t: TaskStruct, addrs: tuple[int, int, int], values: tuple[int, int, int]) -> int:
        for addr, value in zip(addrs, values):
            if not self.k.uaccess.put_u32(t, addr, value):
                return -E.EFAULT
        return 0

    def sys_getgroups(self, t: TaskStruct, size: int, grouplist: int) -> int:
        groups = t.cred.groups
        if size == 0:
            return len(groups)
        if size < len(groups):
            return -E.EINVAL
        data = struct.pack(f"<{len(groups)}I", *groups)
        return len(groups) if self.k.uaccess.copy_to_user(t, grouplist, data) else -E.EFAULT

    # ---- process groups and sessions ---------------------------------------------------

    def sys_setpgid(self, t: TaskStruct, pid: int, pgid: int) -> int:
        """setpgid(2) with Linux's rules (kernel/sys.c)."""
        k = self.k
        ns = k.pid_ns
        leader = t.group_leader
        if pid == 0:
            pid = leader.pid
        if pgid == 0:
            pgid = pid
        if pgid < 0:
            return -E.EINVAL
        p = ns.find_task(pid)
        if p is None:
            return -E.ESRCH
        if not p.thread_group_leader():
            return -E.EINVAL
        if p.real_parent.tgid == leader.tgid:
            if p.signal.session is not leader.signal.session:
                return -E.EPERM
            if not p.flags & PF_FORKNOEXEC:
                return -E.EACCES  # the child has exec'ed already
        elif p is not leader:
            return -E.ESRCH
        if p.signal.leader:
            return -E.EPERM
        if pgid == p.pid:
            pgrp = p.pid_link
        else:
            pgrp = ns.find_pid(pgid)
            if pgrp is None or not pgrp.pgrp:
                return -E.EPERM
            member = next(iter(pgrp.pgrp))
            if member.signal.session is not leader.signal.session:
                return -E.EPERM
        assert pgrp is not None
        if p.signal.pgrp is not pgrp:
            ns.leave_pgrp(p)
            ns.join_pgrp(p, pgrp)
        return 0

    def sys_getpgid(self, t: TaskStruct, pid: int) -> int:
        p = t if pid == 0 else self.k.pid_ns.find_task(pid)
        if p is None or p.signal.pgrp is None:
            return -E.ESRCH
        return p.signal.pgrp.nr

    def sys_getpgrp(self, t: TaskStruct) -> int:
        return self.sys_getpgid(t, 0)

    def sys_getsid(self, t: TaskStruct, pid: int) -> int:
        p = t if pid == 0 else self.k.pid_ns.find_task(pid)
        if p is None or p.signal.session is None:
            return -E.ESRCH
        return p.signal.session.nr

    def sys_setsid(self, t: TaskStruct) -> int:
        """setsid(2): EPERM when the caller's pid already names a process group."""
        ns = self.k.pid_ns
        leader = t.group_leader
        pid = leader.pid_link
        assert pid is not None
        if pid.pgrp:
            return -E.EPERM
        leader.signal.leader = True
        ns.leave_session(leader)
        ns.join_session(leader, pid)
        ns.leave_pgrp(leader)
        ns.join_pgrp(leader, pid)
        leader.signal.tty = None
        return pid.nr

    # ---- naming and limits ---------------------------------------------------------------

    def sys_uname(self, t: TaskStruct, buf: int) -> int:
        data = b"".join(field.ljust(65, b"\0") for field in UTSNAME)
        return 0 if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT

    def sys_prctl(self, t: TaskStruct, option: int, arg2: int, arg3: int, arg4: int, arg5: int) -> int:
        uacc = self.k.uaccess
        if option == P.PR_SET_CHILD_SUBREAPER:
            t.signal.is_child_subreaper = bool(arg2)
            if arg2:
                self._propagate_has_child_subreaper(t)
            return 0
        if option == P.PR_GET_CHILD_SUBREAPER:
            return 0 if uacc.put_i32(t, arg2, int(t.signal.is_child_subreaper)) else -E.EFAULT
        if option == P.PR_SET_PDEATHSIG:
            if not 0 <= arg2 <= S.NSIG:
                return -E.EINVAL
            t.pdeath_signal = arg2
            return 0
        if option == P.PR_GET_PDEATHSIG:
            return 0 if uacc.put_i32(t, arg2, t.pdeath_signal) else -E.EFAULT
        if option == P.PR_SET_NAME:
            name = uacc.copy_from_user(t, arg2, 16)
            if name is None:
                return -E.EFAULT
            self.k.set_task_comm(t, name.split(b"\0")[0].decode("utf-8", "replace"))
            return 0
        if option == P.PR_GET_NAME:
            data = t.comm.encode()[:15].ljust(16, b"\0")
            return 0 if uacc.copy_to_user(t, arg2, data) else -E.EFAULT
        if option == P.PR_GET_TIMERSLACK:
            return t.timer_slack_ns
        if option == P.PR_SET_TIMERSLACK:
            if not rt_policy(t.policy):  # a real-time task keeps no slack
                t.timer_slack_ns = t.default_timer_slack_ns if arg2 <= 0 else arg2
            return 0
        if option == P.PR_GET_DUMPABLE:
            return 1
        if option == P.PR_SET_DUMPABLE:
            return 0 if arg2 in (0, 1) else -E.EINVAL
        return -E.EINVAL

    def _propagate_has_child_subreaper(self, t: TaskStruct) -> None:
        """Descendants that exist already learn that an ancestor now reaps orphans."""
        stack = list(t.children)
        while stack:
            p = stack.pop()
            if p.signal.has_child_subreaper:
                continue
            p.signal.has_child_subreaper = True
            stack.extend(p.children)

    def sys_arch_prctl(self, t: TaskStruct, code: int, addr: int) -> int:
        th = t.thread
        if th is None or th.__class__ is ScriptThread:
            return -E.EINVAL
        cpu = self.k.cpu_of(t)
        if code == P.ARCH_SET_FS:
            cpu.set_fs_base(th, addr)
            return 0
        if code == P.ARCH_GET_FS:
            return 0 if self.k.uaccess.put_u64(t, addr, cpu.reg_read(th, FS_BASE)) else -E.EFAULT
        return -E.EINVAL

    def sys_set_tid_address(self, t: TaskStruct, tidptr: int) -> int:
        t.clear_child_tid = tidptr
        return t.pid

    def _rlimit_target(self, t: TaskStruct, pid: int) -> Optional[TaskStruct]:
        return t if pid == 0 else self.k.pid_ns.find_task(pid)

    def sys_getrlimit(self, t: TaskStruct, resource: int, rlim: int) -> int:
        return self.sys_prlimit64(t, 0, resource, 0, rlim)

    def sys_setrlimit(self, t: TaskStruct, resource: int, rlim: int) -> int:
        return self.sys_prlimit64(t, 0, resource, rlim, 0)

    def sys_prlimit64(self, t: TaskStruct, pid: int, resource: int, new: int, old: int) -> int:
        if not 0 <= resource < RLIM_NLIMITS:
            return -E.EINVAL
        p = self._rlimit_target(t, pid)
        if p is None:
            return -E.ESRCH
        uacc = self.k.uaccess
        limits = p.signal.rlim
        if new:
            raw = uacc.copy_from_user(t, new, 16)
            if raw is None:
                return -E.EFAULT
            soft, hard = struct.unpack("<QQ", raw)
            if soft > hard:
                return -E.EINVAL
            if hard > limits[resource][1] and t.cred.euid != 0:
                return -E.EPERM
        if old and not uacc.copy_to_user(t, old, struct.pack("<QQ", *limits[resource])):
            return -E.EFAULT
        if new:
            updated = list(limits)
            updated[resource] = (soft, hard)
            p.signal.rlim = tuple(updated)
        return 0

    def sys_getrusage(self, t: TaskStruct, who: int, ru: int) -> int:
        if who not in (RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD):
            return -E.EINVAL
        data = self.k.exit.rusage_of(t, who)
        return 0 if self.k.uaccess.copy_to_user(t, ru, data) else -E.EFAULT

    def sys_times(self, t: TaskStruct, buf: int) -> int:
        own, kids = process_usage(t), t.signal.children_usage
        if buf:
            data = struct.pack("<4q", *(ns_to_clock_t(v) for v in (own.utime, own.stime, kids.utime, kids.stime)))
            if not self.k.uaccess.copy_to_user(t, buf, data):
                return -E.EFAULT
        return ns_to_clock_t(self.k.clock.now)

    def sys_sysinfo(self, t: TaskStruct, info: int) -> int:
        k = self.k
        phys = k.phys
        data = struct.pack(
            "<q3Q6QHxxxxxxQQI",
            k.clock.now // NSEC_PER_SEC, 0, 0, 0,
            phys.size, phys.nr_free * 4096, 0, 0, 0, 0,
            min(k.nr_threads, 0xFFFF), 0, 0, 1,
        )
        return 0 if k.uaccess.copy_to_user(t, info, data.ljust(112, b"\0")) else -E.EFAULT

    # ---- fs_struct ---------------------------------------------------------------------

    def sys_umask(self, t: TaskStruct, mask: int) -> int:
        old = t.fs.umask
        t.fs.umask = mask & 0o777
        return old

    # ---- nice values (kernel/sys.c set_one_prio) ---------------------------------------------

    def _prio_targets(self, t: TaskStruct, which: int, who: int) -> Optional[list[TaskStruct]]:
        k = self.k
        if which == PRIO_PROCESS:
            p = k.sched_syscalls.find_process_by_pid(t, who)
            return [] if p is None else [p]
        if which == PRIO_PGRP:
            pgrp = t.signal.pgrp if who == 0 else k.pid_ns.find_pid(who)
            return list(pgrp.pgrp or ()) if pgrp is not None else []
        if which == PRIO_USER:
            uid = t.cred.uid if who == 0 else who
            return [p for p in k.for_each_process() if p.cred.uid == uid and not p.is_kthread()]
        return None

    def sys_getpriority(self, t: TaskStruct, which: int, who: int) -> int:
        """The best (lowest) nice value among the targets, as 20 - nice."""
        targets = self._prio_targets(t, which, who)
        if targets is None:
            return -E.EINVAL
        if not targets:
            return -E.ESRCH
        return 20 - min(p.nice for p in targets)

    def sys_setpriority(self, t: TaskStruct, which: int, who: int, niceval: int) -> int:
        """set_one_prio() on each target: EPERM for another user's task,
        EACCES for a nice value below RLIMIT_NICE's (the last error wins,
        the others are still changed)."""
        targets = self._prio_targets(t, which, who)
        if targets is None:
            return -E.EINVAL
        if not targets:
            return -E.ESRCH
        niceval = max(-20, min(19, niceval))
        error = 0
        for p in targets:
            if not check_same_owner(t, p) and not capable_sys_nice(t):
                error = -E.EPERM
            elif niceval < p.nice and not is_nice_reduction(p, niceval) and not capable_sys_nice(t):
                error = -E.EACCES  # can_nice(): beyond RLIMIT_NICE without CAP_SYS_NICE
            else:
                self.k.sched.set_user_nice(p, niceval)
        return error

    # ---- scheduling and the machine -------------------------------------------------------

    def sys_getcpu(self, t: TaskStruct, cpup: int, nodep: int, cache: int) -> int:
        """getcpu(): the CPU the caller runs on, and its NUMA node (0)."""
        uacc = self.k.uaccess
        if cpup and not uacc.put_u32(t, cpup, t.cpu):
            return -E.EFAULT
        if nodep and not uacc.put_u32(t, nodep, 0):
            return -E.EFAULT
        return 0

    def sys_ni_configured_out(self, t: TaskStruct) -> int:
        """sys_ni_syscall for a feature this kernel is built without
        (CONFIG_RSEQ, CONFIG_NUMA): ENOSYS, which the C libraries and
        procps expect from such kernels and handle quietly (no warning)."""
        return -E.ENOSYS

    def sys_getrandom(self, t: TaskStruct, buf: int, count: int, flags: int) -> int:
        if flags & ~7:
            return -E.EINVAL
        count = min(count, 1 << 25)
        data = self.k.random.randbytes(count)
        return count if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT

    def sys_reboot(self, t: TaskStruct, magic1: int, magic2: int, cmd: int, arg: int) -> int:
        if t.cred.euid != 0:
            return -E.EPERM
        if magic1 != LINUX_REBOOT_MAGIC1 or magic2 not in LINUX_REBOOT_MAGIC2:
            return -E.EINVAL
        if cmd in (LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_HALT, LINUX_REBOOT_CMD_RESTART):
            self.k.halt("poweroff", f"pid {t.pid} ({t.comm}) powered the machine off")
            return 0
        return -E.EINVAL

