"""The trace views of a run on several CPUs: the summary's line per CPU and
its migrations, a Perfetto track per CPU, ftrace's CPU column and
sched_migrate_task lines, the progress line's switches of every CPU; and a
one-CPU summary exactly as before."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import SimRun, run_sim
from rich.console import Console
from test_trace import _FORMATS, _LINE, validate

from proclab.cli.progress import describe_run
from proclab.kernel.kernel import KernelConfig
from proclab.toolchain.compile import compile_c
from proclab.trace import ftrace, perfetto
from proclab.trace.events import Trace
from proclab.trace.model import RUNNING, STATE_NAMES
from proclab.trace.record import Recorder
from proclab.trace.summary import summary

THREADS = Path(__file__).resolve().parent / "trace_cpus_threads.c"  # not a host-comparable program
_CPU_LINE = re.compile(r"cpu (\d+): busy (\d+\.\d{3}) ms · (\d+) context switch(?:es)?$", re.M)
_MIGRATE = r"comm=\S+ pid=\d+ prio=\d+ orig_cpu=(\d+) dest_cpu=(\d+)"

Spans = list[tuple[float, float]]


def record(cpus: int) -> tuple[Trace, SimRun]:
    """The trace of trace_cpus_threads.c on `cpus` CPUs, and the finished run."""
    holder: dict[str, Recorder] = {}
    sim = run_sim(compile_c(THREADS), config=KernelConfig(memory=256 << 20, cpus=cpus),
                  probes=lambda k: holder.setdefault("rec", Recorder(k, where=False)))
    assert sim.stdout == b"done\n" and sim.result.reason == "poweroff"
    return holder["rec"].trace([THREADS.name]), sim


@pytest.fixture(scope="module")
def two() -> tuple[Trace, SimRun]:
    return record(2)


def summary_text(trace: Trace) -> str:
    console = Console(width=200, record=True)
    console.print(summary(trace.run))
    return console.export_text()


def running_ns(trace: Trace) -> int:
    """The time the tasks other than the idle tasks were running."""
    return sum(s.end - s.start for t in trace.run.tasks.values() if not t.idle for s in t.states
               if s.state == RUNNING)


def covered(inner: Spans, outer: Spans) -> bool:
    """Whether every span of `inner` lies inside the union of `outer`."""
    merged: Spans = []
    for start, end in sorted(outer):
        if merged and start <= merged[-1][1] + 1e-6:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return all(any(s >= a - 1e-6 and e <= b + 1e-6 for a, b in merged) for s, e in inner)


def test_summary_has_a_line_per_cpu_and_the_migrations(two: tuple[Trace, SimRun], tmp_path: Path) -> None:
    trace, sim = two
    text = summary_text(trace)
    cpus = [(int(cpu), float(ms), int(n)) for cpu, ms, n in _CPU_LINE.findall(text)]
    assert [cpu for cpu, _, _ in cpus] == [0, 1]
    assert all(ms > 0.1 and n > 0 for _, ms, n in cpus)
    # the CPUs' busy times are the time the tasks ran, their switches the total
    busy = sum(trace.meta["cpu_busy_ns"]) / 1e6
    assert sum(ms for _, ms, _ in cpus) == pytest.approx(busy, abs=0.002)  # each line rounded
    assert busy == pytest.approx(running_ns(trace) / 1e6, rel=0.03)
    assert f"(CPU busy {busy:.3f} ms)" in text
    assert f"context switches: {sum(n for _, _, n in cpus)}\n" in text
    assert [n for _, _, n in cpus] == [rq.nr_switches for rq in sim.kernel.sched.rqs]
    migrations = len(list(trace.select("sched_migrate_task")))
    assert migrations > 0 and f"\nmigrations: {migrations}\n" in text
    # the counts live in the saved trace: `trace show` prints the same summary
    path = tmp_path / "run.json"
    perfetto.write(trace, str(path))
    loaded = perfetto.load(str(path))
    assert loaded.meta == trace.meta and summary_text(loaded) == text


def test_perfetto_has_a_track_per_cpu_covering_each_task(two: tuple[Trace, SimRun]) -> None:
    trace, _ = two
    data = json.loads(perfetto.dumps(trace))
    found = validate(data)  # no two slices of one track overlap, the CPUs' included
    processes = {ev["pid"]: ev["args"]["name"] for ev in data["traceEvents"] if ev["name"] == "process_name"}
    cpu_tracks = {name: track for track, name in found["names"].items() if processes[track[0]] == "CPUs"}
    assert sorted(cpu_tracks) == ["CPU 0", "CPU 1"]
    on_cpus: dict[int, Spans] = defaultdict(list)
    for ev in data["traceEvents"]:
        if (ev["pid"], ev.get("tid")) in cpu_tracks.values() and ev["ph"] == "X":
            assert ev["name"] == f"{ev['args']['comm']} {ev['args']['pid']}"
            on_cpus[ev["args"]["pid"]].append((ev["ts"], ev["ts"] + ev["dur"]))
    for name in ("CPU 0", "CPU 1"):
        assert found["slices"][cpu_tracks[name]], f"{name} ran nothing"
    # each task's running time on its own track is time on some CPU's track;
    # the three spinning threads ran about a millisecond each
    spinners = 0
    for (pid, tid), name in found["names"].items():
        if processes.get(pid) == "CPUs":
            continue
        running = [(s, e) for s, e, state in found["slices"][pid, tid] if state == STATE_NAMES[RUNNING]]
        assert covered(running, on_cpus[tid]), name
        total = sum(e - s for s, e in running)
        if total > 500:
            spinners += 1
            assert total == pytest.approx(sum(e - s for s, e in on_cpus[tid]), rel=0.01)
    assert spinners == 3
    instants = {ev["cat"] for ev in data["traceEvents"] if ev["ph"] == "i"}
    assert {"sched_wakeup", "sched_migrate_task"} <= instants


def test_ftrace_lines_carry_the_cpu_they_happened_on(two: tuple[Trace, SimRun]) -> None:
    trace, _ = two
    text = ftrace.dumps(trace)
    assert "#P:2\n" in text
    formats = {**_FORMATS, "sched_migrate_task": _MIGRATE}
    last = 0.0
    on_cpu: dict[str, str] = {}
    migrations = 0
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = _LINE.match(line)
        assert m and re.fullmatch(formats[m["event"]], m["fields"]), line
        assert float(m["ts"]) >= last, "the CPUs' lines are merged in time order"
        last = float(m["ts"])
        if m["event"] == "sched_switch":
            fields = dict(f.split("=", 1) for f in m["fields"].replace(" ==>", "").split())
            # each CPU switches away from the task it ran
            assert on_cpu.get(m["cpu"], fields["prev_pid"]) == fields["prev_pid"] == m["pid"], line
            on_cpu[m["cpu"]] = fields["next_pid"]
        elif m["event"] == "sched_migrate_task":
            orig, dest = re.fullmatch(_MIGRATE, m["fields"]).groups()
            assert orig != dest and {orig, dest} <= {"0", "1"}
            migrations += 1
    assert sorted(on_cpu) == ["000", "001"]
    assert migrations == trace.run.counts.migrations > 0


def test_progress_counts_the_switches_of_every_cpu(two: tuple[Trace, SimRun]) -> None:
    trace, sim = two
    rqs = sim.kernel.sched.rqs
    assert all(rq.nr_switches for rq in rqs)
    assert f" · {trace.run.counts.context_switches:,} context switches · " in describe_run("x", sim.kernel)()


def test_one_cpu_summary_is_as_before() -> None:
    """The counts, then the virtual time and the busy time, and nothing per CPU."""
    trace, sim = record(1)
    k = sim.kernel
    c = trace.run.counts
    end = k.clock.now
    expected = (f"tasks created: {c.tasks_created}\ncontext switches: {c.context_switches}\n"
                f"page faults: {c.page_faults}\ncopy-on-write copies: {c.cow_copies}\nsyscalls: {c.syscalls}\n"
                f"signals sent: {c.signals}\n"
                f"virtual time: {end / 1e6:.3f} ms (CPU busy {(end - k.idle_ns) / 1e6:.3f} ms)\n")
    text = summary_text(trace)
    assert text.endswith("\n" + expected)
    assert c.migrations == 0 and c.context_switches == k.sched.rqs[0].nr_switches
