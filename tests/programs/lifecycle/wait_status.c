/* X8/X6 (and the stop/continue words of G6): the raw status word wait4
   returns: exited = code << 8 with only 8 bits of code; killed = the signal
   (no core flag with dumps off); stopped = sig << 8 | 0x7f, reported once;
   continued = 0xffff. And the siginfo waitid fills: si_signo SIGCHLD, si_pid
   the child, si_uid ours, si_code CLD_EXITED/CLD_KILLED/CLD_STOPPED/
   CLD_CONTINUED with si_status the exit code or the signal. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child_exiting(int code)
{
    pid_t pid = fork();
    if (pid == 0) _exit(code);
    return pid;
}

static pid_t child_blocked(void)     /* returns once the child has turned dumps off */
{
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        write(p[1], "r", 1);
        for (;;) pause();
    }
    char c;
    read(p[0], &c, 1);
    close(p[0]);
    close(p[1]);
    return pid;
}

static void show_info(const char *what, pid_t pid, const siginfo_t *si)
{
    static const char *codes[] = {"?", "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED",
                                  "CLD_CONTINUED"};
    int c = si->si_code >= 1 && si->si_code <= 6 ? si->si_code : 0;
    printf("%-22s si_signo SIGCHLD %d, si_pid ok %d, si_uid ok %d, %s, si_status %d\n", what,
           si->si_signo == SIGCHLD, si->si_pid == pid, si->si_uid == getuid(), codes[c], si->si_status);
}

int main(void)
{
    int st;
    int codes[] = {0, 1, 255, 256 + 7};
    for (int i = 0; i < 4; i++) {
        fflush(stdout);
        pid_t pid = child_exiting(codes[i]);
        waitpid(pid, &st, 0);
        printf("exit(%d): status 0x%04x\n", codes[i], st);
    }
    int sigs[] = {SIGKILL, SIGTERM, SIGSEGV};
    for (int i = 0; i < 3; i++) {
        fflush(stdout);
        pid_t pid = child_blocked();
        kill(pid, sigs[i]);
        waitpid(pid, &st, 0);
        printf("killed by %d: status 0x%04x\n", sigs[i], st);
    }

    /* stop, continue, exit (only when told, so that "continued" is seen first) */
    int go[2];
    char c;
    pipe(go);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        raise(SIGSTOP);
        read(go[0], &c, 1);
        _exit(5);
    }
    waitpid(pid, &st, WUNTRACED);
    printf("stopped by SIGSTOP: status 0x%04x\n", st);
    printf("reported once: WUNTRACED|WNOHANG again gives %d\n", waitpid(pid, &st, WUNTRACED | WNOHANG));
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    printf("continued: status 0x%04x\n", st);
    write(go[1], "g", 1);
    waitpid(pid, &st, 0);
    printf("then exit(5): status 0x%04x\n", st);

    /* the same through waitid */
    siginfo_t si;
    fflush(stdout);
    pid = child_exiting(256 + 7);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED);
    show_info("exit(263):", pid, &si);
    pid = child_blocked();
    kill(pid, SIGKILL);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED);
    show_info("SIGKILL:", pid, &si);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        raise(SIGSTOP);
        read(go[0], &c, 1);
        _exit(9);
    }
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WSTOPPED);
    show_info("stop:", pid, &si);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WCONTINUED);
    show_info("continue:", pid, &si);
    write(go[1], "g", 1);
    memset(&si, 0, sizeof si);
    waitid(P_PID, pid, &si, WEXITED);
    show_info("then exit(9):", pid, &si);
    return 0;
}
