/* I1 / issue 5 (the pipe buffer size, PIPE_BUF): a pipe holds 65536 bytes
   (F_GETPIPE_SZ), as 16 page-sized slots. With O_NONBLOCK, a big write fills
   it and returns the part that fit; then any write is EAGAIN. A write of at
   most PIPE_BUF (4096) bytes is all or nothing: EAGAIN if it does not fit
   whole, while a bigger one writes what fits. Small writes share a slot only
   while they fit in the last page, so 1000-byte writes fill 16 slots with
   4000 bytes each: 64000 bytes; once all 16 slots are in use, a write gets in
   only if it fits in the room left in the last page. F_SETPIPE_SZ rounds up
   to a power-of-two number of pages and sets the capacity (EBUSY if the data
   there would not fit); FIONREAD counts the bytes there. */
#include <sys/ioctl.h>
#include "files_util.h"

static char buf[1 << 20];

static long fill(int fd, long chunk)
{
    long total = 0, n;
    while ((n = write(fd, buf, chunk)) > 0)
        total += n;
    return total;
}

static void drain(int fd)
{
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

int main(void)
{
    int p[2], avail = 0;
    pipe2(p, O_NONBLOCK);
    SHOW("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    SHOW("write of 100000 bytes", write(p[1], buf, 100000));
    SHOW("then 1 more byte", write(p[1], buf, 1));
    ioctl(p[0], FIONREAD, &avail);
    printf("FIONREAD: %d\n", avail);
    drain(p[0]);
    printf("1-byte writes: %ld bytes fit\n", fill(p[1], 1));
    drain(p[0]);
    printf("1000-byte writes: %ld bytes fit\n", fill(p[1], 1000));
    drain(p[0]);
    printf("4096-byte writes: %ld bytes fit\n", fill(p[1], 4096));
    drain(p[0]);

    /* PIPE_BUF: all or nothing */
    SHOW("write 65536 - 100", write(p[1], buf, 65536 - 100));   /* 16 slots, the last 3996 full */
    SHOW("write of 4096 (PIPE_BUF) with 100 bytes left", write(p[1], buf, 4096));
    SHOW("write of 5000 (904 past a page) with 100 bytes left", write(p[1], buf, 5000));
    SHOW("write of 100 (fits in the last page)", write(p[1], buf, 100));
    SHOW("write of 1 (does not)", write(p[1], buf, 1));
    drain(p[0]);

    SHOW("F_SETPIPE_SZ 10000", fcntl(p[1], F_SETPIPE_SZ, 10000));
    SHOW("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    printf("4096-byte writes: %ld bytes fit\n", fill(p[1], 4096));
    SHOW("F_SETPIPE_SZ 4096 with 16384 bytes in it", fcntl(p[1], F_SETPIPE_SZ, 4096));
    drain(p[0]);
    SHOW("F_SETPIPE_SZ 4096 when empty", fcntl(p[1], F_SETPIPE_SZ, 4096));
    printf("1-byte writes: %ld bytes fit\n", fill(p[1], 1));
    return 0;
}
