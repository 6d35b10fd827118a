"""A task's saved user registers: pt_regs plus the FPU/SSE state and FS base
(struct pt_regs + struct thread_struct + struct fpu).

The whole register file lives in one Unicorn context blob (uc_context, ~5.6 KiB),
saved and restored by memcpy inside Unicorn. This module talks to libunicorn
through ctypes directly: the Python binding's per-call wrappers dominate the
cost of the syscall path (EMULATION_NOTES.md).
"""

from __future__ import annotations

import ctypes

from unicorn import x86_const as X
from unicorn.unicorn_py3.unicorn import uclib

# The general registers a signal frame / ptrace view shows, in struct
# sigcontext order (arch/x86/include/uapi/asm/sigcontext.h).
GPRS = (
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    "rdi", "rsi", "rbp", "rbx", "rdx", "rax", "rcx", "rsp", "rip", "eflags",
)
REG_IDS = {name: getattr(X, f"UC_X86_REG_{name.upper()}") for name in GPRS}
REG_IDS["fs_base"] = X.UC_X86_REG_FS_BASE
REG_IDS["gs_base"] = X.UC_X86_REG_GS_BASE

RIP = X.UC_X86_REG_RIP
RAX = X.UC_X86_REG_RAX
RCX = X.UC_X86_REG_RCX
RDX = X.UC_X86_REG_RDX
RSP = X.UC_X86_REG_RSP
FS_BASE = X.UC_X86_REG_FS_BASE

_U64 = 0xFFFFFFFFFFFFFFFF


class Context:
    """One saved register file. Only the CPU (cpu.py) saves into or restores
    from it; the kernel edits single registers through reg_read/reg_write."""

    __slots__ = ("ptr", "size", "_val")

    def __init__(self, uch: int, size: int) -> None:
        self.ptr = ctypes.c_void_p()
        err = uclib.uc_context_alloc(uch, ctypes.byref(self.ptr))
        if err:
            raise MemoryError(f"uc_context_alloc failed ({err})")
        self.size = size
        self._val = ctypes.c_uint64()

    def __del__(self) -> None:
        if self.ptr:
            uclib.uc_context_free(self.ptr)
            self.ptr = ctypes.c_void_p()

    def copy_from(self, other: "Context") -> None:
        """Make this register file an exact copy of `other` (fork's copy_thread)."""
        ctypes.memmove(self.ptr, other.ptr, self.size)

    def reg_read(self, reg: int) -> int:
        uclib.uc_context_reg_read(self.ptr, reg, ctypes.byref(self._val))
        return self._val.value

    def reg_write(self, reg: int, value: int) -> None:
        self._val.value = value & _U64
        uclib.uc_context_reg_write(self.ptr, reg, ctypes.byref(self._val))

    def read_regs(self) -> dict[str, int]:
        """All general registers by name (for signal frames and debugging)."""
        return {name: self.reg_read(reg) for name, reg in REG_IDS.items()}

    def write_regs(self, regs: dict[str, int]) -> None:
        for name, value in regs.items():
            self.reg_write(REG_IDS[name], value)
