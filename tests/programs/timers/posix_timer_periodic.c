/* POSIX interval timers. A periodic timer runs N times (counted by its
   handler) and is deleted; timer_gettime right after timer_settime shows the
   interval as set and 0 < left <= value; timer_settime returns the old
   setting; a zero value disarms and drops the interval. Overruns: with the
   signal blocked across several periods, one signal is queued -- even a
   real-time one is not queued twice (G3) -- and its si_overrun, like
   timer_getoverrun afterwards, counts the expiries it stands for beyond
   itself; timer_gettime while the signal waits moves the timer on without
   losing the count. A periodic timer whose signal is ignored waits until
   the signal gets a handler, which then runs at once with the missed
   periods as overrun. */
#include "timer_util.h"

int main(void) {
    sigset_t old;
    catch_signal(SIGUSR1);
    block(SIGUSR1, &old);

    /* counted N times, then deleted */
    struct sigevent sev = signal_event(SIGUSR1, 7);
    timer_t t;
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    struct itimerspec its = spec_ms(10, 10), cur, prev;
    timer_settime(t, 0, &its, NULL);
    int overruns = 0;
    for (int n = 1; n <= 5; n++) {
        wait_hits(n, &old);
        overruns += h_overrun;
    }
    printf("periodic 10 ms: %d signals, value %d, SI_TIMER %d, overruns %d\n", (int)hits, h_value,
           h_code == SI_TIMER, overruns);
    printf("timer_delete: %d\n", timer_delete(t));
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGUSR1)) {      /* a sixth expiry may have come before the delete */
        hits = 0;
        sigprocmask(SIG_SETMASK, &old, NULL);  /* ...and is dropped: the timer is gone */
        block(SIGUSR1, NULL);
        printf("  its late signal was dropped: %d\n", hits == 0);
    } else {
        printf("  its late signal was dropped: 1\n");
    }

    /* settings */
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    its = spec_ms(300, 100);
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("set 300 ms / 100 ms: interval %ld ns, 0 < left <= 300 ms %d\n", ts_ns(cur.it_interval),
           ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 300 * MS);
    its = spec_ms(200, 50);
    timer_settime(t, 0, &its, &prev);
    printf("set again: old interval %ld ns, old 0 < left <= 300 ms %d\n", ts_ns(prev.it_interval),
           ts_ns(prev.it_value) > 0 && ts_ns(prev.it_value) <= 300 * MS);
    its = spec_ms(0, 0);
    timer_settime(t, 0, &its, &prev);
    timer_gettime(t, &cur);
    printf("disarmed: old interval %ld ns, now all zero %d\n", ts_ns(prev.it_interval),
           !ts_ns(cur.it_value) && !ts_ns(cur.it_interval));
    its = spec_ms(0, 1000);
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("interval without a value: all zero %d\n", !ts_ns(cur.it_value) && !ts_ns(cur.it_interval));
    timer_delete(t);

    /* overruns while a real-time signal is blocked */
    int rt = SIGRTMIN + 1;
    catch_signal(rt);
    block(rt, NULL);
    sev = signal_event(rt, 99);
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    its = spec_ms(20, 20);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(110);                        /* expiries at 20, 40, 60, 80 and 100 ms */
    sigpending(&pending);
    printf("blocked 110 ms: pending %d, timer_getoverrun before delivery %d\n", sigismember(&pending, rt),
           timer_getoverrun(t));
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, rt);
    struct timespec zero = {0, 0};
    siginfo_t si;
    int s = sigtimedwait(&only, &si, &zero);
    printf("taken: %d, SI_TIMER %d, value %d, si_overrun %d, timer_getoverrun %d\n", s == rt,
           si.si_code == SI_TIMER, si.si_value.sival_int, si.si_overrun, timer_getoverrun(t));
    errno = 0;
    printf("queued once: second take %d EAGAIN %d\n", sigtimedwait(&only, &si, &zero), errno == EAGAIN);
    s = sigwaitinfo(&only, &si);
    printf("next period: %d, si_overrun %d, timer_getoverrun %d\n", s == rt, si.si_overrun,
           timer_getoverrun(t));

    /* timer_gettime while the signal waits */
    sleep_ms(50);                          /* expiries at 20 and 40 ms after the last delivery */
    timer_gettime(t, &cur);
    printf("waiting signal: 0 < left <= 20 ms %d\n", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20 * MS);
    s = sigwaitinfo(&only, &si);
    printf("taken: si_overrun %d, timer_getoverrun %d\n", si.si_overrun, timer_getoverrun(t));
    timer_delete(t);
    sigtimedwait(&only, &si, &zero);       /* one more expiry may be queued: drop it */

    /* ignored, then caught */
    signal(SIGUSR2, SIG_IGN);
    sev = signal_event(SIGUSR2, 5);
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    its = spec_ms(20, 20);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(110);
    sigpending(&pending);
    printf("ignored 110 ms: pending %d\n", sigismember(&pending, SIGUSR2));
    hits = 0;
    catch_signal(SIGUSR2);                 /* the handler runs as sigaction returns */
    printf("handler installed: %d run(s), value %d, si_overrun %d\n", (int)hits, h_value, h_overrun);
    block(SIGUSR2, &old);
    wait_hits(2, &old);
    printf("next period: si_overrun %d\n", h_overrun);
    timer_delete(t);
    return 0;
}
