/* X4 (pdeath signal) with prctl PR_SET/GET_PDEATHSIG: the value round-trips,
   an invalid signal is EINVAL, fork clears it in the child. When the parent
   dies the reparented child gets its pdeath signal: a blocked SIGUSR1 is
   pending by the time the subreaper has reaped the dead parent; SIGKILL
   kills the orphan, and the subreaper that adopted it reaps it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2], ready[2], pids[2];

static int get_pdeath(void)
{
    int v = -1;
    prctl(PR_GET_PDEATHSIG, &v);
    return v;
}

/* A makes B, B sets its pdeath signal and says so, A exits */
static pid_t make_orphan(int sig, pid_t *b_out)
{
    fflush(stdout);
    pid_t a = fork();
    if (a == 0) {
        pid_t b = fork();
        if (b == 0) {
            sigset_t s;
            sigemptyset(&s);
            sigaddset(&s, SIGUSR1);
            sigprocmask(SIG_BLOCK, &s, 0);
            prctl(PR_SET_PDEATHSIG, sig);
            write(ready[1], "r", 1);
            char c;
            read(go[0], &c, 1);
            sigset_t pend;
            sigpending(&pend);
            _exit(50 + sigismember(&pend, SIGUSR1));
        }
        write(pids[1], &b, sizeof b);
        char c;
        read(ready[0], &c, 1);                        /* B has set it */
        _exit(0);
    }
    read(pids[0], b_out, sizeof *b_out);
    return a;
}

int main(void)
{
    int st;
    pipe(go);
    pipe(ready);
    pipe(pids);
    prctl(PR_SET_CHILD_SUBREAPER, 1);

    printf("PDEATHSIG initially %d\n", get_pdeath());
    int r = prctl(PR_SET_PDEATHSIG, SIGUSR2);
    printf("set SIGUSR2: %d, get %d\n", r, get_pdeath());
    errno = 0;
    int bad = prctl(PR_SET_PDEATHSIG, 65) == -1 && errno == EINVAL;
    printf("set 65: EINVAL %d, value kept %d\n", bad, get_pdeath() == SIGUSR2);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) _exit(get_pdeath());
    waitpid(c, &st, 0);
    printf("fork child's PDEATHSIG %d\n", WEXITSTATUS(st));
    prctl(PR_SET_PDEATHSIG, 0);
    printf("set 0: get %d\n", get_pdeath());

    pid_t b, a = make_orphan(SIGUSR1, &b);
    waitpid(a, &st, 0);
    write(go[1], "g", 1);
    pid_t got = waitpid(b, &st, 0);
    printf("blocked SIGUSR1 as pdeath signal: pending in the orphan %d, reaped by the subreaper %d\n",
           WEXITSTATUS(st) == 51, got == b);

    a = make_orphan(SIGKILL, &b);
    waitpid(a, &st, 0);
    got = waitpid(b, &st, 0);
    printf("SIGKILL as pdeath signal: orphan killed %d by %d, reaped by the subreaper %d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : 0, got == b);

    a = make_orphan(0, &b);
    waitpid(a, &st, 0);
    write(go[1], "g", 1);
    got = waitpid(b, &st, 0);
    printf("no pdeath signal: orphan exits normally %d, nothing pending %d\n", WIFEXITED(st),
           WIFEXITED(st) && WEXITSTATUS(st) == 50);
    return 0;
}
