"""Physical memory: page frames in one host buffer, with reference counts
(mm/page_alloc.c and struct page's _refcount, much simplified).

The buffer is mapped once into every simulated CPU at physical address 0, so a
frame number is a physical address >> 12 and the kernel reads and writes user
memory by slicing `mem`. Frame 0 is never handed out: the CPU uses it while
entering user mode at boot, and a zero PFN in a PTE is always a bug.

Who touches what: the allocator (alloc/get/put) is used by mm/ only; the CPU adds
to `code_frames` each frame it maps executable, and `alloc` asks every CPU to drop
translated code before such a frame gets new contents.
"""

from __future__ import annotations

import ctypes
import mmap
import struct
from array import array
from typing import Callable

from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE

ZERO_PAGE_BYTES = bytes(PAGE_SIZE)

# page flags (struct page->flags, the ones we need)
PG_ANON = 1       # private anonymous page (may be reused in place on a COW fault)
PG_CACHE = 2      # belongs to the page cache or a shared-memory object
PG_ZERO = 4       # the shared zero page


class OutOfMemory(Exception):
    """No free frame is left: the caller turns this into ENOMEM or SIGKILL (OOM)."""


# What machines switched off leave (PhysMem.release), by size: the buffer and
# the per-frame reference counts and flags, all zero again; taken by the next
# PhysMem of that size in this process. Only PhysMem touches it.
_spare_buffers: dict[int, list[tuple[mmap.mmap, array, bytearray]]] = {}


class PhysMem:
    """All page frames. Frames are handed out fresh (bump pointer) until the
    first is freed; freed frames are reused last-freed-first, which keeps the
    host's resident memory small and the allocation order deterministic."""

    def __init__(self, size: int) -> None:
        if size % PAGE_SIZE or size < 64 * PAGE_SIZE:
            raise ValueError("memory size must be a multiple of 4 KiB and at least 256 KiB")
        self.size = size
        self.nr_frames = size >> PAGE_SHIFT
        spare = _spare_buffers.get(size)
        if spare:
            self.buf, self.refcount, self.flags = spare.pop()
        else:
            flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_NORESERVE", 0)
            self.buf = mmap.mmap(-1, size, flags=flags)
            self.refcount = array("i", bytes(4 * self.nr_frames))
            self.flags = bytearray(self.nr_frames)
        self.mem = memoryview(self.buf)
        self.ptr = ctypes.addressof(ctypes.c_char.from_buffer(self.buf))
        self._next_fresh = 1  # frame 0 is reserved
        self._free: list[int] = []
        self.nr_free = self.nr_frames - 1
        self.code_frames: set[int] = set()
        self.flush_code_hooks: list[Callable[[], None]] = []
        self.allocations = 0
        # The zero page: mapped read-only wherever anonymous memory is read first.
        self.zero_pfn = self.alloc(PG_ZERO)

    def release(self) -> None:
        """The machine is switched off for good: the buffer is kept for the
        next machine of this size in this process, so that a CPU whose
        emulator maps it can be kept too (see Cpu.take). `proclab explore`
        makes a machine per schedule. Only frames below the bump pointer
        were ever written; they, their counts and flags are zeroed in place,
        which costs a tenth of giving the memory back to the host
        (MADV_DONTNEED, or new arrays) and taking a host page fault on each
        page again in the next run (~2 us a page here)."""
        used = self._next_fresh
        ctypes.memset(self.ptr, 0, used << PAGE_SHIFT)   # no zero buffer to build first
        ctypes.memset(self.refcount.buffer_info()[0], 0, self.refcount.itemsize * used)
        self.flags[:used] = bytes(used)
        _spare_buffers.setdefault(self.size, []).append((self.buf, self.refcount, self.flags))

    def alloc(self, flags: int = PG_ANON, zero: bool = True) -> int:
        """alloc_page(): a frame with refcount 1, zero-filled unless `zero` is False
        (the caller overwrites it entirely)."""
        if self._free:
            pfn = self._free.pop()
            if pfn in self.code_frames:
                self._flush_code()
            if zero:
                off = pfn << PAGE_SHIFT
                self.mem[off:off + PAGE_SIZE] = ZERO_PAGE_BYTES
        elif self._next_fresh < self.nr_frames:
            pfn = self._next_fresh  # fresh frames of an anonymous mapping are zero
            self._next_fresh += 1
        else:
            raise OutOfMemory()
        self.refcount[pfn] = 1
        self.flags[pfn] = flags
        self.nr_free -= 1
        self.allocations += 1
        return pfn

    def get(self, pfn: int) -> None:
        """get_page(): one more user of the frame."""
        self.refcount[pfn] += 1

    def put(self, pfn: int) -> None:
        """put_page(): one user less; the frame is freed with the last one."""
        count = self.refcount[pfn] - 1
        self.refcount[pfn] = count
        if count == 0:
            self.flags[pfn] = 0
            self._free.append(pfn)
            self.nr_free += 1
        elif count < 0:  # pragma: no cover - a refcount bug must be loud
            raise AssertionError(f"frame {pfn} freed twice")

    def copy(self, dst: int, src: int) -> None:
        """copy_user_highpage(): the contents of frame src into frame dst."""
        d, s = dst << PAGE_SHIFT, src << PAGE_SHIFT
        self.mem[d:d + PAGE_SIZE] = self.mem[s:s + PAGE_SIZE]

    def write(self, pfn: int, offset: int, data: bytes) -> None:
        """Store bytes into a frame from the kernel side."""
        base = (pfn << PAGE_SHIFT) + offset
        self.mem[base:base + len(data)] = data
        if pfn in self.code_frames:
            self._flush_code()

    def write_value(self, pfn: int, offset: int, fmt: struct.Struct, value: int) -> None:
        """Store one packed value into a frame (put_user's fast path)."""
        fmt.pack_into(self.mem, (pfn << PAGE_SHIFT) + offset, value)
        if pfn in self.code_frames:
            self._flush_code()

    def read(self, pfn: int, offset: int, size: int) -> bytes:
        base = (pfn << PAGE_SHIFT) + offset
        return bytes(self.mem[base:base + size])

    def used_frames(self) -> int:
        """Frames in use, the zero page included."""
        return self.nr_frames - 1 - self.nr_free

    def _flush_code(self) -> None:
        self.code_frames.clear()
        for hook in self.flush_code_hooks:
            hook()
