"""The x86-64 system call table (arch/x86/entry/syscall_64.c).

Each entry names the handler and the C types of its arguments, like
SYSCALL_DEFINEn: "i" int, "u" unsigned int, "l" long, "p" pointer or size_t
(unsigned 64 bits). Registers arrive as unsigned 64-bit values; the table's
adapters hand handlers Python ints of the declared type, so `wait4(-1, ...)`
really receives -1.
"""

from __future__ import annotations

from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, Callable, Optional

from ...uapi.unistd import NR
from ...fs.sync import sys_fsync, sys_sync
from ...mm.fadvise import sys_fadvise64
from ...net.socket import ON_SOCKET_FD
from ...mm.madvise import sys_madvise
from ...mm import mlock as ml
from ...mm.mmap import sys_brk, sys_mmap, sys_munmap
from ...mm.mprotect import sys_mprotect
from ...mm.mremap import sys_mremap
from ...mm.msync import sys_msync

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel

Handler = Callable[..., Any]
Adapter = Callable[[Any, int, int, int, int, int, int], Any]


def _s32(x: int) -> int:
    x &= 0xFFFFFFFF
    return x - 0x100000000 if x & 0x80000000 else x


def _u32(x: int) -> int:
    return x & 0xFFFFFFFF


def _s64(x: int) -> int:
    return x - 0x10000000000000000 if x >> 63 else x


_CONVERT = {"i": "_s32", "u": "_u32", "l": "_s64", "p": ""}
_ADAPTERS: dict[str, Callable[[Handler], Adapter]] = {}


def adapt(fn: Handler, spec: str) -> Adapter:
    """A function of (task, a0..a5) that calls fn with the declared arguments,
    e.g. for "ip": lambda t, a0, a1, a2, a3, a4, a5: fn(t, _s32(a0), a1).
    One maker per signature, written out so a call costs no loop."""
    maker = _ADAPTERS.get(spec)
    if maker is None:
        args = ", ".join(f"{_CONVERT[c]}(a{i})" if _CONVERT[c] else f"a{i}" for i, c in enumerate(spec))
        code = f"lambda fn: lambda t, a0, a1, a2, a3, a4, a5: fn(t{', ' if args else ''}{args})"
        maker = _ADAPTERS[spec] = eval(code, {"_s32": _s32, "_u32": _u32, "_s64": _s64})
    return maker(fn)


def with_warn_once(fn: Handler, k: Kernel) -> Handler:
    """`fn` given the kernel's warn_once, for may_expand_vm()'s RLIMIT_DATA
    warning; it still names `fn` (its module is where the syscall lives)."""
    return update_wrapper(partial(fn, warn_once=k.warn_once), fn)


def syscall_entries(k: Kernel) -> list[tuple[str, Handler, str]]:
    """(name, handler, argument types) of every implemented system call."""
    sig, ex, fk, sy, tm, sc = k.signal, k.exit, k.fork, k.sys, k.time, k.sched_syscalls
    rw, op, nm, st, xa = k.read_write, k.open, k.namei, k.stat, k.xattr
    entries: list[tuple[str, Handler, str]] = [
        # files
        ("read", rw.sys_read, "ipp"),
        ("write", rw.sys_write, "ipp"),
        ("close", op.sys_close, "i"),
        ("ioctl", k.ioctl.sys_ioctl, "iup"),
        ("pread64", rw.sys_pread64, "ippl"),
        ("pwrite64", rw.sys_pwrite64, "ippl"),
        ("readv", rw.sys_readv, "ipi"),
        ("writev", rw.sys_writev, "ipi"),
        ("preadv", rw.sys_preadv, "ipill"),
        ("pwritev", rw.sys_pwritev, "ipill"),
        ("preadv2", rw.sys_preadv2, "ipilli"),
        ("pwritev2", rw.sys_pwritev2, "ipilli"),
        ("lseek", rw.sys_lseek, "ili"),
        ("pipe", k.pipe.sys_pipe, "p"),
        ("pipe2", k.pipe.sys_pipe2, "pi"),
        ("close_range", op.sys_close_range, "uuu"),
        ("flock", k.flock.sys_flock, "iu"),
        ("copy_file_range", rw.sys_copy_file_range, "ipippu"),
        ("unshare", fk.sys_unshare, "p"),
        ("dup", k.fcntl.sys_dup, "i"),
        ("dup2", k.fcntl.sys_dup2, "ii"),
        ("dup3", k.fcntl.sys_dup3, "iii"),
        ("fcntl", k.fcntl.sys_fcntl, "iil"),
        # waiting for files (select.py)
        ("poll", k.select.sys_poll, "pui"),
        ("ppoll", k.select.sys_ppoll, "puppp"),
        ("select", k.select.sys_select, "ipppp"),
        ("pselect6", k.select.sys_pselect6, "ippppp"),
        # epoll (eventpoll.py)
        ("epoll_create", k.eventpoll.sys_epoll_create, "i"),
        ("epoll_create1", k.eventpoll.sys_epoll_create1, "i"),
        ("epoll_ctl", k.eventpoll.sys_epoll_ctl, "iiip"),
        ("epoll_wait", k.eventpoll.sys_epoll_wait, "ipii"),
        ("epoll_pwait", k.eventpoll.sys_epoll_pwait, "ipiipp"),
        ("epoll_pwait2", k.eventpoll.sys_epoll_pwait2, "ipippp"),
        # paths (namei.py, open.py) and file status (stat.py)
        ("open", op.sys_open, "piu"),
        ("openat", op.sys_openat, "ipiu"),
        ("creat", op.sys_creat, "pu"),
        ("access", op.sys_access, "pi"),
        ("faccessat", op.sys_faccessat, "ipi"),
        ("faccessat2", op.sys_faccessat2, "ipii"),
        ("getcwd", k.d_path.sys_getcwd, "pp"),
        ("chdir", op.sys_chdir, "p"),
        ("fchdir", op.sys_fchdir, "i"),
        ("chroot", op.sys_chroot, "p"),
        ("mkdir", nm.sys_mkdir, "pu"),
        ("mkdirat", nm.sys_mkdirat, "ipu"),
        ("mknod", nm.sys_mknod, "puu"),
        ("mknodat", nm.sys_mknodat, "ipuu"),
        ("rmdir", nm.sys_rmdir, "p"),
        ("unlink", nm.sys_unlink, "p"),
        ("unlinkat", nm.sys_unlinkat, "ipi"),
        ("rename", nm.sys_rename, "pp"),
        ("renameat", nm.sys_renameat, "ipip"),
        ("renameat2", nm.sys_renameat2, "ipipu"),
        ("link", nm.sys_link, "pp"),
        ("linkat", nm.sys_linkat, "ipipi"),
        ("symlink", nm.sys_symlink, "pp"),
        ("symlinkat", nm.sys_symlinkat, "pip"),
        ("readlink", st.sys_readlink, "ppi"),
        ("readlinkat", st.sys_readlinkat, "ippi"),
        ("truncate", op.sys_truncate, "pl"),
        ("ftruncate", op.sys_ftruncate, "il"),
        ("chmod", op.sys_chmod, "pu"),
        ("fchmod", op.sys_fchmod, "iu"),
        ("fchmodat", op.sys_fchmodat, "ipu"),
        ("chown", op.sys_chown, "puu"),
        ("fchown", op.sys_fchown, "iuu"),
        ("lchown", op.sys_lchown, "puu"),
        ("fchownat", op.sys_fchownat, "ipuui"),
        ("utimensat", k.utimes.sys_utimensat, "ippi"),
        ("stat", st.sys_stat, "pp"),
        ("lstat", st.sys_lstat, "pp"),
        ("fstat", st.sys_fstat, "ip"),
        ("newfstatat", st.sys_newfstatat, "ippi"),
        ("statx", st.sys_statx, "ipiup"),
        ("getdents64", k.readdir.sys_getdents64, "ipu"),
        ("statfs", k.statfs.sys_statfs, "pp"),
        ("fstatfs", k.statfs.sys_fstatfs, "ip"),
        ("fadvise64", sys_fadvise64, "illi"),
        ("fsync", sys_fsync, "i"),
        ("fdatasync", sys_fsync, "i"),
        ("sync", sys_sync, ""),
        # sockets: only AF_NETLINK is registered (net/socket.py, net/netlink.py)
        ("socket", k.socket.sys_socket, "iii"),
        ("socketpair", k.socket.sys_socketpair, "iiip"),
        ("recvfrom", k.socket.sys_recvfrom, "ippupp"),
        ("recvmsg", k.socket.sys_recvmsg, "ipu"),
        *((name, k.socket.sock_no_op, "i") for name in ON_SOCKET_FD),
        ("getxattr", xa.sys_getxattr, "pppp"),
        ("lgetxattr", xa.sys_lgetxattr, "pppp"),
        ("fgetxattr", xa.sys_fgetxattr, "ippp"),
        ("listxattr", xa.sys_listxattr, "ppp"),
        ("llistxattr", xa.sys_llistxattr, "ppp"),
        ("flistxattr", xa.sys_flistxattr, "ipp"),
        ("setxattr", xa.sys_setxattr, "ppppi"),
        ("lsetxattr", xa.sys_lsetxattr, "ppppi"),
        ("fsetxattr", xa.sys_fsetxattr, "ipppi"),
        ("removexattr", xa.sys_removexattr, "pp"),
        ("lremovexattr", xa.sys_lremovexattr, "pp"),
        ("fremovexattr", xa.sys_fremovexattr, "ip"),
        # memory
        ("brk", with_warn_once(sys_brk, k), "p"),
        ("mmap", with_warn_once(sys_mmap, k), "ppuuil"),
        ("munmap", sys_munmap, "pp"),
        ("mprotect", with_warn_once(sys_mprotect, k), "ppu"),
        ("mremap", with_warn_once(sys_mremap, k), "pppup"),
        ("msync", sys_msync, "ppi"),
        ("madvise", sys_madvise, "ppi"),
        ("mincore", k.mincore.sys_mincore, "ppp"),
        ("mlock", ml.sys_mlock, "pp"),
        ("mlock2", ml.sys_mlock2, "ppi"),
        ("munlock", ml.sys_munlock, "pp"),
        ("mlockall", ml.sys_mlockall, "i"),
        ("munlockall", ml.sys_munlockall, ""),
        # processes
        ("fork", fk.sys_fork, ""),
        ("vfork", fk.sys_vfork, ""),
        ("clone", fk.sys_clone, "ppppp"),
        ("clone3", fk.sys_clone3, "pp"),
        ("execve", k.exec.sys_execve, "ppp"),
        ("exit", ex.sys_exit, "i"),
        ("exit_group", ex.sys_exit_group, "i"),
        ("wait4", ex.sys_wait4, "ipup"),     # options: an int whose bits matter (__WCLONE)
        ("waitid", ex.sys_waitid, "iipup"),
        # signals
        ("rt_sigaction", sig.sys_rt_sigaction, "ippp"),
        ("rt_sigprocmask", sig.sys_rt_sigprocmask, "ippp"),
        ("rt_sigpending", sig.sys_rt_sigpending, "pp"),
        ("kill", sig.sys_kill, "ii"),
        ("tkill", sig.sys_tkill, "ii"),
        ("tgkill", sig.sys_tgkill, "iii"),
        ("rt_sigqueueinfo", sig.sys_rt_sigqueueinfo, "iip"),
        ("rt_tgsigqueueinfo", sig.sys_rt_tgsigqueueinfo, "iiip"),
        ("pause", sig.sys_pause, ""),
        ("rt_sigsuspend", sig.sys_rt_sigsuspend, "pp"),
        ("rt_sigtimedwait", sig.sys_rt_sigtimedwait, "pppp"),
        ("rt_sigreturn", k.sigframe.sys_rt_sigreturn, ""),
        ("sigaltstack", k.sigframe.sys_sigaltstack, "pp"),
        ("alarm", k.itimers.sys_alarm, "u"),
        ("getitimer", k.itimers.sys_getitimer, "ip"),
        ("setitimer", k.itimers.sys_setitimer, "ipp"),
        ("timer_create", k.posix_timers.sys_timer_create, "ipp"),         # clockid_t, sigevent *, timer_t *
        ("timer_settime", k.posix_timers.sys_timer_settime, "iipp"),      # timer_t is an int
        ("timer_gettime", k.posix_timers.sys_timer_gettime, "ip"),
        ("timer_getoverrun", k.posix_timers.sys_timer_getoverrun, "i"),
        ("timer_delete", k.posix_timers.sys_timer_delete, "i"),
        # System V IPC (ipc/)
        ("shmget", k.shm.sys_shmget, "ipi"),            # key_t, size_t, int
        ("shmat", k.shm.sys_shmat, "ipi"),
        ("shmdt", k.shm.sys_shmdt, "p"),
        ("shmctl", k.shm.sys_shmctl, "iip"),
        ("semget", k.sems.sys_semget, "iii"),
        ("semop", k.sems.sys_semop, "ipu"),              # int, struct sembuf *, unsigned nsops
        ("semtimedop", k.sems.sys_semtimedop, "ipup"),
        ("semctl", k.sems.sys_semctl, "iiip"),           # union semun passed by value
        ("msgget", k.msgs.sys_msgget, "ii"),
        ("msgsnd", k.msgs.sys_msgsnd, "ippi"),           # int, struct msgbuf *, size_t, int
        ("msgrcv", k.msgs.sys_msgrcv, "ippli"),          # ..., long msgtyp, int
        ("msgctl", k.msgs.sys_msgctl, "iip"),
        # POSIX message queues (ipc/mqueue.py)
        ("mq_open", k.mqueue.sys_mq_open, "piup"),           # name, int oflag, umode_t, struct mq_attr *
        ("mq_unlink", k.mqueue.sys_mq_unlink, "p"),
        ("mq_timedsend", k.mqueue.sys_mq_timedsend, "ippup"),       # mqd_t, msg, size_t, unsigned prio, timespec *
        ("mq_timedreceive", k.mqueue.sys_mq_timedreceive, "ipppp"),  # mqd_t, msg, size_t, unsigned *prio, timespec *
        ("mq_notify", k.mqueue.sys_mq_notify, "ip"),
        ("mq_getsetattr", k.mqueue.sys_mq_getsetattr, "ipp"),
        # ids, groups, limits
        ("getpid", sy.sys_getpid, ""),
        ("gettid", sy.sys_gettid, ""),
        ("getppid", sy.sys_getppid, ""),
        ("getuid", sy.sys_getuid, ""),
        ("geteuid", sy.sys_geteuid, ""),
        ("getgid", sy.sys_getgid, ""),
        ("getegid", sy.sys_getegid, ""),
        ("getresuid", sy.sys_getresuid, "ppp"),
        ("getresgid", sy.sys_getresgid, "ppp"),
        ("getgroups", sy.sys_getgroups, "ip"),
        ("setuid", k.creds.sys_setuid, "u"),
        ("setgid", k.creds.sys_setgid, "u"),
        ("setreuid", k.creds.sys_setreuid, "uu"),
        ("setregid", k.creds.sys_setregid, "uu"),
        ("setresuid", k.creds.sys_setresuid, "uuu"),
        ("setresgid", k.creds.sys_setresgid, "uuu"),
        ("setgroups", k.creds.sys_setgroups, "ip"),
        ("setpgid", sy.sys_setpgid, "ii"),
        ("getpgid", sy.sys_getpgid, "i"),
        ("getpgrp", sy.sys_getpgrp, ""),
        ("setsid", sy.sys_setsid, ""),
        ("getsid", sy.sys_getsid, "i"),
        ("uname", sy.sys_uname, "p"),
        ("prctl", sy.sys_prctl, "ipppp"),
        ("arch_prctl", sy.sys_arch_prctl, "ip"),
        ("set_tid_address", sy.sys_set_tid_address, "p"),
        ("getrlimit", sy.sys_getrlimit, "up"),
        ("setrlimit", sy.sys_setrlimit, "up"),
        ("prlimit64", sy.sys_prlimit64, "iupp"),
        ("getrusage", sy.sys_getrusage, "ip"),
        ("times", sy.sys_times, "p"),
        ("sysinfo", sy.sys_sysinfo, "p"),
        ("umask", sy.sys_umask, "u"),
        ("getpriority", sy.sys_getpriority, "ii"),
        ("setpriority", sy.sys_setpriority, "iii"),
        ("sched_yield", sc.sys_sched_yield, ""),
        ("sched_setscheduler", sc.sys_sched_setscheduler, "iip"),
        ("sched_getscheduler", sc.sys_sched_getscheduler, "i"),
        ("sched_setparam", sc.sys_sched_setparam, "ip"),
        ("sched_getparam", sc.sys_sched_getparam, "ip"),
        ("sched_setattr", sc.sys_sched_setattr, "ipu"),
        ("sched_getattr", sc.sys_sched_getattr, "ipuu"),
        ("sched_get_priority_max", sc.sys_sched_get_priority_max, "i"),
        ("sched_get_priority_min", sc.sys_sched_get_priority_min, "i"),
        ("sched_rr_get_interval", sc.sys_sched_rr_get_interval, "ip"),
        ("getcpu", sy.sys_getcpu, "ppp"),
        ("getrandom", sy.sys_getrandom, "ppu"),
        # configured out: restartable sequences, NUMA memory policies
        *((name, sy.sys_ni_configured_out, "") for name in (
            "rseq", "get_mempolicy", "set_mempolicy", "mbind", "migrate_pages", "move_pages",
            "set_mempolicy_home_node")),
        ("sched_getaffinity", sc.sys_sched_getaffinity, "iup"),
        ("sched_setaffinity", sc.sys_sched_setaffinity, "iup"),
        ("reboot", sy.sys_reboot, "uuup"),
        ("futex", k.futex.sys_futex, "pipppu"),
        ("set_robust_list", k.futex.sys_set_robust_list, "pp"),
        ("get_robust_list", k.futex.sys_get_robust_list, "ipp"),
        # time
        ("clock_gettime", tm.sys_clock_gettime, "ip"),
        ("clock_getres", tm.sys_clock_getres, "ip"),
        ("gettimeofday", tm.sys_gettimeofday, "pp"),
        ("time", tm.sys_time, "p"),
        ("nanosleep", tm.sys_nanosleep, "pp"),
        ("clock_nanosleep", tm.sys_clock_nanosleep, "iipp"),
        ("restart_syscall", tm.sys_restart_syscall, ""),
    ]
    return entries


class SyscallTable(dict):
    """sys_call_table: number -> adapter calling the handler, each adapter
    made at the first call of its number. A program makes a few dozen of
    the ~240 calls, and `proclab explore` boots a kernel per schedule:
    building every adapter up front took ~1.3 ms of a 17 ms run. Look
    numbers up with [] (None for one that is not implemented); an entry set
    by hand (a test injecting a fault) is used as it is."""

    def __init__(self, k: Kernel) -> None:
        super().__init__()
        self._k = k
        self._entries: Optional[dict[int, tuple[Handler, str]]] = None

    def __missing__(self, nr: int) -> Optional[Adapter]:
        if self._entries is None:
            self._entries = {NR[name]: (fn, spec) for name, fn, spec in syscall_entries(self._k)}
        entry = self._entries.get(nr)
        if entry is None:
            return None
        made = self[nr] = adapt(*entry)
        return made


def build_syscall_table(k: Kernel) -> SyscallTable:
    """The kernel's sys_call_table."""
    return SyscallTable(k)
