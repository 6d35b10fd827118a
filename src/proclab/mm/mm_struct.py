"""The address space of a process: mm_struct, its VMAs and its page table
(include/linux/mm_types.h, mm/mmap.c, mm/vma.c).

A VMA is a range [start, end) with the same rights and backing. An mm holds its
VMAs in a `VmaTree` (ordered by address, with an index of the free gaps between
them: Linux's maple tree does both) and a page table (vpn -> PTE, format in
arch/x86_64/pgtable.py). Threads (CLONE_VM) and a vfork child share one MmStruct;
`users` counts them (mm_users) and the last `mmput` frees every frame.

VMAs are added, removed, resized and re-flagged through MmStruct's methods, which
keep the tree, the gap index and the counters (map_count, total_vm, data_vm) in
step. Two exceptions are allowed: stack growth lowers `vma.start` and then calls
`moved_start`, and a change of the lock bits alone may set `vma.flags` directly
(no counter depends on them).

Who touches what: the page table is written by mm/ code only (faults, fork's
copy, munmap/mprotect, exec); the CPU reads it through `Cpu.switch_mm`. When a
PTE of a live mm loses rights or changes frame, `flush_tlb` must run on each CPU in
`cpus` (mm_cpumask), which the scheduler keeps up to date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from typing import Any, Iterator, Optional

from ..arch.x86_64.pgtable import PAGE_SHIFT, STACK_TOP, TASK_SIZE
from .physmem import PhysMem
from ..lib.lockdep import new_key

# vm_flags (include/linux/mm.h)
VM_READ = 0x1
VM_WRITE = 0x2
VM_EXEC = 0x4
VM_SHARED = 0x8
VM_MAYREAD = 0x10
VM_MAYWRITE = 0x20
VM_MAYEXEC = 0x40
VM_GROWSDOWN = 0x100
VM_LOCKED = 0x2000
VM_LOCKONFAULT = 0x80000
VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT

# Linux's default mmap_base without randomization: below a stack gap of at least
# 128 MiB (mm/util.c mmap_base()).
MMAP_BASE = STACK_TOP - (128 << 20)

# vm.max_map_count's default (include/linux/mm.h DEFAULT_MAX_MAP_COUNT).
DEFAULT_MAX_MAP_COUNT = 65530


class VmSysctl:
    """The vm.* sysctls the address-space code reads (/proc/sys/vm), one
    instance per kernel, shared by all its mms."""

    __slots__ = ("max_map_count",)

    def __init__(self) -> None:
        self.max_map_count = DEFAULT_MAX_MAP_COUNT


def is_data_mapping(flags: int) -> bool:
    """is_data_mapping() (mm/internal.h): private, writable and not a stack."""
    return flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN) == VM_WRITE


class VmArea:
    """struct vm_area_struct: [start, end) with flags and an optional backing
    object (`file`, something with get_page(pgoff), e.g. a cached file or a
    shared-memory object) at page offset `pgoff`. `vm_file` is the open file
    the mapping was made through (Linux's vm_file, a struct file: two opens of
    one file are two), the backing itself for the kernel's own mappings; VMAs
    merge only when it is the same."""

    __slots__ = ("start", "end", "flags", "file", "pgoff", "name", "vm_file")

    def __init__(
        self,
        start: int,
        end: int,
        flags: int,
        file: Any = None,
        pgoff: int = 0,
        name: str = "",
        vm_file: Any = None,
    ) -> None:
        self.start = start
        self.end = end
        self.flags = flags
        self.file = file
        self.pgoff = pgoff
        self.name = name
        self.vm_file = vm_file if vm_file is not None else file

    def page_offset(self, addr: int) -> int:
        """The backing object's page index for `addr` (linear_page_index)."""
        return ((addr - self.start) >> PAGE_SHIFT) + self.pgoff

    def split(self, addr: int) -> "VmArea":
        """Cut at `addr`: self keeps [start, addr), the result is [addr, end).
        The cut alone: MmStruct.split_vma also keeps the tree and the
        counters right and links the result."""
        tail = VmArea(addr, self.end, self.flags, self.file,
                      self.page_offset(addr) if self.file is not None else 0, self.name, self.vm_file)
        self.end = addr
        return tail

    def __repr__(self) -> str:
        r = "r" if self.flags & VM_READ else "-"
        w = "w" if self.flags & VM_WRITE else "-"
        x = "x" if self.flags & VM_EXEC else "-"
        s = "s" if self.flags & VM_SHARED else "p"
        return f"<vma {self.start:#x}-{self.end:#x} {r}{w}{x}{s} {self.name}>"


def _size_class(size: int) -> int:
    """The gap index's class of a size: its bit length and the four bits
    below the leading one, so that classes grow with the size and page
    multiples up to 32 pages each have a class of their own."""
    bits = size.bit_length()
    return (bits << 5) | (size >> (bits - 5)) if bits > 5 else size


class VmaTree:
    """The VMAs of one mm in address order, and an index of the gaps between
    them (what Linux's maple tree keeps: the VMAs and, in each node, the
    largest gap below it).

    The VMAs are a sorted list cut into blocks of at most 2 * LOAD entries
    (`_firsts` holds each block's first start), so that lookups are two
    bisections and an insertion or removal moves at most a block, whatever
    the number of mappings. The gaps -- the non-empty free ranges between
    consecutive VMAs, and from 0 and up to `limit` -- are indexed by end
    address (`_holes`: end -> start) and, per size class (`_size_class`), in
    sorted lists of their ends, so that the highest gap that fits a length is
    found by a bisection per class (`unmapped_area_topdown`).
    The gap index is built on first use (`_holes` is None until then): an
    mm that never looks for free space -- a child of fork that exits, say --
    never pays for it.

    Positions are (block, index) pairs. Keys (`_starts`) are the starts the
    VMAs had when they were linked; `rekey` follows a lowered start.
    """

    LOAD = 128

    __slots__ = ("limit", "_firsts", "_starts", "_blocks", "_len", "_holes", "_gaps")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._firsts: list[int] = []
        self._starts: list[list[int]] = []
        self._blocks: list[list[VmArea]] = []
        self._len = 0
        self._holes: Optional[dict[int, int]] = None
        self._gaps: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[VmArea]:
        for block in self._blocks:
            yield from block

    def copy(self, flags_mask: int) -> "VmaTree":
        """The same layout with a copy of each VMA (vm_area_dup), its flags
        ANDed with `flags_mask`; the gap index is rebuilt when first needed."""
        new = VmaTree.__new__(VmaTree)
        new.limit = self.limit
        new._firsts = self._firsts[:]
        new._starts = [starts[:] for starts in self._starts]
        new._blocks = [[VmArea(v.start, v.end, v.flags & flags_mask, v.file, v.pgoff, v.name, v.vm_file)
                        for v in block] for block in self._blocks]
        new._len = self._len
        new._holes = None
        new._gaps = {}
        return new

    # ---- lookups ------------------------------------------------------------------

    def find(self, addr: int) -> Optional[VmArea]:
        """The VMA containing `addr`, or None."""
        b = bisect_right(self._firsts, addr) - 1
        if b < 0:
            return None
        vma = self._blocks[b][bisect_right(self._starts[b], addr) - 1]
        return vma if addr < vma.end else None

    def _pos_le(self, addr: int) -> tuple[int, int]:
        """Position of the last VMA whose key is <= addr; (0, -1) if none."""
        b = bisect_right(self._firsts, addr) - 1
        if b < 0:
            return 0, -1
        return b, bisect_right(self._starts[b], addr) - 1

    def _at(self, b: int, i: int) -> Optional[VmArea]:
        """The VMA at a position, following on to the neighbouring blocks
        for i == -1 or i == len(block); None past either end."""
        blocks = self._blocks
        if i < 0:
            return blocks[b - 1][-1] if b > 0 else None
        if b < len(blocks) and i < len(blocks[b]):
            return blocks[b][i]
        return blocks[b + 1][0] if b + 1 < len(blocks) else None

    def last_below(self, addr: int) -> Optional[VmArea]:
        """The last VMA that starts below `addr`."""
        b, i = self._pos_le(addr - 1)
        return self._blocks[b][i] if i >= 0 else None

    def first_ending_above(self, addr: int) -> Optional[VmArea]:
        """find_vma(): the first VMA with end > addr."""
        b, i = self._pos_le(addr)
        if i >= 0 and addr < self._blocks[b][i].end:
            return self._blocks[b][i]
        return self._at(b, i + 1)

    def range(self, start: int, end: int) -> list[VmArea]:
        """The VMAs that intersect [start, end), in order."""
        out: list[VmArea] = []
        blocks, starts = self._blocks, self._starts
        b, i = self._pos_le(start)
        if i < 0:
            i = 0
        elif blocks[b][i].end <= start:
            i += 1
        while b < len(blocks):
            block = blocks[b]
            j = bisect_left(starts[b], end, i)
            out.extend(block[i:j])
            if j < len(block):
                break
            b, i = b + 1, 0
        return out

    # ---- changes ---------------------------------------------------------------------

    def insert(self, vma: VmArea) -> None:
        """Link `vma`; its range must be free."""
        key = vma.start
        blocks = self._blocks
        if not blocks:
            self._firsts.append(key)
            self._starts.append([key])
            blocks.append([vma])
            b, i = 0, 0
        else:
            b = bisect_right(self._firsts, key) - 1
            if b < 0:
                b = 0
            starts = self._starts[b]
            i = bisect_right(starts, key)
            starts.insert(i, key)
            blocks[b].insert(i, vma)
            if i == 0:
                self._firsts[b] = key
        self._len += 1
        if self._holes is not None:
            block = blocks[b]
            if i:
                prev_end = block[i - 1].end
            else:
                prev_end = blocks[b - 1][-1].end if b else 0
            if i + 1 < len(block):
                next_start = block[i + 1].start
            else:
                next_start = blocks[b + 1][0].start if b + 1 < len(blocks) else self.limit
            self._del_hole(next_start)
            self._add_hole(prev_end, key)
            self._add_hole(vma.end, next_start)
        if len(blocks[b]) > 2 * self.LOAD:
            self._split_block(b)

    def remove(self, vma: VmArea) -> None:
        """Unlink `vma` (linked under its current start)."""
        blocks = self._blocks
        b = bisect_right(self._firsts, vma.start) - 1
        starts = self._starts[b]
        i = bisect_left(starts, vma.start)
        block = blocks[b]
        assert block[i] is vma, vma
        if self._holes is not None:
            if i:
                prev_end = block[i - 1].end
            else:
                prev_end = blocks[b - 1][-1].end if b else 0
            if i + 1 < len(block):
                next_start = block[i + 1].start
            else:
                next_start = blocks[b + 1][0].start if b + 1 < len(blocks) else self.limit
            self._del_hole(vma.start)
            self._del_hole(next_start)
            self._add_hole(prev_end, next_start)
        del block[i]
        del starts[i]
        self._len -= 1
        if not block:
            del blocks[b], self._starts[b], self._firsts[b]
        elif i == 0:
            self._firsts[b] = starts[0]

    def rekey(self, vma: VmArea) -> int:
        """`vma.start` was lowered without reaching the VMA below: move its key,
        and the gap below it. Returns the old start."""
        b, i = self._pos_le(vma.start)
        if i < 0 or self._blocks[b][i] is not vma:
            b, i = (b, i + 1) if i + 1 < len(self._blocks[b]) else (b + 1, 0)
        assert self._blocks[b][i] is vma, vma
        old = self._starts[b][i]
        self._starts[b][i] = vma.start
        if i == 0:
            self._firsts[b] = vma.start
        if self._holes is not None:
            prev = self._at(b, i - 1)
            self._del_hole(old)
            self._add_hole(prev.end if prev is not None else 0, vma.start)
        return old

    def end_changed(self, vma: VmArea, old_end: int) -> None:
        """`vma.end` moved from `old_end` within the free space after it: the
        gap above it follows."""
        if self._holes is None:
            return
        nxt = self.first_ending_above(max(vma.end, old_end))
        nstart = nxt.start if nxt is not None else self.limit
        self._del_hole(nstart)
        self._add_hole(vma.end, nstart)

    def _split_block(self, b: int) -> None:
        half = self.LOAD
        starts, block = self._starts[b], self._blocks[b]
        self._starts[b:b + 1] = [starts[:half], starts[half:]]
        self._blocks[b:b + 1] = [block[:half], block[half:]]
        self._firsts.insert(b + 1, starts[half])

    # ---- the gap index -------------------------------------------------------------

    def _add_hole(self, start: int, end: int) -> None:
        if end > start:
            self._holes[end] = start  # type: ignore[index]
            size_class = _size_class(end - start)
            gaps = self._gaps.get(size_class)
            if gaps is None:
                self._gaps[size_class] = [end]
            else:
                insort(gaps, end)

    def _del_hole(self, end: int) -> None:
        start = self._holes.pop(end, None)  # type: ignore[union-attr]
        if start is not None:
            size_class = _size_class(end - start)
            gaps = self._gaps[size_class]
            if len(gaps) == 1:
                del self._gaps[size_class]
            else:
                del gaps[bisect_left(gaps, end)]

    def _build_gaps(self) -> None:
        self._holes, self._gaps = {}, {}
        prev_end = 0
        for vma in self:
            self._add_hole(prev_end, vma.start)
            prev_end = vma.end
        self._add_hole(prev_end, self.limit)

    def gaps(self) -> list[tuple[int, int]]:
        """The free ranges, in address order (for checks and tests)."""
        if self._holes is None:
            self._build_gaps()
        return sorted((s, e) for e, s in self._holes.items())  # type: ignore[union-attr]

    def unmapped_area_topdown(self, length: int, high: int) -> int:
        """unmapped_area_topdown(): the highest `addr` such that [addr, addr +
        length) is free and ends at or below `high`, or -1."""
        if self._holes is None:
            self._build_gaps()
        holes = self._holes
        # The gap that contains `high`, cut at `high`.
        below = self.last_below(high)
        hstart = below.end if below is not None else 0
        if hstart < high and high - hstart >= length:
            return high - length
        best = -1
        size_class = _size_class(length)
        for c, ends in self._gaps.items():
            if c > size_class:  # every gap of the class fits
                i = bisect_right(ends, high) - 1
                if i >= 0 and ends[i] > best:
                    best = ends[i]
        ends = self._gaps.get(size_class)
        if ends is not None:  # gaps of the class may or may not fit
            i = bisect_right(ends, high) - 1
            while i >= 0 and ends[i] > best:
                if ends[i] - holes[ends[i]] >= length:  # type: ignore[index]
                    best = ends[i]
                    break
                i -= 1
        return best - length if best >= 0 else -1


class MmStruct:
    """struct mm_struct."""

    def __init__(self, phys: PhysMem, sysctl: Optional[VmSysctl] = None) -> None:
        self.phys = phys
        self.sysctl = sysctl if sysctl is not None else VmSysctl()
        self.pgtable: dict[int, int] = {}
        self.mm_mt = VmaTree(TASK_SIZE)
        self.total_pages = 0               # total_vm
        self.data_pages = 0                # data_vm
        self.users = 1                     # mm_users: tasks using this mm
        self.lock_key = new_key()          # names this address space to explore (lib/lockdep)
        self.cpus: list[Any] = []          # mm_cpumask: CPUs this mm is live on
        self.start_code = self.end_code = 0
        self.start_data = self.end_data = 0
        self.start_brk = self.brk = 0
        self.start_stack = 0
        self.arg_start = self.arg_end = self.env_start = self.env_end = 0
        self.mmap_base = MMAP_BASE
        self.exe_file = ""                 # its path (/proc/PID/exe)
        self.exe_inode: Any = None         # the running file: writes to it get ETXTBSY
        self.stack_limit = 8 << 20         # RLIMIT_STACK at exec time
        self.def_flags = 0                 # vm_flags every new VMA gets (mlockall MCL_FUTURE)

    def set_exe(self, inode: Any) -> None:
        """set_mm_exe_file(): while an mm runs a file, the file is not writable."""
        if self.exe_inode is not None:
            self.exe_inode.exec_users -= 1
        self.exe_inode = inode
        if inode is not None:
            inode.exec_users += 1

    # ---- VMAs ---------------------------------------------------------------

    @property
    def map_count(self) -> int:
        """mm->map_count: the number of VMAs."""
        return len(self.mm_mt)

    def vmas(self) -> Iterator[VmArea]:
        return iter(self.mm_mt)

    def find_vma(self, addr: int) -> Optional[VmArea]:
        """The VMA containing `addr`, or None."""
        return self.mm_mt.find(addr)

    def find_vma_above(self, addr: int) -> Optional[VmArea]:
        """find_vma(): the first VMA that ends above `addr` (it may start above it)."""
        return self.mm_mt.first_ending_above(addr)

    def vma_before(self, addr: int) -> Optional[VmArea]:
        """The last VMA that starts below `addr`."""
        return self.mm_mt.last_below(addr)

    def _account(self, vma: VmArea, sign: int) -> None:
        """vm_stat_account(): add (sign 1) or take away (-1) `vma`'s pages."""
        pages = sign * ((vma.end - vma.start) >> PAGE_SHIFT)
        self.total_pages += pages
        if vma.flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN) == VM_WRITE:  # is_data_mapping
            self.data_pages += pages

    def insert_vma(self, vma: VmArea) -> None:
        """Add a VMA; the range must be free (callers unmap first)."""
        self.mm_mt.insert(vma)
        self._account(vma, 1)
        if vma.file is not None:
            vma.file.i_mmap[vma] = self

    def remove_vma(self, vma: VmArea) -> None:
        self.mm_mt.remove(vma)
        self._account(vma, -1)
        if vma.file is not None:
            del vma.file.i_mmap[vma]

    def moved_start(self, vma: VmArea) -> None:
        """Call after lowering `vma.start` without crossing a neighbour (stack
        growth): the VMA keeps its place in the order."""
        old = self.mm_mt.rekey(vma)
        grown = (old - vma.start) >> PAGE_SHIFT
        self.total_pages += grown
        if is_data_mapping(vma.flags):
            self.data_pages += grown

    def vma_set_end(self, vma: VmArea, end: int) -> None:
        """Move the end of a linked VMA within the free space after it (brk,
        mremap growing in place, a merge with a new mapping above)."""
        self._account(vma, -1)
        old, vma.end = vma.end, end
        self.mm_mt.end_changed(vma, old)
        self._account(vma, 1)

    def vma_set_start(self, vma: VmArea, start: int) -> None:
        """Move the start of a linked VMA down into the free space below it
        (a merge with a new mapping below); the backing offset follows."""
        if vma.file is not None:
            vma.pgoff -= (vma.start - start) >> PAGE_SHIFT
        vma.start = start
        self.moved_start(vma)

    def vma_set_flags(self, vma: VmArea, flags: int) -> None:
        """Change the flags of a linked VMA (mprotect_fixup, mlock_fixup)."""
        self._account(vma, -1)
        vma.flags = flags
        self._account(vma, 1)

    def split_vma(self, vma: VmArea, addr: int) -> VmArea:
        """__split_vma(): cut a linked VMA at `addr` (inside it); returns the
        upper part, now linked too, with one more reference on the backing."""
        self._account(vma, -1)
        tail = vma.split(addr)
        self._account(vma, 1)
        if tail.file is not None:
            tail.file.get()
        self.insert_vma(tail)
        return tail

    def overlapping(self, start: int, end: int) -> list[VmArea]:
        """VMAs that intersect [start, end)."""
        return self.mm_mt.range(start, end)

    def count_vma_pages_range(self, start: int, end: int, flags: int = 0) -> int:
        """count_vma_pages_range(): mapped pages in [start, end), only of VMAs
        with every bit of `flags` (count_mm_mlocked_page_nr with VM_LOCKED)."""
        return sum(min(v.end, end) - max(v.start, start) for v in self.overlapping(start, end)
                   if v.flags & flags == flags) >> PAGE_SHIFT

    def total_vm(self) -> int:
        """mm->total_vm: mapped pages."""
        return self.total_pages

    def data_vm(self) -> int:
        """mm->data_vm: pages of private writable non-stack mappings."""
        return self.data_pages

    def locked_vm(self) -> int:
        """mm->locked_vm: pages of VM_LOCKED mappings (counted when asked: the
        lock bits may be changed in place)."""
        return sum(v.end - v.start for v in self.mm_mt if v.flags & VM_LOCKED) >> PAGE_SHIFT

    def range_is_free(self, start: int, end: int) -> bool:
        return 0 < start < end <= TASK_SIZE and not self.overlapping(start, end)

    def unmapped_area_topdown(self, length: int, high: int) -> int:
        """The highest free range of `length` bytes ending at or below `high`:
        its start, or -1."""
        return self.mm_mt.unmapped_area_topdown(length, high)

    # ---- pages and the TLB ----------------------------------------------------

    def flush_tlb(self) -> None:
        """flush_tlb_mm(): every CPU running this mm drops its translations."""
        for cpu in self.cpus:
            cpu.flush_tlb()

    def present_vpns(self, start: int, end: int) -> list[int]:
        """The page numbers in [start, end) that have a PTE, looking at
        whichever is fewer: the pages of the range or the page table."""
        pt = self.pgtable
        first, last = start >> PAGE_SHIFT, end >> PAGE_SHIFT
        if last - first > len(pt):
            return [v for v in pt if first <= v < last]
        return [v for v in range(first, last) if v in pt]

    def zap_range(self, start: int, end: int) -> int:
        """zap_page_range(): unmap the pages in [start, end) and drop their
        frames. Returns how many PTEs were removed (the caller flushes the TLB)."""
        pt = self.pgtable
        put = self.phys.put
        vpns = self.present_vpns(start, end)
        for vpn in vpns:
            put(pt.pop(vpn) >> PAGE_SHIFT)
        return len(vpns)

    def rss(self) -> int:
        """Resident pages (the zero page is not counted)."""
        zero = self.phys.zero_pfn
        return sum(1 for pte in self.pgtable.values() if pte >> PAGE_SHIFT != zero)

    def release(self) -> None:
        """exit_mmap(): drop every mapping (the last mmput)."""
        phys = self.phys
        refcount = phys.refcount
        for pte in self.pgtable.values():
            pfn = pte >> PAGE_SHIFT
            count = refcount[pfn]
            if count > 1:  # put_page() of a frame that keeps a user: no call needed
                refcount[pfn] = count - 1
            else:
                phys.put(pfn)
        # Cleared in place: a CPU still pointing at this table finds nothing.
        self.pgtable.clear()
        for vma in self.mm_mt:
            if vma.file is not None:
                del vma.file.i_mmap[vma]
                vma.file.put()
        self.set_exe(None)
        self.mm_mt = VmaTree(TASK_SIZE)
        self.total_pages = self.data_pages = 0
