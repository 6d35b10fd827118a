"""The epoll system calls (fs/eventpoll.c): epoll_create, epoll_create1,
epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2.

The instance and its items live in fs/eventpoll.py; this module checks the
arguments, copies events in and out, and does the sleeping: `ep_poll`
sleeps interruptibly on the instance's queue, which its items' files wake
through ep_poll_callback, until an item has events, the timeout's virtual
time comes or a signal arrives. A signal ends the wait with EINTR, never
restarted (SEMANTICS S2), with or without a handler. epoll_pwait and
epoll_pwait2 swap the caller's signal mask in for the wait, as ppoll does
(fs/select.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..arch.x86_64.pgtable import TASK_SIZE
from .eventpoll import EventPoll
from ..lib.wait import WaitQueueEntry
from ..uapi import errno as E
from ..uapi.eventpoll import (
    EPOLL_CLOEXEC,
    EPOLL_CTL_ADD,
    EPOLL_CTL_DEL,
    EPOLL_CTL_MOD,
    EPOLL_EVENT,
    EPOLLERR,
    EPOLLEXCLUSIVE,
    EPOLLEXCLUSIVE_OK_BITS,
    EPOLLHUP,
)
from ..kernel.time.timekeeping import NSEC_PER_MSEC
from ..kernel.sched.wait import Sleep as Blocking, schedule_hrtimeout_range, signal_pending
from .select import MSEC_PER_SEC
from ..kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

EP_MAX_EVENTS = 0x7FFFFFFF // EPOLL_EVENT.size


class EventPollCalls:
    """The epoll system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def ep_file(self, t: TaskStruct, epfd: int) -> EventPoll | int:
        """fdget() + is_file_epoll(): the instance at `epfd`; EBADF when
        nothing is open there, EINVAL when it is no epoll file."""
        f = self.k.select.fdget(t, epfd)
        if f is None:
            return -E.EBADF
        return f if isinstance(f, EventPoll) else -E.EINVAL

    # ---- epoll_create -------------------------------------------------------------

    def do_epoll_create(self, t: TaskStruct, flags: int) -> int:
        """do_epoll_create(): a new instance on the anonymous inode, at the
        lowest free fd (close-on-exec with EPOLL_CLOEXEC)."""
        if flags & ~EPOLL_CLOEXEC:
            return -E.EINVAL
        ep = EventPoll(self.k.vfs.anon_inode)
        fd = t.files.alloc_fd(ep, cloexec=bool(flags & EPOLL_CLOEXEC), limit=self.k.fileio.fd_limit(t))
        if fd < 0:
            ep.put()
        return fd

    def sys_epoll_create1(self, t: TaskStruct, flags: int) -> int:
        return self.do_epoll_create(t, flags)

    def sys_epoll_create(self, t: TaskStruct, size: int) -> int:
        """epoll_create(2): `size` is only checked to be positive."""
        if size <= 0:
            return -E.EINVAL
        return self.do_epoll_create(t, 0)

    # ---- epoll_ctl ----------------------------------------------------------------

    def do_epoll_ctl(self, t: TaskStruct, epfd: int, op: int, fd: int, events: int, data: int) -> int:
        """do_epoll_ctl(): EBADF for a bad epfd or fd, EPERM when the target
        has no poll method (regular files, directories), EINVAL when epfd
        is no epoll file or is the target itself, for EPOLLEXCLUSIVE with
        MOD (or on an epoll target, or with other events than the allowed
        ones), for MOD of an EPOLLEXCLUSIVE item and for an unknown op;
        then EEXIST for ADD of an item there is, ENOENT for MOD or DEL of
        one there is not, ELOOP for a cycle of epoll files. ADD and MOD
        always watch EPOLLERR and EPOLLHUP."""
        select = self.k.select
        ep = select.fdget(t, epfd)
        if ep is None:
            return -E.EBADF
        tf = select.fdget(t, fd)
        if tf is None:
            return -E.EBADF
        if not tf.can_poll():
            return -E.EPERM
        if ep is tf or not isinstance(ep, EventPoll):
            return -E.EINVAL
        if op != EPOLL_CTL_DEL and events & EPOLLEXCLUSIVE:
            if op == EPOLL_CTL_MOD:
                return -E.EINVAL
            if op == EPOLL_CTL_ADD and (isinstance(tf, EventPoll) or events & ~EPOLLEXCLUSIVE_OK_BITS):
                return -E.EINVAL
        epi = ep.ep_find(tf, fd)
        if op == EPOLL_CTL_ADD:
            if epi is not None:
                return -E.EEXIST
            return ep.ep_insert(tf, fd, events | EPOLLERR | EPOLLHUP, data)
        if op == EPOLL_CTL_DEL:
            if epi is None:
                return -E.ENOENT
            ep.ep_remove(epi)
            return 0
        if op == EPOLL_CTL_MOD:
            if epi is None:
                return -E.ENOENT
            if epi.events & EPOLLEXCLUSIVE:
                return -E.EINVAL
            return ep.ep_modify(epi, events | EPOLLERR | EPOLLHUP, data)
        return -E.EINVAL

    def sys_epoll_ctl(self, t: TaskStruct, epfd: int, op: int, fd: int, event: int) -> int:
        """epoll_ctl(2): every op but DEL reads the struct epoll_event."""
        events = data = 0
        if op != EPOLL_CTL_DEL:
            raw = self.k.uaccess.copy_from_user(t, event, EPOLL_EVENT.size)
            if raw is None:
                return -E.EFAULT
            events, data = EPOLL_EVENT.unpack(raw)
        return self.do_epoll_ctl(t, epfd, op, fd, events, data)

    # ---- epoll_wait ---------------------------------------------------------------

    def ep_poll(self, t: TaskStruct, ep: EventPoll, events: int, maxevents: int,
                end_time: Optional[int]) -> Blocking:
        """ep_poll(): collect events (ep_send_events) while any item is on
        the ready list; with none, sleep exclusively on the instance's queue
        (ep_autoremove_wake_function takes the entry off when it wakes the
        task) until woken, the time comes or a signal is pending (-EINTR).
        A zero timeout (end time 0) collects once and never sleeps."""
        uacc = self.k.uaccess
        sched = self.k.sched

        def put(i: int, revents: int, data: int) -> bool:
            return uacc.copy_to_user(t, events + i * EPOLL_EVENT.size, EPOLL_EVENT.pack(revents, data))

        def ep_autoremove_wake_function(entry: WaitQueueEntry, key: object) -> bool:
            woken = sched.default_wake_function(entry, key)
            if woken and entry.head is not None:
                entry.head.remove(entry)
            return woken

        timed_out = end_time == 0
        eavail = ep.ep_events_available()
        while True:
            if eavail:
                res = ep.ep_send_events(put, maxevents)
                if res:
                    return res
            if timed_out:
                return 0
            if signal_pending(t):
                return -E.EINTR
            eavail = ep.ep_events_available()
            if eavail:
                continue
            wait = WaitQueueEntry(t, ep_autoremove_wake_function, exclusive=True)
            ep.wq.add(wait)
            timed_out = not (yield from schedule_hrtimeout_range(sched, t, end_time))
            eavail = True
            if wait.head is not None:
                if timed_out:
                    eavail = False
                wait.head.remove(wait)

    def do_epoll_wait(self, t: TaskStruct, epfd: int, events: int, maxevents: int,
                      end_time: Optional[int]) -> Blocking:
        """do_epoll_wait(): EINVAL for maxevents <= 0 (or too many), EFAULT
        for an array beyond user space (access_ok), EBADF / EINVAL for an
        epfd that is not open / no epoll file."""
        if maxevents <= 0 or maxevents > EP_MAX_EVENTS:
            return -E.EINVAL
        if events + maxevents * EPOLL_EVENT.size > TASK_SIZE:
            return -E.EFAULT
        ep = self.ep_file(t, epfd)
        if isinstance(ep, int):
            return ep
        return (yield from self.ep_poll(t, ep, events, maxevents, end_time))

    def ep_timeout_to_end_time(self, timeout: int) -> Optional[int]:
        """ep_timeout_to_timespec(): a negative timeout in ms waits for ever
        (None), 0 does not wait (end time 0)."""
        if timeout < 0:
            return None
        return self.k.select.poll_select_set_timeout(timeout // MSEC_PER_SEC, NSEC_PER_MSEC * (timeout % MSEC_PER_SEC))

    def sys_epoll_wait(self, t: TaskStruct, epfd: int, events: int, maxevents: int, timeout: int) -> Blocking:
        return (yield from self.do_epoll_wait(t, epfd, events, maxevents, self.ep_timeout_to_end_time(timeout)))

    def do_epoll_pwait(self, t: TaskStruct, epfd: int, events: int, maxevents: int,
                       end_time: Optional[int]) -> Blocking:
        """do_epoll_pwait(), after its set_user_sigmask (the caller's): the
        wait, then the caller's old mask back, or after the handler when a
        signal ended the wait (restore_saved_sigmask_unless)."""
        error = yield from self.do_epoll_wait(t, epfd, events, maxevents, end_time)
        self.k.signal.restore_saved_sigmask_unless(t, error == -E.EINTR)
        return error

    def sys_epoll_pwait(self, t: TaskStruct, epfd: int, events: int, maxevents: int, timeout: int,
                        sigmask: int, sigsetsize: int) -> Blocking:
        """epoll_pwait(2): epoll_wait with the mask at `sigmask` (if any) in
        force during the wait."""
        error = self.k.signal.set_user_sigmask(t, sigmask, sigsetsize)
        if error:
            return error
        return (yield from self.do_epoll_pwait(t, epfd, events, maxevents, self.ep_timeout_to_end_time(timeout)))

    def sys_epoll_pwait2(self, t: TaskStruct, epfd: int, events: int, maxevents: int, timeout: int,
                         sigmask: int, sigsetsize: int) -> Blocking:
        """epoll_pwait2(2): epoll_pwait with a timespec timeout (a null
        pointer waits for ever), read and checked first as ppoll's is."""
        error, end_time = self.k.select.timespec_and_sigmask(t, timeout, sigmask, sigsetsize)
        if error:
            return error
        return (yield from self.do_epoll_pwait(t, epfd, events, maxevents, end_time))
