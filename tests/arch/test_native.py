"""The native instruction counter (arch/x86_64/native.c) counts exactly what
Unicorn's count= counts: the same events at the same virtual times, with
preemption by ticks, page faults inside blocks, traps, port I/O and threads
on two CPUs; with it, the native TLB fill (refills in C, faults in Python)
gives what the Python fill gives. Counts and traces only: nothing here is
timed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import program, run_sim
from unicorn import UC_HOOK_CODE

from proclab.arch.x86_64 import cpu as C
from proclab.arch.x86_64 import native
from proclab.kernel.kernel import KernelConfig
from proclab.toolchain.compile import compile_c

TICKS = Path(__file__).with_name("native_ticks.c")
pytestmark = pytest.mark.skipif(native.load() is None, reason="the native helper cannot be built here")


def _events(name: str, monkeypatch: pytest.MonkeyPatch, use_native: bool, cpus: int = 1) -> tuple:
    log: list = []

    def probes(kernel) -> None:
        def record(event: str, args: tuple) -> None:
            shown = tuple(getattr(a, "pid", a) if not isinstance(a, (int, str, bytes, tuple)) else a for a in args)
            log.append((kernel.clock.now, event, repr(shown)))
        kernel.tp.connect_all(record)

    with monkeypatch.context() as m:
        if not use_native:
            m.setattr(native, "load", lambda: None)
        binary = compile_c(TICKS) if name == "native_ticks" else program(name)
        sim = run_sim(binary, config=KernelConfig(memory=256 << 20, cpus=cpus), probes=probes)
    assert (sim.kernel.cpus[0]._st is not None) == use_native
    fills = getattr(sim.kernel.cpus[0], "_fill_state", None)
    assert (fills is not None) == (use_native and native.load().pl_has_python() == 1)
    if fills is not None:
        # refills of present PTEs are answered in C, faults by the kernel's Python
        assert fills.fast > 0 and fills.slowed > 0
    return log, sim.stdout, sim.kernel.clock.now, sim.kernel.entry.insns


@pytest.mark.parametrize("name, cpus", [
    ("seed_ex3_process_count", 1),  # forks, COW faults, preemption
    ("io_fault", 1),                # in/out stops inside a block
    ("privileged", 1),              # hlt, cli, rdtsc...: #GP inside blocks
    ("g2_fault_signals", 1),        # SIGSEGV, SIGFPE, SIGILL, SIGTRAP
    ("pthread_sched", 2),           # threads on two CPUs
])
def test_block_counting_equals_count_mode(name: str, cpus: int, monkeypatch: pytest.MonkeyPatch) -> None:
    per_block = _events(name, monkeypatch, True, cpus)
    per_insn = _events(name, monkeypatch, False, cpus)
    assert per_block == per_insn
    assert per_block[3] > 0


@pytest.mark.parametrize("cpus", [1, 2])
def test_ticks_land_inside_blocks_where_count_mode_puts_them(cpus: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compute loops preempted by ticks: runs end in the middle of blocks
    (each such block runs again under the instruction hook)."""
    tails = []
    hook = C.Cpu._hook

    def counting_hook(self, kind, *args, **kwargs):
        if kind == UC_HOOK_CODE:
            tails.append(kind)
        return hook(self, kind, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(C.Cpu, "_hook", counting_hook)
        per_block = _events("native_ticks", monkeypatch, True, cpus)
    assert tails
    per_insn = _events("native_ticks", monkeypatch, False, cpus)
    assert per_block == per_insn
    assert sum(1 for _, event, _ in per_block[0] if event == "sched_switch") > 3
