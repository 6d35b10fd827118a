/* The pthread attributes that reach the scheduler: explicit scheduling
   (PTHREAD_EXPLICIT_SCHED with SCHED_FIFO 10), inherited scheduling,
   pthread_setschedparam and pthread_setschedprio (as root). */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

static void *report(void *name) {
    int policy;
    struct sched_param p;
    pthread_getschedparam(pthread_self(), &policy, &p);
    printf("%s: policy %d priority %d (kernel says %d)\n", (char *)name, policy, p.sched_priority,
           sched_getscheduler(0));
    return NULL;
}

static void run(const char *name, pthread_attr_t *attr) {
    pthread_t t;
    int err = pthread_create(&t, attr, report, (void *)name);
    if (err) {
        printf("%s: pthread_create: %s\n", name, strerror(err));
        return;
    }
    pthread_join(t, NULL);
}

int main(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    run("default", &attr);
    struct sched_param p = {.sched_priority = 10};
    pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
    pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
    pthread_attr_setschedparam(&attr, &p);
    run("explicit FIFO 10", &attr);
    p.sched_priority = 100;
    printf("setschedparam(RR 100): %s\n", strerror(pthread_setschedparam(pthread_self(), SCHED_RR, &p)));
    p.sched_priority = 7;
    printf("setschedparam(RR 7): %s\n", strerror(pthread_setschedparam(pthread_self(), SCHED_RR, &p)));
    pthread_attr_t inherit;
    pthread_attr_init(&inherit);
    pthread_attr_setinheritsched(&inherit, PTHREAD_INHERIT_SCHED);
    run("inherited", &inherit);
    printf("setschedprio(9): %s\n", strerror(pthread_setschedprio(pthread_self(), 9)));
    report("main");
    p.sched_priority = 0;
    printf("setschedparam(OTHER 0): %s\n", strerror(pthread_setschedparam(pthread_self(), SCHED_OTHER, &p)));
    report("main");
    return 0;
}
