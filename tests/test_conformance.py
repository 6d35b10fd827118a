"""The same binary on the host kernel and on proclab: same stdout, same exit
status (examples/ holds the seed exercises of ../shared/conformance/).

Some programs are racy on the host itself (seed_zombie_orphan: an orphan's
printf races its grandparent's), so one host run is not "the" answer. proclab
is deterministic; the test checks that its output is one the host gives, by
running the host until a run matches (deterministic programs match at once)."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, PROGRAMS, needs_host, program, run_host, run_sim

CASES = sorted(p.stem for p in [*EXAMPLES.glob("*.c"), *PROGRAMS.glob("*.c")])
HOST_TRIES = 30


@needs_host
@pytest.mark.parametrize("name", CASES)
def test_same_output_and_status_as_host(name: str) -> None:
    binary = program(name)
    sim = run_sim(binary)
    assert sim.result.reason == "poweroff", sim.result
    ours = (sim.stdout, sim.status)
    seen = set()
    for _ in range(HOST_TRIES):
        host = run_host(binary)
        if host == ours:
            return
        seen.add(host)
    pytest.fail(f"proclab gave {ours!r}; the host gave only {sorted(seen)!r}")
