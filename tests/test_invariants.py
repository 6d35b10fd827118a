"""Random trees of scripted processes that fork, exit and wait in random
orders: the kernel's invariants hold at every context switch, and at the end
nothing leaks (every frame and pid comes back)."""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripted import check_invariants, run_scripted

from proclab.kernel.kernel import KernelConfig
from proclab.uapi import wait as W

# An action list: ("fork", child actions), ("wait", nohang), ("sleep", us), ("exit", code)
actions = st.deferred(lambda: st.lists(
    st.one_of(
        st.tuples(st.just("fork"), actions),
        st.tuples(st.just("wait"), st.booleans()),
        st.tuples(st.just("sleep"), st.integers(0, 3000)),
        st.tuples(st.just("exit"), st.integers(0, 255)),
    ),
    max_size=4,
))


def make_program(plan):
    def prog(u):
        for action, arg in plan:
            if action == "fork":
                yield u.fork(make_program(arg))
            elif action == "wait":
                yield u.sys("wait4", -1, 0, W.WNOHANG if arg else 0, 0)
            elif action == "sleep":
                yield u.sys("nanosleep", u.put(struct.pack("<qq", 0, arg * 1000)), 0)
            else:
                yield u.sys("exit_group", arg)
    return prog


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_invariants_hold_at_every_switch(plan) -> None:
    checked = []

    def probes(k):
        def on_switch(cpu, prev, prev_state, nxt):
            check_invariants(k)
            checked.append(1)
        k.tp.sched_switch.connect(on_switch)

    k = run_scripted(make_program(plan), KernelConfig(memory=32 << 20), probes)
    assert checked
    check_invariants(k)
    # everything the program made is gone: init, kthreadd and kworker remain
    assert sorted(k.pid_ns.pids) == [1, 2, 3]
    assert k.nr_threads == 3
