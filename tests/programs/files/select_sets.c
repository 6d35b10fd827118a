/* I1: select's three fd sets over several pipes (fs/select.c). Each (fd,
   set) pair that is ready counts once: a pipe with data is readable, an
   empty one is not, a write end is writable unless full; a read end whose
   writer is gone is readable (POLLHUP), a write end whose reader is gone is
   readable and writable (POLLERR); nothing is ever exceptional. Sets that
   are not ready come back cleared. A closed fd in any set: EBADF, and the
   sets are left as they were; n < 0 or a bad timeval: EINVAL; a set in
   unmapped memory: EFAULT. Bits at or past n are not looked at (those in
   the last long are cleared on the way out), and n is cut down to the size
   of the fd table, so a bit far past any fd ever opened is ignored and left
   alone. tv_usec may hold whole seconds. Raw syscalls are used where musl
   would check or copy the arguments itself. */
#include "files_util.h"
#include <sys/select.h>
#include <sys/syscall.h>

static int nfds;

static void show_set(const char *name, fd_set *s, int *fds, int count)
{
    printf(" %s{", name);
    for (int i = 0; i < count; i++)
        if (FD_ISSET(fds[i], s))
            printf(" %c", 'a' + i);
    printf(" }");
}

int main(void)
{
    int a[2], b[2], c[2], d[2], e[2], f[2];
    pipe(a);    /* data */
    pipe(b);    /* empty */
    pipe(c);    /* room to write */
    pipe(d);    /* full */
    pipe(e);    /* writer gone */
    pipe(f);    /* reader gone */
    write(a[1], "hello", 5);
    fcntl(d[1], F_SETFL, O_NONBLOCK);
    char page[4096] = {0};
    while (write(d[1], page, sizeof page) > 0)
        ;
    close(e[1]);
    close(f[0]);
    /* the fds under test, named a..h in the output */
    int fds[8] = {a[0], b[0], c[1], d[1], e[0], f[1], a[1], b[1]};
    for (int i = 0; i < 8; i++)
        if (fds[i] >= nfds)
            nfds = fds[i] + 1;

    fd_set rd, wr, ex;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_ZERO(&ex);
    int asks_read[] = {0, 1, 4, 5};
    int asks_write[] = {2, 3, 5, 0};
    for (int i = 0; i < 4; i++) {
        FD_SET(fds[asks_read[i]], &rd);
        FD_SET(fds[asks_write[i]], &wr);
    }
    for (int i = 0; i < 8; i++)
        FD_SET(fds[i], &ex);
    struct timeval zero = {0, 0};
    int r = select(nfds, &rd, &wr, &ex, &zero);
    printf("select: %d", r);
    show_set("read", &rd, fds, 8);
    show_set("write", &wr, fds, 8);
    show_set("except", &ex, fds, 8);
    printf("\n");

    /* null sets, a set that is all ready */
    FD_ZERO(&wr);
    FD_SET(fds[2], &wr);
    FD_SET(fds[6], &wr);
    FD_SET(fds[7], &wr);
    r = select(nfds, NULL, &wr, NULL, NULL);
    printf("write ends only, no timeout: %d", r);
    show_set("write", &wr, fds, 8);
    printf("\n");

    /* a closed fd */
    int closed = dup(0);
    close(closed);
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    FD_SET(closed, &rd);
    errno = 0;
    r = select(closed > nfds ? closed + 1 : nfds, &rd, NULL, NULL, &zero);
    printf("a closed fd in the read set: %d %s, sets untouched: %d\n", r, ename(errno),
           FD_ISSET(fds[0], &rd) && FD_ISSET(closed, &rd));
    FD_ZERO(&ex);
    FD_SET(closed, &ex);
    errno = 0;
    r = select(closed + 1, NULL, NULL, &ex, &zero);
    printf("a closed fd in the except set: %d %s\n", r, ename(errno));
    r = select(closed, NULL, NULL, &ex, &zero);
    printf("the same with n = that fd (not looked at): %d, bit %d\n", r, FD_ISSET(closed, &ex));

    /* bits past n in the last long are cleared; n cut to the table size */
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    FD_SET(60, &rd);
    FD_SET(1000, &rd);
    r = syscall(SYS_select, fds[0] + 1, &rd, NULL, NULL, &zero);
    printf("n = a+1, bits 60 and 1000 set too: %d, a %d, 60 %d, 1000 %d\n", r, FD_ISSET(fds[0], &rd),
           FD_ISSET(60, &rd), FD_ISSET(1000, &rd));
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    FD_SET(1000, &rd);
    r = syscall(SYS_select, FD_SETSIZE, &rd, NULL, NULL, &zero);
    printf("n = FD_SETSIZE, fd 1000 never opened: %d, a %d, 1000 %d\n", r, FD_ISSET(fds[0], &rd),
           FD_ISSET(1000, &rd));

    /* arguments */
    SHOW("n = -1", syscall(SYS_select, -1, NULL, NULL, NULL, &zero));
    struct timeval neg_sec = {-1, 0}, neg_usec = {0, -1}, big_usec = {0, 1500000};
    SHOW("tv_sec = -1", syscall(SYS_select, 0, NULL, NULL, NULL, &neg_sec));
    SHOW("tv_usec = -1", syscall(SYS_select, 0, NULL, NULL, NULL, &neg_usec));
    FD_ZERO(&rd);
    FD_SET(fds[0], &rd);
    r = syscall(SYS_select, nfds, &rd, NULL, NULL, &big_usec);
    printf("tv_usec = 1500000 with a ready fd: %d, time left %ld s + more than 0.4 s: %s\n", r,
           (long)big_usec.tv_sec, big_usec.tv_usec > 400000 && big_usec.tv_usec <= 500000 ? "yes" : "no");
    SHOW("read set in unmapped memory", syscall(SYS_select, 1, (fd_set *)16, NULL, NULL, &zero));
    SHOW("timeval in unmapped memory", syscall(SYS_select, 0, NULL, NULL, NULL, (struct timeval *)16));
    SHOW("n = 0, zero timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &zero));
    return 0;
}
