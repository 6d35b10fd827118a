/* N threads (argv[1], default 4) each spin through the same CPU-bound loop
 * (argv[2] rounds, default 1000000);
 * prints the elapsed CLOCK_MONOTONIC time in microseconds and, per thread,
 * the CPUs it ran on (getcpu at start and end). On proclab CLOCK_MONOTONIC
 * is the virtual clock, so the figure shows what --cpus buys. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink[64];
static int first_cpu[64], last_cpu[64];
static long iterations = 1000000;

static void *spin(void *arg) {
    long id = (long)arg;
    unsigned long x = (unsigned long)id;
    first_cpu[id] = sched_getcpu();
    for (long i = 0; i < iterations; i++) {
        x = x * 6364136223846793005UL + 1;
        sink[id] = x;
    }
    last_cpu[id] = sched_getcpu();
    return NULL;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 4;
    if (argc > 2)
        iterations = atol(argv[2]);
    pthread_t t[64];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        pthread_create(&t[i], NULL, spin, (void *)i);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("elapsed_us %ld\n", (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000);
    for (int i = 0; i < n; i++)
        printf("thread %d cpus %d %d\n", i, first_cpu[i], last_cpu[i]);
    return 0;
}
