/* I1/S2: a task asleep in poll, select, ppoll or pselect6 on several wait
   queues at once is woken by another process (a child that sleeps 100 ms
   first): data written (POLLIN), room made in a full pipe (POLLOUT), the
   last writer gone (POLLHUP). Timeouts run out with 0 (and nothing set);
   select, pselect6 and ppoll write back the time left, poll does not (the
   raw syscalls: musl passes the kernel a copy of the caller's timeout). */
#include "files_util.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

enum { WRITE_ONE, READ_PAGE, CLOSE_ONLY };

/* A child that sleeps 100 ms, then acts on the pipe and exits. */
static pid_t later(int fd[2], int what)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        char page[4096];
        if (what == WRITE_ONE)
            write(fd[1], "x", 1);
        else if (what == READ_PAGE)
            read(fd[0], page, sizeof page);
        _exit(0);
    }
    return pid;
}

static const char *between(long ns, long lo, long hi) { return ns > lo && ns < hi ? "yes" : "no"; }

int main(void)
{
    int fd[2], other[2];
    char c;
    pipe(fd);
    pipe(other);

    /* poll, no timeout: data from the child */
    pid_t pid = later(fd, WRITE_ONE);
    struct pollfd p[2] = {{other[0], POLLIN, 0}, {fd[0], POLLIN, 0}};
    int r = poll(p, 2, -1);
    printf("poll(-1) woken by a write: %d [%#x] [%#x]\n", r, p[0].revents, p[1].revents);
    printf("child: %s\n", reap(pid));
    read(fd[0], &c, 1);

    /* select with a timeval: data from the child, the time left written back */
    pid = later(fd, WRITE_ONE);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(other[0], &rd);
    FD_SET(fd[0], &rd);
    struct timeval tv = {5, 0};
    r = syscall(SYS_select, fd[0] + 1 > other[0] + 1 ? fd[0] + 1 : other[0] + 1, &rd, NULL, NULL, &tv);
    printf("select(5 s) woken by a write: %d, pipe set %d, other set %d, time left in (4.5 s, 5 s): %s\n", r,
           FD_ISSET(fd[0], &rd), FD_ISSET(other[0], &rd),
           between(tv.tv_sec * 1000000000L + tv.tv_usec * 1000L, 4500000000L, 5000000000L));
    printf("child: %s\n", reap(pid));
    read(fd[0], &c, 1);

    /* pselect6 with a timespec and no mask */
    pid = later(fd, WRITE_ONE);
    FD_ZERO(&rd);
    FD_SET(fd[0], &rd);
    struct timespec ts = {5, 0};
    r = syscall(SYS_pselect6, fd[0] + 1, &rd, NULL, NULL, &ts, NULL);
    printf("pselect6(5 s) woken by a write: %d, set %d, time left in (4.5 s, 5 s): %s\n", r, FD_ISSET(fd[0], &rd),
           between(ts.tv_sec * 1000000000L + ts.tv_nsec, 4500000000L, 5000000000L));
    printf("child: %s\n", reap(pid));
    read(fd[0], &c, 1);

    /* ppoll with a timespec */
    pid = later(fd, WRITE_ONE);
    ts.tv_sec = 5;
    ts.tv_nsec = 0;
    r = syscall(SYS_ppoll, p, 2, &ts, NULL, 8);
    printf("ppoll(5 s) woken by a write: %d [%#x] [%#x], time left in (4.5 s, 5 s): %s\n", r, p[0].revents,
           p[1].revents, between(ts.tv_sec * 1000000000L + ts.tv_nsec, 4500000000L, 5000000000L));
    printf("child: %s\n", reap(pid));
    read(fd[0], &c, 1);

    /* timeouts that run out */
    p[1].revents = 0x7777;
    r = poll(p, 2, 50);
    printf("poll(50 ms) on empty pipes: %d [%#x] [%#x]\n", r, p[0].revents, p[1].revents);
    FD_ZERO(&rd);
    FD_SET(fd[0], &rd);
    tv.tv_sec = 0;
    tv.tv_usec = 50000;
    r = syscall(SYS_select, fd[0] + 1, &rd, NULL, NULL, &tv);
    printf("select(50 ms) on an empty pipe: %d, set %d, time left %ld.%06ld\n", r, FD_ISSET(fd[0], &rd),
           (long)tv.tv_sec, (long)tv.tv_usec);
    tv.tv_usec = 30000;
    r = syscall(SYS_select, 0, NULL, NULL, NULL, &tv);
    printf("select(0 fds, 30 ms) as a sleep: %d, time left %ld.%06ld\n", r, (long)tv.tv_sec, (long)tv.tv_usec);
    ts.tv_sec = 0;
    ts.tv_nsec = 20000000;
    r = syscall(SYS_ppoll, NULL, 0, &ts, NULL, 8);
    printf("ppoll(0 fds, 20 ms) as a sleep: %d, time left %ld.%09ld\n", r, (long)ts.tv_sec, ts.tv_nsec);

    /* POLLOUT: the child reads a page out of a full pipe */
    int full[2];
    pipe(full);
    fcntl(full[1], F_SETFL, O_NONBLOCK);
    char page[4096];
    memset(page, 'y', sizeof page);
    while (write(full[1], page, sizeof page) > 0)
        ;
    pid = later(full, READ_PAGE);
    struct pollfd w[2] = {{other[0], POLLIN, 0}, {full[1], POLLOUT, 0}};
    r = poll(w, 2, -1);
    printf("poll(-1) for POLLOUT on a full pipe, a page read: %d [%#x] [%#x]\n", r, w[0].revents, w[1].revents);
    printf("child: %s\n", reap(pid));
    FD_ZERO(&rd);
    fd_set wr;
    FD_ZERO(&wr);
    FD_SET(full[1], &wr);
    r = select(full[1] + 1, &rd, &wr, NULL, NULL);
    printf("select for writing now: %d, set %d\n", r, FD_ISSET(full[1], &wr));
    close(full[0]);
    close(full[1]);

    /* POLLHUP: the child holds the only other write end and exits */
    int h[2];
    pipe(h);
    pid = later(h, CLOSE_ONLY);
    close(h[1]);
    struct pollfd hp = {h[0], POLLIN, 0};
    r = poll(&hp, 1, -1);
    printf("poll(-1), the last writer exits: %d [%#x]\n", r, hp.revents);
    printf("child: %s\n", reap(pid));
    FD_ZERO(&rd);
    FD_SET(h[0], &rd);
    r = select(h[0] + 1, &rd, NULL, NULL, NULL);
    printf("select on the hung-up pipe: %d, readable %d, read gives %ld\n", r, FD_ISSET(h[0], &rd),
           (long)read(h[0], &c, 1));
    return 0;
}
