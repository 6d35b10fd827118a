/* G6/G1/X5: SIGKILL of a stopped child. The child stops itself with
   raise(SIGSTOP) after blocking every signal and ignoring what it can; the
   parent sees the stop, sends SIGKILL (no SIGCONT), and the child dies at once
   (status 9, SIGCHLD CLD_KILLED with si_status 9). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < 32; s++) signal(s, SIG_IGN);
        raise(SIGSTOP);
        printf("child resumed (unexpected)\n");
        fflush(stdout);
        _exit(0);
    }
    int st;
    siginfo_t si;
    waitpid(pid, &st, WUNTRACED);
    printf("child stopped %d by %d\n", WIFSTOPPED(st), WSTOPSIG(st));
    sigwaitinfo(&chld, &si);
    printf("SIGCHLD CLD_STOPPED %d\n", si.si_code == CLD_STOPPED);
    printf("kill(SIGKILL): %d\n", kill(pid, SIGKILL));
    waitpid(pid, &st, 0);
    printf("child killed %d by %d, status %#x\n", WIFSIGNALED(st), WTERMSIG(st), st);
    sigwaitinfo(&chld, &si);
    printf("SIGCHLD CLD_KILLED %d, si_status %d\n", si.si_code == CLD_KILLED, si.si_status);
    return 0;
}
