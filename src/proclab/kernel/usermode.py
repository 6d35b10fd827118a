"""Scripted user mode: user programs written in Python (DESIGN: the kernel core
works without the CPU).

A scripted program is a generator function taking a `UserApi`. It runs as a
real process -- it has a pid, an address space, fds, a parent -- and everything
it does goes through the kernel's syscall entry exactly like a binary's
`syscall` instruction: it yields a `Syscall` and receives the return value.

    def hello(u):
        buf = u.put(b"hi\\n")
        yield u.sys("write", 1, buf, 3)
        pid = yield u.fork(child)       # clone(fn): the child runs `child(u)`
        yield u.sys("wait4", pid, 0, 0, 0)

Python generators cannot be duplicated, so a scripted fork names the program the
child runs (the semantics of glibc's clone(fn, ...)). init is a scripted program.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Callable, Generator, NamedTuple, Optional

from ..uapi import signal as S
from ..uapi.unistd import NR
from .exec import SCRIPT_SCRATCH, SCRIPT_SCRATCH_SIZE

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel
    from .task import TaskStruct

Program = Callable[["UserApi"], Generator["Syscall", Any, Any]]


class Syscall(NamedTuple):
    """One system call request of a scripted program."""

    nr: int
    args: tuple[int, ...]
    program: Optional[Program] = None  # clone: what the child runs


class ScriptThread:
    """The user-mode state of a scripted task (its "registers")."""

    __slots__ = ("gen", "result", "request", "started", "restart")

    def __init__(self, gen: Generator[Syscall, Any, Any]) -> None:
        self.gen = gen
        self.result: Any = None               # the value the next send() delivers (RAX)
        self.request: Optional[Syscall] = None  # the syscall in progress (for restarts)
        self.started = False
        self.restart = False                  # re-issue `request` instead of resuming


class UserApi:
    """What a scripted program can do besides yielding syscalls: build the
    requests and use its own memory (a scratch area of its address space)."""

    __slots__ = ("_k", "task", "_brk")

    def __init__(self, k: Kernel, task: TaskStruct) -> None:
        self._k = k
        self.task = task
        self._brk = SCRIPT_SCRATCH

    # ---- requests ----------------------------------------------------------------

    def sys(self, name: str, *args: int) -> Syscall:
        """A syscall by name: `yield u.sys("getpid")`."""
        return Syscall(NR[name], tuple(a & 0xFFFFFFFFFFFFFFFF for a in args))

    def fork(self, program: Program) -> Syscall:
        """fork() whose child runs `program`."""
        return Syscall(NR["clone"], (S.SIGCHLD, 0, 0, 0, 0), program)

    def clone(self, flags: int, program: Program, stack: int = 0, parent_tid: int = 0,
              child_tid: int = 0, tls: int = 0) -> Syscall:
        return Syscall(NR["clone"], (flags, stack, parent_tid, child_tid, tls), program)

    # ---- memory ----------------------------------------------------------------------

    def alloc(self, size: int) -> int:
        """Reserve `size` bytes of the scratch area (8-byte aligned)."""
        addr = self._brk
        self._brk = (self._brk + size + 7) & ~7
        if self._brk > SCRIPT_SCRATCH + SCRIPT_SCRATCH_SIZE:
            raise MemoryError("scripted program ran out of scratch memory")
        return addr

    def put(self, data: bytes) -> int:
        """Copy `data` into fresh scratch memory; returns its address."""
        addr = self.alloc(len(data))
        self.write(addr, data)
        return addr

    def put_cstrings(self, strings: list[bytes]) -> int:
        """A NULL-terminated array of C strings (argv/envp); returns its address."""
        ptrs = [self.put(s + b"\0") for s in strings]
        return self.put(struct.pack(f"<{len(ptrs) + 1}Q", *ptrs, 0))

    def write(self, addr: int, data: bytes) -> None:
        if not self._k.uaccess.copy_to_user(self.task, addr, data):
            raise MemoryError(f"bad address {addr:#x}")

    def read(self, addr: int, size: int) -> bytes:
        data = self._k.uaccess.copy_from_user(self.task, addr, size)
        if data is None:
            raise MemoryError(f"bad address {addr:#x}")
        return data

    def read_i32(self, addr: int) -> int:
        return struct.unpack("<i", self.read(addr, 4))[0]
