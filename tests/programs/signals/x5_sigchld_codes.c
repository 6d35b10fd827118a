/* X5/G6/G3: SIGCHLD to the parent for each child event, with siginfo:
   CLD_EXITED (si_status = exit code), CLD_KILLED (si_status = the signal),
   CLD_DUMPED is not used under RLIMIT_CORE 0 (SIGQUIT gives CLD_KILLED),
   CLD_STOPPED and CLD_CONTINUED (si_status = SIGSTOP/SIGCONT); si_pid is the
   child. SIGCHLD stays blocked and is taken with sigwaitinfo after each event
   (one event at a time, since it coalesces); waitpid reports each event too.
   Reaping does not remove a pending SIGCHLD. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigset_t chld;

static const char *code(int c) {
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    default: return "other";
    }
}

static void take(pid_t pid) {
    siginfo_t si;
    int s = sigwaitinfo(&chld, &si);
    printf("  SIGCHLD %d: %s, si_status %d, si_pid is the child %d, si_uid mine %d\n", s == SIGCHLD, code(si.si_code),
           si.si_status, si.si_pid == pid, si.si_uid == getuid());
}

static pid_t child(int how) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        setpgid(0, 0);
        if (how == 0) _exit(7);
        if (how == 1) for (;;) pause();
        if (how == 2) { signal(SIGQUIT, SIG_DFL); raise(SIGQUIT); }
        _exit(0);
    }
    setpgid(pid, pid);
    return pid;
}

int main(void) {
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    signal(SIGCHLD, SIG_DFL);
    int st;

    printf("child exits with 7:\n");
    pid_t pid = child(0);
    take(pid);
    waitpid(pid, &st, 0);
    printf("  waitpid: exited %d code %d\n", WIFEXITED(st), WEXITSTATUS(st));

    printf("child killed by SIGTERM:\n");
    pid = child(1);
    kill(pid, SIGTERM);
    take(pid);
    waitpid(pid, &st, 0);
    printf("  waitpid: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    printf("child raises SIGQUIT (core action, RLIMIT_CORE 0):\n");
    pid = child(2);
    take(pid);
    waitpid(pid, &st, 0);
    printf("  waitpid: signaled %d by %d, core bit %d\n", WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);

    printf("child stopped, continued, killed:\n");
    pid = child(1);
    kill(pid, SIGSTOP);
    take(pid);
    waitpid(pid, &st, WUNTRACED);
    printf("  waitpid: stopped %d by %d\n", WIFSTOPPED(st), WSTOPSIG(st));
    kill(pid, SIGCONT);
    take(pid);
    waitpid(pid, &st, WCONTINUED);
    printf("  waitpid: continued %d\n", WIFCONTINUED(st));
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("  waitpid first: signaled %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    sigset_t p;
    sigpending(&p);
    printf("  SIGCHLD still pending after the reap %d\n", sigismember(&p, SIGCHLD));
    take(pid);
    return 0;
}
