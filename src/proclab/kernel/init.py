"""The first tasks (init/main.c, kernel/kthread.c).

PID 1 starts like Linux's kernel_init: a user-mode thread that opens the
console as fds 0, 1 and 2 and then execs init. proclab's init is a scripted
program: it forks and execs the command to run, then reaps every child it has
or adopts (SEMANTICS T3) until none is left, and powers the machine off. The
status of the command is reported to whoever asked for the run.

PID 2 is kthreadd, the parent of kernel threads; it sleeps until asked to
create one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Generator, NamedTuple, Optional

from ..uapi import errno as E
from ..uapi import signal as S
from .sched.wait import wait_event
from .sys import LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2
from .task import TaskStruct
from .usermode import Program, UserApi

if TYPE_CHECKING:  # pragma: no cover
    from .kernel import Kernel


class Command(NamedTuple):
    """What init runs: a program file, its argv and environment."""

    path: bytes
    argv: list[bytes]
    envp: list[bytes]


def exec_command(cmd: Command) -> Program:
    """The child init forks: exec the command, or exit like a shell would when
    that fails (127: not found, 126: found but not executable)."""

    def child(u: UserApi) -> Generator[Any, Any, None]:
        yield u.sys("setpgid", 0, 0)  # its own process group, as a shell's job
        path = u.put(cmd.path + b"\0")
        argv = u.put_cstrings(cmd.argv)
        envp = u.put_cstrings(cmd.envp)
        err = yield u.sys("execve", path, argv, envp)
        yield u.sys("exit_group", 127 if err in (-E.ENOENT, -E.ENOTDIR) else 126)

    return child


def init_program(first: Optional[Program], report: Callable[[int, int], None]) -> Program:
    """/sbin/init: fork a child that runs `first` (usually `exec_command`),
    then reap everything until no child is left, and power off.
    `report(pid, status)` learns the pid of that child first, then the wait
    status of every child init reaps."""

    def init(u: UserApi) -> Generator[Any, Any, None]:
        status = u.alloc(4)
        yield u.sys("setsid")
        if first is not None:
            pid = yield u.fork(first)
            report(pid, -1)
        while True:
            pid = yield u.sys("wait4", -1, status, 0, 0)
            if pid == -E.ECHILD:
                break
            if pid > 0:
                report(pid, u.read_i32(status))
        yield u.sys("reboot", LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2[0], LINUX_REBOOT_CMD_POWER_OFF, 0)

    return init


def kernel_init(k: Kernel, program: Program) -> Callable[[TaskStruct], Generator[None, None, None]]:
    """The kernel-mode start of PID 1."""

    def body(t: TaskStruct) -> Generator[None, None, None]:
        k.console_on_rootfs(t)
        k.exec.exec_script(t, program, "init")
        yield from ()

    return body


def kthreadd(k: Kernel) -> Callable[[TaskStruct], Generator[None, None, None]]:
    """PID 2: ignores every signal and waits for kthread_create() requests."""

    def body(t: TaskStruct) -> Generator[None, None, None]:
        t.sighand.action = {sig: (S.SIG_IGN, 0, 0, 0) for sig in range(1, S.NSIG + 1)}
        while True:
            yield from wait_event(k.sched, t, k.kthread_create_wq, lambda: bool(k.kthread_create_list))
            while k.kthread_create_list:
                fn, name = k.kthread_create_list.pop(0)
                k.fork.kernel_thread(fn, name)

    return body
