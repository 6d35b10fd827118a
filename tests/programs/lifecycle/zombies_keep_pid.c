/* X9/X8/P2: zombies pile up until reaped and keep their pids: five children
   that exit at once stay findable (kill 0, getpgid, waitid WNOWAIT) and no
   new fork reuses any of their numbers while they are unreaped; reaping
   releases each pid (ESRCH afterwards). Reaping in reverse order works. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 5
int main(void)
{
    pid_t z[N];
    int ok_wnowait = 1, ok_kill = 1, ok_pgid = 1;
    for (int i = 0; i < N; i++) {
        z[i] = fork();
        if (z[i] == 0) _exit(40 + i);
    }
    for (int i = 0; i < N; i++) {
        siginfo_t si;
        si.si_pid = 0;
        waitid(P_PID, z[i], &si, WEXITED | WNOWAIT);
        ok_wnowait &= si.si_pid == z[i] && si.si_status == 40 + i;
        ok_kill &= kill(z[i], 0) == 0;
        ok_pgid &= getpgid(z[i]) == getpgrp();
    }
    printf("%d zombies: waitid(WNOWAIT) sees each %d, kill(pid, 0) finds each %d, getpgid works %d\n", N,
           ok_wnowait, ok_kill, ok_pgid);
    int fresh_ok = 1;
    for (int j = 0; j < 20; j++) {
        pid_t p = fork();
        if (p == 0) _exit(0);
        for (int i = 0; i < N; i++) fresh_ok &= p != z[i];
        waitpid(p, 0, 0);
    }
    printf("20 forks meanwhile never got a zombie's pid: %d\n", fresh_ok);
    int order_ok = 1, gone = 1;
    for (int i = N - 1; i >= 0; i--) {
        int st;
        order_ok &= waitpid(z[i], &st, 0) == z[i] && WEXITSTATUS(st) == 40 + i;
        errno = 0;
        gone &= kill(z[i], 0) == -1 && errno == ESRCH;
    }
    printf("reaped in reverse order with the right statuses %d, each pid gone right after %d\n", order_ok, gone);
    return 0;
}
