"""The run summary (`--summary`): the process tree and the counts."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from .model import Run
from .tree import tree


def counts(run: Run) -> Text:
    """Tasks, switches, faults, copies, syscalls, signals and virtual time."""
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
    end, idle = meta.get("end_ns", run.end), meta.get("idle_ns", 0)
    text.append(f"\nvirtual time: {end / 1e6:.3f} ms (CPU busy {(end - idle) / 1e6:.3f} ms)")
    not_kept = meta.get("events_not_kept", 0)
    if not_kept:
        text.append(f"\n(the trace keeps the first {meta.get('detail_limit')} page-fault and COW events; "
                    f"{not_kept} more are only counted)")
    failures = meta.get("fork_failures") or {}
    if failures:
        listed = ", ".join(f"{n} for {why}" for why, n in sorted(failures.items()))
        text.append(f"\nfork failed: {listed}", style="yellow")
    return text


def summary(run: Run) -> Group:
    """The tree, then the counts."""
    return Group(tree(run), counts(run))
