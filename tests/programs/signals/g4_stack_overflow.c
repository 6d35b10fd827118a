/* G4/E3: a runaway recursion runs off the stack (RLIMIT_STACK lowered to
   1 MiB to keep it short): SIGSEGV. With a handler on the alternate stack
   (SA_ONSTACK) the program catches it and siglongjmps back. Without an
   alternate stack the kernel cannot build the frame on the full stack, so the
   child dies by SIGSEGV although a handler is installed. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigjmp_buf env;
static char alt[65536] __attribute__((aligned(16)));
static volatile int caught, on_alt;

static void on_segv(int sig) {
    volatile char here;
    (void)sig;
    caught++;
    on_alt = (char *)&here >= alt && (char *)&here < alt + sizeof alt;
    siglongjmp(env, 1);
}

static int recurse(int n) {
    volatile char pad[512];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

int main(void) {
    struct rlimit rl = {1 << 20, 1 << 20};
    setrlimit(RLIMIT_STACK, &rl);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit core = {0, 0};
        setrlimit(RLIMIT_CORE, &core);
        signal(SIGSEGV, on_segv);          /* no alternate stack */
        if (sigsetjmp(env, 1) == 0) recurse(0);
        printf("child: caught %d (unexpected)\n", caught);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("overflow with a handler but no alternate stack: killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));

    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    for (int i = 0; i < 2; i++) {
        if (sigsetjmp(env, 1) == 0) recurse(0);
        printf("overflow %d caught on the alternate stack: caught %d, on it %d\n", i + 1, caught, on_alt);
    }
    return 0;
}
