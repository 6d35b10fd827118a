/* POSIX timers, the basics (G3: the timer's signal is queued with its
   siginfo). A one-shot SIGEV_SIGNAL timer reaches an SA_SIGINFO handler with
   si_code SI_TIMER, its si_value and si_timerid, si_overrun 0, and then
   timer_gettime reads zero. Without a sigevent the signal is SIGALRM and the
   value is the timer id. Ids are small integers from 0, taken in order; a
   deleted id is not handed out again at once; a timer_create that fails
   after taking an id (bad result pointer, bad sigevent) uses it up, one that
   fails before (bad clock, unreadable sigevent) does not. Errors: EINVAL for
   an unknown clock, a bad sigevent, a bad timespec, a NULL new value, an
   unknown or deleted id; EOPNOTSUPP for clocks without timers; EFAULT for bad
   pointers -- and timer_settime with a bad old-value pointer still sets the
   timer. */
#include "timer_util.h"

static void show(const char *what, long r) {
    if (r >= 0) printf("%s: %ld\n", what, r);
    else printf("%s: -%s\n", what, r == -EINVAL ? "EINVAL" : r == -EFAULT ? "EFAULT"
                : r == -EOPNOTSUPP ? "EOPNOTSUPP" : "other");
}

int main(void) {
    sigset_t old;
    catch_signal(SIGUSR1);
    catch_signal(SIGALRM);
    block(SIGUSR1, &old);
    block(SIGALRM, NULL);

    /* one-shot with a sigevent */
    struct sigevent sev = signal_event(SIGUSR1, 42);
    timer_t t0;
    printf("timer_create: %d, id %d\n", timer_create(CLOCK_MONOTONIC, &sev, &t0), kid(t0));
    struct itimerspec its = spec_ms(50, 0), cur;
    printf("timer_settime 50 ms: %d\n", timer_settime(t0, 0, &its, NULL));
    timer_gettime(t0, &cur);
    printf("armed: 0 < left <= 50 ms %d, interval 0 %d\n",
           ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 50 * MS, ts_ns(cur.it_interval) == 0);
    wait_hits(1, &old);
    printf("fired: %d time(s), signal USR1 %d, SI_TIMER %d, value %d, timerid is the id %d, overrun %d\n",
           (int)hits, h_sig == SIGUSR1, h_code == SI_TIMER, h_value, h_timerid == kid(t0), h_overrun);
    timer_gettime(t0, &cur);
    printf("after: all zero %d\n", !ts_ns(cur.it_value) && !ts_ns(cur.it_interval));
    printf("overrun: %d\n", timer_getoverrun(t0));

    /* the default sigevent */
    timer_t t1;
    timer_create(CLOCK_REALTIME, NULL, &t1);
    its = spec_ms(20, 0);
    timer_settime(t1, 0, &its, NULL);
    wait_hits(2, &old);
    printf("no sigevent: id %d, SIGALRM %d, SI_TIMER %d, value is the id %d, timerid is the id %d\n",
           kid(t1), h_sig == SIGALRM, h_code == SI_TIMER, h_value == kid(t1), h_timerid == kid(t1));

    /* ids */
    timer_t t2, t3, t4;
    timer_create(CLOCK_MONOTONIC, NULL, &t2);
    timer_create(CLOCK_MONOTONIC, NULL, &t3);
    printf("next ids: %d %d\n", kid(t2), kid(t3));
    printf("timer_delete(%d): %d\n", kid(t2), timer_delete(t2));
    timer_create(CLOCK_BOOTTIME, NULL, &t4);
    printf("after the delete: %d\n", kid(t4));
    int id;
    show("bad result pointer", raw_create(CLOCK_MONOTONIC, NULL, (void *)8));
    show("bad sigevent pointer", raw_create(CLOCK_MONOTONIC, (void *)8, &id));
    show("bad clock 42", raw_create(42, NULL, &id));
    show("bad clock 10", raw_create(10, NULL, &id));
    show("bad clock -1", raw_create(-1, NULL, &id));
    show("CLOCK_MONOTONIC_RAW", raw_create(CLOCK_MONOTONIC_RAW, NULL, &id));
    show("CLOCK_REALTIME_COARSE", raw_create(CLOCK_REALTIME_COARSE, NULL, &id));
    show("next", raw_create(CLOCK_MONOTONIC, NULL, &id));

    /* sigevents */
    struct sigevent bad = signal_event(0, 0);
    show("signo 0", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad = signal_event(65, 0);
    show("signo 65", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad = signal_event(SIGRTMAX, 0);
    show("signo SIGRTMAX", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad.sigev_notify = 3;
    show("notify 3", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad.sigev_notify = SIGEV_NONE;
    bad.sigev_signo = 0;
    show("SIGEV_NONE, signo 0", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad = signal_event(SIGUSR1, 0);
    bad.sigev_notify = SIGEV_THREAD_ID;
    bad.sigev_notify_thread_id = getppid();
    show("SIGEV_THREAD_ID, another process", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad.sigev_notify_thread_id = 0;
    show("SIGEV_THREAD_ID, tid 0", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
    show("SIGEV_THREAD_ID, this thread", raw_create(CLOCK_MONOTONIC, &bad, &id));
    bad.sigev_notify = SIGEV_THREAD;
    show("SIGEV_THREAD (the kernel's view)", raw_create(CLOCK_MONOTONIC, &bad, &id));

    /* timer_settime's checks */
    timer_t t;
    timer_create(CLOCK_MONOTONIC, &sev, &t);
    struct itimerspec badspec = spec_ms(10, 0);
    badspec.it_value.tv_nsec = 1000000000;
    show("value nsec 1e9", ret_errno(timer_settime(t, 0, &badspec, NULL)));
    badspec = spec_ms(10, 0);
    badspec.it_value.tv_nsec = -1;
    show("value nsec -1", ret_errno(timer_settime(t, 0, &badspec, NULL)));
    badspec = spec_ms(10, 0);
    badspec.it_value.tv_sec = -1;
    show("value sec -1", ret_errno(timer_settime(t, 0, &badspec, NULL)));
    badspec = spec_ms(10, 0);
    badspec.it_interval.tv_nsec = 1000000000;
    show("interval nsec 1e9", ret_errno(timer_settime(t, 0, &badspec, NULL)));
    show("NULL new value", ret_errno(syscall(SYS_timer_settime, kid(t), 0, NULL, NULL)));
    show("bad new pointer", ret_errno(syscall(SYS_timer_settime, kid(t), 0, (void *)8, NULL)));
    its = spec_ms(10000, 0);
    show("bad old pointer", ret_errno(syscall(SYS_timer_settime, kid(t), 0, &its, (void *)8)));
    timer_gettime(t, &cur);
    printf("  and yet it is armed: %d\n", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 10000 * MS);
    show("gettime, bad pointer", ret_errno(syscall(SYS_timer_gettime, kid(t), (void *)8)));
    show("gettime, NULL", ret_errno(syscall(SYS_timer_gettime, kid(t), NULL)));

    /* unknown and deleted ids */
    show("settime id 12345", ret_errno(timer_settime(tid_of(12345), 0, &its, NULL)));
    show("gettime id -1", ret_errno(syscall(SYS_timer_gettime, -1, &cur)));
    show("getoverrun id 12345", ret_errno(timer_getoverrun(tid_of(12345))));
    show("delete id 12345", ret_errno(timer_delete(tid_of(12345))));
    show("delete", ret_errno(timer_delete(t)));
    show("settime after delete", ret_errno(timer_settime(t, 0, &its, NULL)));
    show("gettime after delete", ret_errno(timer_gettime(t, &cur)));
    show("getoverrun after delete", ret_errno(timer_getoverrun(t)));
    show("delete again", ret_errno(timer_delete(t)));
    printf("handler runs: %d\n", (int)hits);
    return 0;
}
