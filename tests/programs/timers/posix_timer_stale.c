/* A queued timer signal belongs to the timer's current setting. Deleted or
   set again while its signal waits (blocked), the timer's old signal still
   shows in sigpending but is dropped when it would be delivered; a timer
   set again and expired again before that delivers one signal (G3: its
   preallocated siginfo is queued once). Setting SIG_IGN drops a queued
   one-shot timer signal for good. */
#include "timer_util.h"

static void unblock_and_back(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    sigprocmask(SIG_BLOCK, &set, NULL);
}

static int pending(int sig) {
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, sig);
}

int main(void) {
    catch_signal(SIGUSR1);
    block(SIGUSR1, NULL);
    struct sigevent sev = signal_event(SIGUSR1, 1);
    struct itimerspec its = spec_ms(10, 0);
    timer_t t;

    timer_create(CLOCK_MONOTONIC, &sev, &t);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(30);
    printf("expired while blocked: pending %d\n", pending(SIGUSR1));
    timer_delete(t);
    printf("deleted: still pending %d\n", pending(SIGUSR1));
    unblock_and_back(SIGUSR1);
    printf("unblocked: handler ran %d, pending %d\n", (int)hits, pending(SIGUSR1));

    timer_create(CLOCK_MONOTONIC, &sev, &t);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(30);
    struct itimerspec later = spec_ms(10000, 0);
    timer_settime(t, 0, &later, NULL);
    printf("set again while pending: pending %d\n", pending(SIGUSR1));
    unblock_and_back(SIGUSR1);
    printf("unblocked: handler ran %d, pending %d\n", (int)hits, pending(SIGUSR1));

    timer_settime(t, 0, &its, NULL);
    sleep_ms(30);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(30);
    printf("set again and expired again: pending %d\n", pending(SIGUSR1));
    unblock_and_back(SIGUSR1);
    printf("unblocked: handler ran %d (value %d, overrun %d), pending %d\n", (int)hits, h_value, h_overrun,
           pending(SIGUSR1));

    timer_settime(t, 0, &its, NULL);
    sleep_ms(30);
    signal(SIGUSR1, SIG_IGN);
    printf("SIG_IGN: pending %d\n", pending(SIGUSR1));
    catch_signal(SIGUSR1);
    unblock_and_back(SIGUSR1);
    printf("handler back, unblocked: handler ran %d\n", (int)hits);
    timer_delete(t);
    return 0;
}
