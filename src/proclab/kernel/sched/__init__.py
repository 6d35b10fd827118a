"""Scheduling: task states and wakeups, runqueue policies, wait queues, virtual time."""
