/* G4/X1 robustness: rt_sigreturn with a corrupt signal frame ends in SIGSEGV
   for the task, as on Linux, and the parent reports it. (1) the handler sets
   its ucontext's rip to 0; (2) the handler sets rsp to 0; (3) the handler
   points the saved FPU state (fpregs) at address 8; (4) rt_sigreturn called
   directly with rsp on a page of zeros (no handler involved); (5) the same
   with rsp in unmapped memory. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int how;
static void scribble(int sig, siginfo_t *si, void *ucv) {
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    if (how == 1) uc->uc_mcontext.gregs[REG_RIP] = 0;
    if (how == 2) uc->uc_mcontext.gregs[REG_RSP] = 0;
    if (how == 3) uc->uc_mcontext.fpregs = (void *)8;
}

static void sigreturn_with_stack(void *sp) {
    __asm__ volatile("movq %0, %%rsp\n\tmovl $15, %%eax\n\tsyscall\n\tud2" : : "r"(sp) : "rax", "memory");
}

int main(void) {
    static const char *what[] = {"", "rip = 0", "rsp = 0", "fpregs = 8", "direct, zero frame", "direct, unmapped rsp"};
    for (how = 1; how <= 5; how++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            struct rlimit rl = {0, 0};
            setrlimit(RLIMIT_CORE, &rl);
            if (how <= 3) {
                struct sigaction sa;
                memset(&sa, 0, sizeof sa);
                sa.sa_sigaction = scribble;
                sa.sa_flags = SA_SIGINFO;
                sigaction(SIGUSR1, &sa, NULL);
                raise(SIGUSR1);
            } else if (how == 4) {
                char *page = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                sigreturn_with_stack(page + 4096);
            } else {
                sigreturn_with_stack((void *)0x1000);
            }
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        printf("%-22s: killed %d by %d\n", what[how], WIFSIGNALED(st), WTERMSIG(st));
    }
    printf("parent still running\n");
    return 0;
}
