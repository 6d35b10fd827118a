/* G3/G4: a blocked standard signal sent five times is pending once and runs
   its handler once when unblocked (before sigprocmask returns); a blocked
   real-time signal sent five times runs its handler five times. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t usr1_runs, rt_runs;
static void on_usr1(int sig) { (void)sig; usr1_runs++; }
static void on_rt(int sig) { (void)sig; rt_runs++; }

int main(void) {
    signal(SIGUSR1, on_usr1);
    signal(SIGRTMIN + 2, on_rt);
    sigset_t b, p;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigaddset(&b, SIGRTMIN + 2);
    sigprocmask(SIG_BLOCK, &b, NULL);
    for (int i = 0; i < 5; i++) {
        kill(getpid(), SIGUSR1);
        kill(getpid(), SIGRTMIN + 2);
    }
    sigpending(&p);
    printf("while blocked: USR1 pending %d, RT pending %d, handler runs %d/%d\n",
           sigismember(&p, SIGUSR1), sigismember(&p, SIGRTMIN + 2), usr1_runs, rt_runs);
    sigprocmask(SIG_UNBLOCK, &b, NULL);
    printf("right after unblocking: USR1 handler ran %d time(s), RT handler ran %d time(s)\n", usr1_runs, rt_runs);
    sigpending(&p);
    printf("now pending: USR1 %d RT %d\n", sigismember(&p, SIGUSR1), sigismember(&p, SIGRTMIN + 2));
    return 0;
}
