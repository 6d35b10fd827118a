"""PID allocation (SEMANTICS P1-P3)."""

from __future__ import annotations

import pytest

from proclab.kernel.pid import PID_MAX_LIMIT, RESERVED_PIDS, PidNamespace


def test_cyclic_allocation_and_wrap() -> None:
    ns = PidNamespace(PID_MAX_LIMIT)
    assert [ns.alloc_pid().nr for _ in range(3)] == [1, 2, 3]
    ns.last_pid = PID_MAX_LIMIT - 2
    assert ns.alloc_pid().nr == PID_MAX_LIMIT - 1
    assert ns.alloc_pid().nr == RESERVED_PIDS


def test_numbers_stay_taken_while_used_as_pgid() -> None:
    ns = PidNamespace(400)
    leader = ns.alloc_pid()
    ns.get_pid(leader)          # someone's process group
    ns.put_pid(leader)          # the task itself is gone
    assert ns.find_pid(leader.nr) is leader
    ns.put_pid(leader)          # the group is gone too
    assert ns.find_pid(leader.nr) is None


def test_exhaustion_and_limits() -> None:
    ns = PidNamespace(RESERVED_PIDS + 1)
    got = [ns.alloc_pid() for _ in range(RESERVED_PIDS)]
    assert all(p is not None for p in got) and ns.alloc_pid() is None
    with pytest.raises(ValueError):
        ns.set_pid_max(PID_MAX_LIMIT + 1)


def test_raising_pid_max_makes_room() -> None:
    ns = PidNamespace(RESERVED_PIDS + 1)
    for _ in range(RESERVED_PIDS):
        ns.alloc_pid()
    ns.set_pid_max(RESERVED_PIDS + 10)
    assert ns.alloc_pid().nr == RESERVED_PIDS + 1
