"""The epoll instance and its items (fs/eventpoll.c, all but the sleep).

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
called by File.put): closing one of two fds of the same file keeps it. The
sleep of epoll_wait is in fs/eventpoll_sys.py.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..lib.poll import PollTable, poll_wait
from ..lib.wait import WaitQueueEntry, WaitQueueHead
from ..uapi import errno as E
from ..uapi.eventpoll import EP_PRIVATE_BITS, EPOLLEXCLUSIVE, EPOLLONESHOT, EPOLLET
from ..uapi.poll import POLLIN, POLLRDNORM
from .file import O_RDWR, File
from .inode import Inode

EP_MAX_NESTS = 4  # how deep epoll files may watch epoll files
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
