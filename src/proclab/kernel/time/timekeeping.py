"""Virtual time and its timers (kernel/time/timekeeping.c, hrtimer.c).

Time never comes from the host. It advances when:
- a CPU runs user code: each retired instruction (counted exactly by the
  emulator) costs `INSN_PS` picoseconds, charged to the task as user time;
- the kernel works: each syscall, page fault, context switch, fork and exec costs
  a fixed amount (`COSTS`), charged to the task as system time;
- every task sleeps: the idle CPU jumps to the next timer.
So the same program, options and seed give the same times, byte for byte.
The costs are calibrated against the host (bench/calibrate.py prints the
host's figures beside these); each constant names the figure it came from.

Timers (hrtimers) have a range, as Linux's: a soft expiry (the time asked
for) and a hard one (soft + the sleeper's timer slack). They are kept in
hard-expiry order, ties in arming order. The CPU's timer interrupt comes at
the earliest hard expiry (or at a tick), and then every timer whose soft
expiry has passed fires with it (__hrtimer_run_queues), so sleeps ending
within each other's slack end in one interrupt, their tasks woken together.
Arming or cancelling one takes the timer queue's lock (hrtimer_cpu_base.lock)
as lockdep sees it: which of two sleeps starts first decides which of them
ends first, so explore tries both orders of two steps that arm timers.
"""

from __future__ import annotations

from typing import Callable, Optional

from sortedcontainers import SortedList

from ...lib.lockdep import lock_acquire

NSEC_PER_SEC = 1_000_000_000
NSEC_PER_MSEC = 1_000_000
NSEC_PER_USEC = 1_000

# The tick is HZ=1000.
TICK_NS = 1 * NSEC_PER_MSEC
# One user instruction: host 2.33 ns per round of bench/calibrate.py's integer
# loop, which proclab counts as 24 instructions (3.4 per cycle at ~3 GHz).
INSN_PS = 97
USER_HZ = 100  # clock_t units of times(2) and /proc



def timespec64_to_ns(sec: int, nsec: int) -> Optional[int]:
    """timespec64_valid() then timespec64_to_ns(): nanoseconds, or None for a
    negative time or nanoseconds outside [0, 1e9) (the callers' EINVAL)."""
    if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
        return None
    return sec * NSEC_PER_SEC + nsec


def ns_to_clock_t(ns: int) -> int:
    """Virtual ns in clock ticks (USER_HZ), as times(2) and siginfo report them."""
    return ns * USER_HZ // NSEC_PER_SEC


# What kernel work costs in virtual ns, each from the host figure beside it
# (`python bench/calibrate.py` on this project's 2-core x86-64 machine, a
# Firecracker VM with Linux 6.18; it prints these figures and the constants
# they suggest).
COSTS = {
    "syscall": 130,       # host: 140 ns per getpid, less its loop's instructions
    "fault": 1_400,       # host: 1436 ns per fresh anonymous page written
    "cow": 2_300,         # host: 2273 ns per COW break (a page copied) in a forked child
    "switch": 2_100,      # host: 4773 ns per pipe round trip, less 4 syscalls and the loop
    "fork": 49_000,       # host: 59 us per fork+_exit+waitpid, less the exit, wait and switches
    "exec": 49_000,       # host: 64 us per execve of a tiny static binary, less its faults
    "signal": 2_100,      # host: 2505 ns per kill(getpid()) caught by a handler, less 3 syscalls
    "script_step": 100,   # one step of a scripted (Python) user program: no host counterpart
}

# CLOCK_REALTIME at boot: 2026-01-01T00:00:00Z (fixed, so runs repeat exactly).
REALTIME_AT_BOOT = 1_767_225_600 * NSEC_PER_SEC


# lockdep's key of the timer queue: one queue for the machine, so one key.
HRTIMER_BASE = ("hrtimer_base",)


class Timer:
    """struct hrtimer: calls `fn()` once virtual time is past `soft`, at the
    latest at `expires` (the hard expiry), unless cancelled first."""

    __slots__ = ("soft", "expires", "seq", "fn", "armed")

    def __init__(self, soft: int, expires: int, seq: int, fn: Callable[[], None]) -> None:
        self.soft = soft
        self.expires = expires
        self.seq = seq
        self.fn = fn
        self.armed = True


class Clock:
    """The system's virtual clock and its timer queue."""

    def __init__(self) -> None:
        self.now = 0
        self._timers: SortedList = SortedList(key=lambda t: (t.expires, t.seq))
        self._seq = 0

    def real_seconds(self) -> int:
        """ktime_get_real_seconds(): whole seconds of CLOCK_REALTIME."""
        return (REALTIME_AT_BOOT + self.now) // NSEC_PER_SEC

    def advance(self, ns: int) -> None:
        self.now += ns

    def start_timer(self, expires: int, fn: Callable[[], None], slack: int = 0) -> Timer:
        """hrtimer_start_range_ns() at an absolute virtual time: fire at
        `expires` or up to `slack` ns later."""
        lock_acquire(HRTIMER_BASE)
        self._seq += 1
        timer = Timer(expires, expires + slack, self._seq, fn)
        self._timers.add(timer)
        return timer

    def cancel(self, timer: Timer) -> None:
        """hrtimer_cancel(); harmless on a timer that already fired."""
        if timer.armed:
            lock_acquire(HRTIMER_BASE)
            timer.armed = False
            self._timers.remove(timer)

    def next_expiry(self) -> int | None:
        """When the timer interrupt must come: the earliest hard expiry."""
        return self._timers[0].expires if self._timers else None

    def run_expired(self) -> int:
        """The timer interrupt (__hrtimer_run_queues): fire, in hard-expiry
        order, the timers whose soft expiry has passed, up to the first that
        is not yet due; returns how many fired."""
        fired = 0
        while self._timers and self._timers[0].soft <= self.now:
            timer = self._timers.pop(0)
            timer.armed = False
            timer.fn()
            fired += 1
        return fired

    def pending(self) -> int:
        return len(self._timers)
