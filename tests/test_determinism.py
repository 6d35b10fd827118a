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
