"""The CPU layer: what it tells the kernel after a run, and the machine
behaviours proclab relies on (CPL 3, an emulated, deterministic rdtsc)."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest
from conftest import run_sim

from proclab.arch.x86_64 import cpu as C
from proclab.toolchain.compile import compile_c

NEVER = Path(__file__).resolve().parents[1] / "never_ending"


class _Probe(C.Cpu):
    """A CPU whose last-run state is set by hand, to test run()'s verdict."""

    def __init__(self, rip: int) -> None:  # no engine: only _real_fault is used
        self._stop = None
        self._fill_fault = None
        self._rip_value = rip

    def _rip(self) -> int:
        return self._rip_value


def test_a_failed_fill_is_a_fault_only_where_the_cpu_stopped() -> None:
    fault = C.Trap(C.X86_TRAP_PF, 0x401000, 0x1000, 17, False)
    cpu = _Probe(rip=0x401000)
    cpu._fill_fault = fault
    assert cpu._real_fault() is fault                 # stopped at that instruction
    cpu._rip_value = 0x402000
    assert cpu._real_fault() is None                  # a stale probe failure, then a tick
    cpu._stop = C.Stop.KERNEL
    cpu._rip_value = 0x401000
    assert cpu._real_fault() is None                  # the kernel stopped it in a syscall
    cpu._stop, cpu._fill_fault = None, None
    assert cpu._real_fault().vector == C.X86_TRAP_GP  # an exception no hook saw


def test_rdtsc_is_the_virtual_clock() -> None:
    binary = compile_c(NEVER / "rdtsc.c")
    first, second = run_sim(binary).stdout, run_sim(binary).stdout
    assert first == second
    assert first.split()[-1] == b"1"   # the 1 ms sleep shows as >= 1e6 cycles of a 1 GHz TSC


def _cpu_running(code: bytes, entry, fault) -> C.Cpu:
    """A bare CPU with `code` mapped at 0x400000 (frame 1), ready to run."""
    ram = ctypes.create_string_buffer(4 * 4096)
    cpu = C.Cpu(ctypes.addressof(ram), len(ram), entry, fault, set())
    cpu._test_ram = ram  # keep the buffer alive with the engine
    ram[4096:4096 + len(code)] = code
    cpu.switch_mm({0x400: (1 << 12) | 5})
    cpu.load(cpu.start_context(0x400000, 0))
    return cpu


def test_a_kernel_error_inside_a_hook_reaches_the_caller_of_run() -> None:
    """Kernel code runs inside C callbacks; an exception there (a kernel bug)
    must not be lost in the engine but come out of Cpu.run."""
    def entry(*_args):
        raise RuntimeError("bug in a syscall")

    def fault(vaddr, _access):
        if vaddr == 0x200000:
            raise LookupError("bug in the fault handler")
        return None  # the engine also probes other pages

    with pytest.raises(RuntimeError, match="bug in a syscall"):
        _cpu_running(b"\x0f\x05", entry, fault).run(0)           # syscall
    with pytest.raises(LookupError, match="bug in the fault handler"):
        _cpu_running(b"\x8b\x04\x25\x00\x00\x20\x00", entry, fault).run(0)  # mov eax, [0x200000]


def test_a_syscall_returns_through_rax_and_a_missing_page_is_a_trap() -> None:
    seen = []

    def entry(nr, *args):
        seen.append((nr, args[0]))
        return 42

    # mov eax, 39; mov edi, 7; syscall; mov [0x200000], eax
    code = b"\xb8\x27\x00\x00\x00\xbf\x07\x00\x00\x00\x0f\x05\x89\x04\x25\x00\x00\x20\x00"
    cpu = _cpu_running(code, entry, lambda _v, _a: None)
    assert cpu.run(0) is C.Stop.TRAP
    assert seen == [(39, 7)]
    assert cpu.trap.vector == C.X86_TRAP_PF and cpu.trap.address == 0x200000
    assert cpu.trap.rip == 0x40000C and cpu.reg_read(cpu.live, C.RAX) == 42
