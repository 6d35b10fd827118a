/* G2/G3/I1: SIGPIPE. Writing to a pipe with no reader sends SIGPIPE to the
   writer: SIG_DFL kills it (a child, status 13); with SIG_IGN write fails with
   EPIPE; with a handler, the handler runs first (si_code SI_USER, si_pid the
   writer itself) and write fails with EPIPE; while blocked, write fails with
   EPIPE and SIGPIPE stays pending. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile int runs, code, self;
static void on_pipe(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    runs++;
    code = si->si_code;
    self = si->si_pid == getpid();
}

static int broken_pipe(void) {
    int fd[2];
    pipe(fd);
    close(fd[0]);
    return fd[1];
}

int main(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        write(broken_pipe(), "x", 1);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("SIG_DFL: child killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    int w = broken_pipe();
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    long r = write(w, "x", 1);
    printf("SIG_IGN: write %ld EPIPE=%d\n", r, errno == EPIPE);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_pipe;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGPIPE, &sa, NULL);
    errno = 0;
    r = write(w, "x", 1);
    printf("handler: write %ld EPIPE=%d, handler ran %d, SI_USER %d, si_pid is the writer %d\n", r, errno == EPIPE,
           runs, code == SI_USER, self);

    sigset_t b, p;
    sigemptyset(&b);
    sigaddset(&b, SIGPIPE);
    sigprocmask(SIG_BLOCK, &b, NULL);
    runs = 0;
    errno = 0;
    r = write(w, "x", 1);
    sigpending(&p);
    printf("blocked: write %ld EPIPE=%d, pending %d, handler ran %d\n", r, errno == EPIPE, sigismember(&p, SIGPIPE), runs);
    sigprocmask(SIG_UNBLOCK, &b, NULL);
    printf("unblocked: handler ran %d\n", runs);
    return 0;
}
