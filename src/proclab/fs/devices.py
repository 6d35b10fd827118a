"""Character devices of the simulated /dev (drivers/char/mem.c, random.c,
drivers/tty/tty_io.c): null, zero, full, random and urandom (from the
machine's seeded generator, so runs repeat), console (proclab's own stdin and
stdout), tty (the console when it is a terminal; otherwise, as for a process
without a controlling terminal, ENXIO). The console's three streams are three
lines of their own (fds 0, 1 and 2 of init), named by no entry of /dev.

A device node is found by its number when opened: one that mknod made opens
through the driver of the /dev node with that number, if there is one.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

from ..lib.poll import PollTable
from ..uapi import errno as E
from ..uapi.poll import POLLIN, POLLRDNORM
from ..uapi.stat import S_IFCHR
from .console import STDERR, STDIN, STDOUT, ConsoleDevice, ConsoleFile
from .file import File
from .inode import Inode, SuperBlock

OpenResult = Union[File, int]


def mkdev(major: int, minor: int) -> int:
    """new_encode_dev(): st_rdev of a device number."""
    return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)


class CharDevice(Inode):
    """A device node: opening it asks the driver for a file."""

    def __init__(self, sb: SuperBlock, rdev: int, perm: int, opener: Callable[[int], OpenResult],
                 uid: int = 0, gid: int = 0) -> None:
        super().__init__(sb, S_IFCHR | (perm & 0o7777), uid, gid, rdev)
        self._open = opener

    def open(self, flags: int) -> OpenResult:
        file = self._open(flags)
        if isinstance(file, File):
            file.inode = self
        return file


class NullFile(File):
    """/dev/null: reads end at once, writes vanish."""

    def read(self, count: int) -> bytes:
        return b""

    def write(self, data: bytes) -> int:
        return len(data)

    def llseek(self, offset: int, whence: int) -> int:
        """null_lseek(): every seek lands at 0."""
        self.pos = 0
        return 0


class ZeroFile(NullFile):
    """/dev/zero (and /dev/full, whose writes fail with ENOSPC); seeks as
    /dev/null does (zero_lseek, full_lseek)."""

    def __init__(self, flags: int, name: str, full: bool = False) -> None:
        super().__init__(flags, name)
        self.full = full

    def read(self, count: int) -> bytes:
        return bytes(count)

    def write(self, data: bytes) -> int:
        return -E.ENOSPC if self.full else len(data)


class RandomFile(File):
    """/dev/urandom (urandom_fops), and the base of /dev/random: the
    machine's seeded random bytes."""

    def __init__(self, flags: int, name: str, randbytes: Callable[[int], bytes]) -> None:
        super().__init__(flags, name)
        self.randbytes = randbytes

    def read(self, count: int) -> bytes:
        return self.randbytes(min(count, 1 << 25))

    def write(self, data: bytes) -> int:
        return len(data)  # mixed into the pool on Linux; nothing to do here

    def llseek(self, offset: int, whence: int) -> int:
        """noop_llseek(): the position stays where it is (reads do not move it)."""
        return self.pos


class DevRandomFile(RandomFile):
    """/dev/random (random_fops): /dev/urandom plus a poll method."""

    def poll(self, pt: Optional[PollTable]) -> int:
        """random_poll(): readable once the generator is seeded, which it
        always is here (so it waits on nothing), and never writable."""
        return POLLIN | POLLRDNORM


def make_devices(sb: SuperBlock, console: ConsoleDevice, randbytes: Callable[[int], bytes]) -> dict[str, Inode]:
    """The device nodes of /dev, by name."""

    def tty(flags: int) -> OpenResult:
        if not console.isatty(0):
            return -E.ENXIO
        return ConsoleFile(console, 0, flags)

    return {
        "null": CharDevice(sb, mkdev(1, 3), 0o666, lambda f: NullFile(f, "/dev/null")),
        "zero": CharDevice(sb, mkdev(1, 5), 0o666, lambda f: ZeroFile(f, "/dev/zero")),
        "full": CharDevice(sb, mkdev(1, 7), 0o666, lambda f: ZeroFile(f, "/dev/full", full=True)),
        "random": CharDevice(sb, mkdev(1, 8), 0o666, lambda f: DevRandomFile(f, "/dev/random", randbytes)),
        "urandom": CharDevice(sb, mkdev(1, 9), 0o666, lambda f: RandomFile(f, "/dev/urandom", randbytes)),
        "tty": CharDevice(sb, mkdev(5, 0), 0o666, tty),
        "console": CharDevice(sb, mkdev(5, 1), 0o600, lambda f: ConsoleFile(console, 1, f)),
    }


def make_console_lines(sb: SuperBlock, console: ConsoleDevice) -> tuple[CharDevice, ...]:
    """The inodes of the console's stdin, stdout and stderr lines: opening
    one again (/dev/stdin, /proc/self/fd/2...) gives that same stream."""

    def line(stream: int) -> CharDevice:
        return CharDevice(sb, mkdev(5, 1), 0o600, lambda f: ConsoleFile(console, stream, f))

    return tuple(line(stream) for stream in (STDIN, STDOUT, STDERR))


def chrdev_open(drivers: dict[int, CharDevice], rdev: int, flags: int) -> OpenResult:
    """chrdev_open() of a node mknod made: the driver registered for its
    number opens it (`drivers`: the /dev nodes by number); none: ENXIO."""
    node = drivers.get(rdev)
    return node.open(flags) if node is not None else -E.ENXIO
