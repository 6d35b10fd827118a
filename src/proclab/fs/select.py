"""poll, ppoll, select and pselect6 (fs/select.c).

A call scans its files, asking each one's poll method (f_op->poll) which
events are possible now. When none it asked for is and the timeout allows
waiting, the task sleeps interruptibly on every wait queue the files named
during the first scan (a `PollWqueues`) until one of them is woken, the
timeout's virtual time comes or a signal arrives, and then scans again.

A timeout is kept as an end time on the virtual monotonic clock: 0 means a
zero timeout (scan once, never sleep) and None no timeout at all. A signal
ends the sleep with -ERESTARTNOHAND: when no handler runs the call is made
again, poll through a restart block that keeps its end time, select,
pselect6 and ppoll by re-issuing the syscall with the time left that they
wrote back; a handler sees EINTR (SEMANTICS S2). ppoll and pselect6 sleep
with the caller's signal mask swapped in, as sigsuspend does.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from .file import File, fdget
from ..lib.poll import PollTable
from ..lib.wait import WaitQueueEntry, WaitQueueHead
from ..uapi import errno as E
from ..uapi.poll import (
    POLLERR,
    POLLHUP,
    POLLIN,
    POLLNVAL,
    POLLOUT,
    POLLPRI,
    POLLRDBAND,
    POLLRDNORM,
    POLLWRBAND,
    POLLWRNORM,
)
from ..uapi.resource import RLIMIT_NOFILE
from ..kernel.time.timekeeping import NSEC_PER_MSEC, NSEC_PER_SEC, NSEC_PER_USEC
from ..kernel.sched.wait import Sleep as Blocking, schedule_hrtimeout_range, signal_pending
from ..kernel.task import TASK_NORMAL, TaskStruct
from ..lib.lockdep import lock_acquire

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.sched.core import Scheduler

MSEC_PER_SEC = 1000
USEC_PER_SEC = 1_000_000
# What makes an fd ready for each of select's three sets.
POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR
POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR
POLLEX_SET = POLLPRI
# poll_time_type: how the time left is written back
PT_TIMEVAL, PT_TIMESPEC = 0, 1

# select_estimate_accuracy(): a timeout's slack grows with it, up to 100 ms
MAX_SLACK = 100 * NSEC_PER_MSEC

_POLLFD = struct.Struct("<iHH")  # struct pollfd: fd, events, revents
_REVENTS = struct.Struct("<H")
_REVENTS_OFFSET = 6
_TIME = struct.Struct("<qq")  # struct timespec / struct timeval
_SIGSET_ARGPACK = struct.Struct("<QQ")  # pselect6's {const sigset_t *p; size_t size}


def fds_bytes(n: int) -> int:
    """FDS_BYTES(): the bytes of an fd_set holding `n` fds, in whole longs."""
    return (n + 63) // 64 * 8


def c_divmod(a: int, b: int) -> tuple[int, int]:
    """C's a / b and a % b for a positive b: the quotient rounds toward zero."""
    q = abs(a) // b
    if a < 0:
        q = -q
    return q, a - q * b



def lock_poll(f: File) -> None:
    """For lockdep: polling a file reads the state of what it is open on."""
    lock_acquire(f.inode.lock_key if f.inode is not None else f.lock_key, write=False)

class PollFd:
    """One struct pollfd of a poll call, copied in."""

    __slots__ = ("fd", "events", "revents")

    def __init__(self, fd: int, events: int) -> None:
        self.fd = fd
        self.events = events
        self.revents = 0


class FdSetBits:
    """fd_set_bits: select's three sets as asked (bit i is fd i) and the
    three it answers."""

    __slots__ = ("inp", "outp", "exp", "res_in", "res_out", "res_ex")

    def __init__(self, inp: int, outp: int, exp: int) -> None:
        self.inp = inp
        self.outp = outp
        self.exp = exp
        self.res_in = self.res_out = self.res_ex = 0


class PollWqueues:
    """struct poll_wqueues, made by poll_initwait(): the entries one call
    hung on wait queues for its task, and whether any was woken since the
    task last went to sleep (`triggered`). `key` is the poll table's _key:
    the events asked of the file being polled, set by the scan before it
    calls the file's poll method."""

    def __init__(self, sched: Scheduler, task: TaskStruct) -> None:
        self.sched = sched
        self.task = task
        self.triggered = False
        self.key = 0
        self.entries: list[WaitQueueEntry] = []
        self.pt = PollTable(self._pollwait)

    def _pollwait(self, queue: WaitQueueHead) -> None:
        """__pollwait(): one more queue to sleep on, for the events asked of
        the file that names it."""
        events = self.key
        entry = WaitQueueEntry(self.task, lambda _entry, key: self._pollwake(events, key))
        queue.add(entry)
        self.entries.append(entry)

    def _pollwake(self, events: int, key: Optional[int]) -> bool:
        """pollwake(): a wakeup keyed with events none of which were asked
        for is ignored; any other notes the wakeup (so that a scan still
        running will look again instead of sleeping) and wakes the task."""
        if key is not None and not key & events:
            return False
        self.triggered = True
        return self.sched.try_to_wake_up(self.task, TASK_NORMAL)

    def poll_freewait(self) -> None:
        """poll_freewait(): off every queue."""
        for entry in self.entries:
            if entry.head is not None:
                entry.head.remove(entry)
        self.entries.clear()


class Select:
    """The poll/select system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- shared by poll and select ------------------------------------------------------

    def poll_select_set_timeout(self, sec: int, nsec: int) -> Optional[int]:
        """poll_select_set_timeout(): the end time of a timeout `sec` s +
        `nsec` ns from now; 0 for a zero timeout; None when it is not a valid
        timespec (negative, or nsec out of range): EINVAL."""
        if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
            return None
        if not sec and not nsec:
            return 0
        return self.k.clock.now + sec * NSEC_PER_SEC + nsec

    def poll_select_finish(self, t: TaskStruct, end_time: Optional[int], p: int, pt_type: int, ret: int) -> int:
        """poll_select_finish(): put the caller's signal mask back (unless a
        signal interrupted the call) and write the time left to `p` (not for
        a zero timeout). If that write faults the call cannot be restarted
        with the right time: an interrupted call fails with EINTR then."""
        self.k.signal.restore_saved_sigmask_unless(t, ret == -E.ERESTARTNOHAND)
        if not p or not end_time:
            return ret
        sec, nsec = divmod(max(end_time - self.k.clock.now, 0), NSEC_PER_SEC)
        left = _TIME.pack(sec, nsec // NSEC_PER_USEC if pt_type == PT_TIMEVAL else nsec)
        if self.k.uaccess.copy_to_user(t, p, left):
            return ret
        return -E.EINTR if ret == -E.ERESTARTNOHAND else ret

    def select_estimate_accuracy(self, t: TaskStruct, end_time: Optional[int]) -> int:
        """select_estimate_accuracy(): how late a poll or select timeout may
        end: 0.1% of the time left (0.2% for a niced task), at most 100 ms,
        at least the task's timer slack (none for a real-time task, nor
        without a timeout: end time None)."""
        slack = t.timer_slack_ns
        if slack == 0 or end_time is None:
            return 0
        divfactor = 500 if t.nice > 0 else 1000
        return max(min(max(end_time - self.k.clock.now, 0) // divfactor, MAX_SLACK), slack)

    def poll_schedule_timeout(self, t: TaskStruct, pwq: PollWqueues, expires: Optional[int],
                              slack: int) -> Blocking:
        """poll_schedule_timeout(): sleep until a queue of `pwq` is woken, a
        signal comes or virtual time reaches `expires` (up to `slack` ns
        later; not at all if a queue was woken during the scan). 0 when the
        time ran out."""
        rc = -E.EINTR
        if not pwq.triggered:
            rc = yield from schedule_hrtimeout_range(self.k.sched, t, expires, slack)
        pwq.triggered = False
        return rc

    # ---- poll ---------------------------------------------------------------------

    def do_pollfd(self, t: TaskStruct, pfd: PollFd, pwq: PollWqueues) -> int:
        """do_pollfd(): the events of one entry, also stored as its revents.
        A negative fd is skipped (0); an fd with no file gives POLLNVAL;
        POLLERR and POLLHUP are reported even when not asked for (and so
        also wake the entry's sleep)."""
        mask = 0
        if pfd.fd >= 0:
            f = fdget(t, pfd.fd)
            pwq.key = pfd.events | POLLERR | POLLHUP
            if f is not None:
                lock_poll(f)
            mask = POLLNVAL if f is None else f.poll(pwq.pt) & pwq.key
        pfd.revents = mask
        return mask

    def do_poll(self, t: TaskStruct, fds: list[PollFd], pwq: PollWqueues, end_time: Optional[int]) -> Blocking:
        """do_poll(): scan until an entry has events, the time runs out or a
        signal comes (-ERESTARTNOHAND); the number of entries with events.
        Only the first scan registers queues, and it stops registering at
        the first entry with events (no sleep will follow)."""
        pt = pwq.pt
        timed_out = False
        if end_time == 0:
            pt.qproc = None
            timed_out = True
        slack = self.select_estimate_accuracy(t, end_time)
        count = 0
        while True:
            for pfd in fds:
                if self.do_pollfd(t, pfd, pwq):
                    count += 1
                    pt.qproc = None
            pt.qproc = None
            if not count and signal_pending(t):
                count = -E.ERESTARTNOHAND
            if count or timed_out:
                return count
            if not (yield from self.poll_schedule_timeout(t, pwq, end_time, slack)):
                timed_out = True

    def do_sys_poll(self, t: TaskStruct, ufds: int, nfds: int, end_time: Optional[int]) -> Blocking:
        """do_sys_poll(): copy the entries in, poll them, and write back each
        entry's revents (and nothing else of it)."""
        if nfds > t.signal.rlim[RLIMIT_NOFILE][0]:
            return -E.EINVAL
        uacc = self.k.uaccess
        raw = uacc.copy_from_user(t, ufds, nfds * _POLLFD.size)
        if raw is None:
            return -E.EFAULT
        fds = [PollFd(fd, events) for fd, events, _ in _POLLFD.iter_unpack(raw)]
        pwq = PollWqueues(self.k.sched, t)
        fdcount = yield from self.do_poll(t, fds, pwq, end_time)
        pwq.poll_freewait()
        for i, pfd in enumerate(fds):
            if not uacc.copy_to_user(t, ufds + i * _POLLFD.size + _REVENTS_OFFSET, _REVENTS.pack(pfd.revents)):
                return -E.EFAULT
        return fdcount

    def set_restart_poll(self, t: TaskStruct, ufds: int, nfds: int, end_time: Optional[int]) -> int:
        """set_restart_fn(do_restart_poll): restarted without a handler, poll
        goes on with the same end time."""
        t.restart_block = lambda: self.do_restart_poll(t, ufds, nfds, end_time)
        return -E.ERESTART_RESTARTBLOCK

    def do_restart_poll(self, t: TaskStruct, ufds: int, nfds: int, end_time: Optional[int]) -> Blocking:
        """do_restart_poll(): the restart block of an interrupted poll."""
        ret = yield from self.do_sys_poll(t, ufds, nfds, end_time)
        if ret == -E.ERESTARTNOHAND:
            ret = self.set_restart_poll(t, ufds, nfds, end_time)
        return ret

    def sys_poll(self, t: TaskStruct, ufds: int, nfds: int, timeout_msecs: int) -> Blocking:
        """poll(2): a negative timeout waits for ever, 0 does not wait."""
        end_time = None
        if timeout_msecs >= 0:
            end_time = self.poll_select_set_timeout(timeout_msecs // MSEC_PER_SEC,
                                                    NSEC_PER_MSEC * (timeout_msecs % MSEC_PER_SEC))
        ret = yield from self.do_sys_poll(t, ufds, nfds, end_time)
        if ret == -E.ERESTARTNOHAND:
            ret = self.set_restart_poll(t, ufds, nfds, end_time)
        return ret

    def timespec_and_sigmask(self, t: TaskStruct, tsp: int, sigmask: int,
                             sigsetsize: int) -> tuple[int, Optional[int]]:
        """The common start of ppoll and pselect6: the end time of the
        timespec at `tsp` (None: wait forever), then the caller's signal mask
        swapped for the one at `sigmask` (set_user_sigmask). (0, end time) or
        (-errno, None)."""
        end_time = None
        if tsp:
            ts = self.k.uaccess.get_timespec64(t, tsp)
            if ts is None:
                return -E.EFAULT, None
            end_time = self.poll_select_set_timeout(*ts)
            if end_time is None:
                return -E.EINVAL, None
        return self.k.signal.set_user_sigmask(t, sigmask, sigsetsize), end_time

    def sys_ppoll(self, t: TaskStruct, ufds: int, nfds: int, tsp: int, sigmask: int, sigsetsize: int) -> Blocking:
        """ppoll(2): poll with a timespec timeout (the time left is written
        back) and a signal mask for the duration of the call."""
        ret, end_time = self.timespec_and_sigmask(t, tsp, sigmask, sigsetsize)
        if ret:
            return ret
        ret = yield from self.do_sys_poll(t, ufds, nfds, end_time)
        return self.poll_select_finish(t, end_time, tsp, PT_TIMESPEC, ret)

    # ---- select -------------------------------------------------------------------

    def max_select_fd(self, t: TaskStruct, n: int, fds: FdSetBits) -> int:
        """max_select_fd(): one more than the highest fd below `n` in any of
        the sets, or -EBADF when one of those fds is not open."""
        wanted = (fds.inp | fds.outp | fds.exp) & ((1 << n) - 1)
        bits = wanted
        while bits:
            bit = bits & -bits
            bits ^= bit
            if t.files.get(bit.bit_length() - 1) is None:
                return -E.EBADF
        return wanted.bit_length()

    def do_select(self, t: TaskStruct, n: int, fds: FdSetBits, end_time: Optional[int]) -> Blocking:
        """do_select(): scan until an fd is ready for a set it is in, the
        time runs out or a signal comes; the number of (fd, set) pairs ready,
        whose bits it leaves in fds.res_*. An fd closed meanwhile (by another
        thread) is just never ready."""
        retval = self.max_select_fd(t, n, fds)
        if retval < 0:
            return retval
        wanted = (fds.inp | fds.outp | fds.exp) & ((1 << retval) - 1)
        pwq = PollWqueues(self.k.sched, t)
        pt = pwq.pt
        timed_out = False
        if end_time == 0:
            pt.qproc = None
            timed_out = True
        slack = self.select_estimate_accuracy(t, end_time)
        while True:
            retval = 0
            res_in = res_out = res_ex = 0
            bits = wanted
            while bits:
                bit = bits & -bits
                bits ^= bit
                f = fdget(t, bit.bit_length() - 1)
                pwq.key = (POLLEX_SET | (POLLIN_SET if fds.inp & bit else 0)
                           | (POLLOUT_SET if fds.outp & bit else 0))  # wait_key_set()
                if f is not None:
                    lock_poll(f)
                mask = POLLNVAL if f is None else f.poll(pt)
                if mask & POLLIN_SET and fds.inp & bit:
                    res_in |= bit
                    retval += 1
                    pt.qproc = None
                if mask & POLLOUT_SET and fds.outp & bit:
                    res_out |= bit
                    retval += 1
                    pt.qproc = None
                if mask & POLLEX_SET and fds.exp & bit:
                    res_ex |= bit
                    retval += 1
                    pt.qproc = None
            pt.qproc = None
            if retval or timed_out or signal_pending(t):
                break
            if not (yield from self.poll_schedule_timeout(t, pwq, end_time, slack)):
                timed_out = True
        pwq.poll_freewait()
        fds.res_in, fds.res_out, fds.res_ex = res_in, res_out, res_ex
        return retval

    def get_fd_set(self, t: TaskStruct, n: int, ufdset: int) -> Optional[int]:
        """get_fd_set(): the set at `ufdset` as bits (a null pointer is an
        empty set); None on a fault."""
        if not ufdset:
            return 0
        raw = self.k.uaccess.copy_from_user(t, ufdset, fds_bytes(n))
        return None if raw is None else int.from_bytes(raw, "little")

    def set_fd_set(self, t: TaskStruct, n: int, ufdset: int, fdset: int) -> bool:
        """set_fd_set(): write a result set back, in the caller's length."""
        return not ufdset or self.k.uaccess.copy_to_user(t, ufdset, fdset.to_bytes(fds_bytes(n), "little"))

    def core_sys_select(self, t: TaskStruct, n: int, inp: int, outp: int, exp: int,
                        end_time: Optional[int]) -> Blocking:
        """core_sys_select(): `n` beyond the fd table's size is cut down to
        it (those fds cannot be open; their bits are neither read nor
        written). Nothing ready and a signal pending: -ERESTARTNOHAND, with
        the sets left as they were."""
        if n < 0:
            return -E.EINVAL
        n = min(n, t.files.max_fds())
        sets = [self.get_fd_set(t, n, u) for u in (inp, outp, exp)]
        if None in sets:
            return -E.EFAULT
        fds = FdSetBits(*sets)
        ret = yield from self.do_select(t, n, fds, end_time)
        if ret < 0:
            return ret
        if not ret and signal_pending(t):
            return -E.ERESTARTNOHAND
        if not (self.set_fd_set(t, n, inp, fds.res_in) and self.set_fd_set(t, n, outp, fds.res_out)
                and self.set_fd_set(t, n, exp, fds.res_ex)):
            return -E.EFAULT
        return ret

    def sys_select(self, t: TaskStruct, n: int, inp: int, outp: int, exp: int, tvp: int) -> Blocking:
        """select(2) (kern_select): a timeval timeout, where whole seconds in
        tv_usec count as seconds; the time left is written back."""
        end_time = None
        if tvp:
            tv = self.k.uaccess.get_timespec64(t, tvp)
            if tv is None:
                return -E.EFAULT
            tv_sec, tv_usec = tv
            usec_sec, usec = c_divmod(tv_usec, USEC_PER_SEC)
            # C's long sum: past LONG_MAX it wraps negative, which is EINVAL
            sec = (tv_sec + usec_sec + (1 << 63)) % (1 << 64) - (1 << 63)
            end_time = self.poll_select_set_timeout(sec, usec * NSEC_PER_USEC)
            if end_time is None:
                return -E.EINVAL
        ret = yield from self.core_sys_select(t, n, inp, outp, exp, end_time)
        return self.poll_select_finish(t, end_time, tvp, PT_TIMEVAL, ret)

    def do_pselect(self, t: TaskStruct, n: int, inp: int, outp: int, exp: int, tsp: int,
                   sigmask: int, sigsetsize: int) -> Blocking:
        """do_pselect(): select with a timespec timeout and a signal mask for
        the duration of the call."""
        ret, end_time = self.timespec_and_sigmask(t, tsp, sigmask, sigsetsize)
        if ret:
            return ret
        ret = yield from self.core_sys_select(t, n, inp, outp, exp, end_time)
        return self.poll_select_finish(t, end_time, tsp, PT_TIMESPEC, ret)

    def sys_pselect6(self, t: TaskStruct, n: int, inp: int, outp: int, exp: int, tsp: int, sig: int) -> Blocking:
        """pselect6(2): the sixth argument points at the mask's address and
        size (get_sigset_argpack)."""
        sigmask = sigsetsize = 0
        if sig:
            raw = self.k.uaccess.copy_from_user(t, sig, _SIGSET_ARGPACK.size)
            if raw is None:
                return -E.EFAULT
            sigmask, sigsetsize = _SIGSET_ARGPACK.unpack(raw)
        return (yield from self.do_pselect(t, n, inp, outp, exp, tsp, sigmask, sigsetsize))
