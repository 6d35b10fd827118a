"""Inodes and the superblock they belong to (include/linux/fs.h struct inode,
struct super_block; fs/namei.c generic_permission).

Every file the simulated system can name is an `Inode`: a directory
(fs/dir.py), a regular file kept in simulated memory (fs/memfs.py) or read from
the host (fs/hostfs.py), a symbolic link, a device (fs/devices.py), a FIFO
(fs/pipe.py), or a socket node (a plain `Inode`: mknod makes one, nothing
opens it). Inode numbers are handed out by the superblock in the order files
are first seen, so they are the same in every run of the same program,
whatever the host's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Union

from ..uapi import errno as E
from ..lib.lockdep import new_key
from ..uapi.stat import S_IFDIR, S_IFLNK, S_IFMT, S_IFREG

if TYPE_CHECKING:  # pragma: no cover
    from .file import File
    from .locks import FlockContext

# The device number stat() reports for every file of the simulated filesystem
# (one filesystem: the overlay root), and for the device files' own fs.
OVERLAY_DEV = 0x2A
ROOT_INO = 2
OVERLAYFS_SUPER_MAGIC = 0x794C7630
NSEC_PER_SEC = 1_000_000_000
RELATIME_AGE = 24 * 60 * 60  # relatime: an atime this many seconds old is updated anyway


class SuperBlock:
    """What all inodes of the filesystem share: the inode number counter, the
    device number and the clock that stamps their times."""

    def __init__(self, now: Callable[[], int], dev: int = OVERLAY_DEV, magic: int = OVERLAYFS_SUPER_MAGIC) -> None:
        self.now = now          # CLOCK_REALTIME in ns (virtual)
        self.dev = dev
        self.magic = magic      # statfs f_type
        self._next_ino = ROOT_INO

    def next_ino(self) -> int:
        ino = self._next_ino
        self._next_ino += 1
        return ino


class Inode:
    """struct inode: type and permissions, owner, link count and times.
    Subclasses add the contents. Only the VFS operations (fs/vfs.py) and the
    file descriptions of the inode change these fields."""

    host_path: Optional[str] = None   # set on inodes that are the host's own files
    host_blocks: Optional[int] = None # and their st_blocks

    def __init__(self, sb: SuperBlock, mode: int, uid: int = 0, gid: int = 0, rdev: int = 0) -> None:
        self.sb = sb
        self.ino = sb.next_ino()
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.rdev = rdev
        self.nlink = 1
        now = sb.now()
        self.atime = self.mtime = self.ctime = now
        self.exec_users = 0     # running executables: writes are refused (ETXTBSY)
        self.open_writers = 0   # open for writing: exec is refused (ETXTBSY)
        self.flock: Optional[FlockContext] = None  # flock(2) locks: fs/locks.py only
        self.lock_key = new_key()   # lockdep's name of i_rwsem (contents, directory entries)

    @property
    def size(self) -> int:
        return 0

    def is_dir(self) -> bool:
        return self.mode & S_IFMT == S_IFDIR

    def is_reg(self) -> bool:
        return self.mode & S_IFMT == S_IFREG

    def is_lnk(self) -> bool:
        return self.mode & S_IFMT == S_IFLNK

    def blocks(self) -> int:
        """st_blocks: 512-byte units allocated."""
        if self.host_blocks is not None:
            return self.host_blocks
        return (self.size + 4095) // 4096 * 8

    def modified(self) -> None:
        """The contents changed (mtime and ctime)."""
        self.mtime = self.ctime = self.sb.now()

    def changed(self) -> None:
        """The inode changed (ctime: chmod, link count...)."""
        self.ctime = self.sb.now()

    def touch_atime(self) -> None:
        """touch_atime() on a relatime mount (fs/inode.c atime_needs_update(),
        relatime_need_update()): the contents were read; atime becomes now
        only if it is not newer than mtime or ctime, or is a day old."""
        now = self.sb.now()
        atime = self.atime
        if self.mtime < atime and self.ctime < atime and now // NSEC_PER_SEC - atime // NSEC_PER_SEC < RELATIME_AGE:
            return
        self.atime = now


class Symlink(Inode):
    """A symbolic link in the writable layer (or read from the host)."""

    def __init__(self, sb: SuperBlock, target: bytes, uid: int = 0, gid: int = 0) -> None:
        super().__init__(sb, S_IFLNK | 0o777, uid, gid)
        self._target = target

    @property
    def target(self) -> bytes:
        """What the link points to (readlink)."""
        return self._target

    def get_link(self) -> Union[bytes, "File", int]:
        """inode_operations.get_link: what following the link leads to. An
        ordinary link's text, resolved as a path; a /proc magic link answers
        an open file to jump to instead, or -errno (fs/pseudo.py)."""
        return self.target

    @property
    def size(self) -> int:
        return len(self.target)

    def blocks(self) -> int:
        return self.host_blocks or 0  # the target fits in the inode (a "fast" symlink)


def permission(inode: Inode, mask: int, fsuid: int, fsgid: int, groups: tuple[int, ...]) -> int:
    """generic_permission(): may a user with these ids read (4), write (2) or
    execute/search (1) the inode? Root may do anything, except execute a
    file that has no execute bit at all (CAP_DAC_OVERRIDE's one limit)."""
    mode = inode.mode
    if fsuid == 0:
        if mask & 1 and not inode.is_dir() and not mode & 0o111:
            return -E.EACCES
        return 0
    if fsuid == inode.uid:
        bits = mode >> 6
    elif inode.gid == fsgid or inode.gid in groups:
        bits = mode >> 3
    else:
        bits = mode
    return 0 if bits & mask & 7 == mask & 7 else -E.EACCES

