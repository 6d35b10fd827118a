/* Timers on CPU-time clocks. A CLOCK_PROCESS_CPUTIME_ID timer does not move
   while the process sleeps and fires once it has computed long enough (its
   signal: SI_TIMER and the value); so do CLOCK_THREAD_CPUTIME_ID timers, a
   periodic one, timers on the clocks clock_getcpuclockid and
   pthread_getcpuclockid return (another thread's clock, user time only),
   and a time already past fires within timer_settime. Another process's
   thread clock is EINVAL; an id naming a clock device is EOPNOTSUPP. */
#include "timer_util.h"
#include <pthread.h>

#define CPUCLOCK(pid, which) ((clockid_t)((~(unsigned)(pid) << 3) | (which)))

static volatile unsigned long sink;

static void spin_until_hits(int n) {
    while (hits < n) sink++;
}

static long cpu_ns(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts_ns(ts);
}

static void *spinner(void *arg) {
    (void)arg;
    spin_until_hits(8);
    return NULL;
}

int main(void) {
    catch_signal(SIGUSR1);
    struct sigevent sev = signal_event(SIGUSR1, 8);
    timer_t t;
    printf("process CPU timer: create %d\n", timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &t));
    long start = cpu_ns(CLOCK_PROCESS_CPUTIME_ID);
    struct itimerspec its = spec_ms(20, 0), cur;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("0 < left <= 20 ms %d\n", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20 * MS);
    sleep_ms(100);
    printf("after sleeping 100 ms: fired %d\n", (int)hits);
    spin_until_hits(1);
    printf("after computing: fired %d, SI_TIMER %d, value %d, CPU time >= 20 ms %d\n", (int)hits,
           h_code == SI_TIMER, h_value, cpu_ns(CLOCK_PROCESS_CPUTIME_ID) - start >= 20 * MS);
    timer_gettime(t, &cur);
    printf("then: all zero %d\n", !ts_ns(cur.it_value) && !ts_ns(cur.it_interval));
    timer_delete(t);

    timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &t);
    its = spec_ms(10, 0);
    timer_settime(t, 0, &its, NULL);
    spin_until_hits(2);
    printf("thread CPU timer: fired %d\n", hits == 2);
    timer_delete(t);

    timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &t);
    its = spec_ms(5, 5);
    timer_settime(t, 0, &its, NULL);
    spin_until_hits(5);
    timer_gettime(t, &cur);
    printf("periodic 5 ms of CPU: 3 more signals %d, interval %ld\n", hits == 5, ts_ns(cur.it_interval));
    timer_delete(t);

    clockid_t mine;
    clock_getcpuclockid(0, &mine);
    printf("clock_getcpuclockid(0): clock_gettime %d\n", clock_gettime(mine, &cur.it_value));
    timer_create(mine, &sev, &t);
    its = spec_ms(5, 0);
    timer_settime(t, 0, &its, NULL);
    spin_until_hits(6);
    printf("  its timer fired %d\n", hits == 6);
    timer_delete(t);

    timer_create(CPUCLOCK(0, 1), &sev, &t);   /* CPUCLOCK_VIRT: user time */
    timer_settime(t, 0, &its, NULL);
    spin_until_hits(7);
    printf("user-time clock: fired %d\n", hits == 7);
    timer_delete(t);

    pthread_t th;
    pthread_create(&th, NULL, spinner, NULL);
    clockid_t theirs;
    pthread_getcpuclockid(th, &theirs);
    printf("pthread_getcpuclockid: clock_gettime %d\n", clock_gettime(theirs, &cur.it_value));
    printf("  timer on it: create %d", timer_create(theirs, &sev, &t));
    its = spec_ms(10, 0);
    timer_settime(t, 0, &its, NULL);
    pthread_join(th, NULL);                   /* it spins until the signal */
    printf(", fired %d\n", hits == 8);
    timer_delete(t);

    int id;
    printf("parent's process clock: %d\n", raw_create(CPUCLOCK(getppid(), 2), NULL, &id) >= 0);
    timer_delete(tid_of(id));
    int r = raw_create(CPUCLOCK(getppid(), 2 | 4), NULL, &id);
    printf("parent's thread clock: %s\n", r == -EINVAL ? "EINVAL" : "other");
    r = raw_create(CPUCLOCK(0, 3), NULL, &id);
    printf("clock device id: %s\n", r == -EOPNOTSUPP ? "EOPNOTSUPP" : "other");

    sigset_t old, pending;
    block(SIGUSR2, &old);
    sev = signal_event(SIGUSR2, 0);
    timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &t);
    its = spec_ms(0, 0);
    its.it_value.tv_nsec = 1;                 /* 1 ns of CPU time: long past */
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    sigpending(&pending);
    printf("a CPU time already past: pending right after timer_settime %d\n", sigismember(&pending, SIGUSR2));
    return 0;
}
