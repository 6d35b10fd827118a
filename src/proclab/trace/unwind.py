"""Where a task is in its C source: unwind its user stack with the binary's
CFI until a frame lies in the program's own code, and name that line and the
library function it called ("waitpid at fork_hello.c:17").

Looking must not change what it looks at: registers are read from the saved
(or live) register file, and stack memory only through page-table entries
that are already present. A page that is not present ends the walk instead of
faulting in, so page-fault counts and virtual time are the same whether or not
anyone traces the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional

from elftools.dwarf.callframe import RegisterRule
from unicorn import x86_const as X

from ..arch.x86_64.context import Context
from ..arch.x86_64.pgtable import PAGE_SHIFT, PAGE_SIZE
from .dwarf import DebugInfo, debug_info

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel
    from ..kernel.task import TaskStruct
    from ..mm.mm_struct import MmStruct

# DWARF register numbers of x86-64 (System V psABI, figure 3.36) that the
# unwinder follows: the stack pointer, the return address and callee-saved ones.
_RSP, _RA = 7, 16
_DWARF_REGS = {3: X.UC_X86_REG_RBX, 6: X.UC_X86_REG_RBP, 12: X.UC_X86_REG_R12, 13: X.UC_X86_REG_R13,
               14: X.UC_X86_REG_R14, 15: X.UC_X86_REG_R15, _RSP: X.UC_X86_REG_RSP}
_MAX_FRAMES = 32
# musl's startup: `exit(main(argc, argv, envp))`. Reaching it from exit()
# without passing through the program's code means main returned.
_START_MAIN = ("libc_start_main_stage2", "__libc_start_main", "__libc_start_call_main")
_EXITS = ("exit", "_exit", "_Exit")


class Where(NamedTuple):
    """A place in the program's source: `source` is "file.c:line" ("" when
    unknown), `call` the library function called there ("" when the task was
    in its own code)."""

    source: str
    call: str

    def __str__(self) -> str:
        if not self.source:
            return self.call
        return f"{self.call}() at {self.source}" if self.call else f"at {self.source}"


RETURN_FROM_MAIN = Where("", "return from main")


def _peek64(k: Kernel, mm: MmStruct, addr: int) -> Optional[int]:
    """A user word through present PTEs only (None where nothing is mapped)."""
    out = b""
    mem = k.phys.mem
    while len(out) < 8:
        a = addr + len(out)
        pte = mm.pgtable.get(a >> PAGE_SHIFT)
        if pte is None:
            return None
        off = a & (PAGE_SIZE - 1)
        base = (pte >> PAGE_SHIFT) << PAGE_SHIFT
        take = min(8 - len(out), PAGE_SIZE - off)
        out += bytes(mem[base + off:base + off + take])
    return int.from_bytes(out, "little")


def locate(k: Kernel, t: TaskStruct) -> Optional[Where]:
    """Where `t` is in its program's own source, or None (a kernel thread, a
    scripted program, no debug information, or a stack that cannot be read)."""
    ctx = t.thread
    mm = t.mm
    if ctx.__class__ is not Context or mm is None or not mm.exe_file:
        return None
    info = debug_info(mm.exe_file)
    if info is None:
        return None
    cpu = k.cpus[t.cpu]
    assert cpu is not None  # a task with a register file has run on its CPU
    regs = {n: cpu.reg_read(ctx, reg) for n, reg in _DWARF_REGS.items()}
    pc = cpu.reg_read(ctx, X.UC_X86_REG_RIP)
    # In a syscall RIP is past the `syscall` instruction: look up the
    # instruction itself. Otherwise RIP is the next instruction to run.
    return _walk(k, mm, info, regs, pc, pc - 1 if t.syscall_nr >= 0 else pc)


def _walk(k: Kernel, mm: MmStruct, info: DebugInfo, regs: dict[int, int], pc: int, at: int) -> Optional[Where]:
    """Unwind frame by frame. `pc` selects the CFI row (the registers' state),
    `at` the instruction the frame is executing or calling from."""
    callee = ""
    for _ in range(_MAX_FRAMES):
        line = info.source_line(at)
        if line is not None:
            return Where(f"{line[0]}:{line[1]}", callee)
        func = info.function(at)
        if func in _START_MAIN and callee in _EXITS:
            return RETURN_FROM_MAIN
        rule = info.frame_rule(pc)
        if rule is None:
            cfa = regs[_RSP] + 8  # no CFI (an assembly leaf): the return address is on top
            saved = {_RA: RegisterRule(RegisterRule.OFFSET, -8)}
        else:
            cfa_rule = rule["cfa"]
            if cfa_rule.expr is not None or cfa_rule.reg not in regs:
                return None
            cfa = regs[cfa_rule.reg] + cfa_rule.offset
            saved = rule
        for reg, how in saved.items():
            if not isinstance(how, RegisterRule) or how.type != RegisterRule.OFFSET or (reg not in regs and reg != _RA):
                continue
            value = _peek64(k, mm, cfa + how.arg)
            if value is None:
                return None
            if reg == _RA:
                pc = value
            else:
                regs[reg] = value
        if _RA not in saved or pc == 0:
            return None  # the outermost frame
        regs[_RSP] = cfa
        # A return address follows its call: look up the call instruction.
        at = pc = pc - 1
        callee = func
    return None
