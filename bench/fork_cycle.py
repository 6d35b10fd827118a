"""Time per fork+exit+wait cycle of a static C program, on the host kernel and
on proclab, and getpid syscalls per second on proclab.

Each figure is the difference between a run of N and a run of 2N iterations,
divided by N, so start-up (exec, boot, compilation) cancels out. Times are CPU
times (user + system: the host program's from getrusage, proclab's own), which
other load on the machine disturbs far less than wall-clock time. Host and
proclab are measured in interleaved rounds and each ratio is taken within a
round, because a shared machine has slow and fast phases lasting seconds.

    python bench/fork_cycle.py [--cycles N] [--getpids M] [--repeat R]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import time
from pathlib import Path

from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "programs" / "fork_cycle.c"


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def host_seconds(binary: Path, cycles: int, getpids: int) -> float:
    """CPU time of the program and all its children on the host kernel."""
    start = _children_cpu()
    subprocess.run([str(binary), str(cycles), str(getpids)], check=True)
    return _children_cpu() - start


def proclab_seconds(binary: Path, cycles: int, getpids: int, exact: bool) -> float:
    kernel = Kernel(KernelConfig(memory=256 << 20, exact=exact), BufferConsole())
    argv = [str(binary).encode(), str(cycles).encode(), str(getpids).encode()]
    start = time.process_time()
    kernel.boot(Command(str(binary).encode(), argv, []))
    result = kernel.run()
    elapsed = time.process_time() - start
    assert result.status == 0, result
    return elapsed


def per_unit(run, n: int) -> float:
    """Seconds per iteration: (t(2n) - t(n)) / n."""
    one = run(n)
    two = run(2 * n)
    return max(two - one, 1e-9) / n


def interleaved(runs: dict[str, object], n: int, repeat: int) -> dict[str, list[float]]:
    """`repeat` rounds; each round measures every run once, back to back, so
    that slow and fast phases of a shared machine hit all of them alike."""
    samples: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):
        for label, run in runs.items():
            samples[label].append(per_unit(run, n))
    return samples


def report(samples: dict[str, list[float]], unit: str, scale: float) -> None:
    """Median per run, and the median of the per-round ratios to the host."""
    host = samples["host kernel"]
    for label, values in samples.items():
        line = f"  {label:<28} {statistics.median(values) * scale:10.1f} {unit}"
        if label != "host kernel":
            ratio = statistics.median(v / h for v, h in zip(values, host))
            line += f"   ratio to host {ratio:5.2f}"
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=2000)
    ap.add_argument("--getpids", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    binary = compile_c(SOURCE)

    cycles = interleaved({
        "host kernel": lambda n: host_seconds(binary, n, 0),
        "proclab (exact preemption)": lambda n: proclab_seconds(binary, n, 0, True),
        "proclab (--fast)": lambda n: proclab_seconds(binary, n, 0, False),
    }, args.cycles, args.repeat)
    print(f"fork+exit+wait cycle ({args.cycles} and {2 * args.cycles} cycles, median of {args.repeat} rounds)")
    report(cycles, "us per cycle", 1e6)

    getpids = interleaved({
        "host kernel": lambda n: host_seconds(binary, 0, n),
        "proclab": lambda n: proclab_seconds(binary, 0, n, True),
    }, args.getpids, args.repeat)
    print(f"getpid ({args.getpids} and {2 * args.getpids} calls, median of {args.repeat} rounds)")
    report(getpids, "ns per call ", 1e9)
    rates = {label: 1 / statistics.median(values) for label, values in getpids.items()}
    print(f"getpid syscalls per second: proclab {rates['proclab']:,.0f}, host {rates['host kernel']:,.0f}")


if __name__ == "__main__":
    main()
