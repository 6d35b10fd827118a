"""Running a signal handler on the user stack (arch/x86/kernel/signal.c,
signal_64.c) and coming back from it (rt_sigreturn), plus sigaltstack.

The frame is Linux's struct rt_sigframe, byte for byte:

    frame ->  pretcode          8   return address: sa_restorer (musl's __restore_rt)
              struct ucontext  304  uc_flags, uc_link, uc_stack, uc_mcontext
                                    (struct sigcontext: the registers), uc_sigmask
              struct siginfo   128
    fpstate   fxsave image     512  64-byte aligned, above the frame

The handler starts with RDI = signal, RSI = &info, RDX = &uc, RSP = frame and a
fresh FPU; when it returns, sa_restorer calls rt_sigreturn, which loads the
registers, FPU state, signal mask and alternate stack back from the frame --
what the handler left there, so a handler may edit its ucontext. A frame that
cannot be written or read is a SIGSEGV, as on Linux.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Optional

from .context import EFLAGS, FXSAVE_SIZE, GPRS, RSP, Context
from ...uapi import errno as E
from ...uapi import signal as S
from ...kernel.task import TaskStruct

if TYPE_CHECKING:  # pragma: no cover
    from ...kernel.kernel import Kernel

# struct sigcontext: 18 general registers, cs/gs/fs/ss, err, trapno, oldmask,
# cr2, fpstate, 8 reserved words.
_SIGCONTEXT = struct.Struct("<18Q4HQQQQQ8Q")
_FPSTATE_FIELD = 18 + 4 + 4  # after the registers, the segments, err/trapno/oldmask/cr2
_UC_HEAD = struct.Struct("<QQQI4xQ")      # uc_flags, uc_link, ss_sp, ss_flags (SS_AUTODISARM is bit 31), ss_size
UCONTEXT_SIZE = _UC_HEAD.size + _SIGCONTEXT.size + 8
SIGINFO_SIZE = 128
RT_SIGFRAME_SIZE = 8 + UCONTEXT_SIZE + SIGINFO_SIZE
_U64 = (1 << 64) - 1
UC_SIGCONTEXT_SS = 0x2
UC_STRICT_RESTORE_SS = 0x4
USER_CS, USER_DS = 0x33, 0x2B
REDZONE = 128
# eflags bits a sigreturn may set (FIX_EFLAGS: the arithmetic flags, TF, DF, OF, AC, RF, ID...)
FIX_EFLAGS = 0x0001 | 0x0004 | 0x0010 | 0x0040 | 0x0080 | 0x0100 | 0x0400 | 0x0800 | 0x40000 | 0x10000 | 0x200000
EFLAGS_CLEAR_FOR_HANDLER = 0x0100 | 0x0400 | 0x10000  # TF, DF, RF


def pack_siginfo(info: dict) -> bytes:
    """struct siginfo (128 bytes) from a kernel siginfo dict."""
    out = bytearray(SIGINFO_SIZE)
    struct.pack_into("<iii", out, 0, info["signo"], info.get("errno", 0), info["code"])
    if "addr" in info:
        struct.pack_into("<Q", out, 16, info["addr"] & 0xFFFFFFFFFFFFFFFF)
    if "pid" in info:
        struct.pack_into("<iI", out, 16, info["pid"], info.get("uid", 0))
    if "tid" in info:  # SI_TIMER: si_tid, si_overrun (si_value below)
        struct.pack_into("<ii", out, 16, info["tid"], info["overrun"])
    if "status" in info:
        struct.pack_into("<i4xqq", out, 24, info["status"], info.get("utime", 0), info.get("stime", 0))
    if "value" in info:
        struct.pack_into("<Q", out, 24, info["value"] & 0xFFFFFFFFFFFFFFFF)
    if "raw" in info:  # rt_sigqueueinfo: the caller's own bytes after the header
        out[12:] = info["raw"][12:SIGINFO_SIZE]
    return bytes(out)


class SigFrames:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- sigaltstack ----------------------------------------------------------------

    def on_sig_stack(self, t: TaskStruct, sp: int) -> bool:
        return t.sas_ss_size != 0 and t.sas_ss_sp < sp <= t.sas_ss_sp + t.sas_ss_size

    def sas_flags(self, t: TaskStruct, sp: int) -> int:
        if t.sas_ss_size == 0:
            return S.SS_DISABLE
        return S.SS_ONSTACK if self.on_sig_stack(t, sp) else t.sas_ss_flags

    def _user_sp(self, t: TaskStruct) -> int:
        if t.thread.__class__ is not Context:
            return 0
        return self.k.cpu_of(t).reg_read(t.thread, RSP)

    def do_sigaltstack(self, t: TaskStruct, new: Optional[tuple[int, int, int]], sp: int) -> int:
        """Change the alternate stack (ss_sp, ss_flags, ss_size); -errno."""
        if new is None:
            return 0
        if self.on_sig_stack(t, sp):
            return -E.EPERM
        ss_sp, ss_flags, ss_size = new
        mode = ss_flags & ~S.SS_AUTODISARM & 0xFFFFFFFF
        if mode not in (0, S.SS_DISABLE, S.SS_ONSTACK):
            return -E.EINVAL
        if mode == S.SS_DISABLE:
            ss_sp = ss_size = 0
        elif ss_size < S.MINSIGSTKSZ:
            return -E.ENOMEM
        t.sas_ss_sp, t.sas_ss_size = ss_sp, ss_size
        t.sas_ss_flags = ss_flags & S.SS_AUTODISARM
        return 0

    def sys_sigaltstack(self, t: TaskStruct, uss: int, uoss: int) -> int:
        uacc = self.k.uaccess
        sp = self._user_sp(t)
        old = struct.pack("<QI4xQ", t.sas_ss_sp, self.sas_flags(t, sp), t.sas_ss_size)
        new = None
        if uss:
            raw = uacc.copy_from_user(t, uss, 24)
            if raw is None:
                return -E.EFAULT
            ss_sp, ss_flags, ss_size = struct.unpack("<Qi4xQ", raw)
            new = (ss_sp, ss_flags & 0xFFFFFFFF, ss_size)
        err = self.do_sigaltstack(t, new, sp)
        if err:
            return err
        if uoss and not uacc.copy_to_user(t, uoss, old):
            return -E.EFAULT
        return 0

    # ---- delivery --------------------------------------------------------------------

    def setup_rt_frame(self, t: TaskStruct, sig: int, info: dict, action: tuple[int, int, int, int]) -> bool:
        """Build the frame and point the registers at the handler; False when
        the frame cannot be written (the caller then forces SIGSEGV)."""
        k = self.k
        handler, flags, _mask, restorer = action
        if not flags & S.SA_RESTORER:
            return False  # x86-64 only returns from handlers through sa_restorer
        cpu = k.cpu_of(t)
        ctx = t.thread
        regs = cpu.read_regs(ctx)
        fpu = cpu.read_fpu(ctx)
        sp = regs["rsp"]
        stack_flags = self.sas_flags(t, sp)
        if flags & S.SA_ONSTACK and t.sas_ss_size and not self.on_sig_stack(t, sp):
            sp = t.sas_ss_sp + t.sas_ss_size
            if t.sas_ss_flags & S.SS_AUTODISARM:
                t.sas_ss_sp = t.sas_ss_size = 0
        else:
            sp -= REDZONE
        # 64-bit arithmetic, as the CPU does: a wild RSP gives a wild frame,
        # whose write then fails (and the task gets SIGSEGV).
        fp_addr = ((sp - FXSAVE_SIZE) & ~63) & _U64
        frame = ((((fp_addr - RT_SIGFRAME_SIZE) & ~15) - 8)) & _U64
        mask = t.saved_sigmask if t.restore_sigmask else t.blocked
        trapno, err, cr2 = t.trap_info if info["signo"] in (S.SIGSEGV, S.SIGBUS, S.SIGFPE, S.SIGILL, S.SIGTRAP) \
            else (0, 0, 0)
        mcontext = _SIGCONTEXT.pack(*(regs[name] & 0xFFFFFFFFFFFFFFFF for name in GPRS),
                                    USER_CS, 0, 0, USER_DS, err, trapno, mask, cr2, fp_addr, *([0] * 8))
        uc = _UC_HEAD.pack(UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS, 0, t.sas_ss_sp, stack_flags,
                           t.sas_ss_size) + mcontext + struct.pack("<Q", mask)
        blob = struct.pack("<Q", restorer) + uc + pack_siginfo(info)
        uacc = k.uaccess
        if not uacc.copy_to_user(t, frame, blob) or not uacc.copy_to_user(t, fp_addr, fpu):
            return False
        cpu.set_user_regs(ctx, {
            "rdi": sig, "rsi": frame + 8 + UCONTEXT_SIZE, "rdx": frame + 8, "rax": 0,
            "rsp": frame, "rip": handler, "eflags": regs["eflags"] & ~EFLAGS_CLEAR_FOR_HANDLER,
        })
        cpu.init_fpu(ctx)
        return True

    def sys_rt_sigreturn(self, t: TaskStruct) -> Optional[int]:
        """Back from a handler: everything from the frame at RSP - 8."""
        k = self.k
        if t.thread.__class__ is not Context:
            return -E.ENOSYS  # scripted programs have no signal frames
        cpu = k.cpu_of(t)
        frame = cpu.reg_read(t.thread, RSP) - 8
        raw = k.uaccess.copy_from_user(t, frame + 8, UCONTEXT_SIZE)
        if raw is None:
            k.signal.force_sig(t, S.SIGSEGV)
            return None
        _flags, _link, ss_sp, ss_flags, ss_size = _UC_HEAD.unpack_from(raw)
        values = _SIGCONTEXT.unpack_from(raw, _UC_HEAD.size)
        (mask,) = struct.unpack_from("<Q", raw, _UC_HEAD.size + _SIGCONTEXT.size)
        regs = dict(zip(GPRS, values[:18]))
        fp_addr = values[_FPSTATE_FIELD]
        old_flags = cpu.reg_read(t.thread, EFLAGS)
        regs["eflags"] = (old_flags & ~FIX_EFLAGS) | (regs["eflags"] & FIX_EFLAGS)
        fpu = None
        if fp_addr:
            fpu = k.uaccess.copy_from_user(t, fp_addr, FXSAVE_SIZE)
            if fpu is None:
                k.signal.force_sig(t, S.SIGSEGV)
                return None
        k.signal.set_blocked(t, mask)
        t.restore_sigmask = False
        self.do_sigaltstack(t, (ss_sp, ss_flags & 0xFFFFFFFF, ss_size), regs["rsp"])
        cpu.set_user_regs(t.thread, regs, fpu)
        if fpu is None:
            cpu.init_fpu(t.thread)
        t.syscall_nr = -1  # a restarted syscall does not restart again (orig_ax = -1)
        return None

