"""Oops containment (issue 15, item 2): a Python exception inside the
simulated kernel kills only the task that was in the kernel, as Linux's
make_task_dead(SIGSEGV) after an oops; its parent sees SIGSEGV, what it
held is released by the normal exit path, one line names the oops and a
file keeps the traceback, every other task goes on, and proclab exits 70."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import run_sim

from proclab.toolchain.compile import compile_c
from proclab.uapi.unistd import NR

PROGRAM = Path(__file__).resolve().parent / "oops_child.c"
INJECT = """
import sys
from proclab.arch.x86_64 import syscall_64
real = syscall_64.build_syscall_table
def broken(k):
    table = real(k)
    def boom(*args):
        raise RuntimeError("injected")
    table[{nr}] = boom
    return table
syscall_64.build_syscall_table = broken
import proclab.kernel.kernel as kernel
kernel.build_syscall_table = broken
from proclab.cli.app import main
sys.argv = ["proclab", "run", sys.argv[1]]
main()
"""


def inject(k) -> None:
    def boom(*args):
        raise RuntimeError("injected")
    k.syscall_table[NR["getppid"]] = boom


def test_an_oops_kills_only_the_task_in_the_kernel() -> None:
    run = run_sim(compile_c(PROGRAM), probes=inject)
    assert run.result.reason == "poweroff"
    assert run.stdout == b"parent before\nchild killed by 11\nlock free: 0\n"
    assert run.kernel.oopses == 1
    line = [m for m in run.kernel.log if "kernel oops" in m]
    assert len(line) == 1
    found = re.fullmatch(r"kernel oops in getppid by pid (\d+) \(oops_child\): RuntimeError: injected "
                         r"\(traceback in (\S+)\)", line[0])
    assert found, line
    trace = Path(found.group(2)).read_text()
    assert "RuntimeError: injected" in trace and "Traceback" in trace
    Path(found.group(2)).unlink()


def test_the_cli_reports_the_oops_and_exits_70_after_the_programs_output() -> None:
    binary = compile_c(PROGRAM)
    res = subprocess.run([sys.executable, "-c", INJECT.format(nr=NR["getppid"]), str(binary)],
                         capture_output=True, timeout=120)
    assert res.returncode == 70
    assert res.stdout == b"parent before\nchild killed by 11\nlock free: 0\n"
    err = res.stderr.decode()
    oops = [line for line in err.splitlines() if "kernel oops in getppid" in line]
    assert len(oops) == 1 and oops[0].startswith("proclab: kernel oops in getppid by pid ")
    assert "Traceback" not in err and "internal error" not in err
    Path(oops[0].rsplit("traceback in ", 1)[1].rstrip(")")).unlink()
