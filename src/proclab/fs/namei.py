"""Path lookup (fs/namei.c: path_lookupat, link_path_walk, walk_component,
trailing_symlink).

A path is walked one component at a time from the task's root ("/...") or a
starting directory (its cwd, or a dirfd). Every directory passed through must
be searchable; ".." stops at the root, so nothing above it can be named;
symbolic links are followed inside the simulated tree, at most 40 in one
lookup (ELOOP). A /proc magic link (/proc/PID/fd/N, and so /dev/fd/N,
/dev/stdin...) is not resolved through its text: the walk jumps to the inode
of the open file it names (nd_jump_link), so a pipe, a deleted file or the
console can be opened again by that name. The result names the last
component in its directory, which is what creating, removing and renaming
need as well as opening.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional, Union

from ..uapi import errno as E
from ..uapi.stat import (
    AT_EMPTY_PATH,
    AT_FDCWD,
    AT_REMOVEDIR,
    AT_SYMLINK_FOLLOW,
    MAXSYMLINKS,
    NAME_MAX,
    PATH_MAX,
    S_IFBLK,
    S_IFCHR,
    S_IFDIR,
    S_IFIFO,
    S_IFMT,
    S_IFREG,
    S_IFSOCK,
)
from .dir import Directory
from .file import File, fdget_raw
from .inode import Inode, Symlink, permission

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct


class FsIds(NamedTuple):
    """The ids permission checks use: fsuid, fsgid, supplementary groups (the
    part of a task's struct cred the filesystem sees)."""

    fsuid: int
    fsgid: int
    groups: tuple[int, ...] = ()


ROOT_IDS = FsIds(0, 0)

# What the last component of a path is (include/linux/namei.h LAST_*).
LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT = range(4)


class Found(NamedTuple):
    """The outcome of a lookup: the directory holding the last component, its
    name ("" when the path names a directory by "/", "." or "..", or a file
    reached by a magic link), and the inode there (None when nothing has that
    name yet)."""

    dir: Directory
    name: str
    inode: Optional[Inode]
    must_be_dir: bool      # the path ended with "/" (or "." / "..")
    last_type: int         # LAST_NORM for a name, else LAST_ROOT, LAST_DOT, LAST_DOTDOT
    jumped: Optional[File] = None  # the open file a magic link led to: its path is the result's

    def path(self, root: Directory) -> str:
        """The canonical absolute path of what was found (for /proc, messages)."""
        if self.jumped is not None:
            return self.jumped.name
        if self.name == "" and isinstance(self.inode, Directory):
            return self.inode.path_to(root) or "/"
        base = self.dir.path_to(root) or ""
        return (base.rstrip("/") + "/" + self.name) if self.name else (base or "/")


class Walker:
    """One lookup: the task's root and credentials, and the symlink budget."""

    def __init__(self, root: Directory, creds: FsIds = ROOT_IDS) -> None:
        self.root = root
        self.creds = creds
        self.links_left = MAXSYMLINKS

    def may_search(self, d: Inode) -> int:
        return permission(d, 1, *self.creds)

    def walk(self, path: str, start: Directory, follow: bool) -> Union[Found, int]:
        """Look `path` up from `start`; follow a symlink in the last component
        only when `follow`. Returns Found (whose inode may be None: the parent
        exists but the name does not) or -errno."""
        if not path:
            return -E.ENOENT
        if len(path) >= PATH_MAX:
            return -E.ENAMETOOLONG
        d = self.root if path.startswith("/") else start
        parts = [p for p in path.split("/") if p]
        trailing = path.endswith("/")
        if not parts:
            return Found(d, "", d, True, LAST_ROOT)
        for i, name in enumerate(parts):
            last = i == len(parts) - 1
            if not d.is_dir():
                return -E.ENOTDIR
            err = self.may_search(d)
            if err:
                return err
            if len(name) > NAME_MAX:
                return -E.ENAMETOOLONG
            if name in (".", ".."):
                d = self._dotdot(d) if name == ".." else d
                if last:
                    return Found(d, "", d, True, LAST_DOTDOT if name == ".." else LAST_DOT)
                continue
            inode = d.lookup(name)
            if last:
                if isinstance(inode, Symlink) and (follow or trailing):
                    return self._follow(inode, d, trailing)
                if trailing and inode is not None and not inode.is_dir():
                    return -E.ENOTDIR
                return Found(d, name, inode, trailing, LAST_NORM)
            if inode is None:
                return -E.ENOENT
            if isinstance(inode, Symlink):
                target = self._follow(inode, d, True)
                if isinstance(target, int):
                    return target
                inode = target.inode
                if inode is None:
                    return -E.ENOENT
            if not isinstance(inode, Directory):
                return -E.ENOTDIR
            d = inode
        raise AssertionError("unreachable")  # pragma: no cover

    def _dotdot(self, d: Directory) -> Directory:
        """follow_dotdot(): the parent, except at the task's root (a removed
        directory still has its parent)."""
        return d if d is self.root else d.parent

    def _follow(self, link: Symlink, base: Directory, must_be_dir: bool) -> Union[Found, int]:
        """pick_link(): resolve a symlink met in `base` (relative targets start
        there), or jump where a magic link leads. Both count against the
        budget of links."""
        self.links_left -= 1
        if self.links_left < 0:
            return -E.ELOOP
        link.touch_atime()  # following a link reads it
        body = link.get_link()
        if isinstance(body, int):
            return body
        if isinstance(body, File):
            return self.nd_jump_link(body, must_be_dir)
        target = body.decode("utf-8", "surrogateescape")
        if not target:
            return -E.ENOENT
        if must_be_dir and not target.endswith("/"):
            target += "/"
        return self.walk(target, base, follow=True)

    def nd_jump_link(self, f: File, must_be_dir: bool) -> Union[Found, int]:
        """nd_jump_link(): the walk goes on from the open file's own inode,
        whatever its name says (f_path). A file reached so is named by no
        directory entry: the result has no name (LAST_ROOT, as for a path
        naming an fd's file itself) and carries the file."""
        inode = f.inode
        if inode is None:
            return -E.ENOENT
        if must_be_dir and not isinstance(inode, Directory):
            return -E.ENOTDIR
        d = inode if isinstance(inode, Directory) else self.root
        return Found(d, "", inode, must_be_dir, LAST_ROOT, f)


class Namei:
    """Path lookups for the system calls of one kernel (user_path_at), and the calls that make and remove names."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

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
        f = fdget_raw(t, dirfd)
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
        f = fdget_raw(t, fd)
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

    def attr_target(self, t: TaskStruct, dirfd: int, ptr: int, follow: bool, flags: int = 0) -> Union[Inode, int]:
        """The inode whose attributes change (a host file is copied up)."""
        found = self.lookup_existing(t, dirfd, ptr, follow, flags)
        if isinstance(found, int):
            return found
        if not found.name:
            return found.inode
        return self.k.vfs.writable_inode(found.dir, found.name, found.inode)

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
