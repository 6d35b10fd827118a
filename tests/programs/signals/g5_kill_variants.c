/* G5 (and G1 SA_SIGINFO): the ways to send a signal and what the receiver's
   siginfo says: kill -> SI_USER, raise/tkill/tgkill -> SI_TKILL, sigqueue ->
   SI_QUEUE with its value; si_pid is the sender (self, or a child), si_uid
   the sender's uid. Signal 0 only checks. Errors: EINVAL for bad numbers or
   tids, ESRCH for a reaped pid or a tid outside the given tgid; a zombie can
   still be signalled (no effect). rt_sigqueueinfo may not forge a
   non-negative si_code or SI_TKILL towards another process (EPERM), but may
   towards itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile int g_code, g_pid, g_uid, g_val, g_runs;
static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    g_code = si->si_code;
    g_pid = si->si_pid;
    g_uid = si->si_uid;
    g_val = si->si_value.sival_int;
    g_runs++;
}

static const char *code(int c) {
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    default: return "other";
    }
}

static const char *err(long r) {
    if (r == 0) return "0";
    switch (errno) {
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    case EPERM: return "EPERM";
    default: return "other error";
    }
}

static void show(const char *how, pid_t expect_pid) {
    printf("%-8s handler runs %d, si_code %s, si_pid is %s, si_uid is mine %d\n", how, g_runs, code(g_code),
           g_pid == expect_pid ? "expected" : "wrong", g_uid == (int)getuid());
    g_runs = 0;
}

int main(void) {
    pid_t me = getpid(), tid = syscall(SYS_gettid);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);

    kill(me, SIGUSR1);
    show("kill", me);
    raise(SIGUSR1);
    show("raise", me);
    syscall(SYS_tkill, tid, SIGUSR1);
    show("tkill", me);
    syscall(SYS_tgkill, me, tid, SIGUSR1);
    show("tgkill", me);
    union sigval v = { .sival_int = 42 };
    sigqueue(me, SIGUSR1, v);
    printf("(sigqueue value %d) ", g_val);
    show("sigqueue", me);

    /* a child signals its parent */
    sigset_t b, old;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigprocmask(SIG_BLOCK, &b, &old);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigsuspend(&old);
    show("child's", pid);
    sigprocmask(SIG_SETMASK, &old, NULL);
    int st;
    waitpid(pid, &st, 0);

    printf("kill(me, 0): %s\n", err(kill(me, 0)));
    printf("kill(me, 65): %s\n", err(kill(me, 65)));
    printf("kill(me, -1): %s\n", err(kill(me, -1)));
    printf("kill(reaped child, 0): %s\n", err(kill(pid, 0)));
    printf("kill(reaped child, SIGTERM): %s\n", err(kill(pid, SIGTERM)));
    printf("tkill(0, USR1): %s\n", err(syscall(SYS_tkill, 0, SIGUSR1)));
    printf("tgkill(me, -5, USR1): %s\n", err(syscall(SYS_tgkill, me, -5, SIGUSR1)));
    printf("tgkill(me, tid, 99): %s\n", err(syscall(SYS_tgkill, me, tid, 99)));
    printf("tgkill(me, tid, 0): %s\n", err(syscall(SYS_tgkill, me, tid, 0)));

    /* a zombie */
    pid = fork();
    if (pid == 0) _exit(5);
    siginfo_t wi;
    waitid(P_PID, pid, &wi, WEXITED | WNOWAIT);
    printf("zombie: kill(z, 0): %s, kill(z, SIGKILL): %s\n", err(kill(pid, 0)), err(kill(pid, SIGKILL)));
    printf("tgkill(zombie as tgid, my tid, 0): %s\n", err(syscall(SYS_tgkill, pid, tid, 0)));
    waitpid(pid, &st, 0);
    printf("zombie reaped: exited %d with %d\n", WIFEXITED(st), WEXITSTATUS(st));

    /* forged si_code */
    int fd[2];
    pipe(fd);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char c;
        close(fd[1]);
        read(fd[0], &c, 1);
        _exit(0);
    }
    close(fd[0]);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    si.si_pid = 12345;
    si.si_uid = 0;
    printf("rt_sigqueueinfo(child, SI_USER): %s\n", err(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si)));
    si.si_code = SI_TKILL;
    printf("rt_sigqueueinfo(child, SI_TKILL): %s\n", err(syscall(SYS_rt_sigqueueinfo, pid, SIGUSR1, &si)));
    si.si_code = SI_USER;
    printf("rt_sigqueueinfo(me, SI_USER, si_pid 12345): %s\n", err(syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si)));
    printf("  handler runs %d, si_code %s, si_pid is 12345: %d\n", g_runs, code(g_code), g_pid == 12345);
    close(fd[1]);
    waitpid(pid, &st, 0);
    printf("child unharmed: exited %d with %d\n", WIFEXITED(st), WEXITSTATUS(st));
    return 0;
}
