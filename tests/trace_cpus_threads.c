/* Three threads spin through a CPU-bound loop while the main thread joins
 * them: on two CPUs the trace has context switches on both, wakeups (the
 * joins) and a migration (halfway, the last thread moves itself to the
 * other CPU with sched_setaffinity). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

#define THREADS 3

static volatile unsigned long sink[THREADS];

static void *spin(void *arg) {
    long id = (long)arg;
    unsigned long x = (unsigned long)id;
    for (long i = 0; i < 3000000; i++) {
        x = x * 6364136223846793005UL + 1;
        sink[id] = x;
        if (id == THREADS - 1 && i == 1500000) {
            cpu_set_t other;
            CPU_ZERO(&other);
            CPU_SET(1 - sched_getcpu(), &other);
            sched_setaffinity(0, sizeof other, &other);
        }
    }
    return NULL;
}

int main(void) {
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, spin, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    puts("done");
    return 0;
}
