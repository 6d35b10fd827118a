"""CPU exceptions (arch/x86/kernel/traps.c, arch/x86/mm/fault.c).

`do_user_addr_fault` is the page-fault handler the CPU calls on a TLB miss that
the page table cannot satisfy, and the kernel calls when it touches user memory.
It lets mm/ resolve the fault, then does what belongs to the task: counting
(min_flt, maj_flt, COW copies), the page_fault_user and mm_cow tracepoints, the
virtual time a fault costs.

`do_trap` turns the other exceptions into the signals Linux sends: #DE SIGFPE,
#UD SIGILL, #BP SIGTRAP, #GP SIGSEGV, an unresolved page fault SIGSEGV with the
address (SIGBUS past the end of a mapped file). rdtsc traps (CR4.TSD is set) and is emulated from the virtual clock, so
programs that read the TSC stay deterministic.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from typing import TYPE_CHECKING, Optional

from . import cpu as X
from .context import RAX, RCX, RDX, RIP
from .decode import fault_address
from .pgtable import ACCESS_FETCH, ACCESS_NAMES, ACCESS_WRITE, PAGE_MASK, PAGE_SHIFT
from ...mm.fault import (
    FAULT_COW_COPY,
    FAULT_COW_REUSE,
    FAULT_MAJOR,
    FAULT_SEGV_ACCERR,
    FAULT_SEGV_MAPERR,
    FAULT_SIGBUS,
    FAULT_SPURIOUS,
    KIND_NAMES,
    handle_mm_fault,
)
from ...mm.mmap import expand_stack, vm_limits
from ...mm.physmem import OutOfMemory
from ...uapi import signal as S
from ...uapi.unistd import NAMES as SYSCALL_NAMES
from ...kernel.time.timekeeping import COSTS

if TYPE_CHECKING:  # pragma: no cover
    from ...mm.mm_struct import MmStruct
    from ...kernel.kernel import Kernel
    from ...kernel.task import TaskStruct


# Unresolvable faults: the signal and si_code they mean.
_BAD_ACCESS = {
    FAULT_SEGV_MAPERR: (S.SIGSEGV, S.SEGV_MAPERR),
    FAULT_SEGV_ACCERR: (S.SIGSEGV, S.SEGV_ACCERR),
    FAULT_SIGBUS: (S.SIGBUS, S.BUS_ADRERR),
}

# Exceptions whose repetition the CPU would escalate to a double fault.
_CONTRIBUTORY = (X.X86_TRAP_DE, 10, 11, 12, X.X86_TRAP_GP)


def _canonical(addr: int) -> bool:
    """Bits 63..47 all equal (4-level paging)."""
    return addr < (1 << 47) or addr >= (1 << 64) - (1 << 47)


class Traps:
    def __init__(self, k: Kernel) -> None:
        self.k = k
        # the last unresolved fault per task: (address, signal, si_code)
        self.segv: dict[TaskStruct, tuple[int, int, int]] = {}

    def do_user_addr_fault(
        self, task: TaskStruct, mm: MmStruct, addr: int, access: int, from_kernel: bool
    ) -> Optional[int]:
        """Resolve a fault of `task` at `addr`; the PTE, or None for SIGSEGV.
        An address below the stack first grows it (lock_mm_and_find_vma(),
        within the task's limits; never for another process's mm)."""
        k = self.k
        had_pte = from_kernel and (addr >> PAGE_SHIFT) in mm.pgtable
        try:
            if mm is task.mm and mm.find_vma(addr) is None:
                expand_stack(mm, addr, vm_limits(task))
            kind, pte = handle_mm_fault(mm, addr, access)
        except OutOfMemory:
            k.oom(task)
            return None
        k.cputime.account_system_time(task, COSTS["cow"] if kind == FAULT_COW_COPY else COSTS["fault"])
        tp = k.tp
        if kind in _BAD_ACCESS:
            self.segv[task] = (addr, *_BAD_ACCESS[kind])
            if tp.page_fault_user.probes:
                tp.page_fault_user(task, addr, ACCESS_NAMES[access], KIND_NAMES[kind])
            return None
        if kind != FAULT_SPURIOUS:
            if kind == FAULT_MAJOR:
                task.maj_flt += 1
            else:
                task.min_flt += 1
            if kind in (FAULT_COW_COPY, FAULT_COW_REUSE) and tp.mm_cow.probes:
                tp.mm_cow(task, addr, kind == FAULT_COW_COPY)
            if tp.page_fault_user.probes:
                tp.page_fault_user(task, addr, ACCESS_NAMES[access], KIND_NAMES[kind])
        if had_pte:
            # The kernel replaced a PTE that a CPU running this mm may have cached.
            mm.flush_tlb()
        return pte

    def oops(self, task: TaskStruct, error: BaseException) -> None:
        """die() / oops_end(): kernel code running for `task` raised. The
        traceback goes to a file, one line says what happened, and only this
        task dies (SIGSEGV, as make_task_dead(SIGSEGV)); the machine goes on
        and proclab's exit status says that a kernel bug was hit."""
        k = self.k
        nr = task.syscall_nr
        where = SYSCALL_NAMES.get(nr, f"syscall {nr}") if nr >= 0 else "the kernel"
        fd, path = tempfile.mkstemp(prefix=f"proclab-oops-{task.pid}-", suffix=".txt")
        with os.fdopen(fd, "w") as out:
            out.write(f"kernel oops in {where} by pid {task.pid} ({task.comm})\n")
            out.write("".join(traceback.format_exception(error)))
        k.oopses += 1
        k.report(f"kernel oops in {where} by pid {task.pid} ({task.comm}): {type(error).__name__}: {error} "
                 f"(traceback in {path})")
        k.exit.make_task_dead(task, S.SIGSEGV)

    def do_trap(self, task: TaskStruct, trap: X.Trap) -> None:
        """Deliver the signal a CPU exception means (or emulate the instruction)."""
        k = self.k
        sig = k.signal
        v = trap.vector
        if v in _CONTRIBUTORY:
            k.cpu_of(task).clear_exception_state(task.thread)
        if v == X.X86_TRAP_PF and not _canonical(trap.address):
            v = X.X86_TRAP_GP  # the CPU raises #GP, not #PF, for a non-canonical address
            self.segv.pop(task, None)
        task.trap_info = (v, self._error_code(trap), trap.address if v == X.X86_TRAP_PF else 0)
        if v == X.X86_TRAP_PF:
            page, signo, code = self.segv.pop(task, (trap.address, S.SIGSEGV, S.SEGV_MAPERR))
            addr = self._exact_address(task, trap, page)
            task.trap_info = (v, self._error_code(trap), addr)
            sig.force_sig_fault(task, signo, code, addr)
        elif v == X.X86_TRAP_DE:
            sig.force_sig_fault(task, S.SIGFPE, S.FPE_INTDIV, trap.rip)
        elif v == X.X86_TRAP_UD:
            sig.force_sig_fault(task, S.SIGILL, S.ILL_ILLOPN, trap.rip)
        elif v in (X.X86_TRAP_BP, X.X86_TRAP_DB):
            sig.force_sig_fault(task, S.SIGTRAP, S.SI_KERNEL, 0)
        elif v in (X.X86_TRAP_MF, X.X86_TRAP_XF):
            sig.force_sig_fault(task, S.SIGFPE, 0, trap.rip)
        elif v == X.X86_TRAP_AC:
            sig.force_sig_fault(task, S.SIGBUS, 0, trap.rip)
        elif v == X.X86_TRAP_GP and self._emulate_rdtsc(task, trap.rip):
            return
        else:  # #GP, #OF, #BR and anything else
            sig.force_sig_fault(task, S.SIGSEGV, S.SI_KERNEL, 0)

    def _exact_address(self, task: TaskStruct, trap: X.Trap, page: int) -> int:
        """CR2: the faulting byte, not just its page (see arch decode.py)."""
        cpu = self.k.cpu_of(task)
        regs = cpu.read_regs(task.thread)
        return fault_address(cpu.read_code(trap.rip, 16), trap.rip, regs, page & PAGE_MASK,
                             trap.access == ACCESS_FETCH)

    @staticmethod
    def _error_code(trap: X.Trap) -> int:
        """The x86 page-fault error code (present, write, user, fetch bits)."""
        if trap.vector != X.X86_TRAP_PF:
            return 0
        code = 4  # user mode
        if trap.present:
            code |= 1
        if trap.access == ACCESS_WRITE:
            code |= 2
        if trap.access == ACCESS_FETCH:
            code |= 16
        return code

    def _emulate_rdtsc(self, task: TaskStruct, rip: int) -> bool:
        cpu = self.k.cpu_of(task)
        code = cpu.read_code(rip, 3)
        if code[:2] == b"\x0f\x31":
            length = 2
        elif code == b"\x0f\x01\xf9":  # rdtscp: also TSC_AUX (the cpu number) in rcx
            length = 3
            cpu.reg_write(task.thread, RCX, task.cpu)
        else:
            return False
        tsc = self.k.clock.now  # a 1 GHz TSC: one tick per virtual ns
        cpu.reg_write(task.thread, RAX, tsc & 0xFFFFFFFF)
        cpu.reg_write(task.thread, RDX, tsc >> 32)
        cpu.reg_write(task.thread, RIP, rip + length)
        return True
