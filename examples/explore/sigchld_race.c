/* The SIGCHLD race of a shell's job table (CSAPP 8.5.6): the parent adds the
   child to its jobs after fork() returns, and the SIGCHLD handler deletes the
   jobs it reaps. If the child exits before the parent gets to addjob, the
   handler runs first (signals are delivered on the way back from fork) and
   deletes a job that was never added. The fix is to block SIGCHLD around
   fork() and addjob; here it is blocked only afterwards, to wait for the
   handler with sigsuspend (a `while (!reaped) pause();` loop could miss the
   signal between the test and the pause).
   write(2), not printf: printf is not async-signal-safe, and its buffering
   would hide the order of the two lines.
   `proclab explore examples/explore/sigchld_race.c`: 2 outcomes from 4 runs,
   complete: "addjob\ndeletejob\n" (Linux's schedule, 3 runs) and the bug,
   "deletejob\naddjob\n" (1 run, schedule 16.5: the child runs and exits
   before the parent returns from fork); both status 0. `--json`: {"runs":
   4, "complete": true, ...}. The host rarely shows the second. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t reaped;

static void on_sigchld(int sig)
{
    (void)sig;
    while (waitpid(-1, 0, WNOHANG) > 0) {
        write(1, "deletejob\n", 10);
        reaped = 1;
    }
}

int main(void)
{
    struct sigaction sa = { .sa_handler = on_sigchld };
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigaction(SIGCHLD, &sa, 0);
    if (fork() == 0)
        _exit(0);
    write(1, "addjob\n", 7);
    sigprocmask(SIG_BLOCK, &chld, &old);
    while (!reaped)
        sigsuspend(&old);
    return 0;
}
