/* epoll_ctl's and epoll_wait's errors, and the sleep of epoll_wait
   (fs/eventpoll.c). EBADF for a bad epoll fd or target fd, EPERM for a
   target with no poll method (a regular file, a directory), EINVAL for an
   epoll fd that is the target or no epoll file, an unknown op,
   EPOLLEXCLUSIVE with MOD, maxevents <= 0; EEXIST / ENOENT. A parent asleep
   in epoll_wait is woken by a child writing to the pipe (and by the last
   writer closing: EPOLLHUP); a timeout runs out with 0. epoll_pwait and
   epoll_pwait2 sleep with the mask they are given: a signal it lets in
   ends the wait with EINTR after its handler ran, SA_RESTART or not, and
   the caller's mask is back afterwards. /proc/self/fd shows the epoll fd as
   anon_inode:[eventpoll], fstat as mode 0600 with no file type. */
#include "files_util.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>

static volatile int handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static pid_t later(int fd, int sig)
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        if (sig)
            kill(parent, sig);
        else
            write(fd, "x", 1);
        _exit(0);
    }
    return pid;
}

static int blocked(int sig)
{
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, sig);
}

static long elapsed_ms(struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
    enter_tmpdir();
    int p[2];
    pipe(p);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7}, out[4];

    SHOW("epoll_create(0)", epoll_create(0));
    SHOW("epoll_create(-1)", epoll_create(-1));
    SHOW("epoll_create1(1)", epoll_create1(1));
    SHOW("ctl, epfd not open", epoll_ctl(100, EPOLL_CTL_ADD, p[0], &ev));
    SHOW("ctl, fd not open", epoll_ctl(ep, EPOLL_CTL_ADD, 100, &ev));
    SHOW("ctl, epfd == fd", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
    SHOW("ctl, epfd a pipe", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
    put_file("f", "data");
    int f = open("f", O_RDONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    SHOW("ctl ADD of a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
    SHOW("ctl ADD of a directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev));
    SHOW("ctl DEL of a regular file", epoll_ctl(ep, EPOLL_CTL_DEL, f, NULL));
    SHOW("ctl, op 0", epoll_ctl(ep, 0, p[0], &ev));
    SHOW("ctl, op 4", epoll_ctl(ep, 4, p[0], &ev));
    SHOW("ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    SHOW("ctl ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    SHOW("ctl ADD of the write end", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    SHOW("ctl DEL of the write end", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    SHOW("ctl MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    SHOW("ctl ADD with EPOLLEXCLUSIVE|EPOLLPRI", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &(struct epoll_event){
                                                   .events = EPOLLEXCLUSIVE | EPOLLPRI}));
    SHOW("ctl ADD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    ev.events = EPOLLOUT;
    SHOW("ctl MOD of an EPOLLEXCLUSIVE item", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
    SHOW("ctl DEL of an EPOLLEXCLUSIVE item", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    SHOW("wait, maxevents 0", epoll_wait(ep, out, 0, 0));
    SHOW("wait, maxevents -1", epoll_wait(ep, out, -1, 0));
    SHOW("wait, epfd not open", epoll_wait(100, out, 4, 0));
    SHOW("wait, epfd a pipe", epoll_wait(p[0], out, 4, 0));
    SHOW("pwait, sigsetsize 4", syscall(SYS_epoll_pwait, ep, out, 4, 0, &(sigset_t){0}, 4));
    SHOW("pwait2, tv_nsec 1e9", syscall(SYS_epoll_pwait2, ep, out, 4, &(struct timespec){0, 1000000000}, NULL, 8));
    char link[64] = "";
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", ep);
    readlink(path, link, sizeof link - 1);
    printf("readlink of the epoll fd: %s\n", link);
    struct stat sb;
    fstat(ep, &sb);
    printf("fstat of the epoll fd: mode %o, F_GETFL %o\n", sb.st_mode, fcntl(ep, F_GETFL));

    /* the sleep */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    SHOW("wait(100 ms), nothing comes", epoll_wait(ep, out, 4, 100));
    printf("  took at least 100 ms: %d\n", elapsed_ms(&t0) >= 100);
    SHOW("pwait2(50 ms), nothing comes",
         syscall(SYS_epoll_pwait2, ep, out, 4, &(struct timespec){0, 50000000}, NULL, 8));
    pid_t pid = later(p[1], 0);
    int n = epoll_wait(ep, out, 4, -1);
    printf("wait(-1) woken by a child's write: %d [%#x %lu]\n", n, out[0].events, (unsigned long)out[0].data.u64);
    printf("child: %s\n", reap(pid));
    char c;
    read(p[0], &c, 1);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    for (int flags = 0; flags <= SA_RESTART; flags += SA_RESTART) {
        sa.sa_flags = flags;
        sigaction(SIGUSR1, &sa, NULL);
        handled = 0;
        pid = later(0, SIGUSR1);
        errno = 0;
        n = epoll_wait(ep, out, 4, 5000);
        printf("wait(5 s), SIGUSR1 with %s: %d %s, handler ran %d\n", flags ? "SA_RESTART" : "no SA_RESTART", n,
               ename(errno), handled);
        reap(pid);
    }
    sigset_t usr1, old, open_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    sigprocmask(SIG_BLOCK, NULL, &open_mask);
    sigdelset(&open_mask, SIGUSR1);
    handled = 0;
    pid = later(0, SIGUSR1);
    errno = 0;
    n = epoll_pwait(ep, out, 4, -1, &open_mask);
    printf("pwait, SIGUSR1 let in by its mask: %d %s, handler ran %d, blocked again after: %d\n", n, ename(errno),
           handled, blocked(SIGUSR1));
    reap(pid);
    handled = 0;
    pid = later(0, SIGUSR1);
    errno = 0;
    n = syscall(SYS_epoll_pwait2, ep, out, 4, NULL, &open_mask, 8);
    printf("pwait2, SIGUSR1 let in by its mask: %d %s, handler ran %d, blocked again after: %d\n", n, ename(errno),
           handled, blocked(SIGUSR1));
    reap(pid);
    handled = 0;
    raise(SIGUSR1);
    errno = 0;
    n = epoll_pwait(ep, out, 4, 50, &old);
    printf("pwait(50 ms), SIGUSR1 blocked outside, pending, not in its mask: %d %s, handler ran %d\n", n,
           ename(errno), handled);
    handled = 0;
    sigset_t all = open_mask;
    sigaddset(&all, SIGUSR1);
    raise(SIGUSR1);
    n = epoll_pwait(ep, out, 4, 50, &all);
    sigset_t pend;
    sigpending(&pend);
    printf("pwait(50 ms), SIGUSR1 pending and in its mask: %d, handler ran %d, still pending %d\n", n, handled,
           sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_SETMASK, &old, NULL);
    printf("unblocked: handler ran %d\n", handled);

    /* the last writer closes while the parent waits */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        usleep(100000);
        _exit(0);
    }
    close(p[1]);
    n = epoll_wait(ep, out, 4, -1);
    printf("wait(-1) woken by the last writer's exit: %d [%#x]\n", n, out[0].events);
    reap(pid);
    close(f);
    close(dir);
    leave_tmpdir();
    return 0;
}
