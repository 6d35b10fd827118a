"""epoll from the kernel's side, driven by scripted programs (the C programs
tests/programs/files/epoll_*.c compare the results with the host's): an
item keeps one entry on each of its file's wait queues for its whole life,
a woken epoll_wait leaves none on the instance's queue, closing the epoll
file or the watched file's last fd takes the entries away, and an epoll
instance watching console input that nobody waits for does not keep the
idle loop busy."""

from __future__ import annotations

import struct

from scripted import make_pipe, run_scripted, write_later

from proclab.fs.console import BufferConsole
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.time.timekeeping import NSEC_PER_MSEC
from proclab.uapi.eventpoll import EPOLL_CTL_ADD, EPOLL_EVENT, EPOLLIN


def test_items_hang_on_their_files_queues_until_released() -> None:
    seen: dict = {}

    def main(u):
        rfd, wfd = yield from make_pipe(u)
        pipe = u.task.files.get(rfd).pipe
        epfd = yield u.sys("epoll_create1", 0)
        ep = u.task.files.get(epfd)
        event = u.put(EPOLL_EVENT.pack(EPOLLIN, 42))
        yield u.sys("epoll_ctl", epfd, EPOLL_CTL_ADD, rfd, event)
        seen["after_add"] = len(pipe.rd_wait)
        yield u.fork(write_later(wfd, u.put(b"x"), 10 * NSEC_PER_MSEC))
        out = u.alloc(EPOLL_EVENT.size * 4)
        seen["got"] = yield u.sys("epoll_wait", epfd, out, 4, -1)
        seen["event"] = EPOLL_EVENT.unpack(u.read(out, EPOLL_EVENT.size))
        seen["ep_waiters"] = len(ep.wq)
        seen["now"] = u._k.clock.now
        yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("close", epfd)
        seen["after_close"] = len(pipe.rd_wait)
        epfd = yield u.sys("epoll_create1", 0)
        ep = u.task.files.get(epfd)
        yield u.sys("epoll_ctl", epfd, EPOLL_CTL_ADD, rfd, event)
        yield u.sys("close", rfd)
        seen["items_after_file_closed"] = len(ep.rbr)
        seen["entries_after_file_closed"] = len(pipe.rd_wait)
        yield u.sys("exit_group", 0)

    run_scripted(main)
    assert seen["after_add"] == 1
    assert seen["got"] == 1 and seen["event"] == (EPOLLIN, 42)
    assert seen["ep_waiters"] == 0
    assert seen["now"] >= 10 * NSEC_PER_MSEC
    assert seen["after_close"] == 0
    assert seen["items_after_file_closed"] == 0 and seen["entries_after_file_closed"] == 0


def test_watched_console_input_nobody_waits_for_lets_time_pass() -> None:
    """Console input is always there (a buffered console is hung up), but the
    only entry on its queue is an epoll item's: the idle loop wakes nobody
    with it and lets virtual time jump to the sleeper's timer."""
    seen: dict = {}
    k = Kernel(KernelConfig(memory=32 << 20), BufferConsole(b"typed"))
    k.on_warning = lambda message: None

    def main(u):
        epfd = yield u.sys("epoll_create1", 0)
        yield u.sys("epoll_ctl", epfd, EPOLL_CTL_ADD, 0, u.put(EPOLL_EVENT.pack(EPOLLIN, 0)))
        yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, 50 * NSEC_PER_MSEC)), 0)
        seen["now"] = u._k.clock.now
        yield u.sys("exit_group", 0)

    k.boot(program=main)
    result = k.run()
    assert result.reason == "poweroff", result
    assert seen["now"] >= 50 * NSEC_PER_MSEC
