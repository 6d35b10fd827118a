"""`proclab diff PROG [ARGS...]`: the same binary on the host's kernel and on
proclab's, compared.

The program runs natively (a subprocess, as it is: the host cannot sandbox
it) and on proclab (in this process, Linux's own schedule), both with the
same argv, environment, cwd and stdin (/dev/null unless --stdin). Their
stdout and exit status (and, with --stderr, stderr) are compared; a
difference is shown as a unified diff on stdout and proclab exits 1, as
diff(1) does; 0 when they agree, 2 for bad input.

A racy program has no single answer on either kernel. `--explore` runs it
`--host-runs` times natively and explores every schedule on proclab, then
checks that each outcome the host gave is one proclab can give; one it
cannot is a bug in our kernel. The host's runs are never used to compute
proclab's outcomes: they are only checked against them.
"""

from __future__ import annotations

import collections
import difflib
import math
import os
import platform
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass
from typing import List, Optional

import typer

from ..explore.executor import Job, Request, ScheduleMismatch, execute
from ..explore.outcome import explore
from ..kernel.kernel import KernelConfig, host_rlimits
from .common import EXIT_INTERNAL, err, fail, program_or_fail

EXIT_TIMEOUT = 124  # as `proclab run` and timeout(1) report a run that was stopped
SHOWN_ONLY_OURS = 3  # proclab's outcomes the host did not give, listed one a line up to this many


@dataclass(frozen=True)
class Result:
    """What one run gave: what the comparison looks at."""

    stdout: bytes
    status: int
    stderr: bytes = b""

    def key(self, with_stderr: bool) -> tuple:
        """What makes two results the same outcome."""
        return (self.stdout, self.status, self.stderr) if with_stderr else (self.stdout, self.status)


def diff_cmd(
    prog: str = typer.Argument(..., help="A .c file (compiled and cached), an x86-64 ELF or a host "
                               "program such as /bin/sh. It runs on the host as it is, unsandboxed."),
    args: Optional[List[str]] = typer.Argument(None, help="Arguments for the program (after -- when the "
                                               "first looks like one of proclab's options)."),
    stdin: str = typer.Option("/dev/null", "--stdin", metavar="FILE", help="The program's stdin, on both."),
    stderr: bool = typer.Option(False, "--stderr", help="Compare stderr too."),
    explore_: bool = typer.Option(False, "--explore", help="For a racy program: check that every outcome "
                                  "of --host-runs native runs is among proclab's explored outcomes."),
    host_runs: int = typer.Option(20, "--host-runs", help="Native runs with --explore."),
    max_runs: int = typer.Option(100000, "--max-runs", help="Stop proclab's search after this many runs "
                                 "(--explore)."),
    max_time: float = typer.Option(10.0, "--max-time", help="Seconds a run may take: virtual on proclab, "
                                   "wall-clock on the host (then it is killed: status 124)."),
    cflags: str = typer.Option("-O1", "--cflags", help="Compiler flags for .c files."),
) -> None:
    """Run PROG natively and on proclab and compare stdout and exit status.

    The native run is the host's kernel executing PROG as it is, with no
    sandbox: run only programs you would run yourself. Exits 0 when the two
    agree, 1 when they differ (a unified diff shows how), 2 for bad input.
    """
    problem = _option_problem(host_runs, max_runs, max_time)
    if problem:
        raise fail(problem)
    if not _host_runs_x86_64():
        raise fail(f"this host ({sys.platform}, {platform.machine()}) cannot run x86-64 Linux programs natively")
    data = _read_stdin(stdin)
    binary = program_or_fail(prog, cflags)
    # argv[0] is the file executed, as `proclab run` passes it.
    argv = [str(binary) if prog.endswith(".c") else prog, *(args or [])]
    config = KernelConfig(max_time=max_time, max_cpu=max_time, rlimits=host_rlimits(), cwd=os.getcwd())
    env = [os.fsdecode(k + b"=" + v) for k, v in os.environb.items()]
    job = Job(str(binary), argv, env, data, config)
    if explore_:
        code = _compare_explored(job, stdin, host_runs, max_runs, max_time, stderr)
    else:
        code = _compare_once(job, stdin, max_time, stderr)
    raise typer.Exit(code)


def _option_problem(host_runs: int, max_runs: int, max_time: float) -> Optional[str]:
    """What is wrong with the options' values, as one line (None if nothing)."""
    if host_runs < 1:
        return f"--host-runs {host_runs}: must be 1 or more"
    if max_runs < 1:
        return f"--max-runs {max_runs}: must be 1 or more"
    if not 0 < max_time < math.inf:  # NaN too
        return f"--max-time {max_time:g}: must be a positive number of seconds"
    return None


def _host_runs_x86_64() -> bool:
    """Whether the host's kernel can execute the binaries proclab runs."""
    return sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")


def _read_stdin(path: str) -> bytes:
    """The contents of --stdin FILE (proclab's stdin holds them)."""
    if os.path.isdir(path):
        raise fail(f"--stdin {path}: is a directory")
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as exc:
        raise fail(f"--stdin {path}: {exc.strerror.lower() if exc.strerror else exc}") from None


# ---- the two runs --------------------------------------------------------------------


def run_native(job: Job, stdin: str, max_time: float) -> Result:
    """Run the program on the host, as a shell would: stdin from the file,
    stdout and stderr read until every process holding them has closed
    them. It runs in a session of its own, so that a run stopped at
    `max_time` is killed with every child it left."""
    # The file itself, never a PATH search: `./prog` arrives here as
    # "prog" (a Path drops "./"), which execve in proclab finds in the cwd
    # but an executable without a slash would be looked up in PATH.
    executable = os.path.abspath(job.path)
    with open(stdin, "rb") as source:
        try:
            proc = subprocess.Popen(job.argv, executable=executable, stdin=source, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=os.environb, start_new_session=True)
        except OSError as exc:
            raise fail(f"{job.argv[0]}: cannot run on the host: {exc.strerror or exc}") from None
        try:
            out, error = proc.communicate(timeout=max_time)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            out, error = proc.communicate()
            return Result(out, EXIT_TIMEOUT, error)
    code = proc.returncode
    return Result(out, 128 - code if code < 0 else code, error)


def _kill_group(pgid: int) -> None:
    """SIGKILL the native run's process group, if any of it is left."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_proclab(job: Job) -> Result:
    """Run the program once on proclab under Linux's own schedule."""
    try:
        trace = execute(job, Request())
    except Exception as exc:  # a bug in proclab itself, not in the program
        raise _internal(exc) from None
    if trace.reason in ("timeout", "deadlock", "panic"):
        err.print(f"proclab: on proclab: stopped: {trace.message}", markup=False)
    return Result(trace.stdout, trace.status, trace.stderr)


def _internal(exc: BaseException) -> "typer.Exit":
    """proclab failed: one line (a traceback with PROCLAB_DEBUG=1)."""
    if os.environ.get("PROCLAB_DEBUG"):
        traceback.print_exception(type(exc), exc, exc.__traceback__)
    return fail(f"internal error: {type(exc).__name__}: {exc} (set PROCLAB_DEBUG=1 for a traceback)",
                EXIT_INTERNAL)


# ---- one run each --------------------------------------------------------------------


def _compare_once(job: Job, stdin: str, max_time: float, with_stderr: bool) -> int:
    """One run on each kernel: 0 when they agree, 1 (and the diff) when not."""
    host = run_native(job, stdin, max_time)
    ours = run_proclab(job)
    if host.key(with_stderr) == ours.key(with_stderr):
        parts = [f"stdout ({len(host.stdout)} bytes)", f"status {host.status}"]
        if with_stderr:
            parts.insert(1, f"stderr ({len(host.stderr)} bytes)")
        _say("identical: " + ", ".join(parts))
        return 0
    streams = [("stdout", host.stdout, ours.stdout)]
    if with_stderr:
        streams.append(("stderr", host.stderr, ours.stderr))
    for name, a, b in streams:
        if a == b:
            _say(f"{name}: identical ({len(a)} bytes)")
        else:
            _write(unified_diff(a, b, f"host {name}", f"proclab {name}"))
    if host.status == ours.status:
        _say(f"status: {host.status} on both")
    else:
        _say(f"status: host {host.status}, proclab {ours.status}")
    return 1


def unified_diff(a: bytes, b: bytes, label_a: str, label_b: str) -> bytes:
    """A unified diff of two outputs, line by line, marking a last line with
    no newline as diff(1) does."""
    def lines(data: bytes) -> list[bytes]:
        out = data.splitlines(keepends=True)
        if out and not out[-1].endswith(b"\n"):
            out[-1] += b"\n\\ No newline at end of file\n"
        return out

    return b"".join(difflib.diff_bytes(difflib.unified_diff, lines(a), lines(b),
                                       label_a.encode(), label_b.encode()))


# ---- --explore -----------------------------------------------------------------------


def _compare_explored(job: Job, stdin: str, host_runs: int, max_runs: int, max_time: float,
                      with_stderr: bool) -> int:
    """Every outcome of `host_runs` native runs must be one of proclab's
    explored outcomes: 0 when each is, 1 (naming those that are not) when not."""
    try:
        report = explore(job, by="all" if with_stderr else None, max_runs=max_runs)
    except ScheduleMismatch as exc:  # pragma: no cover - the search only forces what it saw
        raise fail(f"internal error: the program ran differently the second time ({exc})", EXIT_INTERNAL) from None
    except typer.Exit:
        raise
    except Exception as exc:
        raise _internal(exc) from None
    ours: dict[tuple, Result] = {}
    for o in report.outcomes:
        result = Result(o.stdout, o.status, o.stderr)
        ours.setdefault(result.key(with_stderr), result)
    complete = report.stats.complete
    _say(f"proclab: {len(ours)} outcome{'s' if len(ours) != 1 else ''} from {report.runs} runs "
         f"({'every schedule explored' if complete else 'the search was cut short'})")
    seen: collections.Counter[tuple] = collections.Counter()
    first: dict[tuple, Result] = {}
    for _ in range(host_runs):
        result = run_native(job, stdin, max_time)
        seen[result.key(with_stderr)] += 1
        first.setdefault(result.key(with_stderr), result)
    _say(f"host: {len(seen)} distinct outcome{'s' if len(seen) != 1 else ''} in {host_runs} runs")
    for key, count in seen.most_common():
        mark = "" if key in ours else "  (never on proclab)"
        _say(f"  {count:>{len(str(host_runs))}} x {describe(first[key], with_stderr)}{mark}")
    only = [result for key, result in ours.items() if key not in seen]
    if len(only) <= SHOWN_ONLY_OURS:
        for result in only:
            _say(f"proclab only (the host may give it, rarely): {describe(result, with_stderr)}")
    else:
        _say(f"proclab only: {len(only)} outcomes the host did not show in {host_runs} runs "
             "(`proclab explore` lists them)")
    missing = [key for key in seen if key not in ours]
    for key in missing:
        _say(f"host gave an outcome proclab never produced: {describe(first[key], with_stderr)} "
             f"({seen[key]} of {host_runs} runs)")
    if missing and not complete:
        _say(f"(proclab's search stopped after {report.runs} runs, --max-runs {max_runs}: "
             "it may have missed it)")
    if not missing:
        _say("every host outcome is among proclab's")
    return 1 if missing else 0


def describe(result: Result, with_stderr: bool) -> str:
    """An outcome on one line: stdout (and stderr) quoted, the status."""
    def quoted(data: bytes) -> str:
        return repr(data.decode("utf-8", "backslashreplace"))

    text = f"stdout {quoted(result.stdout)}"
    if with_stderr:
        text += f", stderr {quoted(result.stderr)}"
    return text + f", status {result.status}"


# ---- output --------------------------------------------------------------------------


def _say(line: str) -> None:
    """A line of the comparison on stdout."""
    _write(line.encode("utf-8", "backslashreplace") + b"\n")


def _write(data: bytes) -> None:
    """Bytes on stdout (programs' outputs need not be text)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
