/* X5: do_notify_parent and auto-reaping, each case in a fresh process with
   SIGCHLD blocked so that "sent" shows as pending (no handlers involved).
   SIG_DFL: the child stays a zombie until waited for, SIGCHLD is sent.
   SIG_IGN: no zombie (wait sleeps until the child is gone, then ECHILD), no
   signal. SA_NOCLDWAIT (with SIG_DFL): no zombie, but SIGCHLD still sent.
   With two children and SIG_IGN a wait returns ECHILD only once both are
   gone (waiters always wake). A zombie made before SIG_IGN is set is still
   reported. Auto-reaped children add nothing to RUSAGE_CHILDREN. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int chld_pending(void)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, SIGCHLD);
}

static void set_chld(void (*handler)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigaction(SIGCHLD, &sa, 0);
}

static pid_t child_touching_pages(int code)
{
    pid_t pid = fork();
    if (pid == 0) {
        char *m = mmap(0, 32 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < 32; i++) m[i * 4096] = 1;
        _exit(code);
    }
    return pid;
}

static void one_case(const char *name, void (*handler)(int), int flags)
{
    fflush(stdout);
    pid_t c = fork();
    if (c != 0) {
        waitpid(c, 0, 0);
        return;
    }
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, 0);
    set_chld(handler, flags);
    pid_t g = child_touching_pages(3);
    int st = 0;
    errno = 0;
    pid_t got = waitpid(g, &st, 0);          /* a zombie is reaped; else sleep until it is gone */
    int echild = got == -1 && errno == ECHILD;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%-22s wait: %s, SIGCHLD sent %d, children's faults counted %d\n", name,
           got == g ? (WEXITSTATUS(st) == 3 ? "reaped status 3" : "reaped, bad status") : echild ? "ECHILD" : "other",
           chld_pending(), ru.ru_minflt >= 32);
    fflush(stdout);
    _exit(0);
}

int main(void)
{
    one_case("SIG_DFL:", SIG_DFL, 0);
    one_case("SIG_IGN:", SIG_IGN, 0);
    one_case("SA_NOCLDWAIT:", SIG_DFL, SA_NOCLDWAIT);
    one_case("SIG_IGN+SA_NOCLDWAIT:", SIG_IGN, SA_NOCLDWAIT);

    /* SIG_IGN, two children: the wait lasts until both are gone */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        set_chld(SIG_IGN, 0);
        int p[2], done[2];
        pipe(p);
        pipe(done);
        pid_t first = fork();
        if (first == 0) {
            close(p[0]);
            for (volatile int i = 0; i < 3000000; i++) {}
            _exit(0);                          /* its exit closes the last write end */
        }
        pid_t second = fork();
        if (second == 0) {
            char ch;
            close(p[1]);
            read(p[0], &ch, 1);                /* EOF once the first is gone */
            write(done[1], "S", 1);            /* the last thing it does */
            _exit(0);
        }
        close(p[0]);
        close(p[1]);
        errno = 0;
        pid_t got = wait(0);
        int echild = got == -1 && errno == ECHILD;
        close(done[1]);
        fcntl(done[0], F_SETFL, O_NONBLOCK);
        char ch = 0;
        int second_done = read(done[0], &ch, 1) == 1 && ch == 'S';
        printf("SIG_IGN, two children: wait gives ECHILD %d, only after the later one finished %d\n", echild,
               second_done);
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, 0, 0);

    /* a zombie made under SIG_DFL survives a later SIG_IGN */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) _exit(8);
        siginfo_t si;
        waitid(P_PID, g, &si, WEXITED | WNOWAIT);   /* it is a zombie now */
        set_chld(SIG_IGN, 0);
        int st = 0;
        pid_t got = waitpid(g, &st, 0);
        printf("zombie from before SIG_IGN: still reported %d, status %d\n", got == g, WEXITSTATUS(st));
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, 0, 0);
    return 0;
}
