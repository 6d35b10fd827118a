"""Fast user-space mutexes (kernel/futex/): WAIT, WAKE, REQUEUE, CMP_REQUEUE,
the bitset variants, and robust lists -- what musl's and glibc's locks,
condition variables and pthread_join need.

Keys (get_futex_key): a futex in a MAP_SHARED mapping is named by the physical
page and offset, so processes sharing the memory meet; anywhere else it is
named by (mm, address), whether or not the caller said FUTEX_PRIVATE_FLAG --
which is why the kernel's wake of a CLONE_CHILD_CLEARTID word reaches
pthread_join's private wait.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Generator, Hashable, Optional

from ..arch.x86_64.pgtable import PAGE_SHIFT
from ..lib.wait import WaitQueueHead
from ..lib.lockdep import lock_acquire
from ..mm.mm_struct import VM_SHARED
from ..uapi import errno as E
from .time.timekeeping import REALTIME_AT_BOOT
from .sched.wait import wait_event
from .task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..mm.mm_struct import MmStruct
    from .kernel import Kernel

FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE = 0, 1, 3, 4
FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET = 9, 10
FUTEX_PRIVATE_FLAG = 128
FUTEX_CLOCK_REALTIME = 256
FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
FUTEX_BITSET_MATCH_ANY = 0xFFFFFFFF
# robust futex words (include/uapi/linux/futex.h)
FUTEX_WAITERS = 0x80000000
FUTEX_OWNER_DIED = 0x40000000
FUTEX_TID_MASK = 0x3FFFFFFF
ROBUST_LIST_LIMIT = 2048


class FutexQ:
    """struct futex_q: one waiter. The waker marks it before waking it, and
    requeueing moves it (and its key) to another futex."""

    __slots__ = ("key", "bitset", "woken")

    def __init__(self, key: Hashable, bitset: int) -> None:
        self.key = key
        self.bitset = bitset
        self.woken = False


class Futex:
    """All futex queues of one kernel. Touched only by futex syscalls and by
    exit (CLONE_CHILD_CLEARTID, robust lists)."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.queues: dict[Hashable, WaitQueueHead] = {}
        self.waiters: dict[TaskStruct, FutexQ] = {}

    def get_key(self, t: TaskStruct, mm: MmStruct, uaddr: int) -> Optional[Hashable]:
        """The futex's name, or None for a bad address."""
        if uaddr & 3:
            return None
        vma = mm.find_vma(uaddr)
        if vma is None:
            return None
        if not vma.flags & VM_SHARED:
            return (id(mm), uaddr)
        if self.k.uaccess.copy_from_user(t, uaddr, 4, mm=mm) is None:
            return None
        pte = mm.pgtable[uaddr >> PAGE_SHIFT]
        return ("shared", pte >> PAGE_SHIFT, uaddr & ((1 << PAGE_SHIFT) - 1))

    @staticmethod
    def lockdep_key(t: TaskStruct, key: Hashable) -> Hashable:
        """The futex's name for lockdep: a private one by its process (the
        mm's address differs from run to run), a shared one by its page."""
        return ("futex", t.tgid, key[1]) if key[0] != "shared" else ("futex",) + key

    def _queue(self, key: Hashable) -> WaitQueueHead:
        wq = self.queues.get(key)
        if wq is None:
            wq = self.queues[key] = WaitQueueHead("futex")
        return wq

    def _drop_if_empty(self, key: Hashable) -> None:
        wq = self.queues.get(key)
        if wq is not None and not wq:
            del self.queues[key]

    def futex_wait(self, t: TaskStruct, uaddr: int, val: int, deadline: Optional[int],
                   bitset: int = FUTEX_BITSET_MATCH_ANY) -> Generator[None, None, int]:
        mm = t.mm
        if mm is None:
            return -E.EFAULT
        if uaddr & 3:
            return -E.EINVAL
        key = self.get_key(t, mm, uaddr)
        if key is None:
            return -E.EFAULT
        lock_acquire(self.lockdep_key(t, key))  # the hash bucket's lock
        current = self.k.uaccess.get_u32(t, uaddr)
        if current is None:
            return -E.EFAULT
        if current != val & 0xFFFFFFFF:
            return -E.EAGAIN
        q = self.waiters[t] = FutexQ(key, bitset)
        ret = yield from wait_event(self.k.sched, t, self._queue(key), lambda: q.woken, deadline=deadline,
                                    slack=t.timer_slack_ns)
        del self.waiters[t]
        self._drop_if_empty(q.key)
        if ret == -E.ERESTARTSYS and deadline is not None:
            return -E.EINTR  # a timed wait is not restarted (its timeout is absolute)
        return ret

    def _wake(self, key: Hashable, nr: int, bitset: int = FUTEX_BITSET_MATCH_ANY) -> int:
        wq = self.queues.get(key)
        if wq is None:
            return 0
        woken = 0
        for entry in list(wq.entries):
            if woken >= nr:
                break
            q = self.waiters.get(entry.task)
            if q is None or not q.bitset & bitset:
                continue
            q.woken = True  # futex_wake_mark()
            wq.remove(entry)
            entry.func(entry, None)
            woken += 1
        self._drop_if_empty(key)
        return woken

    def futex_wake(self, t: TaskStruct, mm: Optional[MmStruct], uaddr: int, nr: int,
                   bitset: int = FUTEX_BITSET_MATCH_ANY) -> int:
        if mm is None:
            return 0
        key = self.get_key(t, mm, uaddr)
        if key is None:
            return -E.EFAULT
        lock_acquire(self.lockdep_key(t, key))
        return self._wake(key, nr, bitset)

    def futex_requeue(self, t: TaskStruct, uaddr: int, uaddr2: int, nr_wake: int, nr_requeue: int,
                      cmpval: Optional[int]) -> int:
        """Wake up to nr_wake waiters of uaddr and move up to nr_requeue others
        to uaddr2 (with CMP_REQUEUE only if *uaddr still equals cmpval)."""
        mm = t.mm
        if mm is None:
            return -E.EFAULT
        key1, key2 = self.get_key(t, mm, uaddr), self.get_key(t, mm, uaddr2)
        if key1 is None or key2 is None:
            return -E.EFAULT
        if cmpval is not None:
            current = self.k.uaccess.get_u32(t, uaddr)
            if current is None:
                return -E.EFAULT
            if current != cmpval & 0xFFFFFFFF:
                return -E.EAGAIN
        done = self._wake(key1, nr_wake)
        wq1 = self.queues.get(key1)
        if wq1 is not None and key1 != key2:
            wq2 = self._queue(key2)
            for entry in list(wq1.entries)[:nr_requeue]:
                wq1.remove(entry)
                wq2.add(entry)
                self.waiters[entry.task].key = key2
                done += 1
            self._drop_if_empty(key1)
        return done

    # ---- robust lists ----------------------------------------------------------------

    def sys_set_robust_list(self, t: TaskStruct, head: int, length: int) -> int:
        if length != 24:  # sizeof(struct robust_list_head)
            return -E.EINVAL
        t.robust_list = head
        return 0

    def sys_get_robust_list(self, t: TaskStruct, pid: int, head_ptr: int, len_ptr: int) -> int:
        p = t if pid == 0 else self.k.pid_ns.find_task(pid)
        if p is None:
            return -E.ESRCH
        uacc = self.k.uaccess
        if not uacc.put_u64(t, head_ptr, p.robust_list) or not uacc.put_u64(t, len_ptr, 24):
            return -E.EFAULT
        return 0

    def exit_robust_list(self, t: TaskStruct) -> None:
        """A dying thread releases the robust mutexes it holds: each lock word
        whose owner is this thread gets FUTEX_OWNER_DIED, and a waiter is woken."""
        head = t.robust_list
        t.robust_list = 0
        if not head or t.mm is None:
            return
        uacc = self.k.uaccess
        raw = uacc.copy_from_user(t, head, 24)
        if raw is None:
            return
        entry, offset, pending = struct.unpack("<QqQ", raw)
        for _ in range(ROBUST_LIST_LIMIT):
            if entry == head:
                break
            self._handle_died(t, entry + offset)
            nxt = uacc.get_u64(t, entry)
            if nxt is None:
                break
            entry = nxt
        if pending:
            self._handle_died(t, pending + offset)

    def _handle_died(self, t: TaskStruct, uaddr: int) -> None:
        uacc = self.k.uaccess
        word = uacc.get_u32(t, uaddr)
        if word is None or word & FUTEX_TID_MASK != t.pid:
            return
        uacc.put_u32(t, uaddr, (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED)
        if word & FUTEX_WAITERS:
            self.futex_wake(t, t.mm, uaddr, 1)

    # ---- the syscall ---------------------------------------------------------------------

    def sys_futex(self, t: TaskStruct, uaddr: int, op: int, val: int, utime: int, uaddr2: int,
                  val3: int) -> Generator[None, None, int]:
        cmd = op & FUTEX_CMD_MASK
        if cmd in (FUTEX_WAIT, FUTEX_WAIT_BITSET):
            bitset = val3 if cmd == FUTEX_WAIT_BITSET else FUTEX_BITSET_MATCH_ANY
            if bitset == 0:
                return -E.EINVAL
            deadline = None
            if utime:
                ns = self.k.uaccess.get_timespec_ns(t, utime)
                if ns < 0:
                    return ns
                # FUTEX_WAIT takes a relative timeout, WAIT_BITSET an absolute one
                # (on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME).
                if cmd == FUTEX_WAIT:
                    deadline = self.k.clock.now + ns
                else:
                    deadline = ns - (REALTIME_AT_BOOT if op & FUTEX_CLOCK_REALTIME else 0)
            return (yield from self.futex_wait(t, uaddr, val, deadline, bitset))
        if cmd in (FUTEX_WAKE, FUTEX_WAKE_BITSET):
            bitset = val3 if cmd == FUTEX_WAKE_BITSET else FUTEX_BITSET_MATCH_ANY
            if bitset == 0:
                return -E.EINVAL
            return self.futex_wake(t, t.mm, uaddr, val, bitset)
        if cmd in (FUTEX_REQUEUE, FUTEX_CMP_REQUEUE):
            nr_requeue = utime & 0xFFFFFFFF  # the 4th argument is an int here
            if val > 0x7FFFFFFF or nr_requeue > 0x7FFFFFFF:
                return -E.EINVAL
            return self.futex_requeue(t, uaddr, uaddr2, val, nr_requeue,
                                      val3 if cmd == FUTEX_CMP_REQUEUE else None)
        return -E.ENOSYS
