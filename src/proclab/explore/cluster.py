"""The search spread over many processes: on a Ray cluster (`--ray`), or on
this machine's cores (`--jobs`).

The same search as dpor.Search, with its subtrees run concurrently (as in
parallel DPOR, Simsa, Bryant and Gibson, 2012). The coordinator (this
process) keeps a tree of the states whose choices it hands out, each named
by the choices that lead to it: at first the states along Linux's schedule.
Each choice still to try at one of them is a task -- a Search rooted at
that choice, with the sleep set the serial search would give it (the
choices tried there before it whose steps are known) -- that makes at most
`chunk` runs and then stops: the states along its last run come back and
join the tree, so the choices left in them are handed out in turn and no
worker waits while another goes through one big subtree. The races a task
finds that reach above its root come back too, to be planted in the tree.
The set of outcomes is the serial search's; the number of runs may differ a
little, as sleep sets only know the siblings whose tasks have reported.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Optional

from .dpor import Node, Search, SearchStats, plant
from .executor import Job, Request, Touches, Trace, execute
from .outcome import Outcomes, Report

INSTALL = "--ray needs Ray: pip install 'proclab[cluster]'"

# Runs a task makes before it hands back what is left of its subtree: a
# four-writer run takes ~7 ms, so a task is ~0.3 s of work, and the states
# it sends back (~70 per run's path) are little next to that.
CHUNK = 40

Run = Callable[[Request], Trace]
Key = tuple[int, ...]   # the choices before a state: its name in the tree
Result = tuple[Outcomes, SearchStats, list[tuple[int, dict[int, bool]]], Touches, list[Node]]


class RayMissing(Exception):
    """Ray is not installed, or the cluster cannot be reached."""


def search_subtree(run: Run, root: dict[int, int], sleep: dict[int, Touches], by: Optional[str],
                   bound: Optional[int], runs: int) -> Result:
    """What a worker does: DPOR below `root` for at most `runs` runs; returns
    the outcomes, the counts, the races above the root, the step the root's
    choice took, and the states of its last run below the root when it
    stopped before the end of its subtree (none when it got there)."""
    search = Search(run, bound=bound, root=root, root_sleep=sleep, split_after=runs)
    outcomes = Outcomes(by)
    for trace in search.traces():
        outcomes.add(trace)
    last = max(root)
    left = search.path[len(root):] if search.split else []
    return outcomes, search.stats, search.escaped, search.path[last].taken[root[last]], left


class Tree:
    """The coordinator's states: key -> Node, with the deviations from
    Linux's choices on the way to each (for the preemption bound)."""

    def __init__(self) -> None:
        self.nodes: dict[Key, Node] = {}
        self.deviations: dict[Key, int] = {}
        self.open: set[Key] = set()      # states that may have choices left to hand out

    def graft(self, key: Key, deviations: int, path: list[Node]) -> None:
        """The states of a run from `key` down; the choice each took is tried."""
        for node in path:
            node.done.add(node.chosen)
            self.nodes[key] = node
            self.deviations[key] = deviations
            self.open.add(key)
            deviations += node.chosen != node.linux
            key = key + (node.chosen,)

    def untried(self, key: Key) -> list[int]:
        """The choices at `key` planted and neither tried, handed out nor asleep."""
        node = self.nodes[key]
        return sorted(node.backtrack - node.done - node.sleep.keys())

    def sleep_for(self, key: Key) -> dict[int, Touches]:
        """The sleep set of a new choice at `key`: the state's own and the
        choices tried there whose steps are known."""
        node = self.nodes[key]
        sleep = dict(node.sleep)
        sleep.update((r, node.taken[r]) for r in sorted(node.done) if r in node.taken)
        return sleep


def explore_parallel(run: Run, jobs: int, submit: Callable[..., Any], next_done: Callable[[list[Any]], Any],
                     result_of: Callable[[Any], Result], *, by: Optional[str] = None,
                     bound: Optional[int] = None, max_runs: Optional[int] = None, chunk: int = CHUNK,
                     on_run: Callable[[int, int], None] = lambda runs, outcomes: None) -> Report:
    """The coordinator, with `jobs` tasks at a time: `submit(fn, *args)`
    starts a task, `next_done(tasks)` waits for one to finish, `result_of(task)`
    is what it returned."""
    started = time.perf_counter()
    first = run(Request())
    owner = Search(run, bound=bound)
    owner._extend(first.steps, 0)
    owner._races(first.steps)
    tree = Tree()
    tree.graft((), 0, owner.path)
    outcomes = Outcomes(by)
    total = SearchStats(runs=1, shared_memory=first.shared_memory)
    if first.blocked:  # pragma: no cover - nothing sleeps in the first run
        total.blocked += 1
    else:
        outcomes.add(first)
    pending: dict[Any, tuple[Key, int, int]] = {}   # task -> (state, choice, runs it may make)
    promised = [0]                                   # runs the pending tasks may still make
    busy: Counter[Key] = Counter()                   # states -> their tasks out

    def next_choice() -> Optional[tuple[Key, int]]:
        """The deepest state with a choice left (as the serial search goes
        on), one without a task out if there is one (its sleep set will know
        more); None when nothing is left."""
        best: Optional[tuple[bool, int]] = None
        found = None
        for key in list(tree.open):
            choices = tree.untried(key)
            if bound is not None:
                node = tree.nodes[key]
                for q in [q for q in choices if tree.deviations[key] + (q != node.linux) > bound]:
                    node.done.add(q)
                    total.pruned = True
                    choices.remove(q)
            if not choices:
                tree.open.discard(key)
                continue
            rank = (not busy[key], len(key))
            if best is None or rank > best:
                best, found = rank, (key, choices[0])
        return found

    def hand_out() -> None:
        while len(pending) < jobs:
            left = None if max_runs is None else max_runs - total.runs - promised[0]
            if left is not None and left < 1:
                return
            choice = next_choice()
            if choice is None:
                return
            key, q = choice
            node = tree.nodes[key]
            sleep = tree.sleep_for(key)
            node.done.add(q)
            root = dict(enumerate(key))
            root[len(key)] = q
            runs = chunk if left is None else min(chunk, left)
            promised[0] += runs
            busy[key] += 1
            pending[submit(search_subtree, run, root, sleep, by, bound, runs)] = (key, q, runs)

    hand_out()
    while pending:
        task = next_done(list(pending))
        key, q, runs = pending.pop(task)
        promised[0] -= runs
        busy[key] -= 1
        part, stats, escaped, touches, left = result_of(task)
        outcomes.merge(part)
        total.runs += stats.runs
        total.blocked += stats.blocked
        total.pruned = total.pruned or stats.pruned
        total.shared_memory = total.shared_memory or stats.shared_memory
        tree.nodes[key].taken[q] = touches
        here = key + (q,)
        for index, initials in escaped:
            plant(tree.nodes[here[:index]], initials)
            tree.open.add(here[:index])
        node = tree.nodes[key]
        tree.graft(here, tree.deviations[key] + (q != node.linux), left)
        on_run(total.runs, len(outcomes.seen))
        hand_out()
    if next_choice() is not None:
        total.pruned = True  # the run budget ran out before these were handed out
    total.complete = not total.pruned
    return Report(outcomes.sorted(), total, time.perf_counter() - started)


def explore_on_ray(job: Job, address: str, **options: Any) -> Report:
    """The search as Ray tasks. `address`: "local" starts a Ray on this
    machine, "auto" joins the cluster this machine belongs to, anything else
    is the address of a cluster's head."""
    try:
        import ray
    except ImportError:
        raise RayMissing(INSTALL) from None
    if not ray.is_initialized():
        try:
            ray.init(address=None if address == "local" else address, include_dashboard=False,
                     logging_level=logging.ERROR,
                     log_to_driver=False)
        except Exception as exc:  # Ray's own errors (no cluster at that address ...)
            raise RayMissing(f"--ray {address}: {exc}") from None
    remote = ray.remote(search_subtree)

    def next_done(tasks: list[Any]) -> Any:
        done, _ = ray.wait(tasks, num_returns=1)
        return done[0]

    jobs = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return explore_parallel(functools.partial(execute, job), jobs, lambda fn, *args: remote.remote(*args),
                            next_done, ray.get, **options)


def explore_on_cores(job: Job, jobs: int, **options: Any) -> Report:
    """The search in `jobs` processes of this machine."""
    with ProcessPoolExecutor(jobs) as pool:
        def next_done(tasks: list[Future]) -> Future:
            done, _ = wait(tasks, return_when=FIRST_COMPLETED)
            return min(done, key=tasks.index)

        return explore_parallel(functools.partial(execute, job), jobs, pool.submit, next_done, Future.result,
                                **options)
