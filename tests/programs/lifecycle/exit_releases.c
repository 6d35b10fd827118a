/* X2/X8/X9: do_exit releases files (and mm) before the task becomes a zombie:
   a reader sees EOF on a pipe whose only writer was the child while that
   child is still an unreaped zombie. The zombie keeps only its pid and exit
   status: kill(pid, 0) still finds it, its pgid and sid can still be asked,
   waitid(WNOWAIT) shows its status; after the reap the pid is gone (ESRCH). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        write(p[1], "bye", 3);
        _exit(12);                       /* the write end goes with us */
    }
    close(p[1]);
    char buf[8];
    int n, total = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0) total += n;
    printf("read %d bytes, then EOF %d: the child's fds were closed by its exit\n", total, n == 0);

    siginfo_t si;
    si.si_pid = 0;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);      /* now it is surely a zombie */
    printf("zombie: waitid(WNOWAIT) pid matches %d, CLD_EXITED %d, status %d\n", si.si_pid == pid,
           si.si_code == CLD_EXITED, si.si_status);
    printf("zombie: kill(pid, 0) finds it %d, getpgid works %d, getsid works %d\n", kill(pid, 0) == 0,
           getpgid(pid) == getpgrp(), getsid(pid) == getsid(0));
    int st;
    pid_t got = waitpid(pid, &st, 0);
    printf("reaped %d with status %d\n", got == pid, WEXITSTATUS(st));
    errno = 0;
    printf("after the reap: kill(pid, 0) ESRCH %d", kill(pid, 0) == -1 && errno == ESRCH);
    errno = 0;
    printf(", getpgid ESRCH %d\n", getpgid(pid) == -1 && errno == ESRCH);
    return 0;
}
