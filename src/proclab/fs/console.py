"""The console: what fds 0, 1 and 2 of the first program are connected to
(drivers/tty, much simplified).

Each of the three streams is its own device line, bound to the matching stream of
the world outside the simulation: by default proclab's own stdin/stdout/stderr
(`HostConsole`), or in-memory buffers (`BufferConsole`, for tests and for
exploring many runs). A stream is a terminal exactly when the host's is, so
musl's stdio picks the same buffering as the same binary run natively.

Reads block the whole simulation until the host delivers data: input is an
external event, and waiting for it in place keeps runs with piped input
deterministic. poll/select ask the host whether input is there (a check
that does not wait); a task that must wait for it sleeps on the device's
`read_wait`, which the idle loop wakes once the host has input (keyed with
its events: a poller that asked for none of them sleeps on). The idle loop
waits for the host only when nothing else can happen, and no longer than
the virtual time left until the next timer (input that comes in that wait
arrives at the moment the machine went idle: virtual time does not follow
the host's clock).
"""

from __future__ import annotations

import fcntl
import math
import os
import select
import struct
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Optional

from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.poll import POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM
from .file import O_RDONLY, O_WRONLY, File

if TYPE_CHECKING:  # pragma: no cover
    from .inode import Inode

TCGETS = 0x5401
TIOCGWINSZ = 0x5413
STDIN, STDOUT, STDERR = 0, 1, 2
_POLL_MAX_MS = (1 << 31) - 1  # the longest wait the host's poll takes (an int of ms)


class ConsoleDevice:
    """The far side of the three console streams. `read_wait` is where
    poll/select sleep until input comes (tty_struct's read_wait)."""

    def __init__(self) -> None:
        self.read_wait = WaitQueueHead("console_read")

    def read(self, count: int) -> bytes:
        raise NotImplementedError

    def poll_input(self, timeout: Optional[float]) -> int:
        """The POLL* input events of the stdin stream (POLLIN when a read
        would return at once), waiting up to `timeout` seconds (None: for
        ever) until there is one."""
        raise NotImplementedError

    def write(self, stream: int, data: bytes) -> int:
        raise NotImplementedError

    def isatty(self, stream: int) -> bool:
        return False

    def tty_ioctl(self, stream: int, cmd: int, size: int) -> Optional[bytes]:
        """The host terminal's answer to a read-only ioctl, or None."""
        return None


class WaitInterrupted(Exception):
    """Raised by a signal handler of proclab's (Ctrl-C) to end a host wait
    for input, which Python would otherwise resume (PEP 475)."""


class HostConsole(ConsoleDevice):
    """proclab's own file descriptors 0, 1 and 2."""

    def __init__(self, fds: tuple[int, int, int] = (0, 1, 2)) -> None:
        super().__init__()
        self.fds = fds
        # True while proclab waits in the host for input (written here only;
        # read by the SIGINT handler, which may then raise WaitInterrupted).
        self.waiting = False

    @contextmanager
    def _host_wait(self) -> Iterator[None]:
        """`waiting` is True for as long as the block waits in the host."""
        self.waiting = True
        try:
            yield
        finally:
            self.waiting = False

    def read(self, count: int) -> bytes:
        """Input as the host's read() gives it; an interrupted wait reads as
        end of file (the machine is stopping)."""
        try:
            with self._host_wait():
                return os.read(self.fds[STDIN], count)
        except (OSError, WaitInterrupted):  # (the handler raises once: it puts back Python's own)
            return b""

    def poll_input(self, timeout: Optional[float]) -> int:
        """The host's own poll of proclab's stdin. A stdin the host does not
        have (closed) reads as end of file: it is reported hung up."""
        poller = select.poll()
        poller.register(self.fds[STDIN], POLLIN | POLLRDNORM | POLLPRI)
        try:
            with self._host_wait():
                events = poller.poll(None if timeout is None else min(math.ceil(timeout * 1000), _POLL_MAX_MS))
        except OSError:
            return POLLHUP
        except WaitInterrupted:
            return 0
        mask = events[0][1] if events else 0
        return POLLHUP if mask & POLLNVAL else mask & (POLLIN | POLLRDNORM | POLLPRI | POLLERR | POLLHUP)

    def write(self, stream: int, data: bytes) -> int:
        fd = self.fds[stream]
        done = 0
        view = memoryview(data)
        try:
            while done < len(data):
                done += os.write(fd, view[done:])
        except BrokenPipeError:
            return -E.EPIPE if done == 0 else done
        except OSError as err:
            return -(err.errno or E.EIO) if done == 0 else done
        return done

    def isatty(self, stream: int) -> bool:
        try:
            return os.isatty(self.fds[stream])
        except OSError:
            return False

    def tty_ioctl(self, stream: int, cmd: int, size: int) -> Optional[bytes]:
        if not self.isatty(stream):
            return None
        try:
            return fcntl.ioctl(self.fds[stream], cmd, bytes(size))
        except OSError:
            return None


class BufferConsole(ConsoleDevice):
    """In-memory streams: `stdin` is consumed, `out[1]`/`out[2]` collect output,
    and `interleaved` keeps both in the order they were written."""

    def __init__(self, stdin: bytes = b"") -> None:
        super().__init__()
        self.stdin = bytearray(stdin)
        self.out = {STDOUT: bytearray(), STDERR: bytearray()}
        self.interleaved: list[tuple[int, bytes]] = []

    def read(self, count: int) -> bytes:
        data = bytes(self.stdin[:count])
        del self.stdin[:count]
        return data

    def write(self, stream: int, data: bytes) -> int:
        self.out[stream] += data
        self.interleaved.append((stream, bytes(data)))
        return len(data)

    def poll_input(self, timeout: Optional[float]) -> int:
        """As a pipe whose writer wrote all of `stdin` and closed it: hung
        up, and readable while data is left."""
        return (POLLIN | POLLRDNORM if self.stdin else 0) | POLLHUP


class ConsoleFile(File):
    """An open console: fds 0, 1, 2 at boot (one stream each), or /dev/tty
    and /dev/console (read from stdin, write to stdout)."""

    def __init__(self, device: ConsoleDevice, stream: int, flags: Optional[int] = None,
                 inode: Optional["Inode"] = None) -> None:
        if flags is None:
            flags = O_RDONLY if stream == STDIN else O_WRONLY
        super().__init__(flags, "/dev/console", inode)
        self.device = device
        self.stream = stream

    def read(self, count: int) -> bytes | int:
        if not self.readable():
            return -E.EBADF
        return self.device.read(count)

    def write(self, data: bytes) -> int:
        if not self.writable():
            return -E.EBADF
        return self.device.write(STDOUT if self.stream == STDIN else self.stream, data)

    def poll(self, pt: Optional[PollTable]) -> int:
        """n_tty_poll(), for what this open console does: its input is ready
        when the world outside has some (the device's `poll_input`), its
        output always is (a write waits in place for the host)."""
        mask = 0
        if self.readable():
            poll_wait(pt, self.device.read_wait)
            mask |= self.device.poll_input(0)
        if self.writable():
            mask |= POLLOUT | POLLWRNORM
        return mask

    def ioctl(self, cmd: int) -> bytes | int:
        if cmd == TIOCGWINSZ:
            size = struct.calcsize("HHHH")  # struct winsize
        elif cmd == TCGETS:
            size = 36  # struct termios as the kernel lays it out
        else:
            return -E.ENOTTY
        answer = self.device.tty_ioctl(self.stream, cmd, size)
        return -E.ENOTTY if answer is None else answer
