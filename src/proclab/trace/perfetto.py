"""The trace as Chrome/Perfetto JSON (the Trace Event Format), for
ui.perfetto.dev and chrome://tracing; and loading it back.

Layout: a process "CPUs" with one track per CPU whose slices are the tasks
that ran there; then one process per simulated process, with one track per
task whose slices are its states over virtual time (R running, R waiting, S,
D, T, Z) and whose instants are its events (wakeups, migrations to another
CPU, fork, exec, exit, wait, signals, page faults, COW copies); a flow arrow
goes from each fork to the child's first run. Times are virtual microseconds.

After "traceEvents" the file carries a "proclab" key: the recorded events
themselves, from which `load` rebuilds the trace and every view. It comes
last because some Perfetto versions stop reading at a key they do not know.
Perfetto's JSON reader also rejects control characters and \\u escapes in
strings, so names are written as plain UTF-8 with control characters replaced.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from ..uapi.signal import signame
from .events import Event, Trace
from .model import STATE_NAMES, Run, Task

# Track keys: a pid number seen again in one run (after wraparound) is shifted
# by PID_SPACE per reuse, so that every task keeps a track of its own. The
# CPUs' process uses a key no pid can have.
PID_SPACE = 1 << 22
CPU_PID = 1 << 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY_ORDER = ("name", "cat", "ph", "ts", "dur", "pid", "tid", "id", "bp", "s", "args")


def _text(value: str) -> str:
    return _CONTROL.sub("?", value)


def _us(ns: int) -> float | int:
    """Virtual ns as trace-event microseconds (an int when exact)."""
    return ns // 1000 if ns % 1000 == 0 else ns / 1000


class _Tracks:
    """(pid, tid) keys of every task, unique within the trace."""

    def __init__(self, run: Run) -> None:
        self.keys: dict[int, tuple[int, int]] = {}
        uses: dict[int, int] = {}
        current: dict[int, int] = {}   # pid number -> key of its latest task
        for task in run.tasks.values():
            n = uses.get(task.pid, 0)
            uses[task.pid] = n + 1
            tid = task.pid + n * PID_SPACE
            current[task.pid] = tid
            self.keys[task.id] = (current.get(task.tgid, tid), tid)

    def __getitem__(self, task_id: int) -> tuple[int, int]:
        return self.keys[task_id]


def trace_events(trace: Trace) -> list[dict[str, Any]]:
    """The traceEvents list: metadata first, then everything in time order."""
    run = trace.run
    tracks = _Tracks(run)
    meta: list[dict[str, Any]] = [
        {"name": "process_name", "ph": "M", "pid": CPU_PID, "args": {"name": "CPUs"}},
        {"name": "process_sort_index", "ph": "M", "pid": CPU_PID, "args": {"sort_index": -1}},
    ]
    for cpu in range(int(trace.meta.get("cpus", 1))):
        meta.append({"name": "thread_name", "ph": "M", "pid": CPU_PID, "tid": CPU_PID + 1 + cpu,
                     "args": {"name": f"CPU {cpu}"}})
    tasks = [t for t in run.tasks.values() if not t.idle]
    for order, task in enumerate(tasks):
        pid, tid = tracks[task.id]
        if pid == tid:
            meta.append({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": _text(task.comm)}})
            meta.append({"name": "process_sort_index", "ph": "M", "pid": pid, "args": {"sort_index": order}})
        meta.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": _text(task.comm)}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": pid, "tid": tid, "args": {"sort_index": order}})
    timed = list(_cpu_slices(run))
    for task in tasks:
        timed.extend(_state_slices(task, tracks[task.id]))
    timed.extend(_instants(trace.events, run, tracks))
    timed.extend(_fork_flows(run, tracks))
    timed.sort(key=lambda ev: ev["ts"])
    return meta + [_ordered(ev) for ev in timed]


def _ordered(ev: dict[str, Any]) -> dict[str, Any]:
    # "ts" early: Perfetto looks a key up by scanning the event's keys in order
    return {key: ev[key] for key in _KEY_ORDER if key in ev}


def _cpu_slices(run: Run) -> Iterable[dict[str, Any]]:
    for s in run.cpu_slices:
        if s.pid == 0:
            continue  # the idle task: the CPU had nothing to run
        yield {"name": _text(f"{s.comm} {s.pid}"), "cat": "cpu", "ph": "X", "ts": _us(s.start),
               "dur": _us(s.end - s.start), "pid": CPU_PID, "tid": CPU_PID + 1 + s.cpu,
               "args": {"pid": s.pid, "comm": _text(s.comm)}}


def _state_slices(task: Task, track: tuple[int, int]) -> Iterable[dict[str, Any]]:
    pid, tid = track
    for span in task.states:
        ev = {"name": STATE_NAMES[span.state], "cat": "state", "ph": "X", "ts": _us(span.start),
              "dur": _us(span.end - span.start), "pid": pid, "tid": tid}
        if span.detail:
            ev["args"] = {"in": _text(span.detail)}
        yield ev


def _instant(e: Event, track: tuple[int, int], name: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"name": _text(name), "cat": e.name, "ph": "i", "ts": _us(e.ts), "pid": track[0], "tid": track[1],
            "s": "t", "args": {k: _text(v) if isinstance(v, str) else v for k, v in args.items() if v != ""}}


def _instants(events: list[Event], run: Run, tracks: _Tracks) -> Iterable[dict[str, Any]]:
    """Wakeups, migrations, fork, exec, exit, wait, reap, adoption, signals,
    page faults and COW copies, each on the track of the task it happened to."""
    for e in events:
        name = e.name
        a = e.args
        if name == "sched_wakeup":
            yield _instant(e, tracks[a["id"]], f"woken by {e.comm} {e.pid}",
                           {"waker_pid": e.pid, "waker_cpu": e.cpu, "target_cpu": a["target_cpu"]})
        elif name == "sched_migrate_task":
            yield _instant(e, tracks[a["id"]], f"CPU {a['orig_cpu']} -> {a['dest_cpu']}",
                           {"orig_cpu": a["orig_cpu"], "dest_cpu": a["dest_cpu"], "by_pid": e.pid})
        elif name == "sched_process_fork":
            if a["pid"] != 0:
                yield _instant(e, tracks[a["parent_id"]], f"{a['syscall'] or 'fork'} {a['child_pid']}",
                               {"child_pid": a["child_pid"], "where": a["where"]})
        elif name == "sched_process_exec":
            yield _instant(e, tracks[a["id"]], f"exec {a['comm']}", {"filename": a["filename"]})
        elif name == "sched_process_exit":
            task = run.tasks[a["id"]]
            yield _instant(e, tracks[a["id"]], task.ended or "exit", {"status": a["status"], "where": a["where"]})
        elif name == "sched_process_wait":
            yield _instant(e, tracks[a["id"]], "wait", {"for_pid": a["pid"] or "any"})
        elif name == "task_reaped":
            yield _instant(e, tracks[a["reaper_id"]], f"reap {a['pid']}", {"pid": a["pid"], "status": a["status"]})
        elif name == "task_reparent":
            yield _instant(e, tracks[a["id"]], f"adopted by {a['new_ppid']}", {"old_ppid": a["old_ppid"]})
        elif name == "signal_generate":
            yield _instant(e, tracks[a["id"]], f"{signame(a['sig'])} sent",
                           {"from_pid": e.pid, "from_comm": e.comm, "result": a["result"], "code": a["code"]})
        elif name == "signal_deliver":
            yield _instant(e, tracks[a["id"]], f"{signame(a['sig'])} {a['action']}", {"where": a["where"]})
        elif name == "page_fault_user":
            yield _instant(e, tracks[a["id"]], f"page fault ({a['kind']})",
                           {"address": f"{a['address']:#x}", "access": a["access"]})
        elif name == "mm_cow" and a["copied"]:
            yield _instant(e, tracks[a["id"]], "COW copy", {"address": f"{a['address']:#x}"})


def _fork_flows(run: Run, tracks: _Tracks) -> Iterable[dict[str, Any]]:
    """An arrow from the fork (inside the parent's running slice) to the
    child's first running slice."""
    for ts, parent_id, child_id in run.forks:
        child = run.tasks[child_id]
        if child.first_run is None:
            continue
        pid, tid = tracks[parent_id]
        yield {"name": "fork", "cat": "fork", "ph": "s", "ts": _us(ts), "pid": pid, "tid": tid, "id": child_id}
        pid, tid = tracks[child_id]
        yield {"name": "fork", "cat": "fork", "ph": "f", "bp": "e", "ts": _us(child.first_run), "pid": pid,
               "tid": tid, "id": child_id}


def dumps(trace: Trace) -> str:
    """The whole file: one trace event per line, then the "proclab" key."""
    lines = ['{"traceEvents":[']
    events = trace_events(trace)
    lines.extend(_dump(ev) + ("," if i < len(events) - 1 else "") for i, ev in enumerate(events))
    own = trace.to_json()
    recorded = own.pop("events")
    lines.append('],"proclab":' + _dump(own)[:-1] + ',"events":[')
    lines.extend(_dump(ev) + ("," if i < len(recorded) - 1 else "") for i, ev in enumerate(recorded))
    lines.append("]}}")
    return "\n".join(lines) + "\n"


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def write(trace: Trace, path: str) -> None:
    """Write `trace` as a trace-event JSON file."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(trace))


def load(path: str) -> Trace:
    """Read back a file written by `write`. OSError when it cannot be read,
    ValueError when it is not such a file."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValueError("not a JSON file") from None
    if not isinstance(data, dict) or "proclab" not in data:
        raise ValueError("not a trace written by proclab (no \"proclab\" section)")
    return Trace.from_json(data["proclab"])
