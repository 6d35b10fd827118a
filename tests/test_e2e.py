"""End-to-end behaviour of real C programs on proclab, checked through their
output and through the kernel's own counters (SEMANTICS F6, F7, E2, X1, X6-X9)."""

from __future__ import annotations

from conftest import program, run_sim

from proclab.trace.record import Recorder


def _recording():
    holder = {}

    def probes(kernel):
        holder["recorder"] = Recorder(kernel)

    return holder, probes


def test_cow_child_writes_are_private_and_copied_page_by_page() -> None:
    holder, probes = _recording()
    sim = run_sim(program("cow_isolation"), probes=probes)
    assert sim.stdout == b"child sees cc\nparent sees pp, pages changed by the child: 0\n"
    run = holder["recorder"].trace().run
    child = next(t for t in run.tasks.values() if t.pid == sim.result.pid + 1)
    # 64 pages written by the child after fork: each one copied once, by the child
    assert child.cow_copies >= 64
    assert run.counts.cow_copies >= 64
    assert sim.kernel.pages_shared_by_fork >= 64


def test_fork_copies_no_page_until_written() -> None:
    holder, probes = _recording()
    sim = run_sim(program("seed_ex2_hello_count"), probes=probes)
    run = holder["recorder"].trace().run
    # Four processes share the pages of one image; copies happen only where
    # someone writes (stack and stdio buffers), far fewer than shared pages.
    assert run.counts.tasks_created == 3 + 4  # init, kthreadd, kworker + the program's 4
    assert 0 < run.counts.cow_copies < sim.kernel.pages_shared_by_fork


def test_vfork_child_writes_are_seen_by_the_parent() -> None:
    sim = run_sim(program("vfork_shared"))
    assert sim.stdout == b"after vfork: shared=2 local=20 child status=7\n"


def test_exec_keeps_pid_and_parent() -> None:
    sim = run_sim(program("exec_keeps_pid"))
    assert sim.stdout == b"after exec: same pid 1, same parent 1, argv[0]=path\nchild exited with 4\n"


def test_null_pointer_write_kills_only_that_child() -> None:
    sim = run_sim(program("null_write"))
    assert sim.stdout == b"child killed by signal: 1, signal 11\nparent still running\n"
    assert sim.status == 0


def test_crash_of_the_program_is_status_139() -> None:
    sim = run_sim(program("crash"))
    assert sim.stdout == b"about to crash\n"
    assert sim.result.status is not None and sim.result.status & 0x7F == 11
    assert sim.status == 139
    assert sim.result.reason == "poweroff"  # the kernel carried on and shut down cleanly


def test_zombies_keep_their_status_until_reaped_in_any_order() -> None:
    sim = run_sim(program("zombies_any_order"))
    lines = sim.stdout.decode().splitlines()
    assert lines == [f"reaped child {i}: pid matches 1, exit status {10 + i}" for i in (2, 0, 3, 1)]


def test_wnohang_and_echild() -> None:
    sim = run_sim(program("wnohang"))
    assert sim.stdout == (b"WNOHANG while the child runs: 0\n"
                          b"blocking wait: pid matches 1, status 3\n"
                          b"no children: -1 ECHILD=1\n"
                          b"no children, WNOHANG: -1 ECHILD=1\n")


def test_orphan_is_adopted_by_the_subreaper() -> None:
    holder, probes = _recording()
    sim = run_sim(program("seed_zombie_orphan"), probes=probes)
    assert b"orphan adopted by reaper: 1" in sim.stdout
    run = holder["recorder"].trace().run
    adopted = [t for t in run.tasks.values() if t.adopted_by]
    assert [r.adopted_by for r in adopted] == [[sim.result.pid]]
    assert adopted[0].reaped_by == sim.result.pid


def test_every_frame_and_pid_is_released_after_the_run() -> None:
    sim = run_sim(program("seed_ex3_process_count"))
    k = sim.kernel
    # What may still hold frames: the zero page, the page cache (the binary),
    # and init's own address space. Nothing of the 12 processes is left.
    init = k.child_reaper
    expected = {k.phys.zero_pfn}
    expected |= {pfn for f in k.page_cache.files.values() for pfn in f.pages.values()}
    expected |= {pte >> 12 for pte in init.mm.pgtable.values()}
    assert k.phys.used_frames() == len(expected)
    # Only init (1), kthreadd (2) and kworker/0:0 (3) still hold pids.
    assert sorted(k.pid_ns.pids) == [1, 2, 3]
    assert k.tasks_created - k.tasks_freed == 4  # idle, init, kthreadd, kworker
