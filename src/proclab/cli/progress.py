"""The progress line of long runs on a terminal, redrawn while the
simulated programs write to the same terminal. When stderr is not a terminal
nothing is shown.

The program's output goes to the terminal unchanged: before each write the
progress line is erased, and it is drawn again only at the start of a line,
so it never mixes with what the program prints.
"""

from __future__ import annotations

import contextlib
import threading
import time
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from rich.console import Console
from rich.text import Text

from ..fs.console import HostConsole

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

_ERASE = "\r\x1b[2K"
_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class RunProgress:
    """A line on stderr saying how far a long run has got, shown after
    `delay` seconds of wall time and refreshed every `interval` seconds by a
    background thread; `describe()` gives its text (set it once the thing to
    describe exists)."""

    def __init__(self, err: Console, delay: float = 1.0, interval: float = 0.125) -> None:
        self.err = err
        self.describe: Callable[[], str] = lambda: "running"
        self.active = err.is_terminal
        self._delay = delay
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._shown = False
        self._at_line_start = True
        self._frame = 0

    def console(self) -> HostConsole:
        """The simulated console: proclab's own fds, written around the line."""
        return _ProgressConsole(self) if self.active else HostConsole()

    def __enter__(self) -> "RunProgress":
        if self.active:
            self._thread = threading.Thread(target=self._loop, name="proclab-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        with self._lock:
            self._erase()

    def _loop(self) -> None:
        if self._stop.wait(self._delay):
            return
        while not self._stop.is_set():
            with self._lock:
                if self._at_line_start:
                    self._draw()
            self._stop.wait(self._interval)

    def _draw(self) -> None:
        self._frame = (self._frame + 1) % len(_SPINNER)
        line = Text.assemble((_SPINNER[self._frame], "green"), " ", self.describe())
        line.truncate(max(self.err.width - 1, 10), overflow="ellipsis")
        self.err.file.write(_ERASE)
        self.err.print(line, end="", soft_wrap=True)
        self.err.file.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self.err.file.write(_ERASE)
            self.err.file.flush()
            self._shown = False

    def say(self, message: str) -> None:
        """A line of proclab's own on stderr (a warning), around the progress line."""
        with self.paused():
            self.err.print(message, markup=False)

    @contextlib.contextmanager
    def paused(self, ends_line: bool = True) -> Iterator[None]:
        """Write to the terminal inside this block: the line is erased first
        and comes back once the cursor is at the start of a line again
        (`ends_line`: what is written ends with a newline)."""
        with self._lock:
            self._erase()
            try:
                yield
            finally:
                self._at_line_start = ends_line


class _ProgressConsole(HostConsole):
    def __init__(self, progress: RunProgress) -> None:
        super().__init__()
        self.progress = progress

    def write(self, stream: int, data: bytes) -> int:
        if not self.isatty(stream):
            return super().write(stream, data)
        with self.progress.paused(bytes(data[-1:]) == b"\n"):
            return super().write(stream, data)


def describe_run(name: str, k: Kernel) -> Callable[[], str]:
    """The progress text of a run of program `name` on kernel `k` (read from
    another thread: plain counters, nothing that needs a lock)."""
    started = time.monotonic()

    def text() -> str:
        failed = sum(k.fork_failures.values())
        return (f"running {name} · {k.clock.now / 1e6:,.3f} ms virtual · {k.nr_threads} tasks"
                + (f" · {failed:,} forks failed" if failed else "")
                + f" · {sum(rq.nr_switches for rq in k.sched.rqs):,} context switches"
                + f" · {time.monotonic() - started:.0f} s")

    return text
