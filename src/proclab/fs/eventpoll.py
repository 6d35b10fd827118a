"""epoll (fs/eventpoll.c): the instance, its items, and the system calls
epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2.

An `EventPoll` (struct eventpoll) is the open file epoll_create makes, on
the shared anonymous inode ("anon_inode:[eventpoll]" in /proc/PID/fd). It
holds one `EpItem` (struct epitem) per watched (file, fd) pair. Adding an
item polls its file once with a table whose queue function hangs a
permanent entry (`ep_poll_callback`) on every wait queue the file names, so
from then on each wakeup of the file puts the item on the ready list
(`rdllist`) and wakes the tasks asleep in epoll_wait (`wq`) and those
polling the epoll file itself (`poll_wait`). Collecting events polls each
ready item again: what it reports now, masked by what the item asks for, is
the event; a level-triggered item stays on the ready list (the next wait
polls it again), an edge-triggered one leaves it until its file's next
wakeup, an EPOLLONESHOT one is disabled until EPOLL_CTL_MOD.

An item goes away with EPOLL_CTL_DEL, when the epoll file is released, or
when the last reference to the watched file is dropped (eventpoll_release,
called by File.put): closing one of two fds of the same file keeps it.

The system calls check their arguments, copy events in and out, and do the
sleeping: `ep_poll` sleeps interruptibly on the instance's queue, which its
items' files wake through ep_poll_callback, until an item has events, the
timeout's virtual time comes or a signal arrives. A signal ends the wait with
EINTR, never restarted (SEMANTICS S2), with or without a handler. epoll_pwait
and epoll_pwait2 swap the caller's signal mask in for the wait, as ppoll does
(fs/select.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from ..arch.x86_64.pgtable import TASK_SIZE
from ..kernel.sched.wait import Sleep as Blocking, schedule_hrtimeout_range, signal_pending
from ..kernel.time.timekeeping import NSEC_PER_MSEC
from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueEntry, WaitQueueHead
from ..uapi import errno as E
from ..uapi.eventpoll import (
    EP_PRIVATE_BITS,
    EPOLL_CLOEXEC,
    EPOLL_CTL_ADD,
    EPOLL_CTL_DEL,
    EPOLL_CTL_MOD,
    EPOLL_EVENT,
    EPOLLERR,
    EPOLLET,
    EPOLLEXCLUSIVE,
    EPOLLEXCLUSIVE_OK_BITS,
    EPOLLHUP,
    EPOLLONESHOT,
)
from ..uapi.poll import POLLIN, POLLRDNORM
from .file import O_RDWR, File, fd_limit, fdget
from .inode import Inode
from .select import MSEC_PER_SEC

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct

EP_MAX_NESTS = 4  # how deep epoll files may watch epoll files
EP_MAX_EVENTS = 0x7FFFFFFF // EPOLL_EVENT.size
# epoll_put_uevent(): write event `i` of a wait (its events and data); False on a fault
PutUevent = Callable[[int, int, int], bool]


class EpItem:
    """struct epitem: one watched (file, fd) of an epoll instance, with the
    events it asks for (`events`, EPOLL* bits and flags) and the data it
    returns; `pwqlist` its entries on the file's wait queues; `ready`
    whether it is on the ready list (ep_is_linked)."""

    __slots__ = ("ep", "file", "fd", "events", "data", "pwqlist", "ready")

    def __init__(self, ep: EventPoll, file: File, fd: int, events: int, data: int) -> None:
        self.ep = ep
        self.file = file
        self.fd = fd
        self.events = events
        self.data = data
        self.pwqlist: list[WaitQueueEntry] = []
        self.ready = False


class EventPoll(File):
    """struct eventpoll, as the private data of its anonymous file."""

    def __init__(self, inode: Inode) -> None:
        super().__init__(O_RDWR, "anon_inode:[eventpoll]", inode)
        self.rbr: dict[tuple[File, int], EpItem] = {}  # the items, in the order they were added
        self.rdllist: list[EpItem] = []
        self.wq = WaitQueueHead("epoll_wait")
        self.poll_wait = WaitQueueHead("epoll_poll")

    # ---- readiness ----------------------------------------------------------------

    def ep_item_poll(self, epi: EpItem, pt: Optional[PollTable], depth: int) -> int:
        """ep_item_poll(): the events of `epi` now, as its file's poll
        method answers (an epoll file's one level deeper), masked by the
        events the item asks for."""
        f = epi.file
        revents = f.ep_eventpoll_poll(pt, depth + 1) if isinstance(f, EventPoll) else f.poll(pt)
        return revents & epi.events

    def ep_events_available(self) -> bool:
        """ep_events_available(): is any item on the ready list?"""
        return bool(self.rdllist)

    def ep_link_ready(self, epi: EpItem) -> int:
        """Put `epi` at the tail of the ready list (if it is not on it) and
        wake an epoll_wait sleeper and the pollers of this epoll file
        (ep_poll_callback's and ep_insert's common end); the tasks woken."""
        if not epi.ready:
            epi.ready = True
            self.rdllist.append(epi)
        woken = self.wq.wake_up(1) if self.wq else 0
        if self.poll_wait:
            woken += self.poll_wait.wake_up_all()
        return woken

    def ep_poll_callback(self, epi: EpItem, key: object) -> bool:
        """ep_poll_callback(): the wake function of the item's entries on its
        file's queues. A disabled EPOLLONESHOT item, or a wakeup whose key
        names events the item does not want, is ignored. True when it woke a
        task (what counts against an EPOLLEXCLUSIVE wakeup)."""
        if not epi.events & ~EP_PRIVATE_BITS:
            return False
        if isinstance(key, int) and key and not key & epi.events:
            return False
        return self.ep_link_ready(epi) > 0

    def ep_ptable_queue_proc(self, epi: EpItem) -> Callable[[WaitQueueHead], None]:
        """ep_ptable_queue_proc(): the poll table function of ep_insert,
        which hangs an `ep_poll_callback` entry for `epi` on each queue
        (exclusive for EPOLLEXCLUSIVE, add_wait_queue_exclusive)."""

        def queue_proc(queue: WaitQueueHead) -> None:
            entry = WaitQueueEntry(None, lambda _entry, key: self.ep_poll_callback(epi, key),
                                   bool(epi.events & EPOLLEXCLUSIVE))
            queue.add(entry)
            epi.pwqlist.append(entry)

        return queue_proc

    def ep_eventpoll_poll(self, pt: Optional[PollTable], depth: int) -> int:
        """__ep_eventpoll_poll(): an epoll file is readable when one of its
        ready items has events now; the items found to have none leave the
        ready list on the way."""
        poll_wait(pt, self.poll_wait)
        for epi in list(self.rdllist):
            if self.ep_item_poll(epi, None, depth):
                return POLLIN | POLLRDNORM
            epi.ready = False
            self.rdllist.remove(epi)
        return 0

    def poll(self, pt: Optional[PollTable]) -> int:
        """ep_eventpoll_poll(): f_op->poll of the epoll file."""
        return self.ep_eventpoll_poll(pt, 0)

    # ---- epoll_ctl ----------------------------------------------------------------

    def ep_find(self, file: File, fd: int) -> Optional[EpItem]:
        """ep_find(): the item of (file, fd), if any."""
        return self.rbr.get((file, fd))

    def ep_loop_check(self, to: EventPoll) -> bool:
        """ep_loop_check(): would watching the epoll file `to` make a cycle
        back to this one, or a chain deeper than EP_MAX_NESTS?"""

        def ep_loop_check_proc(ep: EventPoll, depth: int) -> bool:
            if depth > EP_MAX_NESTS:
                return True
            for epi in ep.rbr.values():
                f = epi.file
                if isinstance(f, EventPoll) and (f is self or ep_loop_check_proc(f, depth + 1)):
                    return True
            return False

        return ep_loop_check_proc(to, 1)

    def ep_insert(self, file: File, fd: int, events: int, data: int) -> int:
        """ep_insert(): a new item, hung on its file's queues by polling it
        once; ready at once if the file already has one of its events."""
        if isinstance(file, EventPoll) and self.ep_loop_check(file):
            return -E.ELOOP
        epi = EpItem(self, file, fd, events, data)
        self.rbr[(file, fd)] = epi
        file.f_ep.append(epi)
        if self.ep_item_poll(epi, PollTable(self.ep_ptable_queue_proc(epi)), 1):
            self.ep_link_ready(epi)
        return 0

    def ep_modify(self, epi: EpItem, events: int, data: int) -> int:
        """ep_modify(): new events and data (which re-arms a disabled
        EPOLLONESHOT item); ready at once if the file has one of them."""
        epi.events = events
        epi.data = data
        if self.ep_item_poll(epi, None, 1):
            self.ep_link_ready(epi)
        return 0

    def ep_remove(self, epi: EpItem) -> None:
        """ep_remove(): off its file's queues, the ready list and the set."""
        for entry in epi.pwqlist:
            if entry.head is not None:
                entry.head.remove(entry)
        epi.pwqlist.clear()
        epi.file.f_ep.remove(epi)
        if epi.ready:
            epi.ready = False
            self.rdllist.remove(epi)
        del self.rbr[(epi.file, epi.fd)]

    # ---- epoll_wait ---------------------------------------------------------------

    def ep_send_events(self, put: PutUevent, maxevents: int) -> int:
        """ep_send_events(): poll the ready items in order and report those
        with events through `put`, at most `maxevents`; the number reported,
        or -EFAULT when the first one could not be written. A reported
        level-triggered item goes back to the tail of the ready list, an
        EPOLLONESHOT one is disabled; an item with no events leaves the list.
        The items not looked at stay first on the list (ep_done_scan)."""
        txlist, self.rdllist = self.rdllist, []
        res = 0
        while txlist and res < maxevents:
            epi = txlist.pop(0)
            epi.ready = False
            revents = self.ep_item_poll(epi, None, 1)
            if not revents:
                continue
            if not put(res, revents, epi.data):
                txlist.insert(0, epi)
                epi.ready = True
                if not res:
                    res = -E.EFAULT
                break
            res += 1
            if epi.events & EPOLLONESHOT:
                epi.events &= EP_PRIVATE_BITS
            elif not epi.events & EPOLLET:
                epi.ready = True
                self.rdllist.append(epi)
        self.rdllist[:0] = txlist
        return res

    def release(self) -> None:
        """ep_eventpoll_release() -> ep_clear_and_put(): the last reference
        to the epoll file is gone: every item goes."""
        for epi in list(self.rbr.values()):
            self.ep_remove(epi)


class EventPollCalls:
    """The epoll system calls of one kernel."""

    def __init__(self, k: Kernel) -> None:
        self.k = k

    def ep_file(self, t: TaskStruct, epfd: int) -> EventPoll | int:
        """fdget() + is_file_epoll(): the instance at `epfd`; EBADF when
        nothing is open there, EINVAL when it is no epoll file."""
        f = fdget(t, epfd)
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
        fd = t.files.alloc_fd(ep, cloexec=bool(flags & EPOLL_CLOEXEC), limit=fd_limit(t))
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
        ep = fdget(t, epfd)
        if ep is None:
            return -E.EBADF
        tf = fdget(t, fd)
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
        slack = self.k.select.select_estimate_accuracy(t, end_time)
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
            timed_out = not (yield from schedule_hrtimeout_range(sched, t, end_time, slack))
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
