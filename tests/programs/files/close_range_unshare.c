/* close_range(2) closes or marks close-on-exec a range of fds;
   unshare(CLONE_FILES) / unshare(CLONE_FS) give a task sharing its fd table
   or cwd (clone with CLONE_FILES / CLONE_FS) its own copy, after which its
   changes no longer reach the parent. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/syscall.h>
#include "files_util.h"
#include "../lifecycle/raw_clone.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static char stack[65536] __attribute__((aligned(16)));
static int victim;

static int close_after_unshare(void *a)
{
    (void)a;
    long r = rsys(SYS_unshare, CLONE_FILES, 0, 0, 0);
    rsys(SYS_close, victim, 0, 0, 0);
    return (int)-r;
}

static int chdir_after_unshare(void *a)
{
    (void)a;
    long r = rsys(SYS_unshare, CLONE_FS, 0, 0, 0);
    rsys(SYS_chdir, (long)"/", 0, 0, 0);
    return (int)-r;
}

static int close_shared(void *a)
{
    (void)a;
    return (int)-rsys(SYS_close, victim, 0, 0, 0);
}

static void run(const char *what, unsigned long flags, int (*fn)(void *))
{
    long pid = clone_fn(flags | SIGCHLD, stack + sizeof stack, NULL, NULL, NULL, fn, NULL);
    int st;
    waitpid((pid_t)pid, &st, 0);
    printf("%s: child returned %d\n", what, WEXITSTATUS(st));
}

int main(void)
{
    enter_tmpdir();
    int base = open(".", O_RDONLY);
    for (int i = 0; i < 4; i++)
        open(".", O_RDONLY);
    SHOW("cloexec range", syscall(SYS_close_range, base + 1, base + 2, CLOSE_RANGE_CLOEXEC));
    for (int i = 0; i < 5; i++)
        printf("fd base+%d: flags %d\n", i, fcntl(base + i, F_GETFD));
    SHOW("close to the end", syscall(SYS_close_range, base + 2, ~0U, 0));
    for (int i = 0; i < 5; i++)
        printf("fd base+%d: %s\n", i, fcntl(base + i, F_GETFD) < 0 ? ename(errno) : "open");
    SHOW("first > last", syscall(SYS_close_range, 5, 4, 0));
    SHOW("bad flags", syscall(SYS_close_range, 3, 4, 1));
    SHOW("unshare and close", syscall(SYS_close_range, base + 1, base + 1, CLOSE_RANGE_UNSHARE));

    victim = dup(1);
    run("unshare(CLONE_FILES) then close", CLONE_FILES, close_after_unshare);
    printf("parent's fd after that: %s\n", fcntl(victim, F_GETFD) < 0 ? ename(errno) : "open");
    run("close with a shared table", CLONE_FILES, close_shared);
    printf("parent's fd after that: %s\n", fcntl(victim, F_GETFD) < 0 ? ename(errno) : "open");

    char before[4096], after[4096];
    getcwd(before, sizeof before);
    run("unshare(CLONE_FS) then chdir", CLONE_FS, chdir_after_unshare);
    getcwd(after, sizeof after);
    printf("parent's cwd unchanged: %d\n", strcmp(before, after) == 0);

    SHOW("unshare nothing", unshare(0));
    SHOW("unshare CLONE_THREAD alone", unshare(CLONE_THREAD));
    SHOW("unshare CLONE_VM alone", unshare(CLONE_VM));
    SHOW("unshare a bad flag", unshare(CLONE_PTRACE));
    leave_tmpdir();
    return 0;
}
