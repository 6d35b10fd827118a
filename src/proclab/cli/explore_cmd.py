"""`proclab explore PROG [ARGS...]`: every outcome a program can have under
every schedule, each with a schedule id that `proclab run --schedule ID`
replays.

The table goes to stdout (or, with --json, one JSON object); the progress
line goes to stderr while the search runs, when stderr is a terminal.
"""

from __future__ import annotations

import json
import os
import time
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..explore.cluster import RayMissing, explore_on_cores, explore_on_ray
from ..explore.executor import Job, ScheduleMismatch
from ..explore.outcome import BY, Report, explore
from ..kernel.kernel import KernelConfig, host_rlimits
from ..kernel.sched.fair import FAIR_CLASSES
from .common import err, fail, program_or_fail


def load_job(prog: str, args: Optional[List[str]], cflags: str, config: KernelConfig) -> Job:
    """The program as `run` starts it: compiled if it is C, argv[0] the file
    executed, the host's environment, stdin empty (as from /dev/null)."""
    binary = program_or_fail(prog, cflags)
    argv0 = str(binary) if prog.endswith(".c") else prog
    env = [f"{k}={v}" for k, v in os.environ.items()]
    return Job(str(binary), [argv0, *(args or [])], env, b"", config)


def explore_cmd(
    prog: str = typer.Argument(..., help="A .c file, a static x86-64 ELF or a host program."),
    args: Optional[List[str]] = typer.Argument(None, help="Arguments for the program."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object on stdout instead of a table."),
    max_runs: int = typer.Option(100000, "--max-runs", help="Stop after this many runs."),
    max_time: float = typer.Option(10.0, "--max-time", help="Virtual seconds each run may take."),
    max_steps: int = typer.Option(5000, "--max-steps", help="Steps (choice points) each run may take."),
    bound: Optional[int] = typer.Option(None, "--preemption-bound", help="At most this many choices "
                                        "other than Linux's in a run (a bounded search)."),
    by: Optional[str] = typer.Option(None, "--by", help="What makes outcomes differ: stdout, status, or "
                                     "all (stdout, status, stderr, deadlock, processes left); "
                                     "default: stdout, status and deadlock."),
    random_runs: Optional[int] = typer.Option(None, "--random", help="Instead of the full search, this "
                                              "many randomized (PCT) runs."),
    seed: int = typer.Option(0, "--seed", help="Seed of --random."),
    cpus: int = typer.Option(1, "--cpus", help="Simulated CPUs (explore runs one)."),
    ray: Optional[str] = typer.Option(None, "--ray", help="Spread the search over a Ray cluster: auto, "
                                      "local or an address (pip install 'proclab[cluster]')."),
    jobs: int = typer.Option(1, "--jobs", help="Spread the search over this many processes here."),
    sched: str = typer.Option("eevdf", "--sched", help="The fair scheduler whose choices are the default."),
    cflags: str = typer.Option("-O1", "--cflags", help="Compiler flags for .c files."),
) -> None:
    """Run PROG under every schedule that can make a difference and print its distinct outcomes."""
    problem = _problem(max_runs, max_time, bound, by, random_runs, seed, cpus, sched, jobs,
                       ray is not None or jobs > 1) or (f"--max-steps {max_steps}: must be 1 or more"
                                                         if max_steps < 1 else None)
    if problem:
        raise fail(problem)
    config = KernelConfig(max_time=max_time, max_cpu=max_time, rlimits=host_rlimits(), sched=sched)
    job = load_job(prog, args, cflags, config)
    job.max_steps = max_steps
    progress = _Progress()
    try:
        with progress:
            if ray is not None:
                try:
                    report = explore_on_ray(job, ray, by=by, bound=bound, max_runs=max_runs, on_run=progress.update)
                except RayMissing as exc:
                    raise fail(str(exc)) from None
            elif jobs > 1:
                report = explore_on_cores(job, jobs, by=by, bound=bound, max_runs=max_runs, on_run=progress.update)
            else:
                report = explore(job, by=by, bound=bound, max_runs=max_runs, random_runs=random_runs, seed=seed,
                                 on_run=progress.update)
    except ScheduleMismatch as exc:  # pragma: no cover - the search only forces what it saw
        raise fail(f"internal error: the program ran differently the second time ({exc})", 70) from None
    if as_json:
        print(json.dumps(report.as_json()))
    else:
        print_report(report, Console(highlight=False, soft_wrap=True))


def _problem(max_runs: int, max_time: float, bound: Optional[int], by: Optional[str], random_runs: Optional[int],
             seed: int, cpus: int, sched: str, jobs: int, parallel: bool) -> Optional[str]:
    if jobs < 1:
        return f"--jobs {jobs}: must be 1 or more"
    if parallel and random_runs is not None:
        return "--random: runs in one process (without --ray or --jobs)"
    if max_runs < 1:
        return f"--max-runs {max_runs}: must be 1 or more"
    if not 0 < max_time < float("inf"):
        return f"--max-time {max_time:g}: must be a positive number of seconds"
    if bound is not None and bound < 0:
        return f"--preemption-bound {bound}: must be 0 or more"
    if by is not None and by not in BY:
        return f"--by {by}: must be stdout, status or all"
    if random_runs is not None and random_runs < 1:
        return f"--random {random_runs}: must be 1 or more"
    if seed < 0:
        return f"--seed {seed}: must be 0 or more"
    if cpus != 1:
        return (f"--cpus {cpus}: explore runs one CPU (its steps interleave as those of several CPUs can, "
                "one step at a time)")
    if sched not in FAIR_CLASSES:
        *others, last = FAIR_CLASSES
        return f"--sched {sched}: must be {', '.join(others)} or {last}"
    return None


def print_report(report: Report, out: Console) -> None:
    """The outcomes as a table, most frequent first, with the deadlocks'
    waits below it."""
    table = Table(title=None, show_lines=False)
    table.add_column("#", justify="right")
    # long outputs and ids fold onto more lines instead of ending in "...":
    # the id is what `run --schedule` needs whole
    table.add_column("stdout", overflow="fold")
    table.add_column("status", justify="right")
    table.add_column("deadlock")  # or the budget that ended the run
    table.add_column("runs", justify="right")
    table.add_column("schedule (proclab run --schedule ID)", overflow="fold")
    for i, o in enumerate(report.outcomes, 1):
        text = o.stdout.decode("utf-8", "backslashreplace")
        ended = "yes" if o.deadlock else "time limit" if o.reason == "timeout" else ""
        table.add_row(str(i), escape(repr(text)[1:-1]), str(o.status), ended, str(o.count), escape(o.schedule))
    out.print(table)
    for i, o in enumerate(report.outcomes, 1):
        if o.deadlock:
            out.print(f"outcome {i} deadlocks: " + "; ".join(o.waits), markup=False)
        elif o.reason == "timeout":
            out.print(f"outcome {i} was stopped: {o.message}", markup=False)
    s = report.stats
    rate = s.runs / report.seconds if report.seconds > 0 else 0.0
    if s.complete:
        verdict = "complete: every schedule is equivalent to one of these runs"
    else:
        verdict = "not complete: the search was cut short (--max-runs, --preemption-bound or --random)"
    n = len(report.outcomes)
    out.print(f"{n} outcome{'s' if n != 1 else ''} from {report.runs} run{'s' if report.runs != 1 else ''} "
              f"({s.blocked} more stopped as redundant), {report.seconds:.1f} s, {rate:.0f} schedules/s; {verdict}", markup=False)


class _Progress:
    """Runs done, outcomes found and the rate, on stderr when it is a terminal."""

    def __init__(self) -> None:
        self.active = err.is_terminal
        self.start = time.perf_counter()
        self.last = 0.0
        self.live = None

    def __enter__(self) -> "_Progress":
        if self.active:
            self.live = err.status("exploring", spinner="dots")
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.__exit__(None, None, None)

    def update(self, runs: int, outcomes: int) -> None:
        if self.live is None:
            return
        now = time.perf_counter()
        if now - self.last < 0.1:
            return
        self.last = now
        rate = runs / max(now - self.start, 1e-9)
        self.live.update(f"exploring: {runs} schedules, {outcomes} outcomes, {rate:.0f}/s")
