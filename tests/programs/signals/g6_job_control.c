/* G6/G3/X6/X8: stop, continue and terminate seen through waitpid. A stop is
   reported once with WUNTRACED (status 0x137f / 0x147f), not at all without
   it; waitid(WNOWAIT) leaves it reportable. A continue is reported once with
   WCONTINUED (0xffff). A signal with a handler sent to a stopped child waits
   until SIGCONT. SIGCONT resumes the child even while it blocks SIGCONT (the
   handler runs when it unblocks). SIGKILL kills a stopped child at once;
   SIGTERM stays pending until SIGCONT, then kills. Children
   run in their own process groups (not orphaned, so SIGTSTP stops). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static int note[2];
static volatile sig_atomic_t unblock_cont;
static void on_usr1(int sig) { (void)sig; write(note[1], "u", 1); }
static void on_usr2(int sig) { (void)sig; unblock_cont = 1; }
static void on_cont(int sig) { (void)sig; write(note[1], "c", 1); }

static pid_t child(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        setpgid(0, 0);
        sigset_t cont, m;
        sigemptyset(&cont);
        sigaddset(&cont, SIGCONT);
        for (;;) {
            sigprocmask(SIG_BLOCK, NULL, &m);
            sigsuspend(&m);
            if (unblock_cont) sigprocmask(SIG_UNBLOCK, &cont, NULL);
        }
    }
    setpgid(pid, pid);
    return pid;
}

static const char *note_now(void) {     /* what the child wrote so far, without waiting */
    static char buf[8];
    ssize_t n = read(note[0], buf, sizeof buf - 1);
    if (n < 0) return errno == EAGAIN ? "nothing" : "error";
    buf[n] = 0;
    return buf;
}

static const char *note_wait(void) {
    static char buf[2];
    struct timespec ts = {0, 1000000};
    while (read(note[0], buf, 1) != 1) nanosleep(&ts, NULL);
    buf[1] = 0;
    return buf;
}

static void pause_a_bit(void) {
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
}

int main(void) {
    pipe(note);
    fcntl(note[0], F_SETFL, O_NONBLOCK);
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    signal(SIGCONT, on_cont);
    int st;

    pid_t pid = child();
    kill(pid, SIGUSR1);
    printf("child runs: %s\n", note_wait());
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    printf("SIGSTOP: stopped %d by %d, status %#x\n", WIFSTOPPED(st), WSTOPSIG(st), st);
    printf("again with WUNTRACED|WNOHANG: %d\n", waitpid(pid, &st, WUNTRACED | WNOHANG));
    kill(pid, SIGUSR1);
    pause_a_bit();
    printf("SIGUSR1 to the stopped child, its handler wrote: %s\n", note_now());
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    printf("SIGCONT: continued %d, status %#x\n", WIFCONTINUED(st), st);
    printf("again with WCONTINUED|WNOHANG: %d\n", waitpid(pid, &st, WCONTINUED | WNOHANG));
    printf("after SIGCONT the child wrote: %s", note_wait());
    printf("%s\n", note_wait());

    kill(pid, SIGTSTP);
    siginfo_t si;
    si.si_pid = 0;
    waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    printf("SIGTSTP: waitid(WNOWAIT) CLD_STOPPED %d, si_status %d\n", si.si_code == CLD_STOPPED, si.si_status);
    printf("waitpid without WUNTRACED, WNOHANG: %d\n", waitpid(pid, &st, WNOHANG));
    waitpid(pid, &st, WUNTRACED);
    printf("waitpid WUNTRACED still reports: stopped %d by %d, status %#x\n", WIFSTOPPED(st), WSTOPSIG(st), st);
    kill(pid, SIGTERM);
    pause_a_bit();
    printf("SIGTERM to the stopped child: WNOHANG gives %d (still stopped)\n", waitpid(pid, &st, WNOHANG));
    kill(pid, SIGCONT);
    waitpid(pid, &st, 0);
    printf("after SIGCONT: killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    pid = child();
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("SIGKILL to a stopped child: killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    sigset_t cont;
    sigemptyset(&cont);
    sigaddset(&cont, SIGCONT);
    sigprocmask(SIG_BLOCK, &cont, NULL);    /* inherited by the next child */
    pid_t blocker = child();
    sigprocmask(SIG_UNBLOCK, &cont, NULL);
    kill(blocker, SIGSTOP);
    waitpid(blocker, &st, WUNTRACED);
    kill(blocker, SIGCONT);
    waitpid(blocker, &st, WCONTINUED);
    printf("child blocking SIGCONT: continued %d", WIFCONTINUED(st));
    kill(blocker, SIGUSR1);
    printf(", runs again: %s", note_wait());
    kill(blocker, SIGUSR2);
    printf(", SIGCONT handler ran once unblocked: %s\n", note_wait());
    kill(blocker, SIGKILL);
    waitpid(blocker, &st, 0);
    printf("done: nothing else written: %s\n", note_now());
    return 0;
}
