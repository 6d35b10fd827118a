"""The search spread over many processes: on a Ray cluster (`--ray`), or on
this machine's cores (`--jobs`).

The same search as dpor.Search, with its subtrees run concurrently (as in
parallel DPOR, Simsa, Bryant and Gibson, 2012): this process runs Linux's
schedule and owns the states along it; each alternative planted at one of
them is a task -- a Search rooted at that choice, with the sleep set the
serial search would give it (the choices explored there before it, in the
order the tasks were handed out) -- and the races a task finds that reach
above its root come back here, to be planted and handed out in turn. The
set of outcomes is the serial search's; the number of runs may differ a
little, as sleep sets only know the siblings handed out before.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Callable, Optional

from .dpor import Search, SearchStats
from .executor import Job, Request, Touches, execute
from .outcome import Outcomes, Report

INSTALL = "--ray needs Ray: pip install 'proclab[cluster]'"

Result = tuple[Outcomes, SearchStats, list[tuple[int, dict[int, bool]]], Touches]


class RayMissing(Exception):
    """Ray is not installed, or the cluster cannot be reached."""


def search_subtree(job: Job, root: dict[int, int], sleep: dict[int, Touches], by: Optional[str],
                   bound: Optional[int], max_runs: Optional[int]) -> Result:
    """What a worker does: DPOR below `root`; returns the outcomes, the
    counts, the races above the root and the step the root's choice took."""
    search = Search(lambda request: execute(job, request), bound=bound, max_runs=max_runs, root=root,
                    root_sleep=sleep)
    outcomes = Outcomes(by)
    for trace in search.traces():
        outcomes.add(trace)
    last = max(root)
    return outcomes, search.stats, search.escaped, search.path[last].taken[root[last]]


def explore_parallel(job: Job, submit: Callable[..., Any], next_done: Callable[[list[Any]], Any],
                     result_of: Callable[[Any], Result], *, by: Optional[str] = None,
                     bound: Optional[int] = None, max_runs: Optional[int] = None,
                     on_run: Callable[[int, int], None] = lambda runs, outcomes: None) -> Report:
    """The coordinator: `submit(fn, *args)` starts a task, `next_done(tasks)`
    waits for one to finish, `result_of(task)` is what it returned."""
    started = time.perf_counter()
    owner = Search(lambda request: execute(job, request), bound=bound)
    first = execute(job, Request())
    owner._extend(first.steps, 0)
    owner._races(first.steps)
    outcomes = Outcomes(by)
    total = SearchStats(runs=1)
    if first.blocked:  # pragma: no cover - nothing sleeps in the first run
        total.blocked += 1
    else:
        outcomes.add(first)
    handed: dict[int, list[int]] = {}
    pending: dict[Any, tuple[int, int, int]] = {}   # task -> (state, choice, runs it may make)
    promised = [0]                                   # runs the pending tasks may still make

    def hand_out() -> None:
        for c, node in enumerate(owner.path):
            for q in sorted(node.backtrack - node.done - node.sleep.keys() - {node.chosen}):
                node.done.add(q)
                if bound is not None and (q != node.linux) > bound:
                    total.pruned = True
                    continue
                left = None if max_runs is None else max_runs - total.runs - promised[0]
                if left is not None and left < 1:
                    node.done.discard(q)  # not handed out yet: the budget may come back
                    return
                earlier = handed.setdefault(c, [])
                sleep = dict(node.sleep)
                sleep[node.chosen] = node.taken[node.chosen]
                sleep.update((r, node.taken[r]) for r in earlier if r in node.taken)
                earlier.append(q)
                root = {i: owner.path[i].chosen for i in range(c)}
                root[c] = q
                limit = None if left is None else max(1, left // 2)  # half of what is left: others wait
                promised[0] += limit or 0
                pending[submit(search_subtree, job, root, sleep, by, bound, limit)] = (c, q, limit or 0)

    hand_out()
    while pending:
        task = next_done(list(pending))
        c, q, limit = pending.pop(task)
        promised[0] -= limit
        part, stats, escaped, touches = result_of(task)
        outcomes.merge(part)
        total.runs += stats.runs
        total.blocked += stats.blocked
        total.pruned = total.pruned or stats.pruned
        total.shared_memory = total.shared_memory or stats.shared_memory or first.shared_memory
        owner.path[c].taken[q] = touches
        for index, initials in escaped:
            owner.plant_escaped(index, initials)
        on_run(total.runs, len(outcomes.seen))
        hand_out()
    if any(node.backtrack - node.done - node.sleep.keys() - {node.chosen} for node in owner.path):
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

    return explore_parallel(job, lambda fn, *args: remote.remote(*args), next_done, ray.get, **options)


def explore_on_cores(job: Job, jobs: int, **options: Any) -> Report:
    """The search in `jobs` processes of this machine."""
    with ProcessPoolExecutor(jobs) as pool:
        def next_done(tasks: list[Future]) -> Future:
            done, _ = wait(tasks, return_when=FIRST_COMPLETED)
            return min(done, key=tasks.index)

        return explore_parallel(job, pool.submit, next_done, Future.result, **options)
