"""What every proclab command shares: the stderr console and how a command
fails (one clear line on stderr and an exit code, never a traceback)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator, Optional

import typer
from rich.console import Console

from ..toolchain.compile import CompileError
from ..toolchain.program import ProgramError, resolve_program

# Messages are single lines, never wrapped. Reports (trees) wrap their lines
# to a terminal's width; into a file or pipe nothing is wrapped or cropped.
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug in proclab itself


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    """Print `proclab: message` on stderr; raise the result to exit with `code`."""
    err.print(f"proclab: {message}", markup=False)
    return typer.Exit(code)


@contextlib.contextmanager
def status(text: str) -> Iterator[Optional[Callable[[str], None]]]:
    """A spinner with `text` on stderr while proclab works (compiling, writing
    a trace), when stderr is a terminal; yields a function that changes the
    text (None when there is no terminal)."""
    if not err.is_terminal:
        yield None
        return
    with err.status(text, spinner="dots") as shown:
        yield shown.update


def program_or_fail(prog: str, cflags: str) -> Path:
    """The executable PROG names (a .c file compiled with `cflags`), or one
    line saying why there is none (the compiler's messages before it)."""
    try:
        with status("") as tell:
            return resolve_program(prog, cflags.split(), tell or (lambda text: None))
    except ProgramError as exc:
        raise fail(str(exc)) from None
    except CompileError as exc:
        err.print(exc.diagnostics, markup=False)
        raise fail(f"{exc.source}: compilation failed") from None
