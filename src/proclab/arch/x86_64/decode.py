"""The exact address of a page fault (what the CPU puts in CR2).

Unicorn's TLB fill only learns the page of a failed access, but a SIGSEGV's
si_addr is the faulting byte. We decode the instruction at RIP (Capstone, from
Unicorn's authors) and compute the effective addresses of its memory operands
from the registers, as the CPU did: base + index * scale + displacement, plus
the FS/GS base, RIP-relative from the end of the instruction; push and call
write below RSP, pop and ret read at RSP. The operand that touches the faulting
page is the answer; anything we cannot decode falls back to the page address.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

import capstone
from capstone import x86_const as CX

from .pgtable import PAGE_MASK

_U64 = (1 << 64) - 1
_STACK_WRITES = {"push", "call", "pushfq", "pushf"}
_STACK_READS = {"pop", "ret", "popfq", "popf", "leave"}


@lru_cache(maxsize=1)
def _disassembler() -> capstone.Cs:
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    md.detail = True
    return md


def _reg_value(md: capstone.Cs, reg: int, regs: dict[str, int], next_rip: int) -> Optional[int]:
    if reg == CX.X86_REG_INVALID:
        return 0
    name = md.reg_name(reg)
    if name == "rip":
        return next_rip
    if name in regs:
        return regs[name]
    if name.startswith("e") and "r" + name[1:] in regs:  # 32-bit addressing (0x67 prefix)
        return regs["r" + name[1:]] & 0xFFFFFFFF
    return None


def fault_address(code: bytes, rip: int, regs: dict[str, int], page: int, fetch: bool) -> int:
    """The address inside (or starting) `page` that the instruction at `rip`
    faulted on; `regs` holds the general registers and fs_base/gs_base."""
    if fetch:
        return rip if rip & PAGE_MASK == page else page
    md = _disassembler()
    try:
        insn = next(md.disasm(code, rip, 1))
    except (StopIteration, capstone.CsError):
        return page
    next_rip = rip + insn.size
    candidates: list[tuple[int, int]] = []
    for op in insn.operands:
        if op.type != CX.X86_OP_MEM:
            continue
        base = _reg_value(md, op.mem.base, regs, next_rip)
        index = _reg_value(md, op.mem.index, regs, next_rip)
        if base is None or index is None:
            continue
        ea = base + index * op.mem.scale + op.mem.disp
        segment = md.reg_name(op.mem.segment) if op.mem.segment != CX.X86_REG_INVALID else None
        if segment in ("fs", "gs"):
            ea += regs.get(f"{segment}_base", 0)
        candidates.append((ea & _U64, op.size or 8))
    if insn.mnemonic in _STACK_WRITES:
        candidates.append(((regs["rsp"] - 8) & _U64, 8))
    elif insn.mnemonic in _STACK_READS:
        candidates.append((regs["rsp"], 8))
    for ea, size in candidates:
        if ea & PAGE_MASK == page:
            return ea
        if ea < page < ea + size:  # an access straddling into the faulting page
            return page
    return page

