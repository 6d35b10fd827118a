"""Consumers of the kernel's tracepoints. Nothing here changes what the
kernel does.

A `Recorder` turns tracepoints into plain `Event`s; a `Trace` (the events
and facts about the run) is what every view reads: `model.Run` (tasks and
their states over virtual time), `tree` and `summary` (Rich), `perfetto`
(trace-event JSON, which also saves the trace), `ftrace` (text) and
`timeline` (a PNG). For a notebook::

    from pathlib import Path
    from proclab.toolchain.compile import compile_c
    from proclab.trace import load, record_program

    trace, console = record_program(str(compile_c(Path("examples/fork_hello.c"))))
    for event in trace.select("sched_process_fork"):
        print(event.ts, event.args["child_pid"], event.args["where"])
    trace.run.tasks          # every task: pid, comm, states, how it ended...
    trace = load("run.json")  # a trace saved by `proclab run --trace run.json`
"""

from .events import Event, Trace
from .perfetto import load
from .record import Recorder, record_program

__all__ = ["Event", "Recorder", "Trace", "load", "record_program"]
