/* S2/G4: interruptible sleeps ended by a handled signal (SIGALRM from a
   100 ms ITIMER_REAL, armed just before the sleep). pause and nanosleep return EINTR even with
   SA_RESTART; nanosleep stores the remaining time (0 < rem < requested).
   sigsuspend returns EINTR, runs the handler under the temporary mask and
   then restores the old mask. rt_sigtimedwait (raw: musl retries EINTR)
   times out with EAGAIN, returns a pending signal at once, and is ended by a
   handled signal outside its set with EINTR, SA_RESTART or not. wait4 is
   ended with EINTR, or restarted with SA_RESTART (the handler makes the child
   exit). sigpending shows blocked pending signals. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alarms, usr2_blocked_inside = -1;
static int kick = -1;

static void on_alrm(int sig) {
    (void)sig;
    alarms++;
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    usr2_blocked_inside = sigismember(&m, SIGUSR2);
    if (kick >= 0) write(kick, "k", 1);
}

static void handle(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
}

static void arm(void) {
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static const char *e(long r) { return r == 0 ? "0" : errno == EINTR ? "EINTR" : errno == EAGAIN ? "EAGAIN" : "other"; }

static long timedwait(const sigset_t *set, long ns) {
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    return syscall(SYS_rt_sigtimedwait, set, NULL, &ts, 8);
}

static void waitpid_case(int flags, const char *name) {
    int fd[2];
    pipe(fd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(fd[1]);
        read(fd[0], &c, 1);
        _exit(9);
    }
    close(fd[0]);
    kick = fd[1];
    handle(flags);
    arm();
    int st = 0;
    pid_t r = waitpid(pid, &st, 0);
    int err = errno;
    printf("waitpid, %s: %s, handler ran %d\n", name,
           r == pid ? "returned the child" : r < 0 && err == EINTR ? "-1 EINTR" : "other", alarms);
    if (r != pid) {
        r = waitpid(pid, &st, 0);
        printf("  waitpid again: returned the child %d\n", r == pid);
    }
    printf("  child exited %d\n", WEXITSTATUS(st));
    close(fd[1]);
    kick = -1;
}

int main(void) {
    handle(0);
    arm();
    long r = pause();
    printf("pause: %ld %s, handler ran %d\n", r, e(r), alarms);
    handle(SA_RESTART);
    arm();
    r = pause();
    printf("pause with SA_RESTART: %ld %s, handler ran %d\n", r, e(r), alarms);

    struct timespec req = {2, 0}, rem = {0, 0};
    handle(0);
    arm();
    r = nanosleep(&req, &rem);
    printf("nanosleep 2 s: %s, handler ran %d, 0 < rem < 2 s: %d\n", e(r), alarms,
           (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 2);
    handle(SA_RESTART);
    arm();
    rem.tv_sec = rem.tv_nsec = 0;
    r = nanosleep(&req, &rem);
    printf("nanosleep with SA_RESTART: %s, handler ran %d, 0 < rem < 2 s: %d\n", e(r), alarms,
           (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 2);
    handle(0);
    arm();
    rem.tv_sec = rem.tv_nsec = 0;
    int cr = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
    printf("clock_nanosleep: returns EINTR %d, handler ran %d, 0 < rem < 2 s: %d\n", cr == EINTR, alarms,
           (rem.tv_sec > 0 || rem.tv_nsec > 0) && rem.tv_sec < 2);

    sigset_t alrm, old, during;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, &old);
    handle(0);
    arm();
    sigemptyset(&during);
    sigaddset(&during, SIGUSR2);
    r = sigsuspend(&during);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("sigsuspend: %ld %s, handler ran %d, USR2 blocked in the handler %d; after: ALRM blocked %d, USR2 blocked %d\n",
           r, e(r), alarms, usr2_blocked_inside, sigismember(&now, SIGALRM), sigismember(&now, SIGUSR2));

    r = timedwait(&alrm, 20000000);
    printf("sigtimedwait 20 ms, nothing pending: %ld %s\n", r, e(r));
    alarms = 0;
    kill(getpid(), SIGALRM);   /* blocked: stays pending */
    sigset_t p;
    sigpending(&p);
    printf("sigpending: ALRM %d, USR1 %d\n", sigismember(&p, SIGALRM), sigismember(&p, SIGUSR1));
    r = timedwait(&alrm, 5000000000L);
    printf("sigtimedwait with ALRM pending: %ld, handler ran %d\n", r, alarms);
    sigprocmask(SIG_UNBLOCK, &alrm, NULL);

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    handle(0);
    arm();
    r = timedwait(&usr1, 5000000000L);
    printf("sigtimedwait for USR1 hit by a handled ALRM: %ld %s, handler ran %d\n", r, e(r), alarms);
    handle(SA_RESTART);
    arm();
    r = timedwait(&usr1, 5000000000L);
    printf("same with SA_RESTART: %ld %s, handler ran %d\n", r, e(r), alarms);

    waitpid_case(0, "no SA_RESTART");
    waitpid_case(SA_RESTART, "SA_RESTART");
    return 0;
}
