"""Sleeping on wait queues (kernel/sched/wait.c: prepare_to_wait, wait_event).

These are generators: `yield` is the call to schedule(). Use them from a syscall
that may block as `ret = yield from wait_event(...)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generator, Optional

from ...lib.wait import WaitQueueEntry, WaitQueueHead
from ...uapi import errno as E
from ...uapi.signal import SIGKILL, sigmask
from ..task import TASK_INTERRUPTIBLE, TASK_RUNNING, TASK_WAKEKILL, TIF_SIGPENDING

if TYPE_CHECKING:  # pragma: no cover
    from ..task import TaskStruct
    from ..time.timekeeping import Timer
    from .core import Scheduler

# A sleep, or a syscall that may sleep: a generator that yields while the
# task is off the CPU and returns 0 or -errno.
Sleep = Generator[None, None, int]


def fatal_signal_pending(task: TaskStruct) -> bool:
    return bool((task.pending.signal | task.signal.shared_pending.signal) & sigmask(SIGKILL))


def signal_pending(task: TaskStruct) -> bool:
    """Has `task` a signal to handle before it returns to user mode?"""
    return bool(task.tif & TIF_SIGPENDING)


def signal_pending_state(state: int, task: TaskStruct) -> bool:
    """Should a sleep in `state` end because of a signal?"""
    if not signal_pending(task):
        return False
    if state & TASK_INTERRUPTIBLE:
        return True
    return bool(state & TASK_WAKEKILL) and fatal_signal_pending(task)


def wait_event(
    sched: Scheduler,
    task: TaskStruct,
    wq: WaitQueueHead,
    condition: Callable[[], bool],
    state: int = TASK_INTERRUPTIBLE,
    exclusive: bool = False,
    deadline: Optional[int] = None,
    slack: int = 0,
) -> Sleep:
    """Sleep on `wq` until `condition()` holds. Returns 0, -ERESTARTSYS when a
    signal ended the sleep (interruptible / killable states only), or
    -ETIMEDOUT when virtual time reached `deadline` first (its timer may
    fire up to `slack` ns after it).

    Cleanup happens on the way out, not in a `finally`: a generator closed
    because its kernel is being discarded must not touch anything."""
    if condition():
        return 0
    clock = sched.clock
    entry = WaitQueueEntry(task, sched.default_wake_function, exclusive)
    wq.add(entry)
    timer = None
    if deadline is not None:
        timer = clock.start_timer(deadline, lambda: sched.try_to_wake_up(task, state), slack)
    while True:
        if condition():
            ret = 0
            break
        if signal_pending_state(state, task):
            ret = -E.ERESTARTSYS
            break
        if deadline is not None and (clock.now >= deadline or timer is not None and not timer.armed):
            ret = -E.ETIMEDOUT
            break
        # Nothing runs between the checks and the sleep: setting the state
        # here is as safe as Linux's set-then-check, and traces stay clean.
        sched.set_task_state(task, state)
        yield
    finish_sleep(sched, task, timer)
    if entry.head is not None:  # the queue it is on now (a futex requeue moves it)
        entry.head.remove(entry)
    return ret


def sleep_until(sched: Scheduler, task: TaskStruct, expires: int, state: int = TASK_INTERRUPTIBLE) -> Sleep:
    """do_nanosleep(): sleep until virtual time `expires`, or up to the task's
    timer slack later. Returns 0 when the time came, -ERESTARTSYS when a
    signal came first."""
    clock = sched.clock
    if clock.now >= expires:
        return 0
    timer = clock.start_timer(expires, lambda: sched.try_to_wake_up(task, state), task.timer_slack_ns)
    while True:
        # the timer fired (hrtimer_sleeper's task cleared): the time came, even
        # if this CPU's clock is a little behind the one that ran the timer
        if not timer.armed:
            ret = 0
            break
        if signal_pending_state(state, task):
            ret = -E.ERESTARTSYS
            break
        sched.set_task_state(task, state)
        yield
    finish_sleep(sched, task, timer)
    return ret


def finish_sleep(sched: Scheduler, task: TaskStruct, timer: Optional[Timer]) -> None:
    """__set_current_state(TASK_RUNNING) after a sleep, with its timer (if
    any) cancelled."""
    if timer is not None:
        sched.clock.cancel(timer)
    if task.state != TASK_RUNNING:
        sched.set_task_state(task, TASK_RUNNING)


def schedule_hrtimeout_range(sched: Scheduler, task: TaskStruct, expires: Optional[int],
                             slack: int = 0, state: int = TASK_INTERRUPTIBLE) -> Sleep:
    """schedule_hrtimeout_range(): one sleep, until any wakeup or virtual
    time `expires` (None: no timer, only a wakeup ends it; the timer may fire
    up to `slack` ns late). Returns 0 when the time came, -EINTR when
    something woke the task first. A task with a signal pending does not go
    to sleep at all (as __schedule() decides)."""
    clock = sched.clock
    if expires is not None and clock.now >= expires:
        return 0
    timer = None
    if expires is not None:
        timer = clock.start_timer(expires, lambda: sched.try_to_wake_up(task, state), slack)
    if not signal_pending_state(state, task):
        sched.set_task_state(task, state)
        yield
    fired = timer is not None and not timer.armed
    finish_sleep(sched, task, timer)
    return 0 if expires is not None and (clock.now >= expires or fired) else -E.EINTR
