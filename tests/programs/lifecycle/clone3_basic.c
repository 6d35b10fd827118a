/* F1/F2/F4: clone3 goes through the same copy_process as clone. A fork-like
   clone3 returns 0 in the child and the pid in the parent; the struct may be
   the 64-byte first version; exit_signal 0 needs __WCLONE; parent_tid and
   child_tid are written like clone's SETTID flags; stack + stack_size give a
   CLONE_VM|CLONE_VFORK child its own stack; a CLONE_THREAD clone3 shares the
   tgid and its CHILD_CLEARTID word is cleared at exit; CLONE_CLEAR_SIGHAND
   resets handled signals to SIG_DFL but keeps ignored ones ignored. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
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
static volatile int word;
static volatile long tpid, ttid;
static int ctid, ptid;

static int vm_child(void *a) { (void)a; word = 5; return 3; }
static int thread_child(void *a)
{
    (void)a;
    tpid = rsys(SYS_getpid, 0, 0, 0, 0);
    ttid = rsys(SYS_gettid, 0, 0, 0, 0);
    return 0;
}
static void on_usr1(int s) { (void)s; }
static int sighand_child(void *a)
{
    (void)a;
    unsigned long old1[4], old2[4];
    rsys(SYS_rt_sigaction, SIGUSR1, 0, (long)old1, 8);
    rsys(SYS_rt_sigaction, SIGUSR2, 0, (long)old2, 8);
    return (old1[0] == (unsigned long)SIG_DFL) * 2 + (old2[0] == (unsigned long)SIG_IGN);
}
static int own_ctid(void *a)
{
    (void)a;
    return ctid == rsys(SYS_gettid, 0, 0, 0, 0) ? 60 : 61;
}

int main(void)
{
    struct clone_args_v2 a;
    int st;
    pid_t me = getpid();

    /* fork-like, full struct and the 64-byte version 0 */
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    fflush(stdout);
    long r = syscall(435, &a, sizeof a);
    if (r == 0) _exit(getppid() == me ? 21 : 22);
    pid_t got = waitpid((pid_t)r, &st, 0);
    printf("clone3 fork-like: pid returned %d, child saw ppid %d\n", got == r, WEXITSTATUS(st) == 21);
    r = syscall(435, &a, 64);
    if (r == 0) _exit(23);
    got = waitpid((pid_t)r, &st, 0);
    printf("clone3 with the 64-byte struct: works %d, status %d\n", got == r, WEXITSTATUS(st));

    /* exit_signal 0: __WCLONE */
    memset(&a, 0, sizeof a);
    r = syscall(435, &a, sizeof a);
    if (r == 0) _exit(24);
    errno = 0;
    int plain = waitpid((pid_t)r, &st, 0) == -1 && errno == ECHILD;
    got = waitpid((pid_t)r, &st, __WCLONE);
    printf("clone3 exit_signal 0: plain wait ECHILD %d, __WCLONE reaps %d, status %d\n",
           plain, got == r, WEXITSTATUS(st));

    /* parent_tid / child_tid */
    memset(&a, 0, sizeof a);
    a.flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID;
    a.exit_signal = SIGCHLD;
    a.parent_tid = (uint64_t)(long)&ptid;
    a.child_tid = (uint64_t)(long)&ctid;
    ptid = ctid = 0;
    r = clone3_fn(&a, sizeof a, own_ctid, 0);
    waitpid((pid_t)r, &st, 0);
    printf("clone3 PARENT_SETTID: parent's word is the pid %d; CHILD_SETTID: child's copy %d, parent's copy untouched %d\n",
           ptid == r, WEXITSTATUS(st) == 60, ctid == 0);

    /* CLONE_VM|CLONE_VFORK on a stack of its own */
    memset(&a, 0, sizeof a);
    a.flags = CLONE_VM | CLONE_VFORK;
    a.exit_signal = SIGCHLD;
    a.stack = (uint64_t)(long)stack;
    a.stack_size = sizeof stack;
    word = 0;
    r = clone3_fn(&a, sizeof a, vm_child, 0);
    int seen = word;
    got = waitpid((pid_t)r, &st, 0);
    printf("clone3 VM|VFORK: child's write seen on return %d, status %d\n", seen == 5 && got == r, WEXITSTATUS(st));

    /* a thread */
    memset(&a, 0, sizeof a);
    a.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
              CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    a.stack = (uint64_t)(long)stack;
    a.stack_size = sizeof stack;
    a.parent_tid = (uint64_t)(long)&ptid;
    a.child_tid = (uint64_t)(long)&ctid;
    ptid = 0;
    ctid = -1;
    r = clone3_fn(&a, sizeof a, thread_child, 0);
    int ok_ptid = ptid == r;
    int v;
    while ((v = __atomic_load_n(&ctid, __ATOMIC_SEQ_CST)) != 0)
        syscall(SYS_futex, &ctid, FUTEX_WAIT, v, 0, 0, 0);
    printf("clone3 thread: same tgid %d, own tid %d, parent_tid %d, cleared at exit 1\n",
           tpid == me, ttid == r && ttid != me, ok_ptid);

    /* CLONE_CLEAR_SIGHAND */
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, SIG_IGN);
    memset(&a, 0, sizeof a);
    a.flags = CLONE_CLEAR_SIGHAND;
    a.exit_signal = SIGCHLD;
    r = clone3_fn(&a, sizeof a, sighand_child, 0);
    waitpid((pid_t)r, &st, 0);
    printf("clone3 CLEAR_SIGHAND: handler reset to SIG_DFL %d, SIG_IGN kept %d\n",
           (WEXITSTATUS(st) & 2) != 0, (WEXITSTATUS(st) & 1) != 0);
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    r = clone3_fn(&a, sizeof a, sighand_child, 0);
    waitpid((pid_t)r, &st, 0);
    printf("clone3 without it: handler kept (not SIG_DFL) %d\n", (WEXITSTATUS(st) & 2) == 0);
    return 0;
}
