"""Reading and writing (fs/read_write.c): read, write, readv, writev,
pread64, pwrite64, preadv, pwritev, preadv2, pwritev2, lseek,
copy_file_range.

Blocking lives here, not in the files: when a file says -EAGAIN, a blocking
fd sleeps interruptibly on the file's wait queue and tries again (SEMANTICS
I1, S2). A write to a pipe with no reader left gets EPIPE and SIGPIPE.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Optional, Union

from .file import O_APPEND, O_NONBLOCK, File, fdget_raw
from ..uapi import errno as E
from ..lib.lockdep import lock_acquire
from ..uapi import signal as S
from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..kernel.signal import siginfo

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

MAX_RW_COUNT = 0x7FFFF000
IOV_MAX = 1024
# preadv2/pwritev2 flags (include/uapi/linux/fs.h)
RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND, RWF_NOAPPEND = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20
RWF_SUPPORTED = RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND


class ReadWrite:
    """The read and write system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    @staticmethod
    def lock_file(f: File, write: bool) -> None:
        """For lockdep: fdget_pos() takes the file's f_pos_lock, and the
        inode's lock is taken to read (a regular file's contents) or to
        change (a write; any read that consumes, as of a pipe or a tty)."""
        lock_acquire(f.lock_key)
        inode = f.inode
        if inode is not None:
            lock_acquire(inode.lock_key, write or not inode.is_reg())

    def _do_read(self, t: TaskStruct, f: File, count: int,
                 nowait: bool = False) -> Generator[None, None, Union[bytes, int]]:
        """Read up to `count` bytes, sleeping while the file has nothing yet
        (unless O_NONBLOCK or `nowait`, RWF_NOWAIT)."""
        while True:
            self.lock_file(f, write=False)
            data = f.read(count)
            if not isinstance(data, int) or data != -E.EAGAIN or f.flags & O_NONBLOCK or nowait:
                return data
            queue = f.read_queue()
            if queue is None:
                return data
            ret = yield from wait_event(self.k.sched, t, queue, f.read_ready)
            if ret:
                return ret

    def sys_read(self, t: TaskStruct, fd: int, buf: int, count: int) -> Blocking:
        f = fdget_raw(t, fd)
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

    def sys_readv(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, nowait: bool = False) -> Blocking:
        f = fdget_raw(t, fd)
        if f is None or not f.readable():
            return -E.EBADF
        vecs = self._iovec(t, iov, iovcnt)
        if isinstance(vecs, int):
            return vecs
        total = sum(n for _, n in vecs)
        if total == 0:
            return 0
        data = yield from self._do_read(t, f, min(total, MAX_RW_COUNT), nowait)
        if isinstance(data, int):
            return data
        return self._scatter(t, vecs, data)

    def _scatter(self, t: TaskStruct, vecs: list[tuple[int, int]], data: bytes) -> int:
        """Copy what was read into the buffers in order: len(data), or
        -EFAULT."""
        pos = 0
        for base, n in vecs:
            chunk = data[pos:pos + n]
            if chunk and not self.k.uaccess.copy_to_user(t, base, chunk):
                return -E.EFAULT
            pos += len(chunk)
            if pos >= len(data):
                break
        return len(data)

    def _gather(self, t: TaskStruct, vecs: list[tuple[int, int]]) -> Optional[bytes]:
        """The bytes of the buffers in order, or None (-EFAULT)."""
        parts = []
        for base, n in vecs:
            if n:
                chunk = self.k.uaccess.copy_from_user(t, base, n)
                if chunk is None:
                    return None
                parts.append(chunk)
        return b"".join(parts)

    def _do_write(self, t: TaskStruct, f: File, data: bytes) -> Blocking:
        """Write all of `data` (a blocking fd waits for room; a signal after a
        partial write returns what was written)."""
        done = 0
        while True:
            self.lock_file(f, write=True)
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
        f = fdget_raw(t, fd)
        if f is None or not f.writable():
            return -E.EBADF
        if count == 0:
            return 0
        data = self.k.uaccess.copy_from_user(t, buf, min(count, MAX_RW_COUNT))
        if data is None:
            return -E.EFAULT
        return (yield from self._do_write(t, f, data))

    def sys_writev(self, t: TaskStruct, fd: int, iov: int, iovcnt: int) -> Blocking:
        f = fdget_raw(t, fd)
        if f is None or not f.writable():
            return -E.EBADF
        vecs = self._iovec(t, iov, iovcnt)
        if isinstance(vecs, int):
            return vecs
        data = self._gather(t, vecs)
        if data is None:
            return -E.EFAULT
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

    def sys_pread64(self, t: TaskStruct, fd: int, buf: int, count: int, pos: int) -> int:
        f = fdget_raw(t, fd)
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
        f = fdget_raw(t, fd)
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

    def sys_preadv(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int) -> int:
        """preadv(): readv at an offset (on 64-bit, pos_l holds all of it;
        pos_h is shifted out as pos_from_hilo() does), the file's own offset
        unchanged."""
        return self._preadv(t, fd, iov, iovcnt, pos_l)

    def _positional(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos: int,
                    write: bool) -> Union[tuple[File, list[tuple[int, int]]], int]:
        """do_preadv()/do_pwritev() up to the transfer: EINVAL for a negative
        offset before the fd is looked at, EBADF, ESPIPE for a file without
        positional I/O (pipes, sockets, ttys) before the open mode is
        checked, then the iovec. The file and its buffers, or -errno."""
        if pos < 0:
            return -E.EINVAL
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        if (type(f).pwrite is File.pwrite) if write else (type(f).pread is File.pread):
            return -E.ESPIPE  # no FMODE_PWRITE / FMODE_PREAD
        if not (f.writable() if write else f.readable()):
            return -E.EBADF
        vecs = self._iovec(t, iov, iovcnt)
        return vecs if isinstance(vecs, int) else (f, vecs)

    def _preadv(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos: int) -> int:
        found = self._positional(t, fd, iov, iovcnt, pos, write=False)
        if isinstance(found, int):
            return found
        f, vecs = found
        data = f.pread(pos, min(sum(n for _, n in vecs), MAX_RW_COUNT))
        if isinstance(data, int):
            return data
        return self._scatter(t, vecs, data)

    def sys_pwritev(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int) -> int:
        """pwritev(): writev at an offset (pos_l as in preadv)."""
        return self._pwritev(t, fd, iov, iovcnt, pos_l, append=False)

    def _pwritev(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos: int, append: bool) -> int:
        found = self._positional(t, fd, iov, iovcnt, pos, write=True)
        if isinstance(found, int):
            return found
        f, vecs = found
        data = self._gather(t, vecs)
        if data is None:
            return -E.EFAULT
        if not data:
            return 0
        if append:
            pos = f.inode.size
        return f.pwrite(pos, data)

    def sys_preadv2(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int,
                    flags: int) -> Blocking:
        """preadv2(): preadv with RWF_* flags; offset -1 reads at the file's
        own offset, as readv (RWF_NOWAIT: -EAGAIN instead of sleeping).
        Unknown flags: EOPNOTSUPP (kiocb_set_rw_flags)."""
        if flags & ~RWF_SUPPORTED:
            return -E.EOPNOTSUPP
        if pos_l == -1:
            return (yield from self.sys_readv(t, fd, iov, iovcnt, nowait=bool(flags & RWF_NOWAIT)))
        return self._preadv(t, fd, iov, iovcnt, pos_l)

    def sys_pwritev2(self, t: TaskStruct, fd: int, iov: int, iovcnt: int, pos_l: int, pos_h: int,
                     flags: int) -> Blocking:
        """pwritev2(): pwritev with RWF_* flags; offset -1 writes at the
        file's own offset, as writev; RWF_APPEND writes at the end."""
        if flags & ~RWF_SUPPORTED:
            return -E.EOPNOTSUPP
        if pos_l == -1:
            return (yield from self.sys_writev(t, fd, iov, iovcnt))
        return self._pwritev(t, fd, iov, iovcnt, pos_l, append=bool(flags & RWF_APPEND))

    def sys_copy_file_range(self, t: TaskStruct, fd_in: int, off_in: int, fd_out: int, off_out: int,
                            length: int, flags: int) -> int:
        """copy_file_range(2): copy between two regular files inside the
        kernel (vfs_copy_file_range, by generic_copy_file_checks and then a
        read and a write, as splice does), from and to the files' own offsets
        or the ones at off_in/off_out, which are updated instead."""
        if flags:
            return -E.EINVAL
        fin, fout = fdget_raw(t, fd_in), fdget_raw(t, fd_out)
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
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        lock_acquire(f.lock_key)  # f_pos_lock
        return f.llseek(offset, whence)
