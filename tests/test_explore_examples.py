"""examples/explore/: the racy classics give exactly the outcomes their
header comments say `proclab explore` reports."""

from __future__ import annotations

from itertools import permutations
from pathlib import Path

import pytest

from proclab.explore.executor import Job
from proclab.explore.outcome import explore
from proclab.kernel.kernel import KernelConfig
from proclab.toolchain.compile import compile_c

EXPLORE_EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "explore"


def outcomes(name: str) -> set[tuple[bytes, int, bool]]:
    """Every (stdout, status, deadlock) of examples/explore/<name>.c; the search must be complete."""
    binary = str(compile_c(EXPLORE_EXAMPLES / f"{name}.c"))
    report = explore(Job(binary, [binary], config=KernelConfig(memory=256 << 20, max_time=10)))
    assert report.stats.complete
    return {(o.stdout, o.status, o.deadlock) for o in report.outcomes}


@pytest.mark.parametrize("name, expected", [
    ("race_print", {(b"parent\nchild\n", 0, False), (b"child\nparent\n", 0, False)}),
    ("sigchld_race", {(b"addjob\ndeletejob\n", 0, False), (b"deletejob\naddjob\n", 0, False)}),
    ("pipe_deadlock", {(b"", 124, True)}),
    ("sleep_race", {(b"01\n", 0, False), (b"10\n", 0, False)}),
])
def test_a_classic_race_has_exactly_its_outcomes(name: str, expected: set) -> None:
    assert outcomes(name) == expected


def test_fork_fork_prints_its_four_lines_in_every_order() -> None:
    lines = (b"00\n", b"10\n", b"01\n", b"11\n")
    assert outcomes("fork_fork") == {(b"".join(p), 0, False) for p in permutations(lines)}
