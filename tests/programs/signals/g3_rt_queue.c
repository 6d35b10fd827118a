/* G3/G4: real-time signals queue with their siginfo. sigqueue (rt_sigqueueinfo)
   with values; every queued instance is delivered, lowest signal number first
   and FIFO within one number; a standard signal sent twice with sigqueue
   keeps only the first value. Checked twice: dequeued with sigwaitinfo, and
   delivered to SA_SIGINFO handlers (sa_mask = all, so handlers do not nest)
   when the mask is lifted; si_code SI_QUEUE, si_pid/si_uid are the sender. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define N 16
static volatile int got_sig[N], got_val[N], got_ok[N];
static volatile sig_atomic_t n;

static void on_sig(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    if (n < N) {
        got_sig[n] = sig;
        got_val[n] = si->si_value.sival_int;
        got_ok[n] = si->si_code == SI_QUEUE && si->si_pid == getpid() && si->si_uid == getuid();
    }
    n++;
}

static void name(int sig) {
    if (sig == SIGUSR2) printf(" USR2");
    else printf(" RTMIN+%d", sig - SIGRTMIN);
}

static void send_all(void) {
    static const int plan[][2] = {
        {5, 500}, {1, 100}, {5, 501}, {0, 1}, {1, 101}, {-1, 7}, {0, 2}, {1, 102}, {-1, 8},
    };
    for (unsigned i = 0; i < sizeof plan / sizeof plan[0]; i++) {
        int sig = plan[i][0] < 0 ? SIGUSR2 : SIGRTMIN + plan[i][0];
        union sigval v = { .sival_int = plan[i][1] };
        sigqueue(getpid(), sig, v);
    }
}

int main(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN);
    sigaddset(&set, SIGRTMIN + 1);
    sigaddset(&set, SIGRTMIN + 5);
    sigprocmask(SIG_BLOCK, &set, NULL);

    printf("sent: RTMIN+5:500 RTMIN+1:100 RTMIN+5:501 RTMIN:1 RTMIN+1:101 USR2:7 RTMIN:2 RTMIN+1:102 USR2:8\n");
    send_all();
    printf("sigwaitinfo order:");
    sigset_t p;
    for (;;) {
        sigpending(&p);
        if (!sigismember(&p, SIGUSR2) && !sigismember(&p, SIGRTMIN) && !sigismember(&p, SIGRTMIN + 1)
            && !sigismember(&p, SIGRTMIN + 5))
            break;
        siginfo_t si;
        int s = sigwaitinfo(&set, &si);
        name(s);
        printf(":%d%s", si.si_value.sival_int,
               si.si_code == SI_QUEUE && si.si_pid == getpid() && si.si_uid == getuid() ? "" : "(bad info)");
    }
    printf("\n");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigfillset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGRTMIN, &sa, NULL);
    sigaction(SIGRTMIN + 1, &sa, NULL);
    sigaction(SIGRTMIN + 5, &sa, NULL);
    send_all();
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("handler order (%d runs):", n);
    for (int i = 0; i < n && i < N; i++) {
        name(got_sig[i]);
        printf(":%d%s", got_val[i], got_ok[i] ? "" : "(bad info)");
    }
    printf("\n");
    return 0;
}
