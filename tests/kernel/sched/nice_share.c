/* Two CPU-bound processes pinned to CPU 0, the child at nice 5: each
   reports the CPU time it got (us) in the same window of wall time
   (argv[1] ms, default 200). On Linux, and on proclab under eevdf and
   cfs, the weights 1024 and 335 give about 3.06 : 1. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

static long ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000L + t.tv_nsec; }

int main(int argc, char **argv) {
    cpu_set_t one; CPU_ZERO(&one); CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);
    long window = argc > 1 ? atol(argv[1]) : 200;  /* ms */
    long end = ns(CLOCK_MONOTONIC) + window * 1000000L;
    pid_t child = fork();
    if (child == 0) setpriority(PRIO_PROCESS, 0, 5);
    volatile unsigned long x = 1;
    while (ns(CLOCK_MONOTONIC) < end)
        for (int i = 0; i < 1000; i++) x = x * 6364136223846793005UL + 1;
    long cpu = ns(CLOCK_PROCESS_CPUTIME_ID);
    if (child == 0) { printf("nice5 %ld\n", cpu / 1000); return 0; }
    waitpid(child, NULL, 0);
    printf("nice0 %ld\n", cpu / 1000);
    return 0;
}
