"""How fast proclab runs programs, next to the host and qemu-user: one table,
from one run, with ratios.

The same static binary (programs/compare_loops.c) runs on the host kernel,
on proclab in its default exact mode (deterministic preemption: instructions
are counted), on proclab --fast (preemption only at syscalls) and, when
qemu-x86_64 is installed (`apt-get install qemu-user`), on qemu-user. Each
figure is the difference between a run of 2N and a run of N iterations,
divided by N, so start-up (exec, boot, the 30k mappings of the mmap rows)
cancels out. Times are CPU times (user + system), which other load on a
shared machine disturbs far less than wall-clock time: the host's and qemu's
from getrusage of the children (pinned to CPU 0, as proclab has one CPU),
proclab's its own around the kernel's run. Rounds are interleaved and each
figure is the median over them.

These are figures to read, never assertions: nothing in the tests times
anything.

    python bench/compare.py [--rounds R] [--quick] [--baseline SRC]

--baseline SRC adds the two proclab columns again for another copy of the
source tree (SRC is its `src` directory, e.g. from `git worktree add`), each
measurement in a subprocess: before and after a change, in one run.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "programs" / "compare_loops.c"
QEMU = "qemu-x86_64"


@dataclass(frozen=True)
class Figure:
    name: str        # the row's label
    unit: str        # "ns" or "us" per iteration
    argv: Callable[[int], list[str]]  # compare_loops arguments for n iterations
    host_n: int      # iterations of the shorter run on the host and qemu
    proclab_n: int   # iterations of the shorter run on proclab


def _args(*words: str) -> Callable[[int], list[str]]:
    def argv(n: int) -> list[str]:
        return [words[0], str(n), *words[1:]]
    return argv


FIGURES = (
    Figure("compute (LCG writing 4 KiB), per iteration", "ns", _args("compute"), 20_000_000, 5_000_000),
    Figure("getpid, per call", "us", _args("getpid"), 200_000, 20_000),
    Figure("fork + _exit + waitpid, per cycle", "us", _args("fork"), 1_000, 100),
    Figure("mmap + munmap of 1 anonymous page, 1k live", "us", _args("mmap", "1000"), 40_000, 4_000),
    Figure("mmap + munmap of 1 anonymous page, 30k live", "us", _args("mmap", "30000"), 40_000, 4_000),
)
# Figures that are not per-iteration times of compare_loops (e.g. `proclab
# explore` schedules per second) go in extra_rows() below.


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _pin() -> None:
    os.sched_setaffinity(0, {0})


def native_seconds(prefix: list[str], binary: Path, args: list[str]) -> float:
    """CPU seconds of the program (and its children) on the host kernel,
    under `prefix` (qemu-x86_64, or nothing)."""
    start = _children_cpu()
    subprocess.run([*prefix, str(binary), *args], check=True, preexec_fn=_pin)
    return _children_cpu() - start


def proclab_seconds(binary: Path, args: list[str], exact: bool) -> float:
    """CPU seconds of proclab's kernel running the program (boot excluded)."""
    kernel = Kernel(KernelConfig(memory=512 << 20, exact=exact), BufferConsole())
    argv = [str(binary), *args]
    kernel.boot(Command(argv[0].encode(), [a.encode() for a in argv], []))
    gc.collect()
    start = time.process_time()
    result = kernel.run()
    spent = time.process_time() - start
    if result.reason != "poweroff" or result.status != 0:
        raise SystemExit(f"proclab run of {' '.join(args)} ended badly: {result}")
    return spent


def baseline_seconds(src: Path, binary: Path, args: list[str], exact: bool) -> float:
    """proclab_seconds() with the proclab of another source tree."""
    code = ("import sys; from pathlib import Path; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import compare; "
            "print(compare.proclab_seconds(Path(sys.argv[3]), sys.argv[5:], sys.argv[4] == 'exact'))")
    env = dict(os.environ, PYTHONPATH=str(src))
    out = subprocess.run([sys.executable, "-c", code, str(src), str(Path(__file__).resolve().parent), str(binary),
                          "exact" if exact else "fast", *args], check=True, capture_output=True, text=True, env=env)
    return float(out.stdout.split()[-1])


Runner = Callable[[Path, list[str]], float]


def runners(baseline: Optional[Path] = None) -> dict[str, tuple[Runner, bool]]:
    """Column name -> (runner, whether it uses the proclab iteration counts)."""
    cols: dict[str, tuple[Runner, bool]] = {
        "host": (lambda b, a: native_seconds([], b, a), False),
        "exact": (lambda b, a: proclab_seconds(b, a, exact=True), True),
        "fast": (lambda b, a: proclab_seconds(b, a, exact=False), True),
    }
    if baseline is not None:
        cols["base exact"] = (lambda b, a: baseline_seconds(baseline, b, a, exact=True), True)
        cols["base fast"] = (lambda b, a: baseline_seconds(baseline, b, a, exact=False), True)
    if shutil.which(QEMU):
        cols["qemu"] = (lambda b, a: native_seconds([QEMU], b, a), False)
    return cols


def per_iteration(run: Runner, binary: Path, fig: Figure, n: int) -> float:
    """Seconds per iteration: (run of 2n - run of n) / n."""
    one = run(binary, fig.argv(n))
    two = run(binary, fig.argv(2 * n))
    return (two - one) / n


def measure(binary: Path, rounds: int, scale: float, baseline: Optional[Path] = None) -> dict[str, dict[str, float]]:
    """Median seconds per iteration, per figure and column."""
    cols = runners(baseline)
    # One small run of each first: the first proclab run in this process also
    # pays for imports and lazy set-up, which would land in one side of
    # (2n - n) alone (a negative figure with --quick).
    for fig in FIGURES:
        for run, _ in cols.values():
            run(binary, fig.argv(1))
    samples: dict[str, dict[str, list[float]]] = {f.name: {c: [] for c in cols} for f in FIGURES}
    for _ in range(rounds):
        for fig in FIGURES:
            for col, (run, is_proclab) in cols.items():
                n = max(1, int((fig.proclab_n if is_proclab else fig.host_n) * scale))
                samples[fig.name][col].append(per_iteration(run, binary, fig, n))
    return {name: {c: statistics.median(v) for c, v in by_col.items()} for name, by_col in samples.items()}


def extra_rows() -> list[tuple[str, dict[str, str]]]:
    """Rows beyond compare_loops: (label, column -> text): `proclab
    explore` schedules per second on bench/programs/four_writers.c (200
    runs of the search, exact mode; bench/explore.py has more)."""
    from proclab.explore.executor import Job
    from proclab.explore.outcome import explore

    binary = str(compile_c(SOURCE.parent / "four_writers.c"))
    job = Job(binary, [binary], config=KernelConfig(memory=256 << 20, max_time=10))
    start = time.perf_counter()
    report = explore(job, max_runs=200)
    rate = report.stats.runs / (time.perf_counter() - start)
    return [("explore: schedules/s (four writers, wall)", {"exact": f"{rate:.0f}"})]


def _fmt(seconds: float, unit: str) -> str:
    value = seconds * (1e9 if unit == "ns" else 1e6)
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 1000 else f"{value:.0f}"


def _shown(seconds: float, unit: str) -> str:
    """The figure, or "noisy" when the 2n run did not take longer than the
    n run (the machine's noise is larger than the work: use more rounds or
    leave out --quick)."""
    return _fmt(seconds, unit) if seconds > 0 else "noisy"


def table(figures: dict[str, dict[str, float]]) -> str:
    cols = list(next(iter(figures.values())).keys())
    others = [c for c in cols if c != "host"]
    head = f"{'figure':<46} {'unit':>4} {'host':>8}"
    for c in others:
        head += f" {c:>10} {'x host':>7}"
    if "exact" in cols and "fast" in cols:
        head += f" {'exact/fast':>10}"
    lines = [head, "-" * len(head)]
    for fig in FIGURES:
        row = figures[fig.name]
        host = row["host"]
        line = f"{fig.name:<46} {fig.unit:>4} {_shown(host, fig.unit):>8}"
        for c in others:
            ratio = f"{row[c] / host:>6.1f}x" if host > 0 and row[c] > 0 else f"{'-':>7}"
            line += f" {_shown(row[c], fig.unit):>10} {ratio}"
        if "exact" in cols and "fast" in cols:
            ratio = f"{row['exact'] / row['fast']:>9.2f}x" if row["exact"] > 0 and row["fast"] > 0 else f"{'-':>10}"
            line += f" {ratio}"
        lines.append(line)
    for label, texts in extra_rows():
        line = f"{label:<46} {'':>4} {texts.get('host', '-'):>8}"
        for c in others:
            line += f" {texts.get(c, '-'):>10} {'':>7}"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--quick", action="store_true", help="one round, a quarter of the iterations")
    parser.add_argument("--baseline", type=Path, help="another proclab source tree's src/ to compare with")
    opts = parser.parse_args(argv)
    binary = compile_c(SOURCE)
    rounds, scale = (1, 0.25) if opts.quick else (opts.rounds, 1.0)
    figures = measure(binary, rounds, scale, opts.baseline)
    print(table(figures))
    if not shutil.which(QEMU):
        print(f"(no qemu column: {QEMU} is not installed; apt-get install qemu-user adds it)")
    print(f"CPU time per iteration, (2N - N) / N, median of {rounds} round(s); "
          "exact: proclab's default mode (instructions counted), fast: proclab --fast", file=sys.stdout)


if __name__ == "__main__":
    main()
