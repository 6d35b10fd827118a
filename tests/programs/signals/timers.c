/* G3/G2/S2 timers: alarm and setitimer/getitimer ITIMER_REAL. alarm returns
   the seconds left of the previous timer (rounded to nearest) and alarm(0)
   cancels; getitimer shows the interval as set and a remaining value within
   the armed one; a periodic timer fires again and again (counted with
   sigsuspend); the timer's SIGALRM has si_code SI_KERNEL; a fork child starts
   with no timer, exec keeps it; SIGALRM's default action kills; bad "which"
   or tv_usec >= 1000000 is EINVAL. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int ticks, code;
static void on_alrm(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; ticks++; code = si->si_code; }

int main(int argc, char **argv) {
    if (argc > 1) {      /* after exec: the alarm set before exec is still running */
        for (;;) pause();
    }
    printf("alarm(5): %u\n", alarm(5));
    printf("alarm(3): %u\n", alarm(3));
    printf("alarm(0): %u\n", alarm(0));
    printf("alarm(0) again: %u\n", alarm(0));

    struct itimerval it = {{0, 250000}, {1, 700000}}, old, cur;
    printf("setitimer 1.7 s, interval 0.25 s: %d\n", setitimer(ITIMER_REAL, &it, &old));
    printf("  old value was zero %d\n", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval %ld.%06ld, 0 < value <= 1.7 s %d\n", (long)cur.it_interval.tv_sec,
           (long)cur.it_interval.tv_usec,
           (cur.it_value.tv_sec > 0 || cur.it_value.tv_usec > 0) &&
               (cur.it_value.tv_sec < 1 || (cur.it_value.tv_sec == 1 && cur.it_value.tv_usec <= 700000)));
    printf("alarm(0) on it: %u\n", alarm(0));
    getitimer(ITIMER_REAL, &cur);
    printf("after alarm(0): all zero %d\n", !cur.it_value.tv_sec && !cur.it_value.tv_usec &&
           !cur.it_interval.tv_sec && !cur.it_interval.tv_usec);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_alrm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    sigset_t b, none;
    sigemptyset(&b);
    sigemptyset(&none);
    sigaddset(&b, SIGALRM);
    sigprocmask(SIG_BLOCK, &b, NULL);
    struct itimerval per = {{0, 50000}, {0, 50000}};
    setitimer(ITIMER_REAL, &per, NULL);
    while (ticks < 3) sigsuspend(&none);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, &old);
    printf("periodic 50 ms timer: %d ticks, si_code SI_KERNEL %d, old interval %ld.%06ld\n", ticks, code == SI_KERNEL,
           (long)old.it_interval.tv_sec, (long)old.it_interval.tv_usec);
    sigpending(&b);
    if (sigismember(&b, SIGALRM)) {     /* a fourth tick may have come before the timer was stopped */
        int s;
        sigset_t w;
        sigemptyset(&w);
        sigaddset(&w, SIGALRM);
        sigwait(&w, &s);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);

    errno = 0;
    printf("setitimer(which=5): %d EINVAL=%d\n", setitimer(5, &it, NULL), errno == EINVAL);
    errno = 0;
    printf("getitimer(which=5): %d EINVAL=%d\n", getitimer(5, &cur), errno == EINVAL);
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    errno = 0;
    printf("tv_usec 1000000: %d EINVAL=%d\n", setitimer(ITIMER_REAL, &bad, NULL), errno == EINVAL);

    alarm(10);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned left = alarm(0);
        getitimer(ITIMER_REAL, &cur);
        printf("fork child: alarm(0) %u, timer zero %d\n", left, !cur.it_value.tv_sec && !cur.it_value.tv_usec);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("parent: alarm(0) %u\n", alarm(0));

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;) pause();
    }
    waitpid(pid, &st, 0);
    printf("child with alarm(1) and SIG_DFL: killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    pid = fork();
    if (pid == 0) {
        struct itimerval soon = {{0, 0}, {0, 300000}};
        signal(SIGALRM, SIG_DFL);
        setitimer(ITIMER_REAL, &soon, NULL);
        execl(argv[0], argv[0], "wait", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("child that armed 300 ms then exec'd: killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    return 0;
}
