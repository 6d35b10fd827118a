/* I1: dup, dup2, dup3. dup returns the lowest free fd, sharing the open file
   (data written through the copy arrives through the pipe). dup2 onto an open
   fd closes that one first, silently; dup2(fd, fd) returns fd when fd is open
   and EBADF when it is not. dup3 refuses oldfd == newfd (EINVAL) and flags
   other than O_CLOEXEC (EINVAL), and sets FD_CLOEXEC with O_CLOEXEC; dup and
   dup2 never copy FD_CLOEXEC. A bad oldfd is EBADF, a negative newfd EBADF.
   dup3 goes straight to the syscall: musl's wrapper checks oldfd == newfd
   itself and turns flags 0 into dup2. The classic use: dup2 a pipe's write end over stdout, and printf lands in
   the pipe. Pipes only: nothing touches the filesystem. */
#include <sys/syscall.h>
#include "files_util.h"

#define sys_dup3(a, b, f) syscall(SYS_dup3, a, b, f)

int main(void)
{
    int p[2], q[2];
    char buf[64];
    pipe(p);
    pipe(q);                                   /* 3 4 5 6 */

    SHOW("dup(p[1])", dup(p[1]));              /* 7 */
    write(7, "via-dup", 7);
    memset(buf, 0, sizeof buf);
    read(p[0], buf, sizeof buf - 1);
    printf("read through the pipe: %s\n", buf);
    SHOW("dup of a closed fd", dup(42));
    SHOW("dup(-1)", dup(-1));

    SHOW("dup2(7, 7) on an open fd", dup2(7, 7));
    SHOW("dup2(42, 42) on a closed fd", dup2(42, 42));
    SHOW("dup2(42, 7) from a closed fd", dup2(42, 7));
    SHOW("dup2(7, -1)", dup2(7, -1));
    SHOW("dup2(q[1], 7) over the open 7", dup2(q[1], 7));
    write(7, "now-q", 5);
    memset(buf, 0, sizeof buf);
    read(q[0], buf, sizeof buf - 1);
    printf("fd 7 now writes into q: %s\n", buf);
    SHOW("dup2 far up, to 100", dup2(p[1], 100));
    SHOW("next dup still takes the lowest", dup(0));

    SHOW("dup3(7, 7, 0)", sys_dup3(7, 7, 0));
    SHOW("dup3(7, 7, O_CLOEXEC)", sys_dup3(7, 7, O_CLOEXEC));
    SHOW("dup3 with a bad flag", sys_dup3(7, 9, O_NONBLOCK));
    SHOW("dup3(7, 9, O_CLOEXEC)", sys_dup3(7, 9, O_CLOEXEC));
    printf("FD_CLOEXEC of 9: %d\n", fcntl(9, F_GETFD));
    SHOW("dup3(7, 10, 0)", sys_dup3(7, 10, 0));
    printf("FD_CLOEXEC of 10: %d\n", fcntl(10, F_GETFD));
    printf("dup and dup2 of the close-on-exec 9 are not: %d %d\n", fcntl(dup(9), F_GETFD),
           fcntl(dup2(9, 20), F_GETFD));
    SHOW("dup3 onto the open 9 without O_CLOEXEC", sys_dup3(p[1], 9, 0));
    printf("FD_CLOEXEC of 9 is gone: %d\n", fcntl(9, F_GETFD));

    /* stdout into a pipe */
    fflush(stdout);
    int saved = dup(1);
    dup2(p[1], 1);
    printf("this line went through the pipe\n");
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    memset(buf, 0, sizeof buf);
    read(p[0], buf, sizeof buf - 1);
    printf("read back: %s", buf);
    return 0;
}
