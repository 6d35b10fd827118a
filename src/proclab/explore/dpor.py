"""The search: stateless model checking with dynamic partial-order reduction.

Every run starts the program afresh and follows a schedule prefix; where the
prefix ends, each choice is Linux's own. After a run, every *race* in it --
two dependent steps of different tasks with nothing else ordering them -- is
a place where the other order may give something new: as in source-DPOR
(Abdulla, Aronis, Jonsson, Sagonas, "Optimal dynamic partial order
reduction", POPL 2014), the task that could start the reversed order (an
*initial* of the steps that do not depend on the first of the two) is added
to the backtrack set of the state before the race, unless one such task is
there already. Sleep sets (Godefroid) keep two runs that only swap
independent steps from both being made: once a task has been explored at a
state, it sleeps in the states after it until a step dependent on its own
has run. So no two complete runs are equivalent, and every class of
equivalent schedules (a Mazurkiewicz trace) is run at least once.

The search knows nothing of the kernel: a run is a function from a Request
to a Trace (executor.py), which the tests also feed with small models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional

from .executor import Request, Step, Touches, Trace, dependent


@dataclass
class Node:
    """A state on the current path: before step `index` of the run."""

    enabled: tuple[int, ...]
    linux: int                           # the task Linux runs here
    chosen: int                          # the task the current run takes here
    sleep: dict[int, Touches]            # tasks asleep on entering this state, with their steps
    backtrack: set[int] = field(default_factory=set)
    done: set[int] = field(default_factory=set)
    taken: dict[int, Touches] = field(default_factory=dict)  # the step each explored task took here


@dataclass
class SearchStats:
    runs: int = 0           # runs made (blocked ones included)
    blocked: int = 0        # runs stopped by the sleep set (no new outcome possible)
    complete: bool = False  # the whole space was covered (up to equivalence)
    pruned: bool = False    # something was left out by the preemption bound or max_runs
    shared_memory: bool = False  # some run had tasks sharing writable memory: not covered


def sleep_after(node: Node) -> dict[int, Touches]:
    """The sleep set of the state after `node`'s chosen step: the tasks
    asleep here or explored here before, unless that step depends on theirs."""
    step = node.taken[node.chosen]
    out = {}
    for q, touches in list(node.sleep.items()) + [(r, node.taken[r]) for r in sorted(node.done)]:
        if q != node.chosen and not dependent(touches, step):
            out[q] = touches
    return out


class Search:
    """Depth-first DPOR over the runs `run` makes. `bound`: at most this many
    steps that differ from Linux's choice (a preemption bound: None for
    none); `max_runs`: stop after this many runs. `root`: search only the
    subtree below this prefix of choices (step index -> pid), whose own
    alternatives someone else explores (cluster.py), with `root_sleep` the
    sleep set of its last step; the races that reach above it are kept in
    `escaped` (step index, the tasks that could start the reversal) for
    whoever owns those states. `split_after`: after this many runs, stop
    with the path of the last run left as it is (`split` says so): its
    untried choices are handed to others (cluster.py)."""

    def __init__(self, run: Callable[[Request], Trace], bound: Optional[int] = None,
                 max_runs: Optional[int] = None, reduce: bool = True, root: Optional[dict[int, int]] = None,
                 root_sleep: Optional[dict[int, Touches]] = None, split_after: Optional[int] = None) -> None:
        self.run = run
        self.bound = bound
        self.max_runs = max_runs
        self.reduce = reduce          # False: every schedule (for tests: brute force)
        self.root = dict(root or {})
        self.root_sleep = dict(root_sleep or {})
        self.path: list[Node] = []
        self.stats = SearchStats()
        self.escaped: list[tuple[int, dict[int, bool]]] = []
        self.split_after = split_after
        self.split = False

    def traces(self) -> Iterator[Trace]:
        """Every run that reached an end (an outcome), in search order."""
        request = Request(dict(self.root), dict(self.root_sleep), max(len(self.root) - 1, 0))
        while True:
            if self.max_runs is not None and self.stats.runs >= self.max_runs:
                self.stats.pruned = True
                return
            trace = self.run(request)
            self.stats.runs += 1
            self.stats.shared_memory = self.stats.shared_memory or trace.shared_memory
            self._extend(trace.steps, len(request.forced))
            if trace.blocked:
                self.stats.blocked += 1
            else:
                yield trace
            if self.reduce:
                self._races(trace.steps, max(len(request.forced) - 1, 0))
            else:
                for node in self.path[len(request.forced):]:
                    node.backtrack.update(node.enabled)
            if self.split_after is not None and self.stats.runs >= self.split_after:
                self.split = True
                return
            next_request = self._backtrack()
            if next_request is None:
                self.stats.complete = not self.stats.pruned
                return
            request = next_request

    # ---- the path ---------------------------------------------------------------

    def _extend(self, steps: list[Step], forced: int) -> None:
        """Record the states the run went through past its prefix."""
        path = self.path
        if forced > len(path):  # the first run of a subtree: its prefix is fixed
            for i in range(forced):
                step = steps[i]
                path.append(Node(step.enabled, step.linux, step.tid, {}, {step.tid}, {step.tid},
                                 {step.tid: step.touches}))
            path[-1].sleep = dict(self.root_sleep)
        elif forced:
            last = path[forced - 1]
            last.taken[last.chosen] = steps[forced - 1].touches
        for i in range(forced, len(steps)):
            step = steps[i]
            sleep = sleep_after(path[i - 1]) if i else {}
            node = Node(step.enabled, step.linux, step.tid, sleep if self.reduce else {}, {step.tid})
            node.taken[step.tid] = step.touches
            path.append(node)

    def _deviations(self, upto: int) -> int:
        return sum(1 for node in self.path[:upto] if node.chosen != node.linux)

    def _backtrack(self) -> Optional[Request]:
        """The next prefix: the deepest state with a task still to explore."""
        path = self.path
        while len(path) > len(self.root):
            node = path[-1]
            node.done.add(node.chosen)
            for q in sorted(node.backtrack - node.done - node.sleep.keys()):
                if self.bound is not None and self._deviations(len(path) - 1) + (q != node.linux) > self.bound:
                    self.stats.pruned = True
                    continue
                node.chosen = q
                sleep = dict(node.sleep)
                sleep.update((r, node.taken[r]) for r in node.done)
                forced = {i: n.chosen for i, n in enumerate(path)}
                return Request(forced, sleep if self.reduce else {}, len(path) - 1)
            path.pop()
        return None

    # ---- races ---------------------------------------------------------------

    def _races(self, steps: list[Step], fresh: int = 0) -> None:
        """Find every race of the run and plant its reversal. The steps
        before `fresh` repeat those of an earlier run (the prefix, less its
        last step, which is a new choice); a race between two of them was
        planted by that run already, as was its reversal (it depends only on
        the steps between the two), so only races that end at a fresh step
        are looked at; the happens-before of all steps is still needed."""
        hb = [0] * len(steps)                 # bit i of hb[j]: step i happens before step j
        last_of: dict[int, int] = {}
        last_write: dict[object, int] = {}
        reads: dict[object, list[int]] = {}
        for j, step in enumerate(steps):
            preds = []
            mine = last_of.get(step.tid)
            if mine is not None:
                preds.append(mine)
            conflicts = set()
            for key, written in step.touches.items():
                w = last_write.get(key)
                if w is not None:
                    conflicts.add(w)
                if written:
                    conflicts.update(reads.get(key, ()))
            conflicts.discard(j)
            everyone = preds + sorted(conflicts)
            mask = 0
            for d in everyone:
                mask |= hb[d] | (1 << d)
            hb[j] = mask
            for c in sorted(conflicts) if j >= fresh else ():
                if steps[c].tid == step.tid:
                    continue
                others = 0
                for d in everyone:
                    if d != c:
                        others |= hb[d] | (1 << d)
                if not others >> c & 1:
                    self._reverse(c, j, steps, hb)
            for key, written in step.touches.items():
                if written:
                    last_write[key] = j
                    reads[key] = []
                else:
                    reads.setdefault(key, []).append(j)
            last_of[step.tid] = j

    def _reverse(self, c: int, j: int, steps: list[Step], hb: list[int]) -> None:
        """Steps c and j race: some task that can start the sequence of the
        steps between them that do not come after c, then j, must be tried
        at the state before c (or, above the subtree searched, by its owner)."""
        node = self.path[c]
        later = [e for e in range(c + 1, j) if not hb[e] >> c & 1] + [j]
        vmask = 0
        for e in later:
            vmask |= 1 << e
        initials: dict[int, bool] = {}   # tid -> a system task
        seen = set()
        for e in later:
            tid = steps[e].tid
            if tid in seen:
                continue
            seen.add(tid)
            if not hb[e] & vmask and tid in node.enabled:
                initials[tid] = steps[e].system
        if c < len(self.root):
            if initials:
                self.escaped.append((c, initials))
            return
        plant(node, initials)


def plant(node: Node, initials: dict[int, bool]) -> None:
    """Add one of `initials` (tid -> a system task) to the node's backtrack
    set unless one of them is there already (source-DPOR's rule). Linux's
    own choice if it will do, else a program's task: a system task's step
    is independent of everything, so starting with it would only put the
    others to sleep."""
    if not initials or not node.backtrack.isdisjoint(initials):
        return  # not reversible here (c enabled j's task), or already planned
    q = node.linux if node.linux in initials else min(initials, key=lambda t: (initials[t], t))
    node.backtrack.add(q)
