"""proclab explore: known outcome sets of small C programs, replay of every
schedule it reports, deadlocks, and the search itself checked against a
brute-force enumeration (on real programs and on random models)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proclab.explore.dpor import Search
from proclab.explore.executor import Job, Request, ScheduleMismatch, Step, Touches, Trace, choose, dependent, \
    execute, wake_sleepers
from proclab.explore.outcome import BadSchedule, explore, parse_schedule, schedule_id
from proclab.kernel.kernel import KernelConfig
from proclab.toolchain.compile import compile_c

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples" / "explore"


def job(name: str) -> Job:
    """The program tests/explore/NAME.c, or examples/explore/NAME.c."""
    source = HERE / f"{name}.c"
    binary = str(compile_c(source if source.exists() else EXAMPLES / f"{name}.c"))
    return Job(binary, [binary], config=KernelConfig(memory=256 << 20, max_time=10))


def stdouts(report) -> set[bytes]:
    return {o.stdout for o in report.outcomes}


def test_two_writers_give_exactly_ab_and_ba() -> None:
    report = explore(job("two_writers"), by="stdout")
    assert stdouts(report) == {b"ab", b"ba"}
    assert report.stats.complete
    assert all(o.status == 0 and not o.deadlock for o in report.outcomes)
    assert report.runs == sum(o.count for o in report.outcomes)


def test_a_child_synchronised_by_a_pipe_never_prints_after_its_waiter() -> None:
    report = explore(job("pipe_sync"))
    assert stdouts(report) == {b"cp"}
    assert report.stats.complete


def test_a_signal_to_a_child_that_may_have_exited() -> None:
    report = explore(job("kill_exited"))
    assert stdouts(report) == {b"kill 0, exit 3\n", b"kill 0, signal 15\n"}


@pytest.mark.parametrize("slack_ns, extra_us, expected", [
    ("1", "0", {b"01\n", b"10\n"}),    # equal sleeps: which one starts first
    ("0", "30", {b"01\n", b"10\n"}),   # 30 us apart, within the default slack: one interrupt
    ("1", "30", {b"01\n"}),             # 30 us apart and no slack: the first child's timer first
])
def test_two_sleeps_race_through_the_timer_queue_and_the_slack(slack_ns: str, extra_us: str,
                                                                expected: set[bytes]) -> None:
    """Arming a timer takes the timer queue's lock, so explore tries both
    orders of two sleeps; timers within each other's slack fire in one
    interrupt, so the child with the longer sleep can still print first."""
    binary = job("sleep_race").path
    report = explore(Job(binary, [binary, slack_ns, extra_us], config=KernelConfig(memory=256 << 20, max_time=10)))
    assert stdouts(report) == expected
    assert report.stats.complete


def test_every_reported_schedule_replays_its_outcome() -> None:
    for name in ("two_writers", "kill_exited"):
        j = job(name)
        for outcome in explore(j).outcomes:
            trace = execute(j, Request(forced=parse_schedule(outcome.schedule)))
            assert (trace.stdout, trace.status, trace.deadlock) == (outcome.stdout, outcome.status, outcome.deadlock)
            assert schedule_id(trace.steps) == outcome.schedule


def test_linux_schedule_is_what_run_gives() -> None:
    j = job("two_writers")
    first = execute(j, Request())
    assert schedule_id(first.steps) == "linux"
    from conftest import run_sim
    sim = run_sim(Path(j.path), config=KernelConfig(memory=256 << 20, max_time=10))
    assert first.stdout == sim.stdout


def test_a_deadlock_is_an_outcome_with_who_waits_where() -> None:
    report = explore(job("pipe_deadlock"))
    assert [o.deadlock for o in report.outcomes] == [True]
    (outcome,) = report.outcomes
    assert outcome.status == 124
    assert len(outcome.waits) == 2 and all("sleeps in read" in w for w in outcome.waits)


def test_a_schedule_for_another_program_is_refused() -> None:
    with pytest.raises(ScheduleMismatch):
        execute(job("two_writers"), Request(forced={3: 999}))
    with pytest.raises(BadSchedule):
        parse_schedule("garbage")
    assert parse_schedule("linux") == {}
    assert parse_schedule("4.5-9.3") == {4: 5, 9: 3}


# ---- the search against brute force --------------------------------------------------

def canonical(steps: list[Step]) -> tuple:
    """The Mazurkiewicz trace of a run: its steps (task, n-th step of the
    task, locks) in the lexicographically least order the dependencies
    allow. Two runs are equivalent exactly when these are equal."""
    events = []
    count: dict[int, int] = {}
    for s in steps:
        n = count.get(s.tid, 0)
        count[s.tid] = n + 1
        events.append((s.tid, n, tuple(sorted((repr(k), w) for k, w in s.touches.items()))))
    preds = [{i for i in range(j) if events[i][0] == events[j][0] or dependent(steps[i].touches, steps[j].touches)}
             for j in range(len(steps))]
    done: set[int] = set()
    out = []
    while len(done) < len(events):
        ready = [j for j in range(len(events)) if j not in done and preds[j] <= done]
        j = min(ready, key=lambda j: events[j])
        done.add(j)
        out.append(events[j])
    return tuple(out)


def test_dpor_never_repeats_an_equivalent_run_of_a_real_program() -> None:
    """(Against brute force on the models below: a real program's brute
    force takes thousands of runs, most of them orders of kernel threads.)"""
    j = job("kill_exited")
    classes = [canonical(t.steps) for t in Search(lambda r: execute(j, r)).traces()]
    assert len(classes) > 1
    assert len(classes) == len(set(classes)), "two equivalent runs"


class Model:
    """A program of tasks whose steps take given locks, run as the kernel
    driver would run it (the same `choose` and sleep-set rule); a task may
    need another task's step first (a wakeup). The outcome is the trace."""

    def __init__(self, tasks: list[list[Touches]], after: dict[tuple[int, int], tuple[int, int]]) -> None:
        self.tasks = tasks
        self.after = after   # (task, step) -> (task, step) that must have run before

    def __call__(self, request: Request) -> Trace:
        pos = [0] * len(self.tasks)
        sleep = dict(request.sleep)
        steps: list[Step] = []
        current: Optional[int] = None
        while True:
            enabled = tuple(t for t in range(len(self.tasks)) if pos[t] < len(self.tasks[t])
                            and self._ready(t, pos))
            if not enabled:
                return Trace(steps, repr(canonical(steps)).encode(), b"", 0, "poweroff", "", [], "")
            linux = current if current in enabled else enabled[0]
            tid = choose(request, len(steps), enabled, linux, sleep)
            if tid is None:
                return Trace(steps, b"", b"", 125, "blocked", "", [], "")
            touches = dict(self.tasks[tid][pos[tid]])
            steps.append(Step(tid, linux, enabled, touches))
            if len(steps) - 1 >= request.sleep_from:
                sleep = wake_sleepers(sleep, touches)
            pos[tid] += 1
            current = tid

    def _ready(self, t: int, pos: list[int]) -> bool:
        need = self.after.get((t, pos[t]))
        return need is None or pos[need[0]] > need[1]


KEYS = ["x", "y", "z"]
touches_st = st.dictionaries(st.sampled_from(KEYS), st.booleans(), max_size=2)
model_st = st.lists(st.lists(touches_st, min_size=1, max_size=3), min_size=2, max_size=3)


@settings(max_examples=60, deadline=None)
@given(model_st, st.data())
def test_dpor_finds_every_trace_of_random_models_once(tasks: list[list[Touches]], data) -> None:
    after = {}
    if data.draw(st.booleans()) and len(tasks[1]) > 1:
        after[(1, 1)] = (0, 0)  # task 1's second step waits for task 0's first
    model = Model(tasks, after)
    brute = {t.stdout for t in Search(model, reduce=False).traces()}
    dpor = [t.stdout for t in Search(model).traces()]
    assert set(dpor) == brute
    assert len(dpor) == len(set(dpor))


class DeferredPool:
    """Tasks run when the coordinator waits for one, in an order drawn by
    hypothesis: how a pool of workers may finish them."""

    def __init__(self, pick) -> None:
        self.pick = pick
        self.calls: dict[int, tuple] = {}
        self.results: dict[int, object] = {}

    def submit(self, fn, *args) -> int:
        handle = len(self.calls)
        self.calls[handle] = (fn, args)
        return handle

    def next_done(self, handles: list[int]) -> int:
        handle = handles[self.pick(len(handles))]
        fn, args = self.calls[handle]
        self.results[handle] = fn(*args)
        return handle


@settings(max_examples=60, deadline=None)
@given(model_st, st.integers(1, 3), st.integers(1, 3), st.data())
def test_the_search_split_into_small_tasks_finds_what_brute_force_finds(tasks, jobs, chunk, data) -> None:
    """Tasks of `chunk` runs that hand back the rest of their subtree, and
    races planted in states other tasks own, finishing in any order."""
    from proclab.explore.cluster import explore_parallel
    model = Model(tasks, {})
    brute = {t.stdout for t in Search(model, reduce=False).traces()}
    pool = DeferredPool(lambda n: data.draw(st.integers(0, n - 1)))
    report = explore_parallel(model, jobs, pool.submit, pool.next_done, pool.results.pop, chunk=chunk)
    assert {o.stdout for o in report.outcomes} == brute
    assert report.stats.complete


# ---- the commands ---------------------------------------------------------------------

def proclab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proclab", *args], capture_output=True, text=True, timeout=300)


def test_explore_json_has_exactly_the_documented_shape() -> None:
    proc = proclab("explore", "--json", str(HERE / "two_writers.c"))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"runs", "complete", "outcomes"}
    assert out["complete"] is True
    assert {o["stdout"] for o in out["outcomes"]} == {"ab", "ba"}
    for o in out["outcomes"]:
        assert set(o) == {"stdout", "status", "deadlock", "count", "schedule"}
        replay = proclab("run", "--schedule", o["schedule"], str(HERE / "two_writers.c"))
        assert replay.stdout == o["stdout"] and replay.returncode == o["status"]
    assert out["runs"] == sum(o["count"] for o in out["outcomes"])


def test_explore_table_and_bad_options() -> None:
    proc = proclab("explore", str(EXAMPLES / "pipe_deadlock.c"))
    assert proc.returncode == 0
    assert "deadlocks: pid" in proc.stdout and "complete" in proc.stdout
    for args, word in ((["--by", "bogus"], "--by bogus"), (["--max-runs", "0"], "--max-runs 0"),
                       (["--cpus", "2"], "--cpus 2")):
        bad = proclab("explore", *args, str(HERE / "two_writers.c"))
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and word in bad.stderr
    bad = proclab("run", "--schedule", "garbage", str(HERE / "two_writers.c"))
    assert bad.returncode == 2 and bad.stderr.startswith("proclab: --schedule garbage:")


def test_random_search_finds_outcomes_but_never_claims_completeness() -> None:
    report = explore(job("two_writers"), random_runs=30, seed=1)
    assert stdouts(report) <= {b"ab", b"ba"} and report.runs == 30
    assert not report.stats.complete


def test_on_this_machines_cores_the_outcomes_are_the_serial_ones() -> None:
    from proclab.explore.cluster import explore_on_cores
    j = job("kill_exited")
    assert stdouts(explore_on_cores(j, 2)) == stdouts(explore(j))


def test_on_ray_the_outcomes_are_the_serial_ones() -> None:
    ray = pytest.importorskip("ray")
    from proclab.explore.cluster import explore_on_ray
    j = job("two_writers")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = explore_on_ray(j, "local")
    finally:
        ray.shutdown()
    serial = explore(j)
    assert stdouts(on_ray) == stdouts(serial) and on_ray.stats.complete


def test_without_ray_the_option_says_how_to_install_it(monkeypatch) -> None:
    from proclab.explore.cluster import INSTALL, RayMissing, explore_on_ray
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    with pytest.raises(RayMissing, match="pip install 'proclab\\[cluster\\]'"):
        explore_on_ray(job("two_writers"), "local")
    assert "proclab[cluster]" in INSTALL


def test_threads_sharing_a_counter_give_1_and_2() -> None:
    """Accesses to memory another task can write are choice points: the
    first load and the first store to each such page (here within a bound
    of two choices other than Linux's, which the full search includes)."""
    j = job("threads_counter")
    report = explore(j, bound=2)
    assert stdouts(report) == {b"1\n", b"2\n"}
    assert report.stats.shared_memory
    for outcome in report.outcomes:
        assert execute(j, Request(forced=parse_schedule(outcome.schedule))).stdout == outcome.stdout


def test_syscalls_copying_to_and_from_shared_memory_are_dependent() -> None:
    """kernel_copies.c: read() into a MAP_SHARED byte in the child, write()
    of it in the parent. Only the kernel touches the page (uaccess reports
    it to lockdep), and nothing else orders the two calls: 0 and 1."""
    j = job("kernel_copies")
    report = explore(j)
    assert stdouts(report) == {b"0", b"1"}
    assert report.stats.complete
    for outcome in report.outcomes:
        assert execute(j, Request(forced=parse_schedule(outcome.schedule))).stdout == outcome.stdout


def test_a_run_with_too_many_steps_is_stopped_with_a_reason() -> None:
    bomb = HERE.parent / "never_ending" / "fork_bomb.c"
    binary = str(compile_c(bomb))
    j = Job(binary, [binary], config=KernelConfig(memory=256 << 20, max_time=10), max_steps=300)
    report = explore(j, max_runs=3)
    assert {(o.status, o.reason) for o in report.outcomes} == {(124, "timeout")}
    assert "more than 300 steps" in report.outcomes[0].message


def test_the_table_shows_a_long_schedule_id_whole() -> None:
    """An id folds onto more lines of its cell instead of being cut: it is
    what `proclab run --schedule` needs."""
    import io

    from rich.console import Console

    from proclab.cli.explore_cmd import print_report
    from proclab.explore.dpor import SearchStats
    from proclab.explore.outcome import Outcome, Report
    schedule = "-".join(f"{i}.{i % 7 + 4}" for i in range(20, 60))
    report = Report([Outcome(b"cbaxCBXA", 0, False, schedule, 8)], SearchStats(runs=8, complete=True), 1.0)
    buf = io.StringIO()
    print_report(report, Console(file=buf, width=80, highlight=False, soft_wrap=True))
    lines = buf.getvalue().splitlines()
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("\u2521")) + 1:]
    cells = [line.split("\u2502")[-2].strip() for line in body if line.startswith("\u2502")]
    assert "".join(cells) == schedule


def test_an_explored_run_leaves_no_machine_behind() -> None:
    """The collection at the end of a run frees its machine: nothing keeps
    it (the CPU kept for the next run lets go of it), so none is left for
    older generations to carry run after run."""
    import gc

    from proclab.kernel.kernel import Kernel

    def machines() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, Kernel))

    j = job("two_writers")
    execute(j, Request())
    before = machines()
    for _ in range(3):
        execute(j, Request())
    assert machines() == before
