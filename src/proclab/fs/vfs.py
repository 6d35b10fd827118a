"""The simulated system's filesystem: the host's tree (or `--root DIR`),
read-only, under an in-memory writable layer (fs/overlayfs), with /dev on top
(fs/namei.c vfs_create, vfs_mkdir, vfs_mknod, vfs_unlink, vfs_rmdir,
vfs_rename, vfs_link, vfs_symlink; fs/overlayfs/copy_up.c).

Changing a host file first copies it up: a `MemFile` with the same contents,
mode and owner takes its place in the directory, and only that copy changes.
Removing a host entry leaves a whiteout. So the host is never written; `keep`
copies the writable layer out to a host directory when asked (`--keep DIR`).

Permission rules of fs/namei.c (may_create, may_delete with the sticky bit)
are applied here, with the caller's `FsIds`.
"""

from __future__ import annotations

import os
from typing import Callable, Iterator, Union

from ..mm.filemap import PageCache
from ..mm.physmem import PhysMem
from ..uapi import errno as E
from ..uapi.stat import (
    RENAME_EXCHANGE,
    RENAME_NOREPLACE,
    RENAME_WHITEOUT,
    S_IFBLK,
    S_IFCHR,
    S_IFIFO,
    S_IFMT,
    S_ISVTX,
)
from .console import ConsoleDevice
from .devices import CharDevice, chrdev_open, make_console_lines, make_devices
from .dir import Directory
from .hostfs import HostFile, HostLayer
from .inode import Inode, SuperBlock, Symlink, permission
from .memfs import MemFile
from .namei import FsIds
from .pipe import PIPEFS_MAGIC, FifoInode

Result = Union[Inode, int]
PIPEFS_DEV = 0x0D  # an anonymous device number, like pipefs's
ANON_INODE_FS_DEV = 0x0F
ANON_INODE_FS_MAGIC = 0x09041934
WHITEOUT_DEV = 0   # a character device 0:0 is an overlay whiteout: no CAP_MKNOD needed


class Vfs:
    """The mounted tree and the operations that change it."""

    def __init__(
        self,
        phys: PhysMem,
        page_cache: PageCache,
        now: Callable[[], int],
        console: ConsoleDevice,
        randbytes: Callable[[int], bytes],
        host_root: str = "/",
    ) -> None:
        self.phys = phys
        self.sb = SuperBlock(now)
        self.pipe_sb = SuperBlock(now, dev=PIPEFS_DEV, magic=PIPEFS_MAGIC)
        # anon_inode_inode: the one inode of every anonymous file (epoll...),
        # mode 0600 with no file type, as anon_inode_mkinode() makes it
        self.anon_inode = Inode(SuperBlock(now, dev=ANON_INODE_FS_DEV, magic=ANON_INODE_FS_MAGIC), 0o600)
        self.host = HostLayer(self.sb, page_cache)
        self.host_root = os.path.realpath(host_root)
        self.root = self.host.root(self.host_root)
        self.bind_mounts: set[Inode] = set()   # bind_host_file's: a mount, not part of the layer
        # /dev is the simulated one; the host's /proc and /sys describe the host
        # kernel: they are empty directories here until procfs and sysfs are mounted.
        dev = self._mount_dir("dev", 0o755)
        devices = make_devices(self.sb, console, randbytes)
        for name, node in devices.items():
            dev.add(name, node)
        self.dev = dev
        self.chrdevs = {node.rdev: node for node in devices.values() if isinstance(node, CharDevice)}
        self.console_lines = make_console_lines(self.sb, console)
        shm = Directory(self.sb, 0o1777)
        dev.add("shm", shm)
        for name, target in (("stdin", b"/proc/self/fd/0"), ("stdout", b"/proc/self/fd/1"),
                             ("stderr", b"/proc/self/fd/2"), ("fd", b"/proc/self/fd")):
            dev.add(name, Symlink(self.sb, target))
        self._mount_dir("proc", 0o555)
        self._mount_dir("sys", 0o555)

    def console_line(self, stream: int) -> Inode:
        """The inode of one console stream: what fd 0, 1 or 2 of init is."""
        return self.console_lines[stream]

    def mount(self, name: str, tree: Directory) -> None:
        """Put `tree` at /name (procfs at /proc)."""
        self.root.entries[name] = tree
        tree.parent, tree.name = self.root, name

    def pipe_inode(self, creds: FsIds) -> FifoInode:
        """get_pipe_inode(): the inode of a new pipe, on pipefs, owned by its
        maker (what fstat of a pipe shows)."""
        return FifoInode(self.pipe_sb, S_IFIFO | 0o600, creds.fsuid, creds.fsgid)

    def _mount_dir(self, name: str, perm: int) -> Directory:
        """An empty directory over the host's `name` at the root. Like a
        mount, it changes neither the root's times nor (if the host has the
        directory) its link count."""
        root = self.root
        saved = (root.nlink, root.atime, root.mtime, root.ctime)
        existed = isinstance(root.lookup(name), Directory)
        d = Directory(self.sb, perm)
        root.remove(name)
        root.add(name, d)
        root.nlink, root.atime, root.mtime, root.ctime = saved
        if not existed:
            root.nlink += 1
        return d

    # ---- creating --------------------------------------------------------------------

    def may_create(self, d: Directory, creds: FsIds) -> int:
        """Write and search permission on the directory (may_create)."""
        if d.dead or not d.writable:
            return -E.ENOENT  # the directory was removed, or makes its own entries (/proc)
        return permission(d, 3, *creds)

    def create(self, d: Directory, name: str, perm: int, creds: FsIds) -> Result:
        """vfs_create(): a new empty regular file."""
        err = self.may_create(d, creds)
        if err:
            return err
        if d.create_op is not None:
            return d.create_op(name, perm)
        f = MemFile(self.sb, self.phys, perm, creds.fsuid, self._new_gid(d, creds))
        d.add(name, f)
        return f

    def may_create_other(self, d: Directory, creds: FsIds) -> int:
        """may_create(), then EPERM where the directory's filesystem has no
        method for this kind of name (vfs_mkdir(), vfs_symlink(), vfs_mknod(),
        vfs_link() without i_op->mkdir, ->symlink, ->mknod, ->link)."""
        return self.may_create(d, creds) or (0 if d.other_creates else -E.EPERM)

    def mkdir(self, d: Directory, name: str, perm: int, creds: FsIds) -> Result:
        err = self.may_create_other(d, creds)
        if err:
            return err
        new = Directory(self.sb, perm, creds.fsuid, self._new_gid(d, creds))
        d.add(name, new)
        return new

    def symlink(self, d: Directory, name: str, target: bytes, creds: FsIds) -> Result:
        err = self.may_create_other(d, creds)
        if err:
            return err
        link = Symlink(self.sb, target, creds.fsuid, self._new_gid(d, creds))
        d.add(name, link)
        return link

    def mknod(self, d: Directory, name: str, mode: int, rdev: int, creds: FsIds, cap_mknod: bool) -> Result:
        """vfs_mknod() with shmem_mknod()'s init_special_inode(): a FIFO, a
        socket node or a device node (`mode` has the type). A device needs
        CAP_MKNOD (`cap_mknod`), except the whiteout 0:0; a character device
        opens through the driver of the /dev node of its number (none:
        ENXIO), a block device never opens (no disks: ENXIO), nor does a
        socket node (no_open: ENXIO)."""
        err = self.may_create_other(d, creds)
        if err:
            return err
        kind = mode & S_IFMT
        if kind in (S_IFCHR, S_IFBLK) and not cap_mknod and not (kind == S_IFCHR and rdev == WHITEOUT_DEV):
            return -E.EPERM
        uid, gid = creds.fsuid, self._new_gid(d, creds)
        node: Inode
        if kind == S_IFIFO:
            node = FifoInode(self.sb, mode, uid, gid)
        elif kind == S_IFCHR:
            drivers = self.chrdevs
            node = CharDevice(self.sb, rdev, mode, lambda flags: chrdev_open(drivers, rdev, flags), uid, gid)
        else:
            node = Inode(self.sb, mode, uid, gid, rdev if kind == S_IFBLK else 0)
        d.add(name, node)
        return node

    def link(self, inode: Inode, d: Directory, name: str, creds: FsIds) -> int:
        """vfs_link(): another name for a file (copied up first: the host's
        file cannot gain a name). Not for a file of another filesystem (a
        pipe's, /proc's: EXDEV), nor for one that has lost its last name
        (ENOENT: reached through /proc/PID/fd, it stays nameless)."""
        err = self.may_create_other(d, creds)
        if err:
            return err
        if inode.sb is not d.sb:
            return -E.EXDEV
        if inode.is_dir():
            return -E.EPERM
        if inode.nlink == 0:
            return -E.ENOENT
        d.add(name, inode)
        inode.nlink += 1
        inode.changed()
        return 0

    def _new_gid(self, d: Directory, creds: FsIds) -> int:
        """A directory with the set-group-ID bit gives new files its group."""
        return d.gid if d.mode & 0o2000 else creds.fsgid

    # ---- copy-up -----------------------------------------------------------------------

    def copy_up(self, d: Directory, name: str, inode: Inode) -> Result:
        """Replace a host file by an in-memory copy before it changes (a host
        directory or link needs none: their changes live in the layer)."""
        if not isinstance(inode, HostFile):
            return inode
        copy = MemFile(self.sb, self.phys, inode.mode, inode.uid, inode.gid)
        pos, chunk = 0, 1 << 20
        while pos < inode.size:
            data = inode.read(pos, chunk)
            if not data:
                break
            n = copy.write(pos, data)
            if n < len(data):
                copy.truncate(0)
                return -E.ENOSPC if n >= 0 else n
            pos += n
        copy.atime, copy.mtime, copy.ctime = inode.atime, inode.mtime, inode.ctime
        d.entries[name] = copy
        return copy

    def writable_inode(self, d: Directory, name: str, inode: Inode) -> Result:
        """The inode to change in place of `inode` (d/name): copied up if needed."""
        return self.copy_up(d, name, inode) if isinstance(inode, HostFile) else inode

    # ---- removing and renaming ------------------------------------------------------------

    def may_delete(self, d: Directory, victim: Inode, creds: FsIds) -> int:
        """may_delete(): write+search on the directory, and with the sticky bit
        only the owner of the file or of the directory (or root)."""
        if not d.writable:
            return -E.EPERM
        err = self.may_create(d, creds)
        if err:
            return err
        if d.mode & S_ISVTX and creds.fsuid not in (0, victim.uid, d.uid):
            return -E.EPERM
        return 0

    def unlink(self, d: Directory, name: str, creds: FsIds) -> int:
        victim = d.lookup(name)
        if victim is None:
            return -E.ENOENT
        if victim.is_dir():
            return -E.EISDIR
        err = self.may_delete(d, victim, creds)
        if err:
            return err
        d.remove(name)
        self._drop_link(victim)
        return 0

    def rmdir(self, d: Directory, name: str, creds: FsIds) -> int:
        victim = d.lookup(name)
        if victim is None:
            return -E.ENOENT
        if not isinstance(victim, Directory):
            return -E.ENOTDIR
        err = self.may_delete(d, victim, creds)
        if err:
            return err
        if not victim.is_empty():
            return -E.ENOTEMPTY
        d.remove(name)
        victim.kill()
        return 0

    def _drop_link(self, inode: Inode) -> None:
        inode.nlink -= 1
        inode.changed()
        if isinstance(inode, MemFile):
            inode.evict_if_unused()

    def rename(self, od: Directory, oname: str, nd: Directory, nname: str, flags: int, creds: FsIds) -> int:
        """vfs_rename(): move od/oname to nd/nname, replacing what is there
        (a file by a file, a directory by an empty directory)."""
        if flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) or flags & RENAME_WHITEOUT:
            return -E.EINVAL
        if flags & RENAME_NOREPLACE and flags & RENAME_EXCHANGE:
            return -E.EINVAL
        old = od.lookup(oname)
        if old is None:
            return -E.ENOENT
        new = nd.lookup(nname)
        err = self.may_delete(od, old, creds) or self.may_create(nd, creds)
        if err:
            return err
        if not od.other_creates or not nd.other_creates:
            return -E.EPERM  # no i_op->rename
        if isinstance(old, Directory) and self._is_ancestor(old, nd):
            return -E.EINVAL  # a directory cannot move into itself
        if flags & RENAME_EXCHANGE:
            if new is None:
                return -E.ENOENT
            if isinstance(new, Directory) and self._is_ancestor(new, od):
                return -E.EINVAL
            od.remove(oname)
            nd.remove(nname)
            od.add(oname, new)
            nd.add(nname, old)
            return 0
        if new is old:
            return 0  # two names of one file: nothing happens
        if new is not None:
            if flags & RENAME_NOREPLACE:
                return -E.EEXIST
            if isinstance(old, Directory):
                if not isinstance(new, Directory):
                    return -E.ENOTDIR
                if not new.is_empty():
                    return -E.ENOTEMPTY
            elif isinstance(new, Directory):
                return -E.EISDIR
            err = self.may_delete(nd, new, creds)
            if err:
                return err
            nd.remove(nname)
            if isinstance(new, Directory):
                new.kill()
            else:
                self._drop_link(new)
        od.remove(oname)
        nd.add(nname, old)
        old.changed()
        return 0

    @staticmethod
    def _is_ancestor(d: Directory, of: Directory) -> bool:
        """Is `d` the directory `of` or one of its ancestors?"""
        cur = of
        while cur is not d:
            if cur.parent is cur:
                return False
            cur = cur.parent
        return True

    # ---- the program itself, and keeping the layer ---------------------------------------

    def bind_host_file(self, host_path: str) -> str:
        """Make a host file that lies outside the root visible at its own path
        (as a bind mount would): the program `proclab run` starts under
        `--root`. Returns the path inside the simulated tree."""
        real = os.path.realpath(host_path)
        inside = os.path.relpath(real, self.host_root)
        if inside != ".." and not inside.startswith("../"):
            return "/" + inside
        d = self.root
        parts = [p for p in real.split("/") if p]
        for name in parts[:-1]:
            nxt = d.lookup(name)
            if not isinstance(nxt, Directory):
                if nxt is not None:
                    d.remove(name)
                nxt = Directory(self.sb, 0o755)
                self.bind_mounts.add(nxt)
                d.add(name, nxt)
            d = nxt
        st = os.stat(real)
        d.remove(parts[-1])
        bound = HostFile(self.sb, self.host.cache, real, st)
        self.bind_mounts.add(bound)
        d.add(parts[-1], bound)
        return real

    def keep(self, dest: str) -> int:
        """Copy what the writable layer holds (new and changed files,
        directories, links, and host entries renamed to a new place, a
        directory with all it holds) into the host directory `dest`; returns
        how many entries were written. Removals are not replayed."""
        written = 0
        for rel, inode in self._layer_entries(self.root, "", False):
            target = os.path.join(dest, rel)
            if isinstance(inode, Directory):
                os.makedirs(target, exist_ok=True)
            elif isinstance(inode, (MemFile, HostFile)):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                self._copy_out(inode, target)
            elif isinstance(inode, Symlink):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                if os.path.lexists(target):
                    os.unlink(target)
                os.symlink(os.fsdecode(inode.target), target)
            else:
                continue
            written += 1
        return written

    @staticmethod
    def _copy_out(inode: Union[MemFile, HostFile], target: str) -> None:
        """Write a regular file's contents and permissions to the host path `target`."""
        with open(target, "wb") as out:
            pos, chunk = 0, 1 << 20
            while pos < inode.size:
                data = inode.read(pos, chunk)
                if not data:
                    break
                out.write(data)
                pos += len(data)
        os.chmod(target, inode.mode & 0o777)

    def _layer_entries(self, d: Directory, prefix: str, whole: bool) -> Iterator[tuple[str, Inode]]:
        """(relative path, inode) of everything the layer put under `d`,
        parents before children: what it created or copied up, and host
        entries it moved (found where the host does not have them). With
        `whole`, `d` itself was put there, so all it shows is the layer's.
        The simulated /dev, /proc, /sys and the bind mounts are left out."""
        for name in sorted(d.names() if whole else d.entries):
            if d is self.root and name in ("dev", "proc", "sys"):
                continue
            inode = d.lookup(name)
            if inode is None:
                continue
            new_here = inode not in self.bind_mounts and (whole or not self._is_lower_entry(d, name, inode))
            rel = f"{prefix}{name}"
            if new_here:
                yield rel, inode
            if isinstance(inode, Directory):
                yield from self._layer_entries(inode, rel + "/", new_here)

    def _is_lower_entry(self, d: Directory, name: str, inode: Inode) -> bool:
        """Is d/name the host's own entry of that name, merely looked up?"""
        return d.lower is not None and inode.host_path is not None and self.host.holds(d.lower, name, inode)
