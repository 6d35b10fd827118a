"""Reading and writing user memory from the kernel (copy_to_user,
copy_from_user, strncpy_from_user, get_user/put_user).

Kernel accesses fault exactly like user ones: a write into a copy-on-write page
(wait4 storing a status on a stack shared with a child, say) breaks the sharing,
and the fault is accounted to the task through the same `do_user_addr_fault` the
CPU uses. A bad address gives None/False, which syscalls return as -EFAULT.
While explore records, every page reached is reported to lockdep (might_fault),
so that a syscall reading or writing memory another task shares depends on
that task's loads and stores.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Callable, Optional

from .pgtable import ACCESS_NEEDS, ACCESS_READ, ACCESS_WRITE, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE
from ...lib import lockdep
from ...uapi import errno as E
from ...kernel.time.timekeeping import timespec64_to_ns

if TYPE_CHECKING:  # pragma: no cover
    from ...mm.mm_struct import MmStruct
    from ...kernel.task import TaskStruct

# fault(task, mm, addr, access, from_kernel) -> pte or None
FaultFn = Callable[["TaskStruct", "MmStruct", int, int, bool], Optional[int]]

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I32 = struct.Struct("<i")
_TIMESPEC = struct.Struct("<qq")
_NEEDS_READ = ACCESS_NEEDS[ACCESS_READ]
_NEEDS_WRITE = ACCESS_NEEDS[ACCESS_WRITE]


class UserAccess:
    """The kernel's window on user memory, bound to the page-fault handler."""

    def __init__(self, fault: FaultFn) -> None:
        self._fault = fault

    def _pte(self, task: TaskStruct, mm: MmStruct, addr: int, access: int) -> Optional[int]:
        pte = mm.pgtable.get(addr >> PAGE_SHIFT)
        if pte is None or not pte & ACCESS_NEEDS[access]:
            pte = self._fault(task, mm, addr, access, True)
        if pte is not None and lockdep.recorder is not None:
            lockdep.might_fault(mm, addr, pte, access == ACCESS_WRITE)
        return pte

    def copy_from_user(self, task: TaskStruct, addr: int, size: int, mm: Optional[MmStruct] = None) -> Optional[bytes]:
        mm = mm or task.mm
        if mm is None or addr < 0 or addr + size > TASK_SIZE:
            return None
        mem = mm.phys.mem
        out = bytearray()
        while size > 0:
            pte = self._pte(task, mm, addr, ACCESS_READ)
            if pte is None:
                return None
            off = addr & (PAGE_SIZE - 1)
            n = min(size, PAGE_SIZE - off)
            base = ((pte >> PAGE_SHIFT) << PAGE_SHIFT) + off
            out += mem[base:base + n]
            addr += n
            size -= n
        return bytes(out)

    def copy_to_user(self, task: TaskStruct, addr: int, data: bytes, mm: Optional[MmStruct] = None) -> bool:
        mm = mm or task.mm
        if mm is None or addr < 0 or addr + len(data) > TASK_SIZE:
            return False
        phys = mm.phys
        pos = 0
        while pos < len(data):
            pte = self._pte(task, mm, addr, ACCESS_WRITE)
            if pte is None:
                return False
            off = addr & (PAGE_SIZE - 1)
            n = min(len(data) - pos, PAGE_SIZE - off)
            phys.write(pte >> PAGE_SHIFT, off, data[pos:pos + n])
            addr += n
            pos += n
        return True

    def strncpy_from_user(self, task: TaskStruct, addr: int, maxlen: int) -> Optional[bytes]:
        """A NUL-terminated string (without the NUL), None on a fault or when no
        NUL comes within `maxlen` bytes."""
        mm = task.mm
        if mm is None:
            return None
        out = bytearray()
        mem = mm.phys.mem
        while len(out) < maxlen:
            pte = self._pte(task, mm, addr, ACCESS_READ)
            if pte is None:
                return None
            off = addr & (PAGE_SIZE - 1)
            n = min(PAGE_SIZE - off, maxlen - len(out))
            base = ((pte >> PAGE_SHIFT) << PAGE_SHIFT) + off
            chunk = mem[base:base + n]
            nul = bytes(chunk).find(b"\0")
            if nul >= 0:
                out += chunk[:nul]
                return bytes(out)
            out += chunk
            addr += n
        return None

    def _get(self, task: TaskStruct, addr: int, fmt: struct.Struct) -> Optional[int]:
        """get_user(): one value; within a readable page it is a single unpack."""
        mm = task.mm
        off = addr & (PAGE_SIZE - 1)
        if mm is not None and off <= PAGE_SIZE - fmt.size:
            pte = mm.pgtable.get(addr >> PAGE_SHIFT)
            if pte is not None and pte & _NEEDS_READ and lockdep.recorder is None:
                return fmt.unpack_from(mm.phys.mem, ((pte >> PAGE_SHIFT) << PAGE_SHIFT) + off)[0]
        data = self.copy_from_user(task, addr, fmt.size)
        return None if data is None else fmt.unpack(data)[0]

    def _put(self, task: TaskStruct, addr: int, fmt: struct.Struct, value: int) -> bool:
        """put_user(): one value; within a writable page it is a single pack."""
        mm = task.mm
        off = addr & (PAGE_SIZE - 1)
        if mm is not None and off <= PAGE_SIZE - fmt.size:
            pte = mm.pgtable.get(addr >> PAGE_SHIFT)
            if pte is not None and pte & _NEEDS_WRITE and lockdep.recorder is None:
                mm.phys.write_value(pte >> PAGE_SHIFT, off, fmt, value)
                return True
        return self.copy_to_user(task, addr, fmt.pack(value))

    def get_u64(self, task: TaskStruct, addr: int) -> Optional[int]:
        return self._get(task, addr, _U64)

    def get_u32(self, task: TaskStruct, addr: int) -> Optional[int]:
        return self._get(task, addr, _U32)

    def put_u64(self, task: TaskStruct, addr: int, value: int) -> bool:
        return self._put(task, addr, _U64, value & 0xFFFFFFFFFFFFFFFF)

    def put_u32(self, task: TaskStruct, addr: int, value: int) -> bool:
        return self._put(task, addr, _U32, value & 0xFFFFFFFF)

    def put_i32(self, task: TaskStruct, addr: int, value: int) -> bool:
        return self._put(task, addr, _I32, value)

    def get_timespec64(self, task: TaskStruct, addr: int) -> Optional[tuple[int, int]]:
        """get_timespec64(): a struct timespec (tv_sec, tv_nsec) from user
        memory, or None when it cannot be read."""
        raw = self.copy_from_user(task, addr, _TIMESPEC.size)
        return None if raw is None else _TIMESPEC.unpack(raw)

    def get_timespec_ns(self, task: TaskStruct, addr: int) -> int:
        """The timespec at `addr` in nanoseconds, -EFAULT when it cannot be
        read, -EINVAL when it is not a valid time (timespec64_valid)."""
        ts = self.get_timespec64(task, addr)
        if ts is None:
            return -E.EFAULT
        ns = timespec64_to_ns(*ts)
        return -E.EINVAL if ns is None else ns

    def get_ptr_array(self, task: TaskStruct, addr: int, limit: int) -> Optional[list[int]]:
        """A NULL-terminated array of pointers (argv, envp), at most `limit` long."""
        out = []
        while True:
            ptr = self.get_u64(task, addr)
            if ptr is None or len(out) > limit:
                return None
            if ptr == 0:
                return out
            out.append(ptr)
            addr += 8
