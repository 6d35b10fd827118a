/* One thread sends itself signals as fast as it can while another sleeps
   10 ms: the sleeper's usleep must still end after about 10 ms (no tick is
   lost because a signal was delivered). Prints the sleep in microseconds. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile int done;
static volatile long caught;
static long slept_us;

static void on_usr1(int sig) { (void)sig; caught++; }

static long now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void *sleeper(void *arg) {
    (void)arg;
    long start = now_us();
    usleep(10000);
    slept_us = now_us() - start;
    done = 1;
    return NULL;
}

int main(void) {
    signal(SIGUSR1, on_usr1);
    pthread_t t;
    pthread_create(&t, NULL, sleeper, NULL);
    while (!done)
        pthread_kill(pthread_self(), SIGUSR1);
    pthread_join(t, NULL);
    printf("slept_us %ld caught_many %d\n", slept_us, caught > 100);
    return 0;
}
