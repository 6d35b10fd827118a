/* G1 with F5/E2: sigaction flags read back as set (SA_RESTART, SA_NODEFER,
   SA_RESETHAND, SA_SIGINFO, SA_ONSTACK, SA_NOCLDSTOP, SA_NOCLDWAIT);
   SIGKILL/SIGSTOP are silently dropped from sa_mask. A fork child inherits
   handlers, ignored signals and the mask but not the pending signals; exec
   resets handlers to SIG_DFL and keeps SIG_IGN, the mask and the pending set. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define KNOWN (SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_SIGINFO | SA_ONSTACK | SA_NOCLDSTOP | SA_NOCLDWAIT)

static void handler(int sig) { (void)sig; }

static const char *disp(int sig) {
    struct sigaction q;
    sigaction(sig, NULL, &q);
    if (q.sa_handler == SIG_DFL) return "SIG_DFL";
    if (q.sa_handler == SIG_IGN) return "SIG_IGN";
    return q.sa_handler == handler ? "handler" : "other";
}

static void report(const char *who) {
    sigset_t m, p;
    sigprocmask(SIG_BLOCK, NULL, &m);
    sigpending(&p);
    printf("%s: USR1 %s, USR2 %s, TERM %s; blocked USR2 %d TERM %d; pending USR2 %d\n", who,
           disp(SIGUSR1), disp(SIGUSR2), disp(SIGTERM),
           sigismember(&m, SIGUSR2), sigismember(&m, SIGTERM), sigismember(&p, SIGUSR2));
}

int main(int argc, char **argv) {
    if (argc > 1) {           /* the image after exec */
        report("after exec");
        signal(SIGUSR2, SIG_IGN);  /* discard the pending one before leaving */
        return 0;
    }
    struct sigaction sa, q;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART | SA_NODEFER | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGKILL);
    sigaddset(&sa.sa_mask, SIGSTOP);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &q);
    printf("USR1 flags %#x\n", (unsigned)(q.sa_flags & KNOWN));
    printf("USR1 sa_mask: KILL %d STOP %d USR2 %d\n", sigismember(&q.sa_mask, SIGKILL),
           sigismember(&q.sa_mask, SIGSTOP), sigismember(&q.sa_mask, SIGUSR2));

    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR1, NULL, &q);
    printf("USR1 flags %#x\n", (unsigned)(q.sa_flags & KNOWN));
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDSTOP | SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGCHLD, NULL, &q);
    printf("CHLD flags %#x\n", (unsigned)(q.sa_flags & KNOWN));
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);

    signal(SIGUSR1, handler);
    signal(SIGTERM, SIG_IGN);
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR2);
    sigprocmask(SIG_BLOCK, &b, NULL);
    raise(SIGUSR2);
    report("parent");
    fflush(stdout);

    pid_t pid = fork();
    if (pid == 0) {
        report("fork child");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        raise(SIGUSR2);       /* blocked: pending across exec */
        execl(argv[0], argv[0], "exec", (char *)NULL);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    printf("exec child status %d\n", WEXITSTATUS(st));
    signal(SIGUSR2, SIG_IGN);
    return 0;
}
