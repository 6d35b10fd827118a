/* I1 (files_struct), F5: the fd table. A new fd is the lowest free number;
   fork copies the table (the child's close and open leave the parent's alone)
   while clone(CLONE_FILES) shares it (the child's close and dup are the
   parent's). RLIMIT_NOFILE bounds the numbers: open fails with EMFILE, dup2
   beyond it with EBADF, F_DUPFD with EINVAL. close of a closed fd is EBADF.
   A process's fds are closed when it exits: the read end of a pipe whose only
   writer was a child sees EOF once that child is gone (exited or killed).
   Only pipes are used, so nothing touches the filesystem. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "files_util.h"
#include "../lifecycle/raw_clone.h"

static char stack[65536] __attribute__((aligned(16)));
static int victim;
static volatile long dup_in_child;

static int close_victim(void *a) { (void)a; return (int)rsys(SYS_close, victim, 0, 0, 0); }
static int dup_stdout(void *a) { (void)a; dup_in_child = rsys(SYS_dup, 1, 0, 0, 0); return 0; }

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static void run_clone(unsigned long flags, int (*fn)(void *))
{
    long pid = clone_fn(flags | SIGCHLD, stack + sizeof stack, 0, 0, 0, fn, 0);
    if (pid <= 0)
        printf("  (clone %#lx failed)\n", flags);
    else
        reap((pid_t)pid);
}

int main(void)
{
    int p[2], q[2];
    pipe(p);
    pipe(q);
    printf("pipe fds are the lowest free: %d %d %d %d\n", p[0], p[1], q[0], q[1]);
    close(p[1]);
    SHOW("dup takes the hole left by close", dup(0));
    close(p[1]);
    SHOW("close of a closed fd", close(p[1]));
    SHOW("close(-1)", close(-1));

    /* fork: a copy */
    victim = q[0];
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(victim);
        _exit(is_open(victim));
    }
    printf("fork child closed fd %d: %s\n", victim, reap(pid));
    printf("fork: fd %d still open in the parent %d\n", victim, is_open(victim));

    /* CLONE_FILES: shared */
    dup_in_child = -1;
    run_clone(CLONE_VM | CLONE_FILES, dup_stdout);
    printf("CLONE_FILES: child's dup got fd %ld, open in the parent %d\n", dup_in_child,
           dup_in_child >= 0 && is_open((int)dup_in_child));
    close((int)dup_in_child);
    run_clone(CLONE_FILES, close_victim);
    printf("CLONE_FILES: fd %d closed by the child %d\n", victim, !is_open(victim));
    victim = q[1];
    run_clone(0, close_victim);
    printf("no CLONE_FILES: fd %d still open after the child's close %d\n", victim, is_open(victim));

    /* close on exit */
    int r[2];
    char c;
    pipe(r);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(r[0]);
        write(r[1], "x", 1);
        _exit(0);                      /* r[1] is closed by exit */
    }
    close(r[1]);
    printf("child wrote and exited: %s\n", reap(pid));
    SHOW("read its byte", read(r[0], &c, 1));
    SHOW("then EOF", read(r[0], &c, 1));
    close(r[0]);
    pipe(r);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(r[0]);
        pause();
        _exit(0);
    }
    close(r[1]);
    kill(pid, SIGKILL);
    printf("child killed: %s\n", reap(pid));
    SHOW("EOF after the killed writer", read(r[0], &c, 1));

    /* RLIMIT_NOFILE */
    struct rlimit rl = {8, 8};
    setrlimit(RLIMIT_NOFILE, &rl);
    int last = -1, n = 0;
    errno = 0;
    for (int fd; (fd = dup(0)) >= 0; n++)
        last = fd;
    printf("with RLIMIT_NOFILE 8: %d more dups, the last fd %d, then %s\n", n, last, ename(errno));
    SHOW("dup2 to fd 8", dup2(0, 8));
    SHOW("dup2 to fd 7 (open: replaced)", dup2(0, 7));
    SHOW("F_DUPFD from 8", fcntl(0, F_DUPFD, 8));
    close(3);
    SHOW("F_DUPFD from 0 after closing 3", fcntl(0, F_DUPFD, 0));
    return 0;
}
