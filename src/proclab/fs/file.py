"""Open files and descriptor tables (include/linux/fs.h struct file,
fs/file.c files_struct, fs/fs_struct.c).

A `File` is an open file description: what open()/pipe() create and what fds
point to. dup() and fork make more fds for the same File, which therefore share
the offset and status flags; `refs` counts those fds and the last close releases
it. A `FilesStruct` is an fd table, shared by CLONE_FILES and copied by fork.

File methods never sleep. A read or write that would block returns -EAGAIN and
names the wait queue to sleep on (`read_queue`/`write_queue`); the syscall layer
does the sleeping (and honours O_NONBLOCK), so fs/ needs no scheduler.
`poll()` (f_op->poll) answers poll/select the same way: the POLL* events
possible now, after registering the queues to sleep on with `poll_wait`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from ..lib.poll import DEFAULT_POLLMASK, PollTable
from ..lib.lockdep import new_key
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from ..uapi.resource import RLIMIT_NOFILE
from .locks import locks_remove_file, locks_remove_posix

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.task import TaskStruct
    from .dir import Directory
    from .eventpoll import EpItem
    from .inode import Inode

O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE = 0, 1, 2, 3
O_CREAT = 0o100
O_EXCL = 0o200
O_NOCTTY = 0o400
O_TRUNC = 0o1000
O_APPEND = 0o2000
O_NONBLOCK = 0o4000
O_DIRECTORY = 0o200000
O_NOFOLLOW = 0o400000
O_NOATIME = 0o1000000
O_CLOEXEC = 0o2000000
O_PATH = 0o10000000
O_TMPFILE = 0o20000000 | O_DIRECTORY
FD_CLOEXEC = 1

NR_OPEN_DEFAULT = 1024  # RLIMIT_NOFILE soft limit

ReadResult = Union[bytes, int]


class File:
    """struct file. Subclasses implement the file operations they support."""

    def __init__(self, flags: int, name: str, inode: Optional["Inode"] = None) -> None:
        self.flags = flags       # O_* status flags (F_GETFL/F_SETFL)
        self.pos = 0             # shared by every fd of this description
        self.refs = 1
        self.name = name         # the path it was opened by (/proc, messages)
        self.inode = inode       # what fstat describes
        self.f_ep: list[EpItem] = []  # the epoll items watching it (fs/eventpoll.py)
        self.lock_key = new_key()     # lockdep's name of its f_pos_lock

    def readable(self) -> bool:
        return (self.flags & O_ACCMODE) != O_WRONLY

    def writable(self) -> bool:
        return (self.flags & O_ACCMODE) != O_RDONLY

    def read(self, count: int) -> ReadResult:
        return -E.EINVAL

    def write(self, data: bytes) -> int:
        return -E.EINVAL

    def llseek(self, offset: int, whence: int) -> int:
        """lseek(): the new position, or -errno (streams cannot seek)."""
        return -E.ESPIPE

    def pread(self, pos: int, count: int) -> ReadResult:
        return -E.ESPIPE

    def pwrite(self, pos: int, data: bytes) -> int:
        return -E.ESPIPE

    def ioctl(self, cmd: int) -> Union[bytes, int]:
        """A read-only ioctl: the bytes to copy to user memory at arg, or -errno."""
        return -E.ENOTTY

    def read_queue(self) -> Optional[WaitQueueHead]:
        """Where a reader sleeps when read() said -EAGAIN."""
        return None

    def write_queue(self) -> Optional[WaitQueueHead]:
        return None

    def read_ready(self) -> bool:
        """Would read() do something other than -EAGAIN now (data or EOF)?"""
        return True

    def write_ready(self, size: int) -> bool:
        """Would write() of `size` bytes do something other than -EAGAIN now?"""
        return True

    def poll(self, pt: Optional[PollTable]) -> int:
        """f_op->poll: the POLL* events that would not block now. A file
        without a poll method is always ready (vfs_poll's DEFAULT_POLLMASK):
        regular files, directories, most devices, /proc files."""
        return DEFAULT_POLLMASK

    def can_poll(self) -> bool:
        """file_can_poll(): has the file a poll method of its own? epoll
        watches only those (EPERM for regular files, directories...)."""
        return type(self).poll is not File.poll

    def flush(self, files: "FilesStruct") -> None:
        """f_op->flush: an fd of `files` referring to this file is being
        closed (every close, not only the last one)."""

    def release(self) -> None:
        """The last fd referring to this file was closed."""

    def get(self) -> "File":
        self.refs += 1
        return self

    def put(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            self.eventpoll_release()
            locks_remove_file(self)
            self.release()


    def eventpoll_release(self) -> None:
        """eventpoll_release() (from __fput): the last reference is gone, so
        every epoll instance watching the file forgets it."""
        while self.f_ep:
            epi = self.f_ep[-1]
            epi.ep.ep_remove(epi)


class FilesStruct:
    """struct files_struct: the fd table. `users` counts the tasks sharing it."""

    def __init__(self) -> None:
        self.fds: list[Optional[File]] = []
        self.cloexec: set[int] = set()
        self.users = 1

    def get(self, fd: int) -> Optional[File]:
        if 0 <= fd < len(self.fds):
            return self.fds[fd]
        return None

    def max_fds(self) -> int:
        """fdtable->max_fds: the table's capacity. It starts with
        BITS_PER_LONG (64) slots and alloc_fdtable() grows it to the smallest
        power of two that holds the highest fd used; it never shrinks, and
        fork's copy is sized by the highest open fd (dup_fd)."""
        return max(64, 1 << (len(self.fds) - 1).bit_length())

    def alloc_fd(self, file: File, start: int = 0, cloexec: bool = False,
                 limit: int = NR_OPEN_DEFAULT) -> int:
        """Install `file` at the lowest free fd >= start (the caller's reference
        moves into the table). -EMFILE when none is free."""
        fd = start
        while fd < len(self.fds) and self.fds[fd] is not None:
            fd += 1
        if fd >= limit:
            return -E.EMFILE
        self.install(fd, file, cloexec)
        return fd

    def install(self, fd: int, file: File, cloexec: bool = False) -> None:
        """fd_install at a given number, closing what was there (dup2)."""
        while len(self.fds) <= fd:
            self.fds.append(None)
        old = self.fds[fd]
        self.fds[fd] = file
        if cloexec:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)
        if old is not None:
            self.filp_close(old)

    def close(self, fd: int) -> int:
        file = self.get(fd)
        if file is None:
            return -E.EBADF
        self.fds[fd] = None
        self.cloexec.discard(fd)
        self.filp_close(file)
        return 0

    def filp_close(self, file: File) -> None:
        """filp_close(): an fd of this table let go of `file`. POSIX's rule:
        the table's record locks on the file go with any of its fds."""
        file.flush(self)
        if not file.flags & O_PATH:
            locks_remove_posix(file, self)
        file.put()

    def copy(self) -> "FilesStruct":
        """dup_fd(): a new table pointing at the same open files."""
        new = FilesStruct()
        last = len(self.fds)
        while last and self.fds[last - 1] is None:
            last -= 1
        new.fds = [f.get() if f is not None else None for f in self.fds[:last]]
        new.cloexec = set(self.cloexec)
        return new

    def close_on_exec(self) -> None:
        for fd in sorted(self.cloexec):
            self.close(fd)

    def close_all(self) -> None:
        """exit_files(): the last user of the table is gone."""
        for fd in range(len(self.fds)):
            if self.fds[fd] is not None:
                self.close(fd)


class FsStruct:
    """struct fs_struct: the cwd and root directories and the umask, shared by
    CLONE_FS. Written by chdir, fchdir, chroot and umask of its tasks."""

    def __init__(self, cwd: "Directory", root: "Directory", umask: int = 0o022) -> None:
        self.cwd = cwd
        self.root = root
        self.umask = umask
        self.users = 1

    def copy(self) -> "FsStruct":
        return FsStruct(self.cwd, self.root, self.umask)


def fdget_raw(t: TaskStruct, fd: int) -> Optional[File]:
    """fdget_raw(): the open file behind `fd` of task `t`, O_PATH handles
    included, or None."""
    return t.files.get(fd) if t.files is not None else None


def fdget(t: TaskStruct, fd: int) -> Optional[File]:
    """fdget(): the open file behind `fd`; an O_PATH handle is no file here."""
    f = fdget_raw(t, fd)
    return None if f is None or f.flags & O_PATH else f


def fd_inode(t: TaskStruct, fd: int) -> Union[Inode, int]:
    """The inode behind `fd` (what fstat and the f*() calls work on), or -EBADF."""
    f = fdget_raw(t, fd)
    if f is None or f.inode is None:
        return -E.EBADF
    return f.inode


def fd_limit(t: TaskStruct) -> int:
    """rlimit(RLIMIT_NOFILE), bounded by NR_OPEN (fs/file.c sysctl_nr_open)."""
    return min(t.signal.rlim[RLIMIT_NOFILE][0], 1 << 20)
