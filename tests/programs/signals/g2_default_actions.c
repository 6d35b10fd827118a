/* G2 (with X8): the default action of every signal, seen by the parent. A
   child (in its own, non-orphaned process group, RLIMIT_CORE set to 0 so no
   core is written and the 0x80 bit stays clear) sends itself the signal with
   SIG_DFL and nothing blocked. terminate: HUP INT KILL PIPE ALRM TERM USR1 USR2
   PROF VTALRM STKFLT IO PWR and the real-time signals; core (killed, core bit 0
   under RLIMIT_CORE 0): QUIT ILL ABRT FPE SEGV BUS SYS TRAP XCPU XFSZ; stop:
   STOP TSTP TTIN TTOU (resumed by SIGCONT); ignore: CHLD CONT URG WINCH. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static const struct { int sig; const char *name; } sigs[] = {
    {SIGHUP, "HUP"}, {SIGINT, "INT"}, {SIGQUIT, "QUIT"}, {SIGILL, "ILL"}, {SIGTRAP, "TRAP"},
    {SIGABRT, "ABRT"}, {SIGBUS, "BUS"}, {SIGFPE, "FPE"}, {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},
    {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"}, {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"}, {SIGTERM, "TERM"},
    {SIGSTKFLT, "STKFLT"}, {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"}, {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"}, {SIGURG, "URG"}, {SIGXCPU, "XCPU"}, {SIGXFSZ, "XFSZ"},
    {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"}, {SIGIO, "IO"}, {SIGPWR, "PWR"},
    {SIGSYS, "SYS"}, {32, "32"}, {34, "34"}, {40, "40"}, {64, "64"},
};

int main(void) {
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        int sig = sigs[i].sig;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            struct rlimit rl = {0, 0};
            setrlimit(RLIMIT_CORE, &rl);
            setpgid(0, 0);
            struct sigaction sa = {0};
            sa.sa_handler = SIG_DFL;
            if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &sa, NULL, 8);
            unsigned long none = 0;
            syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
            syscall(SYS_kill, getpid(), sig);
            _exit(0);
        }
        setpgid(pid, pid);
        int st;
        waitpid(pid, &st, WUNTRACED);
        printf("%-6s (%2d): ", sigs[i].name, sig);
        int stopped = WIFSTOPPED(st);
        if (stopped) {
            printf("stopped by %d (status %#x), ", WSTOPSIG(st), st);
            kill(pid, SIGCONT);
            waitpid(pid, &st, 0);
            printf("after SIGCONT ");
        }
        if (WIFSIGNALED(st))
            printf("killed by %d, core bit %d, status %#x\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0, st);
        else if (WIFEXITED(st))
            printf("exited %d%s\n", WEXITSTATUS(st), stopped ? "" : " (ignored)");
        else
            printf("status %#x\n", st);
    }
    return 0;
}
