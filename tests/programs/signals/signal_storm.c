/* G3/G4/S2 robustness: a child sends 10000 SIGUSR1 to its parent as fast as
   it can while the parent sleeps in waitpid (no SA_RESTART, so waitpid keeps
   failing with EINTR and is retried). Standard signals coalesce, so how many
   times the handler runs varies; the program only checks that it survives,
   that the handler ran between 1 and 10000 times, and that every kill
   succeeded. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static volatile long runs;
static void on_usr1(int sig) { (void)sig; runs++; }

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    fflush(stdout);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        int ok = 0;
        for (int i = 0; i < 10000; i++) ok += kill(parent, SIGUSR1) == 0;
        _exit(ok == 10000 ? 0 : 1);
    }
    int st;
    pid_t r;
    long eintr = 0;
    while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR) eintr++;
    printf("survived the storm: waitpid got the child %d, child's kills all succeeded %d\n", r == pid,
           WIFEXITED(st) && WEXITSTATUS(st) == 0);
    printf("handler ran between 1 and 10000 times: %d; EINTR retries no more than handler runs: %d\n",
           runs >= 1 && runs <= 10000, eintr <= runs);
    return 0;
}
