"""Clock ids (include/uapi/linux/time.h) and how a CPU-time clock id names a
process or thread (include/linux/posix-timers_types.h): a negative id is
~pid << 3, plus CPUCLOCK_PERTHREAD_MASK for a thread, plus what it counts
(CPUCLOCK_PROF user + system time, CPUCLOCK_VIRT user time, CPUCLOCK_SCHED
time on the CPU); pid 0 is the caller. Ids whose low bits are CLOCKFD name
a posix clock device by its file descriptor."""

CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID = 0, 1, 2, 3
CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME = 4, 5, 6, 7
TIMER_ABSTIME = 1

CPUCLOCK_PROF, CPUCLOCK_VIRT, CPUCLOCK_SCHED, CPUCLOCK_MAX = 0, 1, 2, 3
CPUCLOCK_CLOCK_MASK = 3
CPUCLOCK_PERTHREAD_MASK = 4
CLOCKFD = CPUCLOCK_MAX
CLOCKFD_MASK = CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_CLOCK_MASK


def make_process_cpuclock(pid: int, clock: int) -> int:
    return (~pid << 3) | clock


def make_thread_cpuclock(tid: int, clock: int) -> int:
    return make_process_cpuclock(tid, clock | CPUCLOCK_PERTHREAD_MASK)


PROCESS_CLOCK = make_process_cpuclock(0, CPUCLOCK_SCHED)  # what CLOCK_PROCESS_CPUTIME_ID stands for
THREAD_CLOCK = make_thread_cpuclock(0, CPUCLOCK_SCHED)    # and CLOCK_THREAD_CPUTIME_ID


def cpuclock_pid(clock: int) -> int:
    return ~(clock >> 3)


def cpuclock_perthread(clock: int) -> bool:
    return bool(clock & CPUCLOCK_PERTHREAD_MASK)


def cpuclock_which(clock: int) -> int:
    return clock & CPUCLOCK_CLOCK_MASK
