"""The process core (kernel/): tasks, pids, fork, exec, exit, signals, scheduling, time."""
