"""The process tree, pstree-style (Rich): each task with its pid and command,
how it ended, who reaped it, whether it was orphaned and who adopted it, what
became of the signals sent to it, and where in its C source it was created,
blocked and ended."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from .model import Run, Task, describe_signals

_BLOCKED_SHOWN = 3  # distinct places a task blocked at, listed in the tree


def facts(run: Run, task: Task) -> list[str]:
    """How `task` ended, who reaped it, who adopted it, its COW copies."""
    out = []
    if task.ended:
        out.append(task.ended)
    elif task.pid == 1 and run.meta.get("reason") == "poweroff":
        out.append("powered the machine off once no child was left")
    else:
        out.append("running when the machine stopped")
    if task.took_pid is not None:
        out.append(f"exec made it the process, pid {task.took_pid}")
    if task.adopted_by:
        out.append("orphan, adopted by " + ", ".join(map(str, task.adopted_by)))
    if task.reaped_by is not None:
        out.append(f"reaped by {task.reaped_by}")
    elif task.auto_reaped:
        out.append("reaped automatically")
    elif task.ended:
        out.append("zombie, never reaped")
    if task.cow_copies:
        out.append(f"{task.cow_copies} COW cop{'y' if task.cow_copies == 1 else 'ies'}")
    return out


def places(task: Task) -> list[str]:
    """Where in the C source the task was created, blocked and ended."""
    out = []
    if task.born:
        out.append(f"created: {task.born}")
    blocked = list(task.blocked.items())
    for where, n in blocked[:_BLOCKED_SHOWN]:
        out.append(f"blocked: {where}" + (f" ({n}×)" if n > 1 else ""))
    if len(blocked) > _BLOCKED_SHOWN:
        out.append(f"blocked at {len(blocked) - _BLOCKED_SHOWN} more places")
    if task.died:
        out.append(f"ended: {task.died}")
    return out


def describe(run: Run, task: Task) -> Text:
    """One node of the tree: a line of facts, then signals and places."""
    text = Text()
    text.append(f"{task.pid} ", style="bold")
    text.append(task.comm, style="cyan")
    text.append("  " + " · ".join(facts(run, task)), style="dim")
    signals = describe_signals(task)
    if signals:
        text.append("\n  signals: " + signals, style="dim")
    where = places(task)
    if where:
        text.append("\n  " + " · ".join(where), style="dim")
    return text


def tree(run: Run) -> Tree:
    """The user's process trees (init's), creation order."""
    top = Tree(Text("process tree (pid command  how it ended)", style="bold"))

    def add(parent: Tree, task: Task) -> None:
        node = parent.add(describe(run, task))
        for child in task.children:
            add(node, child)

    for root in run.user_roots():
        add(top, root)
    return top
