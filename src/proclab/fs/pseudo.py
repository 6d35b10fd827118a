"""Files whose contents the kernel makes up when they are read (fs/proc's
generic part, fs/seq_file.c, fs/kernfs).

A `PseudoDir` lists and looks up its entries by asking a function each time,
so /proc always shows the tasks alive now; a `PseudoFile` produces its text
when opened (`show`) and may accept a write (`store`); a `PseudoLink`'s target
is computed when it is read or followed; a `MagicLink` (/proc/PID/fd/N) is
not followed through its text at all: it leads straight to an open file. The
kernel builds such a tree (fs/proc/) and mounts it; fs/ only provides
the machinery.
"""

from __future__ import annotations

from typing import Callable, Optional, Union

from ..uapi import errno as E
from ..uapi.stat import S_IFLNK, S_IFREG
from .dir import Directory
from .file import File, ReadResult
from .inode import Inode, SuperBlock, Symlink
from .regfile import RegularFile


class PseudoDir(Directory):
    """A directory whose entries are computed: `list()` gives the names in
    readdir order, `find(name)` the inode (or None). Nothing can be created
    or removed in it."""

    writable = False

    def __init__(self, sb: SuperBlock, perm: int, parent: Optional[Directory], name: str,
                 list_names: Callable[[], list[str]], find: Callable[[str], Optional[Inode]]) -> None:
        super().__init__(sb, perm, parent=parent, name=name)
        self._list = list_names
        self._find = find

    def lookup(self, name: str) -> Optional[Inode]:
        inode = self._find(name)
        if isinstance(inode, Directory):
            inode.parent, inode.name = self, name
        return inode

    def names(self) -> list[str]:
        return self._list()


class PseudoFile(Inode):
    """A regular file made of text the kernel writes at open time."""

    def __init__(self, sb: SuperBlock, perm: int, show: Callable[[], bytes],
                 store: Optional[Callable[[bytes], int]] = None, uid: int = 0, gid: int = 0) -> None:
        super().__init__(sb, S_IFREG | perm, uid, gid)
        self.show = show
        self.store = store

    def read(self, offset: int, size: int) -> bytes:
        return self.show()[offset:offset + size]

    def open(self, flags: int, name: str) -> File | int:
        file = SeqFile(self, flags, name)
        if file.writable() and self.store is None:
            file.put()
            return -E.EACCES
        return file


class SeqFile(RegularFile):
    """An open pseudo file: the text as it was when reading began (a read
    at offset 0 takes a fresh copy, like seq_file's restart)."""

    def __init__(self, inode: PseudoFile, flags: int, name: str) -> None:
        super().__init__(inode, flags, name)
        self._text: Optional[bytes] = None

    def pread(self, pos: int, count: int) -> ReadResult:
        if self._text is None or pos == 0:
            self._text = self.inode.show()
        return self._text[pos:pos + count]

    def pwrite(self, pos: int, data: bytes) -> int:
        err = self.inode.store(data)
        return err if err < 0 else len(data)

    def llseek(self, offset: int, whence: int) -> int:
        if self._text is None:
            self._text = self.inode.show()
        return super().llseek(offset, whence)


class PseudoLink(Symlink):
    """A symbolic link whose target is computed when it is used."""

    def __init__(self, sb: SuperBlock, target: Callable[[], bytes]) -> None:
        super().__init__(sb, b"")
        self._compute = target

    @property
    def target(self) -> bytes:
        return self._compute()


class MagicLink(PseudoLink):
    """A /proc "magic link" (proc_pid_get_link() with nd_jump_link()):
    readlink shows its text ("pipe:[7]", "/dev/console", a path), but
    following it resolves no text: `jump()` gives the open file whose inode
    the path walk continues from, or -errno, decided when it is followed."""

    def __init__(self, sb: SuperBlock, perm: int, uid: int, gid: int, target: Callable[[], bytes],
                 jump: Callable[[], Union[File, int]]) -> None:
        super().__init__(sb, target)
        self.mode = S_IFLNK | perm
        self.uid, self.gid = uid, gid
        self._jump = jump

    def get_link(self) -> Union[bytes, File, int]:
        return self._jump()
