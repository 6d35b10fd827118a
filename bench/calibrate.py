"""Calibrate proclab's virtual time against this machine: what an instruction,
a syscall, a page fault, a copy-on-write break, a context switch, a signal, a
fork and an exec cost natively, next to the constants of
kernel/time/timekeeping.py (INSN_PS, COSTS).

One static C program (programs/calibrate_loops.c) has a mode per kind of work
and repeats it N times. Each figure is the difference between a run of N and
a run of 2N iterations, divided by N, so start-up (process creation, exec,
boot) cancels out. On the host a run's figure is its wall-clock time
(perf_counter_ns around the whole process tree, pinned to CPU 0, since proclab
has one CPU), taken in interleaved rounds of every mode and summarised by the
median, because a shared machine has slow and fast phases lasting seconds. On
proclab the same binary runs once with N and once with 2N iterations (fewer
than on the host: the emulator is slower, and its virtual time is
deterministic) and gives the virtual time per iteration and what proclab
counted per iteration: user instructions retired, syscalls, page faults,
COW breaks (pages copied; a fault that copies counts as a COW break, not also
as a fault, as proclab charges it once), context switches, forks, execs and
signals delivered to a handler.

Each constant is derived from the host's time per iteration of its program
less the time of everything else proclab counts in that iteration, priced with
the constants derived before it (in table order): ns per instruction from the
compute loop; a syscall from the getpid loop less its instructions; a fault
from writing fresh anonymous pages less the instructions and the mmap/munmap
syscalls; a COW break from forked children writing pages their parent wrote
less the instructions; a context switch from a pipe ping-pong between two
processes less the read/write syscalls; and so on. A constant absorbs whatever
the host does that proclab charges for nothing or as a plain syscall: pipe
wake-ups go into the switch, exit and wait into the fork, the new image's file
faults into the exec; and INSN_PS holds for code as fast per instruction as
the compute loop.

The second table runs each program's iteration through proclab's clock: the
virtual time with the current constants (measured), and with the suggested
ones (the same counts priced with them: each constant reproduces its own
program by construction).

    python bench/calibrate.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.time.timekeeping import COSTS, INSN_PS
from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "programs" / "calibrate_loops.c"

# What proclab counts, in the order the constants are derived; "insn" is the
# user instruction, priced by INSN_PS, the others by COSTS.
KINDS = ("insn", "syscall", "fault", "cow", "switch", "signal", "fork", "exec")


def unit_per_ns(kind: str) -> int:
    """The unit of `kind`'s constant per ns: INSN_PS is in ps, COSTS in ns."""
    return 1000 if kind == "insn" else 1


def current_constant(kind: str) -> int:
    return INSN_PS if kind == "insn" else COSTS[kind]


def current_ns(kind: str) -> float:
    """The virtual ns proclab charges now for one `kind`."""
    return current_constant(kind) / unit_per_ns(kind)


def unit_name(kind: str) -> str:
    return "ps" if kind == "insn" else "ns"


@dataclass(frozen=True)
class Workload:
    mode: str        # calibrate_loops MODE
    target: str      # the kind its figure calibrates
    unit: str        # one iteration
    host_n: int      # iterations of the host's shorter run
    proclab_n: int   # iterations of proclab's shorter run
    forks: int = 0   # cow: children per run, each breaking N pages

    def argv(self, binary: Path, n: int, top: int) -> list[str]:
        """The command line of a run of `n` iterations (`top`: the longer run's)."""
        if self.mode == "cow":
            return [str(binary), "cow", str(n), str(self.forks), str(top)]
        return [str(binary), self.mode, str(n)]

    def units(self, n: int) -> int:
        """Iterations a run with argument `n` does."""
        return n * self.forks if self.forks else n


WORKLOADS = (
    Workload("compute", "insn", "round of the integer loop", 20_000_000, 100_000),
    Workload("getpid", "syscall", "getpid", 500_000, 5_000),
    Workload("fault", "fault", "fresh anonymous page written", 100_000, 1_024),
    Workload("cow", "cow", "COW break in a forked child", 2_048, 64, forks=24),
    Workload("pipe", "switch", "pipe round trip (2 switches)", 20_000, 1_000),
    Workload("signal", "signal", "kill(getpid()) to a handler", 40_000, 500),
    Workload("fork", "fork", "fork+_exit+waitpid", 2_000, 100),
    Workload("exec", "exec", "exec of itself (tiny static)", 2_000, 40),
)


def first_workloads() -> dict[str, Workload]:
    """The workload each kind is derived from: the first with that target
    (any others are only reported)."""
    first: dict[str, Workload] = {}
    for w in WORKLOADS:
        first.setdefault(w.target, w)
    return first


def host_ns(argv: list[str]) -> int:
    """Wall-clock ns of one run of the program on the host kernel."""
    start = time.perf_counter_ns()
    subprocess.run(argv, check=True)
    return time.perf_counter_ns() - start


def host_rounds(binary: Path, scale: float, rounds: int) -> dict[str, float]:
    """Median host ns per iteration of each workload over interleaved rounds."""
    samples: dict[str, list[float]] = {w.mode: [] for w in WORKLOADS}
    for _ in range(rounds):
        for w in WORKLOADS:
            n = max(1, int(w.host_n * scale))
            one = host_ns(w.argv(binary, n, 2 * n))
            two = host_ns(w.argv(binary, 2 * n, 2 * n))
            samples[w.mode].append((two - one) / w.units(n))
    return {mode: statistics.median(values) for mode, values in samples.items()}


@dataclass
class ProclabRun:
    now: int                 # virtual ns at power-off
    counts: dict[str, int]   # per kind in KINDS


def proclab_run(argv: list[str]) -> ProclabRun:
    """Boot proclab on the program and count what its kernel charges for."""
    kernel = Kernel(KernelConfig(memory=256 << 20), BufferConsole())
    counts = dict.fromkeys(KINDS, 0)

    def counter(kind: str, keep: Callable[..., bool] = lambda *args: True) -> Callable[..., None]:
        def probe(*args: object) -> None:
            if keep(*args):
                counts[kind] += 1
        return probe

    tp = kernel.tp
    tp.sys_enter.connect(counter("syscall"))
    tp.page_fault_user.connect(counter("fault"))
    tp.mm_cow.connect(counter("cow", lambda task, addr, copied: copied))
    tp.sched_switch.connect(counter("switch"))
    tp.signal_deliver.connect(counter("signal", lambda sig, info, task, action: action == "handler"))
    tp.task_newtask.connect(counter("fork"))
    tp.sched_process_exec.connect(counter("exec"))
    kernel.boot(Command(argv[0].encode(), [a.encode() for a in argv], []))
    result = kernel.run()
    if result.reason != "poweroff" or result.status != 0:
        raise SystemExit(f"proclab run of {' '.join(argv[1:])} ended badly: {result}")
    counts["insn"] = kernel.entry.insns
    # A COW copy is also a page_fault_user event, but proclab charges it only
    # as a COW break (COSTS["cow"] instead of COSTS["fault"]).
    counts["fault"] -= counts["cow"]
    return ProclabRun(kernel.clock.now, counts)


@dataclass
class PerIteration:
    virtual_ns: float          # proclab's virtual time, current constants
    counts: dict[str, float]   # what proclab counted


def proclab_per_iteration(binary: Path, w: Workload) -> PerIteration:
    """Proclab's figures per iteration, from runs of N and 2N iterations."""
    n = w.proclab_n
    one = proclab_run(w.argv(binary, n, 2 * n))
    two = proclab_run(w.argv(binary, 2 * n, 2 * n))
    units = w.units(n)
    return PerIteration((two.now - one.now) / units,
                        {kind: (two.counts[kind] - one.counts[kind]) / units for kind in KINDS})


def significant(x: float, digits: int = 2) -> int:
    """`x` rounded to `digits` significant digits."""
    if x <= 0:
        return round(x)
    return int(round(x, digits - 1 - math.floor(math.log10(x))))


def counts_text(counts: dict[str, float], leave_out: str = "") -> str:
    """'71 insn + 1 syscall': the kinds proclab counted (but `leave_out`)."""
    return " + ".join(f"{counts[kind]:.3g} {kind}" if counts[kind] < 1000 else f"{counts[kind]:.0f} {kind}"
                      for kind in KINDS if kind != leave_out and abs(counts[kind]) >= 5e-4) or "nothing"


@dataclass
class Calibration:
    """Per workload: the host's ns per kind of its target, and the ns of the
    rest of its iteration; per kind: the ns it costs (from its first workload)."""

    figure: dict[str, float]
    rest: dict[str, float]
    derived: dict[str, float]

    def constant(self, kind: str) -> int:
        """The suggested constant, in its unit."""
        return significant(self.derived[kind] * unit_per_ns(kind))

    def suggested_ns(self, kind: str) -> float:
        return self.constant(kind) / unit_per_ns(kind)


def calibrate(host: dict[str, float], proclab: dict[str, PerIteration]) -> Calibration:
    """Each workload's host time per iteration, less what the other kinds in
    it cost (priced as derived so far, else at proclab's current constant),
    per count of its target kind."""
    cal = Calibration({}, {}, {})
    first = first_workloads()
    for w in WORKLOADS:
        counts = proclab[w.mode].counts
        cal.rest[w.mode] = sum(counts[kind] * cal.derived.get(kind, current_ns(kind))
                               for kind in KINDS if kind != w.target)
        cal.figure[w.mode] = (host[w.mode] - cal.rest[w.mode]) / counts[w.target]
        if first[w.target] is w:
            cal.derived[w.target] = cal.figure[w.mode]
    return cal


def print_constants(host: dict[str, float], proclab: dict[str, PerIteration], cal: Calibration) -> None:
    first = first_workloads()
    print(f"{'kind':<8} {'one iteration':<31} {'host ns':>9}  {'proclab counts per iteration':<60}"
          f" {'host each':>10} {'now':>9} {'suggested':>9}")
    for w in WORKLOADS:
        unit = unit_name(w.target)
        suggested = f"{cal.constant(w.target)} {unit}" if first[w.target] is w else "(same)"
        now = f"{current_constant(w.target)} {unit}"
        figure = f"{cal.figure[w.mode] * unit_per_ns(w.target):.1f} {unit}"
        print(f"{w.target:<8} {w.unit:<31} {host[w.mode]:>9.1f}  {counts_text(proclab[w.mode].counts):<60}"
              f" {figure:>10} {now:>9} {suggested:>9}")


def print_programs(host: dict[str, float], proclab: dict[str, PerIteration], cal: Calibration) -> None:
    print(f"{'program':<8} {'ns per iteration':<31} {'host':>9} {'proclab now':>12} {'ratio':>6}"
          f" {'suggested':>10} {'ratio':>6}")
    for w in WORKLOADS:
        p, h = proclab[w.mode], host[w.mode]
        # the same counts priced with the suggested constants instead of the current ones
        s = p.virtual_ns + sum(p.counts[kind] * (cal.suggested_ns(kind) - current_ns(kind)) for kind in KINDS)
        print(f"{w.mode:<8} {w.unit:<31} {h:>9.1f} {p.virtual_ns:>12.1f} {p.virtual_ns / h:>6.2f}"
              f" {s:>10.1f} {s / h:>6.2f}")
    print("(proclab's virtual time with the suggested constants: its counts priced with them)")


def print_python(host: dict[str, float], proclab: dict[str, PerIteration], cal: Calibration) -> None:
    first = first_workloads()

    def source(w: Workload) -> str:
        return (f"host {host[w.mode]:.0f} ns per {w.unit}, less {cal.rest[w.mode]:.0f} ns "
                f"of {counts_text(proclab[w.mode].counts, leave_out=w.target)}")

    insn = first["insn"]
    print("suggested timekeeping.py constants")
    print(f"# One user instruction: host {host[insn.mode]:.2f} ns per {insn.unit}, "
          f"{proclab[insn.mode].counts['insn']:.3g} instructions.")
    print(f"INSN_PS = {cal.constant('insn')}")
    print("COSTS = {")
    for kind in KINDS:
        if kind == "insn":
            continue
        key = f'"{kind}":'
        print(f"    {key:<14} {cal.constant(kind):>6},  # {source(first[kind])}")
        for w in WORKLOADS:
            if w.target == kind and w is not first[kind]:
                print(f"    {'':<14} {'':>6}   # (also charged as a {kind}: {source(w)})")
    key = '"script_step":'
    print(f"    {key:<14} {COSTS['script_step']:>6},  # unchanged: a scripted program has no host counterpart")
    print("}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="half the host iterations, 3 rounds instead of 9")
    args = ap.parse_args()
    scale, rounds = (0.5, 3) if args.quick else (1.0, 9)
    binary = compile_c(SOURCE, status=lambda text: print(text, file=sys.stderr))

    proclab = {w.mode: proclab_per_iteration(binary, w) for w in WORKLOADS}
    host = host_rounds(binary, scale, rounds)
    cal = calibrate(host, proclab)

    print(f"host: median of {rounds} interleaved rounds, pinned to CPU 0; "
          "proclab: one run of N and one of 2N iterations")
    print()
    print_constants(host, proclab, cal)
    print()
    print_programs(host, proclab, cal)
    print()
    print_python(host, proclab, cal)


if __name__ == "__main__":
    main()
