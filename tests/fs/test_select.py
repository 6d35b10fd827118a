"""poll/select from the kernel's side, driven by scripted programs (the C
programs tests/programs/files/poll_*.c, select_sets.c and ppoll_sigmask.c
compare the results with the host's): a sleeper leaves no wait-queue entry
behind, and the console's input, which comes from the world outside, wakes a
poller through the idle loop (I2)."""

from __future__ import annotations

import os
import struct
import threading

from scripted import make_pipe, run_scripted, write_later

from proclab.fs.console import BufferConsole, HostConsole
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.time.timekeeping import NSEC_PER_MSEC
from proclab.uapi.poll import POLLHUP, POLLIN, POLLRDNORM

POLLFD = struct.Struct("<iHH")


def test_a_woken_poller_leaves_no_entry_on_any_queue() -> None:
    seen = {}

    def main(u):
        rfd, wfd = yield from make_pipe(u)
        yield u.fork(write_later(wfd, u.put(b"x"), 10 * NSEC_PER_MSEC))
        pollfds = u.put(POLLFD.pack(rfd, POLLIN, 0) + POLLFD.pack(wfd, POLLIN, 0))
        pipe = u.task.files.get(rfd).pipe
        got = yield u.sys("poll", pollfds, 2, -1)
        seen.update(got=got, revents=[POLLFD.unpack(u.read(pollfds + 8 * i, 8))[2] for i in range(2)],
                    waiters=len(pipe.rd_wait) + len(pipe.wr_wait), now=u._k.clock.now)
        yield u.sys("wait4", -1, 0, 0, 0)
        yield u.sys("exit_group", 0)

    run_scripted(main)
    assert seen["got"] == 1 and seen["revents"] == [POLLIN, 0]
    assert seen["waiters"] == 0
    assert seen["now"] >= 10 * NSEC_PER_MSEC


def run_on_host_stdin(timeout_ms: int, feed: bytes | None) -> tuple[dict, Kernel]:
    """A scripted poll of fd 0 on a kernel whose console reads a host pipe,
    which a host thread writes `feed` to (and closes) a little later."""
    rd, wr = os.pipe()
    out = os.open(os.devnull, os.O_WRONLY)
    seen: dict = {}
    k = Kernel(KernelConfig(memory=32 << 20), HostConsole((rd, out, out)))
    k.on_warning = lambda message: None

    def main(u):
        pollfd = u.put(POLLFD.pack(0, POLLIN, 0))
        seen["got"] = yield u.sys("poll", pollfd, 1, timeout_ms)
        seen["revents"] = POLLFD.unpack(u.read(pollfd, 8))[2]
        seen["now"] = u._k.clock.now
        yield u.sys("exit_group", 0)

    def later() -> None:
        threading.Event().wait(0.2)
        os.write(wr, feed or b"")
        os.close(wr)

    writer = threading.Thread(target=later) if feed is not None else None
    try:
        if writer is not None:
            writer.start()
        k.boot(program=main)
        result = k.run()
    finally:
        if writer is not None:
            writer.join()
        else:
            os.close(wr)
        os.close(rd)
        os.close(out)
    assert result.reason == "poweroff", result
    return seen, k


def test_console_input_from_the_host_wakes_a_poller_without_a_timeout() -> None:
    seen, k = run_on_host_stdin(-1, b"typed\n")
    assert seen["got"] == 1
    assert seen["revents"] & POLLIN
    assert not len(k.console.read_wait)


def test_a_poller_of_the_console_times_out_when_the_host_has_nothing() -> None:
    """The idle loop waits for the host at most as long as the timeout has
    left, then virtual time jumps to the timeout."""
    seen, _ = run_on_host_stdin(100, None)
    assert seen["got"] == 0 and seen["revents"] == 0
    assert seen["now"] >= 100 * NSEC_PER_MSEC


def test_console_input_from_the_host_within_the_timeout_is_seen() -> None:
    seen, _ = run_on_host_stdin(10_000, b"typed\n")
    assert seen["got"] == 1 and seen["revents"] & POLLIN
    assert seen["now"] < 10_000 * NSEC_PER_MSEC


def test_console_input_at_end_of_file_is_hung_up() -> None:
    """The buffered console is a pipe whose writer wrote everything and left."""
    assert BufferConsole(b"ab").poll_input(0) == POLLIN | POLLRDNORM | POLLHUP
    assert BufferConsole(b"").poll_input(0) == POLLHUP
