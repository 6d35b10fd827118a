"""Running scripted programs (Python user mode) on a kernel without any CPU,
and the kernel-wide invariants tests check after every step."""

from __future__ import annotations

import struct
from typing import Any, Callable, Generator, Optional

from proclab.fs.console import BufferConsole
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.task import EXIT_DEAD, EXIT_ZOMBIE, TaskStruct
from proclab.kernel.usermode import Program


def boot_scripted(program: Program, config: Optional[KernelConfig] = None,
                  probes: Optional[Callable[[Kernel], None]] = None) -> Kernel:
    kernel = Kernel(config or KernelConfig(memory=32 << 20), BufferConsole())
    kernel.on_warning = kernel.on_report = lambda message: None
    if probes is not None:
        probes(kernel)
    kernel.boot(program=program)
    return kernel


def run_scripted(program: Program, config: Optional[KernelConfig] = None,
                 probes: Optional[Callable[[Kernel], None]] = None) -> Kernel:
    kernel = boot_scripted(program, config, probes)
    result = kernel.run()
    assert result.reason == "poweroff", result
    return kernel


def make_pipe(u) -> Generator[Any, Any, tuple[int, int]]:
    """pipe(2) from a scripted program: (read fd, write fd)."""
    fds = u.alloc(8)
    yield u.sys("pipe", fds)
    return struct.unpack("<ii", u.read(fds, 8))


def write_later(wfd: int, data: int, delay_ns: int) -> Program:
    """A child program that sleeps `delay_ns`, writes the byte at `data` to
    `wfd` and exits: what wakes a sleeping poller."""

    def child(c):
        yield c.sys("nanosleep", c.put(struct.pack("<qq", 0, delay_ns)), 0)
        yield c.sys("write", wfd, data, 1)
        yield c.sys("exit_group", 0)

    return child


def all_tasks(k: Kernel) -> list[TaskStruct]:
    """Every task the pid hash knows (threads included)."""
    return [pid.task for pid in k.pid_ns.pids.values() if pid.task is not None]


def check_invariants(k: Kernel) -> None:
    """What must hold between any two steps of the kernel."""
    tasks = all_tasks(k)
    # pids are unique and the hash points back at the task
    assert len({t.pid for t in tasks}) == len(tasks)
    for t in tasks:
        assert k.pid_ns.pids[t.pid].task is t
        assert t.exit_state != EXIT_DEAD or t.pid_link is None
    # the task list holds exactly the group leaders the pid hash knows
    listed = list(k.for_each_process())
    assert len(set(map(id, listed))) == len(listed)
    assert {id(t) for t in listed} == {id(t) for t in tasks if t.thread_group_leader()}
    for t in listed:
        if t.pid == 1:
            continue
        parent = t.real_parent
        # every task has a parent that still exists; a live task's parent is live
        assert parent.pid == 0 or k.pid_ns.pids.get(parent.pid) is not None and parent.pid_link is not None
        if not t.exit_state:
            assert not parent.exit_state or parent.pid == 0, (t, parent)
        # it is among its parent's children
        assert t in parent.children
        # zombies are exactly the exited tasks nobody has reaped yet
        if t.exit_state:
            assert t.exit_state == EXIT_ZOMBIE
    for t in listed:
        for child in t.children:
            assert child.real_parent is t
        # the index of reportable children is exact and in children-list order
        ready = [c for c in t.children if k.exit.has_something_to_report(c)]
        indexed = list(t.wait_ready.values()) if t.wait_ready else []
        assert indexed == ready, (t, indexed, ready)
        assert t.nr_clone_children == sum(1 for c in t.children if c.exit_signal != 17)
    # frame reference counts: every PTE and every cached page holds one
    refs: dict[int, int] = {k.phys.zero_pfn: 1}
    mms = {id(t.mm): t.mm for t in tasks if t.mm is not None}
    for mm in mms.values():
        for pte in mm.pgtable.values():
            refs[pte >> 12] = refs.get(pte >> 12, 0) + 1
    for cached in k.page_cache.files.values():
        for pfn in cached.pages.values():
            refs[pfn] = refs.get(pfn, 0) + 1
    for pfn, count in refs.items():
        assert k.phys.refcount[pfn] == count, (pfn, k.phys.refcount[pfn], count)
    assert k.phys.used_frames() == len(refs)
