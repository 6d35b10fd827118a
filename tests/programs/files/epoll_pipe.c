/* epoll on pipes (fs/eventpoll.c): a level-triggered item is reported by
   every wait while data is unread, an edge-triggered one only once per
   write; EPOLLONESHOT reports once and stays silent until EPOLL_CTL_MOD
   re-arms it; EPOLL_CTL_DEL takes an item out; EPOLLHUP (never asked for)
   once the last writer is gone; a zero timeout returns 0 at once; the
   data given to epoll_ctl comes back. The classic gotcha: an item belongs
   to the open file, so closing one of two fds of it keeps the item (still
   reported, under the closed fd's data) until the last fd is closed. The
   epoll fd is itself pollable (POLLIN while an item is ready) and can be
   watched by another epoll instance. */
#include "files_util.h"
#include <poll.h>
#include <sys/epoll.h>

static int ep;

static void add(int fd, unsigned events, unsigned long data)
{
    struct epoll_event ev = {.events = events, .data.u64 = data};
    SHOW("  ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
}

/* one wait, printed as "n [events data] ..." */
static void show_wait(const char *label, int epfd, int timeout)
{
    struct epoll_event evs[8];
    errno = 0;
    int n = epoll_wait(epfd, evs, 8, timeout);
    printf("%s: %d", label, n);
    if (n < 0)
        printf(" %s", ename(errno));
    for (int i = 0; i < n; i++)
        printf(" [%#x %lu]", evs[i].events, (unsigned long)evs[i].data.u64);
    printf("\n");
}

int main(void)
{
    int p[2], q[2];
    char buf[16];
    ep = epoll_create1(EPOLL_CLOEXEC);
    printf("epoll_create1(EPOLL_CLOEXEC): %s, FD_CLOEXEC %d\n", ep >= 0 ? "OK" : ename(errno),
           fcntl(ep, F_GETFD) & FD_CLOEXEC);
    int ep0 = epoll_create(1);
    printf("epoll_create(1): %s, FD_CLOEXEC %d\n", ep0 >= 0 ? "OK" : ename(errno), fcntl(ep0, F_GETFD) & FD_CLOEXEC);
    close(ep0);

    printf("level-triggered:\n");
    pipe(p);
    add(p[0], EPOLLIN, 11);
    show_wait("  empty pipe, timeout 0", ep, 0);
    write(p[1], "ab", 2);
    show_wait("  after a write", ep, 0);
    show_wait("  again, data unread", ep, 0);
    read(p[0], buf, 1);
    show_wait("  one byte read, one left", ep, 0);
    read(p[0], buf, 1);
    show_wait("  all read", ep, 0);

    printf("edge-triggered:\n");
    pipe(q);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 22};
    SHOW("  ctl MOD of an fd not added", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
    SHOW("  ctl DEL of an fd not added", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
    SHOW("  ctl DEL of the level-triggered pipe", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    add(q[0], EPOLLIN | EPOLLET, 22);
    write(q[1], "ab", 2);
    show_wait("  after a write", ep, 0);
    show_wait("  again, data unread", ep, 0);
    write(q[1], "c", 1);
    show_wait("  after another write", ep, 0);
    read(q[0], buf, sizeof buf);
    write(p[1], "x", 1);
    show_wait("  the deleted pipe written", ep, 0);

    printf("oneshot:\n");
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = 33;
    SHOW("  ctl MOD to EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
    write(q[1], "d", 1);
    show_wait("  after a write", ep, 0);
    show_wait("  again", ep, 0);
    write(q[1], "e", 1);
    show_wait("  after another write", ep, 0);
    ev.data.u64 = 34;
    SHOW("  ctl MOD re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
    show_wait("  after MOD", ep, 0);
    SHOW("  ctl ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
    read(q[0], buf, sizeof buf);

    printf("two items, maxevents 1:\n");
    ev.events = EPOLLIN;
    ev.data.u64 = 44;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    ev.data.u64 = 45;
    epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev);
    write(q[1], "f", 1);
    struct epoll_event one;
    for (int i = 0; i < 3; i++) {
        int n = epoll_wait(ep, &one, 1, 0);
        printf("  wait(maxevents 1): %d [%#x %lu]\n", n, one.events, (unsigned long)one.data.u64);
    }
    read(p[0], buf, sizeof buf);
    read(q[0], buf, sizeof buf);
    epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);

    printf("the epoll fd polled and nested:\n");
    struct pollfd pf = {ep, POLLIN, 0};
    printf("  poll of the epoll fd, nothing ready: %d %#x\n", poll(&pf, 1, 0), pf.revents);
    int outer = epoll_create1(0);
    ev.events = EPOLLIN;
    ev.data.u64 = 99;
    SHOW("  outer ctl ADD of the epoll fd", epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev));
    SHOW("  inner ctl ADD of the outer (a loop)", epoll_ctl(ep, EPOLL_CTL_ADD, outer, &ev));
    show_wait("  outer, nothing ready", outer, 0);
    write(p[1], "g", 1);
    printf("  poll of the epoll fd, pipe written: %d %#x\n", poll(&pf, 1, 0), pf.revents);
    show_wait("  outer, pipe written", outer, 0);
    read(p[0], buf, sizeof buf);
    show_wait("  outer, pipe read", outer, 0);
    close(outer);

    printf("dup and close:\n");
    int d = dup(p[0]);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    ev.data.u64 = 55;
    epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev);
    close(d);
    write(p[1], "h", 1);
    show_wait("  dup'ed fd closed, pipe written", ep, 0);
    SHOW("  ctl DEL of the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
    int d2 = dup(p[0]);
    printf("  dup again gives the same number: %d\n", d2 == d);
    SHOW("  ctl DEL through a new dup at that number (same file, same fd)",
         epoll_ctl(ep, EPOLL_CTL_DEL, d2, NULL));
    close(d2);
    ev.data.u64 = 66;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    close(p[0]);
    show_wait("  last fd of the read end closed", ep, 0);

    printf("hangup:\n");
    ev.events = EPOLLIN;
    ev.data.u64 = 77;
    epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
    close(q[1]);
    show_wait("  writer closed", ep, 0);
    show_wait("  again", ep, 0);
    close(q[0]);
    close(p[1]);
    close(ep);
    return 0;
}
