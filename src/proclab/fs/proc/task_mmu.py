"""A process's address space as /proc shows it (fs/proc/task_mmu.c):
/proc/PID/maps, one line per VMA, and the helpers the other per-process
files share to find and measure the address space (task_vsize).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.task import TaskStruct
    from ...mm.mm_struct import MmStruct


def task_mm(t: TaskStruct) -> Optional[MmStruct]:
    """The address space /proc shows for `t`: none for a kernel thread, nor
    once the task has exited (what get_task_mm() gives fs/proc)."""
    return t.mm if not t.exit_state else None


def task_vsize(mm: MmStruct) -> int:
    """task_vsize(): the bytes all of `mm`'s VMAs span."""
    return sum(v.end - v.start for v in mm.vmas())


def show_map(t: TaskStruct) -> bytes:
    """show_map(): one line per VMA."""
    mm = task_mm(t)
    if mm is None:
        return b""
    out = []
    for v in mm.vmas():
        perms = repr(v).split()[2]
        name = v.name
        line = f"{v.start:08x}-{v.end:08x} {perms} {v.pgoff << 12 if v.file is not None else 0:08x} 00:00 0"
        out.append(f"{line:<73}{name}" if name else line)
    return ("\n".join(out) + "\n").encode() if out else b""
