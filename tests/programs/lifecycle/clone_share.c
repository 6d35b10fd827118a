/* F2/F5: copy_process shares or copies by flag. With CLONE_VM the child's
   writes land in the parent's memory, with CLONE_FS its umask and cwd change
   the parent's, with CLONE_FILES its open/close change the parent's fd table,
   with CLONE_SIGHAND (needs CLONE_VM) its sigaction changes the parent's
   dispositions. Without the flag each is a copy and the parent sees nothing.
   The children use raw syscalls only, since they may share our memory. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "raw_clone.h"

static char stack[65536] __attribute__((aligned(16)));
static volatile int word;
static int victim_fd;
static volatile long new_fd;

static int touch_vm(void *a) { (void)a; word = 2; return 0; }
static int touch_umask(void *a) { (void)a; rsys(SYS_umask, 077, 0, 0, 0); return 0; }
static int touch_cwd(void *a) { (void)a; return (int)rsys(SYS_chdir, (long)"/", 0, 0, 0); }
static int touch_close(void *a) { (void)a; return (int)rsys(SYS_close, victim_fd, 0, 0, 0); }
static int touch_dup(void *a)
{
    (void)a;
    long fd = rsys(SYS_dup, 1, 0, 0, 0);
    rsys(SYS_write, victim_fd, (long)&fd, sizeof fd, 0);   /* tell the parent which number */
    return 0;
}
static int touch_sigaction(void *a)
{
    (void)a;
    unsigned long act[4] = {(unsigned long)SIG_IGN, 0, 0, 0};   /* handler, flags, restorer, mask */
    return (int)rsys(SYS_rt_sigaction, SIGUSR1, (long)act, 0, 8);
}

static void run(unsigned long flags, int (*fn)(void *))
{
    long r = clone_fn(flags | SIGCHLD, stack + sizeof stack, 0, 0, 0, fn, 0);
    int st;
    if (r <= 0 || waitpid((pid_t)r, &st, 0) != r || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        printf("  (clone %#lx failed)\n", flags);
}

static int fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int main(void)
{
    /* memory */
    word = 1; run(CLONE_VM, touch_vm);
    printf("CLONE_VM: parent sees child's write %d\n", word == 2);
    word = 1; run(0, touch_vm);
    printf("no CLONE_VM: parent sees child's write %d\n", word == 2);

    /* fs_struct: umask and cwd */
    umask(022); run(CLONE_FS, touch_umask);
    printf("CLONE_FS: umask changed by child %d\n", umask(022) == 077);
    run(0, touch_umask);
    printf("no CLONE_FS: umask changed by child %d\n", umask(022) == 077);
    char start[512], here[512], now[512];
    getcwd(start, sizeof start);
    chdir("/usr");
    getcwd(here, sizeof here);
    run(0, touch_cwd);
    getcwd(now, sizeof now);
    printf("no CLONE_FS: cwd unchanged after child's chdir(\"/\") %d\n", strcmp(here, now) == 0);
    run(CLONE_FS, touch_cwd);
    getcwd(now, sizeof now);
    printf("CLONE_FS: cwd moved from /usr to / by child's chdir %d\n", strcmp(here, "/usr") == 0 && strcmp(now, "/") == 0);
    chdir(start);

    /* files_struct */
    int p[2];
    pipe(p);
    victim_fd = p[0];
    run(0, touch_close);
    printf("no CLONE_FILES: fd still open after child's close %d\n", fd_open(p[0]));
    run(CLONE_FILES, touch_close);
    printf("CLONE_FILES: fd closed by child's close %d\n", !fd_open(p[0]));
    int q[2];
    pipe(q);
    victim_fd = q[1];
    long fd;
    run(CLONE_FILES, touch_dup);
    read(q[0], &fd, sizeof fd);
    printf("CLONE_FILES: child's new fd open in parent %d\n", fd_open((int)fd));
    close((int)fd);
    run(0, touch_dup);
    read(q[0], &fd, sizeof fd);
    printf("no CLONE_FILES: child's new fd open in parent %d\n", fd_open((int)fd));

    /* sighand */
    struct sigaction sa;
    signal(SIGUSR1, SIG_DFL);
    run(CLONE_VM, touch_sigaction);
    sigaction(SIGUSR1, 0, &sa);
    printf("CLONE_VM only: SIGUSR1 ignored after child's sigaction %d\n", sa.sa_handler == SIG_IGN);
    run(CLONE_VM | CLONE_SIGHAND, touch_sigaction);
    sigaction(SIGUSR1, 0, &sa);
    printf("CLONE_SIGHAND: SIGUSR1 ignored after child's sigaction %d\n", sa.sa_handler == SIG_IGN);
    return 0;
}
