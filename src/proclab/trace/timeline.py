"""The run as a picture (`--timeline run.png`, matplotlib's Agg): one row
per task in pstree order, the process tree drawn on the left, each task's
states over virtual time as coloured bars, an arrow from each fork to the new
task, and marks where tasks exec, exit and take signals.

The same trace gives the same bytes: no figure state is shared (no pyplot),
and the PNG carries no software name or date.
"""

from __future__ import annotations

from typing import Any

from .events import Trace
from .model import RUNNING, STATE_NAMES, Run, Task

COLOURS = {
    RUNNING: "#2e9e44", "R": "#f3c623", "S": "#8fbfe0", "D": "#e8743b", "I": "#c8dbe8",
    "T": "#9b6fc3", "t": "#6a3d9a", "Z": "#8c8c8c", "X": "#303030",
}
# marker -> (colour, what it marks)
MARKS = {"D": ("#1f4e99", "exec"), "x": ("#000000", "exit"), "*": ("#c0392b", "signal taken")}
MAX_ROWS = 400          # more tasks than this: the first ones are drawn
_WIDTH_IN = 13.0
_TREE_SHARE = 0.24      # of the width, for the tree and the names
_INDENT = 1.0           # tree indent per level, in the tree axes' x units


def _row_height(n: int) -> float:
    """Inches per task row: roomy for a few tasks, still readable at 50."""
    return max(0.11, min(0.34, 0.34 - (n - 10) * 0.004))


def _time_unit(end_ns: int) -> tuple[float, str]:
    if end_ns >= 2_000_000_000:
        return 1e9, "s"
    if end_ns >= 2_000_000:
        return 1e6, "ms"
    return 1e3, "µs"


def render(trace: Trace, path: str) -> None:
    """Draw `trace` into a PNG file at `path`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    run = trace.run
    tasks = run.user_tasks()
    shown = tasks[:MAX_ROWS]
    n = max(len(shown), 1)
    row_h = _row_height(n)
    font = 8.5 if n <= 30 else 7 if n <= 80 else 5
    height = n * row_h + 1.5
    fig = Figure(figsize=(_WIDTH_IN, height), dpi=100)
    FigureCanvasAgg(fig)
    bottom, top = 0.9 / height, 1 - 0.45 / height
    ax_tree = fig.add_axes((0.01, bottom, _TREE_SHARE - 0.01, top - bottom))
    ax = fig.add_axes((_TREE_SHARE + 0.01, bottom, 0.99 - _TREE_SHARE - 0.02, top - bottom), sharey=ax_tree)
    rows = {task.id: i for i, task in enumerate(shown)}
    scale, unit = _time_unit(run.end)
    _draw_tree(ax_tree, shown, rows, font)
    _draw_states(ax, shown, scale)
    _draw_marks(ax, run, rows, scale)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, max(run.end, 1) / scale)
    ax.set_xlabel(f"virtual time ({unit})", fontsize=font + 0.5)
    ax.tick_params(axis="x", labelsize=font)
    ax.tick_params(axis="y", left=False, labelleft=False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    command = _command_line(trace.meta.get("command", []))
    title = f"{command}: " if command else ""
    more = f" (the first {MAX_ROWS} of {len(tasks)} tasks)" if len(tasks) > MAX_ROWS else ""
    fig.suptitle(f"{title}task states over virtual time{more}", fontsize=font + 2, y=1 - 0.12 / height, va="top")
    legend: list[Any] = [Patch(color=COLOURS[s], label=STATE_NAMES[s]) for s in (RUNNING, "R", "S", "D", "T", "Z")]
    legend += [Line2D([], [], marker=m, linestyle="", color=c, label=what) for m, (c, what) in MARKS.items()]
    fig.legend(handles=legend, loc="lower center", ncol=(len(legend) + 1) // 2, fontsize=font, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.savefig(path, format="png", metadata={"Software": None})



def _command_line(argv: list[str], width: int = 60) -> str:
    """The run's command for a title: the program's file name and its
    arguments, cut at `width` characters; `$` escaped (matplotlib would read
    `$...$` as mathematics)."""
    if not argv:
        return ""
    line = " ".join([str(argv[0]).rsplit("/", 1)[-1], *map(str, argv[1:])])
    if len(line) > width:
        line = line[:width - 1] + "…"
    return line.replace("$", r"\$")

def _draw_tree(ax: Any, tasks: list[Task], rows: dict[int, int], font: float) -> None:
    """pstree on the left: each task indented below its creator, joined by
    elbows, named by pid and command."""
    from matplotlib.collections import LineCollection

    depth: dict[int, int] = {}
    elbows = []
    for task in tasks:
        parent = task.creator
        level = depth[task.id] = depth[parent.id] + 1 if parent is not None and parent.id in depth else 0
        y = rows[task.id]
        x = level * _INDENT
        if level:
            px = (level - 1) * _INDENT + 0.3
            elbows.append([(px, rows[parent.id] + 0.3), (px, y), (x - 0.1, y)])
        label = f"{task.pid} {task.comm}"
        if task.ended:
            label += f"  ({task.ended})"
        ax.text(x, y, label, va="center", ha="left", fontsize=font, family="DejaVu Sans Mono")
    ax.add_collection(LineCollection(elbows, colors="#999999", linewidths=0.7), autolim=False)
    width = max((depth[t.id] * _INDENT + 0.62 * (len(t.comm) + 14) for t in tasks), default=10)
    ax.set_xlim(-0.2, max(width, 12))
    ax.axis("off")


def _draw_states(ax: Any, tasks: list[Task], scale: float) -> None:
    """One collection of bars per state (a few artists, however many tasks)."""
    from matplotlib.collections import PolyCollection

    bars: dict[str, list[list[tuple[float, float]]]] = {}
    for y, task in enumerate(tasks):
        low, high = y - 0.32, y + 0.32
        for span in task.states:
            x0, x1 = span.start / scale, span.end / scale
            bars.setdefault(span.state, []).append([(x0, low), (x1, low), (x1, high), (x0, high)])
    for state in sorted(bars, key=list(COLOURS).index):
        ax.add_collection(PolyCollection(bars[state], facecolors=COLOURS[state], linewidths=0), autolim=False)


def _draw_marks(ax: Any, run: Run, rows: dict[int, int], scale: float) -> None:
    """Fork arrows (a line down to the child, a head at its row), and marks
    for exec (diamond), exit (cross) and signals taken (star)."""
    from matplotlib.collections import LineCollection

    arrows, heads = [], []
    for ts, parent_id, child_id in run.forks:
        if parent_id in rows and child_id in rows:
            x = ts / scale
            arrows.append([(x, rows[parent_id]), (x, rows[child_id] - 0.3)])
            heads.append((x, rows[child_id] - 0.38))
    if arrows:
        ax.add_collection(LineCollection(arrows, colors="#444444", linewidths=0.7), autolim=False)
        xs, ys = zip(*heads)
        ax.scatter(xs, ys, marker="v", s=10, color="#444444", linewidths=0, zorder=3)
    marks: dict[str, list[tuple[float, int]]] = {marker: [] for marker in MARKS}
    for task in run.tasks.values():
        y = rows.get(task.id)
        if y is None:
            continue
        marks["D"].extend((ts / scale, y) for ts, _ in task.execs)
        if task.exit_ts is not None:
            marks["x"].append((task.exit_ts / scale, y))
        marks["*"].extend((ts / scale, y) for ts in task.signal_times)
    for marker, points in marks.items():
        if points:
            xs, ys = zip(*points)
            ax.scatter(xs, ys, marker=marker, s=16, color=MARKS[marker][0], linewidths=0.9, zorder=3)
