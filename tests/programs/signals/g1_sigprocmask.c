/* G1: masks through the raw rt_sigprocmask system call. SIGKILL and SIGSTOP
   are silently dropped from any mask (SIG_BLOCK and SIG_SETMASK); an unknown
   "how" is EINVAL (but not when only querying), a wrong sigsetsize is EINVAL.
   A child with every signal blocked still stops on SIGSTOP and dies on SIGKILL
   (G6, X8 status words). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define BIT(s) (1UL << ((s) - 1))

static long mask(int how, const unsigned long *set, unsigned long *old, unsigned long size) {
    long r = syscall(SYS_rt_sigprocmask, how, set, old, size);
    return r < 0 ? -errno : r;
}

static unsigned long current(void) {
    unsigned long m = 0;
    mask(SIG_BLOCK, NULL, &m, 8);
    return m;
}

int main(void) {
    unsigned long set, old;
    set = 0;
    mask(SIG_SETMASK, &set, NULL, 8);     /* start from an empty mask whatever was inherited */
    printf("empty mask %#lx\n", current());
    set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGUSR1);
    printf("SIG_BLOCK KILL|STOP|USR1: %ld, mask %#lx (USR1 is %#lx)\n", mask(SIG_BLOCK, &set, NULL, 8), current(), BIT(SIGUSR1));
    set = ~0UL;
    printf("SIG_SETMASK all ones: %ld, mask %#lx\n", mask(SIG_SETMASK, &set, &old, 8), current());
    printf("  old mask %#lx\n", old);
    set = BIT(SIGUSR2) | BIT(SIGTERM) | BIT(SIGKILL);
    printf("SIG_UNBLOCK USR2|TERM|KILL: %ld, mask %#lx\n", mask(SIG_UNBLOCK, &set, NULL, 8), current());
    printf("how=3 with a set: %s\n", mask(3, &set, NULL, 8) == -EINVAL ? "EINVAL" : "other");
    printf("how=3, query only: %ld\n", mask(3, NULL, &old, 8));
    printf("sigsetsize 4: %s\n", mask(SIG_BLOCK, &set, NULL, 4) == -EINVAL ? "EINVAL" : "other");
    printf("sigsetsize 16: %s\n", mask(SIG_BLOCK, NULL, &old, 16) == -EINVAL ? "EINVAL" : "other");
    printf("set at address 8: %s\n", mask(SIG_BLOCK, (void *)8, NULL, 8) == -EFAULT ? "EFAULT" : "other");
    set = 0;
    mask(SIG_SETMASK, &set, NULL, 8);
    printf("cleared: mask %#lx\n", current());
    fflush(stdout);

    /* everything blocked: SIGSTOP still stops, SIGKILL still kills */
    pid_t pid = fork();
    if (pid == 0) {
        unsigned long all = ~0UL;
        mask(SIG_SETMASK, &all, NULL, 8);
        raise(SIGSTOP);
        for (;;) pause();
    }
    int st;
    waitpid(pid, &st, WUNTRACED);
    printf("child with all blocked: stopped %d by %d, status %#x\n", WIFSTOPPED(st), WSTOPSIG(st), st);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("after SIGKILL: signaled %d by %d, status %#x\n", WIFSIGNALED(st), WTERMSIG(st), st);
    return 0;
}
