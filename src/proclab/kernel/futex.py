"""Fast user-space mutexes (kernel/futex/): FUTEX_WAIT and FUTEX_WAKE, the
part that musl's locks, pthread_join (through CLONE_CHILD_CLEARTID) and
condition variables need.

A private futex is named by (mm, address); a shared one by the physical page
and offset, so processes sharing memory meet on the same queue.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Hashable, Optional

from ..arch.x86_64.pgtable import PAGE_SHIFT
from ..lib.wait import WaitQueueHead
from ..uapi import errno as E
from .sched.clock import NSEC_PER_SEC, REALTIME_AT_BOOT
from .sched.wait import wait_event
from .task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..mm.mm_struct import MmStruct
    from .kernel import Kernel

FUTEX_WAIT, FUTEX_WAKE = 0, 1
FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET = 9, 10
FUTEX_PRIVATE_FLAG = 128
FUTEX_CLOCK_REALTIME = 256
FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)


class FutexQ:
    """struct futex_q: one waiter; the waker marks it before waking it."""

    __slots__ = ("woken",)

    def __init__(self) -> None:
        self.woken = False


class Futex:
    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.queues: dict[Hashable, WaitQueueHead] = {}
        self.waiters: dict[TaskStruct, FutexQ] = {}

    def _key(self, t: TaskStruct, mm: MmStruct, uaddr: int, private: bool) -> Optional[Hashable]:
        if uaddr & 3:
            return None
        if private:
            return (id(mm), uaddr)
        pte = mm.pgtable.get(uaddr >> PAGE_SHIFT)
        if pte is None:
            if self.k.uaccess.copy_from_user(t, uaddr, 4, mm=mm) is None:
                return None
            pte = mm.pgtable[uaddr >> PAGE_SHIFT]
        return ("shared", pte >> PAGE_SHIFT, uaddr & ((1 << PAGE_SHIFT) - 1))

    def futex_wait(self, t: TaskStruct, uaddr: int, val: int, deadline: Optional[int],
                   private: bool) -> Generator[None, None, int]:
        mm = t.mm
        key = self._key(t, mm, uaddr, private) if mm is not None else None
        if key is None:
            return -E.EINVAL if mm is not None and uaddr & 3 else -E.EFAULT
        current = self.k.uaccess.get_u32(t, uaddr)
        if current is None:
            return -E.EFAULT
        if current != val & 0xFFFFFFFF:
            return -E.EAGAIN
        wq = self.queues.setdefault(key, WaitQueueHead("futex"))
        q = self.waiters[t] = FutexQ()
        ret = yield from wait_event(self.k.sched, t, wq, lambda: q.woken, deadline=deadline)
        del self.waiters[t]
        if not wq:
            self.queues.pop(key, None)
        if ret == -E.ERESTARTSYS:
            return -E.ERESTARTSYS if deadline is None else -E.EINTR
        return ret

    def futex_wake(self, mm: Optional[MmStruct], uaddr: int, nr: int, private: bool = True,
                   t: Optional[TaskStruct] = None) -> int:
        if mm is None:
            return 0
        key = (id(mm), uaddr) if private or t is None else self._key(t, mm, uaddr, False)
        wq = self.queues.get(key)
        if wq is None:
            return 0
        woken = 0
        for entry in list(wq.entries):
            if woken >= nr:
                break
            q = self.waiters.get(entry.task)
            if q is not None:
                q.woken = True  # futex_wake_mark()
            if entry.func(entry, None):
                woken += 1
        return woken

    def sys_futex(self, t: TaskStruct, uaddr: int, op: int, val: int, utime: int, uaddr2: int,
                  val3: int) -> Generator[None, None, int]:
        cmd = op & FUTEX_CMD_MASK
        private = bool(op & FUTEX_PRIVATE_FLAG)
        if cmd in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
            deadline = None
            if utime:
                raw = self.k.uaccess.copy_from_user(t, utime, 16)
                if raw is None:
                    return -E.EFAULT
                sec, nsec = struct.unpack("<qq", raw)
                if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
                    return -E.EINVAL
                ns = sec * NSEC_PER_SEC + nsec
                # FUTEX_WAIT takes a relative timeout, WAIT_BITSET an absolute one
                # (on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME).
                if cmd == FUTEX_WAIT:
                    deadline = self.k.clock.now + ns
                else:
                    deadline = ns - (REALTIME_AT_BOOT if op & FUTEX_CLOCK_REALTIME else 0)
            return (yield from self.futex_wait(t, uaddr, val, deadline, private))
        if cmd in (FUTEX_WAKE, FUTEX_WAKE_BITSET):
            return self.futex_wake(t.mm, uaddr, val, private, t)
        return -E.ENOSYS
