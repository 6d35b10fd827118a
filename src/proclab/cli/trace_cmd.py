"""`proclab trace show FILE`: the tree, summary or timeline of a saved trace
(a file written by `proclab run --trace FILE.json`), rebuilt from the events
the file carries, exactly as the run itself would have shown them."""

from __future__ import annotations

from typing import Optional

import typer
from rich.console import Console

from ..trace import perfetto
from .common import fail
from .tracing import OutputError, TraceOptions, emit, report_console

trace_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Saved traces (written by proclab run --trace FILE.json).",
)


@trace_app.callback()
def trace_callback() -> None:
    """Saved traces (written by proclab run --trace FILE.json)."""


@trace_app.command(no_args_is_help=True)
def show(
    file: str = typer.Argument(..., help="A trace written by proclab run --trace."),
    tree: bool = typer.Option(False, "--tree", help="Print the process tree."),
    summary: bool = typer.Option(False, "--summary", help="Print the tree and the counts (the default)."),
    timeline: Optional[str] = typer.Option(None, "--timeline", metavar="FILE.png",
                                           help="Draw the tasks' states over time."),
    trace_text: Optional[str] = typer.Option(None, "--trace-text", metavar="FILE",
                                             help="Write the events as ftrace text."),
) -> None:
    """Show a saved trace: its summary unless --tree, --timeline or --trace-text says otherwise."""
    options = TraceOptions(text=trace_text, timeline=timeline, tree=tree, summary=summary)
    if not (tree or timeline or trace_text):
        options.summary = True
    problem = options.problem()
    if problem:
        raise fail(problem)
    try:
        trace = perfetto.load(file)
    except FileNotFoundError:
        raise fail(f"{file}: no such file") from None
    except OSError as exc:
        raise fail(f"{file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise fail(f"{file}: {exc}") from None
    try:
        emit(trace, options, report_console(Console(highlight=False, soft_wrap=True)))
    except OutputError as exc:
        raise fail(str(exc), 1) from None
