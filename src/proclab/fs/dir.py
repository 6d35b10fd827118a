"""Directories: an in-memory layer over a host directory (fs/overlayfs).

A `Directory` merges its own entries (files created, changed or copied up by
simulated programs; also the host entries already looked up, cached) over a
host directory (`lower`), minus the names removed (`whiteouts`). A directory
created by a program, or one that replaced a removed host directory, has no
lower part. Directories cannot be hard linked, so each has exactly one parent
and name: getcwd and /proc walk them up to the root. A removed directory is
dead (S_DEAD) but keeps its parent, as a dentry keeps d_parent: ".." from it
still leads back, while getcwd fails and nothing can be created in it.

Only fs/vfs.py changes a directory's contents; the path walk only looks up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Union

from ..uapi.stat import S_IFDIR
from ..lib.lockdep import lock_acquire
from .inode import Inode, SuperBlock

if TYPE_CHECKING:  # pragma: no cover
    from .hostfs import HostLayer


class Directory(Inode):
    writable = True   # names may be created and removed here (not in /proc)
    # inode_operations of a filesystem with its own: `create_op(name, perm)`
    # makes the file for open(O_CREAT)/mknod (i_op->create: the new inode or
    # -errno); without mkdir, symlink, mknod, link and rename methods
    # (`other_creates` False) those fail with EPERM, as in vfs_mkdir() & co.
    create_op: Optional[Callable[[str, int], Union[Inode, int]]] = None
    other_creates = True

    def __init__(
        self,
        sb: SuperBlock,
        perm: int,
        uid: int = 0,
        gid: int = 0,
        parent: Optional["Directory"] = None,
        name: str = "",
        lower: Optional[str] = None,
        host: Optional["HostLayer"] = None,
    ) -> None:
        super().__init__(sb, S_IFDIR | (perm & 0o7777), uid, gid)
        self.nlink = 2
        self.parent: Directory = parent if parent is not None else self  # the root is its own
        self.dead = False       # removed (IS_DEADDIR): getcwd ENOENT, no new entries
        self.name = name
        self.entries: dict[str, Inode] = {}
        self.whiteouts: set[str] = set()
        self.lower = lower
        self.host = host
        self.st_size = 4096   # what stat reports (a host directory: the host's figure)

    @property
    def size(self) -> int:
        return self.st_size

    def lookup(self, name: str) -> Optional[Inode]:
        """The inode called `name` here (not "." or ".."), or None."""
        lock_acquire(self.lock_key, write=False)
        inode = self.entries.get(name)
        if inode is not None:
            return inode
        if self.lower is None or self.host is None or name in self.whiteouts:
            return None
        inode = self.host.lookup(self, self.lower, name)
        if inode is not None:
            # named by its host path: whichever task looks it up first
            inode.lock_key = ("host", f"{self.lower}/{name}")
            self.entries[name] = inode
        return inode

    def names(self) -> list[str]:
        """Every name in the merged directory: the host directory's in the
        host's own order (so listings match the host's), then the names the
        layer added, oldest first."""
        if self.lower is None or self.host is None:
            return list(self.entries)
        lower = [n for n in self.host.names(self.lower) if n not in self.whiteouts]
        seen = set(lower)
        return lower + [n for n in self.entries if n not in seen]

    def is_empty(self) -> bool:
        return not self.names()

    def kill(self) -> None:
        """The directory was removed (rmdir, or replaced by rename): S_DEAD,
        no links left."""
        self.dead = True
        self.nlink = 0
        self.changed()

    def add(self, name: str, inode: Inode) -> None:
        """Link `inode` under `name` (the caller checked that it is free)."""
        lock_acquire(self.lock_key)
        self.entries[name] = inode
        self.whiteouts.discard(name)
        if isinstance(inode, Directory):
            inode.parent, inode.name = self, name
            self.nlink += 1
        self.modified()

    def remove(self, name: str) -> None:
        """Unlink `name`; a host entry of that name is hidden from now on."""
        lock_acquire(self.lock_key)
        inode = self.entries.pop(name, None)
        if self.lower is not None:
            self.whiteouts.add(name)
        if isinstance(inode, Directory):
            self.nlink -= 1
        self.modified()

    def path_to(self, root: "Directory") -> Optional[str]:
        """d_path(): this directory's absolute path as seen from `root`, or None
        if it was removed. A directory outside `root` is shown from the real
        root (Linux prefixes "(unreachable)"; getcwd then fails)."""
        parts = []
        d: Directory = self
        while d is not root:
            if d.dead:
                return None
            parent = d.parent
            if parent is d:
                break  # the real root: `root` is not above us
            parts.append(d.name)
            d = parent
        return "/" + "/".join(reversed(parts))
