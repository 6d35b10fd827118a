/* F3: clone and clone3 refuse bad flag combinations with EINVAL before making
   anything: CLONE_THREAD without CLONE_SIGHAND, CLONE_SIGHAND without CLONE_VM,
   CLONE_NEWNS with CLONE_FS (also CLONE_NEWUSER with CLONE_FS), an exit signal
   above 64 (clone3), and clone3's own argument checks (CSIGNAL bits in flags,
   CLONE_DETACHED, unknown flag bits, a struct too small or too large, a stack
   without a size, CLONE_CLEAR_SIGHAND with CLONE_SIGHAND). Whatever the host
   does with an out-of-range exit signal in legacy clone is reproduced too.
   (CLONE_PARENT/CLONE_THREAD from init: see clone_parent_init.c.) */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static char stack[65536] __attribute__((aligned(16)));
static char big[8192] __attribute__((aligned(16)));

static int quit(void *arg)
{
    (void)arg;
    return 99;
}

static const char *result(long r)
{
    static char buf[64];
    if (r > 0) {
        int st;
        waitpid((pid_t)r, &st, __WALL);  /* made by mistake: collect it */
        return "created a task";
    }
    if (r == 0) return "returned 0";
    const char *name = r == -EINVAL ? "EINVAL" : r == -E2BIG ? "E2BIG" : r == -EPERM ? "EPERM" : 0;
    if (name) return name;
    snprintf(buf, sizeof buf, "errno %ld", -r);
    return buf;
}

static void try_clone(const char *what, unsigned long flags)
{
    long r = clone_fn(flags, stack + sizeof stack, 0, 0, 0, quit, 0);
    printf("clone %-34s -> %s\n", what, result(r));
}

static void try_clone3(const char *what, void *a, unsigned long size)
{
    long r = clone3_fn(a, size, quit, 0);
    printf("clone3 %-33s -> %s\n", what, result(r));
}

int main(void)
{
    signal(SIGUSR1, SIG_IGN);
    try_clone("THREAD|VM (no SIGHAND)", CLONE_THREAD | CLONE_VM | SIGCHLD);
    try_clone("THREAD alone", CLONE_THREAD);
    try_clone("SIGHAND (no VM)", CLONE_SIGHAND | SIGCHLD);
    try_clone("SIGHAND|THREAD (no VM)", CLONE_SIGHAND | CLONE_THREAD);
    try_clone("NEWNS|FS", CLONE_NEWNS | CLONE_FS | SIGCHLD);
    try_clone("NEWUSER|FS", CLONE_NEWUSER | CLONE_FS | SIGCHLD);

    struct clone_args_v2 a;
#define RESET() memset(&a, 0, sizeof a)
    RESET(); a.flags = CLONE_THREAD | CLONE_VM; try_clone3("THREAD|VM (no SIGHAND)", &a, sizeof a);
    RESET(); a.flags = CLONE_SIGHAND; a.exit_signal = SIGCHLD; try_clone3("SIGHAND (no VM)", &a, sizeof a);
    RESET(); a.flags = CLONE_NEWNS | CLONE_FS; a.exit_signal = SIGCHLD; try_clone3("NEWNS|FS", &a, sizeof a);
    RESET(); a.exit_signal = 65; try_clone3("exit_signal 65", &a, sizeof a);
    RESET(); a.exit_signal = 0x100 | SIGCHLD; try_clone3("exit_signal 0x111", &a, sizeof a);
    RESET(); a.flags = SIGCHLD; try_clone3("SIGCHLD inside flags", &a, sizeof a);
    RESET(); a.flags = CLONE_DETACHED; a.exit_signal = SIGCHLD; try_clone3("CLONE_DETACHED", &a, sizeof a);
    RESET(); a.flags = 1ULL << 40; a.exit_signal = SIGCHLD; try_clone3("unknown flag bit 40", &a, sizeof a);
    RESET(); a.exit_signal = SIGCHLD; try_clone3("size 63", &a, 63);
    RESET(); a.exit_signal = SIGCHLD; try_clone3("size 0", &a, 0);
    memset(big, 0, sizeof big);
    ((struct clone_args_v2 *)big)->exit_signal = SIGCHLD;
    try_clone3("size 8192 (more than a page)", big, sizeof big);
    big[100] = 1;
    try_clone3("size 4096, nonzero tail", big, 4096);
    RESET(); a.exit_signal = SIGCHLD; a.stack = (uint64_t)(long)stack; try_clone3("stack without stack_size", &a, sizeof a);
    RESET(); a.exit_signal = SIGCHLD; a.stack_size = 4096; try_clone3("stack_size without stack", &a, sizeof a);
    RESET(); a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND; a.exit_signal = SIGCHLD;
    a.stack = (uint64_t)(long)stack; a.stack_size = sizeof stack;
    try_clone3("SIGHAND|VM|CLEAR_SIGHAND", &a, sizeof a);
    RESET(); a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID; a.exit_signal = SIGCHLD;
    int fdslot = -1;
    a.pidfd = (uint64_t)(long)&fdslot; a.parent_tid = (uint64_t)(long)&fdslot;
    try_clone3("PIDFD|PARENT_SETTID, same address", &a, sizeof a);

    /* the legacy call has only 8 bits for the exit signal: what does 65 do? */
    long r = clone_fn(65, stack + sizeof stack, 0, 0, 0, quit, 0);
    printf("clone %-34s -> %s\n", "exit signal 65 (legacy, 8 bits)", result(r));
    /* and a valid combination still works after all these failures */
    r = clone_fn(SIGCHLD, stack + sizeof stack, 0, 0, 0, quit, 0);
    int st = 0;
    int reaped = r > 0 && waitpid((pid_t)r, &st, 0) == r;
    printf("clone SIGCHLD works: %d, status %d\n", reaped, WEXITSTATUS(st));
    return 0;
}
