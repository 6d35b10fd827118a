/* G1: what sigaction accepts. SIGKILL and SIGSTOP cannot be caught, ignored
   or even reset to SIG_DFL (EINVAL), but their disposition can be queried;
   signal numbers 0, 65 and -1 are EINVAL, 64 (SIGRTMAX) is fine; a wrong
   sigsetsize is EINVAL and a bad pointer EFAULT. The raw rt_sigaction system
   call is used so that the kernel, not libc, answers; libc's sigaction and
   signal() give the same answers for SIGKILL/SIGSTOP. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>

struct ksa { void *handler; unsigned long flags; void *restorer; unsigned long mask; };

static const char *res(long r) {
    if (r == 0) return "0";
    switch (-r) {
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    default: return "other error";
    }
}

static long ksigaction(int sig, const void *act, struct ksa *old, unsigned long size) {
    long r = syscall(SYS_rt_sigaction, sig, act, old, size);
    return r < 0 ? -errno : r;
}

static void handler(int sig) { (void)sig; }

int main(void) {
    struct ksa ign = { .handler = SIG_IGN }, dfl = { .handler = SIG_DFL };
    struct ksa catch = { .handler = (void *)handler }, old;

    printf("SIGKILL -> SIG_IGN: %s\n", res(ksigaction(SIGKILL, &ign, NULL, 8)));
    printf("SIGKILL -> SIG_DFL: %s\n", res(ksigaction(SIGKILL, &dfl, NULL, 8)));
    printf("SIGKILL -> handler: %s\n", res(ksigaction(SIGKILL, &catch, NULL, 8)));
    printf("SIGSTOP -> SIG_IGN: %s\n", res(ksigaction(SIGSTOP, &ign, NULL, 8)));
    printf("SIGSTOP -> handler: %s\n", res(ksigaction(SIGSTOP, &catch, NULL, 8)));
    old.handler = (void *)1;
    printf("query SIGKILL: %s, is SIG_DFL %d\n", res(ksigaction(SIGKILL, NULL, &old, 8)), old.handler == SIG_DFL);
    old.handler = (void *)1;
    printf("query SIGSTOP: %s, is SIG_DFL %d\n", res(ksigaction(SIGSTOP, NULL, &old, 8)), old.handler == SIG_DFL);

    printf("signal 0: %s\n", res(ksigaction(0, &ign, NULL, 8)));
    printf("signal 0, query only: %s\n", res(ksigaction(0, NULL, &old, 8)));
    printf("signal 65: %s\n", res(ksigaction(65, &ign, NULL, 8)));
    printf("signal -1: %s\n", res(ksigaction(-1, &ign, NULL, 8)));
    printf("signal 64 (SIGRTMAX): %s\n", res(ksigaction(64, &ign, NULL, 8)));
    printf("signal 64 back to SIG_DFL: %s\n", res(ksigaction(64, &dfl, &old, 8)));
    printf("  old disposition was SIG_IGN: %d\n", old.handler == SIG_IGN);
    printf("sigsetsize 4: %s\n", res(ksigaction(SIGUSR1, &ign, NULL, 4)));
    printf("sigsetsize 16: %s\n", res(ksigaction(SIGUSR1, &ign, NULL, 16)));
    printf("act at address 8: %s\n", res(ksigaction(SIGUSR1, (void *)8, NULL, 8)));
    printf("oldact at address 8: %s\n", res(ksigaction(SIGUSR1, NULL, (void *)8, 8)));

    /* libc paths */
    struct sigaction sa = { .sa_handler = SIG_IGN };
    errno = 0;
    printf("libc sigaction(SIGKILL, SIG_IGN): %d EINVAL=%d\n", sigaction(SIGKILL, &sa, NULL), errno == EINVAL);
    errno = 0;
    printf("libc signal(SIGSTOP, SIG_IGN) is SIG_ERR: %d EINVAL=%d\n", signal(SIGSTOP, SIG_IGN) == SIG_ERR, errno == EINVAL);

    /* a catchable signal: set and read back */
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    printf("SIGUSR1 -> handler: %d\n", sigaction(SIGUSR1, &sa, NULL));
    struct sigaction q;
    sigaction(SIGUSR1, NULL, &q);
    printf("read back: is the handler %d\n", q.sa_handler == handler);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR1, &sa, &q);
    printf("SIGUSR1 -> SIG_IGN, old was the handler %d\n", q.sa_handler == handler);
    sigaction(SIGUSR1, NULL, &q);
    printf("read back: SIG_IGN %d\n", q.sa_handler == SIG_IGN);
    return 0;
}
