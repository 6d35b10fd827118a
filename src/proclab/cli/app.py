"""`proclab run PROG [ARGS...]`: run a C file or a static x86-64 binary on the
simulated kernel.

The program's stdout and stderr are proclab's, unchanged, and proclab exits
with the program's status as a shell would (its exit code, or 128 + the signal
that killed it), so `diff <(./prog) <(proclab run prog)` compares the host's
kernel with ours. Everything proclab says itself goes to stderr.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import List, Optional

import typer
from rich.console import Console

from ..kernel.init import Command
from ..kernel.kernel import Kernel, KernelConfig, host_rlimits
from ..toolchain.compile import CompileError
from ..toolchain.program import ProgramError, resolve_program
from ..trace.summary import Summary
from ..uapi.signal import DESCRIPTIONS, signame

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Linux process management in Python: run real programs on a kernel you can watch.",
)
# Messages are single lines, never wrapped. The summary's tree wraps its lines
# to a terminal's width; into a file or pipe nothing is wrapped or cropped.
err = Console(stderr=True, highlight=False, soft_wrap=True)
_UNBOUNDED = 100_000

EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> "typer.Exit":
    err.print(f"proclab: {message}", markup=False)
    return typer.Exit(code)


@app.callback()
def main_callback() -> None:
    """proclab: run, watch and explore Linux process management."""


@app.command(
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
    no_args_is_help=True,
)
def run(
    prog: str = typer.Argument(..., help="A .c file (compiled and cached) or a static x86-64 ELF."),
    args: Optional[List[str]] = typer.Argument(None, help="Arguments for the program."),
    summary: bool = typer.Option(False, "--summary", help="Print the process tree and counts on stderr."),
    max_time: float = typer.Option(3600.0, "--max-time", help="Stop after this many virtual seconds."),
    max_cpu: float = typer.Option(10.0, "--max-cpu", help="Stop after this much virtual CPU time (s)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the simulated randomness (AT_RANDOM, getrandom)."),
    fast: bool = typer.Option(False, "--fast", help="Preempt only at syscalls (no instruction counting)."),
    memory: int = typer.Option(1024, "--mem", help="Simulated RAM in MiB."),
    pid_max: int = typer.Option(32768, "--pid-max", help="Highest pid + 1 (up to 4194304)."),
    cflags: str = typer.Option("-O1", "--cflags", help="Compiler flags for .c files."),
    root: Optional[str] = typer.Option(None, "--root", help="A host directory to be the simulated / "
                                       "(read-only; default: the host's own /)."),
    keep: Optional[str] = typer.Option(None, "--keep", help="Afterwards, copy the files the programs "
                                       "created or changed into this host directory."),
) -> None:
    """Run PROG on proclab's kernel; its output and exit status are the program's."""
    try:
        with err.status("", spinner="dots") if err.is_terminal else _nullcontext() as status:
            def tell(text: str) -> None:
                if status is not None:
                    status.update(text)

            binary = resolve_program(prog, cflags.split(), tell)
    except ProgramError as exc:
        raise fail(str(exc)) from None
    except CompileError as exc:
        err.print(exc.diagnostics, markup=False)
        raise fail(f"{exc.source}: compilation failed") from None
    if not 4 <= memory <= 65536:
        raise fail("--mem must be between 4 and 65536 MiB")
    if not 301 <= pid_max <= 4194304:
        raise fail("--pid-max must be between 301 and 4194304")

    if root is not None and not os.path.isdir(root):
        raise fail(f"--root {root}: not a directory")
    if keep is not None and os.path.exists(keep) and not os.path.isdir(keep):
        raise fail(f"--keep {keep}: not a directory")
    config = KernelConfig(
        memory=memory << 20, pid_max=pid_max, seed=seed, exact=not fast,
        max_time=max_time, max_cpu=max_cpu, rlimits=host_rlimits(),
        root=root or "/", cwd=_cwd_inside(root),
    )
    kernel = Kernel(config)
    kernel.on_warning = lambda message: err.print(f"proclab: warning: {message}", markup=False)
    recorder = Summary(kernel) if summary else None
    # argv[0] is the file executed, as a shell passes it: for a .c file, its
    # compiled binary (so that a program can exec itself).
    argv0 = str(binary) if prog.endswith(".c") else prog
    # Under --root the program itself may lie outside the new root: it is
    # shown at its own path, as if bind-mounted there.
    path = kernel.vfs.bind_host_file(str(binary)) if root is not None else str(binary)
    if root is not None and prog.endswith(".c"):
        argv0 = path
    command = Command(os.fsencode(path), [os.fsencode(argv0)] + [os.fsencode(a) for a in args or []],
                      [k + b"=" + v for k, v in os.environb.items()])
    try:
        kernel.boot(command)
        result = kernel.run()
    except Exception as exc:  # a bug in proclab itself, not in the program
        if os.environ.get("PROCLAB_DEBUG"):
            traceback.print_exc()
        raise fail(f"internal error: {type(exc).__name__}: {exc} (set PROCLAB_DEBUG=1 for a traceback)", 70)
    finally:
        sys.stdout.flush()

    if keep is not None:
        try:
            os.makedirs(keep, exist_ok=True)
            kernel.vfs.keep(keep)
        except OSError as exc:
            raise fail(f"--keep {keep}: {exc.strerror}") from None
    if result.reason in ("timeout", "deadlock"):
        err.print(f"proclab: stopped: {result.message}", markup=False)
    elif result.reason == "panic":
        err.print(f"proclab: kernel panic: {result.message}", markup=False)
    elif result.status is not None and result.status & 0x7F:
        sig = result.status & 0x7F
        core = " (core dumped)" if result.status & 0x80 else ""
        err.print(f"proclab: {prog} (pid {result.pid}) terminated by {signame(sig)}: "
                  f"{DESCRIPTIONS.get(sig, 'signal')}{core}", markup=False)
    if recorder is not None:
        tree = err if err.is_terminal else Console(stderr=True, highlight=False, width=_UNBOUNDED)
        tree.print(recorder.renderable(), soft_wrap=False)
    raise typer.Exit(result.exit_code())


def _cwd_inside(root: Optional[str]) -> str:
    """The first program's cwd: proclab's own, seen inside the simulated
    root (its "/" when proclab's cwd lies outside it)."""
    here = os.getcwd()
    if root is None:
        return here
    inside = os.path.relpath(os.path.realpath(here), os.path.realpath(root))
    if inside == "." or inside == ".." or inside.startswith("../"):
        return "/"
    return "/" + inside


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def main() -> None:
    app()
