"""`proclab run PROG [ARGS...]`: run a C file or a static x86-64 binary on the
simulated kernel.

The program's stdout and stderr are proclab's, unchanged, and proclab exits
with the program's status as a shell would (its exit code, or 128 + the signal
that killed it), so `diff <(./prog) <(proclab run prog)` compares the host's
kernel with ours. Everything proclab says itself goes to stderr.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import traceback
from typing import List, Optional

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer exports neither

from ..fs.console import WaitInterrupted
from ..kernel.init import Command
from ..kernel.kernel import MAX_CPUS, Kernel, KernelConfig, host_rlimits
from ..kernel.sched.fair import FAIR_CLASSES
from ..uapi.signal import DESCRIPTIONS, signame
from ..explore.executor import Driver, Request
from ..explore.outcome import BadSchedule, parse_schedule
from ..lib import lockdep
from .common import EXIT_INTERNAL, EXIT_USAGE, err, fail, program_or_fail
from .diff_cmd import diff_cmd
from .explore_cmd import explore_cmd
from .progress import RunProgress, describe_run
from .trace_cmd import trace_app
from .tracing import OutputError, TraceOptions, emit, report_console, start

HELP_OPTIONS = ("-h", "--help")

app = typer.Typer(
    add_completion=False,
    context_settings={"help_option_names": list(HELP_OPTIONS)},
    no_args_is_help=True,
    help="Linux process management in Python: run real programs on a kernel you can watch.",
)
app.add_typer(trace_app, name="trace")
app.command("explore", context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
            no_args_is_help=True)(explore_cmd)
app.command("diff", context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
            no_args_is_help=True)(diff_cmd)


@app.callback()
def main_callback() -> None:
    """proclab: run, watch and explore Linux process management."""


@app.command(
    context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
    no_args_is_help=True,
)
def run(
    prog: str = typer.Argument(..., help="A .c file (compiled and cached) or a static x86-64 ELF."),
    args: Optional[List[str]] = typer.Argument(None, help="Arguments for the program (after -- when the "
                                               "first looks like one of proclab's options)."),
    summary: bool = typer.Option(False, "--summary", help="Print the process tree and counts on stderr."),
    tree: bool = typer.Option(False, "--tree", help="Print the process tree on stderr, with source lines."),
    trace_json: Optional[str] = typer.Option(None, "--trace", metavar="FILE.json",
                                             help="Write a trace for ui.perfetto.dev or chrome://tracing."),
    trace_text: Optional[str] = typer.Option(None, "--trace-text", metavar="FILE",
                                             help="Write the trace as ftrace text."),
    timeline: Optional[str] = typer.Option(None, "--timeline", metavar="FILE.png",
                                           help="Draw the tasks' states over virtual time."),
    max_time: float = typer.Option(3600.0, "--max-time", help="Stop after this many virtual seconds."),
    max_cpu: float = typer.Option(10.0, "--max-cpu", help="Stop after this much virtual CPU time (s)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the simulated randomness (AT_RANDOM, getrandom)."),
    fast: bool = typer.Option(False, "--fast", help="Preempt only at syscalls (no instruction counting)."),
    cpus: int = typer.Option(1, "--cpus", help="Simulated CPUs (1 to 64)."),
    sched: str = typer.Option("eevdf", "--sched", help="The fair scheduler: eevdf (Linux 6.6+), cfs "
                              "(Linux before 6.6) or rr (plain round robin)."),
    memory: int = typer.Option(1024, "--mem", help="Simulated RAM in MiB."),
    pid_max: int = typer.Option(32768, "--pid-max", help="Highest pid + 1 (up to 4194304)."),
    cflags: str = typer.Option("-O1", "--cflags", help="Compiler flags for .c files."),
    root: Optional[str] = typer.Option(None, "--root", help="A host directory to be the simulated / "
                                       "(read-only; default: the host's own /)."),
    keep: Optional[str] = typer.Option(None, "--keep", help="Afterwards, copy the files the programs "
                                       "created or changed into this host directory."),
    schedule: Optional[str] = typer.Option(None, "--schedule", metavar="ID", help="Replay a schedule "
                                           "`proclab explore` found (with the options explore had)."),
) -> None:
    """Run PROG on proclab's kernel; its output and exit status are the program's."""
    outputs = TraceOptions(trace_json, trace_text, timeline, tree, summary)
    problem = outputs.problem() or _option_problem(cpus, memory, pid_max, sched, max_time, max_cpu, seed)
    if problem:
        raise fail(problem)
    try:
        driver = Driver(Request(forced=parse_schedule(schedule))) if schedule is not None else None
    except BadSchedule as exc:
        raise fail(str(exc)) from None
    if driver is not None and cpus != 1:
        raise fail(f"--cpus {cpus}: a schedule is replayed on one CPU, as explore ran it")
    if root is not None and not os.path.isdir(root):
        raise fail(f"--root {root}: not a directory")
    if keep is not None and os.path.exists(keep) and not os.path.isdir(keep):
        raise fail(f"--keep {keep}: not a directory")
    binary = program_or_fail(prog, cflags)

    config = KernelConfig(
        memory=memory << 20, pid_max=pid_max, seed=seed, exact=not fast,
        max_time=max_time, max_cpu=max_cpu, rlimits=host_rlimits(), cpus=cpus, sched=sched,
        root=root or "/", cwd=_cwd_inside(root),
    )
    progress = RunProgress(err)
    lockdep.recorder = driver
    kernel = Kernel(config, console=progress.console())
    if driver is not None:
        kernel.sched.choice = driver
        driver.kernel = kernel
    progress.describe = describe_run(os.path.basename(prog), kernel)
    kernel.on_warning = lambda message: progress.say(f"proclab: warning: {message}")
    kernel.on_report = lambda message: progress.say(f"proclab: {message}")
    recorder = start(kernel, outputs)
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
    # Ctrl-C stops the machine between two turns, with the output, trace and
    # summary kept; a second one interrupts proclab itself.
    previous = signal.signal(signal.SIGINT, _interrupt(kernel))
    try:
        with progress:
            kernel.boot(command)
            result = kernel.run()
    except Exception as exc:  # a bug in proclab itself, not in the program
        if os.environ.get("PROCLAB_DEBUG"):
            traceback.print_exc()
        raise fail(f"internal error: {type(exc).__name__}: {exc} (set PROCLAB_DEBUG=1 for a traceback)", EXIT_INTERNAL)
    finally:
        signal.signal(signal.SIGINT, previous)
        lockdep.recorder = None
        sys.stdout.flush()
    if driver is not None and driver.mismatch is not None:
        raise fail(f"--schedule {schedule}: does not fit this program ({driver.mismatch}); replay with the "
                   "program, arguments and options explore had")
    if keep is not None:
        try:
            os.makedirs(keep, exist_ok=True)
            kernel.vfs.keep(keep)
        except OSError as exc:
            raise fail(f"--keep {keep}: {exc.strerror}") from None
    if result.reason in ("timeout", "deadlock", "interrupted"):
        err.print(f"proclab: stopped: {result.message}", markup=False)
    elif result.reason == "panic":
        err.print(f"proclab: kernel panic: {result.message}", markup=False)
    elif result.status is not None and result.status & 0x7F:
        sig = result.status & 0x7F
        core = " (core dumped)" if result.status & 0x80 else ""
        err.print(f"proclab: {prog} (pid {result.pid}) terminated by {signame(sig)}: "
                  f"{DESCRIPTIONS.get(sig, 'signal')}{core}", markup=False)
    if recorder is not None:
        try:
            emit(recorder.trace([prog, *(args or [])]), outputs, report_console(err))
        except OutputError as exc:
            raise fail(str(exc), 1) from None
    if kernel.oopses:
        raise typer.Exit(EXIT_INTERNAL)  # the kernel hit a bug (each oops was reported)
    raise typer.Exit(result.exit_code())


def _interrupt(kernel: Kernel):
    """The SIGINT handler of a run: the first asks the kernel to stop (and
    ends a wait for input in the host), and puts back Python's own, so that
    a second Ctrl-C is obeyed at once."""
    def handler(_signo: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        kernel.interrupt()
        if getattr(kernel.console, "waiting", False):
            raise WaitInterrupted
    return handler


def _option_problem(cpus: int, memory: int, pid_max: int, sched: str, max_time: float, max_cpu: float,
                    seed: int) -> Optional[str]:
    """What is wrong with the values of `proclab run`'s options, as one line
    naming the option and what it allows (None when nothing is)."""
    for name, value, low, high, unit in (("--cpus", cpus, 1, MAX_CPUS, ""),
                                         ("--mem", memory, 4, 65536, " MiB"),
                                         ("--pid-max", pid_max, 301, 4194304, "")):
        if not low <= value <= high:
            return f"{name} {value}: must be between {low} and {high}{unit}"
    if sched not in FAIR_CLASSES:
        *others, last = FAIR_CLASSES
        return f"--sched {sched}: must be {', '.join(others)} or {last}"
    for name, seconds in (("--max-time", max_time), ("--max-cpu", max_cpu)):
        if not 0 < seconds < math.inf:  # NaN too
            return f"{name} {seconds:g}: must be a positive number of seconds"
    if seed < 0:
        return f"--seed {seed}: must be 0 or more"
    return None


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


def hoist_run_options(argv: List[str]) -> List[str]:
    """`proclab run PROG --tree --trace run.json` (and `proclab explore PROG
    --json`): proclab's own options that come right after PROG are
    proclab's, moved before it. The program's arguments start at the first
    word that is not one of them, or after a `--` (`proclab run PROG --
    --tree` passes --tree to PROG). A help option before PROG is
    proclab's (`proclab run --help`); after it, the program's."""
    if not argv or argv[0] not in ("run", "explore", "diff"):
        return argv
    command = typer.main.get_command(app).commands[argv[0]]  # type: ignore[attr-defined]
    takes_value = {name: not param.is_flag for param in command.params
                   if param.param_type_name == "option" for name in param.opts}

    def option_end(i: int) -> int:
        """Where the proclab option at argv[i] ends, or i when there is none."""
        name, eq, _ = argv[i].partition("=")
        if name not in takes_value:
            return i
        return i + 2 if takes_value[name] and not eq else i + 1

    i = 1
    while i < len(argv) and option_end(i) > i:
        i = option_end(i)
    if i >= len(argv) or argv[i] in ("--", *HELP_OPTIONS):
        return argv
    prog, j = i, i + 1
    while j < len(argv) and option_end(j) > j:
        j = option_end(j)
    rest = argv[j + 1:] if j < len(argv) and argv[j] == "--" else argv[j:]
    return argv[:prog] + argv[prog + 1:j] + ["--", argv[prog]] + rest


def main() -> None:
    """proclab's entry point. A usage error (an unknown option, a value that
    is not a number) is one line on stderr and exit code 2, as proclab's own
    checks are, not Typer's framed box."""
    try:
        code = app(args=hoist_run_options(sys.argv[1:]), prog_name="proclab", standalone_mode=False)
    except NoArgsIsHelpError:
        code = EXIT_USAGE  # Typer has shown the help
    except UsageError as exc:
        code = fail(exc.format_message()).exit_code
    sys.exit(code or 0)
