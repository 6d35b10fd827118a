"""POSIX interval timers (kernel/time/posix-timers.c, and the posix timer
parts of kernel/signal.c): timer_create, timer_settime, timer_gettime,
timer_getoverrun and timer_delete, in virtual time.

A timer (struct k_itimer, `KItimer`) belongs to its process (signal_struct):
the threads share it, fork does not copy it, exec and exit delete it
(exit_itimers). Ids are small integers per process, handed out from 0 upward
by a counter (next_posix_timer_id): a deleted timer's id comes back only
when the counter wraps at INT_MAX, and an id is used up even by a
timer_create that fails after taking it -- as Linux 6.x does.

Clocks (struct k_clock): CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME
timers are hrtimers on the virtual clock (`CommonHrtimerClock`); timers on
CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the
negative ids of clock_getcpuclockid) expire on the tick (posix_cpu_timers.py).
The raw and coarse clocks and the posix clock devices (fd clocks) have no
timers (EOPNOTSUPP); CLOCK_TAI and the alarm clocks, which proclab's
clock_gettime does not know either, are EINVAL like any unknown id.

Expiry (posix_timer_fn, cpu_timer_fire -> posix_timer_queue_signal) queues
the timer's preallocated sigqueue (SIGEV_SIGNAL, SIGEV_THREAD_ID; SIGEV_NONE
timers are never started, timer_gettime works out what is left) and does
nothing else: a periodic timer is not restarted until its signal is dequeued
(posixtimer_deliver_signal), which moves it forward past "now" and counts
the periods that went by meanwhile as overruns. So an expiry never queues
the signal twice, and si_overrun / timer_getoverrun say how many expiries
the last delivery stands for beyond itself. timer_settime and timer_delete
bump it_signal_seq: a signal queued before is dropped when dequeued. A
periodic timer whose signal is ignored waits on the ignored list until
sigaction takes the SIG_IGN away (posixtimer_sig_ignore/unignore). These
are the rules of Linux 6.13 and later.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional, Protocol, Union

from ...uapi import errno as E
from ...uapi import signal as S
from ..pid import Pid
from .timekeeping import NSEC_PER_SEC, REALTIME_AT_BOOT, Timer
from ..task import SigQueue, SignalStruct, TaskStruct
from ...uapi.time import (
    CLOCK_BOOTTIME,
    CLOCK_MONOTONIC,
    CLOCK_MONOTONIC_COARSE,
    CLOCK_MONOTONIC_RAW,
    CLOCK_PROCESS_CPUTIME_ID,
    CLOCK_REALTIME,
    CLOCK_REALTIME_COARSE,
    CLOCK_THREAD_CPUTIME_ID,
    CLOCKFD,
    CLOCKFD_MASK,
    TIMER_ABSTIME,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel import Kernel

INT_MAX = 0x7FFF_FFFF
KTIME_MAX = (1 << 63) - 1
KTIME_SEC_MAX = KTIME_MAX // NSEC_PER_SEC
PIDTYPE_PID, PIDTYPE_TGID = 0, 1
POSIX_TIMER_DISARMED, POSIX_TIMER_ARMED, POSIX_TIMER_REQUEUE_PENDING = 0, 1, 2
# struct sigevent: sigev_value, sigev_signo, sigev_notify, then a union whose
# first member is sigev_notify_thread_id; the kernel copies all 64 bytes.
_SIGEVENT = struct.Struct("<Qiii")
SIGEVENT_SIZE = 64
_ITIMERSPEC = struct.Struct("<qqqq")  # it_interval, it_value: each a struct timespec

Itimerspec = tuple[int, int, int, int]  # interval sec, nsec, value sec, nsec (as user space wrote them)
Setting = tuple[int, int]               # (value, interval) in ns


class KItimer:
    """struct k_itimer. Written by its process's timer syscalls, by the clock
    that fires it (posix_timer_fn, the CPU tick) and by the signal code that
    queues, dequeues or ignores its signal; nothing else touches it."""

    __slots__ = (
        "it_id", "it_clock", "kclock", "it_signal", "it_pid", "it_pid_type", "it_sigev_notify", "sigq",
        "it_interval", "it_status", "it_overrun", "it_overrun_last", "it_signal_seq", "it_sigqueue_seq",
        "it_sig_periodic", "expires", "hrtimer", "cpu_pid", "cpu_head",
    )

    def __init__(self, it_id: int, it_clock: int, kclock: KClock) -> None:
        self.it_id = it_id
        self.it_clock = it_clock
        self.kclock = kclock
        self.it_signal: Optional[SignalStruct] = None  # the owner; None until created and once deleted
        self.it_pid: Optional[Pid] = None   # who gets the signal (a reference is held)
        self.it_pid_type = PIDTYPE_TGID     # the process, or (PIDTYPE_PID) that one thread
        self.it_sigev_notify = S.SIGEV_SIGNAL
        self.sigq = SigQueue(signo=S.SIGALRM, code=S.SI_TIMER, tid=it_id, overrun=0, value=0)
        self.sigq.timer = self
        self.it_interval = 0                # ns; 0 for a one-shot timer
        self.it_status = POSIX_TIMER_DISARMED
        self.it_overrun = -1                # expiries since the signal was queued, less one
        self.it_overrun_last = 0            # it_overrun at the last delivery (timer_getoverrun)
        self.it_signal_seq = 0              # bumped by settime, delete and each rearm
        self.it_sigqueue_seq = 0            # it_signal_seq when the signal was last queued
        self.it_sig_periodic = False        # that signal came from a periodic expiry
        self.expires = 0                    # next expiry, on the timer's own clock (ns)
        self.hrtimer: Optional[Timer] = None  # the armed clock timer (hrtimer clocks)
        self.cpu_pid: Optional[Pid] = None  # whose CPU time it counts (CPU clocks, it.cpu.pid)
        self.cpu_head: Optional[list[KItimer]] = None  # the armed CPU timers' list it is on


class KClock(Protocol):
    """struct k_clock: what the timer code needs from a clock."""

    def clock_get(self, timr: KItimer) -> Optional[int]:
        """The clock's time now (None: what it measured is gone)."""
        ...

    def timer_create(self, t: TaskStruct, timr: KItimer) -> int:
        """The clock's part of timer_create: 0 or -errno."""
        ...

    def timer_set(self, timr: KItimer, flags: int, value: int, interval: int, want_old: bool) -> Union[Setting, int]:
        """Arm (value > 0) or disarm the timer; the old setting (if wanted;
        reading it may move a waiting interval timer on), or -errno."""
        ...

    def timer_get(self, timr: KItimer) -> Setting:
        """(time left, interval), as timer_gettime reports them."""
        ...

    def timer_arm(self, timr: KItimer, sigev_none: bool) -> None:
        """Start the timer for timr.expires (a SIGEV_NONE timer only keeps it)."""
        ...

    def timer_try_to_cancel(self, timr: KItimer) -> None:
        """Stop the timer if it is running."""
        ...


def timespec64_valid(sec: int, nsec: int) -> bool:
    return sec >= 0 and 0 <= nsec < NSEC_PER_SEC


def timespec64_to_ktime(sec: int, nsec: int) -> int:
    """Nanoseconds, saturated at KTIME_MAX like the kernel's ktime_t."""
    return KTIME_MAX if sec >= KTIME_SEC_MAX else sec * NSEC_PER_SEC + nsec


def ktime_add_safe(lhs: int, rhs: int) -> int:
    res = lhs + rhs
    return KTIME_SEC_MAX * NSEC_PER_SEC if res > KTIME_MAX else res


def timer_forward(timr: KItimer, now: int) -> int:
    """hrtimer_forward() (bump_cpu_timer() for CPU clocks): move an interval
    timer's expiry past `now` by whole intervals; returns how many."""
    delta = now - timr.expires
    if delta < 0:
        return 0
    periods = delta // timr.it_interval + 1
    timr.expires += periods * timr.it_interval
    return periods


def timer_overrun_to_int(timr: KItimer) -> int:
    """si_overrun and timer_getoverrun() are ints: clamp at INT_MAX."""
    return min(timr.it_overrun_last, INT_MAX)


class CommonHrtimerClock:
    """clock_realtime, clock_monotonic and clock_boottime: timers on the
    virtual clock's timer queue (common_timer_create, common_hrtimer_arm and
    friends). `offset` is where the clock stands when the virtual clock reads
    0. CLOCK_REALTIME is never set in proclab, so Linux's rule that relative
    realtime timers run on the monotonic clock changes nothing here."""

    def __init__(self, timers: PosixTimers, offset: int) -> None:
        self.timers = timers
        self.clock = timers.k.clock
        self.offset = offset

    def clock_get(self, timr: KItimer) -> int:
        return self.clock.now + self.offset

    def timer_create(self, t: TaskStruct, timr: KItimer) -> int:
        return 0

    def timer_set(self, timr: KItimer, flags: int, value: int, interval: int, want_old: bool) -> Setting:
        return self.timers.common_timer_set(timr, flags, value, interval, self.clock_get(timr), want_old)

    def timer_get(self, timr: KItimer) -> Setting:
        return self.timers.common_timer_get(timr, self.clock_get(timr))

    def timer_arm(self, timr: KItimer, sigev_none: bool) -> None:
        """common_hrtimer_arm(): a SIGEV_NONE timer is never started."""
        if not sigev_none:
            timr.hrtimer = self.clock.start_timer(timr.expires - self.offset,
                                                  lambda: self.timers.posix_timer_fn(timr))

    def timer_try_to_cancel(self, timr: KItimer) -> None:
        if timr.hrtimer is not None:
            self.clock.cancel(timr.hrtimer)
            timr.hrtimer = None


class PosixTimers:
    """The POSIX timers of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        realtime = CommonHrtimerClock(self, REALTIME_AT_BOOT)
        monotonic = CommonHrtimerClock(self, 0)
        cpu = k.posix_cpu_timers
        # posix_clocks[]: None is a clock without timers
        self.posix_clocks: dict[int, Optional[KClock]] = {
            CLOCK_REALTIME: realtime, CLOCK_MONOTONIC: monotonic, CLOCK_BOOTTIME: monotonic,
            CLOCK_PROCESS_CPUTIME_ID: cpu, CLOCK_THREAD_CPUTIME_ID: cpu,
            CLOCK_MONOTONIC_RAW: None, CLOCK_REALTIME_COARSE: None, CLOCK_MONOTONIC_COARSE: None,
        }

    # ---- looking timers up -----------------------------------------------------------

    def posix_timer_add(self, sig: SignalStruct) -> int:
        """posix_timer_add(): the next free id from the process's counter."""
        timers = sig.posix_timers or {}
        if len(timers) > INT_MAX:
            return -E.EAGAIN
        while True:
            timer_id = sig.next_posix_timer_id
            sig.next_posix_timer_id = (timer_id + 1) & INT_MAX
            if timer_id not in timers:
                return timer_id

    def lock_timer(self, t: TaskStruct, timer_id: int) -> Optional[KItimer]:
        """__lock_timer(): the caller's process's timer of that id."""
        timers = t.signal.posix_timers
        if not timers or not 0 <= timer_id <= INT_MAX:
            return None
        return timers.get(timer_id)

    # ---- creation and deletion ------------------------------------------------------

    def good_sigevent(self, t: TaskStruct, notify: int, signo: int, tid: int) -> Optional[Pid]:
        """good_sigevent(): whom the signal goes to, or None for EINVAL. The
        kernel sees SIGEV_THREAD like SIGEV_SIGNAL: libc builds the thread."""
        pid = t.group_leader.pid_link  # task_tgid(current)
        if notify == S.SIGEV_SIGNAL | S.SIGEV_THREAD_ID:
            pid = self.k.pid_ns.find_pid(tid) if tid > 0 else None
            rtn = pid.task if pid is not None else None
            if rtn is None or rtn.signal is not t.signal:
                return None
        if notify in (S.SIGEV_SIGNAL | S.SIGEV_THREAD_ID, S.SIGEV_SIGNAL, S.SIGEV_THREAD):
            return pid if 0 < signo <= S.SIGRTMAX else None
        return pid if notify == S.SIGEV_NONE else None

    def do_timer_create(self, t: TaskStruct, which_clock: int, event: Optional[tuple[int, int, int, int]],
                        created_timer_id: int) -> int:
        """do_timer_create(): `event` is the sigevent (value, signo, notify,
        thread id), None for the default (SIGALRM to the process, with the
        timer id as its value)."""
        kc: Optional[KClock]
        if which_clock < 0:  # clockid_to_kclock(): a CPU clock, or a clock device's
            if which_clock & CLOCKFD_MASK == CLOCKFD:
                return -E.EOPNOTSUPP
            kc = self.k.posix_cpu_timers
        elif which_clock not in self.posix_clocks:
            return -E.EINVAL
        else:
            kc = self.posix_clocks[which_clock]
            if kc is None:
                return -E.EOPNOTSUPP
        sig = t.signal
        new_timer_id = self.posix_timer_add(sig)
        if new_timer_id < 0:
            return new_timer_id
        timr = KItimer(new_timer_id, which_clock, kc)
        q = timr.sigq
        if event is not None:
            value, signo, notify, tid = event
            pid = self.good_sigevent(t, notify, signo, tid)
            if pid is None:
                return -E.EINVAL
            timr.it_sigev_notify = notify
            q["signo"], q["value"] = signo, value
        else:
            pid = t.group_leader.pid_link
            q["value"] = new_timer_id
        assert pid is not None
        timr.it_pid_type = PIDTYPE_PID if timr.it_sigev_notify & S.SIGEV_THREAD_ID else PIDTYPE_TGID
        if not self.k.uaccess.put_i32(t, created_timer_id, new_timer_id):
            return -E.EFAULT
        error = kc.timer_create(t, timr)
        if error:
            return error
        timr.it_pid = self.k.pid_ns.get_pid(pid)
        timr.it_signal = sig
        if sig.posix_timers is None:
            sig.posix_timers = {}
        sig.posix_timers[new_timer_id] = timr
        return 0

    def posix_timer_delete(self, timr: KItimer) -> None:
        """posix_timer_delete(): stop the timer and make it invalid, so that a
        signal of it still queued is dropped, never delivered."""
        timr.it_signal_seq += 1
        timr.kclock.timer_try_to_cancel(timr)  # common_timer_del / posix_cpu_timer_del
        timr.it_status = POSIX_TIMER_DISARMED
        sig = timr.it_signal
        assert sig is not None
        timr.it_signal = None
        ignored = sig.ignored_posix_timers
        if ignored and timr in ignored:  # posix_timer_cleanup_ignored()
            ignored.remove(timr)

    def posixtimer_free_timer(self, timr: KItimer) -> None:
        """The timer's references to pids go with it."""
        ns = self.k.pid_ns
        for pid in (timr.it_pid, timr.cpu_pid):
            if pid is not None:
                ns.put_pid(pid)
        timr.it_pid = timr.cpu_pid = None

    def exit_itimers(self, sig: SignalStruct) -> None:
        """exit_itimers(): the process exits or execs; its timers go."""
        timers = sig.posix_timers
        if not timers:
            return
        sig.posix_timers = None
        for timr in timers.values():
            self.posix_timer_delete(timr)
            self.posixtimer_free_timer(timr)

    # ---- setting and reading --------------------------------------------------------

    def posix_timer_set_common(self, timr: KItimer, value: int, interval: int) -> None:
        """posix_timer_set_common(): a new interval (none when disarming), and
        overrun accounting starts again."""
        timr.it_interval = interval if value else 0
        timr.it_overrun_last = 0
        timr.it_overrun = -1

    def common_timer_get(self, timr: KItimer, now: int) -> Setting:
        """common_timer_get(): (time left, interval). An interval timer whose
        signal is still to be delivered (or a SIGEV_NONE one) is moved past
        `now` first, counting overruns, so it never shows 0 left; a fired
        one-shot timer shows 1 ns until its signal is delivered, except a
        SIGEV_NONE timer, which shows 0."""
        iv = timr.it_interval
        sig_none = timr.it_sigev_notify == S.SIGEV_NONE
        if not iv and timr.it_status == POSIX_TIMER_DISARMED and not sig_none:
            return 0, 0
        if iv and timr.it_status != POSIX_TIMER_ARMED:
            timr.it_overrun += timer_forward(timr, now)
        remaining = timr.expires - now
        if remaining <= 0:
            return (0 if sig_none else 1), iv
        return remaining, iv

    def common_timer_set(self, timr: KItimer, flags: int, value: int, interval: int, now: int,
                         want_old: bool) -> Setting:
        """common_timer_set(): returns the old setting (zeros if not wanted).
        A zero value disarms (and the interval is dropped); TIMER_ABSTIME
        takes the value as a time on the timer's clock, else it is counted
        from `now`."""
        old = self.common_timer_get(timr, now) if want_old else (0, 0)
        timr.kclock.timer_try_to_cancel(timr)
        timr.it_status = POSIX_TIMER_DISARMED
        self.posix_timer_set_common(timr, value, interval)
        if not value:
            return old
        timr.expires = value if flags & TIMER_ABSTIME else ktime_add_safe(value, now)
        sigev_none = timr.it_sigev_notify == S.SIGEV_NONE
        if not sigev_none:
            timr.it_status = POSIX_TIMER_ARMED
        timr.kclock.timer_arm(timr, sigev_none)
        return old

    def do_timer_settime(self, t: TaskStruct, timer_id: int, tmr_flags: int, new: Itimerspec,
                         want_old: bool) -> Union[Setting, int]:
        """do_timer_settime(): the old setting, or -errno."""
        isec, insec, vsec, vnsec = new
        if not timespec64_valid(isec, insec) or not timespec64_valid(vsec, vnsec):
            return -E.EINVAL
        timr = self.lock_timer(t, timer_id)
        if timr is None:
            return -E.EINVAL
        timr.it_signal_seq += 1  # a signal queued before is not delivered, nor rearms it
        return timr.kclock.timer_set(timr, tmr_flags, timespec64_to_ktime(vsec, vnsec),
                                     timespec64_to_ktime(isec, insec), want_old)

    # ---- expiry and the signal ----------------------------------------------------------

    def posix_timer_fn(self, timr: KItimer) -> None:
        """posix_timer_fn(): an hrtimer-based timer expired."""
        timr.hrtimer = None
        self.posix_timer_queue_signal(timr)

    def posix_timer_queue_signal(self, timr: KItimer) -> None:
        """posix_timer_queue_signal(): an interval timer now waits for its
        signal to be delivered before it runs again (REQUEUE_PENDING)."""
        if timr.it_signal is None:
            return
        timr.it_status = POSIX_TIMER_REQUEUE_PENDING if timr.it_interval else POSIX_TIMER_DISARMED
        self.posixtimer_send_sigqueue(timr)

    def posixtimer_get_target(self, timr: KItimer) -> Optional[TaskStruct]:
        """posixtimer_get_target(): the thread, or for a process timer its
        leader -- or the running task, when it belongs to that process."""
        assert timr.it_pid is not None
        t = timr.it_pid.task
        if t is not None and timr.it_pid_type != PIDTYPE_PID:
            current = self.k.current()
            if current.signal is t.signal and not current.exit_state:
                t = current
        return t

    def posixtimer_send_sigqueue(self, timr: KItimer) -> None:
        """posixtimer_send_sigqueue() (kernel/signal.c): queue the timer's
        siginfo, unless it is queued already. An ignored signal is dropped --
        a periodic timer's waits on the ignored list instead, and a signal
        that was queued while blocked stays queued."""
        k = self.k
        q = timr.sigq
        sig = q["signo"]
        t = self.posixtimer_get_target(timr)
        if t is None:
            return
        timr.it_sigqueue_seq = timr.it_signal_seq
        timr.it_sig_periodic = timr.it_status == POSIX_TIMER_REQUEUE_PENDING
        group = timr.it_pid_type != PIDTYPE_PID
        pending = t.signal.shared_pending if group else t.pending
        ignored = t.signal.ignored_posix_timers or []
        on_ignored_list = timr in ignored
        if not k.signal.prepare_signal(sig, t, False):
            result = "ignored"
            if not pending.holds(q):
                if timr.it_sig_periodic:
                    if not on_ignored_list:
                        self.posixtimer_sig_ignore(t, q)
                elif on_ignored_list:
                    ignored.remove(timr)
        elif pending.holds(q):
            result = "already_pending"
        else:
            if on_ignored_list:
                ignored.remove(timr)
            k.signal.posixtimer_queue_sigqueue(q, t, group)
            result = "delivered"
        if k.tp.signal_generate.probes:
            k.tp.signal_generate(sig, q, t, group, result)

    def posixtimer_deliver_signal(self, q: SigQueue) -> Optional[dict]:
        """posixtimer_deliver_signal(): the timer's signal was dequeued. Returns
        the siginfo the task gets (a copy), or None when the signal is to be
        dropped: the timer was deleted or set again since it was queued. An
        interval timer runs again from here, and the periods it missed while
        its signal was pending are its overrun."""
        timr = q.timer
        if timr.it_signal_seq != timr.it_sigqueue_seq or timr.it_signal is None:
            return None
        info = dict(q)
        if timr.it_interval and timr.it_status == POSIX_TIMER_REQUEUE_PENDING:
            self.timer_rearm(timr)
            timr.it_status = POSIX_TIMER_ARMED
            timr.it_overrun_last = timr.it_overrun
            timr.it_overrun = -1
            timr.it_signal_seq += 1
            info["overrun"] = timer_overrun_to_int(timr)
        return info

    def timer_rearm(self, timr: KItimer) -> None:
        """common_hrtimer_rearm() / posix_cpu_timer_rearm(): the next period
        after now, and the missed ones counted."""
        now = timr.kclock.clock_get(timr)
        if now is None:
            return
        timr.it_overrun += timer_forward(timr, now)
        timr.kclock.timer_arm(timr, False)

    def posixtimer_sig_ignore(self, t: TaskStruct, q: SigQueue) -> None:
        """posixtimer_sig_ignore() (kernel/signal.c): a periodic timer's signal
        that is ignored (at expiry, or flushed by SIG_IGN) parks the timer on
        the ignored list; a one-shot timer's is simply gone."""
        timr = q.timer
        if timr.it_signal is not None and timr.it_sig_periodic:
            if t.signal.ignored_posix_timers is None:
                t.signal.ignored_posix_timers = []
            t.signal.ignored_posix_timers.insert(0, timr)

    def posixtimer_sig_unignore(self, t: TaskStruct, sig: int) -> None:
        """posixtimer_sig_unignore() (kernel/signal.c): `sig` is no longer
        SIG_IGN: the parked timers of that signal queue it again, and run
        again when it is delivered."""
        ignored = t.signal.ignored_posix_timers
        if not ignored:
            return
        for timr in list(ignored):
            if timr.sigq["signo"] != sig:
                continue
            ignored.remove(timr)
            target = self.posixtimer_get_target(timr)
            group = timr.it_pid_type != PIDTYPE_PID
            if target is not None and not (target.signal.shared_pending if group else target.pending).holds(timr.sigq):
                self.k.signal.posixtimer_queue_sigqueue(timr.sigq, target, group)

    # ---- system calls --------------------------------------------------------------------

    def get_itimerspec64(self, t: TaskStruct, addr: int) -> Optional[Itimerspec]:
        raw = self.k.uaccess.copy_from_user(t, addr, _ITIMERSPEC.size)
        return None if raw is None else _ITIMERSPEC.unpack(raw)

    def put_itimerspec64(self, t: TaskStruct, addr: int, setting: Setting) -> bool:
        value, interval = setting
        data = _ITIMERSPEC.pack(*divmod(interval, NSEC_PER_SEC), *divmod(value, NSEC_PER_SEC))
        return self.k.uaccess.copy_to_user(t, addr, data)

    def sys_timer_create(self, t: TaskStruct, which_clock: int, timer_event_spec: int, created_timer_id: int) -> int:
        event = None
        if timer_event_spec:
            raw = self.k.uaccess.copy_from_user(t, timer_event_spec, SIGEVENT_SIZE)
            if raw is None:
                return -E.EFAULT
            event = _SIGEVENT.unpack_from(raw)
        return self.do_timer_create(t, which_clock, event, created_timer_id)

    def sys_timer_settime(self, t: TaskStruct, timer_id: int, flags: int, new_setting: int, old_setting: int) -> int:
        """timer_settime(2). The old setting is written after the new one is
        in force: a bad old_setting pointer is EFAULT, yet the timer is set."""
        if not new_setting:
            return -E.EINVAL
        new = self.get_itimerspec64(t, new_setting)
        if new is None:
            return -E.EFAULT
        old = self.do_timer_settime(t, timer_id, flags, new, bool(old_setting))
        if isinstance(old, int):
            return old
        if old_setting and not self.put_itimerspec64(t, old_setting, old):
            return -E.EFAULT
        return 0

    def sys_timer_gettime(self, t: TaskStruct, timer_id: int, setting: int) -> int:
        timr = self.lock_timer(t, timer_id)
        if timr is None:
            return -E.EINVAL
        return 0 if self.put_itimerspec64(t, setting, timr.kclock.timer_get(timr)) else -E.EFAULT

    def sys_timer_getoverrun(self, t: TaskStruct, timer_id: int) -> int:
        """timer_getoverrun(2): the overrun of the last delivered signal."""
        timr = self.lock_timer(t, timer_id)
        return -E.EINVAL if timr is None else timer_overrun_to_int(timr)

    def sys_timer_delete(self, t: TaskStruct, timer_id: int) -> int:
        timr = self.lock_timer(t, timer_id)
        if timr is None:
            return -E.EINVAL
        timers = t.signal.posix_timers
        assert timers is not None
        del timers[timer_id]
        self.posix_timer_delete(timr)
        self.posixtimer_free_timer(timr)
        return 0
