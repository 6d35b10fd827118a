/* G4: the order in which pending signals are taken. Synchronous signals
   (SEGV, BUS, ILL, TRAP, FPE, SYS) go first, lowest number first, then the
   rest lowest first (shown with sigwaitinfo). On the way back to user mode
   the kernel sets up a frame for every deliverable signal, each new one on
   top of the last: with plain handlers the frame of the higher signal ends
   on top and its handler runs first; with sa_mask = all, the lowest runs
   first and the next one is delivered only after its sigreturn. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile int order[8];
static volatile sig_atomic_t n;
static void on_sig(int sig) { if (n < 8) order[n] = sig; n++; }

static void run(int fill) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sig;
    if (fill) sigfillset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigaddset(&b, SIGUSR2);
    sigaddset(&b, SIGTERM);
    sigprocmask(SIG_BLOCK, &b, NULL);
    kill(getpid(), SIGTERM);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    n = 0;
    sigprocmask(SIG_UNBLOCK, &b, NULL);
    printf("handlers %s: entered in the order", fill ? "with sa_mask = all" : "with an empty sa_mask");
    for (int i = 0; i < n; i++) printf(" %d", order[i]);
    printf("\n");
}

int main(void) {
    int sent[] = {SIGHUP, SIGUSR1, SIGSYS, SIGSEGV, SIGINT, SIGTRAP, SIGBUS};
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < 7; i++) sigaddset(&set, sent[i]);
    sigprocmask(SIG_BLOCK, &set, NULL);
    printf("sent:");
    for (int i = 0; i < 7; i++) {
        printf(" %d", sent[i]);
        kill(getpid(), sent[i]);
    }
    printf("\nsigwaitinfo order:");
    for (int i = 0; i < 7; i++) {
        siginfo_t si;
        printf(" %d", sigwaitinfo(&set, &si));
    }
    printf("\n");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("sent TERM(15), USR2(12), USR1(10) while blocked, then unblocked\n");
    run(0);
    run(1);
    return 0;
}
