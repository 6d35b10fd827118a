/* S2/G4 with poll and select: a signal ends the sleep. With a handler the
   call fails with EINTR, SA_RESTART or not (poll and select are never
   restarted after a handler), and select still writes back the time left.
   ppoll and pselect run with the mask they are given: a signal blocked
   outside but not in that mask wakes them (EINTR), its handler runs under
   that mask, and the caller's mask is back afterwards; a signal already
   pending and unblocked by the mask ends the call at once; a signal blocked
   by the mask does not end it (the call times out, the signal stays
   pending). A stop and continue with no handler restarts the call
   transparently: poll keeps its deadline through restart_syscall. Bad
   arguments: EINVAL for a negative timespec or a sigset size other than 8,
   EFAULT for an unreadable mask. */
#include "files_util.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

static volatile int handled, usr2_blocked_inside = -1;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    usr2_blocked_inside = sigismember(&m, SIGUSR2);
}

static void handle(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
    usr2_blocked_inside = -1;
}

/* A child that sleeps 100 ms and sends the parent `sig` (then, for
   SIGSTOP, SIGCONT 100 ms later). */
static pid_t signal_later(int sig)
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        kill(parent, sig);
        if (sig == SIGSTOP) {
            usleep(100000);
            kill(parent, SIGCONT);
        }
        _exit(0);
    }
    return pid;
}

static int blocked(int sig)
{
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, sig);
}

/* "N" for a success, "-1 ENAME" for a failure */
static const char *res(long r)
{
    static char s[32];
    if (r < 0)
        snprintf(s, sizeof s, "-1 %s", ename(errno));
    else
        snprintf(s, sizeof s, "%ld", r);
    return s;
}

int main(void)
{
    int fd[2];
    pipe(fd);
    struct pollfd p = {fd[0], POLLIN, 0};
    pid_t pid;
    long r;

    /* poll and select with a handler, with and without SA_RESTART */
    for (int flags = 0; flags <= SA_RESTART; flags += SA_RESTART) {
        const char *how = flags ? "SA_RESTART" : "no SA_RESTART";
        handle(flags);
        pid = signal_later(SIGUSR1);
        errno = 0;
        r = poll(&p, 1, 5000);
        printf("poll(5 s), handler with %s: %s, handler ran %d\n", how, res(r), handled);
        reap(pid);
        handle(flags);
        pid = signal_later(SIGUSR1);
        fd_set rd;
        FD_ZERO(&rd);
        FD_SET(fd[0], &rd);
        struct timeval tv = {5, 0};
        errno = 0;
        r = syscall(SYS_select, fd[0] + 1, &rd, NULL, NULL, &tv);
        printf("select(5 s), handler with %s: %s, handler ran %d, set %d, time left in (4.5 s, 5 s): %s\n", how,
               res(r), handled, FD_ISSET(fd[0], &rd),
               tv.tv_sec == 4 && tv.tv_usec > 500000 ? "yes" : "no");
        reap(pid);
    }

    /* ppoll and pselect with a mask that lets SIGUSR1 and SIGUSR2 in */
    handle(0);
    sigset_t usr, open_mask, old;
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    sigaddset(&usr, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr, &old);
    sigprocmask(SIG_BLOCK, NULL, &open_mask);
    sigdelset(&open_mask, SIGUSR1);
    sigdelset(&open_mask, SIGUSR2);
    pid = signal_later(SIGUSR1);
    errno = 0;
    r = ppoll(&p, 1, NULL, &open_mask);
    printf("ppoll, SIGUSR1 let in by its mask: %s, handler ran %d, SIGUSR2 blocked in the handler %d, "
           "blocked again after: %d %d\n", res(r), handled, usr2_blocked_inside, blocked(SIGUSR1), blocked(SIGUSR2));
    reap(pid);

    handle(0);
    pid = signal_later(SIGUSR1);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(fd[0], &rd);
    errno = 0;
    r = pselect(fd[0] + 1, &rd, NULL, NULL, NULL, &open_mask);
    printf("pselect, SIGUSR1 let in by its mask: %s, handler ran %d, blocked again after: %d\n", res(r), handled,
           blocked(SIGUSR1));
    reap(pid);

    /* already pending */
    handle(0);
    raise(SIGUSR1);
    struct timespec ts = {5, 0};
    errno = 0;
    r = ppoll(&p, 1, &ts, &open_mask);
    printf("ppoll, SIGUSR1 already pending: %s, handler ran %d\n", res(r), handled);
    handle(0);
    raise(SIGUSR1);
    FD_SET(fd[0], &rd);
    errno = 0;
    r = pselect(fd[0] + 1, &rd, NULL, NULL, &ts, &open_mask);
    printf("pselect, SIGUSR1 already pending: %s, handler ran %d\n", res(r), handled);

    /* blocked by the mask: the call times out, the signal waits */
    handle(0);
    raise(SIGUSR1);
    sigset_t all_usr = open_mask;
    sigaddset(&all_usr, SIGUSR1);
    ts.tv_sec = 0;
    ts.tv_nsec = 50000000;
    errno = 0;
    r = ppoll(&p, 1, &ts, &all_usr);
    sigset_t pend;
    sigpending(&pend);
    printf("ppoll, SIGUSR1 blocked by its mask: %s, handler ran %d, still pending %d\n", res(r), handled,
           sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler ran %d\n", handled);

    /* stop and continue, no handler: restarted, the deadline kept */
    pid = signal_later(SIGSTOP);
    r = poll(&p, 1, 400);
    printf("poll(400 ms) stopped and continued: %s\n", res(r));
    reap(pid);
    pid = signal_later(SIGSTOP);
    struct timeval tv = {0, 400000};
    FD_ZERO(&rd);
    FD_SET(fd[0], &rd);
    r = syscall(SYS_select, fd[0] + 1, &rd, NULL, NULL, &tv);
    printf("select(400 ms) stopped and continued: %s, time left %ld.%06ld\n", res(r), (long)tv.tv_sec,
           (long)tv.tv_usec);
    reap(pid);
    pid = signal_later(SIGSTOP);
    ts.tv_sec = 0;
    ts.tv_nsec = 400000000;
    r = syscall(SYS_ppoll, &p, 1, &ts, NULL, 8);
    printf("ppoll(400 ms) stopped and continued: %s, time left %ld.%09ld\n", res(r), (long)ts.tv_sec, ts.tv_nsec);
    reap(pid);

    /* arguments */
    sigprocmask(SIG_BLOCK, &usr, NULL);
    struct timespec neg = {-1, 0}, bad_ns = {0, 1000000000};
    SHOW("ppoll, tv_sec -1", syscall(SYS_ppoll, &p, 1, &neg, NULL, 8));
    SHOW("ppoll, tv_nsec 1e9", syscall(SYS_ppoll, &p, 1, &bad_ns, NULL, 8));
    SHOW("ppoll, sigsetsize 4", syscall(SYS_ppoll, &p, 1, NULL, &open_mask, 4));
    SHOW("ppoll, mask in unmapped memory", syscall(SYS_ppoll, &p, 1, NULL, (sigset_t *)16, 8));
    SHOW("ppoll, timespec in unmapped memory", syscall(SYS_ppoll, &p, 1, (struct timespec *)16, NULL, 8));
    long pack[2] = {(long)&open_mask, 4};
    SHOW("pselect6, sigsetsize 4", syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, pack));
    SHOW("pselect6, argpack in unmapped memory", syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, (void *)16));
    SHOW("pselect6, tv_nsec -1", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &(struct timespec){0, -1}, NULL));
    printf("mask unchanged by the failures: %d %d\n", blocked(SIGUSR1), blocked(SIGUSR2));
    return 0;
}
