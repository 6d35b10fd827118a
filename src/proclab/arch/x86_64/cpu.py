"""One simulated x86-64 CPU: a Unicorn engine in virtual-TLB mode.

Physical memory is one host buffer mapped once at physical address 0
(`mem_map_ptr`). Virtual addresses are translated by `_tlb_fill`, which Unicorn
calls on every TLB miss: it looks the page up in the page table of the mm that is
live on this CPU (`switch_mm` sets it, like loading CR3) and, when the PTE is
missing or too weak, calls the kernel's page-fault handler, exactly where a real
CPU would raise #PF. A context switch between address spaces is a TLB flush;
translated code survives it because Unicorn keys translations by physical page.

Kernel entry happens in hooks: `syscall` calls the kernel's syscall entry with
the six argument registers, CPU exceptions (#DE, #UD, #BP, #GP, a failed fill,
port I/O, which Unicorn itself allows at CPL 3) stop the CPU and are reported to the kernel as a `Trap`, which turns them into
signals. Facts this relies on are in ../shared/EMULATION_NOTES.md:
- inside the syscall hook RIP still points at the `syscall` instruction; Unicorn
  adds 2 when the hook returns, also when it called emu_stop();
- registers other than RAX must never be rewritten inside a hook (exec and
  signal delivery stop the CPU and reload the whole context afterwards);
- a run's instruction budget is how a tick or the end of a CPU's turn
  interrupts user code, exactly and deterministically, and the kernel charges
  the instructions retired at every entry. Counting is per translation block
  in native code (native.c, see docs/EMULATION.md): a block hook adds each
  block's length, the budget's last block runs under an instruction hook, and
  inside a block the position comes from RIP (exact in TLB fills and
  exceptions). Every count equals what Unicorn's `count=` gives; `count=`
  itself (a call before every instruction, 10-15x slower) is the fallback
  when the native helper cannot be built, read from `uc_struct.emu_counter`,
  whose offset is found once by running a known number of instructions
  (`_emu_counter_offset`). Never mix count=0 runs with counted ones on one
  engine in that mode: code translated without the counting hook keeps
  running without it.
"""

from __future__ import annotations

import ctypes
import enum
import functools
from typing import Callable, NamedTuple, Optional

from unicorn import (
    UC_ARCH_X86,
    UC_CTL_IO_READ_WRITE,
    UC_CTL_IO_WRITE,
    UC_CTL_TB_REMOVE_CACHE,
    UC_CTL_TB_REQUEST_CACHE,
    UC_CTL_TLB_FLUSH,
    UC_ERR_OK,
    UC_HOOK_BLOCK,
    UC_HOOK_CODE,
    UC_HOOK_INSN,
    UC_HOOK_INSN_INVALID,
    UC_HOOK_INTR,
    UC_HOOK_TLB_FILL,
    UC_MODE_64,
    UC_PROT_ALL,
    UC_TLB_VIRTUAL,
    Uc,
    UcError,
)
from unicorn import x86_const as X
from unicorn.unicorn_py3.unicorn import uclib

from . import native
from .context import FS_BASE, RAX, RIP, RSP, Context, read_fxsave, write_fxsave
from .pgtable import ACCESS_FETCH, ACCESS_NEEDS, PAGE_SHIFT

_U64 = 0xFFFFFFFFFFFFFFFF
_SYSCALL_INSN_LEN = 2

# Entering user mode (arch/x86/include/asm/segment.h, msr-index.h)
_SYSRETQ = b"\x48\x0f\x07"
_BOOT_VPN = 0xFFFFFFFFFFFFF000 >> PAGE_SHIFT
_MSR_EFER = 0xC0000080
_MSR_STAR = 0xC0000081
_EFER_SCE = 1
_CR4_TSD = 1 << 2
_KERNEL_CS = 0x10
_USER32_CS = 0x23   # sysretq loads CS = this + 16 = 0x33, SS = this + 8 = 0x2b
_USER_EFLAGS = 0x202
_FNINIT_FCW = 0x037F
_MXCSR_DEFAULT = 0x1F80
_FPTAG_EMPTY = 0xFFFF

# CPU exception vectors (arch/x86/include/asm/trapnr.h)
X86_TRAP_DE = 0   # divide error
X86_TRAP_DB = 1   # debug
X86_TRAP_BP = 3   # int3
X86_TRAP_OF = 4
X86_TRAP_BR = 5
X86_TRAP_UD = 6   # invalid opcode
X86_TRAP_GP = 13  # general protection (also: hlt in user mode)
X86_TRAP_PF = 14  # page fault
X86_TRAP_MF = 16
X86_TRAP_AC = 17
X86_TRAP_XF = 19
# Not a CPU vector: the explorer stopped the CPU before an access to memory
# that another task can write (a choice point, see `watch`).
TRAP_WATCHED = -1

# Hook callbacks are registered with the C library directly: the binding's own
# wrappers cost about 0.5 us per call, and syscalls and TLB fills are the hot
# path. Signatures as in unicorn.h; `void *` arguments arrive as ints.
_C = ctypes
_CB_SYSCALL = _C.CFUNCTYPE(None, _C.c_void_p, _C.c_void_p)
_CB_TLB_FILL = _C.CFUNCTYPE(_C.c_bool, _C.c_void_p, _C.c_uint64, _C.c_int, _C.c_void_p, _C.c_void_p)
_CB_INTR = _C.CFUNCTYPE(None, _C.c_void_p, _C.c_uint32, _C.c_void_p)
_CB_INVALID = _C.CFUNCTYPE(_C.c_bool, _C.c_void_p, _C.c_void_p)
_CB_IN = _C.CFUNCTYPE(_C.c_uint32, _C.c_void_p, _C.c_uint32, _C.c_int, _C.c_void_p)
_CB_OUT = _C.CFUNCTYPE(None, _C.c_void_p, _C.c_uint32, _C.c_int, _C.c_uint32, _C.c_void_p)


def _released(*_args: int) -> None:
    """The syscall entry of a CPU between two machines (never called: the
    CPU does not run until `Cpu.take` binds it)."""
    raise RuntimeError("a released CPU ran")


# uc_ctl's command word: (UC_CTL_IO_WRITE << 30) | (number of arguments << 26) | control
_CTL_TLB_FLUSH = (UC_CTL_IO_WRITE << 30) | UC_CTL_TLB_FLUSH
_CTL_TB_REQUEST_CACHE = (UC_CTL_IO_READ_WRITE << 30) | (2 << 26) | UC_CTL_TB_REQUEST_CACHE
_CTL_TB_REMOVE_CACHE = (UC_CTL_IO_WRITE << 30) | (2 << 26) | UC_CTL_TB_REMOVE_CACHE


def _emu_counter_offset() -> int:
    """Where uc_struct keeps emu_counter: the one 64-bit word of the engine
    that equals the number of instructions run (the syscall included) after
    runs of different lengths that end in a syscall. Found once per process."""
    global _COUNTER_OFFSET
    if _COUNTER_OFFSET is not None:
        return _COUNTER_OFFSET
    candidates: Optional[set[int]] = None
    for n in (37, 123, 501):
        uc = Uc(UC_ARCH_X86, UC_MODE_64)
        uc.mem_map(0x1000, 0x1000)
        code = b"\x90" * n + b"\x0f\x05"
        uc.mem_write(0x1000, code)
        uc.hook_add(UC_HOOK_INSN, lambda u, _d: u.emu_stop(), None, 1, 0, X.UC_X86_INS_SYSCALL)
        uc.emu_start(0x1000, 0x1000 + len(code) + 1, 0, 10_000)
        words = (ctypes.c_uint64 * 512).from_address(uc._uch.value)
        found = {8 * i for i in range(512) if words[i] == n + 1}
        candidates = found if candidates is None else candidates & found
    if not candidates or len(candidates) != 1:  # pragma: no cover - engine change
        raise RuntimeError("cannot find Unicorn's instruction counter (unicorn 2.1.4 is required)")
    _COUNTER_OFFSET = candidates.pop()
    return _COUNTER_OFFSET


_COUNTER_OFFSET: Optional[int] = None


@functools.lru_cache(maxsize=1)
def _capstone() -> object:
    import capstone

    return capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)


class _TlbEntry(ctypes.Structure):
    """uc_tlb_entry: what a TLB fill hook answers."""

    _fields_ = (("paddr", ctypes.c_uint64), ("perms", ctypes.c_uint32))


# entry(nr, a0..a5) -> value for RAX, or None when the kernel took the task off
# the normal return path (it asked the CPU to stop and will reload registers).
SyscallEntry = Callable[[int, int, int, int, int, int, int], Optional[int]]
# fault(vaddr, access) -> the PTE to use, or None for an unresolvable fault.
FaultHandler = Callable[[int, int], Optional[int]]


class Stop(enum.Enum):
    """Why `Cpu.run` returned."""

    KERNEL = "kernel"  # the kernel asked to stop (blocking call, exit, exec...)
    TICK = "tick"      # the instruction budget of this run was used up
    TRAP = "trap"      # a CPU exception; `Cpu.trap` says which


class Trap(NamedTuple):
    """A CPU exception the kernel must turn into a signal (do_trap, do_page_fault)."""

    vector: int
    rip: int
    address: int = 0       # page faults: the faulting address (CR2)
    access: int = 0        # page faults: ACCESS_READ / ACCESS_WRITE / ACCESS_FETCH
    present: bool = False  # page faults: a protection fault on a present page


# CPUs of machines switched off (Cpu.release), by the memory buffer their
# emulator maps; taken by Cpu.take. Only Cpu touches it.
_spare_cpus: dict[tuple[int, int], list["Cpu"]] = {}


class Cpu:
    """A CPU and its registers. `current` tasks are the kernel's business; this
    object only knows which register file (Context) and page table it holds."""

    def __init__(
        self,
        ram_ptr: int,
        ram_size: int,
        entry: SyscallEntry,
        fault: FaultHandler,
        code_frames: set[int],
    ) -> None:
        """`entry` and `fault` are the kernel's syscall entry and page-fault
        handler. `code_frames` is filled with every frame mapped executable; its
        owner (the frame allocator) calls `flush_code` before reusing one."""
        uc = Uc(UC_ARCH_X86, UC_MODE_64)
        uc.ctl_set_tlb_mode(UC_TLB_VIRTUAL)
        # Stop only on request: no `until` address (its lookup would go through
        # the TLB fill of whatever mm is live).
        uc.ctl_exits_enabled(True)
        uc.ctl_set_exits([])
        uc.mem_map_ptr(0, ram_size, UC_PROT_ALL, ram_ptr)
        self.uc = uc
        self._uch = uc._uch
        self._ram = (ctypes.c_char * ram_size).from_address(ram_ptr)
        self._ram_key = (ram_ptr, ram_size)
        self._sys_state: Optional[native.PlSys] = None
        self.ctx_size = uclib.uc_context_size(self._uch)
        self._rax = ctypes.c_uint64()
        self._reg = ctypes.c_uint64()
        # instructions of the current run: Unicorn's counter (its count=)
        self._counter = ctypes.c_uint64.from_address(self._uch.value + _emu_counter_offset())
        # Counting per translation block (native.c), set up at the first
        # counted run; None: Unicorn's count= (per instruction) counts.
        self._st: Optional[native.PlState] = None
        self._native_lib = native.load()
        self._insn_index_cache: dict[tuple[int, int, int], int] = {}
        self._bind(entry, fault, code_frames)

        # Syscall fast path: the argument registers are read in one C call.
        regs = (X.UC_X86_REG_RAX, X.UC_X86_REG_RDI, X.UC_X86_REG_RSI, X.UC_X86_REG_RDX,
                X.UC_X86_REG_R10, X.UC_X86_REG_R8, X.UC_X86_REG_R9)
        self._sys_ids = (ctypes.c_int * 7)(*regs)
        self._sys_vals = (ctypes.c_uint64 * 7)()
        base = ctypes.addressof(self._sys_vals)
        self._sys_ptrs = (ctypes.c_void_p * 7)(*[base + 8 * i for i in range(7)])

        # An exception raised by kernel code inside a hook cannot cross the C
        # frames: the hook stores it in _hook_error, stops the CPU, and run()
        # re-raises it.
        self._callbacks: list[object] = []  # keeps the C function pointers alive
        lib = self._native_lib
        if lib is not None and lib.pl_has_python():
            # native.c's pl_syscall reads the registers and writes RAX itself
            sys_state = native.PlSys(entry=entry, cpu=id(self),
                                     read_batch=ctypes.cast(uclib.uc_reg_read_batch, ctypes.c_void_p).value,
                                     reg_write=ctypes.cast(uclib.uc_reg_write, ctypes.c_void_p).value,
                                     ids=(ctypes.c_int32 * 7)(*regs), rax=RAX)
            self._sys_state = sys_state
            self._hook(UC_HOOK_INSN, ctypes.cast(lib.pl_syscall, ctypes.c_void_p).value, X.UC_X86_INS_SYSCALL,
                       data=ctypes.addressof(sys_state))
            # and pl_tlb_fill answers the fills of present PTEs without a ctypes callback
            self._fill_state = native.PlFill(slow=self._tlb_fill, cpu=id(self))
            self._hook(UC_HOOK_TLB_FILL, ctypes.cast(lib.pl_tlb_fill, ctypes.c_void_p).value,
                       data=ctypes.addressof(self._fill_state))
        else:
            self._hook(UC_HOOK_INSN, _CB_SYSCALL(self._hook_syscall), X.UC_X86_INS_SYSCALL)
            self._hook(UC_HOOK_TLB_FILL, _CB_TLB_FILL(self._tlb_fill))
        self._hook(UC_HOOK_INTR, _CB_INTR(self._hook_intr))
        self._hook(UC_HOOK_INSN_INVALID, _CB_INVALID(self._hook_invalid))
        self._hook(UC_HOOK_INSN, _CB_IN(self._hook_in), X.UC_X86_INS_IN)
        self._hook(UC_HOOK_INSN, _CB_OUT(self._hook_out), X.UC_X86_INS_OUT)
        self._pristine = self._enter_user_mode()

    def _bind(self, entry: SyscallEntry, fault: FaultHandler, code_frames: set[int]) -> None:
        """The CPU as it is when a machine is switched on: serving this
        kernel's syscall entry and fault handler, nothing live, no stop
        pending, no counts, nothing translated or cached from before."""
        self._entry = entry
        self._fault = fault
        self.code_frames = code_frames
        if self._sys_state is not None:
            self._sys_state.entry = entry
        self.pgtable: dict[int, int] = {}
        self.live: Optional[Context] = None  # whose registers the CPU holds
        self.trap: Optional[Trap] = None
        self._fill_fault: Optional[Trap] = None  # the last fill that failed (maybe a probe)
        # Set by explore/ (None otherwise): for a TLB fill of (vaddr, access,
        # pte), the permissions to cache, or None to stop before the access.
        self.watch: Optional[Callable[[int, int, int], Optional[int]]] = None
        self._stop: Optional[Stop] = None
        self._in_syscall = False
        # Port I/O at CPL 3: registers just before the in/out, while the rest of
        # its translation block runs "frozen" (see _hook_io).
        self._io_snapshot: Optional[Context] = None
        # instructions of the current run and how many of them the kernel has
        # been charged for (take_retired)
        self._count = 0
        self._charged = 0
        self._in_fill = 0           # the access of the TLB fill now calling the kernel
        self._fill_stop_rip: Optional[int] = None  # a stop requested inside an instruction, at it
        self._hook_error: Optional[BaseException] = None
        self.flush_tlb()
        self.flush_code()

    @classmethod
    def take(cls, ram_ptr: int, ram_size: int, entry: SyscallEntry, fault: FaultHandler,
             code_frames: set[int]) -> "Cpu":
        """A CPU for a machine whose memory is at `ram_ptr`: one given back by
        a machine switched off before (`release`) that mapped the same
        buffer, else a new one. Making the emulator (~0.7 ms) was a tenth of
        an explored run."""
        spare = _spare_cpus.get((ram_ptr, ram_size))
        if not spare:
            return cls(ram_ptr, ram_size, entry, fault, code_frames)
        cpu = spare.pop()
        cpu._bind(entry, fault, code_frames)
        return cpu

    def release(self) -> None:
        """The machine is switched off for good (its memory was released
        too, PhysMem.release): keep the emulator for the next one."""
        self._entry = self._fault = None  # type: ignore[assignment]
        if self._sys_state is not None:
            # not None: a py_object field set to None keeps its old object
            # (ctypes' _objects), and with it the whole machine
            self._sys_state.entry = _released
        self.live = None
        self.watch = None
        _spare_cpus.setdefault(self._ram_key, []).append(self)

    def _hook(self, kind: int, callback: object, *insn: int, data: Optional[int] = None,
              begin: int = 1, end: int = 0) -> int:
        """uc_hook_add() for every address (begin 1 > end 0) unless told, with
        the instruction id for UC_HOOK_INSN. Returns the hook's handle."""
        handle = ctypes.c_size_t()
        extra = [ctypes.c_int(i) for i in insn]
        err = uclib.uc_hook_add(self._uch, ctypes.byref(handle), kind, callback, data,
                                ctypes.c_uint64(begin), ctypes.c_uint64(end), *extra)
        if err != UC_ERR_OK:  # pragma: no cover - engine change
            raise UcError(err)
        self._callbacks.append(callback)
        return handle.value

    def _native_setup(self) -> None:
        """Count per translation block from now on (native.c's pl_block).
        Every block translated so far lacks the hook: drop them all."""
        lib = self._native_lib
        assert lib is not None
        st, buf = native.new_state(lib)
        st.gen = 1
        st.emu_stop = ctypes.cast(uclib.uc_emu_stop, ctypes.c_void_p).value
        st.ctl = ctypes.cast(uclib.uc_ctl, ctypes.c_void_p).value
        st.ctl_request_cache = _CTL_TB_REQUEST_CACHE
        self._st_buf = buf
        self._st = st
        self._st_ptr = ctypes.addressof(st)
        self._pl_step = ctypes.cast(lib.pl_step, ctypes.c_void_p).value
        self._pl_stop = lib.pl_stop
        self._pl_flush = lib.pl_flush
        self._drop_count_hook()
        self._hook(UC_HOOK_BLOCK, ctypes.cast(lib.pl_block, ctypes.c_void_p).value, data=self._st_ptr)
        self.uc.ctl_flush_tb()

    def _drop_count_hook(self) -> None:
        """Unicorn removes its count= hook (installed by _enter_user_mode's
        count=1) at the next emu_start with count=0, and then looks up the
        boot page again, whose code the hook covered. Do that here, once,
        out of sight of the kernel: boot page mapped, a start address that
        faults at once, and the live registers put back afterwards."""
        saved = self.new_context()
        uclib.uc_context_save(self._uch, saved.ptr)
        pgtable, fault = self.pgtable, self._fault
        self.pgtable = {_BOOT_VPN: (0 << PAGE_SHIFT) | 5}
        self._fault = lambda _vaddr, _access: None
        self.flush_tlb()
        try:
            uclib.uc_emu_start(self._uch, 1 << PAGE_SHIFT, 0, 0, 0)
        finally:
            self._fault = fault
            self.pgtable = pgtable
            self._fill_fault = None
            self.trap = None
            uclib.uc_context_restore(self._uch, saved.ptr)
            self.flush_tlb()
            self.code_frames.discard(0)

    def _stop_on_error(self, error: BaseException) -> None:
        """A hook's kernel code raised: remember the first error and stop."""
        if self._hook_error is None:
            self._hook_error = error
        self._emu_stop()

    def _emu_stop(self) -> None:
        """uc_emu_stop(), telling the block counter that no later block runs
        (Unicorn calls a block hook before the block's exit check)."""
        if self._st is not None:
            inside = (self._in_fill and self._in_fill != ACCESS_FETCH) or self._io_snapshot is not None
            if inside and self._fill_stop_rip is None:
                self._fill_stop_rip = self._rip()  # a stop from inside an instruction (not a translation)
            self._pl_stop(self._uch, self._st_ptr)
        else:
            uclib.uc_emu_stop(self._uch)

    # ---- register files -------------------------------------------------

    def new_context(self) -> Context:
        return Context(self._uch, self.ctx_size)

    def _enter_user_mode(self) -> Context:
        """Drop the CPU to CPL 3 the way Linux first enters user mode: sysretq,
        which loads the user CS/SS from the STAR MSR. At CPL 3 privileged
        instructions (hlt, cli, in/out, rdtsc with CR4.TSD) raise #GP as on real
        hardware. The resulting register file is the template of every new one.
        Uses physical frame 0, which the frame allocator never hands out."""
        uc = self.uc
        self._ram[0:len(_SYSRETQ)] = _SYSRETQ
        self.pgtable = {_BOOT_VPN: (0 << PAGE_SHIFT) | 5}
        efer = uc.reg_read(X.UC_X86_REG_MSR, _MSR_EFER)
        uc.reg_write(X.UC_X86_REG_MSR, (_MSR_EFER, efer | _EFER_SCE))
        uc.reg_write(X.UC_X86_REG_MSR, (_MSR_STAR, (_USER32_CS << 48) | (_KERNEL_CS << 32)))
        uc.reg_write(X.UC_X86_REG_CR4, uc.reg_read(X.UC_X86_REG_CR4) | _CR4_TSD)
        # The FPU as Linux hands it to a new process (fpu__init: fninit state):
        # extended precision, round to nearest, every exception masked.
        uc.reg_write(X.UC_X86_REG_FPCW, _FNINIT_FCW)
        uc.reg_write(X.UC_X86_REG_MXCSR, _MXCSR_DEFAULT)
        uc.reg_write(X.UC_X86_REG_FPTAG, _FPTAG_EMPTY)
        # sysretq jumps to RCX; with count=1 the engine looks its page up but
        # executes nothing there.
        uc.reg_write(X.UC_X86_REG_RCX, _BOOT_VPN << PAGE_SHIFT)
        uc.reg_write(X.UC_X86_REG_R11, _USER_EFLAGS)
        uc.emu_start(_BOOT_VPN << PAGE_SHIFT, 0, 0, 1)
        if uc.reg_read(X.UC_X86_REG_CS) & 3 != 3:  # pragma: no cover - engine change
            raise RuntimeError("could not enter CPL 3")
        uc.reg_write(X.UC_X86_REG_R11, 0)
        uc.reg_write(X.UC_X86_REG_RCX, 0)
        ctx = self.new_context()
        uclib.uc_context_save(self._uch, ctx.ptr)
        self.pgtable = {}
        self.flush_tlb()
        self._ram[0:len(_SYSRETQ)] = bytes(len(_SYSRETQ))
        self.flush_code()
        self.code_frames.discard(0)
        return ctx

    def start_context(self, rip: int, rsp: int) -> Context:
        """start_thread(): a fresh register file (all general registers zero,
        default FPU/SSE state) that starts at `rip` with stack `rsp`."""
        ctx = self.new_context()
        ctx.copy_from(self._pristine)
        ctx.reg_write(RIP, rip)
        ctx.reg_write(RSP, rsp)
        return ctx

    def fork_context(self, parent: Context) -> Context:
        """copy_thread(): the child's registers are the parent's at the syscall,
        returning 0. Called from inside the parent's syscall."""
        ctx = self.new_context()
        if self.live is parent:
            uclib.uc_context_save(self._uch, ctx.ptr)
            if self._in_syscall:
                ctx.reg_write(RIP, ctx.reg_read(RIP) + _SYSCALL_INSN_LEN)
        else:
            ctx.copy_from(parent)
        ctx.reg_write(RAX, 0)
        return ctx

    def load(self, ctx: Context) -> None:
        """Make `ctx` the live register file (saving the previous one)."""
        if self.live is ctx:
            return
        self.save()
        uclib.uc_context_restore(self._uch, ctx.ptr)
        self.live = ctx

    def save(self) -> None:
        """Write the live registers back to their Context (switch_to's save half)."""
        if self.live is not None:
            uclib.uc_context_save(self._uch, self.live.ptr)
            self.live = None

    def drop(self, ctx: Context) -> None:
        """Forget `ctx` if it is live, without saving (exec, exit)."""
        if self.live is ctx:
            self.live = None

    def reg_read(self, ctx: Context, reg: int) -> int:
        """A register of `ctx`, read from the CPU when it holds them."""
        if self.live is ctx:
            uclib.uc_reg_read(self._uch, reg, ctypes.byref(self._reg))
            value = self._reg.value
            if reg == RIP and self._in_syscall:
                value += _SYSCALL_INSN_LEN
            return value
        return ctx.reg_read(reg)

    def reg_write(self, ctx: Context, reg: int, value: int) -> None:
        """Set a register of `ctx`. Only RAX may change while inside a hook."""
        if self.live is ctx:
            assert reg == RAX or not self._in_syscall, "only RAX may change inside a hook"
            self._reg.value = value & _U64
            uclib.uc_reg_write(self._uch, reg, ctypes.byref(self._reg))
        else:
            ctx.reg_write(reg, value)

    def set_user_regs(self, ctx: Context, regs: dict[str, int], fpu: Optional[bytes] = None) -> None:
        """Replace registers of `ctx` (signal delivery, rt_sigreturn): named
        general registers, and the x87/SSE state from an fxsave image (None
        keeps it). From inside a hook the live registers are saved first and
        the CPU stops, so that the new ones are loaded when it resumes."""
        if self.live is ctx:
            uclib.uc_context_save(self._uch, ctx.ptr)
            self.live = None
            if self._in_syscall:
                self.request_stop()
        ctx.write_regs(regs)
        if fpu is not None:
            write_fxsave(ctx, fpu)

    def clear_exception_state(self, ctx: Context) -> None:
        """Forget the CPU's memory of exceptions (QEMU's old_exception, which
        turns a second #DE or #GP into a double fault). Real hardware clears it
        when it delivers an exception; ours are taken by a hook instead, so the
        register file is rebuilt from the pristine one plus everything
        architectural: general registers, FS/GS bases, flags, x87/SSE state.
        Never inside a hook."""
        assert not self._in_syscall
        regs = self.read_regs(ctx)
        fpu = self.read_fpu(ctx)
        self.drop(ctx)
        ctx.copy_from(self._pristine)
        ctx.write_regs(regs)
        write_fxsave(ctx, fpu)

    def read_fpu(self, ctx: Context) -> bytes:
        """The x87/SSE state of `ctx` as an fxsave image (512 bytes)."""
        if self.live is ctx:
            uclib.uc_context_save(self._uch, ctx.ptr)
        return read_fxsave(ctx)

    def init_fpu(self, ctx: Context) -> None:
        """The FPU state a signal handler starts with (fpu__clear_user_states)."""
        self.set_user_regs(ctx, {}, read_fxsave(self._pristine))

    def set_fs_base(self, ctx: Context, value: int) -> None:
        """arch_prctl(ARCH_SET_FS): safe inside a hook (a segment base, not RIP)."""
        if self.live is ctx:
            self._reg.value = value & _U64
            uclib.uc_reg_write(self._uch, FS_BASE, ctypes.byref(self._reg))
        else:
            ctx.reg_write(FS_BASE, value)

    def read_regs(self, ctx: Context) -> dict[str, int]:
        """All general registers of `ctx` (saving the live ones first)."""
        if self.live is ctx:
            uclib.uc_context_save(self._uch, ctx.ptr)
            regs = ctx.read_regs()
            if self._in_syscall:
                regs["rip"] += _SYSCALL_INSN_LEN
            return regs
        return ctx.read_regs()

    # ---- address spaces ---------------------------------------------------

    def switch_mm(self, pgtable: dict[int, int]) -> None:
        """Load another page table (CR3 write): flush the TLB unless it is the same."""
        if pgtable is not self.pgtable:
            self.pgtable = pgtable
            self.flush_tlb()

    def flush_tlb(self) -> None:
        uclib.uc_ctl(self._uch, _CTL_TLB_FLUSH)
        if self._st is not None:  # the code at an address may change: forget block counts
            self._pl_flush(self._st_ptr)

    def flush_code(self) -> None:
        """Drop all translated code: a frame that held code is being reused, and
        a write from the host side would not invalidate its translations."""
        self.uc.ctl_flush_tb()
        if self._st is not None:
            self._pl_flush(self._st_ptr)
            self._insn_index_cache.clear()

    # ---- running user code ----------------------------------------------

    def request_stop(self) -> None:
        """Kernel code (from inside a hook) asks the CPU to return to the scheduler."""
        if self._stop is None:
            self._stop = Stop.KERNEL
        self._emu_stop()

    def take_retired(self) -> int:
        """Instructions retired in this run that were not taken yet (0 when
        runs are not counted). Inside a syscall hook the syscall counts."""
        count = self._count
        if not count:
            return 0
        st = self._st
        done = st.counter if st is not None and not self._in_fill else self._retired()
        if done > count:
            done = count
        n = done - self._charged
        self._charged = done
        return n

    def _retired(self) -> int:
        """What count= would have counted by now: instructions run, and the
        current one once it started. Per block, inside a TLB fill for a data
        access (RIP is exact there) that is the block's first instructions up
        to and including the one at RIP."""
        st = self._st
        if st is None:
            return self._counter.value
        if self._in_fill and self._in_fill != ACCESS_FETCH and not st.tail:
            rip = self._rip()
            if st.block_pc <= rip < st.block_pc + st.block_size:
                return st.block_base + self._insn_index(st.block_pc, rip) + 1
        return st.counter

    def _insn_index(self, start: int, rip: int) -> int:
        """How many instructions lie between `start` (a block's first) and
        `rip` (Capstone decodes them; cached by frame until code is flushed)."""
        pte = self.pgtable.get(start >> PAGE_SHIFT, 0)
        key = (pte >> PAGE_SHIFT, start, rip)
        n = self._insn_index_cache.get(key)
        if n is None:
            code = self.read_code(start, rip - start)
            n = 0
            end = start
            for address, size, _m, _o in _capstone().disasm_lite(code, start):
                n += 1
                end = address + size
            if end != rip:  # pragma: no cover - undecodable: count the whole block
                return self._st.block_n - 1 if self._st is not None else 0
            self._insn_index_cache[key] = n
        return n

    def run(self, count: int) -> Stop:
        """Run the live register file in user mode for at most `count`
        instructions (0: no limit, and nothing counted) until the kernel or
        an exception stops it."""
        self._stop = None
        self.trap = None
        self._fill_fault = None
        self._hook_error = None
        self._count = count
        self._charged = 0
        uclib.uc_reg_read(self._uch, RIP, ctypes.byref(self._reg))
        if count and self._native_lib is not None:
            err = self._run_counted(self._reg.value, count)
        else:
            err = uclib.uc_emu_start(self._uch, self._reg.value, 0, 0, count)
        if self._hook_error is not None:
            error, self._hook_error = self._hook_error, None
            raise error
        if err != UC_ERR_OK and self.trap is None:
            self.trap = self._real_fault()
        if self._io_snapshot is not None:
            self._thaw()
        if self.trap is not None:
            return Stop.TRAP
        if self._stop is not None:
            return self._stop
        return Stop.TICK

    def _run_counted(self, rip: int, count: int) -> int:
        """emu_start for at most `count` instructions, counted per block
        (native.c). When the budget ends inside a block, that block alone is
        run again with an instruction hook on it, so the run ends at exactly
        the instruction count= would have stopped at."""
        if self._st is None:
            self._native_setup()
        st = self._st
        assert st is not None
        st.counter = 0
        st.budget = count
        st.stopping = 0
        st.tail = 0
        st.tail_pc = 0
        st.block_pc = st.block_base = st.block_size = st.block_n = 0
        self._fill_stop_rip = None
        err = uclib.uc_emu_start(self._uch, rip, 0, 0, 0)
        tailed = False
        while (st.tail_pc and err == UC_ERR_OK and self._stop is None and self.trap is None
               and self._hook_error is None and self._io_snapshot is None):
            start, end = st.tail_pc, st.tail_end
            handle = self._hook(UC_HOOK_CODE, self._pl_step, data=self._st_ptr, begin=start, end=end - 1)
            uclib.uc_ctl(self._uch, _CTL_TB_REMOVE_CACHE, ctypes.c_uint64(start), ctypes.c_uint64(end))
            st.tail = 1
            st.stopping = 0
            tailed = True
            err = uclib.uc_emu_start(self._uch, start, 0, 0, 0)
            st.tail = 0
            st.tail_pc = 0
            uclib.uc_hook_del(self._uch, handle)
            self._callbacks.pop()
            uclib.uc_ctl(self._uch, _CTL_TB_REMOVE_CACHE, ctypes.c_uint64(start), ctypes.c_uint64(end))
        if not tailed:  # else pl_step counted every instruction of the last block
            self._fix_counter(err)
        return err

    def _fix_counter(self, err: int) -> None:
        """A run that ended inside a block: count as count= would have, up
        to the instruction that trapped (included), or one past the instruction
        whose TLB fill asked to stop (count= counts the next one it reaches in
        that block before it sees the stop)."""
        st = self._st
        assert st is not None
        start, size = st.block_pc, st.block_size
        trap = self.trap
        if trap is None and err != UC_ERR_OK:
            trap = self._real_fault()
        inner = self._fill_stop_rip
        if inner is not None and (trap is None or self._io_snapshot is not None):
            if start <= inner < start + size:
                done = self._insn_index(start, inner) + 1
                st.counter = st.block_base + done + (1 if done < st.block_n else 0)
        elif trap is not None and not (trap.vector == X86_TRAP_PF and trap.access == ACCESS_FETCH):
            if start <= trap.rip < start + size:
                st.counter = st.block_base + self._insn_index(start, trap.rip) + 1

    def _real_fault(self) -> Optional[Trap]:
        """Why did emu_start fail? QEMU also looks pages up without faulting
        (probes); a failed probe leaves an error that emu_start reports when
        emulation ends later for another reason. A real page fault stops the
        CPU at the instruction whose fill failed, before anything else."""
        if self._stop is not None:
            return None  # the kernel stopped the CPU (in a syscall): nothing faulted
        fault = self._fill_fault
        rip = self._rip()
        if fault is not None:
            return fault if fault.rip == rip else None  # else: a stale probe, then a tick
        return Trap(X86_TRAP_GP, rip)  # an exception no hook saw

    def _rip(self) -> int:
        uclib.uc_reg_read(self._uch, RIP, ctypes.byref(self._reg))
        return self._reg.value

    def read_code(self, vaddr: int, size: int) -> bytes:
        """Bytes at `vaddr` in the live address space, for decoding the
        instruction that trapped (b"" where nothing is mapped)."""
        out = bytearray()
        for addr in range(vaddr, vaddr + size):
            pte = self.pgtable.get(addr >> PAGE_SHIFT)
            if pte is None:
                break
            out.append(self._ram[((pte >> PAGE_SHIFT) << PAGE_SHIFT) | (addr & 0xFFF)][0])
        return bytes(out)

    # ---- hooks (run inside emu_start) ------------------------------------

    def _hook_syscall(self, _uch: int, _data: int) -> None:
        """entry_SYSCALL_64: hand nr and the six arguments to the kernel."""
        if self._io_snapshot is not None:
            return  # the rest of a block after in/out: never really executed
        uclib.uc_reg_read_batch(self._uch, self._sys_ids, self._sys_ptrs, 7)
        v = self._sys_vals
        self._in_syscall = True
        try:
            ret = self._entry(v[0], v[1], v[2], v[3], v[4], v[5], v[6])
        except BaseException as error:
            self._stop_on_error(error)
            return
        finally:
            self._in_syscall = False
        if ret is not None and self.live is not None:
            self._rax.value = ret & _U64
            uclib.uc_reg_write(self._uch, RAX, ctypes.byref(self._rax))
        if self._stop is not None:
            self._emu_stop()

    def _tlb_fill(self, _uch: int, vaddr: int, access: int, entry: int, _data: int) -> bool:
        """The MMU's page walk: PTE of the live page table, or a page fault."""
        if self._io_snapshot is not None:
            return False  # frozen after in/out: nothing may touch memory
        pte = self.pgtable.get(vaddr >> PAGE_SHIFT)
        if pte is None or not pte & ACCESS_NEEDS[access]:
            present = pte is not None
            self._in_fill = access
            try:
                pte = self._fault(vaddr, access)
            except BaseException as error:
                self._stop_on_error(error)
                return False
            finally:
                self._in_fill = 0
            if pte is None:
                self._fill_fault = Trap(X86_TRAP_PF, self._rip(), vaddr, access, present)
                return False
        perms = pte & 7
        watch = self.watch
        if watch is not None and access != ACCESS_FETCH:
            allowed = watch(vaddr, access, pte)
            if allowed is None:
                self._fill_fault = Trap(TRAP_WATCHED, self._rip(), vaddr, access, True)
                return False
            perms = allowed
        if perms & 4:
            self.code_frames.add(pte >> PAGE_SHIFT)
        result = _TlbEntry.from_address(entry)
        result.paddr = (pte >> PAGE_SHIFT) << PAGE_SHIFT
        result.perms = perms
        return True

    def _hook_intr(self, _uch: int, intno: int, _data: int) -> None:
        """A CPU exception (#DE, #BP, #UD, #GP...): stop and let the kernel decide."""
        if self.trap is None:
            self.trap = Trap(intno, self._rip())
        self._emu_stop()

    def _hook_invalid(self, _uch: int, _data: int) -> bool:
        """An opcode Unicorn cannot decode: #UD."""
        if self.trap is None:
            self.trap = Trap(X86_TRAP_UD, self._rip())
        return False

    def _hook_in(self, _uch: int, _port: int, _size: int, _data: int) -> int:
        self._io_fault()
        return 0  # what `in` reads; _thaw puts the old register back

    def _hook_out(self, _uch: int, _port: int, _size: int, _value: int, _data: int) -> None:
        self._io_fault()

    def _io_fault(self) -> None:
        """in/out/ins/outs at CPL 3 with IOPL 0 and no I/O bitmap: #GP on real
        hardware. Unicorn skips that check and calls the I/O hooks from inside
        the instruction (RIP synced to it), and a stop takes effect only at the
        end of the translation block. So the registers are saved here, the TLB
        is emptied and every later fill refused (the rest of the block cannot
        touch memory, its syscalls are ignored), and `_thaw` puts the saved
        registers back: the task stops exactly before the in/out."""
        if self.trap is None:
            self.trap = Trap(X86_TRAP_GP, self._rip())
            snapshot = self.new_context()
            uclib.uc_context_save(self._uch, snapshot.ptr)
            self._io_snapshot = snapshot
            self.flush_tlb()
        self._emu_stop()

    def _thaw(self) -> None:
        """Undo the frozen rest of a block after in/out (see _hook_io)."""
        snapshot, self._io_snapshot = self._io_snapshot, None
        assert snapshot is not None
        uclib.uc_context_restore(self._uch, snapshot.ptr)
        self.flush_tlb()
