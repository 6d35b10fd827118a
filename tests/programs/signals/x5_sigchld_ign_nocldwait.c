/* X5/G1: SIGCHLD ignored versus SA_NOCLDWAIT. SIG_DFL: children become zombies
   and are reaped by wait; SIGCHLD is sent (kept pending here since it is
   blocked). SIG_IGN: children are reaped automatically, wait sleeps until they
   are all gone then fails with ECHILD, and no SIGCHLD is sent at all (even
   blocked, nothing is pending). SA_NOCLDWAIT (with a handler or SIG_DFL):
   children are reaped automatically too, but SIGCHLD is still sent. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static void on_chld(int sig) { (void)sig; }

static void scenario(const char *name, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigaction(SIGCHLD, &sa, NULL);
    int fd[2];
    pipe(fd);
    pid_t kids[3];
    fflush(stdout);
    for (int i = 0; i < 3; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            char c;
            close(fd[1]);
            read(fd[0], &c, 1);
            _exit(i + 1);
        }
    }
    close(fd[0]);
    close(fd[1]);     /* the children exit now */
    int reaped = 0, st, err;
    pid_t r;
    while ((r = wait(&st)) > 0) reaped++;
    err = errno;
    sigset_t p;
    sigpending(&p);
    errno = 0;
    pid_t again = waitpid(kids[0], &st, WNOHANG);
    printf("%s: wait reaped %d, then %s; SIGCHLD pending %d; waitpid(first child) %d %s\n", name, reaped,
           err == ECHILD ? "ECHILD" : "other", sigismember(&p, SIGCHLD), again, errno == ECHILD ? "ECHILD" : "");
    if (sigismember(&p, SIGCHLD)) {
        sigset_t w;
        siginfo_t si;
        sigemptyset(&w);
        sigaddset(&w, SIGCHLD);
        sigwaitinfo(&w, &si);
        printf("  the pending SIGCHLD: CLD_EXITED %d, from one of the children %d\n", si.si_code == CLD_EXITED,
               si.si_pid == kids[0] || si.si_pid == kids[1] || si.si_pid == kids[2]);
    }
}

int main(void) {
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGCHLD);
    sigprocmask(SIG_BLOCK, &b, NULL);
    scenario("SIG_DFL", SIG_DFL, 0);
    scenario("SIG_IGN", SIG_IGN, 0);
    scenario("handler + SA_NOCLDWAIT", on_chld, SA_NOCLDWAIT);
    scenario("SIG_DFL + SA_NOCLDWAIT", SIG_DFL, SA_NOCLDWAIT);
    scenario("SIG_DFL again", SIG_DFL, 0);
    return 0;
}
