"""Opening and closing files, and the calls of fs/open.c that check or change
a file by name or fd: open, openat, creat, close, access/faccessat/faccessat2,
chdir/fchdir/chroot, truncate/ftruncate, chmod and chown in their forms; and
close_range, which Linux keeps in fs/file.c beside the fd table.

The lookup is fs/namei.py's and the changes are fs/vfs.py's; this file
decodes arguments, applies umask and the open flags, and installs fds.
open may sleep (a FIFO waits for its other end), so it is a generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from .devices import CharDevice
from .dir import Directory
from .file import (
    O_ACCMODE,
    O_CLOEXEC,
    O_CREAT,
    O_DIRECTORY,
    O_EXCL,
    O_NOCTTY,
    O_NOFOLLOW,
    O_PATH,
    O_RDONLY,
    O_RDWR,
    O_TMPFILE,
    O_TRUNC,
    O_WRONLY,
    File,
    fd_inode,
    fd_limit,
    fdget_raw,
)
from .hostfs import HostFile
from .inode import Inode, permission
from .memfs import MemFile
from .namei import LAST_ROOT, Found
from .pipe import FifoInode, PipeFile, fifo_open
from .pseudo import PseudoFile
from .regfile import DirFile, PathFile, RegularFile
from ..uapi import errno as E
from ..uapi.stat import AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, S_IFMT
from ..kernel.fork import unshare_fd
from ..kernel.sched.wait import Sleep as Blocking

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

_ACC_MASK = {O_RDONLY: 4, O_WRONLY: 2, O_RDWR: 6, O_ACCMODE: 6}
# open flags that stay in the file's status flags (F_GETFL)
_OPEN_KEPT = ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOCTTY)
CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC = 1 << 1, 1 << 2


class Open:
    """The open, close and attribute system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_open(self, t: TaskStruct, filename: int, flags: int, mode: int) -> Blocking:
        return self.do_sys_open(t, AT_FDCWD, filename, flags, mode)

    def sys_openat(self, t: TaskStruct, dirfd: int, filename: int, flags: int, mode: int) -> Blocking:
        return self.do_sys_open(t, dirfd, filename, flags, mode)

    def sys_creat(self, t: TaskStruct, filename: int, mode: int) -> Blocking:
        return self.do_sys_open(t, AT_FDCWD, filename, O_CREAT | O_WRONLY | O_TRUNC, mode)

    def do_sys_open(self, t: TaskStruct, dirfd: int, filename: int, flags: int, mode: int) -> Blocking:
        """do_sys_open(): look up (creating if asked), check, open (one end
        of a FIFO sleeps until the other end is opened too), install an fd."""
        if flags & O_TMPFILE == O_TMPFILE:
            return -E.EOPNOTSUPP
        if flags & O_PATH:
            flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        excl_create = flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL
        follow = not flags & O_NOFOLLOW and not excl_create
        found = self.k.namei.lookup(t, dirfd, filename, follow)
        if isinstance(found, int):
            return found
        f = self._open_found(t, found, flags, mode)
        if isinstance(f, int):
            return f
        if isinstance(f, PipeFile):
            err = yield from self.k.pipe.wait_for_partner(t, f)
            if err:
                f.put()
                return err
        fd = t.files.alloc_fd(f, cloexec=bool(flags & O_CLOEXEC), limit=fd_limit(t))
        if fd < 0:
            f.put()
        return fd

    def _open_found(self, t: TaskStruct, found: Found, flags: int, mode: int) -> Union[File, int]:
        vfs = self.k.vfs
        creds = self.k.namei.creds(t)
        inode = found.inode
        acc = flags & O_ACCMODE
        created = False
        if inode is None:
            if not flags & O_CREAT:
                return -E.ENOENT
            if found.must_be_dir:
                return -E.EISDIR
            made = vfs.create(found.dir, found.name, mode & ~t.fs.umask & 0o7777, creds)
            if isinstance(made, int):
                return made
            inode, created = made, True
        elif flags & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL:
            return -E.EEXIST
        path = found.path(t.fs.root)
        if flags & O_PATH:
            return PathFile(flags, path, inode)
        if inode.is_lnk():
            return -E.ELOOP  # O_NOFOLLOW met a symbolic link
        if flags & O_DIRECTORY and not inode.is_dir():
            return -E.ENOTDIR
        writes = acc in (O_WRONLY, O_RDWR) or bool(flags & O_TRUNC)
        if inode.is_dir() and (writes or flags & O_CREAT):
            return -E.EISDIR
        if not created:
            err = permission(inode, _ACC_MASK[acc] | (2 if flags & O_TRUNC else 0), *creds)
            if err:
                return err
        if isinstance(inode, Directory):
            return DirFile(inode, flags & _OPEN_KEPT, path)
        if isinstance(inode, CharDevice):
            return inode.open(flags & _OPEN_KEPT)
        if isinstance(inode, PseudoFile):
            return inode.open(flags & _OPEN_KEPT, path)
        if isinstance(inode, FifoInode):
            return fifo_open(inode, flags & _OPEN_KEPT, path)
        if not inode.is_reg():
            return -E.ENXIO  # socket and block device nodes; the host's own devices, FIFOs and sockets
        if writes:
            if inode.exec_users:
                return -E.ETXTBSY
            if isinstance(inode, HostFile) and not found.name:
                return -E.EROFS  # a host file reached by a magic link: no name to copy it up under
            copied = vfs.writable_inode(found.dir, found.name, inode)
            if isinstance(copied, int):
                return copied
            inode = copied
            if flags & O_TRUNC and isinstance(inode, MemFile):
                inode.truncate(0)
        return RegularFile(inode, flags & _OPEN_KEPT, path)

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

    def sys_access(self, t: TaskStruct, filename: int, mode: int) -> int:
        return self.sys_faccessat2(t, AT_FDCWD, filename, mode, 0)

    def sys_faccessat(self, t: TaskStruct, dirfd: int, filename: int, mode: int) -> int:
        return self.sys_faccessat2(t, dirfd, filename, mode, 0)

    def sys_faccessat2(self, t: TaskStruct, dirfd: int, filename: int, mode: int, flags: int) -> int:
        """access() checks with the real ids (AT_EACCESS: the effective ones)."""
        if mode & ~7 or flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        found = self.k.namei.lookup_existing(t, dirfd, filename, not flags & AT_SYMLINK_NOFOLLOW, flags)
        if isinstance(found, int):
            return found
        if not mode:
            return 0
        c = t.cred
        ids = (c.euid, c.egid) if flags & AT_EACCESS else (c.uid, c.gid)
        return permission(found.inode, mode, ids[0], ids[1], c.groups)

    def sys_chdir(self, t: TaskStruct, filename: int) -> int:
        found = self.k.namei.lookup_existing(t, AT_FDCWD, filename, True)
        if isinstance(found, int):
            return found
        return self._set_dir(t, found.inode, "cwd")

    def sys_fchdir(self, t: TaskStruct, fd: int) -> int:
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        return self._set_dir(t, f.inode, "cwd")

    def sys_chroot(self, t: TaskStruct, filename: int) -> int:
        if t.cred.euid != 0:
            return -E.EPERM
        found = self.k.namei.lookup_existing(t, AT_FDCWD, filename, True)
        if isinstance(found, int):
            return found
        return self._set_dir(t, found.inode, "root")

    def _set_dir(self, t: TaskStruct, inode: Optional[Inode], which: str) -> int:
        if not isinstance(inode, Directory):
            return -E.ENOTDIR
        err = permission(inode, 1, *self.k.namei.creds(t))
        if err:
            return err
        setattr(t.fs, which, inode)
        return 0

    def sys_truncate(self, t: TaskStruct, pathname: int, length: int) -> int:
        found = self.k.namei.lookup_existing(t, AT_FDCWD, pathname, True)
        if isinstance(found, int):
            return found
        if found.inode.is_dir():
            return -E.EISDIR
        err = permission(found.inode, 2, *self.k.namei.creds(t))
        if err:
            return err
        return self._truncate(found, length)

    def sys_ftruncate(self, t: TaskStruct, fd: int, length: int) -> int:
        f = fdget_raw(t, fd)
        if f is None:
            return -E.EBADF
        if not isinstance(f, RegularFile) or not f.writable():
            return -E.EINVAL
        return self._truncate(Found(t.fs.root, "", f.inode, False, LAST_ROOT), length)

    def _truncate(self, found: Found, length: int) -> int:
        if length < 0:
            return -E.EINVAL
        inode = found.inode
        if not inode.is_reg():
            return -E.EINVAL
        if found.name:
            inode = self.k.vfs.writable_inode(found.dir, found.name, inode)
            if isinstance(inode, int):
                return inode
        if not isinstance(inode, MemFile):
            return -E.EINVAL
        if inode.exec_users:
            return -E.ETXTBSY
        return inode.truncate(length)

    def sys_chmod(self, t: TaskStruct, pathname: int, mode: int) -> int:
        return self.sys_fchmodat(t, AT_FDCWD, pathname, mode)

    def sys_fchmodat(self, t: TaskStruct, dirfd: int, pathname: int, mode: int) -> int:
        return self._chmod(t, self.k.namei.attr_target(t, dirfd, pathname, True), mode)

    def sys_fchmod(self, t: TaskStruct, fd: int, mode: int) -> int:
        return self._chmod(t, fd_inode(t, fd), mode)

    def _chmod(self, t: TaskStruct, inode: Union[Inode, int], mode: int) -> int:
        if isinstance(inode, int):
            return inode
        if t.cred.fsuid not in (0, inode.uid):
            return -E.EPERM
        inode.mode = (inode.mode & S_IFMT) | (mode & 0o7777)
        inode.changed()
        return 0

    def sys_chown(self, t: TaskStruct, pathname: int, uid: int, gid: int) -> int:
        return self.sys_fchownat(t, AT_FDCWD, pathname, uid, gid, 0)

    def sys_lchown(self, t: TaskStruct, pathname: int, uid: int, gid: int) -> int:
        return self.sys_fchownat(t, AT_FDCWD, pathname, uid, gid, AT_SYMLINK_NOFOLLOW)

    def sys_fchownat(self, t: TaskStruct, dirfd: int, pathname: int, uid: int, gid: int, flags: int) -> int:
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        inode = self.k.namei.attr_target(t, dirfd, pathname, not flags & AT_SYMLINK_NOFOLLOW, flags)
        return self._chown(t, inode, uid, gid)

    def sys_fchown(self, t: TaskStruct, fd: int, uid: int, gid: int) -> int:
        return self._chown(t, fd_inode(t, fd), uid, gid)

    def _chown(self, t: TaskStruct, inode: Union[Inode, int], uid: int, gid: int) -> int:
        """chown_common(): only root changes owners; the owner may change the
        group to one of its own. -1 leaves an id as it is."""
        if isinstance(inode, int):
            return inode
        uid, gid = uid & 0xFFFFFFFF, gid & 0xFFFFFFFF
        c = t.cred
        new_uid = inode.uid if uid == 0xFFFFFFFF else uid
        new_gid = inode.gid if gid == 0xFFFFFFFF else gid
        if c.fsuid != 0 and (new_uid != inode.uid or c.fsuid != inode.uid
                             or (new_gid != inode.gid and new_gid != c.fsgid and new_gid not in c.groups)):
            return -E.EPERM
        inode.uid, inode.gid = new_uid, new_gid
        if not inode.is_dir():
            inode.mode &= ~0o6000 if inode.mode & 0o111 else ~0o4000  # setuid/setgid cleared
        inode.changed()
        return 0
