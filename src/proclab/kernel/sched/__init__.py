"""Scheduling (kernel/sched/): task states and wakeups, runqueue policies, wait queues."""
