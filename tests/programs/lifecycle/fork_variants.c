/* F1/F2: fork, the raw fork syscall, vfork, clone(SIGCHLD), clone(CLONE_VFORK|
   CLONE_VM|SIGCHLD) and a thread-style clone all make a new task; the child
   sees 0, the parent gets the child's pid (F2). A clone whose exit signal is 0
   is waited for only with __WALL (X7). The thread-style clone shares the
   caller's tgid and gets a tid of its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

/* A raw syscall that never touches errno (children sharing our TLS use it). */
static char stack1[65536] __attribute__((aligned(16)));
static char stack2[65536] __attribute__((aligned(16)));
static volatile int shared_word;
static volatile long child_pid_seen, child_tid_seen;
static int ctid_word;

static int report_pid(void *arg)           /* writes its pid into the pipe */
{
    int fd = (int)(long)arg;
    int pid = (int)rsys(SYS_getpid, 0, 0, 0, 0);
    rsys(SYS_write, fd, (long)&pid, sizeof pid, 0);
    return 12;
}

static int vm_child(void *arg)
{
    (void)arg;
    shared_word = 42;
    return 13;
}

static int thread_child(void *arg)
{
    (void)arg;
    child_pid_seen = rsys(SYS_getpid, 0, 0, 0, 0);
    child_tid_seen = rsys(SYS_gettid, 0, 0, 0, 0);
    return 0;
}

static int read_pid(int fd)
{
    int v = -1;
    if (read(fd, &v, sizeof v) != sizeof v) return -1;
    return v;
}

int main(void)
{
    int fd[2], st;
    pid_t me = getpid();
    pipe(fd);

    /* fork(): 0 in the child, the child's pid in the parent */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int p = getpid();
        write(fd[1], &p, sizeof p);
        _exit(getppid() == me ? 10 : 1);
    }
    int seen = read_pid(fd[0]);
    waitpid(pid, &st, 0);
    printf("fork: parent got child's pid %d, child's ppid ok (status %d)\n", seen == pid, WEXITSTATUS(st));

    /* the raw fork syscall */
    fflush(stdout);
    long r = syscall(SYS_fork);
    if (r == 0) {
        int p = (int)rsys(SYS_getpid, 0, 0, 0, 0);
        rsys(SYS_write, fd[1], (long)&p, sizeof p, 0);
        rsys(SYS_exit_group, 11, 0, 0, 0);
    }
    seen = read_pid(fd[0]);
    waitpid((pid_t)r, &st, 0);
    printf("SYS_fork: parent got child's pid %d, status %d\n", seen == r, WEXITSTATUS(st));

    /* clone(SIGCHLD) is a fork */
    r = clone_fn(SIGCHLD, 0, 0, 0, 0, report_pid, (void *)(long)fd[1]);
    seen = read_pid(fd[0]);
    pid_t got = waitpid((pid_t)r, &st, 0);
    printf("clone(SIGCHLD): parent got child's pid %d, waited without __WALL %d, status %d\n",
           seen == r, got == r, WEXITSTATUS(st));

    /* vfork(): the child shares memory, the parent resumes after _exit */
    shared_word = 0;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        shared_word = 7;
        _exit(14);
    }
    waitpid(pid, &st, 0);
    printf("vfork: parent sees child's write %d, status %d\n", shared_word == 7, WEXITSTATUS(st));

    /* clone(CLONE_VFORK|CLONE_VM|SIGCHLD) is vfork with a stack of its own */
    shared_word = 0;
    r = clone_fn(CLONE_VFORK | CLONE_VM | SIGCHLD, stack1 + sizeof stack1, 0, 0, 0, vm_child, 0);
    int after_return = shared_word;          /* the child has exited already */
    waitpid((pid_t)r, &st, 0);
    printf("clone(CLONE_VFORK|CLONE_VM): child's write seen on return %d, status %d\n",
           after_return == 42, WEXITSTATUS(st));

    /* exit signal 0: invisible to a plain wait, found with __WALL */
    r = clone_fn(0, 0, 0, 0, 0, report_pid, (void *)(long)fd[1]);
    seen = read_pid(fd[0]);
    errno = 0;
    got = waitpid((pid_t)r, &st, 0);
    printf("clone(exit signal 0): pid ok %d, plain wait ECHILD %d\n", seen == r, got == -1 && errno == ECHILD);
    got = waitpid((pid_t)r, &st, __WALL);
    printf("clone(exit signal 0): __WALL reaps it %d, status %d\n", got == r, WEXITSTATUS(st));

    /* a thread: the flags pthread_create uses, joined through CLONE_CHILD_CLEARTID */
    unsigned long tflags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                           CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
    int ptid = 0;
    ctid_word = -1;
    r = clone_fn(tflags, stack2 + sizeof stack2, &ptid, &ctid_word, 0, thread_child, 0);
    int saw_ptid = ptid == r;
    while (1) {
        int v = __atomic_load_n(&ctid_word, __ATOMIC_SEQ_CST);
        if (v == 0) break;
        syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, 0, 0, 0);
    }
    printf("thread: returned tid %d, same tgid %d, own tid differs from pid %d, tid matches %d\n",
           saw_ptid, child_pid_seen == me, child_tid_seen != me, child_tid_seen == r);
    errno = 0;
    printf("thread: cannot be waited for (ECHILD) %d\n", waitpid((pid_t)r, &st, __WALL) == -1 && errno == ECHILD);
    return 0;
}
