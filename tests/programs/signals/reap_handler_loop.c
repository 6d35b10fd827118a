/* X5/G3/G4: a SIGCHLD handler that reaps in a loop (waitpid(-1, WNOHANG)
   until 0/ECHILD), as SIGCHLD coalesces and one signal may stand for several
   exits. Five children exit; the main program sleeps in sigsuspend until the
   handler has reaped all five, and sums their exit codes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile int reaped, code_sum, handler_runs;

static void on_chld(int sig) {
    (void)sig;
    int saved = errno, st;
    pid_t p;
    handler_runs++;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
        reaped++;
        if (WIFEXITED(st)) code_sum += WEXITSTATUS(st);
    }
    errno = saved;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t b, old;
    sigemptyset(&b);
    sigaddset(&b, SIGCHLD);
    sigprocmask(SIG_BLOCK, &b, &old);
    fflush(stdout);
    for (int i = 1; i <= 5; i++) {
        if (fork() == 0) _exit(i * 10);
    }
    while (reaped < 5) sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("reaped %d children, exit codes sum to %d, handler ran at least once %d, at most 5 times %d\n", reaped,
           code_sum, handler_runs >= 1, handler_runs <= 5);
    errno = 0;
    printf("no children left: waitpid %d ECHILD=%d\n", (int)waitpid(-1, NULL, WNOHANG), errno == ECHILD);
    return 0;
}
