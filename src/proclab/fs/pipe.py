"""Pipes and FIFOs (fs/pipe.c).

A pipe is a ring of page-sized buffers (slots), 16 by default, with two kinds
of open files: readers and writers. A write first tries to merge into the last
buffer (only the part of its length past a whole number of pages, and only
while that fits in the buffer's page), then takes a new slot for each page of
the rest, as long as slots are free. So writes of at most PIPE_BUF bytes are
atomic (all or nothing), and small writes use a slot each unless they fit in
the page of the previous one. Reads take from the oldest buffer on and free
each buffer they empty. F_SETPIPE_SZ changes the number of slots.

When a side cannot proceed it returns -EAGAIN and the syscall layer sleeps on
`rd_wait` / `wr_wait`; the other side wakes it. Writing with no reader left is
-EPIPE (the syscall layer adds SIGPIPE).

The pipe hangs off an inode (`FifoInode.pipe`, i_pipe): pipe() makes one on
pipefs; mknod(S_IFIFO) makes a named one in the tree (a FIFO), whose pipe
exists only while some end of it is open: the first open makes it, the last
close drops it with any unread data. Every open goes through `fifo_open`,
also a pipe's reopened through /proc/PID/fd/N: it counts the new reader or
writer. Opening one end of a FIFO waits for the other end to be opened
(`fifo_partner`), which the syscall layer does. poll/select sleep on the same
queues (`pipe_poll`).
"""

from __future__ import annotations

import struct
from collections import deque
from typing import TYPE_CHECKING, Callable, Optional, Union

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE
from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.poll import POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM
from ..kernel.sched.wait import Sleep as Blocking, wait_event
from ..lib.lockdep import lock_acquire
from .file import O_ACCMODE, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, File, fd_limit
from .inode import Inode, SuperBlock

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

PIPE_BUF = PAGE_SIZE
PIPE_DEF_BUFFERS = 16
PIPE_MAX_SIZE = 1 << 20          # /proc/sys/fs/pipe-max-size: the most an unprivileged user may set
# The slot array is one kcalloc(): at most KMALLOC_MAX_SIZE (4 MiB) of 40-byte
# struct pipe_buffer, so a ring of 128 Ki slots (512 MiB) or more is ENOMEM.
PIPE_RING_MAX_SLOTS = (4 << 20) // 40
F_SETPIPE_SZ, F_GETPIPE_SZ = 1031, 1032
O_DIRECT = 0o40000  # pipe2(O_DIRECT): a packet-mode pipe (accepted, not simulated)
FIONREAD = 0x541B
PIPEFS_MAGIC = 0x50495045


class PipeBuffer:
    """struct pipe_buffer: the unread bytes of one slot's page, which start
    `offset` bytes into the page (reads advance it, merges append after it)."""

    __slots__ = ("offset", "data")

    def __init__(self, data: bytes) -> None:
        self.offset = 0
        self.data = bytearray(data)

    def room(self) -> int:
        """Bytes that can still be merged at the end of the page."""
        return PAGE_SIZE - self.offset - len(self.data)


class Pipe:
    """struct pipe_inode_info. Touched by the pipe files only."""

    def __init__(self, max_usage: int = PIPE_DEF_BUFFERS) -> None:
        self.bufs: deque[PipeBuffer] = deque()   # from the tail (oldest) to the head
        self.max_usage = max_usage               # slots that may be in use
        self.readers = 0
        self.writers = 0
        self.files = 0        # open files of either end: the pipe lives while there are some
        self.r_counter = 0    # read ends opened so far (a FIFO writer's open waits for one)
        self.w_counter = 0    # write ends opened so far
        self.rd_wait = WaitQueueHead("pipe_read")    # readers, and opens waiting for a partner
        self.wr_wait = WaitQueueHead("pipe_write")

    def full(self) -> bool:
        """pipe_full(): every slot holds a buffer."""
        return len(self.bufs) >= self.max_usage

    def merge_target(self, size: int) -> Optional[PipeBuffer]:
        """The last buffer, if a write of `size` bytes merges its part past a
        whole number of pages into it (pipe_write's first step)."""
        chars = size & (PAGE_SIZE - 1)
        if chars and self.bufs and self.bufs[-1].room() >= chars:
            return self.bufs[-1]
        return None

    def nr_bytes(self) -> int:
        """The bytes waiting to be read (FIONREAD)."""
        return sum(len(buf.data) for buf in self.bufs)


class FifoInode(Inode):
    """An inode opened through fifo_open (init_special_inode() with S_IFIFO;
    also every pipefs inode): a FIFO made by mknod, or a pipe's own inode.
    `pipe` (i_pipe) is its pipe while some end is open, else None."""

    def __init__(self, sb: SuperBlock, mode: int, uid: int = 0, gid: int = 0) -> None:
        super().__init__(sb, mode, uid, gid)
        self.pipe: Optional[Pipe] = None


class PipeFile(File):
    """One end of a pipe: a reader, a writer, or both (a FIFO opened O_RDWR).
    Opening counts it (and wakes an open waiting for this side); the last
    close of the pipe's files detaches the pipe from its inode."""

    def __init__(self, pipe: Pipe, flags: int, inode: FifoInode, name: str) -> None:
        super().__init__(flags, name, inode)
        self.pipe = pipe
        pipe.files += 1
        wake_partner = False
        if self.readable():
            pipe.r_counter += 1
            pipe.readers += 1
            wake_partner = pipe.readers == 1
        if self.writable():
            pipe.w_counter += 1
            pipe.writers += 1
            wake_partner = wake_partner or pipe.writers == 1
        if wake_partner:
            pipe.rd_wait.wake_up_all()  # wake_up_partner()

    def read(self, count: int) -> bytes | int:
        """pipe_read(): up to `count` bytes from the oldest buffers on."""
        pipe = self.pipe
        if not pipe.bufs:
            return b"" if pipe.writers == 0 else -E.EAGAIN
        out = bytearray()
        while pipe.bufs and len(out) < count:
            buf = pipe.bufs[0]
            n = min(len(buf.data), count - len(out))
            out += buf.data[:n]
            del buf.data[:n]
            buf.offset += n
            if not buf.data:
                pipe.bufs.popleft()
        pipe.wr_wait.wake_up_all()
        return bytes(out)

    def write(self, data: bytes) -> int:
        """pipe_write(): merge into the last buffer, then fill free slots a
        page at a time; what was written, or -EAGAIN if nothing fit."""
        pipe = self.pipe
        if pipe.readers == 0:
            return -E.EPIPE
        done = 0
        last = pipe.merge_target(len(data))
        if last is not None:
            done = len(data) & (PAGE_SIZE - 1)
            last.data += data[:done]
        while done < len(data) and not pipe.full():
            pipe.bufs.append(PipeBuffer(data[done:done + PAGE_SIZE]))
            done = min(done + PAGE_SIZE, len(data))
        if done == 0:
            return -E.EAGAIN
        pipe.rd_wait.wake_up_all()
        return done

    def ioctl(self, cmd: int) -> bytes | int:
        """pipe_ioctl(): FIONREAD, the bytes waiting to be read (an int)."""
        if cmd != FIONREAD:
            return -E.ENOTTY
        return struct.pack("<i", self.pipe.nr_bytes())

    def poll(self, pt: Optional[PollTable]) -> int:
        """pipe_poll(): the read end is readable while a buffer holds data
        and hung up (POLLHUP, without POLLIN once it is empty) when no writer
        is left; the write end is writable while a slot is free (a write that
        would only merge into the last page does not count) and in error
        (POLLERR) when no reader is left."""
        pipe = self.pipe
        if self.readable():
            poll_wait(pt, pipe.rd_wait)
        if self.writable():
            poll_wait(pt, pipe.wr_wait)
        mask = 0
        if self.readable():
            if pipe.bufs:
                mask |= POLLIN | POLLRDNORM
            if pipe.writers == 0:
                mask |= POLLHUP
        if self.writable():
            if not pipe.full():
                mask |= POLLOUT | POLLWRNORM
            if pipe.readers == 0:
                mask |= POLLERR
        return mask

    def read_queue(self) -> WaitQueueHead:
        return self.pipe.rd_wait

    def read_ready(self) -> bool:
        return bool(self.pipe.bufs) or self.pipe.writers == 0

    def write_ready(self, size: int) -> bool:
        pipe = self.pipe
        return pipe.readers == 0 or not pipe.full() or pipe.merge_target(size) is not None

    def write_queue(self) -> WaitQueueHead:
        return self.pipe.wr_wait

    def release(self) -> None:
        """pipe_release(): the last reader or writer gone (but not the other
        side) wakes both sides: writers now get EPIPE, readers EOF. The last
        file of the pipe detaches it from the inode (put_pipe_info())."""
        lock_acquire(self.inode.lock_key)  # readers see EOF, writers EPIPE from now on
        pipe = self.pipe
        if self.readable():
            pipe.readers -= 1
        if self.writable():
            pipe.writers -= 1
        if (pipe.readers == 0) != (pipe.writers == 0):
            pipe.rd_wait.wake_up_all()
            pipe.wr_wait.wake_up_all()
        pipe.files -= 1
        inode = self.inode
        if pipe.files == 0 and isinstance(inode, FifoInode) and inode.pipe is pipe:
            inode.pipe = None


def create_pipe_files(inode: FifoInode, flags: int = 0) -> tuple[PipeFile, PipeFile]:
    """create_pipe_files(): the read end and the write end of a new pipe on
    the pipefs inode `inode`, both named pipe:[ino]. `flags` may carry
    O_NONBLOCK (O_CLOEXEC is a property of the fds, not of the files)."""
    pipe = inode.pipe = Pipe()
    name = f"pipe:[{inode.ino}]"
    return PipeFile(pipe, O_RDONLY | flags, inode, name), PipeFile(pipe, O_WRONLY | flags, inode, name)


def fifo_open(inode: FifoInode, flags: int, name: str) -> Union[PipeFile, int]:
    """fifo_open(), all but its sleep: attach to the inode's pipe (making one
    if no end is open) and count the new end. A FIFO opened write-only with
    O_NONBLOCK while nobody reads is ENXIO; an access mode that is neither
    read nor write (3) EINVAL. A pipe's inode, reopened through /proc, never
    waits; for a FIFO the caller sleeps while `fifo_partner` says so."""
    acc = flags & O_ACCMODE
    if acc == O_ACCMODE:
        return -E.EINVAL
    pipe = inode.pipe if inode.pipe is not None else Pipe()
    is_pipe = inode.sb.magic == PIPEFS_MAGIC
    if acc == O_WRONLY and not is_pipe and flags & O_NONBLOCK and pipe.readers == 0:
        return -E.ENXIO
    inode.pipe = pipe
    return PipeFile(pipe, flags, inode, name)


def fifo_partner(file: PipeFile) -> Optional[Callable[[], bool]]:
    """What a blocking open of one end of a FIFO waits for (fifo_open's
    wait_for_partner()): a reader with no writer, the next opening of a
    write end; a writer with no reader, the next opening of a read end (even
    if it is closed again before the sleeper runs). None when the open does
    not wait: a pipe, O_RDWR, a non-blocking reader, the other side there."""
    pipe = file.pipe
    inode = file.inode
    if inode is None or inode.sb.magic == PIPEFS_MAGIC or file.flags & O_ACCMODE == O_RDWR:
        return None
    if not file.writable():
        if pipe.writers or file.flags & O_NONBLOCK:
            return None
        seen = pipe.w_counter
        return lambda: pipe.w_counter != seen
    if pipe.readers:
        return None
    seen = pipe.r_counter
    return lambda: pipe.r_counter != seen


def round_pipe_size(size: int) -> int:
    """round_pipe_size(): at least a page, a power of two, 0 if too big."""
    if size > 1 << 31:
        return 0
    if size < PAGE_SIZE:
        return PAGE_SIZE
    return 1 << (size - 1).bit_length()


def pipe_set_size(pipe: Pipe, arg: int, privileged: bool) -> int:
    """pipe_set_size(): make room for `arg` bytes (rounded up to a power of
    two of pages); the new size in bytes. Growing past pipe-max-size needs
    CAP_SYS_RESOURCE (EPERM); pipe_resize_ring() fails with ENOMEM for a
    ring too big to allocate and EBUSY for fewer slots than the buffers in
    use. The per-user pipe page limits are not kept."""
    size = round_pipe_size(arg)
    nr_slots = size >> PAGE_SHIFT
    if not nr_slots:
        return -E.EINVAL
    if nr_slots > pipe.max_usage and size > PIPE_MAX_SIZE and not privileged:
        return -E.EPERM
    if nr_slots > PIPE_RING_MAX_SLOTS:
        return -E.ENOMEM
    if nr_slots < len(pipe.bufs):
        return -E.EBUSY
    pipe.max_usage = nr_slots
    pipe.wr_wait.wake_up_all()  # this might have made room for writers
    return nr_slots * PAGE_SIZE


def pipe_fcntl(file: File, cmd: int, arg: int, privileged: bool) -> int:
    """pipe_fcntl(): `cmd` is F_SETPIPE_SZ or F_GETPIPE_SZ; EBADF on a file
    that is not a pipe (get_pipe_info)."""
    if not isinstance(file, PipeFile):
        return -E.EBADF
    if cmd == F_SETPIPE_SZ:
        return pipe_set_size(file.pipe, arg, privileged)
    return file.pipe.max_usage * PAGE_SIZE


class PipeCalls:
    """pipe, pipe2, and the sleep of a FIFO's open, for one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_pipe(self, t: TaskStruct, fds: int) -> int:
        return self.sys_pipe2(t, fds, 0)

    def sys_pipe2(self, t: TaskStruct, fds: int, flags: int) -> int:
        if flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT):
            return -E.EINVAL
        rd, wr = create_pipe_files(self.k.vfs.pipe_inode(self.k.namei.creds(t)), flags & O_NONBLOCK)
        cloexec = bool(flags & O_CLOEXEC)
        limit = fd_limit(t)
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
