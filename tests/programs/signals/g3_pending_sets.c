/* G3: each thread has its own pending set next to the process's shared one.
   tgkill/tkill put a signal in the thread's set (si_code SI_TKILL), kill in
   the shared set (SI_USER). A standard signal coalesces within one set, so
   the same signal can be pending twice, once in each: it is dequeued twice,
   the thread's set first, and a handler runs twice on unblock. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static volatile sig_atomic_t runs;
static volatile int codes[8];

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    if (runs < 8) codes[runs] = si->si_code;
    runs++;
}

static const char *code(int c) {
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    default: return "other";
    }
}

static void drain(const char *what) {
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR1);
    struct timespec zero = {0, 0};
    siginfo_t si;
    printf("%s:", what);
    for (;;) {
        int s = sigtimedwait(&w, &si, &zero);
        if (s < 0) {
            printf(" then %s\n", errno == EAGAIN ? "EAGAIN" : "error");
            return;
        }
        printf(" %s", code(si.si_code));
    }
}

int main(void) {
    pid_t me = getpid();
    pid_t tid = syscall(SYS_gettid);
    sigset_t b, p;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigprocmask(SIG_BLOCK, &b, NULL);

    syscall(SYS_tgkill, me, tid, SIGUSR1);
    kill(me, SIGUSR1);
    sigpending(&p);
    printf("pending after tgkill + kill: %d\n", sigismember(&p, SIGUSR1));
    drain("tgkill + kill dequeues");

    for (int i = 0; i < 3; i++) {
        syscall(SYS_tkill, tid, SIGUSR1);
        kill(me, SIGUSR1);
    }
    drain("3 x (tkill + kill) dequeues");

    kill(me, SIGUSR1);
    kill(me, SIGUSR1);
    drain("2 x kill dequeues");

    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    syscall(SYS_tgkill, me, tid, SIGUSR1);
    kill(me, SIGUSR1);
    kill(me, SIGUSR1);
    syscall(SYS_tgkill, me, tid, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &b, NULL);
    printf("handler runs after unblock: %d:", runs);
    for (int i = 0; i < runs && i < 8; i++) printf(" %s", code(codes[i]));
    printf("\n");
    return 0;
}
