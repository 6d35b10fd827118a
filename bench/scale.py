"""Millions of tasks: create N live tasks through the kernel API, then reap
them all, and report time and memory.

A scripted parent (init's child, in a process group of its own) clones N
children that share its address space, files, fs and signal handlers
(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND, each its own process with
SIGCHLD); each sleeps in pause() (the parent yields the CPU every thousand
clones so that they get there). The parent then kills each with SIGTERM and
reaps it with wait4(pid), in creation order. pid_max is raised as needed. No
CPU emulation is involved: this measures the kernel's data structures.

    python bench/scale.py --tasks N
prints: tasks=N create_s=... reap_s=... peak_rss_mb=...

N counts every task alive at the peak, the idle task, init, kthreadd, the
workqueue worker and the parent included, so N = 4194304 uses every pid there
is (0 to 4194303, with pid_max at its maximum).
"""

from __future__ import annotations

import argparse
import resource
import time
from array import array

from proclab.fs.console import BufferConsole
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.pid import PID_MAX_LIMIT
from proclab.uapi import sched as C
from proclab.uapi import signal as S

SHARE = C.CLONE_VM | C.CLONE_FS | C.CLONE_FILES | C.CLONE_SIGHAND | S.SIGCHLD


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int) -> dict:
    figures: dict = {"tasks": n}

    def pauser(u):
        yield u.sys("pause")

    def parent(u):
        pids = array("i")
        children = n - (len(u._k.pid_ns.pids) + 1)  # + 1: the idle task's pid 0
        start = time.perf_counter()
        for made in range(children):
            pid = yield u.clone(SHARE, pauser)
            if pid < 0:
                raise RuntimeError(f"clone failed with {pid} after {made} tasks")
            pids.append(pid)
            if made % 1000 == 999:
                yield u.sys("sched_yield")
        figures["create_s"] = time.perf_counter() - start
        figures["live"] = len(u._k.pid_ns.pids) + 1
        start = time.perf_counter()
        reaped = 0
        for pid in pids:
            yield u.sys("kill", pid, S.SIGTERM)
            if (yield u.sys("wait4", pid, 0, 0, 0)) == pid:
                reaped += 1
        figures["reap_s"] = time.perf_counter() - start
        figures["reaped"] = reaped

    if not 8 <= n <= PID_MAX_LIMIT:
        raise SystemExit(f"--tasks must be between 8 and {PID_MAX_LIMIT}")
    config = KernelConfig(memory=64 << 20, pid_max=min(max(n, 32768), PID_MAX_LIMIT),
                          max_cpu=1e12, max_time=1e12)
    kernel = Kernel(config, BufferConsole())
    kernel.boot(program=parent)
    result = kernel.run()
    if result.reason != "poweroff" or figures.get("live") != n:
        raise SystemExit(f"run ended badly: {result} {figures}")
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=100_000)
    args = ap.parse_args()
    f = run(args.tasks)
    print(f"tasks={f['live']} create_s={f['create_s']:.1f} reap_s={f['reap_s']:.1f} "
          f"peak_rss_mb={f['peak_rss_mb']:.0f}")


if __name__ == "__main__":
    main()
