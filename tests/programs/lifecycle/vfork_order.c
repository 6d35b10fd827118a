/* F7/X2: vfork suspends the parent until the child exits or execs. After an
   _exit the parent finds everything the child did (writes to shared memory, a
   byte in a pipe); after an exec the parent runs again while the child, now a
   new program, is still alive: here the new program waits for a byte that
   only the resumed parent sends. clone(CLONE_VFORK) without CLONE_VM also
   makes the parent wait (vfork_done is released at exit, X2). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static int steps;
static int pfd[2];

static int slow_child(void *a)       /* no CLONE_VM: does work, then writes, then exits */
{
    (void)a;
    for (volatile int i = 0; i < 2000000; i++) {}
    write(pfd[1], "d", 1);
    return 8;
}

int main(int argc, char **argv)
{
    if (argc == 3) {                 /* the exec'd vfork child: fd to read, expected byte */
        char c = 0;
        read(atoi(argv[1]), &c, 1);
        printf("exec'd child: got the parent's byte '%c' %d\n", c, c == argv[2][0]);
        return 9;
    }
    int st;
    pipe(pfd);
    fcntl(pfd[0], F_SETFL, O_NONBLOCK);

    /* vfork + _exit: the parent sees all the child did */
    steps = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        for (int i = 0; i < 3; i++) steps++;
        write(pfd[1], "v", 1);
        _exit(6);
    }
    char c = 0;
    int n = read(pfd[0], &c, 1);
    waitpid(pid, &st, 0);
    printf("vfork+_exit: steps %d, byte there on return %d, status %d\n", steps, n == 1 && c == 'v',
           WEXITSTATUS(st));

    /* vfork + exec: the parent resumes while the child lives on */
    int p[2];
    pipe(p);
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", p[0]);
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        execl(argv[0], argv[0], fdarg, "K", (char *)0);
        _exit(127);
    }
    printf("vfork+exec: parent resumed, child still alive %d\n", waitpid(pid, &st, WNOHANG) == 0);
    fflush(stdout);
    write(p[1], "K", 1);
    waitpid(pid, &st, 0);
    printf("vfork+exec: child then exited with %d\n", WEXITSTATUS(st));

    /* CLONE_VFORK without CLONE_VM */
    long r = clone_fn(CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, slow_child, 0);
    c = 0;
    n = read(pfd[0], &c, 1);
    waitpid((pid_t)r, &st, 0);
    printf("clone(CLONE_VFORK) without CLONE_VM: child's byte there on return %d, status %d\n",
           n == 1 && c == 'd', WEXITSTATUS(st));
    return 0;
}
