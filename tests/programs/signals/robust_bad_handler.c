/* G4/X1 robustness: bad handler setups end in SIGSEGV for the task, as on
   Linux, and the parent reports it. (1) sa_handler = (void *)8: the jump
   faults. (2) SIGSEGV's own handler is (void *)8: the second fault comes while
   SIGSEGV is blocked, so the kernel forces the default action. (3) rsp points
   at unmapped memory when a handled signal (SIGILL from ud2) arrives: the
   frame cannot be written. (4) sa_restorer = (void *)8 with SA_RESTORER: the
   handler runs, its return faults. (5) no SA_RESTORER at all (raw
   rt_sigaction): x86-64 refuses to build the frame, the handler never runs. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
struct ksa { void *handler; unsigned long flags; void *restorer; unsigned long mask; };

static int note[2];
static void on_sig(int sig) { (void)sig; write(note[1], "h", 1); }

static void run(int how) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        struct ksa k = {0};
        switch (how) {
        case 1:
            sa.sa_handler = (void (*)(int))8;
            sigaction(SIGUSR1, &sa, NULL);
            raise(SIGUSR1);
            break;
        case 2:
            sa.sa_handler = (void (*)(int))8;
            sigaction(SIGSEGV, &sa, NULL);
            raise(SIGSEGV);
            break;
        case 3:
            sa.sa_handler = on_sig;
            sigaction(SIGILL, &sa, NULL);
            __asm__ volatile("movq $0x10, %%rsp\n\tud2" : : : "memory");
            break;
        case 4:
            k.handler = (void *)on_sig;
            k.flags = SA_RESTORER;
            k.restorer = (void *)8;
            syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 8);
            syscall(SYS_kill, getpid(), SIGUSR1);
            break;
        case 5:
            k.handler = (void *)on_sig;
            k.flags = 0;
            syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 8);
            syscall(SYS_kill, getpid(), SIGUSR1);
            break;
        }
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    char buf[4];
    ssize_t n = read(note[0], buf, sizeof buf);
    printf("case %d: killed %d by %d, handler ran %d\n", how, WIFSIGNALED(st), WTERMSIG(st), n > 0);
}

int main(void) {
    pipe(note);
    fcntl(note[0], F_SETFL, O_NONBLOCK);   /* the child is gone when we look */
    for (int i = 1; i <= 5; i++) run(i);
    printf("parent still running\n");
    return 0;
}
