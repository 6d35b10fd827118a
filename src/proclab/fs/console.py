"""The console: what fds 0, 1 and 2 of the first program are connected to
(drivers/tty, much simplified).

Each of the three streams is its own device line, bound to the matching stream of
the world outside the simulation: by default proclab's own stdin/stdout/stderr
(`HostConsole`), or in-memory buffers (`BufferConsole`, for tests and for
exploring many runs). A stream is a terminal exactly when the host's is, so
musl's stdio picks the same buffering as the same binary run natively.

Reads block the whole simulation until the host delivers data: input is an
external event, and waiting for it in place keeps runs with piped input
deterministic.
"""

from __future__ import annotations

import fcntl
import os
import struct
from typing import TYPE_CHECKING, Optional

from ..uapi import errno as E
from .file import O_RDONLY, O_WRONLY, File

if TYPE_CHECKING:  # pragma: no cover
    from .inode import Inode

TCGETS = 0x5401
TIOCGWINSZ = 0x5413
STDIN, STDOUT, STDERR = 0, 1, 2


class ConsoleDevice:
    """The far side of the three console streams."""

    def read(self, count: int) -> bytes:
        raise NotImplementedError

    def write(self, stream: int, data: bytes) -> int:
        raise NotImplementedError

    def isatty(self, stream: int) -> bool:
        return False

    def tty_ioctl(self, stream: int, cmd: int, size: int) -> Optional[bytes]:
        """The host terminal's answer to a read-only ioctl, or None."""
        return None


class HostConsole(ConsoleDevice):
    """proclab's own file descriptors 0, 1 and 2."""

    def __init__(self, fds: tuple[int, int, int] = (0, 1, 2)) -> None:
        self.fds = fds

    def read(self, count: int) -> bytes:
        try:
            return os.read(self.fds[STDIN], count)
        except OSError:
            return b""

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

    def ioctl(self, cmd: int) -> bytes | int:
        if cmd == TIOCGWINSZ:
            size = struct.calcsize("HHHH")  # struct winsize
        elif cmd == TCGETS:
            size = 36  # struct termios as the kernel lays it out
        else:
            return -E.ENOTTY
        answer = self.device.tty_ioctl(self.stream, cmd, size)
        return -E.ENOTTY if answer is None else answer
