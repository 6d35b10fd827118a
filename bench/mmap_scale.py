"""Cost of mmap among many mappings, on the host kernel and on proclab: a
static C program (programs/mmap_scale.c) maps N pages of alternating rights (N
VMAs), then either M times maps one more page and unmaps it ("pair": every
call meets N mappings) or maps M more pages ("grow": N to N + M mappings).

As in bench/fork_cycle.py, each figure is (t(N, 2M) - t(N, M)) / M, so the N
mappings made first and the start-up cancel out; times are CPU times (the host
program's from getrusage, proclab's own), host and proclab measured in
interleaved rounds. A flat line as N grows is what O(log n) VMA operations
give; Linux's maple tree gives one on the host. Last, the time proclab takes
to map pages until vm.max_map_count (65530) stops it.

    python bench/mmap_scale.py [--mappings 1000,30000] [--iterations M] [--repeat R] [--no-limit]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path

from fork_cycle import _children_cpu
from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "programs" / "mmap_scale.c"
MAX_MAP_COUNT = 65530  # vm.max_map_count's default, on both kernels


def host_seconds(binary: Path, mappings: int, iterations: int, mode: str) -> float:
    start = _children_cpu()
    subprocess.run([str(binary), str(mappings), str(iterations), mode], check=True)
    return _children_cpu() - start


def proclab_seconds(binary: Path, mappings: int, iterations: int, mode: str, status: int = 0) -> float:
    kernel = Kernel(KernelConfig(memory=256 << 20), BufferConsole())
    argv = [str(binary).encode(), str(mappings).encode(), str(iterations).encode(), mode.encode()]
    start = time.process_time()
    kernel.boot(Command(str(binary).encode(), argv, []))
    result = kernel.run()
    elapsed = time.process_time() - start
    assert result.status == status << 8, result
    return elapsed


def per_call(run, mappings: int, iterations: int) -> float:
    one = run(mappings, iterations)
    two = run(mappings, 2 * iterations)
    return max(two - one, 1e-9) / iterations


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mappings", default="1000,30000", help="comma-separated N values")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-limit", action="store_true", help="skip the run up to vm.max_map_count")
    args = ap.parse_args()
    binary = compile_c(SOURCE)
    for mode, what in (("pair", "mmap + munmap of one page among N mappings"),
                       ("grow", "mmap of one page, N mappings and up")):
        print(f"{what} ({args.iterations} and {2 * args.iterations} calls, median of {args.repeat} rounds), "
              "us per call")
        first = None
        for n in (int(x) for x in args.mappings.split(",")):
            if mode == "grow" and n + 2 * args.iterations > MAX_MAP_COUNT:
                print(f"  N={n:<7} skipped: N + {2 * args.iterations} mappings pass vm.max_map_count")
                continue
            host, sim = [], []
            for _ in range(args.repeat):
                host.append(per_call(lambda m, i: host_seconds(binary, m, i, mode), n, args.iterations))
                sim.append(per_call(lambda m, i: proclab_seconds(binary, m, i, mode), n, args.iterations))
            h, s = statistics.median(host) * 1e6, statistics.median(sim) * 1e6
            ratio = statistics.median(b / a for a, b in zip(host, sim))
            first = first or s
            print(f"  N={n:<7} host {h:8.2f}   proclab {s:8.2f}   ratio to host {ratio:6.1f}"
                  f"   proclab / proclab at the first N {s / first:5.2f}")
    if args.no_limit:
        return
    seconds = proclab_seconds(binary, 70000, 0, "grow", status=1)
    print(f"mapping pages until vm.max_map_count ({MAX_MAP_COUNT}) stops them: proclab {seconds:.2f} s")


if __name__ == "__main__":
    main()
