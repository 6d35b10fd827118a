/* F3: init (pid 1 of its pid namespace) may not use CLONE_PARENT: EINVAL (it
   would give init a sibling nobody reaps). The host kernel lets init create a
   thread (CLONE_THREAD works there); what fails with EINVAL is CLONE_THREAD
   from a task whose children go to another pid namespace (after
   unshare(CLONE_NEWPID)). The test makes its own init with
   unshare(CLONE_NEWPID) (needs root) and checks it is pid 1 with ppid 0.
   X4 in passing: a namespace init adopts the orphans inside it. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static char stack[65536] __attribute__((aligned(16)));
static int quit(void *arg) { (void)arg; return 99; }

static const char *name(long r)
{
    if (r > 0) { waitpid((pid_t)r, 0, __WALL); return "created a task"; }
    return r == -EINVAL ? "EINVAL" : "other error";
}

int main(void)
{
    if (unshare(CLONE_NEWPID) != 0) {
        printf("unshare(CLONE_NEWPID) failed (not root?)\n");
        return 1;
    }
    long t = clone_fn(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, stack + sizeof stack, 0, 0, 0, quit, 0);
    printf("after unshare: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> %s\n", name(t));
    fflush(stdout);
    pid_t init = fork();                     /* the first child is the namespace's init */
    if (init == 0) {
        printf("in the namespace: pid %d, ppid %d\n", getpid(), getppid());
        long r = clone_fn(CLONE_PARENT | SIGCHLD, stack + sizeof stack, 0, 0, 0, quit, 0);
        printf("init: clone(CLONE_PARENT) -> %s\n", name(r));
        r = clone_fn(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, stack + sizeof stack, 0, 0, 0, quit, 0);
        printf("init: clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM) -> %s\n", name(r));
        /* an orphan in the namespace goes to this init */
        int p[2];
        pipe(p);
        fflush(stdout);
        pid_t a = fork();
        if (a == 0) {
            pid_t b = fork();
            if (b == 0) {
                char c;
                close(p[1]);
                read(p[0], &c, 1);           /* after its parent is gone */
                _exit(getppid() == 1 ? 30 : 31);
            }
            _exit(0);
        }
        int st;
        waitpid(a, &st, 0);
        close(p[0]);
        close(p[1]);                          /* wake the orphan */
        wait(&st);
        printf("init: adopted orphan reaped, its ppid was 1: %d\n", WEXITSTATUS(st) == 30);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(init, &st, 0);
    printf("namespace init exited with %d\n", WEXITSTATUS(st));
    return 0;
}
