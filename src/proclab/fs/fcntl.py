"""File control (fs/fcntl.c): fcntl, and dup, dup2 and dup3, which Linux keeps
in fs/file.c but which do what F_DUPFD does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from .file import FD_CLOEXEC, O_APPEND, O_CLOEXEC, O_NONBLOCK, O_PATH, File, fd_limit, fdget_raw
from .locks import F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLK, F_SETLKW, PosixLocks
from ..kernel.sched.wait import Sleep as Blocking
from .pipe import F_GETPIPE_SZ, F_SETPIPE_SZ, pipe_fcntl
from ..uapi import errno as E

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_DUPFD_CLOEXEC = 1030
LOCK_CMDS = (F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW)


class Fcntl:
    """fcntl and the dup calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.locks = PosixLocks(k)

    def sys_fcntl(self, t: TaskStruct, fd: int, cmd: int, arg: int) -> Union[int, Blocking]:
        """fcntl(2), as do_fcntl: the record-lock commands take a struct flock
        pointer (fs/locks.py; EBADF on an O_PATH fd, as check_fcntl_cmd),
        the others `argi`, the unsigned long argument cut to an int, which
        f_dupfd and pipe_fcntl read as an unsigned int (a start >=
        RLIMIT_NOFILE is EINVAL; 1 << 32 is 0)."""
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        if cmd in LOCK_CMDS:
            return -E.EBADF if f.flags & O_PATH else self.locks.fcntl_lock(t, f, cmd, arg)
        arg &= 0xFFFFFFFF
        files = t.files
        if cmd in (F_DUPFD, F_DUPFD_CLOEXEC):
            if arg >= fd_limit(t):
                return -E.EINVAL
            newfd = files.alloc_fd(f.get(), start=arg, cloexec=cmd == F_DUPFD_CLOEXEC, limit=fd_limit(t))
            if newfd < 0:
                f.put()
            return newfd
        if cmd == F_GETFD:
            return FD_CLOEXEC if fd in files.cloexec else 0
        if cmd == F_SETFD:
            if arg & FD_CLOEXEC:
                files.cloexec.add(fd)
            else:
                files.cloexec.discard(fd)
            return 0
        if cmd == F_GETFL:
            return f.flags
        if cmd == F_SETFL:
            changeable = O_APPEND | O_NONBLOCK
            f.flags = (f.flags & ~changeable) | (arg & changeable)
            return 0
        if cmd in (F_SETPIPE_SZ, F_GETPIPE_SZ):
            return pipe_fcntl(f, cmd, arg, t.cred.euid == 0)
        return -E.EINVAL

    def sys_dup(self, t: TaskStruct, fd: int) -> int:
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        newfd = t.files.alloc_fd(f.get(), limit=fd_limit(t))
        if newfd < 0:
            f.put()
        return newfd

    def sys_dup2(self, t: TaskStruct, oldfd: int, newfd: int) -> int:
        f = fdget_raw(t, oldfd)
        if f is None:
            return -E.EBADF
        if oldfd == newfd:
            return newfd
        return self._dup_to(t, f, newfd, False)

    def sys_dup3(self, t: TaskStruct, oldfd: int, newfd: int, flags: int) -> int:
        if flags & ~O_CLOEXEC or oldfd == newfd:
            return -E.EINVAL
        f = fdget_raw(t, oldfd)
        if f is None:
            return -E.EBADF
        return self._dup_to(t, f, newfd, bool(flags & O_CLOEXEC))

    def _dup_to(self, t: TaskStruct, f: File, newfd: int, cloexec: bool) -> int:
        if not 0 <= newfd < fd_limit(t):
            return -E.EBADF
        t.files.install(newfd, f.get(), cloexec)
        return newfd
