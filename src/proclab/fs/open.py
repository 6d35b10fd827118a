"""System calls that name files by path (fs/open.c, fs/namei.c, fs/d_path.c,
fs/attr.c, fs/utimes.c): open and creat, access, chdir/fchdir/chroot, getcwd,
mkdir, mknod, rmdir, unlink, rename, link, symlink, readlink, truncate,
chmod, chown, utimensat.

Every path is looked up from the task's root (absolute paths) or a starting
directory: its cwd, or the directory a dirfd names (the *at() forms). The
lookup (fs/namei.py) and the changes (fs/vfs.py) are the filesystem's; this
file decodes arguments, applies umask and the open flags, and installs fds.
open may sleep (a FIFO waits for its other end), so it is a generator.
"""

from __future__ import annotations

import struct
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
)
from .hostfs import HostFile
from .inode import Inode, permission
from .memfs import MemFile
from .namei import LAST_DOT, LAST_DOTDOT, LAST_ROOT, FsIds, Found, Walker
from .pipe import FifoInode, PipeFile, fifo_open
from .pseudo import PseudoFile
from .regfile import DirFile, PathFile, RegularFile
from ..uapi import errno as E
from ..uapi.stat import (
    AT_EACCESS,
    AT_EMPTY_PATH,
    AT_FDCWD,
    AT_REMOVEDIR,
    AT_SYMLINK_FOLLOW,
    AT_SYMLINK_NOFOLLOW,
    PATH_MAX,
    S_IFBLK,
    S_IFCHR,
    S_IFDIR,
    S_IFIFO,
    S_IFMT,
    S_IFREG,
    S_IFSOCK,
)
from ..kernel.sched.wait import Sleep as Blocking
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
_ACC_MASK = {O_RDONLY: 4, O_WRONLY: 2, O_RDWR: 6, O_ACCMODE: 6}
# open flags that stay in the file's status flags (F_GETFL)
_OPEN_KEPT = ~(O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | O_NOCTTY)


class Namei:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- lookups -------------------------------------------------------------------

    @staticmethod
    def creds(t: TaskStruct) -> FsIds:
        c = t.cred
        return FsIds(c.fsuid, c.fsgid, c.groups)

    def user_path(self, t: TaskStruct, ptr: int) -> Union[str, int]:
        """getname(): a path from user memory (EFAULT, ENAMETOOLONG)."""
        uacc = self.k.uaccess
        raw = uacc.strncpy_from_user(t, ptr, PATH_MAX)
        if raw is None:
            return -E.EFAULT if uacc.copy_from_user(t, ptr, 1) is None else -E.ENAMETOOLONG
        return raw.decode("utf-8", "surrogateescape")

    def walk(self, t: TaskStruct, path: str, follow: bool = True) -> Union[Found, int]:
        """Look a kernel-held path up from the task's cwd (execve, the interpreter)."""
        return Walker(t.fs.root, self.creds(t)).walk(path, t.fs.cwd, follow)

    def _start(self, t: TaskStruct, dirfd: int, path: str) -> Union[Directory, int]:
        """Where a relative path starts: the cwd, or the directory `dirfd` names."""
        if path.startswith("/") or dirfd == AT_FDCWD:
            return t.fs.cwd
        f = t.files.get(dirfd) if t.files is not None else None
        if f is None:
            return -E.EBADF
        if not isinstance(f.inode, Directory):
            return -E.ENOTDIR
        return f.inode

    def lookup(self, t: TaskStruct, dirfd: int, ptr: int, follow: bool, flags: int = 0) -> Union[Found, int]:
        """The file a (dirfd, path) pair names; with AT_EMPTY_PATH an empty path
        names dirfd's own file, without it an empty path is ENOENT before
        dirfd is looked at (getname_flags())."""
        path = self.user_path(t, ptr)
        if isinstance(path, int):
            return path
        if not path:
            return self._fd_found(t, dirfd) if flags & AT_EMPTY_PATH else -E.ENOENT
        start = self._start(t, dirfd, path)
        if isinstance(start, int):
            return start
        return Walker(t.fs.root, self.creds(t)).walk(path, start, follow)

    def _fd_found(self, t: TaskStruct, fd: int) -> Union[Found, int]:
        if fd == AT_FDCWD:
            return Found(t.fs.cwd, "", t.fs.cwd, True, LAST_ROOT)
        f = t.files.get(fd) if t.files is not None else None
        if f is None:
            return -E.EBADF
        if f.inode is None:
            return -E.EBADF
        d = f.inode if isinstance(f.inode, Directory) else t.fs.root
        return Found(d, "", f.inode, False, LAST_ROOT)

    def lookup_existing(self, t: TaskStruct, dirfd: int, ptr: int, follow: bool, flags: int = 0) -> Union[Found, int]:
        found = self.lookup(t, dirfd, ptr, follow, flags)
        if isinstance(found, int):
            return found
        return found if found.inode is not None else -E.ENOENT

    # ---- open -----------------------------------------------------------------------

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
        found = self.lookup(t, dirfd, filename, follow)
        if isinstance(found, int):
            return found
        f = self._open_found(t, found, flags, mode)
        if isinstance(f, int):
            return f
        if isinstance(f, PipeFile):
            err = yield from self.k.fileio.wait_for_partner(t, f)
            if err:
                f.put()
                return err
        fd = t.files.alloc_fd(f, cloexec=bool(flags & O_CLOEXEC), limit=self.k.fileio.fd_limit(t))
        if fd < 0:
            f.put()
        return fd

    def _open_found(self, t: TaskStruct, found: Found, flags: int, mode: int) -> Union[File, int]:
        vfs = self.k.vfs
        creds = self.creds(t)
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

    # ---- access, cwd, root ------------------------------------------------------------

    def sys_access(self, t: TaskStruct, filename: int, mode: int) -> int:
        return self.sys_faccessat2(t, AT_FDCWD, filename, mode, 0)

    def sys_faccessat(self, t: TaskStruct, dirfd: int, filename: int, mode: int) -> int:
        return self.sys_faccessat2(t, dirfd, filename, mode, 0)

    def sys_faccessat2(self, t: TaskStruct, dirfd: int, filename: int, mode: int, flags: int) -> int:
        """access() checks with the real ids (AT_EACCESS: the effective ones)."""
        if mode & ~7 or flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        found = self.lookup_existing(t, dirfd, filename, not flags & AT_SYMLINK_NOFOLLOW, flags)
        if isinstance(found, int):
            return found
        if not mode:
            return 0
        c = t.cred
        ids = (c.euid, c.egid) if flags & AT_EACCESS else (c.uid, c.gid)
        return permission(found.inode, mode, ids[0], ids[1], c.groups)

    def sys_chdir(self, t: TaskStruct, filename: int) -> int:
        found = self.lookup_existing(t, AT_FDCWD, filename, True)
        if isinstance(found, int):
            return found
        return self._set_dir(t, found.inode, "cwd")

    def sys_fchdir(self, t: TaskStruct, fd: int) -> int:
        f = t.files.get(fd) if t.files is not None else None
        if f is None:
            return -E.EBADF
        return self._set_dir(t, f.inode, "cwd")

    def sys_chroot(self, t: TaskStruct, filename: int) -> int:
        if t.cred.euid != 0:
            return -E.EPERM
        found = self.lookup_existing(t, AT_FDCWD, filename, True)
        if isinstance(found, int):
            return found
        return self._set_dir(t, found.inode, "root")

    def _set_dir(self, t: TaskStruct, inode: Optional[Inode], which: str) -> int:
        if not isinstance(inode, Directory):
            return -E.ENOTDIR
        err = permission(inode, 1, *self.creds(t))
        if err:
            return err
        setattr(t.fs, which, inode)
        return 0

    def sys_getcwd(self, t: TaskStruct, buf: int, size: int) -> int:
        """getcwd(): the cwd's path from the task's root (ENOENT once removed)."""
        path = t.fs.cwd.path_to(t.fs.root)
        if path is None:
            return -E.ENOENT
        data = path.encode("utf-8", "surrogateescape") + b"\0"
        if size < len(data):
            return -E.ERANGE
        return len(data) if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT

    # ---- creating and removing names ---------------------------------------------------

    def _parent_of_new(self, t: TaskStruct, dirfd: int, ptr: int, want_dir: bool = False) -> Union[Found, int]:
        """filename_create(): the directory and free name a new entry goes to
        (EEXIST if taken); a new name with a trailing "/" is ENOENT unless a
        directory is being made."""
        found = self.lookup(t, dirfd, ptr, False)
        if isinstance(found, int):
            return found
        if found.inode is not None or not found.name:
            return -E.EEXIST
        if found.must_be_dir and not want_dir:
            return -E.ENOENT
        return found

    def sys_mkdir(self, t: TaskStruct, pathname: int, mode: int) -> int:
        return self.sys_mkdirat(t, AT_FDCWD, pathname, mode)

    def sys_mkdirat(self, t: TaskStruct, dirfd: int, pathname: int, mode: int) -> int:
        found = self._parent_of_new(t, dirfd, pathname, want_dir=True)
        if isinstance(found, int):
            return found
        made = self.k.vfs.mkdir(found.dir, found.name, mode & ~t.fs.umask & 0o7777, self.creds(t))
        return made if isinstance(made, int) else 0

    def sys_mknod(self, t: TaskStruct, pathname: int, mode: int, dev: int) -> int:
        return self.do_mknodat(t, AT_FDCWD, pathname, mode, dev)

    def sys_mknodat(self, t: TaskStruct, dirfd: int, pathname: int, mode: int, dev: int) -> int:
        return self.do_mknodat(t, dirfd, pathname, mode, dev)

    def do_mknodat(self, t: TaskStruct, dirfd: int, pathname: int, mode: int, dev: int) -> int:
        """do_mknodat(): may_mknod() on the type (a directory EPERM, an unknown
        type EINVAL), filename_create(), the umask; then a regular file (type
        S_IFREG or 0) is made by vfs_create, the rest by vfs_mknod. Devices
        need CAP_MKNOD: root has it (euid 0), as on the host."""
        kind = mode & S_IFMT
        if kind == S_IFDIR:
            return -E.EPERM
        if kind not in (0, S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK):
            return -E.EINVAL
        found = self._parent_of_new(t, dirfd, pathname)
        if isinstance(found, int):
            return found
        perm = mode & ~t.fs.umask & 0o7777
        vfs, creds = self.k.vfs, self.creds(t)
        if kind in (0, S_IFREG):
            made = vfs.create(found.dir, found.name, perm, creds)
        else:
            rdev = dev if kind in (S_IFCHR, S_IFBLK) else 0
            made = vfs.mknod(found.dir, found.name, kind | perm, rdev, creds, t.cred.euid == 0)
        return made if isinstance(made, int) else 0

    def sys_symlink(self, t: TaskStruct, target: int, linkpath: int) -> int:
        return self.sys_symlinkat(t, target, AT_FDCWD, linkpath)

    def sys_symlinkat(self, t: TaskStruct, target: int, dirfd: int, linkpath: int) -> int:
        dest = self.user_path(t, target)
        if isinstance(dest, int):
            return dest
        if not dest:
            return -E.ENOENT
        found = self._parent_of_new(t, dirfd, linkpath)
        if isinstance(found, int):
            return found
        made = self.k.vfs.symlink(found.dir, found.name, dest.encode("utf-8", "surrogateescape"), self.creds(t))
        return made if isinstance(made, int) else 0

    def sys_link(self, t: TaskStruct, oldpath: int, newpath: int) -> int:
        return self.sys_linkat(t, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)

    def sys_linkat(self, t: TaskStruct, olddirfd: int, oldpath: int, newdirfd: int, newpath: int, flags: int) -> int:
        if flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        old = self.lookup_existing(t, olddirfd, oldpath, bool(flags & AT_SYMLINK_FOLLOW), flags)
        if isinstance(old, int):
            return old
        if old.inode.is_dir():
            return -E.EPERM
        new = self._parent_of_new(t, newdirfd, newpath)
        if isinstance(new, int):
            return new
        vfs = self.k.vfs
        inode = vfs.writable_inode(old.dir, old.name, old.inode) if old.name else old.inode
        if isinstance(inode, int):
            return inode
        return vfs.link(inode, new.dir, new.name, self.creds(t))

    def sys_unlink(self, t: TaskStruct, pathname: int) -> int:
        return self.sys_unlinkat(t, AT_FDCWD, pathname, 0)

    def sys_rmdir(self, t: TaskStruct, pathname: int) -> int:
        return self.sys_unlinkat(t, AT_FDCWD, pathname, AT_REMOVEDIR)

    def sys_unlinkat(self, t: TaskStruct, dirfd: int, pathname: int, flags: int) -> int:
        if flags & ~AT_REMOVEDIR:
            return -E.EINVAL
        found = self.lookup(t, dirfd, pathname, False)
        if isinstance(found, int):
            return found
        if flags & AT_REMOVEDIR:
            return self.do_rmdir(t, found)
        if found.inode is None:
            return -E.ENOENT
        if not found.name or found.must_be_dir:
            return -E.EISDIR if found.inode.is_dir() else -E.ENOTDIR
        return self.k.vfs.unlink(found.dir, found.name, self.creds(t))

    def do_rmdir(self, t: TaskStruct, found: Found) -> int:
        """do_rmdir(): "name/.." is ENOTEMPTY, "name/." EINVAL, "/" EBUSY."""
        if found.last_type == LAST_DOTDOT:
            return -E.ENOTEMPTY
        if found.last_type == LAST_DOT:
            return -E.EINVAL
        if found.last_type == LAST_ROOT:
            return -E.EBUSY
        return self.k.vfs.rmdir(found.dir, found.name, self.creds(t))

    def sys_rename(self, t: TaskStruct, oldpath: int, newpath: int) -> int:
        return self.sys_renameat2(t, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0)

    def sys_renameat(self, t: TaskStruct, olddirfd: int, oldpath: int, newdirfd: int, newpath: int) -> int:
        return self.sys_renameat2(t, olddirfd, oldpath, newdirfd, newpath, 0)

    def sys_renameat2(self, t: TaskStruct, olddirfd: int, oldpath: int, newdirfd: int, newpath: int,
                      flags: int) -> int:
        old = self.lookup_existing(t, olddirfd, oldpath, False)
        if isinstance(old, int):
            return old
        new = self.lookup(t, newdirfd, newpath, False)
        if isinstance(new, int):
            return new
        if not old.name or not new.name:
            return -E.EBUSY
        if (old.must_be_dir or new.must_be_dir) and not old.inode.is_dir():
            return -E.ENOTDIR
        return self.k.vfs.rename(old.dir, old.name, new.dir, new.name, flags, self.creds(t))

    def sys_readlink(self, t: TaskStruct, pathname: int, buf: int, size: int) -> int:
        return self.sys_readlinkat(t, AT_FDCWD, pathname, buf, size)

    def sys_readlinkat(self, t: TaskStruct, dirfd: int, pathname: int, buf: int, size: int) -> int:
        if size <= 0 or size > 0x7FFFFFFF:
            return -E.EINVAL
        found = self.lookup_existing(t, dirfd, pathname, False, AT_EMPTY_PATH)
        if isinstance(found, int):
            return found
        if not found.inode.is_lnk():
            return -E.EINVAL
        data = found.inode.target[:size]  # type: ignore[attr-defined]
        return len(data) if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT

    # ---- attributes ---------------------------------------------------------------------

    def sys_truncate(self, t: TaskStruct, pathname: int, length: int) -> int:
        found = self.lookup_existing(t, AT_FDCWD, pathname, True)
        if isinstance(found, int):
            return found
        if found.inode.is_dir():
            return -E.EISDIR
        err = permission(found.inode, 2, *self.creds(t))
        if err:
            return err
        return self._truncate(found, length)

    def sys_ftruncate(self, t: TaskStruct, fd: int, length: int) -> int:
        f = t.files.get(fd) if t.files is not None else None
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

    def _attr_target(self, t: TaskStruct, dirfd: int, ptr: int, follow: bool, flags: int = 0) -> Union[Inode, int]:
        """The inode whose attributes change (a host file is copied up)."""
        found = self.lookup_existing(t, dirfd, ptr, follow, flags)
        if isinstance(found, int):
            return found
        if not found.name:
            return found.inode
        return self.k.vfs.writable_inode(found.dir, found.name, found.inode)

    def _fd_target(self, t: TaskStruct, fd: int) -> Union[Inode, int]:
        f = t.files.get(fd) if t.files is not None else None
        if f is None or f.inode is None:
            return -E.EBADF
        return f.inode

    def sys_chmod(self, t: TaskStruct, pathname: int, mode: int) -> int:
        return self.sys_fchmodat(t, AT_FDCWD, pathname, mode)

    def sys_fchmodat(self, t: TaskStruct, dirfd: int, pathname: int, mode: int) -> int:
        return self._chmod(t, self._attr_target(t, dirfd, pathname, True), mode)

    def sys_fchmod(self, t: TaskStruct, fd: int, mode: int) -> int:
        return self._chmod(t, self._fd_target(t, fd), mode)

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
        inode = self._attr_target(t, dirfd, pathname, not flags & AT_SYMLINK_NOFOLLOW, flags)
        return self._chown(t, inode, uid, gid)

    def sys_fchown(self, t: TaskStruct, fd: int, uid: int, gid: int) -> int:
        return self._chown(t, self._fd_target(t, fd), uid, gid)

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

    def sys_utimensat(self, t: TaskStruct, dirfd: int, pathname: int, times: int, flags: int) -> int:
        if flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH):
            return -E.EINVAL
        if pathname:
            inode = self._attr_target(t, dirfd, pathname, not flags & AT_SYMLINK_NOFOLLOW, flags)
        else:
            inode = self._fd_target(t, dirfd)  # futimens(): a NULL path names dirfd itself
        if isinstance(inode, int):
            return inode
        now = inode.sb.now()
        if times:
            raw = self.k.uaccess.copy_from_user(t, times, 32)
            if raw is None:
                return -E.EFAULT
            stamps = []
            for sec, nsec in (struct.unpack_from("<qq", raw, 0), struct.unpack_from("<qq", raw, 16)):
                if nsec == UTIME_NOW:
                    stamps.append(now)
                elif nsec == UTIME_OMIT:
                    stamps.append(None)
                elif not 0 <= nsec < 1_000_000_000:
                    return -E.EINVAL
                else:
                    stamps.append(sec * 1_000_000_000 + nsec)
            if t.cred.fsuid not in (0, inode.uid):
                return -E.EPERM
        else:
            if permission(inode, 2, *self.creds(t)) and t.cred.fsuid not in (0, inode.uid):
                return -E.EACCES
            stamps = [now, now]
        if stamps[0] is not None:
            inode.atime = stamps[0]
        if stamps[1] is not None:
            inode.mtime = stamps[1]
        inode.ctime = now
        return 0

