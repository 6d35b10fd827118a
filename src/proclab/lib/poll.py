"""The poll table (include/linux/poll.h): how a file's poll method tells
poll/select which wait queues to sleep on.

A file's `poll(pt)` (f_op->poll) calls `poll_wait(pt, queue)` for each queue
whose wakeups may change its answer, then returns its POLL* mask at once; it
never sleeps. The table's `qproc` (poll_queue_proc) belongs to the caller:
fs/select.py hangs an entry for the task on each queue. A table whose
`qproc` is None (or no table at all) only asks for the mask: the caller
already found something ready, or will not sleep.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..uapi.poll import POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM
from .wait import WaitQueueHead

# What a file without a poll method reports: always readable and writable.
DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM

PollQueueProc = Callable[[WaitQueueHead], None]


class PollTable:
    """struct poll_table_struct without its _key: the events a waiter asked
    for are kept by its owner (fs/select.py PollWqueues, fs/eventpoll.py),
    whose wake functions ignore wakeups for other events, as pollwake() does."""

    __slots__ = ("qproc",)

    def __init__(self, qproc: Optional[PollQueueProc]) -> None:
        self.qproc = qproc


def poll_wait(pt: Optional[PollTable], queue: WaitQueueHead) -> None:
    """poll_wait(): register `queue` with the caller's table, if it wants it."""
    if pt is not None and pt.qproc is not None:
        pt.qproc(queue)
