"""Time per fork+exit+wait cycle of a static C program, on the host kernel and
on proclab, and getpid syscalls per second on proclab.

Each figure is the difference between a run of N and a run of 2N iterations,
divided by N, so start-up (exec, boot, compilation) cancels out; each run is
repeated and the fastest kept.

    python bench/fork_cycle.py [--cycles N] [--getpids M] [--repeat R]
"""

from __future__ import annotations

import argparse
import subprocess
import time
from pathlib import Path

from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "programs" / "fork_cycle.c"


def host_seconds(binary: Path, cycles: int, getpids: int) -> float:
    start = time.perf_counter()
    subprocess.run([str(binary), str(cycles), str(getpids)], check=True)
    return time.perf_counter() - start


def proclab_seconds(binary: Path, cycles: int, getpids: int, exact: bool) -> float:
    kernel = Kernel(KernelConfig(memory=256 << 20, exact=exact), BufferConsole())
    argv = [str(binary).encode(), str(cycles).encode(), str(getpids).encode()]
    start = time.perf_counter()
    kernel.boot(Command(str(binary).encode(), argv, []))
    result = kernel.run()
    elapsed = time.perf_counter() - start
    assert result.status == 0, result
    return elapsed


def per_unit(run, n: int, repeat: int, **kw) -> float:
    """Seconds per iteration: (best time of 2n - best time of n) / n."""
    one = min(run(n, **kw) for _ in range(repeat))
    two = min(run(2 * n, **kw) for _ in range(repeat))
    return max(two - one, 1e-9) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cycles", type=int, default=2000)
    ap.add_argument("--getpids", type=int, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    binary = compile_c(SOURCE)

    host = per_unit(lambda n: host_seconds(binary, n, 0), args.cycles, args.repeat)
    rows = [("host kernel", host)]
    for label, exact in (("proclab (exact preemption)", True), ("proclab (--fast)", False)):
        rows.append((label, per_unit(lambda n, e=exact: proclab_seconds(binary, n, 0, e), args.cycles, args.repeat)))
    print(f"fork+exit+wait cycle ({args.cycles} and {2 * args.cycles} cycles, best of {args.repeat})")
    for label, secs in rows:
        ratio = "" if label == "host kernel" else f"   ratio to host {secs / host:5.2f}"
        print(f"  {label:<28} {secs * 1e6:8.1f} us per cycle{ratio}")

    getpid = per_unit(lambda n: proclab_seconds(binary, 0, n, True), args.getpids, args.repeat)
    host_getpid = per_unit(lambda n: host_seconds(binary, 0, n), args.getpids * 10, args.repeat)
    print(f"getpid syscalls per second: proclab {1 / getpid:,.0f}, host {1 / host_getpid:,.0f} "
          f"(ratio {getpid / host_getpid:.1f})")


if __name__ == "__main__":
    main()
