"""Same program, options and seed: the same events at the same virtual times."""

from __future__ import annotations

from conftest import program, run_sim

from proclab.kernel.kernel import KernelConfig
from proclab.lib.tracepoint import EVENTS


def _recorder(log: list):
    def probes(kernel):
        def record(name: str, args: tuple) -> None:
            shown = tuple(getattr(a, "pid", a) if not isinstance(a, (int, str, bytes, tuple)) else a for a in args)
            log.append((kernel.clock.now, name, repr(shown)))
        kernel.tp.connect_all(record)
    return probes


def test_two_runs_give_identical_event_streams() -> None:
    runs = []
    for _ in range(2):
        log: list = []
        run_sim(program("seed_ex3_process_count"), probes=_recorder(log))
        runs.append(log)
    assert runs[0] == runs[1]
    assert len(runs[0]) > 500


def test_the_seed_changes_the_random_bytes_only() -> None:
    outs = []
    for seed in (1, 1, 2):
        sim = run_sim(program("seed_ex2_hello_count"), config=KernelConfig(memory=256 << 20, seed=seed))
        outs.append((sim.stdout, sim.kernel.clock.now))
    assert outs[0] == outs[1]
    assert outs[2][0] == outs[0][0]
    assert set(EVENTS) >= {"sched_switch", "page_fault_user", "mm_cow"}


def test_a_machine_made_from_a_switched_off_ones_memory_and_cpu_runs_the_same(monkeypatch) -> None:
    """explore reuses the memory buffer and the emulator of the machine before
    (Kernel.release): nothing of the earlier run may show in the next."""
    from proclab.arch.x86_64 import cpu as cpu_module
    from proclab.mm import physmem
    monkeypatch.setattr(cpu_module, "_spare_cpus", {})
    monkeypatch.setattr(physmem, "_spare_buffers", {})
    runs, cpus = [], []
    for _ in range(3):
        log: list = []
        sim = run_sim(program("seed_ex3_process_count"), probes=_recorder(log))
        runs.append((log, sim.stdout, sim.status))
        cpus.append(sim.kernel.cpus[0])
        sim.kernel.release()
    assert cpus[0] is cpus[1] is cpus[2]     # the emulator was kept
    assert runs[0] == runs[1] == runs[2]
