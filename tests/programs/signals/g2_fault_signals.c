/* G2/G4/X1/E3: signals the kernel makes from faults, with their siginfo.
   SIGSEGV: unmapped address (SEGV_MAPERR, si_addr = the address), write to a
   read-only page or to the program's text (SEGV_ACCERR), executing a
   non-executable page (SEGV_ACCERR, si_addr = the page), a non-canonical
   address (general protection: SI_KERNEL, si_addr 0). SIGFPE from integer
   division by zero and from INT_MIN / -1 (FPE_INTDIV). SIGILL from ud2 and
   __builtin_trap (ILL_ILLOPN, si_addr = the instruction). SIGTRAP from int3
   (SI_KERNEL; the handler returns after the int3). Handlers leave with
   siglongjmp. Then the same faults with SIG_DFL kill children (core bit 0
   under RLIMIT_CORE 0). */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigjmp_buf env;
static volatile int g_sig, g_code;
static void *volatile g_addr;
static volatile int jump = 1;

static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    g_sig = sig;
    g_code = si->si_code;
    g_addr = si->si_addr;
    if (jump) siglongjmp(env, 1);
}

static const char *code(int sig, int c) {
    if (c == SI_KERNEL) return "SI_KERNEL";
    if (sig == SIGSEGV) return c == SEGV_MAPERR ? "SEGV_MAPERR" : c == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
    if (sig == SIGFPE) return c == FPE_INTDIV ? "FPE_INTDIV" : "other";
    if (sig == SIGILL) return c == ILL_ILLOPN ? "ILL_ILLOPN" : "other";
    return "other";
}

static void report(const char *what, void *expect) {
    printf("%-28s signal %d %s, si_addr as expected %d\n", what, g_sig, code(g_sig, g_code), g_addr == expect);
}

static volatile int zero = 0, minus_one = -1, int_min = INT_MIN, sink;

static void crash(int how) {
    if (how == 0) sink = 10 / zero;
    if (how == 1) __asm__ volatile("ud2");
    if (how == 2) __asm__ volatile("int3");
    if (how == 3) *(volatile int *)0x1000 = 1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);

    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *nx = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(nx, 0xc3, 4096);   /* "ret" everywhere, but the page is not executable */

    if (!sigsetjmp(env, 1)) sink = *(volatile int *)0x1000;
    report("read at 0x1000:", (void *)0x1000);
    if (!sigsetjmp(env, 1)) ro[16] = 1;
    report("write to a PROT_READ page:", ro + 16);
    if (!sigsetjmp(env, 1)) *(volatile char *)(void *)crash = 0;
    report("write to the text:", (void *)crash);
    if (!sigsetjmp(env, 1)) ((void (*)(void))nx)();
    report("call into a PROT_READ|WRITE page:", nx);
    if (!sigsetjmp(env, 1)) sink = *(volatile int *)(uintptr_t)0x8000000000000000ull;
    report("non-canonical address:", NULL);
    if (!sigsetjmp(env, 1)) sink = 10 / zero;
    printf("%-28s signal %d %s\n", "10 / 0:", g_sig, code(g_sig, g_code));
    if (!sigsetjmp(env, 1)) sink = int_min / minus_one;
    printf("%-28s signal %d %s\n", "INT_MIN / -1:", g_sig, code(g_sig, g_code));

    void *volatile at = NULL;
    if (!sigsetjmp(env, 1)) __asm__ volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, %0\n1:\tud2" : "=m"(at) : : "rax", "memory");
    report("ud2:", at);
    if (!sigsetjmp(env, 1)) {
        __asm__ volatile("leaq 1f(%%rip), %%rax\n\tmovq %%rax, %0\n1:" : "=m"(at) : : "rax", "memory");
        __builtin_trap();
    }
    printf("%-28s signal %d %s, si_addr at or after the label %d\n", "__builtin_trap:", g_sig, code(g_sig, g_code),
           (char *)g_addr >= (char *)at && (char *)g_addr < (char *)at + 64);

    jump = 0;
    g_sig = 0;
    __asm__ volatile("int3");
    printf("%-28s signal %d %s, handler returned and execution went on\n", "int3:", g_sig, code(g_sig, g_code));

    const char *what[] = {"10 / 0", "ud2", "int3", "write at 0x1000"};
    for (int i = 0; i < 4; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            struct rlimit rl = {0, 0};
            setrlimit(RLIMIT_CORE, &rl);
            signal(SIGSEGV, SIG_DFL);
            signal(SIGFPE, SIG_DFL);
            signal(SIGILL, SIG_DFL);
            signal(SIGTRAP, SIG_DFL);
            crash(i);
            _exit(0);
        }
        int st;
        waitpid(pid, &st, 0);
        printf("child doing %s: killed %d by %d, core bit %d\n", what[i], WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
    }
    return 0;
}
