"""What the trace options of `proclab run` and `proclab trace show` ask for,
and producing it: the tree or summary on a console, the Perfetto JSON, the
ftrace text and the timeline picture in files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from rich.console import Console

from ..trace import ftrace, perfetto
from ..trace.events import Trace
from ..trace.record import Recorder
from ..trace.summary import summary as summary_view
from ..trace.tree import tree as tree_view
from .common import status

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

# Nothing proclab prints about a run is wrapped or cropped when it goes to a
# file or pipe: a width no line reaches.
_UNBOUNDED = 100_000


class OutputError(Exception):
    """An output file could not be written (the message says which and why)."""


@dataclass
class TraceOptions:
    trace: Optional[str] = None      # --trace FILE.json (Perfetto / chrome://tracing)
    text: Optional[str] = None       # --trace-text FILE (ftrace text)
    timeline: Optional[str] = None   # --timeline FILE.png
    tree: bool = False               # --tree
    summary: bool = False            # --summary (the tree and the counts)

    def wanted(self) -> bool:
        return bool(self.trace or self.text or self.timeline or self.tree or self.summary)

    def problem(self) -> Optional[str]:
        """Why an output file cannot be written, checked before a long run."""
        for path in (self.trace, self.text, self.timeline):
            if path is None:
                continue
            folder = os.path.dirname(path) or "."
            if os.path.isdir(path):
                return f"{path}: is a directory"
            if not os.path.isdir(folder):
                return f"{path}: no such directory {folder}"
            if not os.access(folder, os.W_OK):
                return f"{path}: cannot write in {folder}"
        return None


def start(kernel: Kernel, options: TraceOptions) -> Optional[Recorder]:
    """A recorder on `kernel` when something is asked for (tracing that is
    not asked for costs nothing)."""
    return Recorder(kernel) if options.wanted() else None


def report_console(err: Console) -> Console:
    """Where reports go: `err` itself on a terminal, else an unbounded copy."""
    return err if err.is_terminal else Console(file=err.file, highlight=False, width=_UNBOUNDED)


def emit(trace: Trace, options: TraceOptions, out: Console) -> None:
    """Print the tree or summary on `out`, then write the files asked for
    (with a spinner on a terminal). OutputError when a file cannot be written."""
    if options.summary:
        out.print(summary_view(trace.run), soft_wrap=False)
    elif options.tree:
        out.print(tree_view(trace.run), soft_wrap=False)
    writers = ((options.trace, perfetto.write), (options.text, ftrace.write), (options.timeline, _timeline))
    for path, write in writers:
        if path is None:
            continue
        with status(f"writing {path}"):
            try:
                write(trace, path)
            except OSError as exc:
                raise OutputError(f"{path}: {exc.strerror or exc}") from None


def _timeline(trace: Trace, path: str) -> None:
    from ..trace.timeline import render  # matplotlib is slow to import: only when asked

    render(trace, path)
