/* G6/G1 SA_NOCLDSTOP: with SA_NOCLDSTOP the parent gets no SIGCHLD when a
   child stops or continues (waitpid with WUNTRACED/WCONTINUED still reports
   both), but still gets one when the child dies. Without the flag, stop and
   continue each send SIGCHLD (CLD_STOPPED, CLD_CONTINUED). SIGCHLD is kept
   blocked. The continued child sends CLD_CONTINUED itself once it runs, so a
   ping (SIGUSR1 answered through a pipe) makes sure it has run before the
   parent checks that nothing is pending. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static sigset_t chld;
static int pong[2];
static void on_chld(int sig) { (void)sig; }
static void on_usr1(int sig) { (void)sig; write(pong[1], "p", 1); }

static const char *code(int c) {
    return c == CLD_STOPPED ? "CLD_STOPPED" : c == CLD_CONTINUED ? "CLD_CONTINUED" : c == CLD_KILLED ? "CLD_KILLED" : "other";
}

static const char *next_chld(void) {
    siginfo_t si;
    sigwaitinfo(&chld, &si);
    return code(si.si_code);
}

static void ping(pid_t pid) {
    char c;
    kill(pid, SIGUSR1);
    read(pong[0], &c, 1);
}

static pid_t start(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = flags;
    sigaction(SIGCHLD, &sa, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) for (;;) pause();
    ping(pid);     /* the child is running with its handler */
    return pid;
}

int main(void) {
    pipe(pong);
    signal(SIGUSR1, on_usr1);     /* inherited by the children */
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int st;
    sigset_t p;

    printf("SA_NOCLDSTOP:\n");
    pid_t pid = start(SA_NOCLDSTOP);
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    printf("  waitpid: stopped %d\n", WIFSTOPPED(st));
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    printf("  waitpid: continued %d\n", WIFCONTINUED(st));
    ping(pid);
    sigpending(&p);
    printf("  SIGCHLD pending after stop and continue: %d\n", sigismember(&p, SIGCHLD));
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("  waitpid: killed %d by %d; SIGCHLD: %s\n", WIFSIGNALED(st), WTERMSIG(st), next_chld());

    printf("no SA_NOCLDSTOP:\n");
    pid = start(0);
    kill(pid, SIGSTOP);
    printf("  SIGCHLD: %s\n", next_chld());
    waitpid(pid, &st, WUNTRACED);
    printf("  waitpid: stopped %d\n", WIFSTOPPED(st));
    kill(pid, SIGCONT);
    printf("  SIGCHLD: %s\n", next_chld());
    waitpid(pid, &st, WCONTINUED);
    printf("  waitpid: continued %d\n", WIFCONTINUED(st));
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("  waitpid: killed %d by %d; SIGCHLD: %s\n", WIFSIGNALED(st), WTERMSIG(st), next_chld());
    return 0;
}
