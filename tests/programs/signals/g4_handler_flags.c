/* G1/G4: handler flags. Without SA_NODEFER the signal is blocked while its
   handler runs (with sa_mask added): a raise inside the handler waits until
   the handler returns (two runs, never nested). With SA_NODEFER it nests at
   once. SA_RESETHAND makes the disposition SIG_DFL on delivery (the signal
   is still blocked in the handler unless SA_NODEFER), so a second signal
   kills (a child). On return, rt_sigreturn restores the mask saved in
   the frame; a handler that edits uc_sigmask changes the mask the program
   gets back. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/wait.h>

static int report_fd = -1;
static volatile int depth, max_depth, runs, self_blocked, usr2_blocked, term_blocked, reset_seen;

static void on_usr1(int sig) {
    depth++;
    if (depth > max_depth) max_depth = depth;
    runs++;
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    if (runs == 1) {
        self_blocked = sigismember(&m, SIGUSR1);
        usr2_blocked = sigismember(&m, SIGUSR2);
        term_blocked = sigismember(&m, SIGTERM);
        struct sigaction q;
        sigaction(sig, NULL, &q);
        reset_seen = q.sa_handler == SIG_DFL;
        if (report_fd >= 0) {
            char r[2] = {(char)reset_seen, (char)self_blocked};
            write(report_fd, r, 2);
        }
        raise(SIGUSR1);
    }
    depth--;
}

static void install(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    runs = max_depth = 0;
}

static void edit_mask(int sig, siginfo_t *si, void *ucv) {
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    sigaddset(&uc->uc_sigmask, SIGTERM);
    sigdelset(&uc->uc_sigmask, SIGHUP);
}

int main(void) {
    sigset_t m;
    install(0);
    raise(SIGUSR1);
    printf("plain: runs %d, max depth %d, inside: USR1 blocked %d, USR2 (sa_mask) blocked %d, TERM blocked %d\n",
           runs, max_depth, self_blocked, usr2_blocked, term_blocked);
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("plain: after return USR1 blocked %d, USR2 blocked %d\n", sigismember(&m, SIGUSR1), sigismember(&m, SIGUSR2));

    install(SA_NODEFER);
    raise(SIGUSR1);
    printf("SA_NODEFER: runs %d, max depth %d, inside: USR1 blocked %d, USR2 blocked %d\n",
           runs, max_depth, self_blocked, usr2_blocked);

    int fd[2], st;
    pipe(fd);
    report_fd = fd[1];
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        install(SA_RESETHAND);
        raise(SIGUSR1);     /* the raise inside the handler finds SIG_DFL */
        _exit(0);
    }
    char r[2];
    read(fd[0], r, 2);
    waitpid(pid, &st, 0);
    printf("SA_RESETHAND: inside the handler disposition is SIG_DFL %d, USR1 blocked %d; child killed %d by %d\n",
           r[0], r[1], WIFSIGNALED(st), WTERMSIG(st));
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        install(SA_RESETHAND | SA_NODEFER);
        raise(SIGUSR1);
        _exit(0);
    }
    read(fd[0], r, 2);
    waitpid(pid, &st, 0);
    printf("SA_RESETHAND|SA_NODEFER: inside SIG_DFL %d, USR1 blocked %d; child killed %d by %d\n",
           r[0], r[1], WIFSIGNALED(st), WTERMSIG(st));
    report_fd = -1;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = edit_mask;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_SETMASK, &m, NULL);
    raise(SIGUSR2);
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("handler edited uc_sigmask: after return TERM blocked %d, HUP blocked %d, USR2 blocked %d\n",
           sigismember(&m, SIGTERM), sigismember(&m, SIGHUP), sigismember(&m, SIGUSR2));
    return 0;
}
