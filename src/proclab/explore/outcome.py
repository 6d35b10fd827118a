"""What `proclab explore` reports: the distinct outcomes of a program over the
schedules searched, each with how many runs gave it and the schedule id of
the first of them.

A schedule id lists the steps at which the run did not take Linux's choice:
`12.5-40.6` means "at step 12 run pid 5, at step 40 pid 6, everywhere else
what Linux would run"; `linux` is Linux's own schedule. `proclab run
--schedule ID` replays it (same program, arguments and options).
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

from .dpor import Search, SearchStats
from .executor import Job, Request, Step, Trace, execute

BY = ("stdout", "status", "all")
_ID = re.compile(r"^(?:linux|\d+\.\d+(?:-\d+\.\d+)*)$")


class BadSchedule(ValueError):
    """A schedule id that is not one."""


def schedule_id(steps: list[Step]) -> str:
    """The id of the schedule a run followed."""
    parts = [f"{i}.{s.tid}" for i, s in enumerate(steps) if s.tid != s.linux]
    return "-".join(parts) if parts else "linux"


def parse_schedule(text: str) -> dict[int, int]:
    """The deviations of a schedule id: step index -> pid."""
    if not _ID.match(text):
        raise BadSchedule(f"--schedule {text}: not a schedule id (ids look like 'linux' or '12.5-40.6', "
                          "as `proclab explore` prints them)")
    if text == "linux":
        return {}
    out: dict[int, int] = {}
    for part in text.split("-"):
        index, pid = part.split(".")
        if int(index) in out or (out and int(index) < max(out)):
            raise BadSchedule(f"--schedule {text}: the steps must be in increasing order")
        out[int(index)] = int(pid)
    return out


@dataclass
class Outcome:
    stdout: bytes
    status: int
    deadlock: bool
    schedule: str
    count: int = 0
    stderr: bytes = b""
    tree: str = ""
    waits: list[str] = field(default_factory=list)
    reason: str = ""
    message: str = ""

    def as_json(self) -> dict:
        return {"stdout": self.stdout.decode("utf-8", "replace"), "status": self.status,
                "deadlock": self.deadlock, "count": self.count, "schedule": self.schedule}


def outcome_key(trace: Trace, by: Optional[str]) -> tuple:
    """What makes two runs' outcomes different (--by): stdout, the exit
    status, or everything (stdout, status, stderr, deadlock, the processes
    left); by default stdout, status and whether it deadlocked."""
    if by == "stdout":
        return (trace.stdout,)
    if by == "status":
        return (trace.status,)
    if by == "all":
        return (trace.stdout, trace.status, trace.deadlock, trace.stderr, trace.tree)
    return (trace.stdout, trace.status, trace.deadlock)


@dataclass
class Report:
    outcomes: list[Outcome]
    stats: SearchStats
    seconds: float

    @property
    def runs(self) -> int:
        """Runs that reached an end (each counted in one outcome)."""
        return sum(o.count for o in self.outcomes)

    def as_json(self) -> dict:
        return {"runs": self.runs, "complete": self.stats.complete,
                "outcomes": [o.as_json() for o in self.outcomes]}


class Outcomes:
    """Runs folded into outcomes, in the order they were first seen."""

    def __init__(self, by: Optional[str]) -> None:
        self.by = by
        self.seen: dict[tuple, Outcome] = {}

    def add(self, trace: Trace) -> None:
        key = outcome_key(trace, self.by)
        out = self.seen.get(key)
        if out is None:
            out = self.seen[key] = Outcome(trace.stdout, trace.status, trace.deadlock, schedule_id(trace.steps),
                                           0, trace.stderr, trace.tree, trace.waits, trace.reason, trace.message)
        out.count += 1

    def merge(self, other: "Outcomes") -> None:
        for key, out in other.seen.items():
            mine = self.seen.get(key)
            if mine is None:
                self.seen[key] = out
            else:
                mine.count += out.count

    def sorted(self) -> list[Outcome]:
        """Most frequent first; ties in the order found."""
        return sorted(self.seen.values(), key=lambda o: -o.count)


def pct_policy(rng: random.Random, depth: int, changes: int) -> Callable[[int, tuple[int, ...], int], int]:
    """A PCT schedule (Burckhardt et al., "A randomized scheduler with
    probabilistic guarantees of finding bugs", ASPLOS 2010): tasks get random
    priorities as they appear, the highest runnable one runs, and at
    `changes` random steps the running task drops to the lowest priority."""
    prio: dict[int, float] = {}
    points = set(rng.sample(range(max(depth, changes)), changes)) if changes else set()
    low = [0.0]

    def choose(index: int, enabled: tuple[int, ...], linux: int) -> int:
        for pid in enabled:
            if pid not in prio:
                prio[pid] = rng.random() + 1.0
        best = max(enabled, key=lambda p: (prio[p], -p))
        if index in points:
            low[0] -= 1.0
            prio[best] = low[0]
            best = max(enabled, key=lambda p: (prio[p], -p))
        return best

    return choose


def explore(job: Job, *, by: Optional[str] = None, bound: Optional[int] = None, max_runs: Optional[int] = None,
            random_runs: Optional[int] = None, seed: int = 0,
            on_run: Callable[[int, int], None] = lambda runs, outcomes: None) -> Report:
    """Search the schedules of `job` (DPOR, or `random_runs` PCT runs) and
    fold the runs into outcomes. `on_run(runs, outcomes)` after each run."""
    start = time.perf_counter()
    outcomes = Outcomes(by)
    traces: Iterator[Trace]
    if random_runs is not None:
        stats = SearchStats()
        traces = _random_traces(job, random_runs, seed, stats)
    else:
        search = Search(lambda request: execute(job, request), bound=bound, max_runs=max_runs)
        stats = search.stats
        traces = search.traces()
    for trace in traces:
        outcomes.add(trace)
        on_run(stats.runs, len(outcomes.seen))
    return Report(outcomes.sorted(), stats, time.perf_counter() - start)


def _random_traces(job: Job, runs: int, seed: int, stats: SearchStats) -> Iterator[Trace]:
    """`runs` PCT runs; the depth (steps of a run) is learnt from Linux's."""
    rng = random.Random(seed)
    depth = len(execute(job, Request()).steps)
    for _ in range(runs):
        trace = execute(job, Request(policy=pct_policy(rng, depth, changes=rng.randint(0, 3))))
        stats.runs += 1
        yield trace
    stats.pruned = True  # a random search never knows it has seen everything
