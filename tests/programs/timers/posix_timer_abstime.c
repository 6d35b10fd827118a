/* TIMER_ABSTIME: the value is a time on the timer's own clock. Against
   CLOCK_MONOTONIC and CLOCK_REALTIME the signal comes no earlier than that
   time; a time already past fires at once; an absolute first expiry with an
   interval goes on periodically; relative and absolute settings both report
   the time left. */
#include "timer_util.h"

static long now_ns(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts_ns(ts);
}

static struct itimerspec at_ns(long abs_ns, long interval_ms) {
    struct itimerspec its = spec_ms(0, interval_ms);
    its.it_value.tv_sec = abs_ns / 1000000000L;
    its.it_value.tv_nsec = abs_ns % 1000000000L;
    return its;
}

int main(void) {
    sigset_t old;
    catch_signal(SIGUSR1);
    block(SIGUSR1, &old);
    struct sigevent sev = signal_event(SIGUSR1, 1);
    clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME};
    const char *names[] = {"CLOCK_MONOTONIC", "CLOCK_REALTIME", "CLOCK_BOOTTIME"};
    for (int i = 0; i < 3; i++) {
        timer_t t;
        timer_create(clocks[i], &sev, &t);
        long when = now_ns(clocks[i]) + 50 * MS;
        struct itimerspec its = at_ns(when, 0), cur;
        printf("%s, 50 ms ahead: settime %d", names[i], timer_settime(t, TIMER_ABSTIME, &its, NULL));
        timer_gettime(t, &cur);
        printf(", 0 < left <= 50 ms %d", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 50 * MS);
        int before = hits;
        wait_hits(before + 1, &old);
        printf(", fired once %d, not early %d\n", hits == before + 1, now_ns(clocks[i]) >= when);
        timer_delete(t);
    }

    timer_t t;
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    long start = now_ns(CLOCK_MONOTONIC);
    struct itimerspec its = at_ns(start > 1000000000L ? start - 1000000000L : 1, 0);
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGUSR1);
    siginfo_t si;
    struct timespec wait = {2, 0};
    int s = sigtimedwait(&only, &si, &wait);
    printf("a time already past: fired %d, at once %d\n", s == SIGUSR1, now_ns(CLOCK_MONOTONIC) - start < 500 * MS);

    long first = now_ns(CLOCK_MONOTONIC) + 20 * MS;
    its = at_ns(first, 20);
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    for (int n = 0; n < 3; n++) {
        s = sigwaitinfo(&only, &si);
    }
    printf("absolute start, 20 ms interval: 3 signals, the third no earlier than start + 40 ms %d\n",
           now_ns(CLOCK_MONOTONIC) >= first + 40 * MS);
    struct itimerspec cur;
    timer_gettime(t, &cur);
    printf("interval %ld, 0 < left <= 20 ms %d\n", ts_ns(cur.it_interval),
           ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20 * MS);
    its = at_ns(0, 20);
    timer_settime(t, TIMER_ABSTIME, &its, NULL);
    timer_gettime(t, &cur);
    printf("absolute 0 disarms: all zero %d\n", !ts_ns(cur.it_value) && !ts_ns(cur.it_interval));
    timer_delete(t);
    return 0;
}
