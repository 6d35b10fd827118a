"""The page-table entry format the CPU's TLB fill understands
(arch/x86/include/asm/pgtable_types.h, simplified).

A page table maps a virtual page number (vaddr >> 12) to a PTE, an int:

    pte = (pfn << PAGE_SHIFT) | perms

where the low three bits are the access rights in Unicorn's own encoding
(UC_PROT_READ=1, UC_PROT_WRITE=2, UC_PROT_EXEC=4), so that the TLB fill can hand
them to the emulator unchanged. A present PTE always has _PAGE_READ. There is no
"COW" bit: as in Linux, a read-only PTE inside a writable private VMA *is* a
copy-on-write page, and the fault handler tells them apart.
"""

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_MASK = ~(PAGE_SIZE - 1)

_PAGE_READ = 1
_PAGE_WRITE = 2
_PAGE_EXEC = 4
_PAGE_PERMS = 7

# Unicorn's access codes as passed to the TLB fill hook (UC_MEM_READ/WRITE/FETCH).
ACCESS_READ = 16
ACCESS_WRITE = 17
ACCESS_FETCH = 18
# The PTE bit each access needs.
ACCESS_NEEDS = {ACCESS_READ: _PAGE_READ, ACCESS_WRITE: _PAGE_WRITE, ACCESS_FETCH: _PAGE_EXEC}
ACCESS_NAMES = {ACCESS_READ: "read", ACCESS_WRITE: "write", ACCESS_FETCH: "exec"}

# Linux's default user address space (x86-64, 4-level paging, no randomization).
TASK_SIZE = 0x7FFFFFFFF000
STACK_TOP = TASK_SIZE
ELF_ET_DYN_BASE = 0x555555554000


def mk_pte(pfn: int, perms: int) -> int:
    return (pfn << PAGE_SHIFT) | perms


def pte_pfn(pte: int) -> int:
    return pte >> PAGE_SHIFT


def page_align(addr: int) -> int:
    """PAGE_ALIGN: round up to a page boundary."""
    return (addr + PAGE_SIZE - 1) & PAGE_MASK
