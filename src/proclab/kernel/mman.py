"""Memory system calls (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c):
argument decoding; the work is in mm/mmap.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..arch.x86_64.pgtable import PAGE_MASK
from ..mm import mmap as mmap_ops
from ..uapi import errno as E
from ..uapi import mman as M
from .task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel


class Mman:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_brk(self, t: TaskStruct, brk: int) -> int:
        return mmap_ops.do_brk(t.mm, brk)

    def sys_mmap(self, t: TaskStruct, addr: int, length: int, prot: int, flags: int, fd: int, off: int) -> int:
        if off & ~PAGE_MASK:
            return -E.EINVAL
        if not flags & M.MAP_ANONYMOUS:
            # File mappings need the VFS: the only files so far are streams.
            return -E.EBADF if t.files is None or t.files.get(fd) is None else -E.ENODEV
        return mmap_ops.do_mmap(t.mm, addr, length, prot, flags)

    def sys_munmap(self, t: TaskStruct, addr: int, length: int) -> int:
        return mmap_ops.do_munmap(t.mm, addr, length)

    def sys_mprotect(self, t: TaskStruct, addr: int, length: int, prot: int) -> int:
        return mmap_ops.do_mprotect(t.mm, addr, length, prot)

    def sys_mremap(self, t: TaskStruct, addr: int, old_len: int, new_len: int, flags: int, new_addr: int) -> int:
        return mmap_ops.do_mremap(t.mm, addr, old_len, new_len, flags, new_addr)

    def sys_madvise(self, t: TaskStruct, addr: int, length: int, advice: int) -> int:
        return mmap_ops.do_madvise(t.mm, addr, length, advice)
