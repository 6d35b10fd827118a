"""File descriptor system calls (fs/read_write.c, fs/file.c, fs/fcntl.c,
fs/pipe.c, fs/ioctl.c): read/write and their vector forms, close, dup*,
pipe/pipe2, fcntl, ioctl, lseek; and the sleep of a FIFO's open.

Blocking lives here, not in fs/: when a file says -EAGAIN, a blocking fd sleeps
interruptibly on the file's wait queue and tries again (SEMANTICS I1, S2).
A write to a pipe with no reader left gets EPIPE and SIGPIPE.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Optional, Union

from .file import FD_CLOEXEC, O_APPEND, O_CLOEXEC, O_NONBLOCK, O_PATH, File
from .locks import LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN, flock_context, flock_lock_inode
from .pipe import F_GETPIPE_SZ, F_SETPIPE_SZ, PipeFile, create_pipe_files, fifo_partner, pipe_fcntl
from ..uapi import errno as E
from ..uapi import signal as S
from ..uapi.resource import RLIMIT_NOFILE
from ..kernel.fork import unshare_fd
from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..kernel.signal import siginfo
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

MAX_RW_COUNT = 0x7FFFF000
IOV_MAX = 1024
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_DUPFD_CLOEXEC = 1030
FIONCLEX, FIOCLEX = 0x5450, 0x5451
O_DIRECT = 0o40000
CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC = 1 << 1, 1 << 2


class FileIO:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def _file(self, t: TaskStruct, fd: int) -> Optional[File]:
        return t.files.get(fd) if t.files is not None else None

    def fd_limit(self, t: TaskStruct) -> int:
        return min(t.signal.rlim[RLIMIT_NOFILE][0], 1 << 20)

    # ---- read ----------------------------------------------------------------------

    def _do_read(self, t: TaskStruct, f: File, count: int) -> Generator[None, None, Union[bytes, int]]:
        """Read up to `count` bytes, sleeping while the file has nothing yet."""
        while True:
            data = f.read(count)
            if not isinstance(data, int) or data != -E.EAGAIN or f.flags & O_NONBLOCK:
                return data
            queue = f.read_queue()
            if queue is None:
                return data
            ret = yield from wait_event(self.k.sched, t, queue, f.read_ready)
            if ret:
                return ret

    def sys_read(self, t: TaskStruct, fd: int, buf: int, count: int) -> Blocking:
        f = self._file(t, fd)
        if f is None or not f.readable():
            return -E.EBADF
        if count == 0:
            return 0
        data = yield from self._do_read(t, f, min(count, MAX_RW_COUNT))
        if isinstance(data, int):
            return data
        if data and not self.k.uaccess.copy_to_user(t, buf, data):
            return -E.EFAULT
        return len(data)

    def sys_readv(self, t: TaskStruct, fd: int, iov: int, iovcnt: int) -> Blocking:
        f = self._file(t, fd)
        if f is None or not f.readable():
            return -E.EBADF
        vecs = self._iovec(t, iov, iovcnt)
        if isinstance(vecs, int):
            return vecs
        total = sum(n for _, n in vecs)
        if total == 0:
            return 0
        data = yield from self._do_read(t, f, min(total, MAX_RW_COUNT))
        if isinstance(data, int):
            return data
        pos = 0
        for base, n in vecs:
            chunk = data[pos:pos + n]
            if chunk and not self.k.uaccess.copy_to_user(t, base, chunk):
                return -E.EFAULT
            pos += len(chunk)
            if pos >= len(data):
                break
        return len(data)

    # ---- write ----------------------------------------------------------------------

    def _do_write(self, t: TaskStruct, f: File, data: bytes) -> Blocking:
        """Write all of `data` (a blocking fd waits for room; a signal after a
        partial write returns what was written)."""
        done = 0
        while True:
            n = f.write(data[done:])
            if n == -E.EPIPE:
                self.k.signal.send_signal(S.SIGPIPE, siginfo(S.SIGPIPE, S.SI_USER, pid=t.tgid, uid=t.cred.uid),
                                          t, group=False)
                return done or n
            if n == -E.EAGAIN and not f.flags & O_NONBLOCK and f.write_queue() is not None:
                remaining = len(data) - done
                ret = yield from wait_event(self.k.sched, t, f.write_queue(), lambda: f.write_ready(remaining))
                if ret:
                    return done or ret
                continue
            if n < 0:
                return done or n
            done += n
            if done >= len(data) or f.flags & O_NONBLOCK:
                return done

    def sys_write(self, t: TaskStruct, fd: int, buf: int, count: int) -> Blocking:
        f = self._file(t, fd)
        if f is None or not f.writable():
            return -E.EBADF
        if count == 0:
            return 0
        data = self.k.uaccess.copy_from_user(t, buf, min(count, MAX_RW_COUNT))
        if data is None:
            return -E.EFAULT
        return (yield from self._do_write(t, f, data))

    def sys_writev(self, t: TaskStruct, fd: int, iov: int, iovcnt: int) -> Blocking:
        f = self._file(t, fd)
        if f is None or not f.writable():
            return -E.EBADF
        vecs = self._iovec(t, iov, iovcnt)
        if isinstance(vecs, int):
            return vecs
        parts = []
        for base, n in vecs:
            if n:
                chunk = self.k.uaccess.copy_from_user(t, base, n)
                if chunk is None:
                    return -E.EFAULT
                parts.append(chunk)
        data = b"".join(parts)
        if not data:
            return 0
        return (yield from self._do_write(t, f, data))

    def _iovec(self, t: TaskStruct, iov: int, iovcnt: int) -> Union[list[tuple[int, int]], int]:
        if iovcnt > IOV_MAX:
            return -E.EINVAL
        if iovcnt == 0:
            return []
        raw = self.k.uaccess.copy_from_user(t, iov, 16 * iovcnt)
        if raw is None:
            return -E.EFAULT
        vecs = [struct.unpack_from("<QQ", raw, 16 * i) for i in range(iovcnt)]
        if sum(n for _, n in vecs) > 0x7FFFFFFFFFFFFFFF:
            return -E.EINVAL
        return vecs

    # ---- positioned I/O ----------------------------------------------------------------

    def sys_pread64(self, t: TaskStruct, fd: int, buf: int, count: int, pos: int) -> int:
        f = self._file(t, fd)
        if f is None or not f.readable():
            return -E.EBADF
        if pos < 0:
            return -E.EINVAL
        data = f.pread(pos, min(count, MAX_RW_COUNT))
        if isinstance(data, int):
            return data
        if data and not self.k.uaccess.copy_to_user(t, buf, data):
            return -E.EFAULT
        return len(data)

    def sys_pwrite64(self, t: TaskStruct, fd: int, buf: int, count: int, pos: int) -> int:
        f = self._file(t, fd)
        if f is None or not f.writable():
            return -E.EBADF
        if pos < 0:
            return -E.EINVAL
        if count == 0:
            return 0
        data = self.k.uaccess.copy_from_user(t, buf, min(count, MAX_RW_COUNT))
        if data is None:
            return -E.EFAULT
        return f.pwrite(pos, data)

    def sys_copy_file_range(self, t: TaskStruct, fd_in: int, off_in: int, fd_out: int, off_out: int,
                            length: int, flags: int) -> int:
        """copy_file_range(2): copy between two regular files inside the
        kernel (vfs_copy_file_range, by generic_copy_file_checks and then a
        read and a write, as splice does), from and to the files' own offsets
        or the ones at off_in/off_out, which are updated instead."""
        if flags:
            return -E.EINVAL
        fin, fout = self._file(t, fd_in), self._file(t, fd_out)
        if fin is None or fout is None:
            return -E.EBADF
        pos_in = self._get_loff(t, off_in, fin)
        pos_out = self._get_loff(t, off_out, fout)
        if pos_in is None or pos_out is None:
            return -E.EFAULT
        for f in (fin, fout):
            if f.inode is not None and f.inode.is_dir():
                return -E.EISDIR
            if f.inode is None or not f.inode.is_reg():
                return -E.EINVAL
        if not fin.readable() or not fout.writable() or fout.flags & O_APPEND:
            return -E.EBADF
        if pos_in < 0 or pos_out < 0:
            return -E.EINVAL
        count = max(0, min(length, MAX_RW_COUNT, fin.inode.size - pos_in))
        if fin.inode is fout.inode and pos_in < pos_out + count and pos_out < pos_in + count:
            return -E.EINVAL
        if count == 0:
            return 0
        data = fin.pread(pos_in, count)
        if isinstance(data, int):
            return data
        done = fout.pwrite(pos_out, data)
        if done <= 0:
            return done
        for ptr, f, pos in ((off_in, fin, pos_in), (off_out, fout, pos_out)):
            if ptr:
                if not self.k.uaccess.put_u64(t, ptr, pos + done):
                    return -E.EFAULT
            else:
                f.pos = pos + done
        return done

    def _get_loff(self, t: TaskStruct, ptr: int, f: File) -> Optional[int]:
        """The offset at user pointer `ptr` (a loff_t), or the file's own when
        `ptr` is NULL; None when it cannot be read."""
        if not ptr:
            return f.pos
        value = self.k.uaccess.get_u64(t, ptr)
        return None if value is None else value - (1 << 64) if value >> 63 else value

    def sys_lseek(self, t: TaskStruct, fd: int, offset: int, whence: int) -> int:
        f = self._file(t, fd)
        return -E.EBADF if f is None else f.llseek(offset, whence)

    def sys_fadvise64(self, t: TaskStruct, fd: int, offset: int, length: int, advice: int) -> int:
        """Advice about future reads: accepted and ignored (nothing is read ahead)."""
        f = self._file(t, fd)
        if f is None:
            return -E.EBADF
        if f.inode is None or not f.inode.is_reg() and not f.inode.is_dir():
            return -E.ESPIPE
        return 0 if 0 <= advice <= 5 and length >= 0 else -E.EINVAL

    def sys_fsync(self, t: TaskStruct, fd: int) -> int:
        """Nothing is ever written back (the files live in memory): done at once."""
        return 0 if self._file(t, fd) is not None else -E.EBADF

    def sys_sync(self, t: TaskStruct) -> int:
        return 0

    # ---- descriptors ------------------------------------------------------------------

    def sys_close(self, t: TaskStruct, fd: int) -> int:
        return t.files.close(fd) if t.files is not None else -E.EBADF

    def sys_close_range(self, t: TaskStruct, fd: int, max_fd: int, flags: int) -> int:
        """__close_range(): close fds fd..max_fd, or mark them close-on-exec
        (CLOSE_RANGE_CLOEXEC), in a private copy of the table first when
        CLOSE_RANGE_UNSHARE asks for one."""
        if flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) or fd > max_fd:
            return -E.EINVAL
        if t.files is None:
            return 0
        if flags & CLOSE_RANGE_UNSHARE:
            unshare_fd(t)
        files = t.files
        for n in range(fd, min(max_fd, len(files.fds) - 1) + 1):
            if files.fds[n] is None:
                continue
            if flags & CLOSE_RANGE_CLOEXEC:
                files.cloexec.add(n)
            else:
                files.close(n)
        return 0

    def sys_flock(self, t: TaskStruct, fd: int, cmd: int) -> Blocking:
        """flock(2): take, convert or drop the advisory lock of the open file
        description behind `fd` (fs/locks.c); without LOCK_NB a conflicting
        lock is waited for, interruptibly."""
        f = self._file(t, fd)
        if f is None:
            return -E.EBADF
        kind = cmd & ~LOCK_NB
        if kind not in (LOCK_SH, LOCK_EX, LOCK_UN):
            return -E.EINVAL
        if kind != LOCK_UN and f.flags & O_PATH or f.inode is None:
            return -E.EBADF
        ctx = flock_context(f.inode)
        while True:
            ret = flock_lock_inode(f.inode, f, kind)
            if ret != -E.EAGAIN or cmd & LOCK_NB:
                return ret
            ret = yield from wait_event(self.k.sched, t, ctx.wait, lambda: not ctx.conflicts(f, kind))
            if ret:
                return ret

    def sys_dup(self, t: TaskStruct, fd: int) -> int:
        f = self._file(t, fd)
        if f is None:
            return -E.EBADF
        newfd = t.files.alloc_fd(f.get(), limit=self.fd_limit(t))
        if newfd < 0:
            f.put()
        return newfd

    def sys_dup2(self, t: TaskStruct, oldfd: int, newfd: int) -> int:
        f = self._file(t, oldfd)
        if f is None:
            return -E.EBADF
        if oldfd == newfd:
            return newfd
        return self._dup_to(t, f, newfd, False)

    def sys_dup3(self, t: TaskStruct, oldfd: int, newfd: int, flags: int) -> int:
        if flags & ~O_CLOEXEC or oldfd == newfd:
            return -E.EINVAL
        f = self._file(t, oldfd)
        if f is None:
            return -E.EBADF
        return self._dup_to(t, f, newfd, bool(flags & O_CLOEXEC))

    def _dup_to(self, t: TaskStruct, f: File, newfd: int, cloexec: bool) -> int:
        if not 0 <= newfd < self.fd_limit(t):
            return -E.EBADF
        t.files.install(newfd, f.get(), cloexec)
        return newfd

    def sys_pipe(self, t: TaskStruct, fds: int) -> int:
        return self.sys_pipe2(t, fds, 0)

    def sys_pipe2(self, t: TaskStruct, fds: int, flags: int) -> int:
        if flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT):
            return -E.EINVAL
        rd, wr = create_pipe_files(self.k.vfs.pipe_inode(self.k.namei.creds(t)), flags & O_NONBLOCK)
        cloexec = bool(flags & O_CLOEXEC)
        limit = self.fd_limit(t)
        rfd = t.files.alloc_fd(rd, cloexec=cloexec, limit=limit)
        if rfd < 0:
            rd.put()
            wr.put()
            return rfd
        wfd = t.files.alloc_fd(wr, cloexec=cloexec, limit=limit)
        if wfd < 0:
            t.files.close(rfd)
            wr.put()
            return wfd
        if not self.k.uaccess.copy_to_user(t, fds, struct.pack("<ii", rfd, wfd)):
            t.files.close(rfd)
            t.files.close(wfd)
            return -E.EFAULT
        return 0

    def wait_for_partner(self, t: TaskStruct, f: PipeFile) -> Blocking:
        """fifo_open()'s wait_for_partner(): a blocking open of one end of a
        FIFO sleeps, interruptibly, until the other end has been opened
        (fifo_partner says whether it must). 0, or -ERESTARTSYS when a signal
        came first (the caller then closes the new end: err_rd / err_wr)."""
        opened = fifo_partner(f)
        if opened is None:
            return 0
        return (yield from wait_event(self.k.sched, t, f.pipe.rd_wait, opened))

    def sys_fcntl(self, t: TaskStruct, fd: int, cmd: int, arg: int) -> int:
        f = self._file(t, fd)
        if f is None:
            return -E.EBADF
        files = t.files
        if cmd in (F_DUPFD, F_DUPFD_CLOEXEC):
            if arg >= self.fd_limit(t):
                return -E.EINVAL
            newfd = files.alloc_fd(f.get(), start=arg, cloexec=cmd == F_DUPFD_CLOEXEC, limit=self.fd_limit(t))
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
            return pipe_fcntl(f, cmd, arg & 0xFFFFFFFF, t.cred.euid == 0)  # an unsigned int argument
        return -E.EINVAL

    def sys_ioctl(self, t: TaskStruct, fd: int, cmd: int, arg: int) -> int:
        f = self._file(t, fd)
        if f is None:
            return -E.EBADF
        cmd &= 0xFFFFFFFF
        if cmd == FIOCLEX:
            t.files.cloexec.add(fd)
            return 0
        if cmd == FIONCLEX:
            t.files.cloexec.discard(fd)
            return 0
        answer = f.ioctl(cmd)
        if isinstance(answer, int):
            return answer
        return 0 if self.k.uaccess.copy_to_user(t, arg, answer) else -E.EFAULT
