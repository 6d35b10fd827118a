"""execve (fs/exec.c), the ELF loader (fs/binfmt_elf.c) and "#!" scripts
(fs/binfmt_script.c).

do_execve finds the file in the simulated tree (it must be a regular file with
an execute bit the caller may use); a "#!" script is replaced by its
interpreter, with the script's path as an argument. For an ELF file it builds
a new address space whose PT_LOAD segments are private mappings of the file's
pages (filled by page faults: demand paging), zeroes the bss, loads the
program interpreter a dynamically linked program names (PT_INTERP, e.g.
ld-linux-x86-64.so.2) where mmap would put it, lays out the initial stack as
Linux's create_elf_tables does (strings at the top; then, from the stack
pointer up: argc, argv[], NULL, envp[], NULL, auxv), and only then, past the
point of no return, replaces the old image (SEMANTICS E1-E3): the pid, parent,
process group, session and fds without FD_CLOEXEC stay; caught signals go back
to SIG_DFL; a vfork parent is released; comm becomes the file's base name. The
program starts at the interpreter's entry when there is one, else at its own.
"""

from __future__ import annotations

import posixpath
import struct
from typing import TYPE_CHECKING, Any, Callable, Generator, NamedTuple, Optional, Union

from ..arch.x86_64.pgtable import ELF_ET_DYN_BASE, PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, STACK_TOP, page_align
from ..fs.inode import Inode, permission
from ..mm.mm_struct import VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE, MmStruct, VmArea
from ..mm.mmap import VmLimits, do_mmap, get_unmapped_area, may_expand_vm, vm_limits
from ..uapi import errno as E
from ..uapi import mman as M
from ..uapi import signal as S
from ..uapi.resource import RLIMIT_STACK
from ..uapi.stat import PATH_MAX
from .fork import unshare_fd
from .time.timekeeping import COSTS, USER_HZ
from .sched.wait import fatal_signal_pending
from .task import (
    EXIT_DEAD,
    PF_FORKNOEXEC,
    PF_KTHREAD,
    SIGNAL_GROUP_EXIT,
    TASK_KILLABLE,
    TASK_RUNNING,
    TaskStruct,
)

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel

# ELF (include/uapi/linux/elf.h)
ET_EXEC, ET_DYN = 2, 3
EM_X86_64 = 62
PT_LOAD, PT_INTERP, PT_PHDR = 1, 3, 6
PF_X, PF_W, PF_R = 1, 2, 4
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")

# auxiliary vector types
AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_FLAGS, AT_ENTRY = 0, 3, 4, 5, 6, 7, 8, 9
AT_UID, AT_EUID, AT_GID, AT_EGID, AT_PLATFORM, AT_HWCAP, AT_CLKTCK = 11, 12, 13, 14, 15, 16, 17
AT_SECURE, AT_RANDOM, AT_EXECFN = 23, 25, 31
ELF_PLATFORM = b"x86_64"
ELF_HWCAP = 0x178BFBFF  # CPUID.1:EDX of a typical x86-64 CPU

BINPRM_BUF_SIZE = 256       # how much of a file decides its format ("#!" line)
BINPRM_MAX_RECURSION = 4    # interpreters of interpreters

MAX_ARG_STRLEN = 32 * PAGE_SIZE  # one string, with its NUL
MAX_ARG_STRINGS = 0x7FFFFFFF
ARG_MAX = 32 * PAGE_SIZE         # the argument space even the smallest stack limit allows
_STK_LIM = 8 << 20               # the default RLIMIT_STACK
STACK_EXPAND = 128 * 1024  # stack_expand in setup_arg_pages

# The scratch area of a scripted program's address space (for syscall buffers):
# room for the largest argument set execve accepts (3/4 of _STK_LIM), so that
# init can pass on any command line.
SCRIPT_SCRATCH = 0x10000000
SCRIPT_SCRATCH_SIZE = _STK_LIM


class Phdr(NamedTuple):
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int


class Loaded(NamedTuple):
    """Where load_elf_binary put an ELF file."""

    entry: int
    phdr_addr: int
    phnum: int
    bias: int        # load address - link address (AT_BASE of an interpreter)


class ElfImage(NamedTuple):
    """What load_elf_binary needs from the file's headers."""

    type: int
    entry: int
    phoff: int
    phentsize: int
    phdrs: list[Phdr]
    interp: Optional[Phdr]   # PT_INTERP: where the interpreter's path is


# an executable file opened for exec: its inode, headers and canonical path
ElfFile = tuple[Inode, ElfImage, str]


def parse_elf(read: Callable[[int, int], bytes]) -> Union[ElfImage, int]:
    """The headers of an x86-64 ELF executable, or -ENOEXEC (-EIO if the file
    ends within the program headers). `read(offset,
    size)` reads the file."""
    raw = read(0, _EHDR.size)
    if len(raw) < _EHDR.size or raw[:4] != b"\x7fELF":
        return -E.ENOEXEC
    ident, etype, machine, _v, entry, phoff, _sh, _fl, _eh, phentsize, phnum, *_ = _EHDR.unpack(raw)
    if ident[4] != 2 or ident[5] != 1 or machine != EM_X86_64 or etype not in (ET_EXEC, ET_DYN):
        return -E.ENOEXEC
    if phentsize != _PHDR.size or not 0 < phnum <= 65536 // _PHDR.size:
        return -E.ENOEXEC
    table = read(phoff, phnum * phentsize)
    if len(table) < phnum * phentsize:
        return -E.EIO  # load_elf_phdrs(): elf_read() of a file that ends early
    phdrs = []
    interp = None
    for i in range(phnum):
        ptype, flags, offset, vaddr, _paddr, filesz, memsz, _align = _PHDR.unpack_from(table, i * phentsize)
        ph = Phdr(ptype, flags, offset, vaddr, filesz, memsz)
        if ptype == PT_INTERP:
            interp = ph
        phdrs.append(ph)
    return ElfImage(etype, entry, phoff, phentsize, phdrs, interp)


def parse_shebang(head: bytes) -> Union[tuple[bytes, Optional[bytes]], int]:
    """The interpreter and its optional single argument from a "#!" line
    (binfmt_script: the rest of the line after the interpreter is one
    argument, trimmed), or -ENOEXEC."""
    line = head[2:].split(b"\n", 1)[0] if b"\n" in head else head[2:]
    line = line.strip(b" \t")
    if not line:
        return -E.ENOEXEC
    parts = line.replace(b"\t", b" ").split(b" ", 1)
    arg = parts[1].strip(b" \t") if len(parts) > 1 else b""
    return parts[0], (arg or None)


def bprm_stack_limits(rlim_stack: int, argc: int, envc: int) -> int:
    """fs/exec.c bprm_stack_limits(): how many bytes of strings (argv, envp
    and the file name, with their NULs) fit, or -E2BIG. The strings and a
    pointer to each argv and envp string may take a quarter of RLIMIT_STACK,
    at most 3/4 of _STK_LIM and at least ARG_MAX. `argc` is at least 1 (an
    empty argv gets an empty argv[0])."""
    limit = max(min(_STK_LIM // 4 * 3, rlim_stack // 4), ARG_MAX)
    ptr_size = (argc + envc) * 8
    return limit - ptr_size if limit > ptr_size else -E.E2BIG


def strings_fit(limit: int, lim: VmLimits, filename: bytes, argv: list[bytes], envp: list[bytes]) -> bool:
    """copy_strings()/copy_string_kernel(): whether the strings stay within
    the `limit` bprm_stack_limits() gave (the bprm->argmin check), and the
    stack of the new mm -- one page, grown down page by page as the strings
    need (get_arg_page(): expand_downwards()) -- within the caller's
    RLIMIT_STACK and RLIMIT_AS (`lim`); E2BIG otherwise."""
    size = len(filename) + 1 + sum(len(s) + 1 for s in argv) + sum(len(s) + 1 for s in envp)
    pages = (8 + size + PAGE_SIZE - 1) >> PAGE_SHIFT  # from vm_end - sizeof(void *) down
    return size <= limit and (pages == 1 or pages << PAGE_SHIFT <= lim.stack and pages <= lim.as_ >> PAGE_SHIFT)


def _prot(flags: int) -> int:
    return ((M.PROT_READ if flags & PF_R else 0) | (M.PROT_WRITE if flags & PF_W else 0)
            | (M.PROT_EXEC if flags & PF_X else 0))


class Exec:
    def __init__(self, k: Kernel) -> None:
        self.k = k

    # ---- the syscall -------------------------------------------------------------

    def sys_execve(self, t: TaskStruct, filename: int, argv: int, envp: int) -> Generator[None, None, int]:
        uacc = self.k.uaccess
        path = uacc.strncpy_from_user(t, filename, PATH_MAX)
        if path is None:
            return -E.EFAULT if uacc.copy_from_user(t, filename, 1) is None else -E.ENAMETOOLONG
        args = self._copy_strings(t, argv)
        if isinstance(args, int):
            return args
        env = self._copy_strings(t, envp)
        if isinstance(env, int):
            return env
        return (yield from self.do_execve(t, path, args, env))

    def _copy_strings(self, t: TaskStruct, array: int) -> Union[list[bytes], int]:
        if not array:
            return []
        uacc = self.k.uaccess
        ptrs = uacc.get_ptr_array(t, array, MAX_ARG_STRINGS)
        if ptrs is None:
            return -E.EFAULT
        out = []
        for ptr in ptrs:
            s = uacc.strncpy_from_user(t, ptr, MAX_ARG_STRLEN)
            if s is None:
                return -E.EFAULT if uacc.copy_from_user(t, ptr, 1) is None else -E.E2BIG
            out.append(s)
        return out

    # ---- do_execve --------------------------------------------------------------------

    def open_exec(self, t: TaskStruct, name: str) -> Union[tuple[Inode, str], int]:
        """The executable file `name` names, and its canonical path."""
        found = self.k.namei.walk(t, name)
        if isinstance(found, int):
            return found
        inode = found.inode
        if inode is None:
            return -E.ENOENT
        if not inode.is_reg():
            return -E.EACCES
        err = permission(inode, 1, *self.k.namei.creds(t))
        if err:
            return err
        if inode.open_writers:
            return -E.ETXTBSY
        return inode, found.path(t.fs.root)

    def do_execve(self, t: TaskStruct, path: bytes, argv: list[bytes], envp: list[bytes]) -> Generator[None, None, int]:
        """Load the new image, then (sleeping while other threads die, if the
        process has any) replace the old one. Returns 0, or -errno while the
        old image is still there."""
        k = self.k
        name = filename = path.decode("utf-8", "surrogateescape")
        if not argv:
            argv = [b""]  # Linux (5.18+) gives argc 0 an empty argv[0]
        stack_limit = t.signal.rlim[RLIMIT_STACK][0]
        lim = vm_limits(t)
        # do_execveat_common(): the strings are copied once the file is open
        for depth in range(BINPRM_MAX_RECURSION + 1):
            opened = self.open_exec(t, name)
            if isinstance(opened, int):
                return opened
            inode, real_path = opened
            if depth == 0:
                limit = bprm_stack_limits(stack_limit, len(argv), len(envp))
                if limit < 0 or not strings_fit(limit, lim, path, argv, envp):
                    return -E.E2BIG
            head = inode.read(0, BINPRM_BUF_SIZE)
            if head[:2] != b"#!":
                break
            shebang = parse_shebang(head)
            if isinstance(shebang, int):
                return shebang
            interp, arg = shebang
            argv = [interp, *([arg] if arg else []), name.encode("utf-8", "surrogateescape"), *argv[1:]]
            if not strings_fit(limit, lim, path, argv, envp):
                return -E.E2BIG  # load_script()'s copy_string_kernel()
            name = interp.decode("utf-8", "surrogateescape")
        else:
            return -E.ELOOP
        elf = parse_elf(inode.read)
        if isinstance(elf, int):
            return elf
        interp = self.open_interpreter(t, inode, elf.interp) if elf.interp is not None else None
        if isinstance(interp, int):
            return interp
        old_tid = t.pid
        if t.signal.nr_threads > 1:
            err = yield from self.de_thread(t)
            if err:
                return err
        # ---- point of no return --------------------------------------------------
        mm = MmStruct(k.phys, k.vm_sysctl)
        mm.stack_limit = min(stack_limit, 1 << 40)
        self.begin_new_exec(t, mm, filename)
        started = self.load_image(t, mm, (inode, elf, real_path), interp, path, argv, envp)
        if isinstance(started, int):
            k.signal.force_sig(t, S.SIGSEGV)  # bprm_execve(): no old image to return to
            return started
        k.entry.start_user_thread(t, *started)
        k.cputime.account_system_time(t, COSTS["exec"])
        if k.tp.sched_process_exec.probes:
            k.tp.sched_process_exec(t, filename, old_tid)
        return 0

    def load_image(self, t: TaskStruct, mm: MmStruct, program: ElfFile, interp: Optional[ElfFile],
                   filename: bytes, argv: list[bytes], envp: list[bytes]) -> Union[tuple[int, int], int]:
        """The part of load_elf_binary() after begin_new_exec(): map the
        program and its interpreter (load_elf_interp(), where mmap would put
        it), lay out the stack. Returns the entry point and the stack
        pointer, or -errno (the caller is past the point of no return)."""
        inode, elf, path = program
        loaded = self.load_elf_binary(t, mm, inode, elf, path, main=True)
        if isinstance(loaded, int):
            return loaded
        start, at_base = loaded.entry, 0
        if interp is not None:
            interp_inode, interp_elf, interp_path = interp
            interp_loaded = self.load_elf_binary(t, mm, interp_inode, interp_elf, interp_path, main=False)
            if isinstance(interp_loaded, int):
                return interp_loaded
            start, at_base = interp_loaded.entry, interp_loaded.bias
        sp = self.create_elf_tables(t, mm, elf, loaded, at_base, filename, argv, envp)
        return sp if sp < 0 else (start, sp)

    def open_interpreter(self, t: TaskStruct, program: Inode, ph: Phdr) -> Union[ElfFile, int]:
        """The part of load_elf_binary() before the point of no return that
        finds the dynamic linker a program names (PT_INTERP) and reads its
        headers."""
        if not 1 < ph.filesz <= PATH_MAX:
            return -E.ENOEXEC
        raw = program.read(ph.offset, ph.filesz)
        if len(raw) != ph.filesz:
            return -E.EIO  # elf_read(): the file ends early
        if raw[-1:] != b"\0":
            return -E.ENOEXEC
        name = raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")  # a C string: up to the first NUL
        opened = self.open_exec(t, name)
        if isinstance(opened, int):
            return opened
        inode, real_path = opened
        elf = parse_elf(inode.read)
        if isinstance(elf, int):
            return -E.ELIBBAD
        if elf.interp is not None:
            return -E.ELIBBAD  # an interpreter may not need one itself
        return inode, elf, real_path

    def de_thread(self, tsk: TaskStruct) -> Generator[None, None, int]:
        """Make `tsk` the only thread of its process (fs/exec.c de_thread):
        kill the others, wait until they are gone, and if `tsk` is not the
        leader, take over the leader's pid and place (E2)."""
        k = self.k
        sig = tsk.signal
        if sig.flags & SIGNAL_GROUP_EXIT or sig.group_exec_task is not None:
            return -E.EAGAIN  # the process is already exiting or exec'ing
        sig.group_exec_task = tsk
        for t in sig.threads():
            if t is not tsk:
                t.pending.signal |= S.sigmask(S.SIGKILL)
                k.signal.signal_wake_up(t, True)
        leader = tsk.group_leader

        def others_gone() -> bool:
            return all(t is tsk or (t is leader and t.exit_state) for t in sig.threads())

        while not others_gone():
            if fatal_signal_pending(tsk):
                sig.group_exec_task = None
                return -E.EAGAIN
            k.sched.set_task_state(tsk, TASK_KILLABLE)
            yield
        if tsk.state != TASK_RUNNING:
            k.sched.set_task_state(tsk, TASK_RUNNING)
        if leader is not tsk:
            self._take_over_leader(tsk, leader)
        sig.group_exec_task = None
        return 0

    def _take_over_leader(self, tsk: TaskStruct, leader: TaskStruct) -> None:
        """exchange_tids() and friends: the exec'ing thread becomes the group
        leader under the leader's pid, and the old (zombie) leader is released."""
        k = self.k
        tsk.pid_link, leader.pid_link = leader.pid_link, tsk.pid_link
        tsk.pid_link.task, leader.pid_link.task = tsk, leader
        tsk.pid, leader.pid = leader.pid, tsk.pid
        tsk.group_leader = leader.group_leader = tsk
        tsk.exit_signal, leader.exit_signal = S.SIGCHLD if leader.exit_signal == -1 else leader.exit_signal, -1
        tsk.start_time = leader.start_time
        tsk.real_parent, tsk.parent = leader.real_parent, leader.parent
        # the leader's places: task list, parent's children, process group, session
        k.replace_in_task_list(leader, tsk)
        k.exit.replace_child(leader, tsk)
        for members in (tsk.signal.pgrp.pgrp, tsk.signal.session.session):
            if members is not None and leader in members:
                items = [(tsk if m is leader else m) for m in members]
                members.clear()
                members.update(dict.fromkeys(items))
        leader.exit_state = EXIT_DEAD
        k.exit.release_task(leader, reaper=None)

    def load_elf_binary(self, t: TaskStruct, mm: MmStruct, inode: Inode, elf: ElfImage, path: str,
                        main: bool) -> Union[Loaded, int]:
        """Map the PT_LOAD segments (or return -errno). The program itself, if
        position independent, goes to ELF_ET_DYN_BASE; an interpreter to a
        free range mmap chooses. Only the program sets the brk and exe. The
        segments count against the task's RLIMIT_AS and, the writable ones,
        RLIMIT_DATA (elf_map(), vm_brk_flags(): -ENOMEM)."""
        k = self.k
        lim = vm_limits(t, k.warn_once)
        cached = inode.mapping()  # type: ignore[attr-defined]
        loads = [ph for ph in elf.phdrs if ph.type == PT_LOAD and ph.memsz]
        if not loads:
            return -E.ENOEXEC
        bias = 0
        if elf.type == ET_DYN:
            low = min(ph.vaddr for ph in loads) & PAGE_MASK
            if main:
                bias = ELF_ET_DYN_BASE - low
            else:
                span = page_align(max(ph.vaddr + ph.memsz for ph in loads)) - low
                base = get_unmapped_area(mm, span)
                if base < 0:
                    return base
                bias = base - low
        phdr_addr = 0
        elf_brk = 0
        start_code, end_code, start_data, end_data = -1, 0, -1, 0
        for ph in elf.phdrs:
            if ph.type == PT_PHDR:
                phdr_addr = ph.vaddr + bias
            if ph.type != PT_LOAD or ph.memsz == 0:
                continue
            if ph.filesz > ph.memsz or ph.offset & ~PAGE_MASK != ph.vaddr & ~PAGE_MASK:
                return -E.EINVAL
            vaddr = ph.vaddr + bias
            prot = _prot(ph.flags)
            in_page = vaddr & ~PAGE_MASK
            if ph.filesz:
                addr = do_mmap(mm, vaddr - in_page, ph.filesz + in_page, prot, M.MAP_PRIVATE | M.MAP_FIXED,
                               cached, (ph.offset - in_page) >> 12, name=path, lim=lim)
                if addr < 0:
                    return addr
            if not phdr_addr and ph.offset <= elf.phoff < ph.offset + ph.filesz:
                phdr_addr = elf.phoff - ph.offset + vaddr
            zero_start, zero_end = vaddr + ph.filesz, vaddr + ph.memsz
            if ph.memsz > ph.filesz:
                # padzero(): the rest of the last file page belongs to the bss
                if ph.filesz and zero_start & ~PAGE_MASK and ph.flags & PF_W:
                    gap = page_align(zero_start) - zero_start
                    if not k.uaccess.copy_to_user(t, zero_start, bytes(gap), mm=mm):
                        return -E.EFAULT
                anon_start = page_align(zero_start) if ph.filesz else vaddr - in_page
                if page_align(zero_end) > anon_start:
                    addr = do_mmap(mm, anon_start, page_align(zero_end) - anon_start, prot,
                                   M.MAP_PRIVATE | M.MAP_FIXED | M.MAP_ANONYMOUS, lim=lim)
                    if addr < 0:
                        return addr
            if ph.flags & PF_X:
                start_code = vaddr if start_code < 0 else min(start_code, vaddr)
                end_code = max(end_code, vaddr + ph.filesz)
            else:
                start_data = vaddr if start_data < 0 else min(start_data, vaddr)
                end_data = max(end_data, vaddr + ph.filesz)
            elf_brk = max(elf_brk, zero_end)
        inode.touch_atime()  # elf_map() is an mmap of the file: file_accessed()
        if main:
            mm.start_code, mm.end_code = max(start_code, 0), end_code
            mm.start_data, mm.end_data = max(start_data, 0), end_data
            mm.start_brk = mm.brk = page_align(elf_brk)
            mm.exe_file = path
            mm.set_exe(inode)
        return Loaded(elf.entry + bias, phdr_addr, len(elf.phdrs), bias)

    def create_elf_tables(
        self, t: TaskStruct, mm: MmStruct, elf: ElfImage, loaded: Loaded, at_base: int,
        filename: bytes, argv: list[bytes], envp: list[bytes],
    ) -> int:
        """Strings at the top of the stack, then argc/argv/envp/auxv below them.
        Returns the initial stack pointer."""
        k = self.k
        uacc = k.uaccess
        # copy_strings(): the file name on top, then envp, then argv below
        block = b"\0".join([*argv, *envp, filename, b""])
        arg_start = p = STACK_TOP - 8 - len(block)
        arg_ptrs = self._string_addrs(p, argv)
        env_start = p + sum(len(s) + 1 for s in argv)
        env_ptrs = self._string_addrs(env_start, envp)
        execfn = STACK_TOP - 8 - (len(filename) + 1)
        # create_elf_tables()
        p &= ~0xF
        p -= len(ELF_PLATFORM) + 1
        u_platform = p
        p -= 16
        u_rand_bytes = p
        rand = bytes(k.random.getrandbits(8) for _ in range(16))
        cred = t.cred
        auxv = [
            (AT_HWCAP, ELF_HWCAP), (AT_PAGESZ, PAGE_SIZE), (AT_CLKTCK, USER_HZ),
            (AT_PHDR, loaded.phdr_addr), (AT_PHENT, elf.phentsize), (AT_PHNUM, loaded.phnum),
            (AT_BASE, at_base), (AT_FLAGS, 0), (AT_ENTRY, loaded.entry),
            (AT_UID, cred.uid), (AT_EUID, cred.euid), (AT_GID, cred.gid), (AT_EGID, cred.egid),
            (AT_SECURE, 0), (AT_RANDOM, u_rand_bytes), (AT_EXECFN, execfn),
            (AT_PLATFORM, u_platform), (AT_NULL, 0),
        ]
        items = (len(argv) + 1) + (len(envp) + 1) + 1
        sp = ((p - 16 * len(auxv)) - items * 8) & ~0xF
        # setup_arg_pages(): the stack VMA holds the arg pages plus stack_expand
        # (within RLIMIT_STACK, and RLIMIT_AS: expand_stack() fails with it),
        # create_elf_tables() extends it down to sp; it grows down on demand later
        stack_base = max((arg_start & PAGE_MASK) - STACK_EXPAND, (STACK_TOP - mm.stack_limit) & PAGE_MASK)
        vm_start = min(stack_base, sp & PAGE_MASK)
        stack = VmArea(vm_start, STACK_TOP, VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC
                       | VM_GROWSDOWN, name="[stack]")
        if not may_expand_vm(mm, vm_limits(t), stack.flags, (STACK_TOP - vm_start) >> PAGE_SHIFT):
            return -E.EFAULT
        mm.insert_vma(stack)
        if not uacc.copy_to_user(t, arg_start, block, mm=mm) \
                or not uacc.copy_to_user(t, u_platform, ELF_PLATFORM + b"\0", mm=mm) \
                or not uacc.copy_to_user(t, u_rand_bytes, rand, mm=mm):
            return -E.EFAULT
        words = [len(argv), *arg_ptrs, 0, *env_ptrs, 0]
        for key, val in auxv:
            words += [key, val]
        if not uacc.copy_to_user(t, sp, struct.pack(f"<{len(words)}Q", *words), mm=mm):
            return -E.EFAULT
        mm.start_stack = sp
        mm.arg_start, mm.arg_end = arg_start, env_start
        mm.env_start, mm.env_end = env_start, execfn
        return sp

    @staticmethod
    def _string_addrs(start: int, strings: list[bytes]) -> list[int]:
        """Where each of `strings`, laid out one after another from `start`
        with their NULs, begins."""
        addrs = []
        for s in strings:
            addrs.append(start)
            start += len(s) + 1
        return addrs

    def begin_new_exec(self, t: TaskStruct, mm: MmStruct, name: str) -> None:
        """Everything past the point of no return except the registers."""
        k = self.k
        old = t.mm
        k.exit.mm_release(t)  # a vfork parent may go on
        t.mm = mm
        if old is not None:
            k.mmput(old)
        # Caught signals go back to SIG_DFL; ignored ones stay ignored (E2).
        if t.sighand.users > 1:
            t.sighand.users -= 1
            t.sighand = t.sighand.copy()
        t.sighand.action = {
            sig: (S.SIG_IGN, 0, 0, 0) for sig, act in t.sighand.action.items() if act[0] == S.SIG_IGN
        }
        unshare_fd(t)
        if t.files is not None:
            t.files.close_on_exec()
        # POSIX timers do not survive exec, nor do their queued signals
        # (interval timers of setitimer/alarm do).
        k.posix_timers.exit_itimers(t.signal)
        k.signal.flush_itimer_signals(t)
        t.flags &= ~(PF_FORKNOEXEC | PF_KTHREAD)
        t.sas_ss_sp = t.sas_ss_size = t.sas_ss_flags = 0  # the old stack is gone
        k.set_task_comm(t, posixpath.basename(name))

    # ---- scripted programs --------------------------------------------------------------

    def exec_script(self, t: TaskStruct, program: Callable[..., Any], name: str) -> None:
        """kernel_execve() of a program written in Python (see usermode.py): a
        fresh address space with a scratch area for the program's buffers."""
        k = self.k
        mm = MmStruct(k.phys, k.vm_sysctl)
        do_mmap(mm, SCRIPT_SCRATCH, SCRIPT_SCRATCH_SIZE, M.PROT_READ | M.PROT_WRITE,
                M.MAP_PRIVATE | M.MAP_ANONYMOUS | M.MAP_FIXED, name="[scratch]")
        # Its command line (what /proc/PID/cmdline and ps show): its name,
        # on a page of its own above the scratch area.
        args = SCRIPT_SCRATCH + SCRIPT_SCRATCH_SIZE
        do_mmap(mm, args, PAGE_SIZE, M.PROT_READ | M.PROT_WRITE, M.MAP_PRIVATE | M.MAP_ANONYMOUS | M.MAP_FIXED,
                name="[args]")
        cmdline = name.encode("utf-8", "surrogateescape")[:PAGE_SIZE - 1] + b"\0"
        k.uaccess.copy_to_user(t, args, cmdline, mm=mm)
        mm.arg_start, mm.arg_end = args, args + len(cmdline)
        mm.env_start = mm.env_end = mm.arg_end
        mm.exe_file = name
        self.begin_new_exec(t, mm, name)
        k.entry.start_script(t, program)
        if k.tp.sched_process_exec.probes:
            k.tp.sched_process_exec(t, name, t.pid)

