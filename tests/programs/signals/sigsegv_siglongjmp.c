/* G4/G1: a SIGSEGV handler that siglongjmps out. With sigsetjmp(env, 1) the
   mask saved at sigsetjmp comes back, so the handler catches the fault again
   and again. With sigsetjmp(env, 0) SIGSEGV stays blocked after the jump
   (the handler's mask), and the next fault cannot be delivered to the handler:
   the kernel forces it (unblock, SIG_DFL) and the child dies by SIGSEGV. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigjmp_buf env;
static volatile int caught;
static void on_segv(int sig) { (void)sig; caught++; siglongjmp(env, 1); }

static int segv_blocked(void) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, SIGSEGV);
}

int main(void) {
    signal(SIGSEGV, on_segv);
    for (int i = 0; i < 3; i++) {
        if (sigsetjmp(env, 1) == 0) *(volatile int *)8 = i;
        printf("round %d: caught %d, SIGSEGV blocked after the jump %d\n", i, caught, segv_blocked());
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        caught = 0;
        if (sigsetjmp(env, 0) == 0) *(volatile int *)8 = 1;
        printf("child, no saved mask: caught %d, SIGSEGV blocked after the jump %d\n", caught, segv_blocked());
        fflush(stdout);
        if (sigsetjmp(env, 0) == 0) *(volatile int *)8 = 2;
        printf("child: survived the second fault (unexpected)\n");
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    return 0;
}
