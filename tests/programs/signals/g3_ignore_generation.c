/* G3: an ignored signal (SIG_IGN, or SIG_DFL whose default is "ignore") that
   is not blocked is dropped when sent; a blocked one is queued, and a handler
   installed meanwhile runs on unblock. Setting SIG_IGN (or SIG_DFL for a
   default-ignore signal) discards what is pending. Generating a stop signal
   discards a pending SIGCONT and generating SIGCONT discards pending stop
   signals, even while all are blocked. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t runs;
static void handler(int sig) { (void)sig; runs++; }

static int pending(int sig) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

static void block(int sig, int how) {
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, sig);
    sigprocmask(how, &b, NULL);
}

int main(void) {
    signal(SIGUSR1, SIG_IGN);
    kill(getpid(), SIGUSR1);
    printf("SIG_IGN, unblocked: pending after kill %d\n", pending(SIGUSR1));
    block(SIGUSR1, SIG_BLOCK);
    kill(getpid(), SIGUSR1);
    printf("SIG_IGN, blocked: pending after kill %d\n", pending(SIGUSR1));
    signal(SIGUSR1, handler);
    block(SIGUSR1, SIG_UNBLOCK);
    printf("handler installed while pending, unblocked: handler runs %d\n", runs);

    kill(getpid(), SIGURG);
    printf("SIGURG (default ignore), unblocked: pending %d, still alive\n", pending(SIGURG));
    block(SIGURG, SIG_BLOCK);
    kill(getpid(), SIGURG);
    printf("SIGURG blocked: pending %d\n", pending(SIGURG));
    signal(SIGURG, SIG_DFL);
    printf("after sigaction(SIGURG, SIG_DFL): pending %d\n", pending(SIGURG));
    block(SIGURG, SIG_UNBLOCK);

    runs = 0;
    block(SIGUSR2, SIG_BLOCK);
    signal(SIGUSR2, handler);
    kill(getpid(), SIGUSR2);
    printf("SIGUSR2 with a handler, blocked: pending %d\n", pending(SIGUSR2));
    signal(SIGUSR2, SIG_IGN);
    printf("after sigaction(SIGUSR2, SIG_IGN): pending %d\n", pending(SIGUSR2));
    signal(SIGUSR2, handler);
    block(SIGUSR2, SIG_UNBLOCK);
    printf("handler back, unblocked: handler runs %d\n", runs);

    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGCONT);
    sigaddset(&b, SIGTSTP);
    sigaddset(&b, SIGTTIN);
    sigaddset(&b, SIGTTOU);
    sigprocmask(SIG_BLOCK, &b, NULL);
    kill(getpid(), SIGCONT);
    printf("CONT sent: pending CONT %d TSTP %d TTIN %d TTOU %d\n", pending(SIGCONT), pending(SIGTSTP), pending(SIGTTIN), pending(SIGTTOU));
    kill(getpid(), SIGTSTP);
    printf("TSTP sent: pending CONT %d TSTP %d TTIN %d TTOU %d\n", pending(SIGCONT), pending(SIGTSTP), pending(SIGTTIN), pending(SIGTTOU));
    kill(getpid(), SIGTTIN);
    kill(getpid(), SIGTTOU);
    printf("TTIN, TTOU sent: pending CONT %d TSTP %d TTIN %d TTOU %d\n", pending(SIGCONT), pending(SIGTSTP), pending(SIGTTIN), pending(SIGTTOU));
    kill(getpid(), SIGCONT);
    printf("CONT sent: pending CONT %d TSTP %d TTIN %d TTOU %d\n", pending(SIGCONT), pending(SIGTSTP), pending(SIGTTIN), pending(SIGTTOU));
    sigprocmask(SIG_UNBLOCK, &b, NULL);   /* SIGCONT with SIG_DFL: ignored */
    printf("unblocked: still running, pending CONT %d\n", pending(SIGCONT));
    return 0;
}
