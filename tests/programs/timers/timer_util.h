/* Helpers of the POSIX timer programs: sleeping, the timers' kernel ids,
   raw system calls (to reach the kernel's own checks past libc), and one
   SA_SIGINFO handler that records what it was given. */
#ifndef TIMER_UTIL_H
#define TIMER_UTIL_H
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#define MS 1000000L

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * MS}, rem;
    while (nanosleep(&ts, &rem) < 0 && errno == EINTR) ts = rem;
}

/* The kernel's timer id behind a libc timer_t (SIGEV_SIGNAL/NONE/THREAD_ID). */
static int kid(timer_t t) { return (int)(intptr_t)t; }
static timer_t tid_of(int id) { return (timer_t)(intptr_t)id; }

/* timer_create(2) itself: the new id, or -errno. */
static int raw_create(clockid_t clk, void *sev, void *idp) {
    long r = syscall(SYS_timer_create, clk, sev, idp);
    return r < 0 ? -errno : *(int *)idp;
}

static long ret_errno(long r) { return r < 0 ? -errno : r; }

static struct sigevent signal_event(int signo, int value) {
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_SIGNAL;
    sev.sigev_signo = signo;
    sev.sigev_value.sival_int = value;
    return sev;
}

static struct itimerspec spec_ms(long value_ms, long interval_ms) {
    struct itimerspec its;
    its.it_value.tv_sec = value_ms / 1000;
    its.it_value.tv_nsec = (value_ms % 1000) * MS;
    its.it_interval.tv_sec = interval_ms / 1000;
    its.it_interval.tv_nsec = (interval_ms % 1000) * MS;
    return its;
}

static long ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000L + ts.tv_nsec; }

/* What the handler saw last, and how often it ran. */
static volatile sig_atomic_t hits;
static volatile int h_sig, h_code, h_value, h_timerid, h_overrun;

static void on_timer(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    hits++;
    h_sig = sig;
    h_code = si->si_code;
    h_value = si->si_value.sival_int;
    h_timerid = si->si_timerid;
    h_overrun = si->si_overrun;
}

static void catch_signal(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_timer;
    sa.sa_flags = SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

static void block(int sig, sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_BLOCK, &set, old);
}

/* Wait (with `sig` blocked outside the wait) until the handler has run `n` times. */
static void wait_hits(int n, const sigset_t *during) {
    while (hits < n) sigsuspend(during);
}

#endif
