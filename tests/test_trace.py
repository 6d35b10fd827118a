"""The trace consumers (issue 6): the Perfetto/Chrome JSON validates against
the trace-event format, the ftrace text parses line by line, the timeline is a
real picture, the tree says where in the C source tasks were created, blocked
and ended, a saved trace re-renders the same views, the same run gives the
same bytes, and tracing never changes the run it watches."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, PROGRAMS, program, run_sim
from PIL import Image
from rich.console import Console
from scripted import run_scripted
from test_cli import one_line, proclab

from proclab.kernel.kernel import KernelConfig
from proclab.trace import ftrace, perfetto, record_program
from proclab.trace.events import Trace
from proclab.trace.model import STATE_NAMES
from proclab.trace.record import MAX_DETAILED, Recorder
from proclab.trace.summary import summary
from proclab.trace.timeline import COLOURS, _command_line, render


def record(binary: Path, where: bool = True, detailed: int = MAX_DETAILED) -> Trace:
    """Run `binary` on proclab with a recorder; its trace."""
    holder: dict[str, Recorder] = {}
    run_sim(binary, probes=lambda k: holder.setdefault("rec", Recorder(k, where=where, detailed=detailed)))
    return holder["rec"].trace([binary.name])


@pytest.fixture(scope="module")
def seed_trace() -> Trace:
    return record(program("seed_ex3_process_count"))


def test_faults_beyond_the_detail_limit_are_counted_not_kept(seed_trace: Trace, tmp_path: Path) -> None:
    """A run with millions of page faults must not make a trace of
    gigabytes: past the limit, fault and COW events are only counted, and
    every count (per task and in all) stays what it was."""
    small = record(program("seed_ex3_process_count"), detailed=10)
    detail = ("page_fault_user", "mm_cow")
    assert len(list(small.select(*detail))) == 10
    kept_in_full = len(list(seed_trace.select(*detail)))
    assert small.meta["events_not_kept"] == kept_in_full - 10 > 0
    assert small.run.counts == seed_trace.run.counts and small.run.counts.page_faults > 0
    usage = {t.id: (t.syscalls, t.faults, t.cow_copies) for t in seed_trace.run.tasks.values()}
    assert {t.id: (t.syscalls, t.faults, t.cow_copies) for t in small.run.tasks.values()} == usage
    path = tmp_path / "small.json"
    perfetto.write(small, str(path))
    assert perfetto.load(str(path)).run.counts == small.run.counts
    text = Console(width=200, record=True)
    text.print(summary(small.run))
    assert f"{kept_in_full - 10} more are only counted" in text.export_text()


# ---- Perfetto / Chrome trace-event JSON -------------------------------------------------------

_REQUIRED = {
    "M": {"name", "ph", "pid", "args"},
    "X": {"name", "cat", "ph", "ts", "dur", "pid", "tid"},
    "i": {"name", "cat", "ph", "ts", "pid", "tid", "s"},
    "s": {"name", "cat", "ph", "ts", "pid", "tid", "id"},
    "f": {"name", "cat", "ph", "ts", "pid", "tid", "id", "bp"},
}


def validate(data: dict[str, Any]) -> dict[str, Any]:
    """Check a trace-event file; returns what the checks found (tracks,
    slices per track, flows) for further assertions."""
    events = data["traceEvents"]
    names: dict[tuple[int, int], str] = {}
    last_ts: dict[tuple[int, int], float] = {}
    slices: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
    flows: dict[int, dict[str, tuple]] = defaultdict(dict)
    for ev in events:
        ph = ev["ph"]
        assert ph in _REQUIRED, ev
        assert _REQUIRED[ph] <= ev.keys(), ev
        if ph == "M":
            if ev["name"] in ("thread_name", "thread_sort_index"):
                assert "tid" in ev
            if ev["name"] == "thread_name":
                assert (ev["pid"], ev["tid"]) not in names, "two tracks with one key"
                names[ev["pid"], ev["tid"]] = ev["args"]["name"]
            continue
        track = (ev["pid"], ev["tid"])
        assert track in names, f"event on an unnamed track: {ev}"
        assert ev["ts"] >= last_ts.get(track, 0), f"ts goes back on {track}: {ev}"
        last_ts[track] = ev["ts"]
        if ph == "X":
            assert ev["dur"] > 0, ev
            slices[track].append((ev["ts"], ev["ts"] + ev["dur"], ev["name"]))
        elif ph == "i":
            assert ev["s"] == "t"
        else:
            assert ph not in flows[ev["id"]], f"flow {ev['id']} has two {ph} ends"
            flows[ev["id"]][ph] = (ev["ts"], track)
    for track, spans in slices.items():
        for (_, end, _), (start, _, _) in zip(spans, spans[1:]):
            assert start >= end - 1e-6, f"overlapping slices on {track}"
    for fid, ends in flows.items():
        assert ends.keys() == {"s", "f"}, f"fork flow {fid} without both ends"
        (s_ts, _), (f_ts, child) = ends["s"], ends["f"]
        assert f_ts >= s_ts
        # the arrow ends where the child starts running
        assert any(start == f_ts and name == STATE_NAMES["running"] for start, _, name in slices[child])
    return {"names": names, "slices": slices, "flows": flows}


def test_perfetto_json_validates_and_every_fork_has_its_child(seed_trace: Trace) -> None:
    text = perfetto.dumps(seed_trace)
    found = validate(json.loads(text))
    forks = [e for e in seed_trace.select("sched_process_fork") if e.get("pid") != 0]
    assert len(forks) == 11 + 2  # the program's 11, init's child, kthreadd's worker
    assert len(found["flows"]) == len(forks)
    for fork in forks:
        assert fork.get("child_id") in found["flows"]
    # twelve processes of the program, each a named track that ran; children
    # whose parent was busy stayed zombies for a while (a waiting parent
    # reaps at once)
    program_tracks = [k for k, name in found["names"].items() if name == "seed_ex3_proces"]
    assert len(program_tracks) == 12
    states = [{name for _, _, name in found["slices"][track]} for track in program_tracks]
    assert all(STATE_NAMES["running"] in s for s in states)
    assert sum(STATE_NAMES["Z"] in s for s in states) >= 6
    # one CPU track, never running two tasks at once (checked by validate)
    assert sum(1 for name in found["names"].values() if name == "CPU 0") == 1
    # what Perfetto's JSON reader needs: the trace events before our own key,
    # "ts" before any other value, no \u escapes
    head = text[:text.index('"proclab":')]
    assert text.startswith('{"traceEvents":[') and "\\u" not in head
    assert all(line.index('"ts"') < line.index('"pid"') for line in head.splitlines() if '"ts"' in line)


def test_pids_used_twice_get_a_track_each() -> None:
    def main(u):
        for _ in range(320):  # pids 5..309, then from 300 again
            pid = yield u.fork(lambda u: iter([u.sys("exit_group", 0)]))
            yield u.sys("wait4", pid, 0, 0, 0)

    holder: dict[str, Recorder] = {}
    run_scripted(main, KernelConfig(memory=32 << 20, pid_max=310),
                 probes=lambda k: holder.setdefault("rec", Recorder(k)))
    trace = holder["rec"].trace()
    found = validate(json.loads(perfetto.dumps(trace)))
    pids = [e.get("child_pid") for e in trace.select("sched_process_fork")]
    assert len(set(pids)) < len(pids)  # numbers came back
    assert len(found["names"]) == len([t for t in trace.run.tasks.values() if not t.idle]) + 1  # + CPU 0


# ---- ftrace text -------------------------------------------------------------------------------

_COMM = r"\S+"
_FORMATS = {
    "sched_switch": rf"prev_comm={_COMM} prev_pid=\d+ prev_prio=\d+ prev_state=(R\+?|S|D|I|T|t|X|Z) ==> "
                    rf"next_comm={_COMM} next_pid=\d+ next_prio=\d+",
    "sched_wakeup": rf"comm={_COMM} pid=\d+ prio=\d+ target_cpu=\d{{3}}",
    "sched_wakeup_new": rf"comm={_COMM} pid=\d+ prio=\d+ target_cpu=\d{{3}}",
    "sched_process_fork": rf"comm={_COMM} pid=\d+ child_comm={_COMM} child_pid=\d+",
    "sched_process_exec": r"filename=\S+ pid=\d+ old_pid=\d+",
    "sched_process_exit": rf"comm={_COMM} pid=\d+ prio=\d+",
    "sched_process_wait": rf"comm={_COMM} pid=\d+ prio=\d+",
    "sched_process_free": rf"comm={_COMM} pid=\d+ prio=\d+",
    "task_newtask": rf"pid=\d+ comm={_COMM} clone_flags=[0-9a-f]+ oom_score_adj=-?\d+",
    "task_rename": rf"pid=\d+ oldcomm={_COMM} newcomm={_COMM} oom_score_adj=-?\d+",
    "signal_generate": rf"sig=\d+ errno=-?\d+ code=-?\d+ comm={_COMM} pid=\d+ grp=[01] res=[0-4]",
    "signal_deliver": r"sig=\d+ errno=-?\d+ code=-?\d+ sa_handler=[0-9a-f]+ sa_flags=[0-9a-f]+",
}
_LINE = re.compile(r"^ {0,16}(?P<comm>\S.*)-(?P<pid>\d+) +\[(?P<cpu>\d{3})\] [.dNhHsSzZ0-9]{4} "
                   r"+(?P<ts>\d+\.\d{6}): (?P<event>\w+): (?P<fields>.*)$")
# The line regex of Perfetto's systrace tokenizer (systrace_line_tokenizer.cc)
_PERFETTO = re.compile(r"-(\d+)\s+\(?\s*(\d+|-+)?\)?\s?\[(\d+)\]\s*[a-zA-Z0-9.]{0,4}\s+(\d+\.\d+):\s+(\S+):")


def test_ftrace_text_parses_with_a_strict_regex_per_event() -> None:
    trace = record(program("blocked_once"))
    text = ftrace.dumps(trace)
    lines = text.splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = [line for line in lines if not line.startswith("#")]
    assert lines[0] == "# tracer: nop" and len(header) == 11
    assert f"entries-in-buffer/entries-written: {len(body)}/{len(body)}" in text
    seen: set[str] = set()
    last = 0.0
    on_cpu = None
    for line in body:
        m = _LINE.match(line)
        assert m, line
        assert _PERFETTO.search(line), line
        event = m["event"]
        assert re.fullmatch(_FORMATS[event], m["fields"]), line
        seen.add(event)
        ts = float(m["ts"])
        assert ts >= last
        last = ts
        if event == "sched_switch":
            fields = dict(f.split("=", 1) for f in m["fields"].replace(" ==>", "").split())
            # the task switched away from is the one the CPU was running
            assert on_cpu is None or fields["prev_pid"] == on_cpu
            assert m["pid"] == fields["prev_pid"]
            on_cpu = fields["next_pid"]
    assert set(_FORMATS) <= seen
    delivered = [line for line in body if "signal_deliver:" in line and "sa_handler=0 " not in line]
    assert delivered, "a handled signal shows its handler's address"


# ---- the timeline picture ---------------------------------------------------------------------


def _colours(png: Path) -> set[tuple[int, int, int]]:
    with Image.open(png) as im:
        assert im.format == "PNG"
        return {c[:3] for _, c in im.convert("RGB").getcolors(maxcolors=1 << 20)}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_timeline_is_a_real_picture(seed_trace: Trace, tmp_path: Path) -> None:
    png = tmp_path / "run.png"
    render(seed_trace, str(png))
    assert png.stat().st_size > 20_000
    colours = _colours(png)
    assert len(colours) > 20
    for state in ("running", "R", "S", "Z"):
        assert _rgb(COLOURS[state]) in colours, state
    with Image.open(png) as im:
        assert "Software" not in im.info and im.size[0] >= 1200


def test_timeline_stays_legible_at_fifty_tasks(tmp_path: Path) -> None:
    def child(u):
        yield u.sys("getpid")

    def main(u):
        for _ in range(48):
            yield u.fork(child)
        while (yield u.sys("wait4", -1, 0, 0, 0)) > 0:
            pass

    holder: dict[str, Recorder] = {}
    run_scripted(main, probes=lambda k: holder.setdefault("rec", Recorder(k)))
    trace = holder["rec"].trace()
    assert len(trace.run.user_tasks()) == 50
    png = tmp_path / "fifty.png"
    render(trace, str(png))
    with Image.open(png) as im:
        assert im.size[1] / 50 >= 14  # pixels per task row: room for a readable label



def test_timeline_title_is_the_command_as_typed() -> None:
    """Only the program is shortened to its file name: a shell script's
    slashes stay, `$` is not taken for mathematics, a long line is cut."""
    assert _command_line(["/bin/sh", "-c", "ls / | head -1"]) == "sh -c ls / | head -1"
    assert _command_line(["sh", "-c", "kill $$"]) == r"sh -c kill \$\$"
    long = _command_line(["/x/prog", "a" * 100])
    assert len(long) == 60 and long.startswith("prog aaa") and long.endswith("…")
    assert _command_line([]) == ""


# ---- the tree, with source lines ------------------------------------------------------------


def test_tree_shows_where_tasks_forked_blocked_and_ended() -> None:
    res = proclab("run", "--tree", str(EXAMPLES / "fork_hello.c"))
    assert res.returncode == 0
    assert res.stdout.startswith(b"hello from the only process\n")
    text = res.stderr.decode()
    assert "4 fork_hello  exit 0 · reaped by 1" in text
    assert "5 fork_hello  exit 7 · reaped by 4" in text
    assert "created: fork() at fork_hello.c:11" in text
    assert "blocked: waitpid() at fork_hello.c:17" in text
    assert text.count("ended: return from main") == 2
    assert "tasks created" not in text  # the counts belong to --summary
    text = proclab("run", "--tree", str(EXAMPLES / "seed_zombie_orphan.c")).stderr.decode()
    assert "orphan, adopted by 4 · reaped by 4" in text
    assert "ended: _exit() at seed_zombie_orphan.c:10" in text
    text = proclab("run", "--tree", str(PROGRAMS / "crash.c")).stderr.decode()
    assert "SIGSEGV" in text and "ended: at crash.c:6" in text


def test_states_say_why_a_task_sleeps() -> None:
    run = record(program("fork_hello")).run
    parent, child = [t for t in run.user_tasks() if t.comm == "fork_hello"]
    waits = [s for s in parent.states if s.state == "S"]
    assert [s.detail for s in waits] == ["wait4: waitpid() at fork_hello.c:17"]
    # the parent sleeps while its child runs, is woken by the child's exit,
    # and gets the CPU once the child has left it
    ran = [s for s in child.states if s.state == "running"]
    woken = parent.states[parent.states.index(waits[0]) + 1]
    assert woken.state == "R" and woken.start == child.exit_ts
    assert ran and waits[0].start <= ran[0].start and ran[-1].end == woken.end
    assert child.reaped_by == parent.pid and child.states[-1].end == child.freed
    # a child nobody waits for yet stays a zombie until its parent reaps it
    run = record(program("seed_zombie_orphan")).run
    zombie = next(t for t in run.user_tasks() if t.ended == "exit 5")
    last = zombie.states[-1]
    assert last.state == "Z" and last.start > zombie.exit_ts and last.end == zombie.freed
    # every task's states follow each other without gaps from creation on
    for task in run.user_tasks()[1:]:
        assert task.states[0].start == task.created
        assert all(a.end == b.start for a, b in zip(task.states, task.states[1:]))


def test_tracing_does_not_change_the_run() -> None:
    """The same events at the same virtual times with and without the
    recorder and its stack unwinding (which must not fault pages in)."""
    def log_into(log: list):
        def probes(kernel):
            kernel.tp.connect_all(lambda name, args: log.append((kernel.clock.now, name, repr(
                tuple(getattr(a, "pid", a) for a in args)))))
        return probes

    plain: list = []
    traced: list = []
    binary = program("seed_zombie_orphan")
    run_sim(binary, probes=log_into(plain))
    holder: dict[str, Recorder] = {}

    def both(kernel):
        log_into(traced)(kernel)
        holder["rec"] = Recorder(kernel)

    run_sim(binary, probes=both)
    assert traced == plain
    assert any(e.get("where") for e in holder["rec"].events if e.name == "sched_set_state")


# ---- determinism, saved traces, the API --------------------------------------------------------


def test_two_runs_write_byte_identical_files(tmp_path: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        files = [tmp_path / f"{run}.json", tmp_path / f"{run}.txt", tmp_path / f"{run}.png"]
        res = proclab("run", "--trace", str(files[0]), "--trace-text", str(files[1]), "--timeline", str(files[2]),
                      str(EXAMPLES / "seed_ex2_hello_count.c"))
        assert res.returncode == 0 and res.stderr == b""
        outputs.append([f.read_bytes() for f in files])
    assert outputs[0] == outputs[1]
    assert all(len(data) > 1000 for data in outputs[0])


def test_trace_show_rerenders_what_the_run_showed(tmp_path: Path) -> None:
    saved = tmp_path / "run.json"
    run = proclab("run", "--summary", "--trace", str(saved), str(PROGRAMS / "signals" / "g6_job_control.c"))
    shown = proclab("trace", "show", str(saved))
    assert shown.returncode == 0
    assert shown.stdout == run.stderr and b"SIGKILL fatal" in shown.stdout
    tree = proclab("trace", "show", "--tree", "--timeline", str(tmp_path / "t.png"), str(saved))
    assert tree.stdout == run.stderr[:run.stderr.index(b"tasks created")]
    assert (tmp_path / "t.png").stat().st_size > 10_000


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"# tracer: nop\n", "not a JSON file"),
    (b'{"traceEvents": []}', 'no "proclab" section'),
    (b'{"traceEvents": [], "proclab": {"version": 2, "meta": {}, "events": [[1, 0]]}}', "malformed trace"),
    (b'{"traceEvents": [], "proclab": {"version": 2, "meta": {"usage": [[1, 2]]}, "events": []}}',
     "malformed trace"),
    (b'{"traceEvents": [], "proclab": {"version": 99}}', "not a proclab trace of a known version"),
])
def test_trace_show_of_a_bad_file_is_one_line(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    res = proclab("trace", "show", str(path))
    assert res.returncode == 2
    assert message in one_line(res.stderr)


def test_unwritable_output_is_refused_before_the_run(tmp_path: Path) -> None:
    res = proclab("run", "--trace", str(tmp_path / "missing" / "run.json"), str(EXAMPLES / "fork_hello.c"))
    assert res.returncode == 2 and res.stdout == b""
    assert "no such directory" in one_line(res.stderr)


def test_saved_trace_loads_back_for_notebooks(seed_trace: Trace, tmp_path: Path) -> None:
    trace, console = record_program(str(program("fork_hello")))
    assert bytes(console.out[1]).endswith(b"my child exited with 7\n")
    assert [e.get("where") for e in trace.select("sched_process_fork")][-1] == "fork() at fork_hello.c:11"
    path = tmp_path / "run.json"
    perfetto.write(seed_trace, str(path))
    loaded = perfetto.load(str(path))
    assert loaded.events == seed_trace.events and loaded.meta == seed_trace.meta
    forks = list(loaded.select("sched_process_fork"))
    assert forks[-1].args["where"].startswith("fork() at seed_ex3_process_count.c:")
    assert loaded.run.counts == seed_trace.run.counts
