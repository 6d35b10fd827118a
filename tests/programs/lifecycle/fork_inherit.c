/* F5: what a fork child inherits: the signal mask, the dispositions (handler
   and SIG_IGN), pgid, sid, cwd, umask, the fd table as a copy (closing or
   setting FD_CLOEXEC in the child leaves the parent's alone) whose entries
   share the open file (O_NONBLOCK set by the child shows in the parent),
   rlimits and nice. What starts empty: pending signals, the alarm timer and
   the accounting of reaped children (F2 "clear statistics"). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_usr1(int s) { (void)s; }

int main(void)
{
    int st;
    /* accounting: reap a child that faulted in some pages */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char *m = mmap(0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < 64; i++) m[i * 4096] = 1;
        _exit(0);
    }
    waitpid(pid, &st, 0);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    long parent_cminflt = ru.ru_minflt;

    /* the state to inherit */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, 0);
    raise(SIGUSR2);                                /* pending in the parent only */
    signal(SIGUSR1, on_usr1);
    signal(SIGHUP, SIG_IGN);
    char start[512];
    getcwd(start, sizeof start);
    chdir("/usr");
    umask(027);
    struct rlimit rl = {1234, 5678};
    setrlimit(RLIMIT_CORE, &rl);
    setpriority(PRIO_PROCESS, 0, 5);
    alarm(1000);
    int p[2], q[2];
    pipe(p);
    pipe(q);
    pid_t my_pgid = getpgrp(), my_sid = getsid(0);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        sigset_t mask, pend;
        sigprocmask(SIG_BLOCK, 0, &mask);
        sigpending(&pend);
        printf("child: SIGUSR2 still blocked %d, nothing pending %d\n",
               sigismember(&mask, SIGUSR2), !sigismember(&pend, SIGUSR2));
        struct sigaction sa;
        sigaction(SIGUSR1, 0, &sa);
        int handler = sa.sa_handler == on_usr1;
        sigaction(SIGHUP, 0, &sa);
        printf("child: SIGUSR1 handler kept %d, SIGHUP ignored %d\n", handler, sa.sa_handler == SIG_IGN);
        printf("child: same pgid %d, same sid %d\n", getpgrp() == my_pgid, getsid(0) == my_sid);
        char cwd[512];
        getcwd(cwd, sizeof cwd);
        printf("child: cwd %s, umask %03o\n", cwd, umask(0));
        struct rlimit c;
        getrlimit(RLIMIT_CORE, &c);
        printf("child: RLIMIT_CORE %ld/%ld\n", (long)c.rlim_cur, (long)c.rlim_max);
        printf("child: nice %d\n", getpriority(PRIO_PROCESS, 0));
        printf("child: no alarm pending %d\n", alarm(0) == 0);
        struct rusage cru;
        getrusage(RUSAGE_CHILDREN, &cru);
        printf("child: reaped-children accounting empty %d (parent's is not %d)\n",
               cru.ru_minflt == 0 && cru.ru_utime.tv_sec == 0 && cru.ru_utime.tv_usec == 0,
               parent_cminflt >= 64);
        close(p[0]);                                  /* the parent keeps its copy */
        fcntl(q[0], F_SETFD, FD_CLOEXEC);             /* fd flag: per table */
        fcntl(q[1], F_SETFL, O_NONBLOCK);             /* file flag: shared */
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    printf("parent: fd still open after child's close %d\n", fcntl(p[0], F_GETFD) != -1);
    printf("parent: FD_CLOEXEC from child not seen %d\n", fcntl(q[0], F_GETFD) == 0);
    printf("parent: O_NONBLOCK from child seen %d\n", (fcntl(q[1], F_GETFL) & O_NONBLOCK) != 0);
    sigset_t pend;
    sigpending(&pend);
    printf("parent: SIGUSR2 still pending %d, alarm still set %d\n", sigismember(&pend, SIGUSR2), alarm(0) > 0);
    chdir(start);
    return 0;
}
