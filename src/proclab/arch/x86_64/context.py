"""A task's saved user registers: pt_regs plus the FPU/SSE state and FS base
(struct pt_regs + struct thread_struct + struct fpu).

The whole register file lives in one Unicorn context blob (uc_context, ~5.6 KiB),
saved and restored by memcpy inside Unicorn. This module talks to libunicorn
through ctypes directly: the Python binding's per-call wrappers dominate the
cost of the syscall path (EMULATION_NOTES.md).
"""

from __future__ import annotations

import ctypes
import struct

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
EFLAGS = X.UC_X86_REG_EFLAGS
FS_BASE = X.UC_X86_REG_FS_BASE

_U64 = 0xFFFFFFFFFFFFFFFF

# The FPU/SSE registers an fxsave image holds (Intel SDM, FXSAVE in 64-bit mode).
_ST = [getattr(X, f"UC_X86_REG_ST{i}") for i in range(8)]
_XMM = [getattr(X, f"UC_X86_REG_XMM{i}") for i in range(16)]
FXSAVE_SIZE = 512
MXCSR_MASK = 0x0000FFFF


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

    def read_raw(self, reg: int, size: int) -> bytes:
        buf = (ctypes.c_char * 64)()
        uclib.uc_context_reg_read(self.ptr, reg, buf)
        return bytes(buf[:size])

    def write_raw(self, reg: int, data: bytes) -> None:
        buf = (ctypes.c_char * 64).from_buffer_copy(data.ljust(64, b"\0"))
        uclib.uc_context_reg_write(self.ptr, reg, buf)


def read_fxsave(ctx: Context) -> bytes:
    """The x87 and SSE registers of `ctx` in fxsave layout."""
    fcw, fsw, tag = ctx.reg_read(X.UC_X86_REG_FPCW), ctx.reg_read(X.UC_X86_REG_FPSW), ctx.reg_read(X.UC_X86_REG_FPTAG)
    abridged = sum(1 << i for i in range(8) if (tag >> (2 * i)) & 3 != 3)
    head = struct.pack("<HHBxHQQII", fcw & 0xFFFF, fsw & 0xFFFF, abridged, ctx.reg_read(X.UC_X86_REG_FOP) & 0xFFFF,
                       ctx.reg_read(X.UC_X86_REG_FIP), ctx.reg_read(X.UC_X86_REG_FDP),
                       ctx.reg_read(X.UC_X86_REG_MXCSR) & 0xFFFFFFFF, MXCSR_MASK)
    st = b"".join(ctx.read_raw(r, 10).ljust(16, b"\0") for r in _ST)
    xmm = b"".join(ctx.read_raw(r, 16) for r in _XMM)
    return (head + st + xmm).ljust(FXSAVE_SIZE, b"\0")


def write_fxsave(ctx: Context, image: bytes) -> None:
    """Load an fxsave image (as fxrstor would; reserved MXCSR bits cleared)."""
    fcw, fsw, abridged, fop, fip, fdp, mxcsr, _mask = struct.unpack_from("<HHBxHQQII", image)
    # the full tag word: empty (11) where the abridged bit is clear, else valid
    tag = sum((0 if abridged >> i & 1 else 3) << (2 * i) for i in range(8))
    for reg, value in ((X.UC_X86_REG_FPCW, fcw), (X.UC_X86_REG_FPSW, fsw), (X.UC_X86_REG_FPTAG, tag),
                       (X.UC_X86_REG_FOP, fop), (X.UC_X86_REG_FIP, fip), (X.UC_X86_REG_FDP, fdp),
                       (X.UC_X86_REG_MXCSR, mxcsr & MXCSR_MASK)):
        ctx.reg_write(reg, value)
    for i, reg in enumerate(_ST):
        ctx.write_raw(reg, image[32 + 16 * i:32 + 16 * i + 10])
    for i, reg in enumerate(_XMM):
        ctx.write_raw(reg, image[160 + 16 * i:176 + 16 * i])
