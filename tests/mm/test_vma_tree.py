"""The VMA tree and the address-space operations built on it, against plain
lists (hypothesis): VMAs sorted and disjoint, lookups, the gap index and the
top-down search as a brute force gives them, the counters kept in step, and
no two neighbours left that Linux would have merged."""

from __future__ import annotations

from typing import Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from proclab.arch.x86_64.pgtable import PAGE_SIZE
from proclab.mm.mm_struct import MmStruct, VmArea, VmaTree, is_data_mapping
from proclab.mm.mmap import do_mmap, do_munmap, is_mergeable_vma
from proclab.mm.mprotect import do_mprotect
from proclab.mm.physmem import PhysMem
from proclab.uapi import mman as M

LIMIT = 256 * PAGE_SIZE


class SmallTree(VmaTree):
    """Blocks of at most 4 VMAs, so that a few dozen split them often."""

    LOAD = 2


def brute_gaps(vmas: list[VmArea], limit: int) -> list[tuple[int, int]]:
    out, prev = [], 0
    for v in vmas:
        if v.start > prev:
            out.append((prev, v.start))
        prev = v.end
    if limit > prev:
        out.append((prev, limit))
    return out


def brute_topdown(vmas: list[VmArea], length: int, high: int) -> int:
    """The search proclab used before the gap index: walk down from `high`."""
    for vma in reversed(vmas):
        if vma.start >= high:
            continue
        if vma.end <= high - length:
            break
        high = vma.start
    return high - length if high - length >= 0 else -1


def check_tree(tree: VmaTree, vmas: list[VmArea], probes: list[int]) -> None:
    got = list(tree)
    assert got == vmas and len(tree) == len(vmas)
    assert all(a.end <= b.start for a, b in zip(got, got[1:]))
    assert all(v.start < v.end for v in got)
    for addr in probes:
        inside = [v for v in vmas if v.start <= addr < v.end]
        assert tree.find(addr) is (inside[0] if inside else None)
        above = [v for v in vmas if v.end > addr]
        assert tree.first_ending_above(addr) is (above[0] if above else None)
        below = [v for v in vmas if v.start < addr]
        assert tree.last_below(addr) is (below[-1] if below else None)
        end = addr + 5 * PAGE_SIZE
        assert tree.range(addr, end) == [v for v in vmas if v.start < end and v.end > addr]
    assert tree.gaps() == brute_gaps(vmas, tree.limit)
    for length in (PAGE_SIZE, 2 * PAGE_SIZE, 3 * PAGE_SIZE, 7 * PAGE_SIZE, 40 * PAGE_SIZE):
        for high in (tree.limit, tree.limit // 2, 100 * PAGE_SIZE + 1234):
            assert tree.unmapped_area_topdown(length, high) == brute_topdown(vmas, length, high), (length, high)


ops = st.lists(st.tuples(st.sampled_from(["insert", "remove", "grow_down", "move_end", "copy"]),
                         st.integers(0, 255), st.integers(1, 12)), max_size=80)


@settings(max_examples=150, deadline=None)
@given(ops, st.lists(st.integers(0, LIMIT), min_size=1, max_size=8))
def test_tree_matches_a_sorted_list(script: list[tuple[str, int, int]], probes: list[int]) -> None:
    tree: VmaTree = SmallTree(LIMIT)
    vmas: list[VmArea] = []
    for op, page, npages in script:
        start, end = page * PAGE_SIZE, min(page + npages, 256) * PAGE_SIZE
        if op == "insert":
            if start < end and not any(v.start < end and v.end > start for v in vmas):
                vma = VmArea(start, end, 0)
                tree.insert(vma)
                vmas = sorted([*vmas, vma], key=lambda v: v.start)
        elif not vmas:
            continue
        elif op == "remove":
            vma = vmas.pop(page % len(vmas))
            tree.remove(vma)
        elif op == "grow_down":  # stack growth: lower the start into the gap below
            i = page % len(vmas)
            vma = vmas[i]
            floor = vmas[i - 1].end if i else 0
            vma.start = max(floor, vma.start - npages * PAGE_SIZE)
            tree.rekey(vma)
        elif op == "move_end":  # brk and mremap: the end moves within the free space
            i = page % len(vmas)
            vma = vmas[i]
            ceiling = vmas[i + 1].start if i + 1 < len(vmas) else LIMIT
            old = vma.end
            vma.end = min(ceiling, max(vma.start + PAGE_SIZE, vma.end + (npages - 6) * PAGE_SIZE))
            tree.end_changed(vma, old)
        else:  # fork's copy: new VMAs in the same layout, the gap index rebuilt on demand
            tree = tree.copy(~0)
            copies = list(tree)
            assert [(v.start, v.end) for v in copies] == [(v.start, v.end) for v in vmas]
            assert not set(map(id, copies)) & set(map(id, vmas))
            vmas = copies
        check_tree(tree, vmas, probes)
    check_tree(tree, vmas, probes)


# ---- the address space: mmap, munmap, mprotect -------------------------------------------

PROTS = [M.PROT_READ, M.PROT_READ | M.PROT_WRITE, M.PROT_NONE, M.PROT_READ | M.PROT_EXEC]
mm_ops = st.lists(st.tuples(st.sampled_from(["mmap", "mmap_fixed", "munmap", "mprotect"]),
                            st.integers(0, 63), st.integers(1, 6), st.sampled_from(PROTS)), max_size=60)


def check_mm(mm: MmStruct, merged: bool) -> None:
    vmas = list(mm.vmas())
    check_tree(mm.mm_mt, vmas, [v.start for v in vmas[:4]])
    assert mm.map_count == len(vmas)
    assert mm.total_vm() == sum(v.end - v.start for v in vmas) // PAGE_SIZE
    assert mm.data_vm() == sum(v.end - v.start for v in vmas if is_data_mapping(v.flags)) // PAGE_SIZE
    if merged:  # vma_merge leaves no compatible neighbours
        for a, b in zip(vmas, vmas[1:]):
            assert not (a.end == b.start and is_mergeable_vma(a, b.flags, b.vm_file, b.name)), (a, b)


@settings(max_examples=150, deadline=None)
@given(mm_ops, st.integers(3, 40))
def test_mm_operations_keep_the_tree_and_the_counters(script: list[tuple[str, int, int, int]],
                                                      max_map_count: int) -> None:
    mm = MmStruct(PhysMem(1 << 20))
    mm.mm_mt = SmallTree(mm.mm_mt.limit)
    mm.sysctl.max_map_count = max_map_count
    base = mm.mmap_base - 64 * PAGE_SIZE
    anon = M.MAP_PRIVATE | M.MAP_ANONYMOUS
    # An mprotect that fails at the limit keeps the split it made first (as
    # Linux does), which may leave two compatible neighbours.
    merged = True
    for op, page, npages, prot in script:
        addr, length = base + page * PAGE_SIZE, npages * PAGE_SIZE
        count = mm.map_count
        if op == "mmap":
            expect: Optional[int] = brute_topdown(list(mm.vmas()), length, mm.mmap_base)
            got = do_mmap(mm, 0, length, prot, anon)
            if count > max_map_count:
                assert got < 0
            else:
                assert got == expect
        elif op == "mmap_fixed":
            got = do_mmap(mm, addr, length, prot, anon | M.MAP_FIXED)
            assert got == addr or (got < 0 and count >= max_map_count)
        elif op == "munmap":
            do_munmap(mm, addr, length)
        else:
            merged = merged and do_mprotect(mm, addr, length, prot) == 0
        assert mm.map_count <= max(count, max_map_count + 1)
        check_mm(mm, merged)
