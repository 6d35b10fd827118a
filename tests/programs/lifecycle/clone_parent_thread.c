/* F4: CLONE_PARENT gives the child the caller's parent: the caller cannot
   wait for it, its grandparent can, and its exit signal is the caller's own
   (SIGCHLD), not the one asked for. CLONE_THREAD gives the thread the
   process's parent and tgid; a thread has no exit signal: its end sends no
   SIGCHLD to anyone and it is never waited for (X7). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static pid_t top;                 /* the test's main process */
static int go[2], back[2];

static int sibling(void *arg)      /* made by C with CLONE_PARENT: its parent is top */
{
    (void)arg;
    char c;
    read(go[0], &c, 1);
    return getppid() == top ? 40 : 41;
}

struct info { pid_t pid, ppid, tid; };
static void *thread_main(void *arg)
{
    struct info *i = arg;
    i->pid = getpid();
    i->ppid = getppid();
    i->tid = (pid_t)syscall(SYS_gettid);
    return 0;
}

static int chld_pending(void)
{
    sigset_t s;
    sigpending(&s);
    return sigismember(&s, SIGCHLD);
}

int main(void)
{
    top = getpid();
    pipe(go);
    pipe(back);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, 0);

    /* CLONE_PARENT, from a child C */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        long s = clone_fn(CLONE_PARENT | SIGUSR1, 0, 0, 0, 0, sibling, 0);
        write(back[1], &s, sizeof s);
        int st;
        errno = 0;
        int r = waitpid((pid_t)s, &st, __WALL | WNOHANG);
        printf("C: cannot wait for its CLONE_PARENT child (ECHILD): %d\n", r == -1 && errno == ECHILD);
        fflush(stdout);
        _exit(0);
    }
    long s;
    read(back[0], &s, sizeof s);
    int st;
    waitpid(c, &st, 0);
    write(go[1], "x", 1);
    pid_t got = waitpid((pid_t)s, &st, 0);     /* no __WCLONE: its exit signal is SIGCHLD */
    printf("top: reaped the CLONE_PARENT child without __WCLONE: %d, its ppid was top: %d\n",
           got == s, WIFEXITED(st) && WEXITSTATUS(st) == 40);

    /* CLONE_THREAD: same tgid, same parent, no exit signal */
    sigprocmask(SIG_UNBLOCK, &chld, 0);
    signal(SIGCHLD, SIG_IGN);                    /* discard what is pending */
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_BLOCK, &chld, 0);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct info i;
        pthread_t t;
        pthread_create(&t, 0, thread_main, &i);
        pthread_join(t, 0);
        printf("C's thread: same tgid %d, same parent %d, own tid %d\n",
               i.pid == getpid(), i.ppid == getppid(), i.tid != getpid());
        errno = 0;
        printf("C's thread: not waitable (ECHILD) %d\n",
               waitpid(i.tid, &st, __WALL | WNOHANG) == -1 && errno == ECHILD);
        fflush(stdout);
        write(back[1], "t", 1);
        read(go[0], &st, 1);
        _exit(0);
    }
    char ch;
    read(back[0], &ch, 1);
    printf("top: SIGCHLD pending after C's thread ended: %d\n", chld_pending());
    write(go[1], "x", 1);
    waitpid(c, &st, 0);
    printf("top: SIGCHLD pending after C ended: %d\n", chld_pending());
    return 0;
}
