"""A hypothesis state machine over the scripted kernel (issue: the whole
process lifecycle). Every task is a puppet: a scripted program that sleeps on a
futex in its own memory until the machine hands it a command (fork, clone with
various flags, exit, exit_group, wait4 in every pid form, setpgid, setsid),
makes that one syscall, and sleeps again. After each step the kernel runs until
no task can run, and the invariants of scripted.check_invariants must hold:
unique pids that the hash and the task list agree on, live parents, zombies
exactly where an exit is unreported, an exact index of reportable children, and
every frame reference accounted for. At the end every puppet exits and
everything but the boot tasks must be gone."""

from __future__ import annotations

from collections import deque
from typing import Any, Optional

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from scripted import boot_scripted, check_invariants

from proclab.kernel.exec import SCRIPT_SCRATCH
from proclab.kernel.futex import FUTEX_PRIVATE_FLAG, FUTEX_WAIT
from proclab.kernel.kernel import Kernel, KernelConfig
from proclab.kernel.task import PF_EXITING, TaskStruct
from proclab.uapi import sched as C
from proclab.uapi import signal as S
from proclab.uapi import wait as W

THREAD = C.CLONE_THREAD | C.CLONE_SIGHAND | C.CLONE_VM | C.CLONE_FS | C.CLONE_FILES
SHARE_VM = C.CLONE_VM | C.CLONE_FS | C.CLONE_FILES | C.CLONE_SIGHAND
CLONE_FLAGS = {
    "fork": S.SIGCHLD,
    "share_vm": SHARE_VM | S.SIGCHLD,
    "thread": THREAD,
    "parent": C.CLONE_PARENT | S.SIGCHLD,
    "no_signal": 0,                       # a clone child only __WCLONE/__WALL can wait for
    "invalid": C.CLONE_THREAD,            # EINVAL: CLONE_THREAD without CLONE_SIGHAND
}
# mostly WNOHANG, so that the machine seldom runs out of idle puppets
WAIT_OPTIONS = [0, W.WNOHANG, W.WALL | W.WNOHANG, W.WCLONE | W.WNOHANG, W.WNOHANG | W.WNOTHREAD,
                W.WNOHANG, W.WALL]


class Puppets:
    """The command mailboxes of the puppets, by puppet number."""

    def __init__(self) -> None:
        self.inbox: dict[int, deque] = {}
        self.task: dict[int, TaskStruct] = {}
        self.idle: set[int] = set()
        self.results: dict[int, Any] = {}
        self.count = 0

    def new(self) -> int:
        self.count += 1
        self.inbox[self.count] = deque()
        return self.count

    def program(self, ident: int):
        word = SCRIPT_SCRATCH + 8 * ident  # each puppet's own futex word

        def puppet(u):
            self.task[ident] = u.task
            while True:
                inbox = self.inbox[ident]
                if not inbox:
                    self.idle.add(ident)
                    yield u.sys("futex", word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, 0, 0, 0)
                    continue
                self.idle.discard(ident)
                op, args = inbox.popleft()
                if op == "clone":
                    flags, child = args
                    self.results[ident] = yield u.clone(flags, self.program(child))
                else:
                    self.results[ident] = yield u.sys(op, *args)

        return puppet


class LifecycleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.p = Puppets()
        self.root = self.p.new()
        self.k: Kernel = boot_scripted(self.p.program(self.root),
                                       KernelConfig(memory=32 << 20, pid_max=600))
        self.k.run_until_idle()

    # ---- helpers -------------------------------------------------------------------

    def alive(self) -> list[int]:
        """Puppets that wait for a command."""
        return sorted(i for i in self.p.idle
                      if i in self.p.task and not self.p.task[i].exit_state
                      and not self.p.task[i].flags & PF_EXITING)

    def command(self, ident: int, op: str, *args: Any) -> None:
        t = self.p.task[ident]
        self.p.inbox[ident].append((op, args))
        self.p.idle.discard(ident)
        self.k.futex.futex_wake(t, t.mm, SCRIPT_SCRATCH + 8 * ident, 1)
        self.k.run_until_idle()

    def pick(self, data: Any, choices: list) -> Optional[Any]:
        return data.draw(st.sampled_from(choices)) if choices else None

    # ---- rules -----------------------------------------------------------------------

    @precondition(lambda self: self.alive() and self.k.nr_threads < 60)
    @rule(data=st.data(), kind=st.sampled_from(sorted(CLONE_FLAGS)))
    def clone(self, data: Any, kind: str) -> None:
        ident = self.pick(data, self.alive())
        self.command(ident, "clone", CLONE_FLAGS[kind], self.p.new())

    @precondition(lambda self: [i for i in self.alive() if i != self.root])
    @rule(data=st.data(), code=st.integers(0, 255), group=st.booleans())
    def exit(self, data: Any, code: int, group: bool) -> None:
        """Any puppet but the first one (which leaves at the end)."""
        ident = self.pick(data, [i for i in self.alive() if i != self.root])
        self.command(ident, "exit_group" if group else "exit", code)

    @precondition(lambda self: self.alive())
    @rule(data=st.data(), form=st.sampled_from(["any", "pgrp", "child", "other_pgrp", "nobody"]),
          options=st.sampled_from(WAIT_OPTIONS))
    def wait(self, data: Any, form: str, options: int) -> None:
        ident = self.pick(data, self.alive())
        t = self.p.task[ident]
        pid = {"any": -1, "pgrp": 0, "nobody": 599}.get(form)
        if pid is None:
            if form == "child":
                kids = sorted(c.pid for c in t.children)
                pid = self.pick(data, kids) or -1
            else:
                groups = sorted({p.signal.pgrp.nr for p in self.k.for_each_process() if p.signal.pgrp})
                pid = -(self.pick(data, groups) or 1)
        self.command(ident, "wait4", pid, 0, options, 0)

    @precondition(lambda self: self.alive())
    @rule(data=st.data(), who=st.sampled_from(["self", "child"]), group=st.sampled_from(["new", "parent's", "other"]))
    def setpgid(self, data: Any, who: str, group: str) -> None:
        ident = self.pick(data, self.alive())
        t = self.p.task[ident]
        pid = 0
        if who == "child" and t.children:
            pid = self.pick(data, sorted(c.pid for c in t.children))
        pgid = {"new": 0, "parent's": t.real_parent.signal.pgrp.nr if t.real_parent.signal.pgrp else 0}.get(group)
        if pgid is None:
            groups = sorted({p.signal.pgrp.nr for p in self.k.for_each_process() if p.signal.pgrp})
            pgid = self.pick(data, groups) or 0
        self.command(ident, "setpgid", pid, pgid)

    @precondition(lambda self: self.alive())
    @rule(data=st.data())
    def setsid(self, data: Any) -> None:
        self.command(self.pick(data, self.alive()), "setsid")

    @rule()
    def settle(self) -> None:
        """Let whatever can run, run (always possible, even once all are gone)."""
        self.k.run_until_idle()

    @invariant()
    def kernel_is_consistent(self) -> None:
        # the machine stops only when init has no child left (every puppet exited)
        assert not self.k.halted or self.k.result.reason == "poweroff", self.k.result
        check_invariants(self.k)

    def teardown(self) -> None:
        # every puppet leaves (a parent blocked in wait4 becomes idle once its
        # children are gone); init reaps them all and powers off
        while not self.k.halted and self.alive():
            self.command(self.alive()[0], "exit_group", 0)
        result = self.k.run() if not self.k.halted else self.k.result
        assert result.reason == "poweroff", result
        check_invariants(self.k)
        assert sorted(self.k.pid_ns.pids) == [1, 2, 3]


TestLifecycle = LifecycleMachine.TestCase
TestLifecycle.settings = settings(max_examples=80, stateful_step_count=40, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])
