/* I1 / issue 5 (fcntl): F_DUPFD returns the lowest free fd >= its argument
   (EINVAL for a negative one), F_DUPFD_CLOEXEC the same with FD_CLOEXEC set;
   F_GETFD/F_SETFD keep only the FD_CLOEXEC bit; F_GETFL gives the access mode
   and status flags (a pipe's read end O_RDONLY, its write end O_WRONLY,
   pipe2's O_NONBLOCK); F_SETFL changes only O_APPEND, O_NONBLOCK (and a few
   others), never the access mode or creation flags; with O_NONBLOCK an empty
   pipe's read is EAGAIN instead of sleeping. A closed fd is EBADF, an unknown
   command EINVAL. Pipes only: nothing touches the filesystem. */
#include "files_util.h"

int main(void)
{
    int p[2];
    char c;
    pipe(p);                                         /* 3 4 */

    SHOW("F_DUPFD from 0", fcntl(p[0], F_DUPFD, 0));          /* 5 */
    SHOW("F_DUPFD from 10", fcntl(p[0], F_DUPFD, 10));        /* 10 */
    SHOW("F_DUPFD from 10 again", fcntl(p[0], F_DUPFD, 10));  /* 11 */
    SHOW("F_DUPFD from -1", fcntl(p[0], F_DUPFD, -1));
    SHOW("F_DUPFD_CLOEXEC from 10", fcntl(p[0], F_DUPFD_CLOEXEC, 10));
    SHOW("  its F_GETFD", fcntl(12, F_GETFD));
    SHOW("  F_GETFD of the original", fcntl(p[0], F_GETFD));

    SHOW("F_SETFD 0xff", fcntl(10, F_SETFD, 0xff));
    SHOW("  F_GETFD keeps FD_CLOEXEC only", fcntl(10, F_GETFD));
    SHOW("F_SETFD 0", fcntl(10, F_SETFD, 0));
    SHOW("  F_GETFD", fcntl(10, F_GETFD));

    SHOW("F_GETFL read end", fcntl(p[0], F_GETFL));
    SHOW("F_GETFL write end", fcntl(p[1], F_GETFL));
    SHOW("F_SETFL O_RDWR|O_NONBLOCK|O_CREAT on the write end", fcntl(p[1], F_SETFL, O_RDWR | O_NONBLOCK | O_CREAT));
    int fl = fcntl(p[1], F_GETFL);
    printf("  F_GETFL: O_WRONLY %d, O_NONBLOCK %d, O_RDWR %d, O_CREAT %d\n", (fl & O_ACCMODE) == O_WRONLY,
           (fl & O_NONBLOCK) != 0, (fl & O_ACCMODE) == O_RDWR, (fl & O_CREAT) != 0);
    SHOW("F_SETFL O_NONBLOCK on the read end", fcntl(p[0], F_SETFL, O_NONBLOCK));
    SHOW("  read", read(p[0], &c, 1));
    SHOW("  the F_DUPFD copy shares it", read(5, &c, 1));
    fcntl(p[0], F_SETFL, 0);
    write(p[1], "x", 1);
    SHOW("F_SETFL 0, then a read with data", read(p[0], &c, 1));

    int q[2];
    pipe2(q, O_NONBLOCK | O_CLOEXEC);
    printf("pipe2(O_NONBLOCK|O_CLOEXEC): F_GETFL nonblock %d %d, F_GETFD %d %d\n",
           (fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0, (fcntl(q[1], F_GETFL) & O_NONBLOCK) != 0,
           fcntl(q[0], F_GETFD), fcntl(q[1], F_GETFD));
    SHOW("  read of the empty pipe", read(q[0], &c, 1));
    close(q[1]);
    SHOW("  once the writer is closed: EOF", read(q[0], &c, 1));
    SHOW("pipe2 with a bad flag", pipe2(q, O_APPEND));

    SHOW("F_GETFD of a closed fd", fcntl(42, F_GETFD));
    SHOW("F_GETFL of a closed fd", fcntl(42, F_GETFL));
    SHOW("F_DUPFD of a closed fd", fcntl(42, F_DUPFD, 0));
    SHOW("unknown command 9999", fcntl(p[0], 9999));
    return 0;
}
