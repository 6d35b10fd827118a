"""How fast `proclab explore` covers a program: schedules per second, and
the four-writer program (four processes writing two bytes each, 2520
possible outputs) explored as far as a time budget allows serially, and to
the end on this machine's cores (the issue's goal: complete in under two
minutes on 2 cores). Prints figures; asserts nothing.

    python bench/explore.py [--budget SECONDS] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from proclab.explore.cluster import explore_on_cores
from proclab.explore.executor import Job
from proclab.explore.outcome import Report, explore
from proclab.kernel.kernel import KernelConfig
from proclab.toolchain.compile import compile_c

HERE = Path(__file__).resolve().parent


def show(name: str, report: Report, took: float) -> None:
    print(f"four writers, {name}: {len(report.outcomes)} of 2520 outputs in {report.stats.runs} runs, "
          f"{took:.1f} s ({report.stats.runs / took:.0f} schedules/s), "
          f"{'complete' if report.stats.complete else 'not complete'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="wall seconds of the serial search (default 60)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                        help="processes for the complete search (default: this machine's cores)")
    opts = parser.parse_args()
    binary = str(compile_c(HERE / "programs" / "four_writers.c"))
    job = Job(binary, [binary], config=KernelConfig(memory=256 << 20, max_time=10))
    # a rate first: how many runs fit in the budget, measured on 200 runs
    start = time.perf_counter()
    sample = explore(job, max_runs=200)
    rate = sample.stats.runs / (time.perf_counter() - start)
    print(f"serial: {rate:.0f} schedules/s", flush=True)
    start = time.perf_counter()
    report = explore(job, max_runs=int(rate * opts.budget))
    show("serial", report, time.perf_counter() - start)
    start = time.perf_counter()
    report = explore_on_cores(job, opts.jobs)
    show(f"{opts.jobs} processes, to the end", report, time.perf_counter() - start)


if __name__ == "__main__":
    main()
