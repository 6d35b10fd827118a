"""Shared helpers: compile C test programs once, run them natively (the
oracle) and on proclab."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest

from proclab.fs.console import BufferConsole
from proclab.kernel.init import Command
from proclab.kernel.kernel import Kernel, KernelConfig, RunResult
from proclab.toolchain.compile import compile_c

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROGRAMS = Path(__file__).resolve().parent / "programs"

HOST_RUNS_X86_64 = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")
needs_host = pytest.mark.skipif(not HOST_RUNS_X86_64, reason="the host cannot run x86-64 Linux binaries")


def program(name: str) -> Path:
    """The binary of examples/<name>.c or tests/programs/[<folder>/]<name>.c."""
    for source in (EXAMPLES / f"{name}.c", PROGRAMS / f"{name}.c", *PROGRAMS.glob(f"*/{name}.c")):
        if source.exists():
            return compile_c(source)
    raise FileNotFoundError(name)


def shell_status(returncode: int) -> int:
    """subprocess's -N for "killed by signal N" as a shell shows it."""
    return 128 - returncode if returncode < 0 else returncode


def run_host(binary: Path, args: tuple[str, ...] = (), stdin: bytes = b"") -> tuple[bytes, int]:
    proc = subprocess.run([str(binary), *args], input=stdin, capture_output=True, timeout=60)
    return proc.stdout, shell_status(proc.returncode)


class SimRun:
    """One finished run on proclab."""

    def __init__(self, kernel: Kernel, console: BufferConsole, result: RunResult) -> None:
        self.kernel = kernel
        self.console = console
        self.result = result

    @property
    def stdout(self) -> bytes:
        return bytes(self.console.out[1])

    @property
    def stderr(self) -> bytes:
        return bytes(self.console.out[2])

    @property
    def status(self) -> int:
        return self.result.exit_code()


def run_sim(binary: Path, args: tuple[str, ...] = (), stdin: bytes = b"",
            config: Optional[KernelConfig] = None, probes=None) -> SimRun:
    """Run `binary` on a fresh kernel with in-memory console streams.
    `probes(kernel)` may connect to tracepoints before boot."""
    console = BufferConsole(stdin)
    kernel = Kernel(config or KernelConfig(memory=256 << 20), console)
    kernel.on_warning = kernel.on_report = lambda message: None  # they stay in kernel.log
    if probes is not None:
        probes(kernel)
    argv = [str(binary).encode()] + [a.encode() for a in args]
    kernel.boot(Command(str(binary).encode(), argv, [b"PATH=/usr/bin:/bin"]))
    result = kernel.run()
    return SimRun(kernel, console, result)
