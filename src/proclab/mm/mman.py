"""Memory system calls (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c,
mm/msync.c): argument decoding and the checks on the file behind a mapping;
the work is in mm/mmap.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..arch.x86_64.pgtable import PAGE_MASK
from ..fs.devices import ZeroFile
from ..fs.file import O_APPEND
from ..fs.regfile import RegularFile
from . import mmap as mmap_ops
from ..uapi import errno as E
from ..uapi import mman as M
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel


class Mman:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    def sys_brk(self, t: TaskStruct, brk: int) -> int:
        return mmap_ops.do_brk(t.mm, brk)

    def sys_mmap(self, t: TaskStruct, addr: int, length: int, prot: int, flags: int, fd: int, off: int) -> int:
        if off & ~PAGE_MASK:
            return -E.EINVAL
        if flags & M.MAP_ANONYMOUS:
            return mmap_ops.do_mmap(t.mm, addr, length, prot, flags)
        f = t.files.get(fd) if t.files is not None else None
        if f is None:
            return -E.EBADF
        if isinstance(f, ZeroFile):
            # /dev/zero: private is anonymous memory, shared is shared memory
            return mmap_ops.do_mmap(t.mm, addr, length, prot, flags | M.MAP_ANONYMOUS)
        if not isinstance(f, RegularFile):
            return -E.ENODEV
        shared = flags & M.MAP_TYPE != M.MAP_PRIVATE
        if not f.readable() or (shared and prot & M.PROT_WRITE and (not f.writable() or f.flags & O_APPEND)):
            return -E.EACCES
        return mmap_ops.do_mmap(t.mm, addr, length, prot, flags, f.inode.mapping(), off >> 12, f.name,
                                may_write=f.writable() and not f.flags & O_APPEND)

    def sys_munmap(self, t: TaskStruct, addr: int, length: int) -> int:
        return mmap_ops.do_munmap(t.mm, addr, length)

    def sys_mprotect(self, t: TaskStruct, addr: int, length: int, prot: int) -> int:
        return mmap_ops.do_mprotect(t.mm, addr, length, prot)

    def sys_mremap(self, t: TaskStruct, addr: int, old_len: int, new_len: int, flags: int, new_addr: int) -> int:
        return mmap_ops.do_mremap(t.mm, addr, old_len, new_len, flags, new_addr)

    def sys_madvise(self, t: TaskStruct, addr: int, length: int, advice: int) -> int:
        return mmap_ops.do_madvise(t.mm, addr, length, advice)

    def sys_msync(self, t: TaskStruct, addr: int, length: int, flags: int) -> int:
        return mmap_ops.do_msync(t.mm, addr, length, flags)

    def sys_mincore(self, t: TaskStruct, addr: int, length: int, vec: int) -> int:
        got = mmap_ops.do_mincore(t.mm, addr, length)
        if isinstance(got, int):
            return got
        return 0 if self.k.uaccess.copy_to_user(t, vec, got) else -E.EFAULT
