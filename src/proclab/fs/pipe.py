"""Pipes (fs/pipe.c).

A pipe is a bounded byte buffer with two kinds of open files: readers and
writers. Reads take what is there (EOF once no writer is left), writes put what
fits; writes of at most PIPE_BUF bytes are atomic (all or nothing). When a side
cannot proceed it returns -EAGAIN and the syscall layer sleeps on `rd_wait` /
`wr_wait`; the other side wakes it. Writing with no reader left is -EPIPE (the
syscall layer adds SIGPIPE).
"""

from __future__ import annotations

from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from .file import O_RDONLY, O_WRONLY, File

PIPE_BUF = 4096
PIPE_DEF_CAPACITY = 16 * 4096  # 16 pages, as Linux


class Pipe:
    """struct pipe_inode_info. Touched by the pipe files only."""

    def __init__(self, capacity: int = PIPE_DEF_CAPACITY) -> None:
        self.buf = bytearray()
        self.capacity = capacity
        self.readers = 0
        self.writers = 0
        self.rd_wait = WaitQueueHead("pipe_read")
        self.wr_wait = WaitQueueHead("pipe_write")


class PipeFile(File):
    """One end of a pipe."""

    def __init__(self, pipe: Pipe, flags: int) -> None:
        super().__init__(flags, "pipe")
        self.pipe = pipe
        if self.readable():
            pipe.readers += 1
        if self.writable():
            pipe.writers += 1

    def read(self, count: int) -> bytes | int:
        pipe = self.pipe
        if pipe.buf:
            data = bytes(pipe.buf[:count])
            del pipe.buf[:count]
            pipe.wr_wait.wake_up_all()
            return data
        if pipe.writers == 0:
            return b""
        return -E.EAGAIN

    def write(self, data: bytes) -> int:
        pipe = self.pipe
        if pipe.readers == 0:
            return -E.EPIPE
        space = pipe.capacity - len(pipe.buf)
        if space == 0 or (len(data) <= PIPE_BUF and space < len(data)):
            return -E.EAGAIN
        n = min(space, len(data))
        pipe.buf += data[:n]
        pipe.rd_wait.wake_up_all()
        return n

    def read_queue(self) -> WaitQueueHead:
        return self.pipe.rd_wait

    def read_ready(self) -> bool:
        return bool(self.pipe.buf) or self.pipe.writers == 0

    def write_ready(self, size: int) -> bool:
        pipe = self.pipe
        space = pipe.capacity - len(pipe.buf)
        return pipe.readers == 0 or space >= (size if size <= PIPE_BUF else 1)

    def write_queue(self) -> WaitQueueHead:
        return self.pipe.wr_wait

    def release(self) -> None:
        pipe = self.pipe
        if self.readable():
            pipe.readers -= 1
            if pipe.readers == 0:
                pipe.wr_wait.wake_up_all()  # writers now get EPIPE
        if self.writable():
            pipe.writers -= 1
            if pipe.writers == 0:
                pipe.rd_wait.wake_up_all()  # readers now get EOF


def create_pipe(flags: int = 0) -> tuple[PipeFile, PipeFile]:
    """do_pipe2(): the read end and the write end of a new pipe. `flags` may
    carry O_NONBLOCK (O_CLOEXEC is a property of the fds, not of the files)."""
    pipe = Pipe()
    return PipeFile(pipe, O_RDONLY | flags), PipeFile(pipe, O_WRONLY | flags)
