"""The run summary (`--summary`): the process tree and the counts."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from .model import Run
from .tree import tree


def counts(run: Run) -> Text:
    """Tasks, switches, faults, copies, syscalls, signals and virtual time;
    with several CPUs, each CPU's busy time and switches, and the migrations."""
    c = run.counts
    meta = run.meta
    parts = [
        ("tasks created", c.tasks_created),
        ("context switches", c.context_switches),
        ("page faults", c.page_faults),
        ("copy-on-write copies", c.cow_copies),
        ("syscalls", c.syscalls),
        ("signals sent", c.signals),
    ]
    text = Text("\n".join(f"{name}: {value}" for name, value in parts))
    end = meta.get("end_ns", run.end)
    text.append(f"\nvirtual time: {end / 1e6:.3f} ms (CPU busy {_busy_ns(meta, end) / 1e6:.3f} ms)")
    for line in per_cpu(meta):
        text.append("\n" + line)
    if c.migrations:
        text.append(f"\nmigrations: {c.migrations}")
    not_kept = meta.get("events_not_kept", 0)
    if not_kept:
        text.append(f"\n(the trace keeps the first {meta.get('detail_limit')} page-fault and COW events; "
                    f"{not_kept} more are only counted)")
    failures = meta.get("fork_failures") or {}
    if failures:
        listed = ", ".join(f"{n} for {why}" for why, n in sorted(failures.items()))
        text.append(f"\nfork failed: {listed}", style="yellow")
    return text


def _busy_ns(meta: dict[str, Any], end: int) -> int:
    """The time the CPUs ran tasks, all CPUs together (a trace saved before
    the per-CPU counts has only the idle time)."""
    busy = meta.get("cpu_busy_ns")
    return sum(busy) if busy is not None else end - meta.get("idle_ns", 0)


def per_cpu(meta: dict[str, Any]) -> list[str]:
    """One line per CPU, "cpu 0: busy 12.345 ms · 57 context switches",
    when there are several (none for one CPU, or without the counts)."""
    busy, switches = meta.get("cpu_busy_ns", []), meta.get("cpu_switches", [])
    if len(busy) < 2:
        return []
    return [f"cpu {cpu}: busy {ns / 1e6:.3f} ms · {n} context switch{'' if n == 1 else 'es'}"
            for cpu, (ns, n) in enumerate(zip(busy, switches))]


def summary(run: Run) -> Group:
    """The tree, then the counts."""
    return Group(tree(run), counts(run))
