"""Time (kernel/time/): the virtual clock and its timers, time system calls, interval and POSIX timers."""
