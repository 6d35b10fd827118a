/* Issue 15: preadv, pwritev, preadv2, pwritev2 (fs/read_write.c). They read
   and write at an offset, leaving the file's own offset alone; offset -1 in
   the *2 calls means the file's offset (as readv/writev); RWF_APPEND writes
   at the end, RWF_NOWAIT gives EAGAIN instead of sleeping on an empty pipe,
   an unknown flag is EOPNOTSUPP. Errors in Linux's order: a negative
   offset EINVAL before the fd is looked at, then EBADF, ESPIPE for a pipe
   (before the end's mode is checked), EBADF for the wrong mode, EFAULT. */
#include <sys/syscall.h>
#include <sys/uio.h>
#include "files_util.h"

#define RWF_NOWAIT 0x8
#define RWF_APPEND 0x10

static long preadv2_(int fd, struct iovec *v, int n, long off, int flags)
{
    return syscall(SYS_preadv2, fd, v, n, off, 0L, flags);
}

static long pwritev2_(int fd, struct iovec *v, int n, long off, int flags)
{
    return syscall(SYS_pwritev2, fd, v, n, off, 0L, flags);
}

static void contents(const char *name)
{
    char buf[128] = {0};
    int fd = open(name, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("%s holds %zd bytes: %s\n", name, n, buf);
}

int main(void)
{
    enter_tmpdir();
    put_file("f", "0123456789");
    int fd = open("f", O_RDWR);
    char a[4] = {0}, b[4] = {0};
    struct iovec rv[2] = { { a, 3 }, { b, 3 } };

    SHOW("preadv at 2", preadv(fd, rv, 2, 2));
    printf("read: %.3s|%.3s, offset now %ld\n", a, b, (long)lseek(fd, 0, SEEK_CUR));
    SHOW("preadv at 8", preadv(fd, rv, 2, 8));
    SHOW("preadv past the end", preadv(fd, rv, 2, 100));
    SHOW("preadv of 0 buffers", preadv(fd, rv, 0, 0));
    struct iovec wv[2] = { { "AB", 2 }, { "CD", 2 } };
    SHOW("pwritev at 3", pwritev(fd, wv, 2, 3));
    printf("offset now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    contents("f");
    SHOW("pwritev at 12 (a hole)", pwritev(fd, wv, 2, 12));
    contents("f");

    lseek(fd, 1, SEEK_SET);
    memset(a, 0, 4);
    memset(b, 0, 4);
    SHOW("preadv2 at -1", preadv2_(fd, rv, 2, -1, 0));
    printf("read: %.3s|%.3s, offset now %ld\n", a, b, (long)lseek(fd, 0, SEEK_CUR));
    SHOW("preadv2 at 0", preadv2_(fd, rv, 2, 0, 0));
    printf("offset now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    SHOW("pwritev2 at -1", pwritev2_(fd, wv, 1, -1, 0));
    printf("offset now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    SHOW("pwritev2 RWF_APPEND at 0", pwritev2_(fd, wv + 1, 1, 0, RWF_APPEND));
    contents("f");
    SHOW("preadv2 unknown flag", preadv2_(fd, rv, 2, 0, 0x4000));
    SHOW("pwritev2 unknown flag", pwritev2_(fd, wv, 2, 0, 0x4000));

    SHOW("preadv at -2", preadv(fd, rv, 2, -2));
    SHOW("preadv2 at -2", preadv2_(fd, rv, 2, -2, 0));
    SHOW("preadv on a bad fd", preadv(99, rv, 2, 0));
    SHOW("preadv at -2 on a bad fd", preadv(99, rv, 2, -2));
    SHOW("preadv with a bad iovec", preadv(fd, (struct iovec *)8, 2, 0));
    struct iovec bad[1] = { { (void *)8, 4 } };
    SHOW("preadv into a bad buffer", preadv(fd, bad, 1, 0));
    SHOW("preadv of 1025 buffers", preadv(fd, rv, 1025, 0));
    int ro = open("f", O_RDONLY);
    SHOW("pwritev on a read-only fd", pwritev(ro, wv, 2, 0));
    close(ro);

    int p[2];
    pipe(p);
    SHOW("preadv on a pipe", preadv(p[0], rv, 2, 0));
    SHOW("preadv on the write end", preadv(p[1], rv, 2, 0));
    SHOW("pwritev on the read end", pwritev(p[0], wv, 2, 0));
    SHOW("preadv2 RWF_NOWAIT on an empty pipe", preadv2_(p[0], rv, 2, -1, RWF_NOWAIT));
    SHOW("pwritev2 at -1 on a pipe", pwritev2_(p[1], wv, 2, -1, 0));
    memset(a, 0, 4);
    memset(b, 0, 4);
    SHOW("preadv2 at -1 on a pipe", preadv2_(p[0], rv, 2, -1, 0));
    printf("read: %.3s|%.3s\n", a, b);
    close(fd);
    leave_tmpdir();
    return 0;
}
