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

from typing import NamedTuple, Optional, Union

from ..uapi import errno as E
from ..uapi.stat import MAXSYMLINKS, NAME_MAX, PATH_MAX
from .dir import Directory
from .file import File
from .inode import Inode, Symlink, permission


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
