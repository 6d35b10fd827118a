/* For test_native.py: three processes and a thread computing long enough
   for ticks to preempt them in the middle of blocks, writing across pages
   (faults and COW breaks inside blocks), with no syscall in the loop. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 48
static char area[PAGES * 4096];
static volatile unsigned long sink;

static void *work(void *arg) {
    unsigned long x = (unsigned long)arg * 7919 + 1;
    for (long i = 0; i < 1000000; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        area[(x >> 24) % sizeof area] += (char)x;
    }
    sink += x;
    return 0;
}

int main(void) {
    pthread_t th;
    pthread_create(&th, 0, work, (void *)9);
    for (long c = 0; c < 2; c++) {
        if (fork() == 0) {
            work((void *)c);
            _exit(0);
        }
    }
    work((void *)5);
    pthread_join(th, 0);
    while (wait(0) > 0) {}
    printf("done\n");
    return 0;
}
