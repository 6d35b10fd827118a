"""The address space of a process: mm_struct, its VMAs and its page table
(include/linux/mm_types.h, mm/mmap.c).

A VMA is a range [start, end) with the same rights and backing. An mm holds its
VMAs sorted by start address and a page table (vpn -> PTE, format in
arch/x86_64/pgtable.py). Threads (CLONE_VM) and a vfork child share one MmStruct;
`users` counts them (mm_users) and the last `mmput` frees every frame.

Who touches what: the page table is written by mm/ code only (faults, fork's
copy, munmap/mprotect, exec); the CPU reads it through `Cpu.switch_mm`. When a
PTE of a live mm loses rights or changes frame, `flush_tlb` must run on each CPU in
`cpus` (mm_cpumask), which the scheduler keeps up to date.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterator, Optional

from ..arch.x86_64.pgtable import PAGE_SHIFT, STACK_TOP, TASK_SIZE
from .physmem import PhysMem

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


def is_data_mapping(flags: int) -> bool:
    """is_data_mapping() (mm/internal.h): private, writable and not a stack."""
    return flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN) == VM_WRITE


class VmArea:
    """struct vm_area_struct: [start, end) with flags and an optional backing
    object (`file`, something with get_page(pgoff), e.g. a cached file or a
    shared-memory object) at page offset `pgoff`."""

    __slots__ = ("start", "end", "flags", "file", "pgoff", "name")

    def __init__(
        self,
        start: int,
        end: int,
        flags: int,
        file: Any = None,
        pgoff: int = 0,
        name: str = "",
    ) -> None:
        self.start = start
        self.end = end
        self.flags = flags
        self.file = file
        self.pgoff = pgoff
        self.name = name

    def page_offset(self, addr: int) -> int:
        """The backing object's page index for `addr` (linear_page_index)."""
        return ((addr - self.start) >> PAGE_SHIFT) + self.pgoff

    def split(self, addr: int) -> "VmArea":
        """Cut at `addr`: self keeps [start, addr), the result is [addr, end)."""
        tail = VmArea(addr, self.end, self.flags, self.file,
                      self.page_offset(addr) if self.file is not None else 0, self.name)
        self.end = addr
        return tail

    def __repr__(self) -> str:
        r = "r" if self.flags & VM_READ else "-"
        w = "w" if self.flags & VM_WRITE else "-"
        x = "x" if self.flags & VM_EXEC else "-"
        s = "s" if self.flags & VM_SHARED else "p"
        return f"<vma {self.start:#x}-{self.end:#x} {r}{w}{x}{s} {self.name}>"


class MmStruct:
    """struct mm_struct."""

    def __init__(self, phys: PhysMem) -> None:
        self.phys = phys
        self.pgtable: dict[int, int] = {}
        self._starts: list[int] = []
        self._vmas: list[VmArea] = []
        self.users = 1                     # mm_users: tasks using this mm
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

    def vmas(self) -> Iterator[VmArea]:
        return iter(self._vmas)

    def find_vma(self, addr: int) -> Optional[VmArea]:
        """The VMA containing `addr`, or None."""
        i = bisect_right(self._starts, addr) - 1
        if i >= 0:
            vma = self._vmas[i]
            if addr < vma.end:
                return vma
        return None

    def find_vma_above(self, addr: int) -> Optional[VmArea]:
        """find_vma(): the first VMA that ends above `addr` (it may start above it)."""
        i = bisect_right(self._starts, addr) - 1
        if i >= 0 and addr < self._vmas[i].end:
            return self._vmas[i]
        return self._vmas[i + 1] if i + 1 < len(self._vmas) else None

    def vma_before(self, addr: int) -> Optional[VmArea]:
        """The last VMA that starts below `addr`."""
        i = bisect_right(self._starts, addr - 1) - 1
        return self._vmas[i] if i >= 0 else None

    def insert_vma(self, vma: VmArea) -> None:
        """Add a VMA; the range must be free (callers unmap first)."""
        i = bisect_right(self._starts, vma.start)
        self._starts.insert(i, vma.start)
        self._vmas.insert(i, vma)
        if vma.file is not None:
            vma.file.i_mmap[vma] = self

    def remove_vma(self, vma: VmArea) -> None:
        i = bisect_right(self._starts, vma.start) - 1
        assert self._vmas[i] is vma
        del self._starts[i]
        del self._vmas[i]
        if vma.file is not None:
            del vma.file.i_mmap[vma]

    def moved_start(self, vma: VmArea) -> None:
        """Call after lowering `vma.start` without crossing a neighbour (stack
        growth): the VMA keeps its place in the order."""
        self._starts[self._vmas.index(vma)] = vma.start

    def overlapping(self, start: int, end: int) -> list[VmArea]:
        """VMAs that intersect [start, end)."""
        out = []
        i = max(bisect_right(self._starts, start) - 1, 0)
        while i < len(self._vmas) and self._vmas[i].start < end:
            if self._vmas[i].end > start:
                out.append(self._vmas[i])
            i += 1
        return out

    def count_vma_pages_range(self, start: int, end: int, flags: int = 0) -> int:
        """count_vma_pages_range(): mapped pages in [start, end), only of VMAs
        with every bit of `flags` (count_mm_mlocked_page_nr with VM_LOCKED)."""
        return sum(min(v.end, end) - max(v.start, start) for v in self.overlapping(start, end)
                   if v.flags & flags == flags) >> PAGE_SHIFT

    def total_vm(self) -> int:
        """mm->total_vm: mapped pages."""
        return sum(v.end - v.start for v in self._vmas) >> PAGE_SHIFT

    def data_vm(self) -> int:
        """mm->data_vm: pages of private writable non-stack mappings."""
        return sum(v.end - v.start for v in self._vmas if is_data_mapping(v.flags)) >> PAGE_SHIFT

    def locked_vm(self) -> int:
        """mm->locked_vm: pages of VM_LOCKED mappings."""
        return sum(v.end - v.start for v in self._vmas if v.flags & VM_LOCKED) >> PAGE_SHIFT

    def range_is_free(self, start: int, end: int) -> bool:
        return 0 < start < end <= TASK_SIZE and not self.overlapping(start, end)

    # ---- pages and the TLB ----------------------------------------------------

    def flush_tlb(self) -> None:
        """flush_tlb_mm(): every CPU running this mm drops its translations."""
        for cpu in self.cpus:
            cpu.flush_tlb()

    def zap_range(self, start: int, end: int) -> int:
        """zap_page_range(): unmap the pages in [start, end) and drop their
        frames. Returns how many PTEs were removed (the caller flushes the TLB)."""
        pt = self.pgtable
        phys = self.phys
        removed = 0
        first, last = start >> PAGE_SHIFT, end >> PAGE_SHIFT
        if last - first > len(pt):
            vpns = [v for v in pt if first <= v < last]
        else:
            vpns = [v for v in range(first, last) if v in pt]
        for vpn in vpns:
            pte = pt.pop(vpn)
            phys.put(pte >> PAGE_SHIFT)
            removed += 1
        return removed

    def rss(self) -> int:
        """Resident pages (the zero page is not counted)."""
        zero = self.phys.zero_pfn
        return sum(1 for pte in self.pgtable.values() if pte >> PAGE_SHIFT != zero)

    def release(self) -> None:
        """exit_mmap(): drop every mapping (the last mmput)."""
        phys = self.phys
        for pte in self.pgtable.values():
            phys.put(pte >> PAGE_SHIFT)
        # Cleared in place: a CPU still pointing at this table finds nothing.
        self.pgtable.clear()
        for vma in self._vmas:
            if vma.file is not None:
                del vma.file.i_mmap[vma]
                vma.file.put()
        self.set_exe(None)
        self._starts = []
        self._vmas = []
