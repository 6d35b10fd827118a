/* F2/X2: the tid flags of clone. CLONE_PARENT_SETTID writes the new tid in the
   parent's memory before clone returns; CLONE_CHILD_SETTID writes it in the
   child's memory (the parent's own copy when there is no CLONE_VM);
   CLONE_CHILD_CLEARTID makes the exit of a child that shares the mm write 0
   there and wake a futex waiter (how pthread_join works, X2); CLONE_SETTLS
   sets the child's FS base. set_tid_address returns the caller's tid. */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static char stack[65536] __attribute__((aligned(16)));
static int ptid, ctid;
static volatile long seen_ctid, seen_fs, seen_magic, seen_tid;
static int gate;                    /* the thread waits here until released */
static int started;                 /* and says here that it runs */
static struct { void *self; long magic; } tls_block;

static int check_own_ctid(void *a)  /* no CLONE_VM: is our copy of ctid our tid? */
{
    (void)a;
    return ctid == rsys(SYS_gettid, 0, 0, 0, 0) ? 50 : 51;
}

static int note_ctid(void *a)
{
    (void)a;
    seen_ctid = ctid;
    seen_tid = rsys(SYS_gettid, 0, 0, 0, 0);
    return 0;
}

static int tls_child(void *a)
{
    (void)a;
    long fs = 0, magic;
    rsys(SYS_arch_prctl, ARCH_GET_FS, (long)&fs, 0, 0);
    __asm__ volatile("mov %%fs:8, %0" : "=r"(magic));
    seen_fs = fs;
    seen_magic = magic;
    return 0;
}

static int waiting_thread(void *a)
{
    (void)a;
    __atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
    rsys(SYS_futex, (long)&started, FUTEX_WAKE, 1, 0);
    while (__atomic_load_n(&gate, __ATOMIC_SEQ_CST) == 0)
        rsys(SYS_futex, (long)&gate, FUTEX_WAIT, 0, 0);
    return 0;
}

static void wait_started(void)
{
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) == 0)
        syscall(SYS_futex, &started, FUTEX_WAIT, 0, 0, 0, 0);
    started = 0;
}

static void wait_cleared(int *w)
{
    int v;
    while ((v = __atomic_load_n(w, __ATOMIC_SEQ_CST)) != 0)
        syscall(SYS_futex, w, FUTEX_WAIT, v, 0, 0, 0);
}

int main(void)
{
    int st;
    /* CLONE_PARENT_SETTID, fork-like */
    ptid = 0;
    long r = clone_fn(CLONE_PARENT_SETTID | SIGCHLD, 0, &ptid, 0, 0, check_own_ctid, 0);
    waitpid((pid_t)r, &st, 0);
    printf("PARENT_SETTID (no VM): parent's word holds the tid %d\n", ptid == r);

    /* CLONE_CHILD_SETTID without CLONE_VM: only the child's copy changes */
    ctid = 0;
    r = clone_fn(CLONE_CHILD_SETTID | SIGCHLD, 0, 0, &ctid, 0, check_own_ctid, 0);
    waitpid((pid_t)r, &st, 0);
    printf("CHILD_SETTID (no VM): child's copy holds its tid %d, parent's copy untouched %d\n",
           WEXITSTATUS(st) == 50, ctid == 0);

    /* CLONE_CHILD_SETTID with CLONE_VM: written before the child runs */
    ctid = 0;
    r = clone_fn(CLONE_VM | CLONE_CHILD_SETTID | SIGCHLD, stack + sizeof stack, 0, &ctid, 0, note_ctid, 0);
    waitpid((pid_t)r, &st, 0);
    printf("CHILD_SETTID (VM): child saw its tid in place %d, parent sees it %d\n",
           seen_ctid == r && seen_tid == r, ctid == r);

    /* CLONE_CHILD_CLEARTID: 0 and a futex wake at exit, for a thread */
    unsigned long tflags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                           CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    ptid = ctid = 0;
    gate = 0;
    r = clone_fn(tflags, stack + sizeof stack, &ptid, &ctid, 0, waiting_thread, 0);
    wait_started();                 /* CHILD_SETTID is written as the child starts */
    int before = ctid == r && ptid == r;
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &gate, FUTEX_WAKE, 1, 0, 0, 0);
    wait_cleared(&ctid);
    printf("CHILD_CLEARTID (thread): tid in both words once it runs %d, word cleared and waiter woken 1\n", before);

    /* CLONE_CHILD_CLEARTID for a process sharing the mm (CLONE_VM, not a thread) */
    ctid = 0;
    gate = 0;
    r = clone_fn(CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, stack + sizeof stack,
                 0, &ctid, 0, waiting_thread, 0);
    wait_started();
    before = ctid == r;
    __atomic_store_n(&gate, 1, __ATOMIC_SEQ_CST);
    syscall(SYS_futex, &gate, FUTEX_WAKE, 1, 0, 0, 0);
    wait_cleared(&ctid);
    pid_t got = waitpid((pid_t)r, &st, 0);
    printf("CHILD_CLEARTID (VM process): tid set %d, cleared at exit 1, then reaped %d\n", before, got == r);

    /* CLONE_SETTLS */
    tls_block.self = &tls_block;
    tls_block.magic = 0x5eed;
    r = clone_fn(CLONE_VM | CLONE_SETTLS | SIGCHLD, stack + sizeof stack, 0, 0, &tls_block, tls_child, 0);
    waitpid((pid_t)r, &st, 0);
    long my_fs = 0;
    syscall(SYS_arch_prctl, ARCH_GET_FS, &my_fs);
    printf("SETTLS: child's FS base is the new block %d, reads its magic %d, parent's FS unchanged %d\n",
           seen_fs == (long)&tls_block, seen_magic == 0x5eed, my_fs != (long)&tls_block);

    /* set_tid_address returns our tid */
    static int exit_word;
    printf("set_tid_address returns the caller's tid: %d\n",
           syscall(SYS_set_tid_address, &exit_word) == syscall(SYS_gettid));
    return 0;
}
